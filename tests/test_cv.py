"""LassoCV / ElasticNetCV against scikit-learn on the same folds, the 1-SE rule, the CV driver."""

import types
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold

import fastreg
from fastreg._cv import cv_path_scores, select_alpha
from fastreg._path import prepare, solve_path


def make_data(n, p, seed=0, corr=False, dtype=np.float64, order="C", sparse_density=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if corr:
        X[:, 1:] = 0.7 * X[:, :1] + 0.3 * X[:, 1:]
    if sparse_density is not None:
        X *= rng.random((n, p)) < sparse_density
    coef = np.zeros(p)
    coef[:min(5, p)] = rng.standard_normal(min(5, p)) * 3
    y = X @ coef + 2.0 + rng.standard_normal(n)
    X = np.asarray(X, dtype=dtype, order=order)
    if sparse_density is not None:
        X = sparse.csc_matrix(X)
    return X, y.astype(dtype)


def assert_same_cv(ours, ref, *, rtol, coef_atol):
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-6)
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-6)
    assert ours.mse_path_.shape == ref.mse_path_.shape
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=rtol)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=coef_atol)
    assert float(ours.intercept_) == pytest.approx(float(ref.intercept_), abs=coef_atol)
    if hasattr(ref, "l1_ratio_"):
        assert ours.l1_ratio_ == ref.l1_ratio_


# n >> p (Gram layout), p > n (dense), correlated columns, float32, C and F order
@pytest.mark.parametrize(
    "n, p, corr, dtype, order",
    [
        (120, 15, False, np.float64, "C"),
        (60, 90, False, np.float64, "F"),
        (80, 30, True, np.float64, "F"),
        (100, 20, False, np.float32, "C"),
    ],
)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lassocv_matches_sklearn_dense(n, p, corr, dtype, order, fit_intercept):
    X, y = make_data(n, p, seed=n + p, corr=corr, dtype=dtype, order=order)
    cv = KFold(4, shuffle=True, random_state=0)
    f32 = dtype == np.float32
    kw = dict(cv=cv, fit_intercept=fit_intercept, tol=1e-6 if f32 else 1e-10, max_iter=100_000,
              alphas=30)
    ref = sk.LassoCV(**kw).fit(X, y)
    ours = fastreg.LassoCV(**kw).fit(X, y)
    assert_same_cv(ours, ref, rtol=1e-4 if f32 else 1e-7, coef_atol=1e-4 if f32 else 1e-7)
    assert ours.coef_.dtype == dtype
    assert ours.mse_path_.shape == (30, 4)


@pytest.mark.parametrize("weighted", [False, True])
def test_cv_from_fold_statistics_equals_cv_on_fold_rows(weighted, monkeypatch):
    """Dense n > p with KFold-like folds takes the one-pass statistics route; it gives the
    same paths as fitting every fold on a copy of its rows (the route of other folds)."""
    import fastreg._cv as cvmod

    X, y = make_data(150, 12, seed=21, corr=True, order="F")
    sw = np.random.default_rng(2).uniform(0, 2, 150) if weighted else None
    folds = list(KFold(5, shuffle=True, random_state=3).split(X))
    kw = dict(l1_ratios=[0.5, 1.0], n_alphas=20, folds=folds, sample_weight=sw,
              path_params=dict(tol=1e-12, max_iter=100_000))
    assert cvmod._gram_fold_statistics(X, y, folds, sw, "auto") is not None
    fast = cvmod.enet_cv(X, y, **kw)
    monkeypatch.setattr(cvmod, "_gram_fold_statistics", lambda *args: None)
    rows = cvmod.enet_cv(X, y, **kw)
    np.testing.assert_allclose(fast["alphas"], rows["alphas"], rtol=1e-12)
    np.testing.assert_allclose(fast["mse_paths"], rows["mse_paths"], rtol=1e-9)
    assert (fast["i_l1_ratio"], fast["i_min"], fast["i_1se"]) == (
        rows["i_l1_ratio"], rows["i_min"], rows["i_1se"])


def test_cv_with_overlapping_splits_matches_sklearn():
    """Splits that are not a partition (ShuffleSplit) fit each fold on its own rows."""
    from sklearn.model_selection import ShuffleSplit

    X, y = make_data(120, 10, seed=23)
    kw = dict(cv=ShuffleSplit(4, test_size=0.3, random_state=0), tol=1e-10, max_iter=100_000,
              alphas=20)
    assert_same_cv(fastreg.LassoCV(**kw).fit(X, y), sk.LassoCV(**kw).fit(X, y), rtol=1e-7,
                   coef_atol=1e-7)


def test_lassocv_default_tol_same_alpha():
    """At scikit-learn's defaults (tol=1e-4, 100 alphas, 5 folds) the selection agrees."""
    X, y = make_data(200, 30, seed=3)
    ref = sk.LassoCV().fit(X, y)
    ours = fastreg.LassoCV().fit(X, y)
    assert_same_cv(ours, ref, rtol=1e-3, coef_atol=1e-3)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape", [(80, 25), (40, 70)])
def test_lassocv_matches_sklearn_sparse(fit_intercept, shape):
    X, y = make_data(*shape, seed=7, sparse_density=0.3)
    kw = dict(cv=3, fit_intercept=fit_intercept, tol=1e-10, max_iter=100_000, alphas=20)
    ref = sk.LassoCV(**kw).fit(X, y)
    ours = fastreg.LassoCV(**kw).fit(X, y)
    assert_same_cv(ours, ref, rtol=1e-7, coef_atol=1e-7)


@pytest.mark.parametrize("sparse_X", [False, True])
def test_cv_sample_weight_matches_sklearn(sparse_X):
    X, y = make_data(90, 12, seed=11, sparse_density=0.5 if sparse_X else None)
    sw = np.random.default_rng(0).uniform(0, 3, size=90)
    sw[:5] = 0
    sw_before = sw.copy()
    kw = dict(cv=KFold(3, shuffle=True, random_state=1), tol=1e-10, max_iter=100_000,
              alphas=25, l1_ratio=[0.3, 0.9])
    ref = sk.ElasticNetCV(**kw).fit(X, y, sample_weight=sw)
    ours = fastreg.ElasticNetCV(**kw).fit(X, y, sample_weight=sw)
    assert_same_cv(ours, ref, rtol=1e-7, coef_atol=1e-7)
    np.testing.assert_array_equal(sw, sw_before)


def test_elasticnetcv_l1_ratios_matches_sklearn():
    X, y = make_data(100, 40, seed=5, corr=True)
    kw = dict(cv=5, l1_ratio=[0.1, 0.5, 0.95], tol=1e-10, max_iter=100_000, alphas=25)
    ref = sk.ElasticNetCV(**kw).fit(X, y)
    ours = fastreg.ElasticNetCV(**kw).fit(X, y)
    assert ours.mse_path_.shape == (3, 25, 5)
    assert ours.alphas_.shape == (3, 25)
    assert_same_cv(ours, ref, rtol=1e-7, coef_atol=1e-7)
    assert ours.dual_gap_ < 1e-6


def test_explicit_alphas_and_positive():
    X, y = make_data(70, 10, seed=2)
    alphas = [0.01, 1.0, 0.1, 0.3]  # unsorted on purpose
    kw = dict(cv=3, alphas=alphas, positive=True, l1_ratio=[0.5, 1.0], tol=1e-10,
              max_iter=100_000)
    ref = sk.ElasticNetCV(**kw).fit(X, y)
    ours = fastreg.ElasticNetCV(**kw).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, [1.0, 0.3, 0.1, 0.01])
    assert_same_cv(ours, ref, rtol=1e-7, coef_atol=1e-7)
    assert np.all(ours.coef_ >= 0)


def test_n_alphas_deprecated():
    X, y = make_data(50, 5)
    with pytest.warns(FutureWarning, match="n_alphas"):
        model = fastreg.LassoCV(n_alphas=7, cv=3).fit(X, y)
    assert model.alphas_.shape == (7,)


def test_one_standard_error_rule():
    X, y = make_data(60, 30, seed=4)
    model = fastreg.LassoCV(cv=5, alphas=40).fit(X, y)
    mse = model.mse_path_  # (n_alphas, n_folds)
    mean = mse.mean(axis=1)
    se = mse.std(axis=1, ddof=1) / np.sqrt(5)
    i_min = np.argmin(mean)
    assert model.alpha_min_ == model.alphas_[i_min] == model.alpha_
    expected = model.alphas_[mean <= mean[i_min] + se[i_min]].max()
    assert model.alpha_1se_ == expected
    assert model.alpha_1se_ > model.alpha_min_  # a strictly sparser model on this problem

    one_se = fastreg.LassoCV(cv=5, alphas=40, selection_rule="1se").fit(X, y)
    assert one_se.alpha_ == model.alpha_1se_
    np.testing.assert_allclose(one_se.mse_path_, model.mse_path_)
    # the refit's layout (the whole Gram matrix), so that the iterates at tol=1e-4 are the same
    ref = fastreg.Lasso(alpha=one_se.alpha_, precompute=True).fit(X, y)
    np.testing.assert_allclose(one_se.coef_, ref.coef_, atol=1e-8)
    assert np.count_nonzero(one_se.coef_) <= np.count_nonzero(model.coef_)


def test_select_alpha_ties_and_multiple_params():
    mse = np.array([[[3.0, 2.0, 2.0, 2.5]] * 2, [[3.0, 1.0, 1.5, 1.2], [3.0, 1.2, 1.1, 1.0]]])
    alphas = np.array([[4.0, 3.0, 2.0, 1.0], [8.0, 6.0, 4.0, 2.0]])
    i_param, i_min, i_1se, mean, se = select_alpha(mse, alphas)
    assert (i_param, i_min) == (1, 1)
    # se at the minimum: std([1.0, 1.2], ddof=1)/sqrt(2) = 0.1 -> threshold 1.2; alphas 6 (1.1)
    assert i_1se == 1
    np.testing.assert_allclose(se[1, 1], 0.1)


def test_parallel_threads_same_result():
    X, y = make_data(80, 20, seed=9)
    a = fastreg.ElasticNetCV(cv=4, l1_ratio=[0.5, 1.0], alphas=20, n_jobs=1).fit(X, y)
    b = fastreg.ElasticNetCV(cv=4, l1_ratio=[0.5, 1.0], alphas=20, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(a.mse_path_, b.mse_path_)
    assert a.alpha_ == b.alpha_


def _task_threads(n_jobs, n=60, p=4000):
    """Names of the threads that ran each task of a CV run on data of n x p."""
    import threading
    import time

    X, y = make_data(n, p, seed=3)
    names = []

    def fit_path(state, param):
        time.sleep(0.05)  # releases the GIL, as the kernels do: every worker gets a task
        names.append(threading.current_thread().name)
        _, y_tr, _ = state
        return types.SimpleNamespace(coefs=np.zeros((p, 2)), intercepts=np.full(2, y_tr.mean()))

    mse = cv_path_scores(fit_path, X, y, list(KFold(3).split(X)), params=[0, 1], n_jobs=n_jobs)
    assert mse.shape == (2, 3, 2)
    return names


def test_default_n_jobs_uses_numba_threads_from_the_main_thread():
    import threading

    import joblib
    import numba

    expected = min(6, numba.get_num_threads())
    names = _task_threads(None)
    assert len(names) == 6
    # every available thread took tasks (a pool's, or the caller's when only one is allowed)
    assert len(set(names)) == expected
    assert all(nm.startswith("fastreg") for nm in names) == (expected > 1)
    # n_jobs=1: the caller's thread only; small data: no pool either
    assert set(_task_threads(1)) == {threading.current_thread().name}
    assert set(_task_threads(None, n=20, p=50)) == {threading.current_thread().name}
    # a joblib context decides instead of fastreg (here: its threads, two of them)
    with joblib.parallel_config(backend="threading", n_jobs=2):
        names = _task_threads(None)
    assert not any(nm.startswith("fastreg") for nm in names)
    # inside another pool's worker: no threads of fastreg's own (no oversubscription)
    out = []
    worker = threading.Thread(target=lambda: out.append(_task_threads(None)), name="user-pool")
    worker.start()
    worker.join()
    assert set(out[0]) == {"user-pool"}


def test_map_threads_keeps_order_and_raises():
    import time

    from fastreg._preprocess import map_threads

    def slow_square(i):
        time.sleep(0.001 * (i % 3))
        return i * i

    assert map_threads(slow_square, range(20), 2) == [i * i for i in range(20)]
    assert map_threads(slow_square, range(5), 1) == [0, 1, 4, 9, 16]
    assert map_threads(slow_square, [], 2) == []

    def fail_on_seven(i):
        if i == 7:
            raise RuntimeError("task 7 failed")
        return i

    with pytest.raises(RuntimeError, match="task 7"):
        map_threads(fail_on_seven, range(12), 2)

    # after a failure the other thread takes no new task
    started = []

    def fail_on_one(i):
        started.append(i)
        time.sleep(0.005)
        if i == 1:
            raise ValueError("task 1 failed")
        return i

    with pytest.raises(ValueError, match="task 1"):
        map_threads(fail_on_one, range(40), 2)
    assert len(started) < 30  # all 40 without the stop; a margin for a stalled thread


@pytest.mark.parametrize("sparse_X", [False, True])
def test_default_threads_same_result_as_one_job(sparse_X):
    # large enough for the automatic threads (work above fastreg._cv._CV_THREAD_MIN_WORK)
    X, y = make_data(60, 1500, seed=4, sparse_density=0.3 if sparse_X else None)
    kw = dict(cv=3, l1_ratio=[0.5, 1.0], alphas=15, tol=1e-10)
    a = fastreg.ElasticNetCV(n_jobs=1, **kw).fit(X, y)
    b = fastreg.ElasticNetCV(**kw).fit(X, y)
    np.testing.assert_allclose(b.mse_path_, a.mse_path_, rtol=1e-9)
    assert (a.alpha_, a.l1_ratio_) == (b.alpha_, b.l1_ratio_)
    np.testing.assert_allclose(b.coef_, a.coef_, rtol=1e-9, atol=1e-12)


def test_verbose_prints_progress(capsys):
    X, y = make_data(50, 8)
    fastreg.ElasticNetCV(cv=3, l1_ratio=[0.5, 1.0], alphas=10, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "3 folds x 2 l1_ratios x 10 alphas" in out
    assert out.count("[fastreg CV] fold") == 6
    assert "fold 3/3" in out


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gram_matrix_as_precompute_warns_once_and_is_not_used_by_the_folds(fit_intercept):
    X, y = make_data(80, 8, order="F")
    G = X.T @ X  # the whole data's Gram: wrong for every fold's training rows
    with pytest.warns(UserWarning, match="computing the folds' Gram matrices") as rec:
        model = fastreg.LassoCV(cv=3, precompute=G, fit_intercept=fit_intercept).fit(X, y)
    assert len([w for w in rec if issubclass(w.category, UserWarning)]) == 1
    ref = fastreg.LassoCV(cv=3, precompute=True, fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_allclose(model.mse_path_, ref.mse_path_, rtol=1e-12)
    assert model.alpha_ == ref.alpha_
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("layout", ["dense", "gram", "sparse"])
def test_unconverged_folds_warn(layout):
    """A fold's path that stops above the tolerance warns with the gap it reached, as
    scikit-learn's folds do (they were silent, and the choice of alpha rested on them)."""
    X, y = make_data(60, 30)
    X = sparse.csc_matrix(X) if layout == "sparse" else X
    kw = dict(cv=3, alphas=5, tol=1e-12, max_iter=2)
    if layout != "sparse":
        kw["precompute"] = layout == "gram"  # (the Gram layout's folds: fold statistics)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fastreg.LassoCV(**kw).fit(X, y)
    gaps = [w for w in rec if issubclass(w.category, ConvergenceWarning)]
    # the refit at alpha_ warns once; the folds' 3 x 5 alphas warn too
    assert len(gaps) > 3
    assert all("Duality gap" in str(w.message) for w in gaps)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # converged folds and refit: not a warning
        fastreg.LassoCV(**{**kw, "tol": 1e-4, "max_iter": 10000}).fit(X, y)


def test_does_not_modify_input():
    X, y = make_data(60, 10, order="F")
    X0, y0 = X.copy(), y.copy()
    fastreg.LassoCV(cv=3, alphas=10, copy_X=False).fit(X, y)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_predict_and_attributes():
    X, y = make_data(60, 10)
    model = fastreg.LassoCV(cv=3, alphas=10).fit(X, y)
    np.testing.assert_allclose(model.predict(X), X @ model.coef_ + model.intercept_)
    assert model.n_features_in_ == 10
    assert isinstance(model.n_iter_, int) and model.n_iter_ >= 0
    assert model.sparse_coef_.shape == (1, 10)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(selection_rule="max"), "selection_rule"),
        (dict(l1_ratio=1.5), "l1_ratio"),
        (dict(alphas=[-1.0, 1.0]), "alphas"),
        (dict(alphas=0), "alphas"),
        (dict(eps=0.0), "eps"),
        (dict(tol=-1.0), "tol"),
        (dict(selection="up"), "selection"),
        (dict(penalty_factor=[1.0, 2.0]), "penalty_factor"),
        (dict(l1_ratio=0.0), "l1_ratio=0"),
    ],
)
def test_bad_params(params, match):
    X, y = make_data(30, 4)
    with pytest.raises(ValueError, match=match):
        fastreg.ElasticNetCV(cv=3, **params).fit(X, y)


def test_multi_target_rejected():
    X, y = make_data(30, 4)
    with pytest.raises(ValueError, match="MultiTask"):
        fastreg.LassoCV(cv=3).fit(X, np.column_stack([y, y]))


def test_cv_path_scores_generic_path_function():
    """The driver accepts any path function; a closed-form ridge path checks it by hand."""
    X, y = make_data(40, 6, seed=1)
    alphas = np.array([10.0, 1.0, 0.1])
    folds = list(KFold(4).split(X))

    class RidgePath:
        def __init__(self, coefs, intercepts):
            self.coefs, self.intercepts = coefs, intercepts

    def prepare_fold(Xt, yt, swt):
        xm, ym = Xt.mean(axis=0), yt.mean()
        return Xt - xm, yt - ym, xm, ym

    def fit_path(state, scale):
        Xc, yc, xm, ym = state
        G = Xc.T @ Xc
        coefs = np.column_stack([np.linalg.solve(G + scale * a * np.eye(G.shape[0]), Xc.T @ yc)
                                 for a in alphas])
        return RidgePath(coefs, ym - xm @ coefs)

    mse = cv_path_scores(fit_path, X, y, folds, params=[1.0, 2.0], prepare_fold=prepare_fold,
                         n_jobs=2)
    assert mse.shape == (2, 4, 3)
    for i, scale in enumerate([1.0, 2.0]):
        for k, (tr, te) in enumerate(folds):
            for a_i, a in enumerate(alphas):
                m = sk.Ridge(alpha=scale * a).fit(X[tr], y[tr])
                expected = np.mean((m.predict(X[te]) - y[te]) ** 2)
                assert mse[i, k, a_i] == pytest.approx(expected, rel=1e-10)


def test_cv_path_scores_with_solve_path_and_weights():
    X, y = make_data(50, 8, seed=6)
    sw = np.random.default_rng(1).uniform(0.5, 2, 50)
    folds = list(KFold(3).split(X))
    alphas = np.array([0.5, 0.05])

    def fit_path(state, l1_ratio):
        Xt, yt, swt = state
        prep, design = prepare(Xt, yt, fit_intercept=True, sample_weight=swt)
        return solve_path(prep, design, alphas, l1_ratio=l1_ratio, tol=1e-12)

    mse = cv_path_scores(fit_path, X, y, folds, params=[0.7], sample_weight=sw)
    for k, (tr, te) in enumerate(folds):
        for a_i, a in enumerate(alphas):
            m = sk.ElasticNet(alpha=a, l1_ratio=0.7, tol=1e-12).fit(X[tr], y[tr],
                                                                     sample_weight=sw[tr])
            expected = np.average((m.predict(X[te]) - y[te]) ** 2, weights=sw[te])
            assert mse[0, k, a_i] == pytest.approx(expected, rel=1e-8)


def test_cv_path_scores_custom_score_and_unscaled_weights():
    """``score`` replaces the MSE and ``rescale_weights=False`` passes the training weights as given
    (ridge's unnormalized objective): checked against scikit-learn's Ridge + weighted R^2."""
    from sklearn.metrics import r2_score

    X, y = make_data(40, 5, seed=3)
    sw = np.random.default_rng(2).uniform(0.2, 3.0, 40)
    folds = list(KFold(4).split(X))
    alphas = np.array([5.0, 0.5])
    seen = []

    class RidgePath:
        def __init__(self, coefs, intercepts):
            self.coefs, self.intercepts = coefs, intercepts

    def fit_path(state, _):
        Xt, yt, swt = state
        seen.append(swt.sum())
        xm, ym = swt @ Xt / swt.sum(), swt @ yt / swt.sum()
        A, z = np.sqrt(swt)[:, None] * (Xt - xm), np.sqrt(swt) * (yt - ym)
        coefs = np.column_stack([np.linalg.solve(A.T @ A + a * np.eye(A.shape[1]), A.T @ z)
                                 for a in alphas])
        return RidgePath(coefs, ym - xm @ coefs)

    def r2(path, Xte, yte, swte):
        pred = Xte @ path.coefs + path.intercepts
        return np.array([r2_score(yte, pred[:, i], sample_weight=swte) for i in range(len(alphas))])

    scores = cv_path_scores(fit_path, X, y, folds, sample_weight=sw, score=r2,
                            rescale_weights=False)
    np.testing.assert_allclose(sorted(seen), sorted(sw[tr].sum() for tr, _ in folds), rtol=1e-12)
    for k, (tr, te) in enumerate(folds):
        for i, a in enumerate(alphas):
            m = sk.Ridge(alpha=a).fit(X[tr], y[tr], sample_weight=sw[tr])
            assert scores[0, k, i] == pytest.approx(m.score(X[te], y[te], sample_weight=sw[te]),
                                                    rel=1e-10)


def test_select_alpha_non_finite_losses():
    """Failed fits (+inf loss) rank last and never break the 1-SE rule."""
    loss = np.array([[[np.inf, 2.0, 3.0], [1.0, 2.0, 3.0]]])
    i_param, i_min, i_1se, mean, _ = select_alpha(loss, np.array([[3.0, 2.0, 1.0]]))
    assert (i_param, i_min, i_1se) == (0, 1, 1)
    assert select_alpha(np.full((1, 2, 2), np.inf), np.array([[2.0, 1.0]]))[:3] == (0, 0, 0)


def test_dask_backend():
    pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    import joblib

    X, y = make_data(60, 10, seed=8)
    ref = fastreg.ElasticNetCV(cv=3, l1_ratio=[0.5, 1.0], alphas=15).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                      dashboard_address=":0") as cluster, \
                distributed.Client(cluster) as client:
            with joblib.parallel_backend("dask"):
                model = fastreg.ElasticNetCV(cv=3, l1_ratio=[0.5, 1.0], alphas=15,
                                             n_jobs=2).fit(X, y)
            assert client.status == "running"
    np.testing.assert_allclose(model.mse_path_, ref.mse_path_, rtol=1e-12)
    assert model.alpha_ == ref.alpha_


def test_clone_and_params():
    from sklearn.base import clone

    model = fastreg.LassoCV(cv=3, alphas=10, selection_rule="1se", penalty_factor=[1.0, 0.0])
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert "l1_ratio" not in copy.get_params()
    assert fastreg.ElasticNetCV(l1_ratio=[0.2, 1.0]).get_params()["l1_ratio"] == [0.2, 1.0]


@pytest.mark.parametrize("cv", ["kfold", "shuffle"])
@pytest.mark.parametrize("precompute", ["auto", True, False])
def test_c_and_f_ordered_X_give_the_same_cv(cv, precompute):
    # with more rows than features the CV reads a C-ordered X as it is (its folds' statistics and
    # final fit are Gram layouts); ShuffleSplit does not partition the rows, so each fold is then
    # fitted on its own rows instead
    from sklearn.model_selection import ShuffleSplit

    Xc, y = make_data(300, 12, seed=41, corr=True)
    Xf = np.asfortranarray(Xc)
    kw = dict(cv=KFold(4) if cv == "kfold" else ShuffleSplit(4, test_size=0.3, random_state=0),
              precompute=precompute, tol=1e-10, max_iter=100000)
    for est in (fastreg.LassoCV(**kw), fastreg.ElasticNetCV(l1_ratio=[0.3, 0.9], **kw)):
        a, b = clone(est).fit(Xc, y), clone(est).fit(Xf, y)
        assert a.alpha_ == b.alpha_
        np.testing.assert_allclose(a.mse_path_, b.mse_path_, rtol=1e-9)
        np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-7, atol=1e-8)
    assert Xc.flags.c_contiguous and not Xc.flags.f_contiguous
