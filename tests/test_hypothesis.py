"""Property tests over random shapes and values (hypothesis).

Each example is a small problem; the properties hold for any data: fastreg reaches scikit-learn's
optimum (up to the duality gaps both report), satisfies the KKT conditions, and respects the exact
invariances of the objective.
"""

import warnings
from contextlib import ExitStack
from unittest import mock

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning

import fastreg._path as path_module
from fastreg import ElasticNet, Lasso

from _helpers import alpha_max, assert_kkt, assert_reported_gap, objective

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TIGHT = dict(tol=1e-10, max_iter=100_000)
# Values on a 0.01 grid in [-100, 100]: every scale a user's data has, including exact zeros and
# constant columns, but no 1e-115-sized entries whose centered columns are zero or not depending
# on the order of the rounding (then neither scikit-learn's nor our "Z" is the true one).
values = st.integers(-10_000, 10_000).map(lambda k: k / 100)


@st.composite
def problems(draw, weights=True):
    """X (dense, any shape up to 15 x 10, possibly with duplicate or constant columns), y and weights."""
    n = draw(st.integers(2, 15))
    p = draw(st.integers(1, 10))
    X = draw(hnp.arrays(np.float64, (n, p), elements=values))
    if p > 1 and draw(st.booleans()):
        X[:, -1] = X[:, 0]  # a duplicated column
    y = draw(hnp.arrays(np.float64, n, elements=values))
    sw = None
    if weights and draw(st.booleans()):
        sw = draw(hnp.arrays(np.float64, n, elements=st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])))
        if not np.any(sw > 0):
            sw[0] = 1.0
    return X, y, sw


def fit_both(X, y, sw, *, frac, l1_ratio, fit_intercept, positive, layout):
    amax = alpha_max(X, y, l1_ratio=l1_ratio, sample_weight=sw, fit_intercept=fit_intercept,
                     positive=positive)
    alpha = frac * amax if amax > 1e-12 else 0.1
    kw = dict(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, positive=positive, **TIGHT)
    Xl = {"dense": X, "gram": X, "lazy": X, "csc": sparse.csc_matrix(X),
          "csr": sparse.csr_matrix(X)}[layout]
    with warnings.catch_warnings(), ExitStack() as lazy:
        warnings.simplefilter("ignore", ConvergenceWarning)
        if layout == "lazy":  # (n > p data): any size, and rounds that add columns 2 at a time
            lazy.enter_context(mock.patch.object(path_module, "LAZY_MIN_WORK", 0))
            lazy.enter_context(mock.patch.object(path_module, "LAZY_FIRST_COLUMNS", 2))
        precompute = {"gram": True, "lazy": "auto"}.get(layout, False)
        ours = ElasticNet(precompute=precompute, **kw).fit(Xl, y, sample_weight=sw)
        ref = sk.ElasticNet(**kw).fit(X, y, sample_weight=sw)
    return ours, ref


@SETTINGS
@given(problem=problems(), frac=st.floats(0.001, 1.2), l1_ratio=st.floats(0.05, 1.0),
       fit_intercept=st.booleans(), positive=st.booleans(),
       layout=st.sampled_from(["dense", "gram", "lazy", "csc", "csr"]))
def test_objective_matches_sklearn_and_kkt(problem, frac, l1_ratio, fit_intercept, positive, layout):
    X, y, sw = problem
    ours, ref = fit_both(X, y, sw, frac=frac, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                         positive=positive, layout=layout)
    kw = dict(alpha=ours.alpha, l1_ratio=l1_ratio, sample_weight=sw)
    f = objective(X, y, ours.coef_, ours.intercept_, **kw)
    f_ref = objective(X, y, ref.coef_, ref.intercept_, **kw)
    # both are within their duality gap of the optimum
    s = np.ones(len(y)) if sw is None else sw
    scale = np.sum(s * y * y) / s.sum() + 1e-300
    slack = max(ours.dual_gap_, ref.dual_gap_, 0) + 1e-12 * scale
    assert f <= f_ref + 1e-7 * abs(f_ref) + slack, (f, f_ref)
    assert abs(f - f_ref) <= 1e-7 * abs(f_ref) + slack, (f, f_ref)
    assert_kkt(ours, X, y, sample_weight=sw)
    assert_reported_gap(ours, X, y, sample_weight=sw)
    if positive:
        assert np.all(ours.coef_ >= 0)


@SETTINGS
@given(problem=problems(), frac=st.floats(0.01, 1.0), c=st.floats(0.01, 100),
       fit_intercept=st.booleans())
def test_lasso_scaling_y_scales_solution(problem, frac, c, fit_intercept):
    """Lasso: (c y, c alpha) has the solution c w: the objective scales by c^2."""
    X, y, sw = problem
    amax = alpha_max(X, y, sample_weight=sw, fit_intercept=fit_intercept)
    if amax == 0:
        return
    alpha = frac * amax
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = Lasso(alpha=alpha, fit_intercept=fit_intercept, **TIGHT).fit(X, y, sample_weight=sw)
        b = Lasso(alpha=c * alpha, fit_intercept=fit_intercept, **TIGHT).fit(X, c * y, sample_weight=sw)
    kw = dict(alpha=c * alpha, l1_ratio=1.0, sample_weight=sw)
    f_b = objective(X, c * y, b.coef_, b.intercept_, **kw)
    f_a = objective(X, c * y, c * a.coef_, c * a.intercept_, **kw)
    slack = c * c * max(a.dual_gap_, 0) + max(b.dual_gap_, 0)
    assert abs(f_a - f_b) <= 1e-7 * abs(f_b) + 1.01 * slack + 1e-13 * c * c * np.sum(y * y)


@SETTINGS
@given(problem=problems(), frac=st.floats(0.01, 1.0), l1_ratio=st.floats(0.1, 1.0),
       c=st.floats(0.01, 100), seed=st.integers(0, 2**16))
def test_weight_scaling_and_permutation_invariance(problem, frac, l1_ratio, c, seed):
    """Scaling all weights, permuting samples, shifting y: the same model."""
    X, y, sw = problem
    sw = np.ones(len(y)) if sw is None else sw
    amax = alpha_max(X, y, l1_ratio=l1_ratio, sample_weight=sw)
    alpha = frac * amax if amax > 1e-12 else 0.1
    perm = np.random.default_rng(seed).permutation(len(y))
    est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, **TIGHT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        base = est.fit(X, y, sample_weight=sw)
        base_f = objective(X, y, base.coef_, base.intercept_, alpha=alpha, l1_ratio=l1_ratio,
                           sample_weight=sw)
        base_gap = base.dual_gap_
        for Xv, yv, swv, shift in [(X, y, c * sw, 0.0), (X[perm], y[perm], sw[perm], 0.0),
                                   (X, y + 7.0, sw, 7.0)]:
            other = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, **TIGHT).fit(Xv, yv, sample_weight=swv)
            f = objective(X, y, other.coef_, other.intercept_ - shift, alpha=alpha,
                          l1_ratio=l1_ratio, sample_weight=sw)
            slack = 1.01 * max(base_gap, other.dual_gap_, 0) + 1e-12 * (np.sum(sw * y * y) / sw.sum() + 1)
            assert abs(f - base_f) <= 1e-7 * abs(base_f) + slack


@SETTINGS
@given(problem=problems(), frac=st.floats(0.01, 1.0), l1_ratio=st.floats(0.1, 1.0),
       fit_intercept=st.booleans())
def test_sparse_equals_dense(problem, frac, l1_ratio, fit_intercept):
    X, y, sw = problem
    amax = alpha_max(X, y, l1_ratio=l1_ratio, sample_weight=sw, fit_intercept=fit_intercept)
    alpha = frac * amax if amax > 1e-12 else 0.1
    kw = dict(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, **TIGHT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        d = ElasticNet(precompute=False, **kw).fit(X, y, sample_weight=sw)
        s = ElasticNet(**kw).fit(sparse.csc_matrix(X), y, sample_weight=sw)
    okw = dict(alpha=alpha, l1_ratio=l1_ratio, sample_weight=sw)
    f_d = objective(X, y, d.coef_, d.intercept_, **okw)
    f_s = objective(X, y, s.coef_, s.intercept_, **okw)
    s_ = np.ones(len(y)) if sw is None else sw
    slack = 1.01 * max(d.dual_gap_, s.dual_gap_, 0) + 1e-12 * (np.sum(s_ * y * y) / s_.sum() + 1)
    assert abs(f_d - f_s) <= 1e-7 * abs(f_d) + slack
    if amax > 0 and frac >= 1.0:
        assert np.all(d.coef_ == 0) and np.all(s.coef_ == 0)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(problem=problems(), frac=st.floats(0.001, 1.2), l1_ratio=st.floats(0.05, 1.0),
       fit_intercept=st.booleans(), positive=st.booleans())
def test_lazy_gram_rounds_reach_the_optimum(problem, frac, l1_ratio, fit_intercept, positive):
    """The lazy Gram layout, with rounds that add columns 2 at a time, on any n > p data
    (duplicated and constant columns, zero weights): scikit-learn's optimum within the gaps,
    KKT, and its reported gap is the true one."""
    X, y, sw = problem
    n, p = X.shape
    if n <= p:  # (the Gram layouts need n > p: rows repeated, shifted)
        extra = np.arange(p - n + 1) % n
        X, y = np.vstack([X, X[extra] + 1.0]), np.concatenate([y, y[extra]])
        sw = None if sw is None else np.concatenate([sw, np.ones(extra.size)])
    assert X.shape[0] > X.shape[1]
    ours, ref = fit_both(X, y, sw, frac=frac, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                         positive=positive, layout="lazy")
    kw = dict(alpha=ours.alpha, l1_ratio=l1_ratio, sample_weight=sw)
    f = objective(X, y, ours.coef_, ours.intercept_, **kw)
    f_ref = objective(X, y, ref.coef_, ref.intercept_, **kw)
    s = np.ones(len(y)) if sw is None else sw
    slack = max(ours.dual_gap_, ref.dual_gap_, 0) + 1e-12 * (np.sum(s * y * y) / s.sum() + 1e-300)
    assert abs(f - f_ref) <= 1e-7 * abs(f_ref) + slack, (f, f_ref)
    assert_kkt(ours, X, y, sample_weight=sw)
    assert_reported_gap(ours, X, y, sample_weight=sw)
