"""Elastic-net / lasso benchmark: fastreg vs scikit-learn, skglm and celer (issue 3).

Prints a markdown table (problem x task x solver: median time after warm-up, ratio to
scikit-learn measured in the same run with the solvers timed in alternation, and the largest
relative duality gap reached over the path, computed by :func:`bench.problems.relative_gap`
independently of every solver).

Tasks: ``path`` (100 alphas from alpha_max, eps = 1e-3, or 1e-2 when p > n, every alpha to a
relative duality gap of ``tol``), ``single`` (one fit at alpha_max / 100 from a cold start; both
through each library's path function, without an intercept) and ``estimator`` (each library's
``Lasso(alpha=alpha_max / 100).fit(X, y)`` with its default ``fit_intercept=True``, alpha_max of
the centered data: what a user calls, and how the issue's single-fit reference times were taken,
see ``bench/RESULTS.md``). Peers that are not installed are skipped. Usage::

    python bench/run_enet.py                    # full sizes, 2 threads
    python bench/run_enet.py --scale 0.2 --problems dense_wide_500x5000 --repeat 3

:func:`rows` is the common interface used by ``bench/run.py``.
"""

import argparse
import os
import sys

os.environ.setdefault("NUMBA_NUM_THREADS", "2")
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "2")

import warnings  # noqa: E402

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._timing import median_time, median_times_interleaved, row  # noqa: E402
from bench.problems import PROBLEMS, make_problem, path_eps, relative_gap  # noqa: E402

N_ALPHAS = 100
MAX_ITER = 100_000


def alpha_max(X, y, fit_intercept=False):
    """The smallest alpha at which the lasso solution is zero (of the centered data with
    ``fit_intercept``: ``X_c^T y_c = X^T y_c``)."""
    if fit_intercept:
        y = y - y.mean()
    return np.max(np.abs(np.asarray(X.T @ y).ravel())) / X.shape[0]


def alpha_grid(X, y, eps, n_alphas=N_ALPHAS):
    amax = alpha_max(X, y)
    return np.geomspace(amax, amax * eps, n_alphas)


def task_alphas(X, y, task):
    """The alphas of a task: ``path`` (the issue's grid), ``single`` (alpha_max / 100) or
    ``estimator`` (alpha_max / 100 of the centered data)."""
    if task == "path":
        return alpha_grid(X, y, path_eps(X))
    if task in ("single", "estimator"):
        return np.array([alpha_max(X, y, fit_intercept=task == "estimator") / 100])
    raise ValueError(f"unknown task {task!r} (expected 'path', 'single' or 'estimator')")


# ---------------------------------------------------------------------- solvers: (X, y, alphas, tol) -> coefs (p, k)
def run_fastreg(X, y, alphas, tol):
    import fastreg

    return fastreg.lasso_path(X, y, alphas=alphas, tol=tol, max_iter=MAX_ITER, check_input=False)[1]


def run_sklearn(X, y, alphas, tol):
    from sklearn.linear_model import lasso_path

    return lasso_path(X, y, alphas=alphas, tol=tol, max_iter=MAX_ITER, check_input=False)[1]


def skglm_tol(X, y, tol):
    """skglm's ``tol`` for a relative duality gap ``tol``.

    skglm stops on the largest KKT violation (units of the gradient, |X_j^T r| / n - alpha),
    not on a duality gap: tol is scaled so that the gap reached is comparable (see the table).
    """
    return tol * np.sqrt(y @ y / X.shape[0]) * 1e-1


def run_skglm(X, y, alphas, tol):
    from skglm.datafits import Quadratic
    from skglm.penalties import L1
    from skglm.solvers import AndersonCD

    solver = AndersonCD(tol=skglm_tol(X, y, tol), max_iter=1000, fit_intercept=False)
    return solver.path(X, y, Quadratic(), L1(alphas[0]), alphas=alphas)[1]


def run_celer(X, y, alphas, tol):
    from celer import celer_path

    # celer's tol is the same relative duality gap as scikit-learn's (gap <= tol ||y||^2 / n)
    return celer_path(X, y, "lasso", alphas=alphas, tol=tol, prune=1, max_epochs=MAX_ITER)[1]


SOLVERS = {"sklearn": run_sklearn, "fastreg": run_fastreg, "skglm": run_skglm, "celer": run_celer}


# ------------------------------------------- estimators: (X, y, alpha, tol) -> (coef (p,), intercept)
def fit_fastreg(X, y, alpha, tol):
    import fastreg

    m = fastreg.Lasso(alpha=alpha, tol=tol, max_iter=MAX_ITER).fit(X, y)
    return m.coef_, m.intercept_


def fit_sklearn(X, y, alpha, tol):
    from sklearn.linear_model import Lasso

    m = Lasso(alpha=alpha, tol=tol, max_iter=MAX_ITER).fit(X, y)
    return m.coef_, m.intercept_


def fit_skglm(X, y, alpha, tol):
    from skglm import Lasso

    m = Lasso(alpha=alpha, tol=skglm_tol(X, y, tol), max_iter=1000).fit(X, y)
    return m.coef_, m.intercept_


def fit_celer(X, y, alpha, tol):
    from celer import Lasso

    m = Lasso(alpha=alpha, tol=tol, prune=True, max_epochs=MAX_ITER).fit(X, y)
    return m.coef_, m.intercept_


ESTIMATORS = {"sklearn": fit_sklearn, "fastreg": fit_fastreg, "skglm": fit_skglm, "celer": fit_celer}


def available(name):
    if name in ("sklearn", "fastreg"):
        return True
    try:
        __import__(name)
        return True
    except ImportError:
        return False


def prepare_input(X):
    if sparse.issparse(X):
        X = sparse.csc_matrix(X)
        X.sort_indices()
        return X
    return np.asfortranarray(X)


def time_solvers(calls, repeat, budget):
    """``{solver: (median seconds, runs, coefs, first call seconds)}`` for ``{solver: call}``.

    Each solver is warmed up (its first call, which may compile, is reported apart). The
    solvers whose call fits ``repeat`` times in ``budget`` seconds are then timed in
    alternation (one call of each per round), so that the machine's load hits all of them
    alike and their ratio is fair; a slower solver is timed once.
    """
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probes = {}
        for solver, call in calls.items():
            first, coefs = median_time(call, 1, warmup=False)  # warm-up: JIT compile / cache load
            # size the runs on a call after the warm-up (the first one may include compilation)
            if first * repeat > budget:
                t, coefs = median_time(call, 1, warmup=False)
            else:
                t = first
            probes[solver] = (first, t, coefs)
        quick = [s for s in calls if probes[s][1] * repeat <= budget]
        timed = dict(zip(quick, median_times_interleaved([calls[s] for s in quick], repeat,
                                                         warmup=False) if quick else []))
        for solver in calls:
            first, t, coefs = probes[solver]
            t, coefs = timed.get(solver, (t, coefs))
            out[solver] = (t, repeat if solver in timed else 1, coefs, first)
    return out


def gram_floor(X, repeat=3):
    """Median time of one ``X^T X`` (BLAS), the floor for tall problems."""
    return median_time(lambda: X.T @ X, repeat, warmup=False)[0]


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="*", default=list(PROBLEMS))
    parser.add_argument("--solvers", nargs="*", default=list(SOLVERS))
    parser.add_argument("--tasks", nargs="*", default=["path", "single", "estimator"])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tol", type=float, default=1e-6)
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds per solver and task; a slower solver is timed once")
    return parser.parse_args(argv)


def measure(args):
    """``(rows, notes)``: one tuple ``(problem, task, solver, time, runs, ratio, gap, first)`` per cell."""
    rows = []
    notes = []
    for name in args.problems:
        X, y = make_problem(name, scale=args.scale)
        X = prepare_input(X)
        for task in args.tasks:
            alphas = task_alphas(X, y, task)
            calls = {}
            for solver in args.solvers:
                if not available(solver):
                    notes.append(f"{solver} not installed: skipped")
                    continue
                if task == "estimator":
                    call = (lambda fn: lambda: fn(X, y, alphas[0], args.tol))(ESTIMATORS[solver])
                else:
                    call = (lambda fn: lambda: fn(X, y, alphas, args.tol))(SOLVERS[solver])
                calls[solver] = call
            timed = time_solvers(calls, args.repeat, args.budget)
            ref = timed["sklearn"][0] if "sklearn" in timed else None
            for solver, (t, n_runs, out, first) in timed.items():
                if task == "estimator":
                    gap = relative_gap(X, y, np.asarray(out[0]).ravel(), alphas[0],
                                       intercept=float(np.ravel(out[1])[0]))
                else:
                    coefs = np.asarray(out).reshape(X.shape[1], -1)
                    gap = max(relative_gap(X, y, coefs[:, k], a) for k, a in enumerate(alphas))
                ratio = f"{ref / t:.2f}x" if ref else "-"
                rows.append((name, task, solver, t, n_runs, ratio, gap, first))
                print(f"  {name} {task} {solver}: {t:.3f}s (x{n_runs}) speed-up {ratio} gap {gap:.1e}",
                      file=sys.stderr, flush=True)
            if name.startswith("tall") and task == "path" and not sparse.issparse(X):
                floor = gram_floor(X)
                notes.append(f"{name}: one X^T X takes {floor:.3f}s (the floor)")
    return rows, notes


TASK_LABELS = {"path": "100-alpha path", "single": "one alpha",
               "estimator": "Lasso(alpha).fit, with intercept"}


def rows(quick=False, tiny=False):
    """Benchmark rows (see ``bench/run.py``): lasso path, single fit and estimator fit on the
    issue's problems.

    ``quick``: problems at scale 0.1, fastreg and scikit-learn only; ``tiny``: scale 0.02.
    """
    scale = "0.02" if tiny else "0.1" if quick else "1"
    argv = ["--scale", scale, "--repeat", "3"]
    if quick or tiny:
        argv += ["--solvers", "sklearn", "fastreg"]
    cells, notes = measure(parse(argv))
    ref = {(n, task): t for n, task, solver, t, *_ in cells if solver == "sklearn"}
    out = []
    for name, task, solver, t, n_runs, ratio, gap, first in cells:
        problem = (f"{name}{f' at scale {scale}' if scale != '1' else ''}, "
                   f"{TASK_LABELS[task]}")
        sk = ref.get((name, task))
        out.append(row("enet", problem, solver, t, None if solver == "sklearn" or not sk else sk / t,
                       f"max rel. gap {gap:.1e}",
                       (f"{n_runs} run(s); " if n_runs < 3 else "") + f"first call {first:.2f} s"))
    return out


def main(argv=None):
    rows, notes = measure(parse(argv))
    print("| problem | task | solver | time (s, median) | runs | speed-up vs sklearn | max rel. gap |")
    print("|---|---|---|---|---|---|---|")
    for name, task, solver, t, n_runs, ratio, gap, first in rows:
        print(f"| {name} | {task} | {solver} | {t:.3f} | {n_runs} | {ratio} | {gap:.1e} |")
    for note in sorted(set(notes)):
        print(f"\n- {note}")


if __name__ == "__main__":
    main()
