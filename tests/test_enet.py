"""ElasticNet and Lasso against scikit-learn at tight tolerance, over shapes and input kinds."""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from fastreg import ElasticNet, Lasso

from _helpers import (SHAPES, alpha_max, assert_kkt, assert_objective_close,
                      assert_reported_gap, make_problem, to_dense)

TIGHT = dict(tol=1e-10, max_iter=100_000)
LAYOUTS = {
    "gram": lambda X: (X, dict(precompute=True)),
    "dense": lambda X: (X, dict(precompute=False)),
    "csc": lambda X: (sparse.csc_matrix(X), {}),
}


def sk_fit(X, y, *, alpha, l1_ratio=0.5, sample_weight=None, **kw):
    """scikit-learn's answer, always from dense float64 data."""
    ref = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, **TIGHT, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return ref.fit(to_dense(X).astype(np.float64), np.asarray(y, dtype=np.float64),
                       sample_weight=sample_weight)


def check_against_sklearn(est, X, y, *, sample_weight=None, rtol=1e-7, coef_atol=None, **sk_kw):
    """Objective within rtol of scikit-learn's, coefficients close, KKT at our solution."""
    ref = sk_fit(X, y, alpha=est.alpha, l1_ratio=est.l1_ratio, sample_weight=sample_weight,
                 fit_intercept=est.fit_intercept, positive=est.positive, **sk_kw)
    assert_objective_close(est, ref, X, y, sample_weight=sample_weight, rtol=rtol)
    scale = np.abs(ref.coef_).max() + 1e-12
    atol = coef_atol if coef_atol is not None else 1e-5 * scale
    assert_allclose(est.coef_, ref.coef_, rtol=1e-4, atol=atol)
    assert_allclose(est.intercept_, ref.intercept_, rtol=1e-4, atol=atol * 10)
    assert_kkt(est, X, y, sample_weight=sample_weight)
    if np.ndim(y) == 1:
        assert_reported_gap(est, X, y, sample_weight=sample_weight)
    return ref


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [0.5, 1.0])
@pytest.mark.parametrize("kind", SHAPES)
def test_matches_sklearn(kind, l1_ratio, fit_intercept, layout):
    X, y = make_problem(kind, seed=1)
    alpha = 0.05 * alpha_max(X, y, l1_ratio=l1_ratio, fit_intercept=fit_intercept)
    Xl, kw = LAYOUTS[layout](X)
    est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, **TIGHT, **kw)
    est.fit(Xl, y)
    assert np.count_nonzero(est.coef_) > 0
    # duplicated columns make the lasso solution non-unique: only the objective is unique then
    unique = not (kind == "duplicated" and l1_ratio == 1.0)
    if unique:
        check_against_sklearn(est, X, y)
    else:
        ref = sk_fit(X, y, alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept)
        assert_objective_close(est, ref, X, y)
        assert_kkt(est, X, y)
        # the duplicated pairs' sums are unique
        assert_allclose(est.coef_[:3] + est.coef_[-3:], ref.coef_[:3] + ref.coef_[-3:],
                        atol=1e-5 * np.abs(ref.coef_).max())
    assert isinstance(est.n_iter_, int) and est.n_iter_ >= 1
    assert est.dual_gap_ <= 1e-10 * np.sum((y - fit_intercept * y.mean()) ** 2) / len(y)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", ["p>n", "n>>p"])
def test_lasso_is_l1_ratio_one(kind, layout):
    X, y = make_problem(kind, seed=2)
    alpha = 0.1 * alpha_max(X, y)
    Xl, kw = LAYOUTS[layout](X)
    las = Lasso(alpha=alpha, **TIGHT, **kw).fit(Xl, y)
    enet = ElasticNet(alpha=alpha, l1_ratio=1.0, **TIGHT, **kw).fit(Xl, y)
    assert las.l1_ratio == 1.0
    assert_array_equal(las.coef_, enet.coef_)
    ref = sk.Lasso(alpha=alpha, **TIGHT).fit(X, y)
    assert_objective_close(las, ref, X, y)
    assert_allclose(las.coef_, ref.coef_, atol=1e-6 * np.abs(ref.coef_).max())
    assert_kkt(las, X, y)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kind", ["p>n", "n>>p", "correlated"])
def test_float32_stays_float32(kind, layout):
    X, y = make_problem(kind, seed=3, dtype=np.float32)
    alpha = 0.05 * alpha_max(X, y, l1_ratio=0.7)
    Xl, kw = LAYOUTS[layout](X)
    est = ElasticNet(alpha=alpha, l1_ratio=0.7, tol=1e-6, max_iter=100_000, **kw).fit(Xl, y)
    assert est.coef_.dtype == np.float32
    assert np.asarray(est.intercept_).dtype == np.float32
    assert np.asarray(est.dual_gap_).dtype == np.float32
    assert est.predict(Xl).dtype == np.float32
    assert est.sparse_coef_.dtype == np.float32
    # (tol=1e-7 is out of float32's reach, for scikit-learn too)
    # float32 round-off limits the agreement with scikit-learn's float64 answer
    ref = sk_fit(X, y, alpha=alpha, l1_ratio=0.7)
    assert_objective_close(est, ref, X, y, rtol=1e-5)
    assert_allclose(est.coef_, ref.coef_, rtol=1e-3, atol=1e-3 * np.abs(ref.coef_).max())
    assert_kkt(est, X, y, slack=1e-3)


def test_float32_2d_y_keeps_dtype():
    X, y = make_problem("n>>p", seed=3, dtype=np.float32, n_targets=2)
    est = ElasticNet(alpha=0.1).fit(X, y)
    assert est.coef_.dtype == np.float32
    assert est.intercept_.dtype == np.float32
    assert est.predict(X).dtype == np.float32


@pytest.mark.parametrize("precompute", [False, True])
def test_c_and_f_order_agree(precompute):
    X, y = make_problem("correlated", seed=4)
    alpha = 0.05 * alpha_max(X, y)
    kw = dict(alpha=alpha, precompute=precompute, **TIGHT)
    c = ElasticNet(**kw).fit(np.ascontiguousarray(X), y)
    f = ElasticNet(**kw).fit(np.asfortranarray(X), y)
    assert_allclose(c.coef_, f.coef_, rtol=1e-12, atol=1e-14)
    assert_allclose(c.intercept_, f.intercept_, rtol=1e-12)
    check_against_sklearn(c, X, y)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_c_ordered_tall_data_read_in_place(dtype, weighted):
    """n > p with precompute='auto': the Gram layout reads a C-ordered X as it is (no F copy),
    with the same result as F order and as scikit-learn."""
    X, y = make_problem("n>>p", seed=41, dtype=dtype)
    sw = np.random.default_rng(41).uniform(0, 2, X.shape[0]) if weighted else None
    Xc = np.ascontiguousarray(X)
    before = Xc.copy()
    # float32 cannot reach TIGHT's gap
    kw = dict(alpha=0.02 * alpha_max(X, y), **(TIGHT if dtype == np.float64 else dict(tol=1e-6)))
    c = ElasticNet(**kw).fit(Xc, y, sample_weight=sw)
    f = ElasticNet(**kw).fit(np.asfortranarray(X), y, sample_weight=sw)
    assert_array_equal(Xc, before)
    tol = 1e-10 if dtype == np.float64 else 1e-4
    assert_allclose(c.coef_, f.coef_, rtol=tol, atol=tol)
    assert_allclose(c.intercept_, f.intercept_, rtol=tol, atol=tol)
    if dtype == np.float64:
        check_against_sklearn(c, X, y, sample_weight=sw)


@pytest.mark.parametrize("n_features", [40, 129, 200])
def test_auto_layout_of_one_fit(n_features, monkeypatch):
    """precompute='auto' on n > p data (too small for the lazy Gram layout): the Gram layout
    for at most 128 features, else the dense one (its cost, n p^2, is paid once per fit); a
    path keeps the Gram layout. Same answer as scikit-learn either way, and X untouched."""
    import fastreg
    import fastreg._path
    import fastreg.linear_model._enet as enet_module

    rng = np.random.default_rng(7)
    n = 3 * n_features
    X = rng.standard_normal((n, n_features)) + 0.5 * rng.standard_normal((n, 1))
    y = X[:, :5] @ rng.standard_normal(5) + 0.3 * rng.standard_normal(n)
    kinds = []
    real = enet_module.prepare

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        kinds.append(out[1].kind)
        return out

    monkeypatch.setattr(enet_module, "prepare", spy)
    before = X.copy()
    est = ElasticNet(alpha=0.02 * alpha_max(X, y), **TIGHT).fit(X, y)
    assert kinds == ["gram" if n_features <= 128 else "dense"]
    assert_array_equal(X, before)
    check_against_sklearn(est, X, y)
    assert fastreg._path.single_fit_precompute(X, True) is True  # only 'auto' changes
    assert fastreg._path.single_fit_precompute(sparse.csc_matrix(X), "auto") == "auto"
    _, design = fastreg._path.prepare(X, y, fit_intercept=True)  # (as paths and CV do)
    assert design.kind == "gram"
    # the path functions: a single alpha follows the same rule, a grid keeps the Gram layout
    asked = []
    real_prepare = fastreg._path._prepare_in_memory
    monkeypatch.setattr(fastreg._path, "_prepare_in_memory",
                        lambda *a: asked.append(a[-1]) or real_prepare(*a))
    one = fastreg.lasso_path(X, y, alphas=[est.alpha], tol=1e-10, max_iter=100_000)[1]
    fastreg.lasso_path(X, y, n_alphas=1)
    fastreg.lasso_path(X, y, alphas=1)
    fastreg.lasso_path(X, y, n_alphas=3)
    single = "auto" if n_features <= 128 else False
    assert asked == [single, single, single, "auto"]
    ref = sk.lasso_path(X, y, alphas=[est.alpha], tol=1e-12, max_iter=100_000)[1]
    assert_allclose(one, ref, rtol=0, atol=1e-7 * np.abs(ref).max())


@pytest.mark.parametrize("sw", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("fmt", ["csc", "csr", "coo"])
def test_sparse_equals_dense(fmt, fit_intercept, sw):
    rng = np.random.default_rng(5)
    X, y = make_problem("p>n", seed=5)
    X[rng.random(X.shape) < 0.7] = 0.0  # genuinely sparse, with non-zero column means
    sample_weight = rng.uniform(0, 2, size=len(y)) if sw else None
    alpha = 0.05 * alpha_max(X, y, sample_weight=sample_weight, fit_intercept=fit_intercept)
    kw = dict(alpha=alpha, l1_ratio=0.8, fit_intercept=fit_intercept, **TIGHT)
    Xs = getattr(sparse, f"{fmt}_matrix")(X)
    s = ElasticNet(**kw).fit(Xs, y, sample_weight=sample_weight)
    d = ElasticNet(**kw).fit(X, y, sample_weight=sample_weight)
    assert_allclose(s.coef_, d.coef_, rtol=1e-6, atol=1e-8 * np.abs(d.coef_).max())
    assert_allclose(s.intercept_, d.intercept_, rtol=1e-6, atol=1e-8)
    assert_allclose(s.predict(Xs), d.predict(X), rtol=1e-6, atol=1e-8)
    check_against_sklearn(s, X, y, sample_weight=sample_weight)


def test_sparse_array_input():
    X, y = make_problem("n>>p", seed=6)
    est = ElasticNet(alpha=0.1, **TIGHT).fit(sparse.csr_array(X), y)
    check_against_sklearn(est, X, y)


def test_sparse_fit_does_not_densify(monkeypatch):
    """Fitting sparse X (with an intercept) must never build the dense matrix."""
    X, y = make_problem("p>n", seed=6)
    Xs = sparse.csc_matrix(X)

    def refuse(*args, **kwargs):
        raise AssertionError("sparse X was densified")

    for cls in (sparse.csc_matrix, sparse.csr_matrix, sparse.coo_matrix):
        monkeypatch.setattr(cls, "toarray", refuse)
        monkeypatch.setattr(cls, "todense", refuse)
    est = ElasticNet(alpha=0.1, precompute=False, **TIGHT).fit(Xs, y)
    monkeypatch.undo()
    check_against_sklearn(est, X, y)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("kind", ["p>n", "n>>p"])
def test_sample_weight_with_zeros(kind, fit_intercept, layout):
    X, y = make_problem(kind, seed=7)
    rng = np.random.default_rng(7)
    sw = rng.uniform(0.2, 3, size=len(y))
    sw[::4] = 0.0
    alpha = 0.05 * alpha_max(X, y, sample_weight=sw, fit_intercept=fit_intercept, l1_ratio=0.6)
    Xl, kw = LAYOUTS[layout](X)
    est = ElasticNet(alpha=alpha, l1_ratio=0.6, fit_intercept=fit_intercept, **TIGHT, **kw)
    est.fit(Xl, y, sample_weight=sw)
    check_against_sklearn(est, X, y, sample_weight=sw)
    # zero-weight rows do not matter at all: dropping them gives the same model
    keep = sw > 0
    dropped = clone(est).fit(X[keep], y[keep], sample_weight=sw[keep])
    assert_allclose(est.coef_, dropped.coef_, rtol=1e-6, atol=1e-8 * np.abs(est.coef_).max())
    assert_allclose(est.intercept_, dropped.intercept_, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_integer_sample_weight_is_row_repetition(layout):
    X, y = make_problem("n>>p", seed=8)
    X, y = X[:40], y[:40]
    sw = np.random.default_rng(8).integers(0, 4, size=len(y))
    sw[0] = 2
    alpha = 0.05 * alpha_max(X, y, sample_weight=sw)
    Xl, kw = LAYOUTS[layout](X)
    weighted = ElasticNet(alpha=alpha, **TIGHT, **kw).fit(Xl, y, sample_weight=sw)
    Xr, yr = np.repeat(X, sw, axis=0), np.repeat(y, sw)
    Xrl, _ = LAYOUTS[layout](Xr)
    repeated = ElasticNet(alpha=alpha, **TIGHT, **kw).fit(Xrl, yr)
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-6, atol=1e-8 * np.abs(repeated.coef_).max())
    assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-6)


def test_scalar_sample_weight_is_unweighted():
    X, y = make_problem("n>>p", seed=8)
    a = ElasticNet(alpha=0.1, **TIGHT).fit(X, y, sample_weight=3.0)
    b = ElasticNet(alpha=0.1, **TIGHT).fit(X, y)
    assert_allclose(a.coef_, b.coef_, rtol=1e-10)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("l1_ratio", [0.5, 1.0])
def test_positive(l1_ratio, layout):
    X, y = make_problem("p>n", seed=9)
    y = y - 3 * X[:, 5]  # a strongly negative feature that positive=True must keep at zero
    alpha = 0.02 * alpha_max(X, y, l1_ratio=l1_ratio)
    Xl, kw = LAYOUTS[layout](X)
    est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, positive=True, **TIGHT, **kw).fit(Xl, y)
    assert np.all(est.coef_ >= 0)
    assert est.coef_[5] == 0
    check_against_sklearn(est, X, y)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_2d_y(fit_intercept, layout):
    X, Y = make_problem("p>n", seed=10, n_targets=3)
    alpha = 0.3
    Xl, kw = LAYOUTS[layout](X)
    est = ElasticNet(alpha=alpha, fit_intercept=fit_intercept, **TIGHT, **kw).fit(Xl, Y)
    assert est.coef_.shape == (3, X.shape[1])
    assert est.intercept_.shape == (3,)
    assert np.shape(est.dual_gap_) == (3,)
    assert isinstance(est.n_iter_, list) and len(est.n_iter_) == 3
    assert est.predict(Xl).shape == Y.shape
    assert est.sparse_coef_.shape == (3, X.shape[1])
    check_against_sklearn(est, X, Y)
    for k in range(3):  # each target is the 1-D fit of that column
        one = ElasticNet(alpha=alpha, fit_intercept=fit_intercept, **TIGHT, **kw).fit(Xl, Y[:, k])
        # both are solutions at TIGHT's gap, not bit-identical runs: X^T Y (gemm) and X^T y (gemv)
        # round differently and the accelerated solver's trajectory follows the rounding
        assert_allclose(est.coef_[k], one.coef_, rtol=1e-8, atol=1e-9)
        assert_allclose(est.intercept_[k], one.intercept_, rtol=1e-8, atol=1e-12)
    # a single-column 2-D y stays 2-D
    col = ElasticNet(alpha=alpha, fit_intercept=fit_intercept, **TIGHT, **kw).fit(Xl, Y[:, :1])
    assert col.coef_.shape == (1, X.shape[1])


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_precompute_gram_array(fit_intercept):
    X, y = make_problem("n>>p", seed=11)
    Xf = np.asfortranarray(X)
    G = Xf.T @ Xf
    alpha = 0.05 * alpha_max(X, y, fit_intercept=fit_intercept)
    est = ElasticNet(alpha=alpha, precompute=G, fit_intercept=fit_intercept, **TIGHT)
    if fit_intercept:  # the given Gram is of uncentered X: it must be recomputed, with a warning
        with pytest.warns(UserWarning, match="Gram matrix"):
            est.fit(Xf, y)
    else:
        est.fit(Xf, y)
    check_against_sklearn(est, X, y)
    for precompute in (False, True, "auto"):
        other = ElasticNet(alpha=alpha, precompute=precompute, fit_intercept=fit_intercept, **TIGHT)
        other.fit(X, y)
        assert_allclose(other.coef_, est.coef_, rtol=1e-6, atol=1e-9)


def test_precompute_gram_wrong_shape_or_values():
    X, y = make_problem("n>>p", seed=11)
    with pytest.raises(ValueError, match="precompute"):
        ElasticNet(precompute=np.eye(3), fit_intercept=False).fit(X, y)
    with pytest.raises(ValueError, match="Gram matrix passed in via 'precompute' parameter did not"):
        ElasticNet(precompute=2 * X.T @ X, fit_intercept=False).fit(X, y)
    with pytest.raises(ValueError, match="Gram matrix passed in via 'precompute' parameter did not"):
        ElasticNet(precompute=X.T @ X, fit_intercept=False).fit(sparse.csc_matrix(2 * X), y)
    # a Gram computed in float64 is accepted for float32 data
    X32 = X.astype(np.float32)
    est = ElasticNet(precompute=X.T @ X, fit_intercept=False, alpha=0.1).fit(X32, y)
    assert est.coef_.dtype == np.float32


def test_warm_start_with_other_shapes():
    X, y = make_problem("p>n", seed=13, n_targets=2)
    est = ElasticNet(alpha=0.5, warm_start=True).fit(X, y[:, 0])
    with pytest.raises(ValueError, match="coef_init has shape"):
        est.fit(X[:, :10], y[:, 0])  # fewer features: the kernels must never see the old coef_
    with pytest.raises(ValueError, match="coef_init has shape"):
        est.fit(X, y)  # 1-D fit, then 2-D y
    est = ElasticNet(alpha=0.5).fit(X, y[:, 0])
    est.fit(X[:, :10], y[:, 0])  # without warm_start any shape is fine
    assert est.coef_.shape == (10,)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_selection_random(layout):
    X, y = make_problem("correlated", seed=12)
    alpha = 0.05 * alpha_max(X, y, l1_ratio=0.5)
    Xl, kw = LAYOUTS[layout](X)
    est = ElasticNet(alpha=alpha, selection="random", random_state=0, **TIGHT, **kw).fit(Xl, y)
    check_against_sklearn(est, X, y, selection="random", random_state=0)
    again = ElasticNet(alpha=alpha, selection="random", random_state=0, **TIGHT, **kw).fit(Xl, y)
    assert_array_equal(est.coef_, again.coef_)  # reproducible with a seed


@pytest.mark.parametrize("layout", LAYOUTS)
def test_warm_start(layout):
    X, y = make_problem("p>n", seed=13)
    amax = alpha_max(X, y)
    Xl, kw = LAYOUTS[layout](X)
    est = ElasticNet(alpha=0.1 * amax, warm_start=True, **TIGHT, **kw).fit(Xl, y)
    coef = est.coef_.copy()
    est.fit(Xl, y)  # already optimal: the first gap check stops it
    assert est.n_iter_ == 0
    assert_allclose(est.coef_, coef)
    est.set_params(alpha=0.05 * amax).fit(Xl, y)
    cold = ElasticNet(alpha=0.05 * amax, **TIGHT, **kw).fit(Xl, y)
    assert_allclose(est.coef_, cold.coef_, rtol=1e-6, atol=1e-8 * np.abs(cold.coef_).max())
    assert est.n_iter_ <= cold.n_iter_
    check_against_sklearn(est, X, y)
    # without warm_start a refit does not reuse coef_
    est2 = clone(est).set_params(warm_start=False).fit(Xl, y)
    assert est2.n_iter_ == cold.n_iter_


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("sw", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_alpha_max_gives_zero(fit_intercept, sw, positive, layout):
    X, y = make_problem("p>n", seed=14)
    sample_weight = np.random.default_rng(14).uniform(0, 2, size=len(y)) if sw else None
    l1_ratio = 0.7
    amax = alpha_max(X, y, l1_ratio=l1_ratio, sample_weight=sample_weight,
                     fit_intercept=fit_intercept, positive=positive)
    Xl, kw = LAYOUTS[layout](X)
    for alpha in (amax * (1 + 1e-9), 2 * amax):
        est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                         positive=positive, **TIGHT, **kw).fit(Xl, y, sample_weight=sample_weight)
        assert_array_equal(est.coef_, 0)
        expected = np.average(y, weights=sample_weight) if fit_intercept else 0.0
        assert_allclose(est.intercept_, expected, rtol=1e-12)
    below = ElasticNet(alpha=0.99 * amax, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                       positive=positive, **TIGHT, **kw).fit(Xl, y, sample_weight=sample_weight)
    assert np.count_nonzero(below.coef_) >= 1
    assert_kkt(below, X, y, sample_weight=sample_weight)


def test_constant_y_and_constant_columns():
    X, y = make_problem("n>>p", seed=15)
    X[:, 2] = 4.0  # constant column: zero after centering
    est = ElasticNet(alpha=0.01, **TIGHT).fit(X, y)
    assert est.coef_[2] == 0
    check_against_sklearn(est, X, y)
    flat = ElasticNet(alpha=0.01, **TIGHT).fit(X, np.full(len(y), 2.5))
    assert_array_equal(flat.coef_, 0)
    assert flat.intercept_ == pytest.approx(2.5)


def test_convergence_warning_states_gap():
    X, y = make_problem("correlated", seed=16)
    est = ElasticNet(alpha=1e-4, max_iter=2, tol=1e-12)
    with pytest.warns(ConvergenceWarning, match=r"Duality gap: \d.*tolerance: \d"):
        est.fit(X, y)
    assert est.n_iter_ == 2
    assert est.dual_gap_ > 1e-12 * np.sum((y - y.mean()) ** 2) / len(y)
    assert_reported_gap(est, X, y)  # the gap of the returned (unconverged) coefficients
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ElasticNet(alpha=1e-2, tol=1e-4).fit(X, y)  # a reachable tolerance: no warning


def test_alpha_zero_warns():
    X, y = make_problem("n>>p", seed=16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.warns(UserWarning, match="alpha=0"):
            est = ElasticNet(alpha=0.0, tol=1e-12, max_iter=20_000).fit(X, y)
    ols = np.linalg.lstsq(np.c_[X, np.ones(len(y))], y, rcond=None)[0]
    assert_allclose(est.coef_, ols[:-1], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("sw", [False, True])
@pytest.mark.parametrize("fmt", ["dense_c", "dense_f", "dense32", "csc", "csr", "coo"])
def test_copy_X_never_modifies_inputs(fmt, sw):
    X, y = make_problem("p>n", seed=17, dtype=np.float32 if fmt == "dense32" else np.float64)
    X[::3, ::2] = 0.0
    Xin = {"dense_c": lambda: np.ascontiguousarray(X), "dense_f": lambda: np.asfortranarray(X),
           "dense32": lambda: X.copy(), "csc": lambda: sparse.csc_matrix(X),
           "csr": lambda: sparse.csr_matrix(X), "coo": lambda: sparse.coo_matrix(X)}[fmt]()
    if sparse.issparse(Xin):
        Xin.has_sorted_indices = False  # noqa: the validation may sort indices: not on our copy
    weights = np.random.default_rng(17).uniform(0, 2, size=len(y)) if sw else None
    before = (to_dense(Xin).copy(), y.copy(), None if weights is None else weights.copy())
    data_before = Xin.data.copy() if sparse.issparse(Xin) else None
    for precompute in ("auto", True, False):
        ElasticNet(alpha=0.1, precompute=precompute).fit(Xin, y, sample_weight=weights)
        assert_array_equal(to_dense(Xin), before[0])
        assert_array_equal(y, before[1])
        if sw:
            assert_array_equal(weights, before[2])
        if data_before is not None:
            assert_array_equal(Xin.data, data_before)


@pytest.mark.parametrize("layout", ["gram", "dense", "csc"])
def test_read_only_inputs(layout):
    X, y = make_problem("n>>p", seed=18)
    Xl, kw = LAYOUTS[layout](X.copy())
    sw = np.random.default_rng(18).uniform(0.5, 1.5, size=len(y))
    arrays = [y, sw] + ([Xl.data, Xl.indices, Xl.indptr] if sparse.issparse(Xl) else [Xl])
    for a in arrays:
        a.setflags(write=False)
    for copy_X in (True, False):
        est = ElasticNet(alpha=0.1, copy_X=copy_X, **TIGHT, **kw).fit(Xl, y, sample_weight=sw)
        check_against_sklearn(est, X, y, sample_weight=sw)
    est.predict(Xl)


def test_memmap_input(tmp_path):
    X, y = make_problem("n>>p", seed=19)
    fx = np.memmap(tmp_path / "X.dat", dtype=np.float64, mode="w+", shape=X.shape, order="F")
    fx[:] = X
    fx.flush()
    Xm = np.memmap(tmp_path / "X.dat", dtype=np.float64, mode="r", shape=X.shape, order="F")
    ym = np.memmap(tmp_path / "y.dat", dtype=np.float64, mode="w+", shape=y.shape)
    ym[:] = y
    for precompute in (True, False):
        for copy_X in (True, False):
            est = ElasticNet(alpha=0.1, precompute=precompute, copy_X=copy_X, **TIGHT).fit(Xm, ym)
            check_against_sklearn(est, X, y)
    assert_array_equal(np.asarray(Xm), X)


def test_check_input_false():
    X, y = make_problem("p>n", seed=20)
    Xf = np.asfortranarray(X)
    a = ElasticNet(alpha=0.1, **TIGHT).fit(Xf, y, check_input=False)
    b = ElasticNet(alpha=0.1, **TIGHT).fit(Xf, y)
    assert_allclose(a.coef_, b.coef_)
    s = ElasticNet(alpha=0.1, **TIGHT).fit(sparse.csr_matrix(X), y, check_input=False)
    assert_allclose(s.coef_, b.coef_, rtol=1e-6, atol=1e-9)


def test_pickle_clone_predict_score():
    X, y = make_problem("n>>p", seed=21)
    est = ElasticNet(alpha=0.05, l1_ratio=0.3).fit(X, y)
    back = pickle.loads(pickle.dumps(est))
    assert_array_equal(back.coef_, est.coef_)
    assert_array_equal(back.predict(X), est.predict(X))
    assert_allclose(est.predict(X), X @ est.coef_ + est.intercept_)
    ref = sk_fit(X, y, alpha=0.05, l1_ratio=0.3)
    assert est.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-6)
    c = clone(est)
    assert c.get_params() == est.get_params()
    assert not hasattr(c, "coef_")
    assert Lasso(alpha=2.0).get_params()["alpha"] == 2.0
    assert "l1_ratio" not in Lasso().get_params()


def test_pipeline_and_grid_search():
    X, y = make_problem("n>>p", seed=22)
    pipe = make_pipeline(StandardScaler(), ElasticNet(**TIGHT))
    grid = GridSearchCV(pipe, {"elasticnet__alpha": [0.01, 0.1, 1.0],
                               "elasticnet__l1_ratio": [0.2, 0.9]}, cv=3).fit(X, y)
    sk_pipe = make_pipeline(StandardScaler(), sk.ElasticNet(**TIGHT))
    sk_grid = GridSearchCV(sk_pipe, {"elasticnet__alpha": [0.01, 0.1, 1.0],
                                     "elasticnet__l1_ratio": [0.2, 0.9]}, cv=3).fit(X, y)
    assert grid.best_params_ == sk_grid.best_params_
    assert_allclose(grid.cv_results_["mean_test_score"], sk_grid.cv_results_["mean_test_score"],
                    rtol=1e-6)
    assert_allclose(grid.predict(X), sk_grid.predict(X), rtol=1e-6)


def test_sparse_coef():
    X, y = make_problem("p>n", seed=23)
    est = Lasso(alpha=0.3).fit(X, y)
    sc = est.sparse_coef_
    assert sparse.issparse(sc)
    assert sc.shape == (1, X.shape[1])
    assert_array_equal(sc.toarray().ravel(), est.coef_)
    assert sc.nnz == np.count_nonzero(est.coef_)


def test_n_features_in_and_feature_names():
    X, y = make_problem("n>>p", seed=24)
    est = ElasticNet(alpha=0.1).fit(X, y)
    assert est.n_features_in_ == X.shape[1]
    assert not hasattr(est, "feature_names_in_")
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    est.fit(df, y)
    assert_array_equal(est.feature_names_in_, df.columns)
    with pytest.warns(UserWarning, match="feature names"):
        assert_allclose(est.predict(df), est.predict(X))
    with pytest.raises(ValueError, match="feature names"):
        est.predict(df[df.columns[::-1]])


@pytest.mark.parametrize("sw", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_sparse_with_gram(fit_intercept, sw):
    """precompute=True on sparse X: the Gram of the implicitly centered, weighted design."""
    X, y = make_problem("n>>p", seed=25)
    X[np.random.default_rng(25).random(X.shape) < 0.6] = 0.0
    weights = np.random.default_rng(25).uniform(0, 2, size=len(y)) if sw else None
    alpha = 0.05 * alpha_max(X, y, l1_ratio=0.5, sample_weight=weights, fit_intercept=fit_intercept)
    est = ElasticNet(alpha=alpha, precompute=True, fit_intercept=fit_intercept, **TIGHT)
    est.fit(sparse.csr_matrix(X), y, sample_weight=weights)
    check_against_sklearn(est, X, y, sample_weight=weights)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("sw", [False, True])
def test_l1_ratio_zero_is_ridge(layout, sw):
    """l1_ratio=0: a ridge, with the closed form (Xc^T S Xc + n alpha I) w = Xc^T S yc."""
    X, y = make_problem("n>>p", seed=26)
    weights = np.random.default_rng(26).uniform(0, 2, size=len(y)) if sw else None
    Xl, kw = LAYOUTS[layout](X)
    est = ElasticNet(alpha=0.3, l1_ratio=0.0, **TIGHT, **kw).fit(Xl, y, sample_weight=weights)
    s = np.ones(len(y)) if weights is None else weights * len(y) / weights.sum()
    Xc = X - np.average(X, axis=0, weights=s)
    yc = y - np.average(y, weights=s)
    w = np.linalg.solve(Xc.T @ (s[:, None] * Xc) + len(y) * 0.3 * np.eye(X.shape[1]), Xc.T @ (s * yc))
    assert_allclose(est.coef_, w, rtol=1e-6, atol=1e-9)
    check_against_sklearn(est, X, y, sample_weight=weights)
    with pytest.warns(ConvergenceWarning):
        early = ElasticNet(alpha=0.3, l1_ratio=0.0, max_iter=1, tol=1e-14, **kw).fit(Xl, y)
    assert_reported_gap(early, X, y)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_2d_y_with_sample_weight(layout):
    X, Y = make_problem("n>>p", seed=27, n_targets=2)
    weights = np.random.default_rng(27).uniform(0, 2, size=len(Y))
    weights[::5] = 0.0
    Xl, kw = LAYOUTS[layout](X)
    est = ElasticNet(alpha=0.05, l1_ratio=0.8, **TIGHT, **kw).fit(Xl, Y, sample_weight=weights)
    check_against_sklearn(est, X, Y, sample_weight=weights)
    for k in range(2):
        one = ElasticNet(alpha=0.05, l1_ratio=0.8, **TIGHT, **kw).fit(Xl, Y[:, k], sample_weight=weights)
        assert_allclose(est.coef_[k], one.coef_, rtol=1e-8, atol=1e-12)
        assert_allclose(est.intercept_[k], one.intercept_, rtol=1e-8)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_penalty_factor_is_column_rescaling(layout):
    """Lasso with penalty factors pf = scikit-learn's Lasso on X / pf, coefficients divided by pf."""
    X, y = make_problem("p>n", seed=28)
    pf = np.random.default_rng(28).uniform(0.3, 3, size=X.shape[1])
    Xl, kw = LAYOUTS[layout](X)
    alpha = 0.05 * alpha_max(X / pf, y)
    est = Lasso(alpha=alpha, penalty_factor=pf, **TIGHT, **kw).fit(Xl, y)
    ref = sk.Lasso(alpha=alpha, **TIGHT).fit(X / pf, y)
    assert_allclose(est.coef_, ref.coef_ / pf, rtol=1e-5, atol=1e-7 * np.abs(ref.coef_).max())
    assert_allclose(est.intercept_, ref.intercept_, rtol=1e-6)
    # pf = 0 leaves a feature unpenalized: it enters even at a huge alpha
    pf0 = np.ones(X.shape[1])
    pf0[3] = 0.0
    big = Lasso(alpha=1e3, penalty_factor=pf0, **TIGHT, **kw).fit(Xl, y)
    assert np.flatnonzero(big.coef_).tolist() == [3]
    Xc, yc = X[:, 3] - X[:, 3].mean(), y - y.mean()
    assert big.coef_[3] == pytest.approx(Xc @ yc / (Xc @ Xc), rel=1e-6)
