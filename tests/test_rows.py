"""The full gradient through the rows of a sparse X (``fastreg._kernels.cd.rows_gradient``).

The row-major copy is X's CSR form; one update ``g_ref -= Z^T Z (w - w_ref)`` gives the
gradient a direct pass over the columns gives (with implicit centering and sample weights);
and paths that take those updates give the same coefficients as paths that do not, and as
scikit-learn.
"""

import numpy as np
import pytest
from scipy import sparse
from sklearn.linear_model import enet_path as sk_enet_path

import fastreg._path
from fastreg import Lasso, LassoCV, enet_path, lasso_path
from fastreg._kernels.cd import _build_rows, _rows_update, build_row_copy, make_row_cache
from fastreg._path import prepare


def _sparse_problem(seed=0, n=80, p=200, density=0.05):
    rng = np.random.default_rng(seed)
    X = sparse.random(n, p, density=density, format="csc", random_state=seed,
                      data_rvs=rng.standard_normal)
    beta = np.zeros(p)
    beta[rng.choice(p, 10, replace=False)] = rng.choice([-2.0, 1.0, 2.5], 10)
    y = np.asarray(X @ beta).ravel() + 0.2 * rng.standard_normal(n) + 1.5
    sw = rng.uniform(0.2, 3.0, n)
    return X, y, sw


def _direct_gradient(kd, ky, w):
    """``Z^T r_true`` from the dense centered, scaled design (independent of the kernels)."""
    data, indices, indptr, mean, v, c, aux = kd
    n = v.shape[0]
    mean = np.zeros(indptr.shape[0] - 1) if mean is None else mean
    A = sparse.csc_matrix((data, indices, indptr), shape=(n, mean.shape[0])).toarray()
    Z = A - np.outer(v, mean)
    return Z.T @ (ky - Z @ w)


def test_row_copy_is_the_csr_form():
    X, y, _ = _sparse_problem(seed=1)
    prep, design = prepare(X, y, fit_intercept=False)
    kd, _ = design.target(prep.y, None)
    n, p = X.shape
    rows = make_row_cache(n, p, X.nnz)
    _build_rows(kd, rows)
    csr = X.tocsr()
    csr.sort_indices()
    np.testing.assert_array_equal(rows[2], csr.indptr)
    np.testing.assert_array_equal(rows[1], csr.indices)
    np.testing.assert_array_equal(rows[0], csr.data)
    for built, lazy in zip(build_row_copy(kd, n), rows[:3]):  # built up front: the same copy
        np.testing.assert_array_equal(built, lazy)


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_one_update_gives_the_direct_gradient(fit_intercept, weighted):
    X, y, sw = _sparse_problem(seed=2)
    prep, design = prepare(X, y, fit_intercept=fit_intercept,
                           sample_weight=sw if weighted else None)
    kd, ky = design.target(prep.y, None)
    n, p = X.shape
    rng = np.random.default_rng(3)
    rows = make_row_cache(n, p, X.nnz)
    _build_rows(kd, rows)
    w_ref = np.zeros(p)
    w_ref[rng.choice(p, 15, replace=False)] = rng.standard_normal(15)
    rows[3][:] = _direct_gradient(kd, ky, w_ref)
    rows[4][:] = w_ref
    w = w_ref.copy()
    changed = np.unique(np.r_[np.flatnonzero(w_ref)[:5], rng.choice(p, 8, replace=False)])
    w[changed] += rng.standard_normal(changed.size)
    w[np.flatnonzero(w_ref)[0]] = 0.0  # a feature leaves the support
    changed = np.flatnonzero(w != w_ref).astype(np.int64)
    _rows_update(kd, w, rows, changed, changed.size)
    expected = _direct_gradient(kd, ky, w)
    np.testing.assert_allclose(rows[3], expected, rtol=0, atol=1e-10 * np.abs(expected).max())
    np.testing.assert_array_equal(rows[4], w)
    # the scratch space is left clean for the next update
    assert not rows[6].any() and not rows[5].any()


def _capture_row_caches(monkeypatch, build_after):
    caches = []

    def make(*args, **kw):
        kw.setdefault("build_after", build_after)  # (a single fit's idle cache keeps np.inf)
        cache = make_row_cache(*args, **kw)
        caches.append(cache)
        return cache

    monkeypatch.setattr(fastreg._path, "make_row_cache", make)
    return caches


@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_paths_with_row_updates_match(monkeypatch, l1_ratio, fit_intercept):
    # with sample weights and implicit centering: the same path with and without the updates
    # (the one without is checked against scikit-learn by the other tests), on a wide and very
    # sparse X, where they pay (a change of a few coefficients touches few rows)
    X, y, sw = _sparse_problem(seed=4, n=1000, p=3000, density=0.002)
    kw = dict(l1_ratio=l1_ratio, n_alphas=40, eps=1e-2, tol=1e-12, max_iter=1_000_000,
              fit_intercept=fit_intercept, sample_weight=sw)
    plain = enet_path(X, y, **kw, incremental_gradient=False)
    caches = _capture_row_caches(monkeypatch, build_after=0.0)
    res = enet_path(X, y, **kw)
    state = caches[-1][9]
    assert state[0] == 1.0 and state[4] > 5  # built, and many gaps came from the rows
    np.testing.assert_allclose(res.coefs, plain.coefs, rtol=0,
                               atol=1e-9 * np.abs(plain.coefs).max())


def test_sparse_lasso_path_with_row_updates_matches_sklearn(monkeypatch):
    X, y, _ = _sparse_problem(seed=5, n=1000, p=3000, density=0.002)
    caches = _capture_row_caches(monkeypatch, build_after=0.0)
    res = lasso_path(X, y, n_alphas=50, eps=1e-2, tol=1e-12, max_iter=1_000_000)
    assert caches[-1][9][4] > 5
    ref = sk_enet_path(X, y, l1_ratio=1.0, alphas=res.alphas, tol=1e-13, max_iter=1_000_000)
    # The path's last alphas keep 800-960 of the 1000 rows' worth of features, with support
    # Gram matrices whose smallest eigenvalue is 1e-6 to 1e-5: there a gap of 1e-14 pins the
    # objective, not the coefficients to better than about 1e-6 of their scale (two solvers
    # at equal objectives, to 3e-16, differed by 1.2e-6 at one alpha)
    Xd = X.toarray()

    def objective(coef, alpha):
        r = y - Xd @ coef
        return r @ r / (2 * X.shape[0]) + alpha * np.abs(coef).sum()

    for k, alpha in enumerate(res.alphas):
        ours, theirs = objective(res.coefs[:, k], alpha), objective(ref[1][:, k], alpha)
        assert abs(ours - theirs) <= 1e-12 * theirs, (k, ours, theirs)
    np.testing.assert_allclose(res.coefs, ref[1], rtol=0, atol=1e-5 * np.abs(ref[1]).max())


def test_no_row_cache_for_float32_dense_or_single_fits(monkeypatch):
    X, y, _ = _sparse_problem(seed=6)
    caches = _capture_row_caches(monkeypatch, build_after=0.0)
    lasso_path(X.astype(np.float32), y.astype(np.float32), n_alphas=5)
    lasso_path(X.toarray(), y, n_alphas=5)
    lasso_path(X, y, n_alphas=5, incremental_gradient=False)
    lasso_path(X, y, n_alphas=1)
    Lasso(alpha=0.01).fit(X, y)
    assert caches == []
    lasso_path(X, y, n_alphas=5)
    assert len(caches) == 1 and caches[0][9][0] == 1.0  # built (build_after=0 here)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_cross_validation_refits_with_its_paths_compiled_solver(monkeypatch, fit_intercept):
    # the refit is a single fit: it gets an idle row cache (never built), so that its arguments
    # have the folds' paths' Numba types and one compiled enet_path_cd serves the whole fit
    # (a first sparse LassoCV compiled two: 35-43 s cold against 26)
    import numba

    X, y, _ = _sparse_problem(seed=7)
    real, signatures = fastreg._path.enet_path_cd, []

    def spy(*args):
        signatures.append(tuple(numba.typeof(a) for a in args))
        return real(*args)

    monkeypatch.setattr(fastreg._path, "enet_path_cd", spy)
    caches = _capture_row_caches(monkeypatch, build_after=0.0)
    model = LassoCV(cv=3, alphas=5, fit_intercept=fit_intercept).fit(X, y)
    assert len(signatures) == 3 + 1 and len(set(signatures)) == 1
    assert [cache[9][5] for cache in caches] == [0.0, 0.0, 0.0, np.inf]
    assert caches[-1][9][0] == 0.0  # the refit's cache was never built
    direct = Lasso(alpha=model.alpha_, fit_intercept=fit_intercept, tol=model.tol).fit(X, y)
    np.testing.assert_allclose(model.coef_, direct.coef_, rtol=0,
                               atol=1e-12 * np.abs(direct.coef_).max())


@pytest.mark.parametrize("n_threads", [1, 2])
def test_targets_share_one_row_copy(monkeypatch, n_threads):
    # the targets of a 2-D y read one row copy, built before they run (and never written by
    # them: their threads share it); each target's path is its own 1-D path, which builds its
    # copy lazily
    X, y, sw = _sparse_problem(seed=7, n=1000, p=3000, density=0.002)
    rng = np.random.default_rng(7)
    Y = np.column_stack([y, np.asarray(X[:, 5:15] @ rng.standard_normal(10)).ravel()
                         + 0.2 * rng.standard_normal(X.shape[0]), -2.0 * y])
    kw = dict(n_alphas=30, eps=1e-2, tol=1e-12, max_iter=1_000_000, fit_intercept=True,
              sample_weight=sw)
    caches = _capture_row_caches(monkeypatch, build_after=8.0)
    res = lasso_path(X, Y, n_threads=n_threads, **kw)
    assert len(caches) == 3
    for cache in caches:
        assert cache[9][0] == 1.0 and cache[9][4] > 5  # built for it, and many gaps from rows
        for mine, first in zip(cache[:3], caches[0][:3]):
            assert mine is first
    _, design = prepare(X, Y, fit_intercept=True, sample_weight=sw)  # (A: X with weighted rows)
    csr = sparse.csc_matrix(design.data[:3], shape=X.shape).tocsr()
    csr.sort_indices()
    np.testing.assert_array_equal(caches[0][0], csr.data)  # and still A's CSR form
    np.testing.assert_array_equal(caches[0][1], csr.indices)
    plain = lasso_path(X, Y, n_threads=n_threads, incremental_gradient=False, **kw)
    np.testing.assert_allclose(res.coefs, plain.coefs, rtol=0,
                               atol=1e-9 * np.abs(plain.coefs).max())
    for k in range(3):  # (X^T Y and X^T y round differently: a looser match, as test_2d_y's)
        one = lasso_path(X, Y[:, k], alphas=res.alphas, **{**kw, "n_alphas": None})
        np.testing.assert_allclose(res.coefs[k], one.coefs, rtol=0,
                                   atol=1e-7 * np.abs(one.coefs).max())
    # a short path of few targets keeps a lazy copy per target (2 x 4 alphas < 16 passes)
    caches.clear()
    lasso_path(X, Y[:, :2], n_alphas=4, **{k: v for k, v in kw.items() if k != "n_alphas"})
    assert len(caches) == 2 and caches[0][0] is not caches[1][0]


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_layout_compiles_centering_only_with_an_intercept(fit_intercept, weighted):
    """Without an intercept the sparse layout carries no centering arrays (its kernels compile
    without those terms); with or without, the column reads and the Gram blocks are Z's."""
    from numba import njit

    from fastreg._kernels.cd import col_dot, gram_block, refresh_state

    @njit
    def reads(design, y, w, r, cols):
        refresh_state(design, y, w, r)
        out = np.empty(cols.shape[0])
        for k in range(cols.shape[0]):
            out[k] = col_dot(design, cols[k], r)
        return out, gram_block(design, cols, cols.shape[0], cols, cols.shape[0])

    X, y, sw = _sparse_problem(seed=4)
    prep, design = prepare(X, y, fit_intercept=fit_intercept,
                           sample_weight=sw if weighted else None)
    kd, ky = design.target(prep.y, None)
    assert (kd[3] is None and kd[5] is None) == (not fit_intercept)
    p = X.shape[1]
    rng = np.random.default_rng(5)
    w = np.zeros(p)
    w[rng.choice(p, 12, replace=False)] = rng.standard_normal(12)
    A = sparse.csc_matrix(kd[:3], shape=(X.shape[0], p))
    r = ky - A @ w  # the residual state: z - A w
    cols = np.sort(rng.choice(p, 9, replace=False)).astype(np.int64)
    got, block = reads(kd, ky, w, r, cols)
    mean = np.zeros(p) if kd[3] is None else kd[3]
    Z = A.toarray() - np.outer(kd[4], mean)
    np.testing.assert_allclose(got, Z[:, cols].T @ (ky - Z @ w), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(block, Z[:, cols].T @ Z[:, cols], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fastreg._path._gram_columns(design, cols), Z.T @ Z[:, cols],
                               rtol=1e-12, atol=1e-12)
