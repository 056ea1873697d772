"""Ridge, RidgeCV and ridge_path against scikit-learn and closed forms."""

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sklm
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastreg import Ridge, RidgeCV, ridge_path
from fastreg._ridge import ridge_cg_iterates, ridge_from_gram

SOLVERS = ["cholesky", "svd", "cg"]
SHAPES = [(60, 8), (12, 40)]  # n > p and p > n


def _data(n, p, *, seed=0, n_targets=None, density=None, offset=3.0, correlated=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if correlated:
        X[:, 1] = X[:, 0] + 1e-3 * X[:, 1]
    X += offset * rng.standard_normal(p)  # non-centered columns
    if density is not None:
        X[rng.random((n, p)) > density] = 0.0
    w = rng.standard_normal((p,) if n_targets is None else (p, n_targets))
    y = X @ w + 0.5 * rng.standard_normal((n,) if n_targets is None else (n, n_targets)) + 2.0
    sw = rng.uniform(0.1, 3.0, n)
    return X, y, sw


def _exact(X, y, alpha, fit_intercept=True, sw=None):
    """Reference solution via lstsq on the augmented system in float64."""
    X = np.asarray(X.toarray() if sparse.issparse(X) else X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, p = X.shape
    s = np.ones(n) if sw is None else np.asarray(sw, dtype=np.float64)
    if fit_intercept:
        xm, ym = s @ X / s.sum(), s @ y / s.sum()
    else:
        xm, ym = np.zeros(p), np.zeros(y.shape[1:])
    A = np.sqrt(s)[:, None] * (X - xm)
    z = (np.sqrt(s)[:, None] * (y.reshape(n, -1) - ym))
    coefs = []
    for j in range(z.shape[1]):
        a = np.broadcast_to(alpha, (z.shape[1],))[j]
        Aa = np.vstack([A, np.sqrt(a) * np.eye(p)])
        za = np.concatenate([z[:, j], np.zeros(p)])
        coefs.append(np.linalg.lstsq(Aa, za, rcond=None)[0])
    coef = np.array(coefs)
    intercept = ym - coef @ xm
    return (coef[0], float(intercept[0])) if y.ndim == 1 else (coef, intercept)


# ------------------------------------------------------------------------------ estimator checks
@parametrize_with_checks(
    [Ridge(), Ridge(solver="svd"), Ridge(solver="cg", tol=1e-10), RidgeCV(), RidgeCV(cv=3)]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# ------------------------------------------------------------------------------ Ridge vs sklearn
@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("is_sparse", [False, True])
def test_ridge_matches_sklearn(solver, shape, fit_intercept, weighted, is_sparse):
    X, y, sw = _data(*shape, density=0.3 if is_sparse else None)
    sw = sw if weighted else None
    Xf = sparse.csr_matrix(X) if is_sparse else X
    sk_solver = "sparse_cg" if is_sparse else "svd"
    ref = sklm.Ridge(alpha=0.7, fit_intercept=fit_intercept, solver=sk_solver, tol=1e-12).fit(
        Xf, y, sample_weight=sw
    )
    m = Ridge(alpha=0.7, fit_intercept=fit_intercept, solver=solver, tol=1e-12).fit(Xf, y, sample_weight=sw)
    np.testing.assert_allclose(m.coef_, ref.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(m.intercept_, ref.intercept_, rtol=1e-7, atol=1e-8)
    assert np.ndim(m.intercept_) == 0
    assert m.n_iter_.shape == (1,) and m.n_iter_[0] >= 1
    np.testing.assert_allclose(m.predict(Xf), ref.predict(Xf), rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize("solver", ["auto"] + SOLVERS)
@pytest.mark.parametrize("is_sparse", [False, True])
def test_multitarget_and_alpha_per_target(solver, is_sparse):
    X, Y, sw = _data(40, 6, n_targets=3, density=0.5 if is_sparse else None)
    Xf = sparse.csc_matrix(X) if is_sparse else X
    alpha = np.array([0.1, 1.0, 30.0])
    m = Ridge(alpha=alpha, solver=solver, tol=1e-12).fit(Xf, Y, sample_weight=sw)
    coef, intercept = _exact(X, Y, alpha, sw=sw)
    assert m.coef_.shape == (3, 6) and m.intercept_.shape == (3,)
    np.testing.assert_allclose(m.coef_, coef, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(m.intercept_, intercept, rtol=1e-7, atol=1e-8)
    for j in range(3):  # each target is its own problem
        mj = Ridge(alpha=alpha[j], solver=solver, tol=1e-12).fit(Xf, Y[:, j], sample_weight=sw)
        np.testing.assert_allclose(mj.coef_, m.coef_[j], rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("is_sparse", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_float32_stays_float32(solver, is_sparse, shape):
    X, y, sw = _data(*shape, density=0.4 if is_sparse else None)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    Xf = sparse.csr_matrix(X32) if is_sparse else X32
    m = Ridge(alpha=2.0, solver=solver, tol=1e-6).fit(Xf, y32, sample_weight=sw)
    assert m.coef_.dtype == np.float32
    assert np.asarray(m.intercept_).dtype == np.float32
    assert m.predict(Xf).dtype == np.float32
    coef, intercept = _exact(X32, y32, 2.0, sw=sw.astype(np.float32))
    np.testing.assert_allclose(m.coef_, coef, rtol=2e-3, atol=2e-3 * np.abs(coef).max())
    np.testing.assert_allclose(m.intercept_, intercept, rtol=2e-3, atol=2e-3 * (1 + abs(intercept)))


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("solver", SOLVERS)
def test_memory_order_and_no_mutation(order, solver):
    X, y, sw = _data(50, 7, n_targets=2)
    X = np.asarray(X, order=order)
    X0, y0, sw0 = X.copy(), y.copy(), sw.copy()
    m = Ridge(alpha=1.5, solver=solver, tol=1e-12).fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(sw, sw0)
    coef, _ = _exact(X, y, 1.5, sw=sw)
    np.testing.assert_allclose(m.coef_, coef, rtol=1e-8, atol=1e-10)


def test_sparse_input_not_modified_and_csr_equals_csc():
    X, y, sw = _data(30, 50, density=0.2)
    Xr = sparse.csr_matrix(X)
    data0 = Xr.data.copy()
    a = Ridge(alpha=0.3, solver="cg", tol=1e-12).fit(Xr, y, sample_weight=sw)
    b = Ridge(alpha=0.3, solver="cg", tol=1e-12).fit(sparse.csc_matrix(X), y, sample_weight=sw)
    np.testing.assert_array_equal(Xr.data, data0)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-10, atol=1e-12)


def test_sparse_intercept_with_large_offsets():
    # implicit centering must give the same answer as explicit centering
    X, y, sw = _data(80, 10, density=0.3, offset=50.0)
    ref = _exact(X, y, 0.5, sw=sw)
    m = Ridge(alpha=0.5, solver="cg", tol=1e-13).fit(sparse.csr_matrix(X), y, sample_weight=sw)
    np.testing.assert_allclose(m.coef_, ref[0], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(m.intercept_, ref[1], rtol=1e-7)


# ------------------------------------------------------------------------------ hard problems
@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd"])
def test_ill_conditioned(solver):
    rng = np.random.default_rng(3)
    U, _ = np.linalg.qr(rng.standard_normal((80, 6)))
    V, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    X = U @ np.diag(np.logspace(0, -10, 6)) @ V.T  # condition number 1e10
    y = rng.standard_normal(80)
    for alpha in [1e-14, 1e-6, 1.0]:
        m = Ridge(alpha=alpha, solver=solver, fit_intercept=False).fit(X, y)
        coef, _ = _exact(X, y, alpha, fit_intercept=False)
        assert np.all(np.isfinite(m.coef_))
        np.testing.assert_allclose(m.coef_, coef, rtol=1e-5, atol=1e-6 * np.abs(coef).max())


@pytest.mark.parametrize("shape", [(30, 10), (10, 30)])
def test_rank_deficient_alpha_zero_gives_min_norm(shape):
    rng = np.random.default_rng(4)
    n, p = shape
    X = rng.standard_normal((n, 3)) @ rng.standard_normal((3, p))  # rank 3
    y = rng.standard_normal(n)
    m = Ridge(alpha=0.0, fit_intercept=False).fit(X, y)
    np.testing.assert_allclose(m.coef_, np.linalg.pinv(X) @ y, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("solver", SOLVERS)
def test_zero_sample_weights_equal_dropping_rows(solver):
    X, y, sw = _data(40, 5)
    sw[::3] = 0.0
    keep = sw > 0
    a = Ridge(alpha=1.0, solver=solver, tol=1e-12).fit(X, y, sample_weight=sw)
    b = Ridge(alpha=1.0, solver=solver, tol=1e-12).fit(X[keep], y[keep], sample_weight=sw[keep])
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.intercept_, b.intercept_, rtol=1e-8)


def test_weights_are_not_normalized():
    # sum_i s_i r_i^2 + alpha ||w||^2: doubling all weights equals halving alpha
    X, y, sw = _data(30, 4)
    a = Ridge(alpha=2.0).fit(X, y, sample_weight=2 * sw)
    b = Ridge(alpha=1.0).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-10)


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "params, match",
    [
        ({"alpha": -1.0}, "alpha"),
        ({"alpha": np.nan}, "alpha"),
        ({"solver": "lsqr"}, "solver"),
        ({"tol": -1.0}, "tol"),
        ({"max_iter": 0}, "max_iter"),
    ],
)
def test_bad_parameters(params, match):
    X, y, _ = _data(10, 3)
    with pytest.raises(ValueError, match=match):
        Ridge(**params).fit(X, y)


def test_bad_data():
    X, y, _ = _data(10, 3)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Ridge().fit(Xn, y)
    Xi = X.copy()
    Xi[1, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        Ridge().fit(Xi, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Ridge().fit(X, y[:-1])
    with pytest.raises(ValueError, match="sample_weight"):
        Ridge().fit(X, y, sample_weight=np.ones(9))
    with pytest.raises(ValueError, match="penalties"):
        Ridge(alpha=[1.0, 2.0]).fit(X, np.c_[y, y, y])
    with pytest.raises(ValueError, match="alphas"):
        RidgeCV(alphas=[0.0, 1.0]).fit(X, y)
    with pytest.raises(ValueError, match="alphas"):
        ridge_path(X, y, [-1.0])
    with pytest.raises(ValueError, match="incompatible"):
        RidgeCV(cv=3, alpha_per_target=True).fit(X, y)


# ------------------------------------------------------------------------------ ridge_path
@pytest.mark.parametrize("solver", ["auto", "svd", "cholesky", "cg"])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("is_sparse", [False, True])
@pytest.mark.parametrize("n_targets", [None, 2])
def test_ridge_path_equals_loop(solver, shape, is_sparse, n_targets):
    X, y, sw = _data(*shape, n_targets=n_targets, density=0.4 if is_sparse else None)
    Xf = sparse.csr_matrix(X) if is_sparse else X
    alphas = np.array([10.0, 0.01, 1.0, 100.0])
    coefs, ints = ridge_path(Xf, y, alphas, sample_weight=sw, solver=solver, tol=1e-12,
                             return_intercept=True)
    p = X.shape[1]
    assert coefs.shape == ((p, 4) if n_targets is None else (n_targets, p, 4))
    for i, a in enumerate(alphas):
        m = Ridge(alpha=a, solver="svd").fit(X, y, sample_weight=sw)
        np.testing.assert_allclose(coefs[..., i], m.coef_, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(ints[..., i], m.intercept_, rtol=1e-7, atol=1e-8)


def _sparse_path_problem(n, p, *, seed, n_targets=None, row_spread=0.0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = sparse.random(n, p, density=0.05, format="csr", random_state=seed) + 0.0
    X = sparse.diags(10 ** rng.uniform(-row_spread, row_spread, n)) @ X
    w = rng.standard_normal((p,) if n_targets is None else (p, n_targets))
    y = X @ w + 0.1 * rng.standard_normal((n,) if n_targets is None else (n, n_targets)) + 1.0
    return sparse.csr_matrix(X, dtype=dtype), y.astype(dtype)


@pytest.mark.parametrize("shape", [(80, 200), (200, 60)])  # dual and primal systems
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_targets", [None, 2])
@pytest.mark.parametrize("layout", ["sparse", "dense"])
def test_path_multishift_equals_per_alpha_solves(shape, fit_intercept, weighted, n_targets, layout):
    """The CG path (one multi-shift CG run; sparse, or dense with solver='cg') gives each alpha's own
    exact solution."""
    from fastreg._ridge import _CG, _make_design

    X, y = _sparse_path_problem(*shape, seed=21, n_targets=n_targets)
    if layout == "dense":
        X = X.toarray()
    sw = np.random.default_rng(3).uniform(0.5, 2.0, shape[0]) if weighted else None
    d, z, _, _ = _make_design(X, y, fit_intercept=fit_intercept, sample_weight=sw, copy_X=True,
                              explicit=layout == "dense")
    assert _CG(d, z, dual=d.n < d.p).multishift_ok(6)  # the code path under test
    alphas = np.array([3.0, 1e-2, 30.0, 0.3, 1e3, 0.1])  # any order
    coefs, ints = ridge_path(X, y, alphas, fit_intercept=fit_intercept, sample_weight=sw,
                             solver="cg", tol=1e-12, return_intercept=True)
    for i, a in enumerate(alphas):
        ref, ref_int = _exact(X, y, a, fit_intercept=fit_intercept, sw=sw)
        np.testing.assert_allclose(coefs[..., i], ref, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(ints[..., i], ref_int, rtol=1e-7, atol=1e-8)


def test_sparse_path_multishift_meets_tol_every_alpha_and_float32():
    """Each alpha stops on its own residual: the true relative residual of every alpha's system is
    within tol (up to rounding); float32 stays float32 and matches float64 to its precision."""
    X, y = _sparse_path_problem(150, 400, seed=22)
    alphas = np.logspace(-2, 3, 12)
    tol = 1e-6
    coefs = ridge_path(X, y, alphas, tol=tol)
    Xd = X.toarray()
    A, zc = Xd - Xd.mean(0), y - y.mean()
    for i, a in enumerate(alphas):
        u = np.linalg.lstsq(A.T, coefs[:, i], rcond=None)[0]  # dual variable: w = A^T u
        res = np.linalg.norm(A @ (A.T @ u) + a * u - zc) / np.linalg.norm(zc)
        assert res <= 2 * tol
    c32 = ridge_path(X.astype(np.float32), y.astype(np.float32), alphas, tol=1e-5)
    assert c32.dtype == np.float32
    np.testing.assert_allclose(c32, ridge_path(X, y, alphas, tol=1e-10), rtol=1e-3, atol=1e-4)


def test_sparse_path_spread_diagonal_uses_pcg_and_max_iter_falls_back():
    """Rows of very different norms: Jacobi-PCG is kept (multi-shift CG cannot be preconditioned);
    with a tiny iteration cap, unconverged shifts are handed to PCG and the result is still exact."""
    from fastreg._ridge import _CG, _make_design

    X, y = _sparse_path_problem(80, 200, seed=23, row_spread=1.5)
    d, z, _, _ = _make_design(X, y, fit_intercept=True, sample_weight=None, copy_X=True)
    cg = _CG(d, z, dual=True)
    assert not cg.multishift_ok(5)
    alphas = np.array([0.05, 0.5, 5.0])
    coefs = ridge_path(X, y, alphas, tol=1e-12)
    X2, y2 = _sparse_path_problem(80, 200, seed=23)
    d2, z2, _, _ = _make_design(X2, y2, fit_intercept=True, sample_weight=None, copy_X=True)
    cg2 = _CG(d2, z2, dual=True)
    assert cg2.multishift_ok(3)
    from fastreg._kernels.ridge import cg_multishift

    raw = np.empty((3, cg2.m))
    _, conv = cg_multishift(cg2.op, np.ascontiguousarray(cg2.rhs[:, 0]), alphas, 1e-12, 2,
                                   True, raw)
    assert not conv.any()
    xs = cg2.solve_path(0, alphas, 1e-12, 2)  # 2 multi-shift iterations, then 2 of PCG from there
    for i, a in enumerate(alphas):
        ref, _ = _exact(X, y, a)
        np.testing.assert_allclose(coefs[:, i], ref, rtol=1e-7, atol=1e-9)
        x_exact, _ = cg2.solve(0, a, None, 1e-13, 10_000)
        assert np.linalg.norm(xs[i] - x_exact) < 0.9 * np.linalg.norm(raw[i] - x_exact)


def test_ridge_path_tiny_alpha_uses_accurate_factorization():
    rng = np.random.default_rng(5)
    U, _ = np.linalg.qr(rng.standard_normal((60, 5)))
    X = U @ np.diag(np.logspace(0, -9, 5)) @ np.linalg.qr(rng.standard_normal((5, 5)))[0]
    y = rng.standard_normal(60)
    alphas = [1e-15, 1e-8, 1.0]
    coefs = ridge_path(X, y, alphas, fit_intercept=False)
    for i, a in enumerate(alphas):
        ref, _ = _exact(X, y, a, fit_intercept=False)
        np.testing.assert_allclose(coefs[:, i], ref, rtol=1e-5, atol=1e-6 * np.abs(ref).max())


def test_ridge_from_gram():
    X, Y, _ = _data(50, 6, n_targets=2)
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    coef = ridge_from_gram(Xc.T @ Xc, Xc.T @ Yc, np.array([0.5, 5.0]))
    ref, _ = _exact(X, Y, np.array([0.5, 5.0]))
    np.testing.assert_allclose(coef.T, ref, rtol=1e-9)
    # singular Gram, alpha = 0: minimum-norm solution
    Xs = np.c_[Xc, Xc[:, 0]]
    w = ridge_from_gram(Xs.T @ Xs, Xs.T @ Yc[:, 0], 0.0)
    np.testing.assert_allclose(w, np.linalg.pinv(Xs) @ Yc[:, 0], rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="alpha"):
        ridge_from_gram(Xc.T @ Xc, Xc.T @ Yc[:, 0], -1.0)


# ------------------------------------------------------------------------------ CG specifics
@pytest.mark.parametrize("is_sparse", [False, True])
def test_cg_iterates_are_an_l2_path(is_sparse):
    X, y, _ = _data(60, 10, density=0.5 if is_sparse else None)
    Xf = sparse.csr_matrix(X) if is_sparse else X
    its = ridge_cg_iterates(Xf, y, alpha=0.0, n_iter=12)
    assert its.shape == (13, 10)
    np.testing.assert_array_equal(its[0], 0.0)
    # CG minimizes the least-squares objective over growing Krylov spaces: it decreases monotonically
    A = X - X.mean(0)
    obj = np.sum((A @ its.T - (y - y.mean())[:, None]) ** 2, axis=0)
    assert np.all(np.diff(obj) <= 1e-9 * obj[0])
    assert obj[3] < 0.5 * obj[0]
    ref, _ = _exact(X, y, 0.0)
    np.testing.assert_allclose(its[-1], ref, rtol=1e-6, atol=1e-8)


def test_cg_tol_and_max_iter():
    X, y, _ = _data(200, 150, density=0.05, seed=7)
    Xs = sparse.csr_matrix(X)
    loose = Ridge(alpha=1e-3, solver="cg", tol=1e-2).fit(Xs, y)
    tight = Ridge(alpha=1e-3, solver="cg", tol=1e-10).fit(Xs, y)
    capped = Ridge(alpha=1e-3, solver="cg", tol=1e-10, max_iter=3).fit(Xs, y)
    assert loose.n_iter_[0] < tight.n_iter_[0]
    assert capped.n_iter_[0] == 3
    ref, _ = _exact(X, y, 1e-3)
    err = lambda m: np.linalg.norm(m.coef_ - ref)  # noqa: E731
    assert err(tight) < err(loose)
    assert err(tight) < 1e-6 * np.linalg.norm(ref)


# ------------------------------------------------------------------------------ RidgeCV
ALPHAS = np.logspace(-3, 3, 9)


@pytest.mark.parametrize("shape", [(50, 6), (15, 40)])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_targets", [None, 3])
@pytest.mark.parametrize("alpha_per_target", [False, True])
def test_ridgecv_loo_matches_sklearn(shape, fit_intercept, weighted, n_targets, alpha_per_target):
    X, y, sw = _data(*shape, n_targets=n_targets, seed=11)
    sw = sw if weighted else None
    kw = dict(alphas=ALPHAS, fit_intercept=fit_intercept, alpha_per_target=alpha_per_target,
              store_cv_results=True)
    ref = sklm.RidgeCV(**kw).fit(X, y, sample_weight=sw)
    m = RidgeCV(**kw).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(m.alpha_, ref.alpha_)
    np.testing.assert_allclose(m.best_score_, ref.best_score_, rtol=1e-7)
    np.testing.assert_allclose(m.coef_, ref.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(m.intercept_, ref.intercept_, rtol=1e-7, atol=1e-8)
    assert m.cv_results_.shape == ref.cv_results_.shape
    np.testing.assert_allclose(m.cv_results_, ref.cv_results_, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("weighted", [False, True])
def test_ridgecv_loo_scoring_matches_sklearn(weighted):
    X, Y, sw = _data(30, 5, n_targets=2, seed=12)
    sw = sw if weighted else None
    kw = dict(alphas=ALPHAS, scoring="neg_mean_absolute_error", store_cv_results=True)
    ref = sklm.RidgeCV(**kw).fit(X, Y, sample_weight=sw)
    m = RidgeCV(**kw).fit(X, Y, sample_weight=sw)
    np.testing.assert_allclose(m.alpha_, ref.alpha_)
    np.testing.assert_allclose(m.best_score_, ref.best_score_, rtol=1e-7)
    np.testing.assert_allclose(m.cv_results_, ref.cv_results_, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("is_sparse", [False, True])
def test_ridgecv_sparse_loo(is_sparse):
    for shape in [(60, 8), (20, 45)]:
        X, y, sw = _data(*shape, density=0.3, seed=13)
        Xf = sparse.csr_matrix(X) if is_sparse else X
        ref = sklm.RidgeCV(alphas=ALPHAS).fit(X, y, sample_weight=sw)
        m = RidgeCV(alphas=ALPHAS).fit(Xf, y, sample_weight=sw)
        assert m.alpha_ == ref.alpha_
        np.testing.assert_allclose(m.coef_, ref.coef_, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
@pytest.mark.parametrize("is_sparse", [False, True])
def test_ridgecv_kfold_matches_sklearn(scoring, is_sparse):
    X, y, sw = _data(45, 6, seed=14, density=0.5 if is_sparse else None)
    Xf = sparse.csr_matrix(X) if is_sparse else X
    alphas = np.r_[0.0, ALPHAS]
    ref = sklm.RidgeCV(alphas=alphas, cv=4, scoring=scoring).fit(X, y, sample_weight=sw)
    m = RidgeCV(alphas=alphas, cv=4, scoring=scoring).fit(Xf, y, sample_weight=sw)
    assert m.alpha_ == ref.alpha_
    np.testing.assert_allclose(m.best_score_, ref.best_score_, rtol=1e-6)
    np.testing.assert_allclose(m.coef_, ref.coef_, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
def test_ridgecv_kfold_on_threads_equals_one_job(scoring):
    # large enough for the CV driver's own threads (the default); a joblib context with one
    # job runs the same folds one after the other
    import joblib

    X, y, sw = _data(300, 200, seed=17)
    kw = dict(alphas=ALPHAS, cv=5, scoring=scoring)
    threaded = RidgeCV(**kw).fit(X, y, sample_weight=sw)
    with joblib.parallel_config(n_jobs=1):
        serial = RidgeCV(**kw).fit(X, y, sample_weight=sw)
    assert threaded.alpha_ == serial.alpha_
    np.testing.assert_allclose(threaded.best_score_, serial.best_score_, rtol=1e-12)
    np.testing.assert_allclose(threaded.coef_, serial.coef_, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_targets", [None, 2])
@pytest.mark.parametrize("is_sparse", [False, True])
def test_ridgecv_kfold_all_scores_match_gridsearch(shape, fit_intercept, n_targets, is_sparse):
    """Every alpha's mean fold score (not only the best) equals GridSearchCV(Ridge) -- what
    scikit-learn's RidgeCV(cv=k) runs -- including p > n, several targets and no intercept."""
    from sklearn.model_selection import GridSearchCV, KFold

    from fastreg._ridge import ridge_cv_kfold

    X, y, sw = _data(*shape, seed=16, n_targets=n_targets, density=0.6 if is_sparse else None)
    Xf = sparse.csc_matrix(X) if is_sparse else X
    cv = KFold(3, shuffle=True, random_state=0)
    gs = GridSearchCV(sklm.Ridge(fit_intercept=fit_intercept, solver="svd"), {"alpha": ALPHAS},
                      cv=cv).fit(X, y, sample_weight=sw)
    scores, best = ridge_cv_kfold(Xf, y, ALPHAS, cv=cv, fit_intercept=fit_intercept,
                                  sample_weight=sw, tol=1e-12)
    np.testing.assert_allclose(scores, gs.cv_results_["mean_test_score"], rtol=1e-7, atol=1e-9)
    assert best == gs.best_index_


def test_ridgecv_float32():
    X, y, _ = _data(40, 5, seed=15)
    m = RidgeCV(alphas=ALPHAS).fit(X.astype(np.float32), y.astype(np.float32))
    ref = sklm.RidgeCV(alphas=ALPHAS).fit(X, y)
    assert m.coef_.dtype == np.float32
    assert m.alpha_ == ref.alpha_
    np.testing.assert_allclose(m.coef_, ref.coef_, rtol=1e-4, atol=1e-4)
