"""The oracle floor of a 100-alpha lasso path: what a solver still pays when told each support.

Issue 3 asks for a sparse 20000 x 50000 path 10x faster than scikit-learn's. This script
measures how much time any certified coordinate-descent path needs on this machine, even if an
oracle gave it the support of every alpha's solution in advance. The floor has two parts:

* **certification**: every alpha's duality gap needs ``X^T r`` at its solution for every
  feature not screened out. The floor is the cheaper of fastreg's two ways to get it, timed
  with fastreg's own kernels:
  * one direct pass over X (its threaded full-gradient pass);
  * the previous alpha's gradient updated through the rows that the change of ``w`` touches
    (``g -= X^T (X dw)``, its row cache).

  Screening is not counted against the oracle: it is as if every feature it could discard came
  free;
* **coordinate descent on the known support**: fastreg's solver on ``X[:, S_k]`` alone, from
  the previous alpha's solution, to the same tolerance. Its call overhead is subtracted: the
  same call started at the solution, which stops at its first gap. So is the discovery of
  ``S_k`` (working sets, screening, priority), which a real solver must pay for.

The per-alpha bookkeeping of a real solver is not counted either: passes over all the features
to pick a working set, to screen, to copy the solution. The floor is therefore optimistic for a
solver like fastreg's. It is not a bound on every algorithm: its CD part is fastreg's own solver,
which a different method on the support (fastreg's path takes Newton steps there) may beat. The
script prints it next to fastreg's and scikit-learn's paths, timed in the same run::

    python bench/floor.py                                   # sparse 20000 x 50000
    python bench/floor.py --problem leukemia_72x7129 --repeat 3

Results are in ``bench/RESULTS.md``.
"""

import argparse
import os
import sys

os.environ.setdefault("NUMBA_NUM_THREADS", "2")
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "2")

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._timing import median_time, median_times_interleaved  # noqa: E402
from bench.problems import make_problem, relative_gap  # noqa: E402
from bench.run_enet import MAX_ITER, run_fastreg, run_sklearn, task_alphas  # noqa: E402


def reference_path(X, y, alphas):
    """Coefficients ``(n_features, n_alphas)`` of the path solved to a relative gap of 1e-10:
    their supports are the oracle's."""
    return run_fastreg(X, y, alphas, tol=1e-10)


def certification_floor(X, y, coefs, repeat=5):
    """Per alpha (from the second on), the cheaper of fastreg's direct ``X^T r`` pass and its
    row-wise update from the previous alpha's gradient, in seconds; and the direct pass's time.

    A dense X has no cheaper update than its pass: there the floor is one pass per alpha.
    """
    from fastreg._kernels.cd import _build_rows, _grad_pass_threaded, _rows_update, make_row_cache
    from fastreg._path import prepare

    n, p = X.shape
    prep, design = prepare(X, y, fit_intercept=False, precompute=False)
    kd, _ = design.target(prep.y)
    r = np.ones(n)
    out = np.empty(p)
    every = np.arange(p)
    t_direct = median_time(lambda: _grad_pass_threaded(kd, r, every, p, out), repeat)[0]
    if design.kind != "sparse":
        return np.full(coefs.shape[1] - 1, t_direct), t_direct
    rows = make_row_cache(n, p, X.nnz)
    _build_rows(kd, rows)
    w_ref = rows[4]
    floor = []
    for k in range(1, coefs.shape[1]):
        before, after = coefs[:, k - 1].copy(), coefs[:, k].copy()
        changed = np.flatnonzero(after != before).astype(np.int64)
        w_ref[:] = before

        def there_and_back():  # the same update each way: the reference ends where it began
            _rows_update(kd, after, rows, changed, changed.size)
            _rows_update(kd, before, rows, changed, changed.size)

        t_rows = median_time(there_and_back, repeat)[0] / 2
        floor.append(min(t_direct, t_rows))
    return np.array(floor), t_direct


def oracle_cd(X, y, alphas, coefs, tol, repeat=5):
    """Per alpha (from the second on): the time of fastreg's solver on the alpha's support
    alone, from the previous alpha's solution, less the same call started at the solution; the
    epochs it ran; and the largest relative duality gap of its solutions on the full problem
    (:func:`bench.problems.relative_gap`: the oracle reached the accuracy the path must)."""
    import fastreg

    X = sparse.csc_matrix(X) if sparse.issparse(X) else np.asfortranarray(X)
    times, epochs, worst_gap = [], [], 0.0
    for k in range(1, coefs.shape[1]):
        support = np.flatnonzero(coefs[:, k])
        if support.size == 0:
            times.append(0.0)
            epochs.append(0)
            continue
        XS = X[:, support]

        def solve(start):
            return fastreg.lasso_path(XS, y, alphas=[alphas[k]], tol=tol, max_iter=MAX_ITER,
                                      check_input=False, coef_init=start[support].copy(),
                                      return_n_iter=True)

        (t_solve, out), (t_overhead, _) = median_times_interleaved(
            [lambda: solve(coefs[:, k - 1]), lambda: solve(coefs[:, k])], repeat, settle=0.0)
        times.append(max(t_solve - t_overhead, 0.0))
        epochs.append(int(out[3][0]))
        coef = np.zeros(X.shape[1])
        coef[support] = out[1][:, 0]
        worst_gap = max(worst_gap, relative_gap(X, y, coef, alphas[k]))
    return np.array(times), np.array(epochs), worst_gap


def measure(problem, tol=1e-6, repeat=5, scale=1.0, with_sklearn=True):
    """Every number of the report, as a dict (times in seconds)."""
    X, y = make_problem(problem, scale=scale)
    if sparse.issparse(X):
        X = sparse.csc_matrix(X)
    alphas = task_alphas(X, y, "path")
    coefs = reference_path(X, y, alphas)
    cert, t_direct = certification_floor(X, y, coefs, repeat)
    cd, epochs, oracle_gap = oracle_cd(X, y, alphas, coefs, tol, repeat)
    calls = [lambda: run_fastreg(X, y, alphas, tol)]
    if with_sklearn:
        calls.append(lambda: run_sklearn(X, y, alphas, tol))
    timed = median_times_interleaved(calls, repeat)
    return {"problem": problem, "shape": X.shape, "direct_pass": t_direct,
            "certification": cert, "oracle_cd": cd, "oracle_epochs": epochs,
            "oracle_gap": oracle_gap, "floor": cert.sum() + cd.sum(),
            "fastreg": timed[0][0], "sklearn": timed[1][0] if with_sklearn else None}


def report(m):
    """The markdown report of :func:`measure`'s result."""
    ms = 1e3
    lines = [f"Oracle floor of the 100-alpha path, {m['problem']} {m['shape'][0]} x "
             f"{m['shape'][1]} (times in ms):", "",
             "| part | alphas 2-70 | alphas 71-100 | all |", "|---|---|---|---|"]
    for name, key in [("certification (one gradient per alpha)", "certification"),
                      ("CD on the known support", "oracle_cd")]:
        v = m[key]
        lines.append(f"| {name} | {v[:69].sum() * ms:.1f} | {v[69:].sum() * ms:.1f} | "
                     f"{v.sum() * ms:.1f} |")
    lines.append(f"| **floor** | | | **{m['floor'] * ms:.1f}** |")
    lines += ["", f"- one direct X^T r pass: {m['direct_pass'] * ms:.2f} ms; the oracle's "
              f"solves ran {m['oracle_epochs'].sum()} epochs, to a relative duality gap of "
              f"at most {m['oracle_gap']:.1e} on the full problem;",
              f"- fastreg's path: {m['fastreg'] * ms:.1f} ms, {m['fastreg'] / m['floor']:.2f}x "
              "the floor;"]
    if m["sklearn"] is not None:
        lines.append(f"- scikit-learn's path: {m['sklearn'] * ms:.1f} ms, "
                     f"{m['sklearn'] / m['fastreg']:.2f}x fastreg's; a 10x target is "
                     f"{m['sklearn'] / 10 * ms:.1f} ms, {m['sklearn'] / 10 / m['floor']:.2f}x "
                     "the floor.")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", default="sparse_20000x50000")
    parser.add_argument("--tol", type=float, default=1e-6)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--no-sklearn", action="store_true")
    args = parser.parse_args(argv)
    print(report(measure(args.problem, args.tol, args.repeat, args.scale,
                         with_sklearn=not args.no_sklearn)))


if __name__ == "__main__":
    main()
