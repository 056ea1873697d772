"""plot_path and plot_cv draw what they claim (Agg backend)."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import fastreg  # noqa: E402


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 6))
    y = X @ [2.0, -1.0, 0.0, 0.5, 0.0, 0.0] + 0.3 * rng.standard_normal(60)
    return X, y


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_path_from_path_result(data):
    X, y = data
    path = fastreg.lasso_path(X, y, n_alphas=15)
    names = [f"f{j}" for j in range(6)]
    fig, ax = plt.subplots()
    out = fastreg.plot_path(path, feature_names=names, ax=ax)
    assert out is ax
    assert len(ax.lines) == 7  # one curve per feature, then the zero line
    assert ax.lines[6].get_label() == "_zero"
    for j, line in enumerate(ax.lines[:6]):
        np.testing.assert_allclose(line.get_xdata(), np.log10(path.alphas))
        np.testing.assert_allclose(line.get_ydata(), path.coefs[j])
        assert line.get_label() == names[j]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == names
    assert ax.get_xlabel() == "log10(alpha)"
    # decreasing alpha to the right
    left, right = ax.get_xlim()
    assert left > right
    top = ax.fastreg_top_axis
    assert top.get_xlabel() == "non-zero coefficients"
    labels = [t.get_text() for t in top.get_xticklabels()]
    nnz = np.count_nonzero(path.coefs, axis=0)
    assert labels[0] == str(nnz[0]) == "0"
    assert labels[-1] == str(nnz[-1])


def test_plot_path_from_tuple_and_estimator(data):
    X, y = data
    alphas, coefs, _ = fastreg.enet_path(X, y, l1_ratio=0.5, n_alphas=10)
    ax = fastreg.plot_path((alphas, coefs))
    assert len(ax.lines) == 7 and ax.get_legend() is None

    plt.figure()
    cv = fastreg.ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3, alphas=12).fit(X, y)
    ax = fastreg.plot_path(cv, X=X, y=y)
    grid = cv.alphas_[[0.5, 1.0].index(cv.l1_ratio_)]
    np.testing.assert_allclose(ax.lines[0].get_xdata(), np.log10(grid))
    ref = fastreg.enet_path(X, y, l1_ratio=cv.l1_ratio_, alphas=grid, fit_intercept=True)
    for j in range(6):
        np.testing.assert_allclose(ax.lines[j].get_ydata(), ref.coefs[j], atol=1e-10)

    plt.figure()
    ax = fastreg.plot_path(fastreg.Lasso(alpha=0.01).fit(X, y), X=X, y=y, n_alphas=8)
    assert len(ax.lines) == 7 and len(ax.lines[0].get_xdata()) == 8
    np.testing.assert_allclose(10 ** ax.lines[0].get_xdata()[-1], 0.01)


def test_plot_path_label_top(data):
    X, y = data
    path = fastreg.lasso_path(X, y, n_alphas=10)
    ax = fastreg.plot_path(path, feature_names=list("abcdef"), label_top=2)
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["a", "b"]  # the two largest |coef| at the smallest alpha


def test_plot_path_errors(data):
    X, y = data
    with pytest.raises(ValueError, match="X= and y="):
        fastreg.plot_path(fastreg.Lasso(alpha=0.1).fit(X, y))
    with pytest.raises(ValueError, match="feature_names"):
        fastreg.plot_path(fastreg.lasso_path(X, y, n_alphas=5), feature_names=["a"])


@pytest.mark.parametrize("rule", ["min", "1se"])
def test_plot_cv(data, rule):
    X, y = data
    model = fastreg.LassoCV(cv=4, alphas=20, selection_rule=rule).fit(X, y)
    fig, ax = plt.subplots()
    out = fastreg.plot_cv(model, ax=ax)
    assert out is ax
    bars = ax.containers[0]
    line = bars.lines[0]
    mean = model.mse_path_.mean(axis=1)
    se = model.mse_path_.std(axis=1, ddof=1) / 2.0
    np.testing.assert_allclose(line.get_xdata(), np.log10(model.alphas_))
    np.testing.assert_allclose(line.get_ydata(), mean)
    # error bar segments span mean +- se
    segs = bars.lines[2][0].get_segments()
    np.testing.assert_allclose([s[0][1] for s in segs], mean - se)
    np.testing.assert_allclose([s[1][1] for s in segs], mean + se)
    vlines = {ln.get_label(): ln.get_xdata()[0] for ln in ax.lines if ln.get_label() in
              ("alpha_min", "alpha_1se")}
    assert vlines["alpha_min"] == pytest.approx(np.log10(model.alpha_min_))
    assert vlines["alpha_1se"] == pytest.approx(np.log10(model.alpha_1se_))
    assert ax.get_ylabel() == "mean squared error"


def test_plot_cv_elasticnet_choose_l1_ratio(data):
    X, y = data
    model = fastreg.ElasticNetCV(cv=3, l1_ratio=[0.2, 0.8], alphas=10).fit(X, y)
    ax = fastreg.plot_cv(model, l1_ratio=0.2)
    line = ax.containers[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), model.mse_path_[0].mean(axis=1))
    np.testing.assert_allclose(line.get_xdata(), np.log10(model.alphas_[0]))
    with pytest.raises(ValueError, match="l1_ratio"):
        fastreg.plot_cv(model, l1_ratio=0.5)
    with pytest.raises(ValueError, match="fitted"):
        fastreg.plot_cv(fastreg.Lasso())
