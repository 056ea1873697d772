"""enet_path / lasso_path against scikit-learn's, and against ElasticNet fits at every alpha."""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from fastreg import ElasticNet, enet_path, lasso_path
from fastreg._path import PathResult

from _helpers import alpha_max, assert_kkt, make_problem

TIGHT = dict(tol=1e-10, max_iter=100_000)
LAYOUTS = {
    "gram": lambda X: (X, dict(precompute=True)),
    "dense": lambda X: (X, dict(precompute=False)),
    "csc": lambda X: (sparse.csc_matrix(X), {}),
}


def kkt_along_path(result, X, y, *, l1_ratio, fit_intercept=False, positive=False,
                   sample_weight=None):
    for i, alpha in enumerate(result.alphas):
        sol = SimpleNamespace(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                              positive=positive, coef_=result.coefs[..., i],
                              intercept_=result.intercepts[..., i],
                              dual_gap_=result.dual_gaps[..., i])
        assert_kkt(sol, X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("l1_ratio", [0.3, 1.0])
@pytest.mark.parametrize("kind", ["p>n", "n>>p", "correlated"])
def test_enet_path_matches_sklearn(kind, l1_ratio, layout, positive):
    X, y = make_problem(kind, seed=30)
    X = X - X.mean(axis=0)  # the path functions fit no intercept
    Xl, kw = LAYOUTS[layout](X)
    ours = enet_path(Xl, y, l1_ratio=l1_ratio, n_alphas=12, eps=1e-2, positive=positive,
                     **TIGHT, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        alphas, coefs, gaps = sk.enet_path(X, y, l1_ratio=l1_ratio, alphas=12, eps=1e-2,
                                           positive=positive, **TIGHT)
    assert isinstance(ours, PathResult)
    assert_allclose(ours.alphas, alphas, rtol=1e-12)
    assert ours.coefs.shape == coefs.shape == (X.shape[1], 12)
    assert_allclose(ours.coefs, coefs, rtol=1e-4, atol=1e-5 * np.abs(coefs).max())
    assert np.all(ours.dual_gaps <= 1e-10 * (y @ y) / len(y))
    assert_array_equal(ours.intercepts, 0)
    kkt_along_path(ours, X, y, l1_ratio=l1_ratio, positive=positive)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_lasso_path_matches_sklearn(layout):
    X, y = make_problem("p>n", seed=31)
    Xl, kw = LAYOUTS[layout](X)
    ours = lasso_path(Xl, y, n_alphas=10, **TIGHT, **kw)
    alphas, coefs, _ = sk.lasso_path(X, y, alphas=10, **TIGHT)
    assert_allclose(ours.alphas, alphas, rtol=1e-12)
    assert_allclose(ours.coefs, coefs, rtol=1e-4, atol=1e-5 * np.abs(coefs).max())
    assert_array_equal(ours.coefs[:, 0], 0)  # the grid starts at alpha_max
    assert np.count_nonzero(ours.coefs[:, 1]) >= 1
    kkt_along_path(ours, X, y, l1_ratio=1.0)


def test_unpacking_and_return_n_iter():
    X, y = make_problem("n>>p", seed=32)
    res = lasso_path(X, y, n_alphas=5)
    assert len(res) == 3
    alphas, coefs, gaps = res
    assert alphas is res.alphas and coefs is res.coefs and gaps is res.dual_gaps
    assert res[0] is res.alphas and res[-1] is res.dual_gaps
    with pytest.raises(ValueError):
        a, b, c, d = res
    res4 = lasso_path(X, y, n_alphas=5, return_n_iter=True)
    assert len(res4) == 4
    alphas, coefs, gaps, n_iters = res4
    assert n_iters is res4.n_iters
    assert n_iters.shape == (5,) and np.issubdtype(n_iters.dtype, np.integer)
    assert n_iters[0] == 0 and np.all(n_iters[1:] >= 1)  # alpha_max: zero is optimal at once
    sk_out = sk.lasso_path(X, y, alphas=5, return_n_iter=True)
    assert len(sk_out) == 4
    assert_allclose(alphas, sk_out[0], rtol=1e-12)
    assert "PathResult" in repr(res4)


def test_path_result_attributes():
    X, y = make_problem("p>n", seed=33)
    res = enet_path(X, y, l1_ratio=0.5, n_alphas=7, eps=1e-2)
    assert res.alphas.shape == (7,)
    assert np.all(np.diff(res.alphas) < 0)
    assert res.alphas[-1] == pytest.approx(res.alphas[0] * 1e-2)
    assert res.coefs.shape == (X.shape[1], 7)
    assert res.dual_gaps.shape == (7,)
    assert res.n_iters.shape == (7,)
    assert res.intercepts.shape == (7,)
    assert_array_equal(res.intercepts, 0)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("sw", [False, True])
def test_intercepts_and_weights_equal_estimator_fits(sw, layout):
    X, y = make_problem("p>n", seed=34)
    weights = np.random.default_rng(34).uniform(0, 2, size=len(y)) if sw else None
    if sw:
        weights[:3] = 0.0
    Xl, kw = LAYOUTS[layout](X)
    res = enet_path(Xl, y, l1_ratio=0.6, n_alphas=6, eps=1e-2, fit_intercept=True,
                    sample_weight=weights, **TIGHT, **kw)
    amax = alpha_max(X, y, l1_ratio=0.6, sample_weight=weights)
    assert res.alphas[0] == pytest.approx(amax, rel=1e-10)
    for i, alpha in enumerate(res.alphas):
        est = ElasticNet(alpha=alpha, l1_ratio=0.6, **TIGHT, **kw).fit(Xl, y, sample_weight=weights)
        assert_allclose(res.coefs[:, i], est.coef_, rtol=1e-5, atol=1e-7 * (np.abs(est.coef_).max() + 1))
        assert_allclose(res.intercepts[i], est.intercept_, rtol=1e-6, atol=1e-7)
        ref = sk.ElasticNet(alpha=alpha, l1_ratio=0.6, **TIGHT).fit(X, y, sample_weight=weights)
        assert_allclose(res.intercepts[i], ref.intercept_, rtol=1e-5, atol=1e-6)
    kkt_along_path(res, X, y, l1_ratio=0.6, fit_intercept=True, sample_weight=weights)


def test_xy_argument():
    X, y = make_problem("n>>p", seed=35)
    Xy = X.T @ y
    a = lasso_path(X, y, n_alphas=5, Xy=Xy)
    b = lasso_path(X, y, n_alphas=5)
    assert_allclose(a.alphas, b.alphas, rtol=1e-12)
    assert_allclose(a.coefs, b.coefs)
    c = lasso_path(X, y, n_alphas=5, Xy=2 * Xy)  # the grid follows the given Xy
    assert_allclose(c.alphas, 2 * b.alphas, rtol=1e-12)
    sk_alphas = sk.lasso_path(X, y, alphas=5, Xy=2 * Xy)[0]
    assert_allclose(c.alphas, sk_alphas, rtol=1e-12)
    with pytest.raises(ValueError, match="Xy"):
        lasso_path(X, y, Xy=Xy[:-1])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_coef_init(layout):
    X, y = make_problem("p>n", seed=36)
    Xl, kw = LAYOUTS[layout](X)
    alpha = 0.1 * alpha_max(X, y, fit_intercept=False)
    cold = lasso_path(Xl, y, alphas=[alpha], return_n_iter=True, **TIGHT, **kw)
    warm = lasso_path(Xl, y, alphas=[alpha], coef_init=cold.coefs[:, 0], return_n_iter=True,
                      **TIGHT, **kw)
    assert warm.n_iters[0] == 0  # started at the optimum
    assert_allclose(warm.coefs, cold.coefs)
    bad = np.full(X.shape[1], 5.0)  # a poor start still reaches the same optimum
    far = lasso_path(Xl, y, alphas=[alpha], coef_init=bad, **TIGHT, **kw)
    assert_allclose(far.coefs, cold.coefs, rtol=1e-5, atol=1e-7 * np.abs(cold.coefs).max())
    assert far.coefs is not bad and np.all(bad == 5.0)
    with pytest.raises(ValueError, match="coef_init has shape"):
        lasso_path(Xl, y, alphas=[alpha], coef_init=np.ones(3), **kw)
    ref = sk.lasso_path(X, y, alphas=[alpha], coef_init=bad, **TIGHT)[1]
    assert_allclose(far.coefs, ref, rtol=1e-4, atol=1e-6 * np.abs(ref).max())


def test_given_alphas_sorted_and_int():
    X, y = make_problem("n>>p", seed=37)
    res = lasso_path(X, y, alphas=[0.01, 1.0, 0.1], **TIGHT)
    assert_array_equal(res.alphas, [1.0, 0.1, 0.01])
    single = lasso_path(X, y, alphas=[0.1], **TIGHT)
    assert_allclose(single.coefs[:, 0], res.coefs[:, 1], rtol=1e-6, atol=1e-9)
    assert lasso_path(X, y, alphas=4).alphas.shape == (4,)
    assert_allclose(lasso_path(X, y, alphas=4).alphas, sk.lasso_path(X, y, alphas=4)[0], rtol=1e-12)


@pytest.mark.parametrize("fit_intercept", [False, True])
def test_2d_y_is_per_target(fit_intercept):
    X, Y = make_problem("p>n", seed=38, n_targets=3)
    alphas = [1.0, 0.3, 0.1]
    res = enet_path(X, Y, alphas=alphas, fit_intercept=fit_intercept, **TIGHT)
    assert res.coefs.shape == (3, X.shape[1], 3)
    assert res.dual_gaps.shape == res.n_iters.shape == res.intercepts.shape == (3, 3)
    for k in range(3):
        one = enet_path(X, Y[:, k], alphas=alphas, fit_intercept=fit_intercept, **TIGHT)
        assert_allclose(res.coefs[k], one.coefs, rtol=1e-8, atol=1e-12)
        assert_allclose(res.intercepts[k], one.intercepts, rtol=1e-8, atol=1e-12)
    default = enet_path(X, Y, n_alphas=4, eps=0.1, fit_intercept=fit_intercept)
    assert_array_equal(default.coefs[..., 0], 0)  # the grid starts where every target is zero


def kkt_per_target(result, X, Y, **kw):
    """:func:`kkt_along_path` for each target of a 2-D y's path."""
    for k in range(Y.shape[1]):
        kkt_along_path(SimpleNamespace(alphas=result.alphas, coefs=result.coefs[k],
                                       intercepts=result.intercepts[k],
                                       dual_gaps=result.dual_gaps[k]), X, Y[:, k], **kw)


def _spy_target_threads(monkeypatch):
    """Record the thread count of every call of solve_path's map over the targets."""
    import fastreg._path as path_module

    used = []
    real = path_module.map_threads

    def spy(func, items, n_threads):
        used.append(n_threads)
        return real(func, items, n_threads)

    monkeypatch.setattr(path_module, "map_threads", spy)
    return used


@pytest.mark.parametrize("selection", ["cyclic", "random"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_targets_in_threads_equal_one_after_the_other(layout, selection, monkeypatch):
    X, Y = make_problem("p>n", seed=41, n_targets=3)
    Xl, kw = LAYOUTS[layout](X)
    used = _spy_target_threads(monkeypatch)
    common = dict(l1_ratio=0.7, n_alphas=8, eps=1e-2, fit_intercept=True, selection=selection,
                  random_state=3, **TIGHT, **kw)
    threaded = enet_path(Xl, Y, n_threads=2, **common)
    # the target threads run BLAS (the Newton steps' Gram columns) on one thread each: with the
    # same BLAS threads, the same seeds give the same iterates, bit for bit
    with threadpool_limits(limits=1, user_api="blas"):
        serial = enet_path(Xl, Y, n_threads=1, **common)
    assert used == [2, 1]
    scale = np.abs(serial.coefs).max()
    assert scale > 0
    assert_array_equal(threaded.coefs, serial.coefs)
    assert_array_equal(threaded.intercepts, serial.intercepts)
    assert_array_equal(threaded.dual_gaps, serial.dual_gaps)
    assert_array_equal(threaded.n_iters, serial.n_iters)
    kkt_per_target(threaded, X, Y, l1_ratio=0.7, fit_intercept=True)
    if selection == "cyclic":  # each target is its own 1-D path (at TIGHT's gap: X^T Y and
        for k in range(3):     # X^T y round differently, see test_enet.test_2d_y)
            one = enet_path(Xl, Y[:, k], alphas=threaded.alphas, n_threads=1,
                            **{**common, "n_alphas": None})
            assert_allclose(threaded.coefs[k], one.coefs, rtol=1e-7, atol=1e-8 * scale)


def test_targets_threads_sparse_rows_and_warnings(monkeypatch):
    # sparse float64 paths with the row cache, and convergence warnings raised in the caller's
    # thread, per target and alpha in order, as without threads
    rng = np.random.default_rng(42)
    X = sparse.random(300, 900, density=0.03, format="csc", random_state=42,
                      data_rvs=rng.standard_normal)
    Y = np.column_stack([X[:, :12] @ rng.standard_normal(12) + rng.standard_normal(300)
                         for _ in range(4)])
    used = _spy_target_threads(monkeypatch)
    common = dict(n_alphas=30, eps=1e-2, fit_intercept=True, tol=1e-9, max_iter=100_000)
    threaded = lasso_path(X, Y, n_threads=2, **common)
    with threadpool_limits(limits=1, user_api="blas"):
        serial = lasso_path(X, Y, n_threads=1, **common)
    assert used == [2, 1]
    assert np.count_nonzero(serial.coefs[:, :, -1]) > 4 * 30  # non-trivial supports
    assert_array_equal(threaded.coefs, serial.coefs)
    assert_array_equal(threaded.dual_gaps, serial.dual_gaps)
    kkt_per_target(threaded, X.toarray(), Y, l1_ratio=1.0, fit_intercept=True)
    short = dict(common, max_iter=2, tol=1e-12)
    with pytest.warns(ConvergenceWarning) as threaded_warnings:
        lasso_path(X, Y, n_threads=2, **short)
    with pytest.warns(ConvergenceWarning) as serial_warnings:
        lasso_path(X, Y, n_threads=1, **short)
    assert len(threaded_warnings) == len(serial_warnings) > 4
    assert ([str(w.message) for w in threaded_warnings]
            == [str(w.message) for w in serial_warnings])


def test_target_threads_choice(monkeypatch):
    import threading

    import numba

    from fastreg._path import _TARGET_THREAD_MIN_WORK, _target_threads, prepare

    X, Y = make_problem("p>n", seed=43, n_targets=3)
    _, design = prepare(X, Y, fit_intercept=True, precompute=False)
    assert _target_threads(2, design, 3, False) == 2
    assert _target_threads(8, design, 3, False) == 3  # one target per thread at most
    assert _target_threads(1, design, 3, False) == 1
    assert _target_threads(2, design, 1, False) == 1  # one target: the passes may thread
    assert _target_threads(2, design, 3, True) == 1  # verbose prints in order
    # automatic: below the work threshold one after the other, above it every Numba thread
    assert X.size * 3 < _TARGET_THREAD_MIN_WORK
    assert _target_threads(None, design, 3, False) == 1
    monkeypatch.setattr("fastreg._path._TARGET_THREAD_MIN_WORK", 1)
    assert _target_threads(None, design, 3, False) == min(3, numba.get_num_threads())
    before = numba.get_num_threads()
    numba.set_num_threads(1)  # how a user keeps the estimators on one thread
    try:
        assert _target_threads(None, design, 3, False) == 1
    finally:
        numba.set_num_threads(before)
    out = []  # never from another thread (a user's pool, joblib's threads): no nesting
    worker = threading.Thread(target=lambda: out.append(_target_threads(None, design, 3, False)))
    worker.start()
    worker.join()
    assert out == [1]


def test_one_blas_thread_for_mid_sized_dense_fits_and_target_threads(monkeypatch):
    # BLAS runs on one thread for targets in threads and for dense fits from 1e6 entries (the
    # Newton steps' Gram blocks), threaded passes or not; other fits leave it alone
    import fastreg._path as path_module

    seen = []
    real = path_module.one_blas_thread

    def spy(on=True):
        seen.append(on)
        return real(on)

    monkeypatch.setattr(path_module, "one_blas_thread", spy)
    rng = np.random.default_rng(44)
    X = rng.standard_normal((250, 4000))
    Y = X[:, :3] @ rng.standard_normal((3, 2)) + rng.standard_normal((250, 2))
    assert X.size >= path_module._ONE_BLAS_MIN_SIZE
    cases = [(X, Y[:, 0], dict(precompute=False), True),
             (X, Y[:, 0], dict(precompute=False, n_threads=2), True),  # threaded passes
             (X, Y[:, 0], dict(precompute=False, newton=False), False),
             (X[:, :100], Y[:, 0], dict(precompute=False), False),  # small: not worth the limit
             (sparse.csc_matrix(X), Y[:, 0], {}, False),
             (X[:, :100], Y, dict(precompute=False, n_threads=2), True)]  # targets in threads
    for Xc, y, kw, expected in cases:
        seen.clear()
        res = lasso_path(Xc, y, n_alphas=5, eps=0.1, tol=1e-8, **kw)
        assert seen == [expected], kw
        assert np.all(res.dual_gaps <= 1e-8 * np.sum(np.square(y), axis=0).max() / 250)


def test_one_blas_thread_only_from_the_main_thread():
    # the limit is process-wide and restores what it found: from the main thread it limits and
    # restores; from other threads (whose contexts could overlap) it does nothing
    import threading

    from threadpoolctl import threadpool_info

    from fastreg._preprocess import one_blas_thread

    def blas_threads():
        return sorted(lib["num_threads"] for lib in threadpool_info()
                      if lib["user_api"] == "blas")

    with threadpool_limits(limits=2, user_api="blas"):  # (whatever the environment set)
        before = blas_threads()
        assert before and max(before) == 2
        with one_blas_thread(True):
            assert all(n == 1 for n in blas_threads())
        assert blas_threads() == before
        seen = []

        def worker():
            with one_blas_thread(True):
                seen.append(blas_threads())

        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert seen == [before] and blas_threads() == before


@pytest.mark.parametrize("layout", LAYOUTS)
def test_float32_path(layout):
    X, y = make_problem("n>>p", seed=39, dtype=np.float32)
    Xl, kw = LAYOUTS[layout](X)
    res = lasso_path(Xl, y, n_alphas=5, tol=1e-6, **kw)
    assert res.coefs.dtype == np.float32
    assert res.intercepts.dtype == np.float32
    ref = lasso_path(X.astype(np.float64), y.astype(np.float64), n_alphas=5, tol=1e-10)
    assert_allclose(res.coefs, ref.coefs, rtol=1e-3, atol=1e-3 * np.abs(ref.coefs).max())


def test_path_check_input_false_and_copy():
    X, y = make_problem("p>n", seed=40)
    Xf = np.asfortranarray(X)
    Xc, yc = Xf.copy(), y.copy()
    a = enet_path(Xf, y, n_alphas=4, check_input=False, fit_intercept=True)
    b = enet_path(X, y, n_alphas=4, fit_intercept=True)
    assert_allclose(a.coefs, b.coefs)
    assert_array_equal(Xf, Xc)
    assert_array_equal(y, yc)


def test_path_convergence_warning():
    X, y = make_problem("correlated", seed=41)
    with pytest.warns(ConvergenceWarning, match="Duality gap"):
        lasso_path(X, y, n_alphas=3, eps=1e-4, max_iter=1, tol=1e-12)


@pytest.mark.parametrize("selection", ["cyclic", "random"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_one_compiled_call_equals_one_call_per_alpha(layout, selection, capsys):
    # the whole path runs in one enet_path_cd call; verbose runs it one alpha at a time (to
    # print): the warm starts, kept gradients and random seeds must carry over identically
    X, y = make_problem("correlated", seed=44)
    Xl, kw = LAYOUTS[layout](X)
    args = dict(l1_ratio=0.7, n_alphas=12, eps=1e-3, fit_intercept=True, return_n_iter=True,
                selection=selection, random_state=3, tol=1e-8, **kw)
    whole = enet_path(Xl, y, **args)
    stepwise = enet_path(Xl, y, verbose=True, **args)
    assert capsys.readouterr().out.count("[fastreg] target 1/1 alpha") == 12
    assert_array_equal(whole.coefs, stepwise.coefs)
    assert_array_equal(whole.dual_gaps, stepwise.dual_gaps)
    assert_array_equal(whole.n_iters, stepwise.n_iters)
    assert whole.n_iters.sum() > 0 and np.count_nonzero(whole.coefs[:, -1]) > 0


def test_path_warns_once_per_unconverged_alpha():
    X, y = make_problem("correlated", seed=41)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = lasso_path(X, y, n_alphas=4, eps=1e-4, max_iter=1, tol=1e-12)
    msgs = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    tol_abs = 1e-12 * np.sum(y ** 2)
    assert len(msgs) == int(np.sum(res.dual_gaps * X.shape[0] > tol_abs)) >= 1


def test_path_unexpected_params():
    X, y = make_problem("n>>p", seed=42)
    with pytest.raises(ValueError, match="Unexpected parameters"):
        lasso_path(X, y, foo=1)
    with pytest.raises(ValueError, match="l1_ratio"):
        enet_path(X, y, l1_ratio=1.5)
    with pytest.raises(ValueError, match="l1_ratio=0"):
        enet_path(X, y, l1_ratio=0.0)  # no automatic grid for a ridge
    with pytest.raises(ValueError, match="alphas"):
        lasso_path(X, y, alphas=[-1.0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        lasso_path(X, y[:-1])


def unsorted_csc(X):
    """A CSC matrix whose row indices are in decreasing order inside each column."""
    A = sparse.csc_matrix(X)
    for j in range(A.shape[1]):
        s, e = A.indptr[j], A.indptr[j + 1]
        A.indices[s:e] = A.indices[s:e][::-1].copy()
        A.data[s:e] = A.data[s:e][::-1].copy()
    A.has_sorted_indices = False
    return A


def test_as_sparse_format_keeps_the_sorted_record():
    """The CSC wrapper of a fit shares X's arrays and X's record of sorted indices, and never
    claims sorted indices that X does not have."""
    from fastreg._preprocess import as_sparse_format

    X, _ = make_problem("p>n", seed=44)
    X[np.random.default_rng(44).random(X.shape) < 0.5] = 0.0
    A = sparse.csc_matrix(X)
    assert A.has_sorted_indices
    B = as_sparse_format(A, sparse.csc_matrix)
    assert np.shares_memory(B.indices, A.indices) and B.has_sorted_indices
    U = unsorted_csc(X)
    V = as_sparse_format(U, sparse.csc_matrix)
    assert np.shares_memory(V.indices, U.indices) and not V.has_sorted_indices
    R = as_sparse_format(U.tocsr(), sparse.csc_matrix)  # converted: checked as usual
    in_order = all(np.all(np.diff(R.indices[R.indptr[j]:R.indptr[j + 1]]) > 0)
                   for j in range(R.shape[1]))
    assert R.has_sorted_indices == in_order
    assert_array_equal(R.toarray(), X)


@pytest.mark.parametrize("sw", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_path_copy_X_keeps_unsorted_sparse_intact(fit_intercept, sw):
    X, y = make_problem("p>n", seed=43)
    X[np.random.default_rng(43).random(X.shape) < 0.5] = 0.0
    A = unsorted_csc(X)
    assert not A.has_sorted_indices
    indices, data = A.indices.copy(), A.data.copy()
    weights = np.random.default_rng(43).uniform(0.5, 2, size=len(y)) if sw else None
    res = enet_path(A, y, n_alphas=4, eps=0.1, fit_intercept=fit_intercept, sample_weight=weights,
                    **TIGHT)
    assert_array_equal(A.indices, indices)
    assert_array_equal(A.data, data)
    dense = enet_path(X, y, n_alphas=4, eps=0.1, fit_intercept=fit_intercept,
                      sample_weight=weights, **TIGHT)
    assert_allclose(res.coefs, dense.coefs, rtol=1e-6, atol=1e-9)
    est = ElasticNet(alpha=res.alphas[2], fit_intercept=fit_intercept, **TIGHT).fit(
        A, y, sample_weight=weights)
    assert_array_equal(A.indices, indices)
    assert_allclose(est.coef_, res.coefs[:, 2], rtol=1e-6, atol=1e-9)
