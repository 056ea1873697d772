"""Ridge speed vs scikit-learn (ratios measured in the same run, after JIT warm-up).

Run ``python bench/bench_ridge.py`` for a table (medians of several runs; ``--sparse-path`` runs only
the sparse 50-alpha path cases), or
``python -m pytest bench/bench_ridge.py --benchmark-only`` for pytest-benchmark.
"""

import sys
import time

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sklm

from fastreg import Ridge, RidgeCV, ridge_path

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


def median_time(f, repeat=3):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts)), out


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
def main(quick=False):
    rows = []

    def row(name, t_ref, t_fr, note=""):
        rows.append((name, t_ref, t_fr, t_ref / t_fr, note))
        print(f"{name:<44s} sklearn {t_ref:8.3f}s  fastreg {t_fr:8.3f}s  ratio {t_ref / t_fr:6.1f}x  {note}",
              flush=True)

    # warm-up JIT (compile or load cache)
    Xw, yw = sparse_problem(n=200, p=500, density=0.05)
    Ridge(1.0, solver="cg").fit(Xw, yw)
    Ridge(1.0, solver="cg").fit(Xw.T.tocsr(), np.ones(500))
    Ridge(1.0, solver="cg").fit(Xw.toarray(), yw)

    X, y = tall()
    t_sk = min(median_time(lambda: sklm.Ridge(1.0, solver=s).fit(X, y))[0] for s in ("cholesky", "auto"))
    t_fr, m = median_time(lambda: Ridge(1.0).fit(X, y))
    ref = sklm.Ridge(1.0, solver="cholesky").fit(X, y)
    row("dense tall 200000x100, 1 alpha", t_sk, t_fr, f"max|dcoef|={np.abs(m.coef_ - ref.coef_).max():.1e}")

    # 50 alphas: sklearn loop of fits (measured on 10 alphas, x5)
    t_loop10, _ = median_time(lambda: [sklm.Ridge(a, solver="cholesky").fit(X, y) for a in ALPHAS50[::5]], 1)
    t_path, P = median_time(lambda: ridge_path(X, y, ALPHAS50))
    err = max(np.abs(P[:, i] - sklm.Ridge(a, solver="cholesky").fit(X, y).coef_).max()
              for i, a in list(enumerate(ALPHAS50))[::10])
    row("dense tall, 50 alphas: loop vs ridge_path", 5 * t_loop10, t_path, f"(sklearn loop = 5 x 10 fits) err={err:.1e}")
    t_skcv, skcv = median_time(lambda: sklm.RidgeCV(alphas=ALPHAS50).fit(X, y), 1)
    t_cv, cv = median_time(lambda: RidgeCV(alphas=ALPHAS50).fit(X, y))
    row("dense tall, 50 alphas: RidgeCV (LOO)", t_skcv, t_cv, f"alpha_ {skcv.alpha_:.4g} vs {cv.alpha_:.4g}")
    row("dense tall, 50 alphas: loop vs RidgeCV", 5 * t_loop10, t_cv, "")
    del X, y

    X, y = wide()
    t_sk = min(median_time(lambda: sklm.Ridge(1.0, solver=s).fit(X, y))[0] for s in ("cholesky", "auto", "svd"))
    t_fr, m = median_time(lambda: Ridge(1.0).fit(X, y))
    ref = sklm.Ridge(1.0, solver="cholesky").fit(X, y)
    row("dense wide 500x5000, 1 alpha", t_sk, t_fr, f"max|dcoef|={np.abs(m.coef_ - ref.coef_).max():.1e}")
    t_loop, _ = median_time(lambda: [sklm.Ridge(a).fit(X, y) for a in ALPHAS50], 1)
    t_path, _ = median_time(lambda: ridge_path(X, y, ALPHAS50))
    row("dense wide, 50 alphas: loop vs ridge_path", t_loop, t_path)
    t_skcv, skcv = median_time(lambda: sklm.RidgeCV(alphas=ALPHAS50).fit(X, y), 1)
    t_cv, cv = median_time(lambda: RidgeCV(alphas=ALPHAS50).fit(X, y))
    row("dense wide, 50 alphas: RidgeCV (LOO)", t_skcv, t_cv, f"alpha_ {skcv.alpha_:.4g} vs {cv.alpha_:.4g}")

    X, y = sparse_problem()
    for tol in (1e-4, 1e-8):
        t_sk, ref = median_time(lambda: sklm.Ridge(1.0, solver="sparse_cg", tol=tol).fit(X, y), 5)
        t_fr, m = median_time(lambda: Ridge(1.0, solver="cg", tol=tol).fit(X, y), 5)
        res_sk = normal_residual(X, y, ref.coef_, ref.intercept_, 1.0)
        res_fr = normal_residual(X, y, m.coef_, m.intercept_, 1.0)
        row(f"sparse 20000x50000 d=1e-3, cg tol={tol:g}", t_sk, t_fr,
            f"resid sk {res_sk:.1e} fr {res_fr:.1e}, it fr {m.n_iter_[0]}")
    sparse_path_rows(row, X, y, "sparse, 50 alphas: loop sparse_cg vs ridge_path")
    # rows of very different norms (e.g. sample weights): multi-shift CG is not used, Jacobi-PCG is
    Xr = sparse.csr_matrix(sparse.diags(10 ** np.random.default_rng(1).uniform(-1, 1, X.shape[0])) @ X)
    sparse_path_rows(row, Xr, y, "sparse rows x 10^U(-1,1), 50 alphas (PCG kept)", stride=5)
    print_table(rows)


def sparse_path_rows(row, X, y, name, repeat=3, stride=1):
    """50 alphas: a loop of sklearn sparse_cg fits (each alpha timed once; total = sum, estimated
    as ``stride`` x the fits of every ``stride``-th alpha) against ridge_path (median of ``repeat``
    runs); both at tol=1e-4, true normal-equation residuals compared per alpha."""
    t_sk, res_sk = 0.0, []
    for a in ALPHAS50[::stride]:
        t, m = median_time(lambda: sklm.Ridge(a, solver="sparse_cg", tol=1e-4).fit(X, y), 1)
        t_sk += stride * t
        res_sk.append(normal_residual(X, y, m.coef_, m.intercept_, a))
    t_path, (P, ints) = median_time(lambda: ridge_path(X, y, ALPHAS50, tol=1e-4, return_intercept=True),
                                    repeat)
    res_fr = [normal_residual(X, y, P[:, i], ints[i], a) for i, a in enumerate(ALPHAS50)]
    row(name, t_sk, t_path, f"normal-eq. resid median/max: sk {np.median(res_sk):.1e}/{max(res_sk):.1e} "
        f"fr {np.median(res_fr):.1e}/{max(res_fr):.1e}")


def main_sparse():
    rows = []

    def row(name, t_ref, t_fr, note=""):
        rows.append((name, t_ref, t_fr, t_ref / t_fr, note))
        print(f"{name:<44s} sklearn {t_ref:8.3f}s  fastreg {t_fr:8.3f}s  ratio {t_ref / t_fr:6.1f}x  {note}",
              flush=True)

    Xw, yw = sparse_problem(n=200, p=500, density=0.05)
    ridge_path(Xw, yw, ALPHAS50[:3])  # JIT warm-up (multi-shift and PCG kernels)
    ridge_path(sparse.diags(np.logspace(-2, 2, 200)) @ Xw, yw, ALPHAS50[:3])
    X, y = sparse_problem()
    sparse_path_rows(row, X, y, "sparse 20000x50000 d=1e-3, 50 alphas")
    Xr = sparse.csr_matrix(sparse.diags(10 ** np.random.default_rng(1).uniform(-1, 1, X.shape[0])) @ X)
    sparse_path_rows(row, Xr, y, "same, rows x 10^U(-1,1), 50 alphas (PCG kept)", stride=5)
    print_table(rows)


def print_table(rows):
    print()
    print("| case | sklearn (s) | fastreg (s) | ratio | note |")
    print("|---|---:|---:|---:|---|")
    for name, a, b, r, note in rows:
        print(f"| {name} | {a:.3f} | {b:.3f} | {r:.1f}x | {note} |")


if __name__ == "__main__":
    main_sparse() if "--sparse-path" in sys.argv else main()
