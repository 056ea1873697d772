"""Several targets (a 2-D y): fastreg runs their paths in threads, scikit-learn one after the other.

Each target of a 2-D y is its own lasso (``Lasso.fit(X, Y)`` in both libraries; scikit-learn's
``lasso_path`` of a 2-D y is the multi-task lasso instead, so its per-target path is a loop over
the columns). The targets are independent, so they are the one place where coordinate descent
itself runs in parallel (``fastreg._path._target_threads``). Rows: scikit-learn, fastreg on one
thread (``n_threads=1``: the targets one after the other) and fastreg as it runs by default,
timed in alternation after a warm-up call each. The accuracy column is the largest relative
duality gap over targets and alphas with the dual point of :func:`bench.problems.relative_gap`
(the rescaled residual); fastreg stops on a gap certified with a better dual point (its
extrapolated residuals, celer's), so that column may read above ``TOL`` where fastreg's own
certificate is below it (at scale 0.1 the sparse paths' worst cell reads 2.2e-6 there and
5.6e-7 in fastreg's ``dual_gaps``).

Tasks, on the issue's problems with 4 targets: ``single`` (``Lasso(alpha).fit(X, Y)`` at
alpha_max / 100 of the first target) and ``path`` (each target's 100-alpha path, eps as in
``bench/run_enet.py``, from the largest target's alpha_max). Usage::

    python bench/bench_targets.py            # the issue's sizes
    python bench/bench_targets.py --quick    # scale 0.1
    python -m pytest bench/bench_targets.py --benchmark-only
"""

import os
import sys
import warnings

os.environ.setdefault("NUMBA_NUM_THREADS", "2")
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._timing import markdown_table, median_times_interleaved, row  # noqa: E402
from bench.problems import _target, make_problem, path_eps, relative_gap  # noqa: E402
from bench.run_enet import MAX_ITER, alpha_max, prepare_input  # noqa: E402

N_TARGETS = 4
TOL = 1e-6
PROBLEMS = ("sparse_20000x50000", "dense_wide_500x5000")


def problem(name, scale, n_targets=N_TARGETS):
    """``(X, Y)``: the named problem's X and ``n_targets`` targets, each from its own sparse
    model (the first is the problem's own y)."""
    X, y = make_problem(name, scale=scale)
    X = prepare_input(X)
    rng = np.random.default_rng(1)
    k = 100 if name.startswith("sparse") else max(5, X.shape[1] // 100)
    others = [_target(rng, X, k) for _ in range(n_targets - 1)]
    return X, np.column_stack([y, *others])


def task_alphas(X, Y, task):
    if task == "single":
        return np.array([alpha_max(X, Y[:, 0]) / 100])
    amax = max(alpha_max(X, Y[:, k]) for k in range(Y.shape[1]))
    return np.geomspace(amax, amax * path_eps(X), 100)


def run_sklearn(X, Y, alphas):
    from sklearn import linear_model

    if alphas.size == 1:
        return linear_model.Lasso(alpha=alphas[0], tol=TOL, max_iter=MAX_ITER,
                                  fit_intercept=False).fit(X, Y).coef_[..., None]
    return np.stack([linear_model.lasso_path(X, Y[:, k], alphas=alphas, tol=TOL,
                                             max_iter=MAX_ITER, check_input=False)[1]
                     for k in range(Y.shape[1])])


def run_fastreg(X, Y, alphas, n_threads=None):
    import fastreg

    if alphas.size == 1 and n_threads is None:
        return fastreg.Lasso(alpha=alphas[0], tol=TOL, max_iter=MAX_ITER,
                             fit_intercept=False).fit(X, Y).coef_[..., None]
    return fastreg.lasso_path(X, Y, alphas=alphas, tol=TOL, max_iter=MAX_ITER,
                              n_threads=n_threads)[1]


def max_gap(X, Y, coefs, alphas):
    return max(relative_gap(X, Y[:, k], coefs[k, :, i], a)
               for k in range(Y.shape[1]) for i, a in enumerate(alphas))


def rows(quick=False, tiny=False, repeat=3):
    """Benchmark rows (see ``bench/run.py``): scikit-learn, fastreg on one thread, fastreg."""
    scale = 0.02 if tiny else 0.1 if quick else 1.0
    out = []
    for name in PROBLEMS:
        X, Y = problem(name, scale)
        for task in ("single", "path"):
            alphas = task_alphas(X, Y, task)
            case = (f"{name}{f' at scale {scale:g}' if scale != 1 else ''}, {N_TARGETS} targets, "
                    f"{'one alpha' if task == 'single' else '100-alpha paths'}")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                (t_sk, c_sk), (t_1, c_1), (t_fr, c_fr) = median_times_interleaved(
                    [lambda: run_sklearn(X, Y, alphas), lambda: run_fastreg(X, Y, alphas, 1),
                     lambda: run_fastreg(X, Y, alphas)], repeat)
            out.append(row("targets", case, "sklearn", t_sk, None,
                           f"max rel. gap {max_gap(X, Y, c_sk, alphas):.1e}"))
            out.append(row("targets", case, "fastreg n_threads=1", t_1, t_sk / t_1,
                           f"max rel. gap {max_gap(X, Y, c_1, alphas):.1e}"))
            out.append(row("targets", case, "fastreg", t_fr, t_sk / t_fr,
                           f"max rel. gap {max_gap(X, Y, c_fr, alphas):.1e}",
                           f"{t_1 / t_fr:.2f}x fastreg n_threads=1"))
    return out


@pytest.mark.parametrize("threads", [1, None])
@pytest.mark.parametrize("task", ["single", "path"])
def test_targets(benchmark, task, threads):
    X, Y = problem("sparse_20000x50000", float(os.environ.get("FASTREG_BENCH_SCALE", "0.2")))
    alphas = task_alphas(X, Y, task)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_fastreg(X, Y, alphas, threads)  # warm-up: JIT compile / cache load
        coefs = benchmark.pedantic(run_fastreg, args=(X, Y, alphas, threads), rounds=3,
                                   iterations=1)
    gap = max_gap(X, Y, coefs, alphas)
    benchmark.extra_info["max_relative_gap"] = float(gap)
    assert gap <= 1e-5


if __name__ == "__main__":
    print(markdown_table(rows(quick="--quick" in sys.argv[1:])))
