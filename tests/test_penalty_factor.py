"""Per-feature penalty factors: references, KKT conditions, alpha_max with unpenalized features.

Reference: for the lasso, a penalty factor pf_j > 0 is the same as rescaling the column,
X_j / pf_j, and dividing the fitted coefficient by pf_j; scikit-learn fits the rescaled problem.
"""

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.model_selection import KFold

import fastreg

TIGHT = dict(tol=1e-12, max_iter=100_000)


def make_data(n, p, seed=0, sparse_density=None, corr=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if corr:
        X[:, 1:] = 0.6 * X[:, :1] + 0.4 * X[:, 1:]
    if sparse_density is not None:
        X *= rng.random((n, p)) < sparse_density
    coef = np.zeros(p)
    coef[:4] = [3.0, -2.0, 1.5, 1.0]
    y = X @ coef + 1.0 + 0.5 * rng.standard_normal(n)
    pf = rng.uniform(0.3, 3.0, p)
    return (sparse.csc_matrix(X) if sparse_density is not None else X), y, pf


def rescale(X, pf):
    return X @ sparse.diags(1.0 / pf) if sparse.issparse(X) else X / pf


def kkt_violation(X, y, w, alpha, l1_ratio, pf, fit_intercept, positive=False):
    """Largest violation of the elastic-net optimality conditions, relative to max|X^T y|/n."""
    Xd = X.toarray() if sparse.issparse(X) else X
    n = Xd.shape[0]
    if fit_intercept:
        Xd = Xd - Xd.mean(axis=0)
        y = y - y.mean()
    g = Xd.T @ (y - Xd @ w) / n - alpha * (1 - l1_ratio) * pf * w
    thr = alpha * l1_ratio * pf
    nz = w != 0
    v = np.zeros_like(w)
    v[nz] = np.abs(g[nz] - thr[nz] * np.sign(w[nz]))
    if positive:
        v[~nz] = np.maximum(g[~nz] - thr[~nz], 0)
    else:
        v[~nz] = np.maximum(np.abs(g[~nz]) - thr[~nz], 0)
    return v.max() / np.abs(Xd.T @ y / n).max()


@pytest.mark.parametrize("sparse_X", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape", [(80, 20), (30, 60)])
def test_lasso_penalty_factor_equals_rescaled_columns(sparse_X, fit_intercept, shape):
    X, y, pf = make_data(*shape, seed=shape[1], sparse_density=0.4 if sparse_X else None)
    sw = np.random.default_rng(3).uniform(0.2, 2.0, shape[0])
    for alpha in (0.3, 0.03):
        ours = fastreg.Lasso(alpha=alpha, penalty_factor=pf, fit_intercept=fit_intercept,
                             **TIGHT).fit(X, y, sample_weight=sw)
        ref = sk.Lasso(alpha=alpha, fit_intercept=fit_intercept, **TIGHT).fit(
            rescale(X, pf), y, sample_weight=sw)
        np.testing.assert_allclose(ours.coef_, ref.coef_ / pf, atol=1e-8)
        assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-8)


@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize("sparse_X", [False, True])
def test_lasso_path_penalty_factor_with_screening(precompute, sparse_X):
    """The whole path (Gap Safe screening on) equals scikit-learn's on rescaled columns."""
    X, y, pf = make_data(60, 40, seed=1, sparse_density=0.5 if sparse_X else None, corr=True)
    ours = fastreg.lasso_path(X, y, penalty_factor=pf, n_alphas=30, fit_intercept=True,
                              precompute=precompute, **TIGHT)
    Xr = rescale(X, pf)
    Xr = Xr - np.asarray(Xr.mean(axis=0)).ravel() if not sparse_X else Xr
    if sparse_X:  # scikit-learn's path has no intercept: compare on centered dense data
        Xr = Xr.toarray() - Xr.toarray().mean(axis=0)
    alphas, coefs, _ = sk.lasso_path(Xr, y - y.mean(), alphas=30, **TIGHT)
    np.testing.assert_allclose(ours.alphas, alphas, rtol=1e-10)
    np.testing.assert_allclose(ours.coefs, coefs / pf[:, None], atol=1e-8)


@pytest.mark.parametrize("sparse_X", [False, True])
@pytest.mark.parametrize("positive", [False, True])
def test_enet_penalty_factor_kkt_and_screening_safe(sparse_X, positive):
    """For l1_ratio < 1 there is no rescaling reference: check optimality and that screening
    changes nothing."""
    X, y, pf = make_data(50, 70, seed=4, sparse_density=0.5 if sparse_X else None, corr=True)
    pf[[5, 9]] = 0.0
    kw = dict(l1_ratio=0.4, penalty_factor=pf, n_alphas=15, fit_intercept=True,
              positive=positive, **TIGHT)
    on = fastreg.enet_path(X, y, screening=True, **kw)
    off = fastreg.enet_path(X, y, screening=False, **kw)
    np.testing.assert_allclose(on.coefs, off.coefs, atol=1e-8)
    for i, alpha in enumerate(on.alphas):
        assert kkt_violation(X, y, on.coefs[:, i], alpha, 0.4, pf, True, positive) < 1e-6


@pytest.mark.parametrize("layout", ["dense", "gram", "sparse"])
@pytest.mark.parametrize("positive", [False, True])
def test_unpenalized_features_alpha_max(layout, positive):
    n, p = 70, 12
    X, y, pf = make_data(n, p, seed=6, sparse_density=0.6 if layout == "sparse" else None)
    free = [1, 4]
    pf[free] = 0.0
    path = fastreg.lasso_path(X, y, penalty_factor=pf, n_alphas=10, fit_intercept=True,
                              precompute=(layout == "gram"), positive=positive, **TIGHT)
    # at alpha_max: only the unpenalized features, at their (non-negative) least-squares fit
    Xd = X.toarray() if sparse.issparse(X) else X
    Xc, yc = Xd - Xd.mean(axis=0), y - y.mean()
    if positive:
        from scipy.optimize import nnls

        w_free = nnls(Xc[:, free], yc)[0]
    else:
        w_free = np.linalg.lstsq(Xc[:, free], yc, rcond=None)[0]
    w0 = path.coefs[:, 0]
    np.testing.assert_allclose(w0[free], w_free, atol=1e-7)
    penalized = np.setdiff1d(np.arange(p), free)
    assert np.abs(w0[penalized]).max() < 1e-8
    # alpha_max is tight: the next alpha activates a penalized feature
    assert np.count_nonzero(path.coefs[penalized, 1]) > 0
    r = yc - Xc[:, free] @ w_free
    corr = Xc[:, penalized].T @ r / (n * pf[penalized])
    expected = (np.maximum(corr, 0) if positive else np.abs(corr)).max()
    assert path.alphas[0] == pytest.approx(expected, rel=1e-9)
    for i, alpha in enumerate(path.alphas):
        assert kkt_violation(X, y, path.coefs[:, i], alpha, 1.0, pf, True, positive) < 1e-6


def test_unpenalized_only_start_is_not_a_false_convergence():
    """At w = 0 the residual is not dual-feasible for unpenalized features: the solver must not
    report a zero gap there and stop."""
    X, y, pf = make_data(60, 8, seed=2)
    pf[:] = 1.0
    pf[0] = 0.0
    model = fastreg.Lasso(alpha=1e3, penalty_factor=pf).fit(X, y)
    Xc = X - X.mean(axis=0)
    expected = Xc[:, 0] @ (y - y.mean()) / (Xc[:, 0] @ Xc[:, 0])
    assert model.coef_[0] == pytest.approx(expected, rel=1e-6)
    np.testing.assert_array_equal(model.coef_[1:], 0.0)


def test_lassocv_penalty_factor_equals_rescaled_sklearn():
    X, y, pf = make_data(90, 25, seed=8)
    kw = dict(cv=KFold(4, shuffle=True, random_state=0), alphas=25, **TIGHT)
    ours = fastreg.LassoCV(penalty_factor=pf, **kw).fit(X, y)
    ref = sk.LassoCV(**kw).fit(X / pf, y)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-10)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-10)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-7)
    np.testing.assert_allclose(ours.coef_, ref.coef_ / pf, atol=1e-8)


@pytest.mark.parametrize("sparse_X", [False, True])
def test_elasticnetcv_with_unpenalized_feature(sparse_X):
    X, y, pf = make_data(80, 15, seed=9, sparse_density=0.5 if sparse_X else None)
    pf[2] = 0.0
    model = fastreg.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3, alphas=15, penalty_factor=pf,
                                 **TIGHT).fit(X, y)
    for k, l1_ratio in enumerate([0.5, 1.0]):
        path = fastreg.enet_path(X, y, l1_ratio=l1_ratio, penalty_factor=pf, n_alphas=15,
                                 fit_intercept=True, **TIGHT)
        np.testing.assert_allclose(model.alphas_[k], path.alphas, rtol=1e-12)
    assert model.coef_[2] != 0.0
    ref = fastreg.ElasticNet(alpha=model.alpha_, l1_ratio=model.l1_ratio_, penalty_factor=pf,
                             **TIGHT).fit(X, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=1e-9)


@pytest.mark.parametrize(
    "pf, match",
    [([1.0, -1.0, 1.0], "Negative"), ([1.0, 1.0], "penalty_factor"), ([0.0, 0.0, 0.0], "positive")],
)
def test_bad_penalty_factor(pf, match):
    X, y, _ = make_data(20, 4)
    X = X[:, :3]
    for est in (fastreg.Lasso(penalty_factor=pf), fastreg.LassoCV(cv=3, penalty_factor=pf)):
        with pytest.raises(ValueError, match=match):
            est.fit(X, y)
