"""Bad input gives a ValueError (or TypeError) that names the problem, in scikit-learn's words."""

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.exceptions import NotFittedError

from fastreg import ElasticNet, Lasso, enet_path, lasso_path

from _helpers import make_problem

X, y = make_problem("n>>p", seed=50)
X, y = X[:30], y[:30]


def with_value(a, index, v):
    a = a.copy()
    a[index] = v
    return a


NAN_X = with_value(X, (3, 2), np.nan)
INF_X = with_value(X, (0, 0), np.inf)
NAN_Y = with_value(y, 5, np.nan)
INF_Y = with_value(y, 1, -np.inf)


@pytest.fixture(params=[ElasticNet, Lasso])
def est(request):
    return request.param()


@pytest.mark.parametrize("Xb, yb, match", [
    (NAN_X, y, "Input X contains NaN"),
    (INF_X, y, "Input X contains infinity"),
    (sparse.csc_matrix(NAN_X), y, "Input X contains NaN"),
    (sparse.csr_matrix(INF_X), y, "Input X contains infinity"),
    (X, NAN_Y, "Input y contains NaN"),
    (X, INF_Y, "Input y contains infinity"),
], ids=["nan-X", "inf-X", "nan-csc", "inf-csr", "nan-y", "inf-y"])
def test_non_finite(est, Xb, yb, match):
    with pytest.raises(ValueError, match=match):
        est.fit(Xb, yb)


def test_non_finite_predict(est):
    est.fit(X, y)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.predict(NAN_X)
    with pytest.raises(ValueError, match="Input X contains infinity"):
        est.predict(INF_X)


@pytest.mark.parametrize("Xb, yb", [(X, y[:-1]), (X[:-2], y), (X, np.c_[y, y][:-1])])
def test_shape_mismatch(est, Xb, yb):
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        est.fit(Xb, yb)


def test_wrong_dimensions(est):
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        est.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="dim 3"):
        est.fit(X, y.reshape(-1, 1, 1))


@pytest.mark.parametrize("Xb, yb, match", [
    (np.empty((0, 3)), np.empty(0), "0 sample"),
    (np.empty((30, 0)), y, "0 feature"),
    (sparse.csc_matrix((0, 3)), np.empty(0), "0 sample"),
    (sparse.csc_matrix((30, 0)), y, "0 feature"),
], ids=["0-samples", "0-features", "sparse-0-samples", "sparse-0-features"])
def test_empty(est, Xb, yb, match):
    with pytest.raises(ValueError, match=match):
        est.fit(Xb, yb)


@pytest.mark.parametrize("Xb, yb", [
    (np.array([["a", "b"], ["c", "d"]] * 15), y),
    (np.array([[1.0, "x"]] * 30, dtype=object), y),
    (X, np.array(["a"] * 30)),
], ids=["str-X", "object-X", "str-y"])
def test_non_numeric(est, Xb, yb):
    with pytest.raises(ValueError, match="could not convert string to float"):
        est.fit(Xb, yb)


def test_complex(est):
    with pytest.raises(ValueError, match="Complex data not supported"):
        est.fit(X + 1j, y)


def test_sparse_y(est):
    with pytest.raises(TypeError, match="Sparse data was passed"):
        est.fit(X, sparse.csc_matrix(y[:, None]))


@pytest.mark.parametrize("param, value, match", [
    ("alpha", -1.0, r"'alpha' parameter of \w+ must be a float in the range \[0.0, inf\)"),
    ("alpha", np.nan, "'alpha' parameter"),
    ("alpha", np.inf, r"'alpha' parameter of \w+ must be a float in the range \[0.0, inf\)"),
    ("alpha", "a", "'alpha' parameter"),
    ("max_iter", 0, r"'max_iter' parameter of \w+ must be an int in the range \[1, inf\)"),
    ("max_iter", 1.5, "'max_iter' parameter"),
    ("max_iter", "10", "'max_iter' parameter"),
    ("max_iter", True, "'max_iter' parameter"),
    ("tol", -1e-4, r"'tol' parameter of \w+ must be a float in the range \[0.0, inf\)"),
    ("tol", np.inf, "'tol' parameter"),
    ("tol", "small", "'tol' parameter"),
    ("tol", None, "'tol' parameter"),
    ("selection", "foo", "'selection' parameter of \\w+ must be one of"),
    ("selection", None, "'selection' parameter"),
    ("precompute", "foo", "'precompute' parameter"),
    ("precompute", 3, "'precompute' parameter"),
    ("fit_intercept", "yes", "'fit_intercept' parameter"),
    ("positive", 2, "'positive' parameter"),
    ("random_state", "x", "'random_state' parameter"),
])
@pytest.mark.parametrize("cls", [ElasticNet, Lasso])
def test_bad_parameters(cls, param, value, match):
    est = cls(**{param: value})
    with pytest.raises(ValueError, match=match) as err:
        est.fit(X, y)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        # a value of the wrong type is also a TypeError, as in scikit-learn
        if param not in ("selection", "precompute", "fit_intercept", "positive", "random_state"):
            assert isinstance(err.value, TypeError)


@pytest.mark.parametrize("value", [1.5, -0.1, np.nan])
def test_bad_l1_ratio(value):
    with pytest.raises(ValueError, match=r"'l1_ratio' parameter of ElasticNet must be a float "
                                         r"in the range \[0.0, 1.0\]"):
        ElasticNet(l1_ratio=value).fit(X, y)


@pytest.mark.parametrize("sw, match", [
    (-np.ones(30), "Negative values in data passed to sample_weight"),
    (np.r_[1.0, -0.5, np.ones(28)], "Negative values in data passed to sample_weight"),
    (np.ones(29), r"sample_weight.shape == \(29,\), expected \(30,\)"),
    (np.ones(31), r"sample_weight.shape == \(31,\), expected \(30,\)"),
    (np.ones((30, 2)), "Sample weights must be 1D array or scalar"),
    (np.r_[np.nan, np.ones(29)], "Input sample_weight contains NaN"),
    (np.r_[np.inf, np.ones(29)], "Input sample_weight contains infinity"),
    (np.zeros(30), "Sample weights must contain at least one non-zero number"),
    (-2.0, "sample_weight must be positive"),
    (np.array(["a"] * 30), "could not convert string to float"),
], ids=["all-negative", "one-negative", "short", "long", "2d", "nan", "inf", "all-zero",
        "negative-scalar", "strings"])
def test_bad_sample_weight(est, sw, match):
    with pytest.raises(ValueError, match=match):
        est.fit(X, y, sample_weight=sw)
    with pytest.raises(ValueError, match=match):
        enet_path(X, y, sample_weight=sw, n_alphas=2)


def test_predict_wrong_number_of_features(est):
    est.fit(X, y)
    with pytest.raises(ValueError, match="X has 5 features, but \\w+ is expecting 8 features"):
        est.predict(X[:, :5])
    with pytest.raises(ValueError, match="X has 5 features"):
        est.predict(sparse.csr_matrix(X[:, :5]))
    with pytest.raises(ValueError, match="X has 5 features"):
        est.score(X[:, :5], y)


def test_predict_before_fit(est):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        est.predict(X)


def test_bad_input_leaves_estimator_fit_unchanged_and_inputs_intact(est):
    est.fit(X, y)
    coef = est.coef_.copy()
    Xb = NAN_X.copy()
    with pytest.raises(ValueError):
        est.fit(Xb, y)
    np.testing.assert_array_equal(Xb, NAN_X, strict=True)
    # a failed validation did not touch the fitted model
    np.testing.assert_array_equal(est.coef_, coef)


@pytest.mark.parametrize("kwargs, match", [
    (dict(l1_ratio=1.5), "'l1_ratio' parameter of enet_path"),
    (dict(l1_ratio=-1.0), "'l1_ratio' parameter of enet_path"),
    (dict(alphas=[-0.1, 1.0]), "alphas must be finite and non-negative"),
    (dict(alphas=[np.nan]), "alphas must be finite and non-negative"),
    (dict(eps=0.0), "'eps' parameter of enet_path"),
    (dict(n_alphas=0), "'n_alphas' parameter of enet_path"),
    (dict(tol=-1.0), "'tol' parameter"),
    (dict(max_iter=0), "'max_iter' parameter"),
    (dict(selection="foo"), "'selection' parameter"),
    (dict(precompute="foo"), "'precompute' parameter of enet_path"),
    (dict(bogus=1), "Unexpected parameters"),
    (dict(penalty_factor=-np.ones(8)), "Negative values in data passed to penalty_factor"),
    (dict(penalty_factor=np.ones(3)), "penalty_factor must be a 1-D array of length"),
])
def test_path_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        enet_path(X, y, **kwargs)


@pytest.mark.parametrize("Xb, yb, match", [
    (NAN_X, y, "Input X contains NaN"),
    (X, INF_Y, "Input y contains infinity"),
    (X, y[:-1], "inconsistent numbers of samples"),
    (np.empty((0, 3)), np.empty(0), "0 sample"),
    (np.array([["a"]] * 30), y, "could not convert string to float"),
])
def test_path_bad_data(Xb, yb, match):
    with pytest.raises(ValueError, match=match):
        lasso_path(Xb, yb)


@pytest.mark.parametrize("value, match", [(np.nan, "Input X contains NaN"),
                                          (np.inf, "Input X contains infinity"),
                                          (-np.inf, "Input X contains infinity")])
@pytest.mark.parametrize("where", ["first", "middle", "last-column", "zero-weight"])
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_non_finite_found_by_the_gram_pass(value, match, where, order, dtype, fit_intercept):
    # with more rows than features, X's check for NaN and inf is the Gram's own pass over X
    # (a non-finite diagonal entry), not a separate one: every entry must still be caught,
    # in either memory order, in float32, in a row of weight zero, centered or not
    rng = np.random.default_rng(0)
    Xg = np.asarray(rng.standard_normal((600, 7)), dtype=dtype, order=order)
    yg = rng.standard_normal(600).astype(dtype)
    i, j = {"first": (0, 0), "middle": (311, 3), "last-column": (599, 6),
            "zero-weight": (42, 5)}[where]
    Xg[i, j] = value
    sw = np.ones(600)
    sw[42] = 0.0
    kept = Xg.copy()
    for fit in (lambda: Lasso(alpha=0.01, fit_intercept=fit_intercept).fit(Xg, yg, sw),
                lambda: ElasticNet(alpha=0.01, fit_intercept=fit_intercept,
                                   precompute=True).fit(Xg, np.c_[yg, yg]),
                lambda: enet_path(Xg, yg, n_alphas=3, fit_intercept=fit_intercept,
                                  sample_weight=sw)):
        with pytest.raises(ValueError, match=match):
            fit()
    np.testing.assert_array_equal(Xg, kept)


def test_y_cast_to_float32_is_checked_again(est):
    # y is validated in float64, then cast to X's float32, where 1e300 is infinite
    yb = np.r_[1e300, y[1:]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's overflow in the cast
        with pytest.raises(ValueError, match="Input y contains infinity"):
            est.fit(X.astype(np.float32), yb)
