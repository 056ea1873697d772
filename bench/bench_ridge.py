"""Ridge speed vs scikit-learn (ratios measured in the same run, after JIT warm-up).

Run ``python bench/bench_ridge.py`` for a table (medians of several runs; ``--quick`` for small
sizes; ``--sparse-path`` runs only the sparse 50-alpha path cases), or ``python -m pytest bench/bench_ridge.py --benchmark-only`` for pytest-benchmark.
:func:`rows` is the common interface used by ``bench/run.py``.
"""

import os
import sys

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sklm

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._timing import markdown_table, median_time, median_times_interleaved, row  # noqa: E402
from fastreg import Ridge, RidgeCV, ridge_path  # noqa: E402

ALPHAS50 = np.logspace(-2, 4, 50)


def tall(seed=0, n=200_000, p=100):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + rng.standard_normal(p)
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    return X, y


def wide(seed=0, n=500, p=5000):
    return tall(seed, n, p)


def sparse_problem(seed=0, n=20_000, p=50_000, density=1e-3):
    rng = np.random.default_rng(seed)
    X = sparse.random(n, p, density=density, format="csr", random_state=seed, dtype=np.float64)
    y = X @ rng.standard_normal(p) + 0.1 * rng.standard_normal(n)
    return X, y


def normal_residual(X, y, coef, intercept, alpha):
    """||A^T (A w - z) + alpha w|| / ||A^T z|| for the centered problem (same measure for both)."""
    xm = np.asarray(X.mean(axis=0)).ravel()
    ym = y.mean()
    r = np.asarray(X @ coef).ravel() - xm @ coef - (y - ym)
    g = np.asarray(X.T @ r).ravel() - xm * r.sum() + alpha * coef
    b = np.asarray(X.T @ (y - ym)).ravel() - xm * (y - ym).sum()
    return np.linalg.norm(g) / np.linalg.norm(b)


# ------------------------------------------------------------------------------ pytest-benchmark
@pytest.fixture(scope="module")
def tall_data():
    return tall()


@pytest.fixture(scope="module")
def sparse_data():
    return sparse_problem()


def test_tall_fastreg(benchmark, tall_data):
    X, y = tall_data
    Ridge(1.0).fit(X[:100], y[:100])
    benchmark.pedantic(lambda: Ridge(1.0).fit(X, y), rounds=3)


def test_tall_sklearn(benchmark, tall_data):
    X, y = tall_data
    benchmark.pedantic(lambda: sklm.Ridge(1.0, solver="cholesky").fit(X, y), rounds=3)


def test_sparse_fastreg_cg(benchmark, sparse_data):
    X, y = sparse_data
    Ridge(1.0, solver="cg").fit(X[:50], y[:50])
    benchmark.pedantic(lambda: Ridge(1.0, solver="cg").fit(X, y), rounds=3)


def test_sparse_sklearn_cg(benchmark, sparse_data):
    X, y = sparse_data
    benchmark.pedantic(lambda: sklm.Ridge(1.0, solver="sparse_cg").fit(X, y), rounds=3)


def test_sparse_path50_fastreg(benchmark, sparse_data):
    X, y = sparse_data
    ridge_path(X[:50], y[:50], ALPHAS50[:3])
    benchmark.pedantic(lambda: ridge_path(X, y, ALPHAS50), rounds=3)


def test_path50_fastreg(benchmark, tall_data):
    X, y = tall_data
    benchmark.pedantic(lambda: ridge_path(X, y, ALPHAS50), rounds=3)


def test_ridgecv50_fastreg(benchmark, tall_data):
    X, y = tall_data
    benchmark.pedantic(lambda: RidgeCV(alphas=ALPHAS50).fit(X, y), rounds=1)


# ------------------------------------------------------------------------------ table
SIZES = {  # (tall n, p), (wide n, p), (sparse n, p, density)
    "full": ((200_000, 100), (500, 5000), (20_000, 50_000, 1e-3)),
    "quick": ((10_000, 100), (100, 1000), (5000, 10_000, 1e-3)),
    "tiny": ((500, 20), (30, 200), (300, 600, 1e-2)),
}


def _pair(out, problem, ref_name, t_ref, fr_name, t_fr, acc_ref="", acc_fr="", note=""):
    out.append(row("ridge", problem, ref_name, t_ref, None, acc_ref))
    out.append(row("ridge", problem, fr_name, t_fr, t_ref / t_fr, acc_fr, note))


def _dense_rows(out, label, X, y, solvers, repeat):
    # scikit-learn's fastest solver, then it and fastreg timed in alternation (the minimum over
    # several solvers' noisy medians would favour scikit-learn)
    _, best = min((median_time(lambda: sklm.Ridge(1.0, solver=s).fit(X, y), repeat)[0], s)
                  for s in solvers)
    (t_sk, ref), (t_fr, m) = median_times_interleaved(
        [lambda: sklm.Ridge(1.0, solver=best).fit(X, y), lambda: Ridge(1.0).fit(X, y)], repeat)
    res = lambda c, b: f"resid {normal_residual(X, y, c, b, 1.0):.1e}"  # noqa: E731
    _pair(out, f"{label}, 1 alpha", f"sklearn Ridge ({best})", t_sk, "fastreg Ridge", t_fr,
          res(ref.coef_, ref.intercept_), res(m.coef_, m.intercept_))

    # scikit-learn has no ridge path: a loop of fits, timed on 10 of the 50 alphas, times 5
    t_loop, _ = median_time(lambda: [sklm.Ridge(a, solver=best).fit(X, y) for a in ALPHAS50[::5]], repeat)
    t_path, P = median_time(lambda: ridge_path(X, y, ALPHAS50), repeat)
    worst = max(normal_residual(X, y, P[:, i], 0.0, a) for i, a in list(enumerate(ALPHAS50))[::10])
    _pair(out, f"{label}, 50 alphas", f"sklearn loop of Ridge ({best})", 5 * t_loop, "fastreg ridge_path",
          t_path, "", f"max resid {worst:.1e}", "sklearn: 5 x a loop of 10 fits")

    (t_skcv, skcv), (t_cv, cv) = median_times_interleaved(
        [lambda: sklm.RidgeCV(alphas=ALPHAS50).fit(X, y), lambda: RidgeCV(alphas=ALPHAS50).fit(X, y)], repeat)
    same = "same alpha_" if np.isclose(skcv.alpha_, cv.alpha_) else "alpha_ differs"
    _pair(out, f"{label}, RidgeCV LOO 50 alphas", "sklearn RidgeCV", t_skcv, "fastreg RidgeCV", t_cv,
          "", same, f"alpha_ {skcv.alpha_:.4g} vs {cv.alpha_:.4g}")


def rows(quick=False, tiny=False):
    """Benchmark rows (see ``bench/run.py``): dense tall, dense wide, sparse; 1 alpha, 50 alphas, CV.

    ``quick`` shrinks the problems (about 10x), ``tiny`` makes them minuscule (smoke test).
    """
    (tn, tp), (wn, wp), (sn, sp, sd) = SIZES["tiny" if tiny else "quick" if quick else "full"]
    repeat = 3
    out = []
    # warm-up JIT (compile or load cache) of the cg layouts; the dense ones warm up in median_time
    Xw, yw = sparse_problem(n=200, p=500, density=0.05)
    Ridge(1.0, solver="cg").fit(Xw, yw)
    Ridge(1.0, solver="cg").fit(Xw.T.tocsr(), np.ones(500))
    Ridge(1.0, solver="cg").fit(Xw.toarray(), yw)

    X, y = tall(n=tn, p=tp)
    _dense_rows(out, f"dense tall {tn}x{tp}", X, y, ("cholesky", "auto"), repeat)
    del X, y
    X, y = wide(n=wn, p=wp)
    _dense_rows(out, f"dense wide {wn}x{wp}", X, y, ("cholesky", "auto", "svd"), repeat)
    del X, y

    X, y = sparse_problem(n=sn, p=sp, density=sd)
    label = f"sparse {sn}x{sp} d={sd:g}"
    for tol in ((1e-4,) if quick or tiny else (1e-4, 1e-8)):
        t_sk, ref = median_time(lambda: sklm.Ridge(1.0, solver="sparse_cg", tol=tol).fit(X, y), repeat)
        t_fr, m = median_time(lambda: Ridge(1.0, solver="cg", tol=tol).fit(X, y), repeat)
        _pair(out, f"{label}, cg tol={tol:g}", "sklearn Ridge (sparse_cg)", t_sk, "fastreg Ridge (cg)", t_fr,
              f"resid {normal_residual(X, y, ref.coef_, ref.intercept_, 1.0):.1e}",
              f"resid {normal_residual(X, y, m.coef_, m.intercept_, 1.0):.1e}",
              f"{m.n_iter_[0]} iterations")
    sparse_path_rows(out, X, y, f"{label}, 50 alphas", stride=5 if quick or tiny else 1)
    # rows of very different norms (e.g. sample weights): multi-shift CG is not used, Jacobi-PCG is
    Xr = sparse.csr_matrix(sparse.diags(10 ** np.random.default_rng(1).uniform(-1, 1, X.shape[0])) @ X)
    sparse_path_rows(out, Xr, y, f"{label}, rows x 10^U(-1,1), 50 alphas (PCG kept)", stride=5)
    return out


def sparse_path_rows(out, X, y, name, repeat=3, stride=1):
    """50 alphas: a loop of sklearn sparse_cg fits (each alpha timed once after a warm-up fit;
    total = sum, estimated as ``stride`` x the fits of every ``stride``-th alpha) against ridge_path
    (median of ``repeat`` runs); both at tol=1e-4, true normal-equation residuals compared per alpha."""
    t_sk, res_sk = 0.0, []
    sklm.Ridge(ALPHAS50[0], solver="sparse_cg", tol=1e-4).fit(X, y)  # warm-up
    for a in ALPHAS50[::stride]:
        t, m = median_time(lambda: sklm.Ridge(a, solver="sparse_cg", tol=1e-4).fit(X, y), 1, warmup=False)
        t_sk += stride * t
        res_sk.append(normal_residual(X, y, m.coef_, m.intercept_, a))
    t_path, (P, ints) = median_time(lambda: ridge_path(X, y, ALPHAS50, tol=1e-4, return_intercept=True),
                                    repeat)
    res_fr = [normal_residual(X, y, P[:, i], ints[i], a) for i, a in enumerate(ALPHAS50)]
    loop = "a loop of 50 fits" if stride == 1 else f"{stride} x a loop of {len(ALPHAS50[::stride])} fits"
    _pair(out, name, "sklearn loop of Ridge (sparse_cg)", t_sk, "fastreg ridge_path", t_path,
          f"resid median/max {np.median(res_sk):.1e}/{max(res_sk):.1e}",
          f"resid median/max {np.median(res_fr):.1e}/{max(res_fr):.1e}",
          f"sklearn: {loop}, each timed once")


def main_sparse():
    out = []
    Xw, yw = sparse_problem(n=200, p=500, density=0.05)
    ridge_path(Xw, yw, ALPHAS50[:3])  # JIT warm-up (multi-shift and PCG kernels)
    ridge_path(sparse.diags(np.logspace(-2, 2, 200)) @ Xw, yw, ALPHAS50[:3])
    X, y = sparse_problem()
    sparse_path_rows(out, X, y, "sparse 20000x50000 d=1e-3, 50 alphas")
    Xr = sparse.csr_matrix(sparse.diags(10 ** np.random.default_rng(1).uniform(-1, 1, X.shape[0])) @ X)
    sparse_path_rows(out, Xr, y, "same, rows x 10^U(-1,1), 50 alphas (PCG kept)", stride=5)
    print(markdown_table(out))


def main(quick=False):
    print(markdown_table(rows(quick)))


if __name__ == "__main__":
    main_sparse() if "--sparse-path" in sys.argv else main(quick="--quick" in sys.argv[1:])
