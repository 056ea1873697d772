"""The lazy Gram layout of single fits on n > p data (``fastreg._path.LazyGram``): its first pass
(``gram_columns``), its later columns, and fits that match scikit-learn and the full Gram layout."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

import fastreg._path as path_module
import fastreg._preprocess as pre
from fastreg import ElasticNet, Lasso, lasso_path
from fastreg._path import LAZY_FIRST_COLUMNS, LazyGram, prepare
from fastreg._preprocess import centered_columns, gram_columns

from _helpers import alpha_max
from test_enet import TIGHT, check_against_sklearn, sk_fit


@pytest.fixture(autouse=True)
def _lazy_for_small_data(monkeypatch):
    """The lazy layout for these tests' small problems (below LAZY_MIN_WORK, 'auto' keeps the
    whole Gram matrix there; test_layout_rule checks the rule itself)."""
    monkeypatch.setattr(path_module, "LAZY_MIN_WORK", 0)


def _explicit(X, y, sw, center):
    """Float64 means, centered and scaled Z, z (the reference)."""
    n = X.shape[0]
    w = np.ones(n) if sw is None else sw
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    mx = np.average(X64, axis=0, weights=w) if center else np.zeros(X.shape[1])
    my = np.average(y64, weights=w) if center else 0.0
    Z = np.sqrt(w)[:, None] * (X64 - mx)
    z = np.sqrt(w) * (y64 - my)
    return mx, my, Z, z


def _data(n, p, dtype, order, offset, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 3, p) + offset
    X[:, 1] = np.linspace(-3, 3, n) + offset  # a trend: the sampled rows must span it
    y = X[:, :4] @ np.array([1.0, -2.0, 0.5, 3.0])[:min(p, 4)] + rng.standard_normal(n)
    return np.asarray(X, dtype=dtype, order=order), y.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["F", "C"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("shape", [(9000, 37), (600, 5), (3, 2)])
def test_first_pass_matches_explicit(dtype, order, weighted, center, shape):
    """Means, ||Z_j||^2, Z^T z, ||z||^2 and the first columns, with offsets 1000x the spread
    (the estimated means must be moved onto the true ones without cancellation); n = 9000 is
    past the row sample, so the offsets are only estimates there."""
    n, p = shape
    X, y = _data(n, p, dtype, order, offset=1000.0 if center else 0.0)
    rng = np.random.default_rng(1)
    sw = rng.uniform(0, 2, n) if weighted else None
    if weighted and n > 100:
        sw[:50] = 0.0
    means, col_norm2, Zty, yy, cols, G = gram_columns(X, y, 14, sample_weight=sw, center=center)
    mx, my, Z, z = _explicit(X, y, sw, center)
    # X's own rounding: what any centering of X in its dtype loses
    eps = 1e-12 if dtype == np.float64 else 1e-5
    assert cols.size == min(14, p) and np.all(np.diff(cols) > 0)
    assert_allclose(means[:p], mx, rtol=eps, atol=eps * 1000)
    assert_allclose(means[p], my, rtol=eps, atol=eps * 1000)
    assert_allclose(col_norm2, (Z * Z).sum(axis=0), rtol=10 * eps)
    ref_zty = Z.T @ z
    assert_allclose(Zty, ref_zty, rtol=0, atol=10 * eps * np.sqrt(col_norm2 * (z @ z)).max())
    assert_allclose(yy, z @ z, rtol=10 * eps)
    ref_G = Z.T @ Z[:, cols]
    assert_allclose(G, ref_G, rtol=0, atol=10 * eps * col_norm2.max())
    if n <= 4096:  # every row is in the sample: the columns of the largest |Z^T z|
        top = np.sort(np.argsort(-np.abs(ref_zty), kind="stable")[:cols.size])
        assert_array_equal(np.sort(np.abs(ref_zty)[cols]), np.sort(np.abs(ref_zty)[top]))


@pytest.mark.parametrize("threads", [1, 3])
def test_first_pass_in_threads(threads, monkeypatch):
    """The row ranges of threads are summed: the same statistics."""
    X, y = _data(5000, 20, np.float64, "F", offset=50.0)
    one = gram_columns(X, y, 6)
    monkeypatch.setattr(pre, "_scatter_threads", lambda work: threads)
    split = gram_columns(X, y, 6)
    for a, b in zip(one, split):
        assert_allclose(a, b, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_columns_and_the_rest(dtype, weighted):
    """LazyGram: columns on request, each add one pass; once new columns would cost as much
    as all the unknown ones, those are computed among themselves by half the products."""
    X, y = _data(3000, 60, dtype, "C", offset=5.0)
    rng = np.random.default_rng(2)
    sw = rng.uniform(0, 2, 3000) if weighted else None
    mx, _, Z, _ = _explicit(X, y, sw, True)
    sqrt_w = None if sw is None else np.sqrt(sw).astype(dtype)
    gram = LazyGram(X, mx.astype(dtype), sqrt_w)
    ref = Z.T @ Z
    tol = (1e-12 if dtype == np.float64 else 1e-5) * np.abs(ref).max()
    assert_allclose(gram.columns([7, 3]), ref[:, [7, 3]], rtol=0, atol=tol)
    assert gram.n_passes == 1 and gram.features.size == 2
    gram.add([3, 7, 7])  # known: no pass
    assert gram.n_passes == 1
    gram.add(np.arange(10, 20))  # 10 * 60 < 48^2 / 2: columns
    assert gram.n_passes == 2 and gram.features.size == 12
    gram.add(np.arange(20, 40))  # 20 * 60 >= 48^2 / 2: the rest
    assert gram.n_passes == 3 and gram.features.size == 60
    assert_allclose(gram.columns(np.arange(60)), ref, rtol=0, atol=tol)
    assert gram.n_passes == 3
    upper = centered_columns(X, np.array([5, 0, 9]), mx.astype(dtype), sqrt_w, upper=True)
    assert_allclose(upper, ref[np.ix_([5, 0, 9], [5, 0, 9])], rtol=0, atol=tol)


def _spy_designs(monkeypatch):
    import fastreg.linear_model._enet as enet_module

    designs = []
    real = enet_module.prepare

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        designs.append(out[1])
        return out

    monkeypatch.setattr(enet_module, "prepare", spy)
    return designs


def _tall(n=2000, p=100, k=30, seed=3, rho=0.5):
    """Toeplitz(rho) design with k true features spread over the columns."""
    rng = np.random.default_rng(seed)
    X = np.empty((n, p), order="F")
    X[:, 0] = rng.standard_normal(n)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho * rho) * rng.standard_normal(n)
    beta = np.zeros(p)
    beta[np.linspace(0, p - 1, k).astype(int)] = rng.choice([-1, 1], k) * rng.uniform(1, 2, k)
    y = X @ beta + 2.0 * rng.standard_normal(n)
    return X + 3.0, y


@pytest.mark.parametrize("ratio", [0.7, 0.05, 0.005])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_fits_match_sklearn_and_the_full_gram(ratio, l1_ratio, dtype, weighted, monkeypatch):
    """From a support inside the first columns (0.7 alpha_max) to ones that need more passes,
    and the whole matrix (alpha_max / 200): scikit-learn's answer, the full Gram layout's
    answer, X untouched. float32 fits stop at tol=1e-6, which float32 reaches (1e-10 is below
    its round-off: both layouts then warn and return their best point), without a warning and
    at scikit-learn's float64 solution."""
    X64, y64 = _tall()
    rng = np.random.default_rng(4)
    sw = rng.uniform(0, 2, X64.shape[0]) if weighted else None
    X, y = X64.astype(dtype), y64.astype(dtype)
    alpha = ratio * alpha_max(X, y, l1_ratio=l1_ratio, sample_weight=sw)
    designs = _spy_designs(monkeypatch)
    before = X.copy()
    opts = TIGHT if dtype == np.float64 else dict(tol=1e-6, max_iter=TIGHT["max_iter"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, **opts).fit(X, y, sample_weight=sw)
        assert designs[0].kind == "lazy"
        gram = designs[0].data
        assert_array_equal(X, before)
        full = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, precompute=True, **opts)
        full.fit(X, y, sample_weight=sw)
    assert designs[1].kind == "gram"
    if dtype == np.float64:
        check_against_sklearn(est, X, y, sample_weight=sw)
        assert_allclose(est.coef_, full.coef_, rtol=1e-6, atol=1e-8 * np.abs(full.coef_).max())
    else:
        ref = sk_fit(X64, y64, alpha=alpha, l1_ratio=l1_ratio, sample_weight=sw)
        scale = np.abs(ref.coef_).max()
        for fit in (est, full):  # (measured: within 3e-6 of the scale)
            assert_allclose(fit.coef_, ref.coef_, rtol=0, atol=2e-5 * scale)
    nnz = np.count_nonzero(est.coef_)
    if ratio == 0.7:  # the support is among the first columns: no other pass
        assert nnz <= LAZY_FIRST_COLUMNS and gram.n_passes == 0
    else:
        assert nnz > LAZY_FIRST_COLUMNS and gram.n_passes >= 1


def test_a_support_outside_the_first_columns_grows_by_columns(monkeypatch):
    """128 features and a support of 24: the first 14 columns miss part of it, and the next
    pass adds the violators' columns (not the whole matrix). Same answer as scikit-learn."""
    X, y = _tall(n=3000, p=128, k=24, seed=5, rho=0.3)
    designs = _spy_designs(monkeypatch)
    est = Lasso(alpha=0.2 * alpha_max(X, y), **TIGHT).fit(X, y)
    gram = designs[0].data
    assert np.count_nonzero(est.coef_) > LAZY_FIRST_COLUMNS
    assert gram.n_passes >= 1 and LAZY_FIRST_COLUMNS < gram.features.size < 128
    check_against_sklearn(est, X, y)


@pytest.mark.parametrize("positive", [False, True])
def test_unpenalized_features_positive_and_warm_start(positive, monkeypatch):
    """Penalty factors with zeros (their columns join first), positivity, and a warm start
    whose support is outside the first columns."""
    X, y = _tall(p=60, k=12)
    pf = np.ones(60)
    pf[[5, 40]] = 0.0
    alpha = 0.05 * alpha_max(X, y)
    est = Lasso(alpha=alpha, penalty_factor=pf, positive=positive, **TIGHT).fit(X, y)
    ref = Lasso(alpha=alpha, penalty_factor=pf, positive=positive, precompute=True,
                **TIGHT).fit(X, y)
    assert np.all(est.coef_[[5, 40]] != 0.0) or positive
    assert_allclose(est.coef_, ref.coef_, rtol=1e-6, atol=1e-9)
    if not positive:
        check_against_sklearn(Lasso(alpha=alpha, positive=False, **TIGHT).fit(X, y), X, y)
    warm = Lasso(alpha=alpha, warm_start=True, **TIGHT)
    warm.coef_ = np.zeros(60)
    warm.coef_[[50, 55, 59]] = 1.0
    warm.fit(X, y)
    check_against_sklearn(warm, X, y)


def test_ridge_corner_and_zero_solution(monkeypatch):
    """l1_ratio=0 (every feature active: the whole matrix at once) and alpha >= alpha_max."""
    X, y = _tall(p=40, k=8)
    designs = _spy_designs(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ridge = ElasticNet(alpha=0.1, l1_ratio=0.0, **TIGHT).fit(X, y)
    assert designs[0].data.features.size == 40
    ref = ElasticNet(alpha=0.1, l1_ratio=0.0, precompute=True, **TIGHT).fit(X, y)
    assert_allclose(ridge.coef_, ref.coef_, rtol=1e-8)
    zero = Lasso(alpha=1.01 * alpha_max(X, y)).fit(X, y)
    assert not np.any(zero.coef_) and zero.n_iter_ == 0
    assert_allclose(zero.intercept_, y.mean())


def test_non_convergence_warns_with_the_full_gap():
    X, y = _tall(p=100, k=30)
    with pytest.warns(ConvergenceWarning, match="Duality gap"):
        est = Lasso(alpha=0.002 * alpha_max(X, y), tol=1e-12, max_iter=3).fit(X, y)
    assert est.n_iter_ <= 3 + 1
    assert est.dual_gap_ > 1e-12 * np.sum((y - y.mean()) ** 2) / len(y)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("row", [0, 1500])
def test_non_finite_x_is_an_error(bad, row):
    """The first pass is the finite check: NaN or infinity anywhere (also on a zero-weight
    row, or outside the sampled rows) raises scikit-learn's error."""
    X, y = _tall(n=9000, p=30, k=5)
    X[row, 7] = bad
    sw = np.ones(9000)
    sw[row] = 0.0
    for kw in ({}, {"sample_weight": sw}):
        with pytest.raises(ValueError, match="X"):
            Lasso(alpha=0.1).fit(X, y, **kw)


def test_two_targets_and_paths_keep_the_full_gram():
    X, y = _tall(p=30, k=5)
    _, design = prepare(X, np.column_stack([y, -y]), fit_intercept=True, precompute="lazy")
    assert design.kind == "gram"
    _, design = prepare(X, y, fit_intercept=True)  # paths and CV: 'auto'
    assert design.kind == "gram"
    one = lasso_path(X, y, alphas=[0.05 * alpha_max(X, y)], tol=1e-10)[1]
    grid = lasso_path(X, y, alphas=[0.05 * alpha_max(X, y), 0.01], tol=1e-10)[1]
    assert_allclose(one[:, 0], grid[:, 0], rtol=1e-7, atol=1e-10)
    assert path_module.single_fit_precompute(X, "auto") == "lazy"  # (LAZY_MIN_WORK is 0 here)


def test_layout_rule(monkeypatch):
    """The lazy layout from n p^2 = 1e9 on: up to 128 features (the whole Gram matrix
    below), or past them with at least 50 samples per feature and at most 512 features (the
    dense layout otherwise). The lazy fit matches sklearn."""
    shape = lambda n, p: np.broadcast_to(np.float64(0), (n, p))  # noqa: E731 (only .shape read)
    monkeypatch.setattr(path_module, "LAZY_MIN_WORK", 1e9)
    assert path_module.single_fit_precompute(shape(100_000, 100), "auto") == "lazy"
    assert path_module.single_fit_precompute(shape(99_999, 100), "auto") == "auto"
    assert path_module.single_fit_precompute(shape(50_000, 150), "auto") == "lazy"
    assert path_module.single_fit_precompute(shape(40_000, 150), "auto") is False  # n p^2
    assert path_module.single_fit_precompute(shape(24_999, 500), "auto") is False  # n / p
    assert path_module.single_fit_precompute(shape(50 * 513, 513), "auto") is False
    assert path_module.single_fit_precompute(shape(300, 128), "auto") == "auto"
    monkeypatch.setattr(path_module, "LAZY_MIN_WORK", 0)
    X, y = _tall(n=7500, p=150, k=8, seed=6)
    designs = _spy_designs(monkeypatch)
    est = Lasso(alpha=0.01 * alpha_max(X, y), **TIGHT).fit(X, y)
    assert designs[0].kind == "lazy"
    check_against_sklearn(est, X, y)
