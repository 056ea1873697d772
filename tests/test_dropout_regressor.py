import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastreg import DropoutRegressor
from fastreg.linear_model._dropout import marginalized_dropout_penalty


def _data(n, p, dtype=np.float64, seed=0, offset=1.0):
    rng = np.random.default_rng(seed)
    X = (rng.standard_normal((n, p)) + offset).astype(dtype)
    y = (X @ rng.standard_normal(p) + 0.3 * rng.standard_normal(n) + 2.0).astype(dtype)
    return X, y


@pytest.mark.parametrize("shape", [(60, 5), (20, 40), (200, 3)])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_marginalized_equals_ridge_on_rescaled_features(shape, fit_intercept, weighted, p):
    X, y = _data(*shape)
    sw = np.random.default_rng(1).uniform(0.5, 2.0, shape[0]) if weighted else None
    m = DropoutRegressor(p=p, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    d = marginalized_dropout_penalty(X, p, sw)
    r = Ridge(alpha=1.0, fit_intercept=fit_intercept, solver="cholesky").fit(X / np.sqrt(d), y, sample_weight=sw)
    np.testing.assert_allclose(m.coef_, r.coef_ / np.sqrt(d), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(m.intercept_, r.intercept_, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape", [(30, 4), (6, 10)])
def test_p_zero_is_least_squares(fit_intercept, shape):
    """p = 0: no dropout, so no penalty -- least squares (minimum norm when p > n), not zeros."""
    from sklearn.linear_model import LinearRegression

    X, y = _data(*shape)
    m = DropoutRegressor(p=0.0, fit_intercept=fit_intercept).fit(X, y)
    ref = LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_allclose(m.coef_, ref.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(m.intercept_, ref.intercept_, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_zero_columns_and_float32_match_ridge(dtype):
    """All-zero raw columns (d_j = 0) get w_j = 0; the others match sklearn's Ridge on the rescaled
    features; float32 stays float32. Also all columns zero: the intercept is the weighted mean."""
    X, y = _data(50, 5, dtype=dtype)
    X[:, [1, 3]] = 0
    sw = np.random.default_rng(4).uniform(0.5, 2.0, 50)
    m = DropoutRegressor(p=0.4).fit(X, y, sample_weight=sw)
    assert m.coef_.dtype == dtype and np.asarray(m.intercept_).dtype == dtype
    assert m.coef_[1] == 0 and m.coef_[3] == 0
    keep = [0, 2, 4]
    X64 = X[:, keep].astype(np.float64)
    d = marginalized_dropout_penalty(X64, 0.4, sw)
    r = Ridge(alpha=1.0, solver="cholesky").fit(X64 / np.sqrt(d), y.astype(np.float64), sample_weight=sw)
    tol = 1e-4 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(m.coef_[keep], r.coef_ / np.sqrt(d), rtol=tol, atol=tol)
    np.testing.assert_allclose(m.intercept_, r.intercept_, rtol=tol, atol=tol)
    z = DropoutRegressor(p=0.4).fit(np.zeros((4, 2), dtype=dtype), np.arange(4.0, dtype=dtype),
                                    sample_weight=[1.0, 1.0, 1.0, 3.0])
    np.testing.assert_array_equal(z.coef_, 0.0)
    assert z.intercept_ == pytest.approx(2.0)


def _expected_objective(X, y, w, b, p):
    # Monte-Carlo-free: E over masks of the squared loss, from the definition (exact variance formula).
    q = 1 - p
    resid = y - b - X @ w
    var = (X**2 * (w**2)[None, :]).sum(axis=1) * (1 / q - 1)
    return 0.5 * np.mean(resid**2 + var)


def test_marginalized_minimizes_expected_objective():
    X, y = _data(50, 4)
    p = 0.4
    m = DropoutRegressor(p=p).fit(X, y)
    f0 = _expected_objective(X, y, m.coef_, m.intercept_, p)
    rng = np.random.default_rng(2)
    for _ in range(20):
        dw, db = 1e-3 * rng.standard_normal(4), 1e-3 * rng.standard_normal()
        assert _expected_objective(X, y, m.coef_ + dw, m.intercept_ + db, p) > f0
    # and the variance term equals the Monte-Carlo variance of the dropout prediction
    mask = np.random.default_rng(3).random((20000,) + X[:1].shape) >= p
    preds = ((X[:1] * mask / (1 - p)) @ m.coef_).ravel()
    var = (X[0] ** 2 * m.coef_**2).sum() * p / (1 - p)
    assert abs(preds.var() - var) < 0.05 * var


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_multitarget(dtype):
    X, y = _data(40, 3, dtype=dtype)
    Y = np.column_stack([y, 2 * y])
    for solver in ("marginalized", "sgd"):
        m = DropoutRegressor(p=0.3, solver=solver, random_state=0, max_iter=20).fit(X, Y)
        assert m.coef_.shape == (2, 3) and m.coef_.dtype == dtype
        assert m.predict(X).dtype == dtype
        single = DropoutRegressor(p=0.3, solver=solver, random_state=0, max_iter=20).fit(X, y)
        if solver == "marginalized":
            np.testing.assert_allclose(m.coef_[0], single.coef_, rtol=1e-5)
            np.testing.assert_allclose(m.coef_[1], 2 * single.coef_, rtol=1e-5)


def test_sgd_approaches_marginalized():
    X, y = _data(200, 5)
    p = 0.3
    ref = DropoutRegressor(p=p).fit(X, y)

    def err(**kw):
        s = DropoutRegressor(p=p, solver="sgd", random_state=0, tol=None, **kw).fit(X, y)
        return max(np.abs(s.coef_ - ref.coef_).max(), abs(s.intercept_ - ref.intercept_))

    e_short = err(max_iter=3, eta0=0.05)
    e_long = err(max_iter=300, eta0=0.05)
    e_small = err(max_iter=600, eta0=0.005, learning_rate="constant")
    assert e_long < 0.5 * e_short
    assert e_small < 0.1
    assert e_small < e_short


def test_sgd_reproducible_and_seeded():
    X, y = _data(100, 4)
    a = DropoutRegressor(solver="sgd", random_state=3, max_iter=5, tol=None).fit(X, y)
    b = DropoutRegressor(solver="sgd", random_state=3, max_iter=5, tol=None).fit(X, y)
    c = DropoutRegressor(solver="sgd", random_state=4, max_iter=5, tol=None).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert not np.array_equal(a.coef_, c.coef_)
    assert a.n_iter_ == 5


def test_early_stopping():
    X, y = _data(300, 5)
    m = DropoutRegressor(solver="sgd", random_state=0, early_stopping=True, n_iter_no_change=3, max_iter=500).fit(X, y)
    assert m.n_iter_ < 500
    assert m.score(X, y) > 0.5
    with pytest.raises(ValueError, match="validation_fraction"):
        DropoutRegressor(solver="sgd", early_stopping=True, validation_fraction=1.5).fit(X, y)


def test_bad_params():
    X, y = _data(20, 2)
    with pytest.raises(ValueError, match="'p'"):
        DropoutRegressor(p=1.0).fit(X, y)
    with pytest.raises(ValueError, match="'solver'"):
        DropoutRegressor(solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="'batch_size'"):
        DropoutRegressor(solver="sgd", batch_size=0).fit(X, y)
    X0 = X.copy()
    DropoutRegressor(solver="sgd", max_iter=2, tol=None).fit(X, y)
    np.testing.assert_array_equal(X, X0)


@parametrize_with_checks(
    [
        DropoutRegressor(),
        DropoutRegressor(solver="sgd", max_iter=50, random_state=0),
        DropoutRegressor(solver="sgd", max_iter=50, early_stopping=True, random_state=0),
    ],
    expected_failed_checks=lambda est: (
        {
            "check_sample_weight_equivalence_on_dense_data": "SGD is stochastic: repeated rows and "
            "integer weights give different mini-batches and dropout masks."
        }
        if est.solver == "sgd"
        else {}
    ),
)
def test_sklearn_compatible(estimator, check):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
