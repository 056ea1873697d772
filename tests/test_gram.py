"""The one-pass centered Gram (``fastreg._kernels.gram``) and the Gram layout built from it."""

import numpy as np
import pytest
from scipy import sparse

import fastreg._preprocess as pre
from fastreg._path import make_design, prepare
from fastreg._preprocess import centered_scatter, preprocess_data


def _reference(X, Y, rows, sw, center):
    """Explicit float64 centering, weighting and product."""
    n = X.shape[0]
    r = np.arange(n) if rows is None else rows
    U = np.column_stack([X, Y]).astype(np.float64)[r]
    w = (np.ones(n) if sw is None else sw)[r]
    m = np.average(U, axis=0, weights=w) if center else np.zeros(U.shape[1])
    A = (U - m) * np.sqrt(w)[:, None]
    return A.T @ A, m, w.sum()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(1, 1, 1), (7, 3, 1), (256, 4, 1), (257, 6, 2), (1000, 37, 3)])
@pytest.mark.parametrize("rows", ["all", "range", "perm", "mask"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("route", ["tiles", "blas", "tiles C-ordered"])
def test_centered_scatter_matches_explicit(dtype, shape, rows, weighted, center, route,
                                           monkeypatch):
    if route == "blas":  # the BLAS row blocks taken for many columns (several blocks here)
        monkeypatch.setattr(pre, "_SCATTER_MAX_COLUMNS", 0)
        monkeypatch.setattr(pre, "_BLAS_BLOCK_BYTES", 1)
    n, p, t = shape
    rng = np.random.default_rng(n + p)
    # a large mean: centering before the product is what keeps the digits
    X = (rng.standard_normal((n, p)) * 3 + 50).astype(dtype)
    X = np.ascontiguousarray(X) if route.endswith("C-ordered") else np.asfortranarray(X)
    Y = rng.standard_normal((n, t)).astype(dtype)
    sw = rng.uniform(0, 2, n) if weighted else None
    sel = {"all": None, "range": np.arange(n // 3, n), "perm": rng.permutation(n)[: max(1, n // 2)],
           "mask": rng.random(n) < 0.6}[rows]
    if rows == "mask" and not sel.any():
        sel[0] = True
    S, m, W = centered_scatter(X, Y, rows=sel, sample_weight=sw, center=center)
    S0, m0, W0 = _reference(X, Y, sel, sw, center)
    tol = 1e-11 if dtype == np.float64 else 2e-5
    scale = max(np.abs(S0).max(), 1.0)
    assert S.dtype == np.float64 and S.shape == S0.shape
    np.testing.assert_array_equal(S, S.T)
    np.testing.assert_allclose(S, S0, rtol=0, atol=tol * scale)
    np.testing.assert_allclose(m, m0, rtol=tol)
    assert W == pytest.approx(W0)


def test_centered_scatter_threads_give_the_same_result(monkeypatch):
    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((3000, 9)) + 2)
    Y = rng.standard_normal((3000, 1))
    sw = rng.uniform(0.5, 1.5, 3000)
    one = centered_scatter(X, Y, sample_weight=sw)
    monkeypatch.setattr(pre, "_SCATTER_THREAD_MIN_WORK", 0)
    monkeypatch.setattr(pre, "_scatter_threads", lambda work: 3)
    for rows in (None, rng.permutation(3000)[:1000]):
        split = centered_scatter(X, Y, rows=rows, sample_weight=sw)
        ref = _reference(X, Y, rows, sw, True)
        np.testing.assert_allclose(split[0], ref[0], rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(split[1], ref[1], rtol=1e-12)
    np.testing.assert_allclose(one[0], centered_scatter(X, Y, sample_weight=sw)[0], rtol=1e-12)


def test_centered_scatter_reads_read_only_and_strided_input():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((300, 10))[:, ::2]  # neither C- nor F-contiguous
    Y = rng.standard_normal((300, 1))
    X.flags.writeable = False
    before = X.copy()
    S, _, _ = centered_scatter(X, Y)
    np.testing.assert_array_equal(X, before)
    np.testing.assert_allclose(S, _reference(X, Y, None, None, True)[0], rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_targets", [None, 2])
def test_gram_design_equals_the_explicit_one(dtype, fit_intercept, weighted, n_targets):
    """prepare() on dense n > p data (no copy of X) gives the design of explicit centering."""
    rng = np.random.default_rng(3)
    n, p = 400, 11
    X = np.asfortranarray(rng.standard_normal((n, p)) * 2 + 7, dtype=dtype)
    y = rng.standard_normal(n if n_targets is None else (n, n_targets)).astype(dtype)
    sw = rng.uniform(0, 3, n) if weighted else None
    X_before, y_before = X.copy(), y.copy()
    prep, design = prepare(X, y, fit_intercept=fit_intercept, sample_weight=sw)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    assert design.kind == "gram" and prep.X is None
    # the reference: an explicitly centered, scaled copy and its products in float64
    swn = None if sw is None else sw * n / sw.sum()
    ref = preprocess_data(X.astype(np.float64), y.astype(np.float64), fit_intercept=fit_intercept,
                          sample_weight=swn)
    Z, z = ref.X, ref.y
    tol = 1e-10 if dtype == np.float64 else 1e-4
    assert design.data.dtype == dtype and design.Zty.dtype == dtype
    G = Z.T @ Z
    np.testing.assert_allclose(design.data, G, rtol=tol, atol=tol * np.abs(G).max())
    np.testing.assert_allclose(design.Zty, Z.T @ z, rtol=tol, atol=tol * np.abs(Z.T @ z).max())
    np.testing.assert_allclose(design.yy, (z * z).sum(axis=0), rtol=tol)
    np.testing.assert_allclose(design.col_norm2, np.diag(G), rtol=tol)
    np.testing.assert_allclose(prep.X_offset, ref.X_offset, rtol=tol)
    np.testing.assert_allclose(prep.y_offset, ref.y_offset, rtol=tol, atol=tol)
    assert np.shape(prep.y_offset) == np.shape(ref.y_offset)


def test_make_design_gram_of_a_prepared_x():
    """make_design's own Gram layout (precompute=True on an already centered X)."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((60, 80))  # p > n: prepare() keeps the explicit copy
    y = rng.standard_normal(60)
    prep = preprocess_data(X, y, fit_intercept=True)
    design = make_design(prep, precompute=True)
    np.testing.assert_allclose(design.data, prep.X.T @ prep.X, rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(design.Zty, prep.X.T @ prep.y, rtol=1e-12, atol=1e-10)
    sp = make_design(preprocess_data(sparse.csc_matrix(X), y, fit_intercept=True), precompute=True)
    np.testing.assert_allclose(sp.data, design.data, rtol=1e-10, atol=1e-10)


# ----------------------------------------------------------------------------- fold statistics
def test_fold_statistics_in_memory_match_each_folds_rows():
    from sklearn.model_selection import KFold

    from fastreg._stats import fold_statistics_in_memory

    rng = np.random.default_rng(5)
    n, p = 97, 6
    X = np.asfortranarray(rng.standard_normal((n, p)) + 4)
    y = rng.standard_normal(n)
    sw = rng.uniform(0, 2, n)
    folds = list(KFold(4, shuffle=True, random_state=0).split(X))
    stats = fold_statistics_in_memory(X, y, folds, sw)
    assert len(stats) == 4
    # the folds' passes on two threads: the same statistics, in fold order
    threaded = fold_statistics_in_memory(X, y, folds, sw, n_threads=2)
    for pair, pair2 in zip(stats, threaded):
        for st, st2 in zip(pair, pair2):
            for a, b in zip(st, st2):
                np.testing.assert_array_equal(a, b)
    for (train, test), (st_train, st_test) in zip(folds, stats):
        for rows, st in ((train, st_train), (test, st_test)):
            S0, m0, W0 = _reference(X, y[:, None], rows, sw, True)
            assert st.n == len(rows) and st.sw == pytest.approx(W0)
            np.testing.assert_allclose(st.xbar, m0[:p], rtol=1e-12)
            np.testing.assert_allclose(st.ybar, m0[p:], rtol=1e-12)
            np.testing.assert_allclose(st.Sxx, S0[:p, :p], rtol=1e-11, atol=1e-9)
            np.testing.assert_allclose(st.Sxy, S0[:p, p:], rtol=1e-11, atol=1e-9)
            np.testing.assert_allclose(st.Syy, np.diag(S0)[p:], rtol=1e-11)
            assert st.wmin == pytest.approx(sw[rows].min())


def test_fold_statistics_in_memory_only_for_partitions():
    from sklearn.model_selection import KFold, ShuffleSplit

    from fastreg._stats import fold_statistics_in_memory

    rng = np.random.default_rng(6)
    X = rng.standard_normal((40, 3))
    y = rng.standard_normal(40)
    assert fold_statistics_in_memory(X, y, list(ShuffleSplit(3, random_state=0).split(X))) is None
    kfold = list(KFold(4).split(X))
    assert fold_statistics_in_memory(X, y, kfold) is not None
    # a training set that is not the complement of its test set
    short = [(train[1:], test) for train, test in kfold]
    assert fold_statistics_in_memory(X, y, short) is None
    overlap = [(np.concatenate([train[:-1], test[:1]]), test) for train, test in kfold]
    assert fold_statistics_in_memory(X, y, overlap) is None
    # boolean masks are accepted
    masks = [(np.isin(np.arange(40), tr), np.isin(np.arange(40), te)) for tr, te in kfold]
    assert fold_statistics_in_memory(X, y, masks) is not None


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("route", ["tiles", "blas", "tiles C-ordered"])
def test_design_scatter_of_fixed_offsets_and_a_ready_target(dtype, weighted, route, monkeypatch):
    """Ridge's blocked design: ``[A, z]^T [A, z]`` with A centered on given offsets (float64
    even for float32 X) and z used as given (neither centered nor weighted again)."""
    from fastreg._preprocess import design_scatter

    if route == "blas":
        monkeypatch.setattr(pre, "_SCATTER_MAX_COLUMNS", 0)
        monkeypatch.setattr(pre, "_BLAS_BLOCK_BYTES", 1)
    rng = np.random.default_rng(8)
    n, p = 700, 9
    X = (rng.standard_normal((n, p)) + 30).astype(dtype)
    X = np.ascontiguousarray(X) if route.endswith("C-ordered") else np.asfortranarray(X)
    z = rng.standard_normal((n, 2)).astype(dtype)
    offset = rng.standard_normal(p) + 30
    sqrt_w = np.sqrt(rng.uniform(0, 2, n)).astype(dtype) if weighted else None
    A = X.astype(np.float64) - offset
    if weighted:
        A *= sqrt_w[:, None]
    U = np.column_stack([A, z.astype(np.float64)])
    S = design_scatter(X, z, offset, sqrt_w)
    assert S.dtype == np.float64
    tol = 1e-11 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(S, U.T @ U, rtol=0, atol=tol * np.abs(U.T @ U).max())


def test_centered_scatter_threads_after_fork(monkeypatch):
    """The thread pool made before a fork() is not reused by the child (it has no threads
    there, and work submitted to it would wait forever)."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork() on this platform")
    monkeypatch.setattr(pre, "_SCATTER_THREAD_MIN_WORK", 0)
    rng = np.random.default_rng(9)
    X = rng.standard_normal((2000, 5))
    Y = rng.standard_normal((2000, 1))
    S, _, _ = centered_scatter(X, Y)  # creates the pool in this process
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        S_child = pool.apply_async(_scatter_in_child, (X, Y)).get(timeout=60)
    np.testing.assert_allclose(S_child, S, rtol=1e-12)


def _scatter_in_child(X, Y):
    pre._SCATTER_THREAD_MIN_WORK = 0
    return centered_scatter(X, Y)[0]


def test_row_statistics_of_a_boolean_mask():
    from fastreg._stats import row_statistics

    rng = np.random.default_rng(10)
    X = rng.standard_normal((50, 3))
    y = rng.standard_normal(50)
    mask = rng.random(50) < 0.4
    a, b = row_statistics(X, y, mask), row_statistics(X, y, np.flatnonzero(mask))
    assert a.n == b.n == mask.sum()
    np.testing.assert_allclose(a.Sxx, b.Sxx, rtol=1e-14)
    np.testing.assert_allclose(a.xbar, b.xbar, rtol=1e-14)
