"""Dask input: out-of-core fits equal in-memory fits, on a 2-process LocalCluster.

Skipped when dask[array,distributed] is not installed (the ``dask`` extra).
"""

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")  # a dependency of distributed

from sklearn import linear_model as sk  # noqa: E402
from sklearn.model_selection import KFold  # noqa: E402

import fastreg  # noqa: E402
from fastreg import _dask  # noqa: E402
from fastreg._dask import fold_statistics, heldout_mse, sufficient_statistics  # noqa: E402

WORKER_MEMORY = 600e6  # bytes per worker


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       memory_limit=WORKER_MEMORY, dashboard_address=None,
                                       silence_logs=40)
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def _data(n=1500, p=12, seed=0, dtype=np.float64, offset=50.0):
    """Correlated columns with large means (centering matters), sparse truth, uneven chunks."""
    rng = np.random.default_rng(seed)
    L = rng.standard_normal((p, p)) * 0.5 + np.eye(p)
    X = rng.standard_normal((n, p)) @ L + offset * rng.uniform(-1, 1, p)
    beta = np.zeros(p)
    beta[: p // 3] = rng.standard_normal(p // 3) * 3
    y = X @ beta + 7.0 + rng.standard_normal(n)
    w = rng.uniform(0, 2, n)
    w[400:700] = 0.0  # whole chunks without weight
    return X.astype(dtype), y.astype(dtype), w


def _chunked(X, y, w, rows=230):
    return (da.from_array(X, chunks=(rows, X.shape[1] // 2 + 1)),  # column chunks get merged
            da.from_array(y, chunks=rows + 17), da.from_array(w, chunks=rows - 31))


# ---------------------------------------------------------------------------------------------
# Statistics
# ---------------------------------------------------------------------------------------------
def _direct_stats(X, y, w):
    Wt = w.sum()
    xbar = w @ X / Wt
    ybar = w @ y / Wt
    Xc, yc = X - xbar, y - ybar
    return Wt, xbar, ybar, (Xc * w[:, None]).T @ Xc, (Xc * w[:, None]).T @ yc, w @ yc**2


@pytest.mark.parametrize("offset", [0.0, 1e6])
@pytest.mark.parametrize("weighted", [False, True])
def test_statistics_match_two_pass(client, weighted, offset):
    # offset 0: unweighted chunks take the uncentered route; 1e6: large means, where uncentered
    # sums would lose ~12 digits, so every chunk is centered first
    X, y, w = _data(offset=offset)
    if not weighted:
        w = np.ones_like(w)
    Xd, yd, wd = _chunked(X, y, w)
    s = sufficient_statistics(Xd, yd, wd if weighted else None, split_every=2)
    Wt, xbar, ybar, Sxx, Sxy, Syy = _direct_stats(X, y, w)
    assert s.n == X.shape[0]
    np.testing.assert_allclose(s.sw, Wt, rtol=1e-12)
    # (to the data's rounding: a mean near zero is exact to eps * max|x|, not relatively)
    np.testing.assert_allclose(s.xbar, xbar, rtol=1e-13, atol=1e-15 * np.abs(X).max())
    np.testing.assert_allclose(s.ybar, [ybar], rtol=1e-12)
    np.testing.assert_allclose(s.Sxx, Sxx, rtol=1e-9, atol=1e-9 * np.abs(Sxx).max())
    np.testing.assert_allclose(s.Sxy[:, 0], Sxy, rtol=1e-9, atol=1e-9 * np.abs(Sxy).max())
    np.testing.assert_allclose(s.Syy, [Syy], rtol=1e-9)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_chunk_stats_centered_on_the_chunk(dtype, weighted):
    """A chunk's statistics (the compiled one pass) equal explicit centering in float64, with
    large column means; non-finite chunks give NaN statistics that the client rejects."""
    from fastreg._dask import _chunk_stats
    from fastreg._stats import check_stats

    X, y, w = _data(n=400, offset=0.0)
    X = X.copy()
    X[:, 3] = X[:, 3] / X[:, 3].std() + 1e4  # mean^2 / variance = 1e8
    X, y = X.astype(dtype), y.astype(dtype)
    w = w if weighted else None
    s = _chunk_stats(X, y, w)
    ww = np.ones(400) if w is None else w
    U = np.column_stack([X, y]).astype(np.float64)
    m = np.average(U, axis=0, weights=ww)
    A = (U - m) * np.sqrt(ww)[:, None]
    S = A.T @ A
    tol = 1e-10 if dtype == np.float64 else 1e-5
    assert s.n == 400 and s.sw == pytest.approx(ww.sum())
    np.testing.assert_allclose(s.xbar, m[:-1], rtol=tol)
    np.testing.assert_allclose(s.Sxx, S[:-1, :-1], rtol=tol, atol=tol * np.abs(S).max())
    np.testing.assert_allclose(s.Sxy[:, 0], S[:-1, -1], rtol=tol, atol=tol * np.abs(S).max())
    np.testing.assert_allclose(s.Syy, [S[-1, -1]], rtol=tol)
    bad = X.copy()
    bad[5, 2] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        check_stats(_chunk_stats(bad, y, w))
    bad_y = y.copy()
    bad_y[7] = np.inf
    with pytest.raises(ValueError, match="Input y contains NaN"):
        check_stats(_chunk_stats(X, bad_y, w))


@pytest.mark.parametrize("folds", ["int", "labels", "splitter"])
def test_fold_statistics_one_pass(client, folds):
    X, y, w = _data(n=1000, p=6)
    Xd, yd, wd = _chunked(X, y, w, rows=170)
    n = X.shape[0]
    if folds == "int":
        spec, splits = 4, list(KFold(4).split(X))
    elif folds == "labels":
        labels = np.random.default_rng(1).integers(0, 3, n)
        spec = da.from_array(labels, chunks=333)
        splits = [(np.flatnonzero(labels != f), np.flatnonzero(labels == f)) for f in range(3)]
    else:
        spec = KFold(5, shuffle=True, random_state=0)
        splits = list(spec.split(X))
    stats = fold_statistics(Xd, yd, spec, wd)
    assert len(stats) == len(splits)
    for (train, test), (s_train, s_test) in zip(splits, stats):
        for rows, s in ((train, s_train), (test, s_test)):
            Wt, xbar, ybar, Sxx, Sxy, Syy = _direct_stats(X[rows], y[rows], w[rows])
            assert s.n == rows.size
            np.testing.assert_allclose(s.xbar, xbar, rtol=1e-11)
            np.testing.assert_allclose(s.Sxx, Sxx, rtol=1e-9, atol=1e-10 * np.abs(Sxx).max())
            np.testing.assert_allclose(s.Sxy[:, 0], Sxy, rtol=1e-9, atol=1e-10 * np.abs(Sxy).max())
            np.testing.assert_allclose(s.Syy, [Syy], rtol=1e-9)
        # the held-out error of a path computed from the training statistics alone
        prep, design = _dask.design_from_stats(s_train, fit_intercept=True)
        res = fastreg._path.solve_path(prep, design, [1.0, 0.1, 0.01], l1_ratio=1.0, tol=1e-10)
        mem = fastreg.lasso_path(X[train], y[train], sample_weight=w[train], fit_intercept=True,
                                 alphas=[1.0, 0.1, 0.01], tol=1e-10)
        np.testing.assert_allclose(res.coefs, mem.coefs, atol=1e-8)
        r = y[test][:, None] - X[test] @ mem.coefs - mem.intercepts
        direct = w[test] @ r**2 / w[test].sum()
        np.testing.assert_allclose(heldout_mse(s_test, res.coefs, res.intercepts), direct,
                                   rtol=1e-8)


# ---------------------------------------------------------------------------------------------
# Fits equal in-memory fits
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("Est, params", [(fastreg.Lasso, dict(alpha=0.05)),
                                         (fastreg.ElasticNet, dict(alpha=0.1, l1_ratio=0.3)),
                                         (fastreg.ElasticNet, dict(alpha=0.02, positive=True))])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "numpy", "dask"])
def test_fit_equals_in_memory(client, Est, params, fit_intercept, weights):
    X, y, w = _data(offset=5.0)
    Xd, yd, wd = _chunked(X, y, w)
    sw = None if weights is None else w
    swd = {None: None, "numpy": w, "dask": wd}[weights]
    # tol=1e-14: two solves that each stop anywhere below tol=1e-10 can differ by 1e-8 in a
    # coefficient along a flat direction of these correlated columns (seen: 9e-9 from the
    # converged value at a gap of 0.99 tol), more than the 1e-7 / 1e-9 compared here
    mem = Est(fit_intercept=fit_intercept, tol=1e-14, max_iter=100000, **params)
    mem.fit(X, y, sample_weight=sw)
    dsk = Est(fit_intercept=fit_intercept, tol=1e-14, max_iter=100000, **params)
    dsk.fit(Xd, yd, sample_weight=swd)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(dsk.intercept_, mem.intercept_, rtol=1e-7, atol=1e-8)
    assert dsk.n_features_in_ == X.shape[1]
    assert isinstance(dsk.intercept_, np.float64)
    ref = sk.ElasticNet(alpha=params["alpha"], l1_ratio=dsk.l1_ratio,
                        positive=params.get("positive", False), fit_intercept=fit_intercept,
                        tol=1e-12, max_iter=100000).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(dsk.coef_, ref.coef_, rtol=1e-5, atol=1e-6)


def test_float32_stays_float32(client):
    X, y, w = _data(dtype=np.float32, offset=3.0)
    Xd, yd, wd = _chunked(X, y, w)
    dsk = fastreg.ElasticNet(alpha=0.05, tol=1e-5).fit(Xd, yd, sample_weight=wd)
    mem = fastreg.ElasticNet(alpha=0.05, tol=1e-10).fit(X.astype(np.float64), y.astype(np.float64),
                                                       sample_weight=w)
    assert dsk.coef_.dtype == np.float32 and isinstance(dsk.intercept_, np.float32)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-3, atol=1e-4 * np.abs(mem.coef_).max())


def test_multi_target_and_predict_score_lazy(client):
    X, y, w = _data(n=900, p=8)
    Y = np.c_[y, X[:, 0] - 2 * y]
    Xd = da.from_array(X, chunks=(200, 8))
    Yd = da.from_array(Y, chunks=(150, 1))
    mem = fastreg.Lasso(alpha=0.1, tol=1e-10).fit(X, Y)
    dsk = fastreg.Lasso(alpha=0.1, tol=1e-10).fit(Xd, Yd)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(dsk.intercept_, mem.intercept_, rtol=1e-8, atol=1e-9)
    pred = dsk.predict(Xd)
    assert isinstance(pred, da.Array) and pred.shape == Y.shape
    np.testing.assert_allclose(pred.compute(), mem.predict(X), rtol=1e-10)
    score = dsk.score(Xd, Yd)
    assert isinstance(score, da.Array)
    np.testing.assert_allclose(score.compute(), mem.score(X, Y), rtol=1e-10)
    # 1-D, weighted score
    m1 = fastreg.Lasso(alpha=0.1).fit(Xd, da.from_array(y, chunks=300))
    p1 = m1.predict(Xd)
    assert p1.shape == (900,) and isinstance(p1, da.Array)
    np.testing.assert_allclose(m1.score(Xd, y, sample_weight=w).compute(),
                               m1.score(X, y, sample_weight=w), rtol=1e-10)
    with pytest.raises(ValueError, match="X has 3 features, but Lasso is expecting 8"):
        m1.predict(Xd[:, :3])


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_path_equals_in_memory(client, l1_ratio):
    X, y, w = _data()
    Xd, yd, wd = _chunked(X, y, w)
    # (both to a gap of 1e-12: the two computations of the statistics round differently, and
    # the coefficients then agree to the solver's accuracy)
    mem = fastreg.enet_path(X, y, l1_ratio=l1_ratio, n_alphas=20, fit_intercept=True,
                            sample_weight=w, tol=1e-12)
    dsk = fastreg.enet_path(Xd, yd, l1_ratio=l1_ratio, n_alphas=20, fit_intercept=True,
                            sample_weight=wd, tol=1e-12)
    np.testing.assert_allclose(dsk.alphas, mem.alphas, rtol=1e-10)
    np.testing.assert_allclose(dsk.coefs, mem.coefs, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(dsk.intercepts, mem.intercepts, rtol=1e-7, atol=1e-8)
    alphas, coefs, gaps = fastreg.lasso_path(Xd, yd, n_alphas=5)  # no intercept (the default)
    np.testing.assert_allclose(coefs, fastreg.lasso_path(X, y, n_alphas=5).coefs, atol=1e-7)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------
def test_clear_errors(client, monkeypatch):
    X, y, w = _data(n=300, p=6)
    Xd = da.from_array(X, chunks=(100, 6))
    sp = pytest.importorskip("scipy.sparse")
    Xs = Xd.map_blocks(sp.csr_matrix, meta=sp.csr_matrix((0, 0)))
    with pytest.raises(ValueError, match="dense NumPy chunks.*scipy.sparse CSC"):
        fastreg.Lasso().fit(Xs, y)
    monkeypatch.setattr(_dask, "MAX_GRAM_BYTES", 5 * 5 * 8)
    with pytest.raises(ValueError, match="6 features.*Gram.*Reduce the number of features"):
        fastreg.Lasso().fit(Xd, y)
    monkeypatch.undo()
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        fastreg.Lasso().fit(Xd, y[:-1])
    with pytest.raises(ValueError, match="Negative values in data passed to sample_weight"):
        fastreg.Lasso().fit(Xd, y, sample_weight=da.from_array(-w, chunks=100))
    with pytest.raises(ValueError, match="at least one positive weight"):
        fastreg.Lasso().fit(Xd, y, sample_weight=da.zeros(300, chunks=100))
    Xnan = X.copy()
    Xnan[123, 2] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        fastreg.Lasso().fit(da.from_array(Xnan, chunks=(100, 6)), y)
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        fastreg.Lasso().fit(Xd[Xd[:, 0] > -np.inf], y)


def test_import_fastreg_does_not_import_dask():
    code = ("import sys, numpy as np, fastreg; from fastreg._validation import is_dask_array;"
            "assert not is_dask_array(np.eye(3));"
            "assert not any(m.startswith('dask') for m in sys.modules), 'dask imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.getcwd(),
                   env={**os.environ, "PYTHONPATH": os.getcwd()})


# ---------------------------------------------------------------------------------------------
# Out of core and fault tolerance
# ---------------------------------------------------------------------------------------------
def test_data_larger_than_worker_memory_never_on_client(client):
    n, p, rows = 2_000_000, 50, 25_000  # 800 MB of float64 > 600 MB per worker
    X = da.random.default_rng(0).standard_normal((n, p), chunks=(rows, p))
    y = X[:, 0] * 2.0 - X[:, 3] + 1.0
    assert X.nbytes > WORKER_MEMORY
    rss = psutil.Process().memory_info().rss
    model = fastreg.Lasso(alpha=0.1).fit(X, y)
    grown = psutil.Process().memory_info().rss - rss
    assert grown < 0.1 * X.nbytes, f"client memory grew by {grown / 1e6:.0f} MB"
    # standard normal columns: the lasso shrinks by alpha, independent columns
    np.testing.assert_allclose(model.coef_[[0, 3]], [1.9, -0.9], atol=5e-3)
    assert np.count_nonzero(model.coef_) == 2
    assert abs(model.intercept_ - 1.0) < 5e-3


def test_worker_killed_mid_pass_is_retried(client):
    n_chunks, rows, p = 24, 1000, 7

    def block(i):
        return np.random.default_rng(i).standard_normal((rows, p)) + 0.1 * i

    def slow_block(block_info=None):  # nested: pickled by value; deterministic per block
        time.sleep(0.25)
        return block(block_info[None]["chunk-location"][0])

    X = da.map_blocks(slow_block, chunks=((rows,) * n_chunks, (p,)), dtype=np.float64)
    beta = np.arange(p, dtype=np.float64)
    y = X @ beta + da.sin(X[:, 0])
    X_mem = np.vstack([block(i) for i in range(n_chunks)])
    y_mem = X_mem @ beta + np.sin(X_mem[:, 0])
    expected = fastreg.ElasticNet(alpha=0.05, tol=1e-10).fit(X_mem, y_mem)

    before = set(client.scheduler_info()["workers"])
    result = {}
    fit = threading.Thread(target=lambda: result.setdefault(
        "model", fastreg.ElasticNet(alpha=0.05, tol=1e-10).fit(X, y)))
    fit.start()
    # wait until both workers are busy with the statistics pass, then kill one worker process
    deadline = time.time() + 30
    while time.time() < deadline and sum(bool(t) for t in client.processing().values()) < 2:
        time.sleep(0.05)
    time.sleep(0.5)
    victim = next(iter(client.cluster.workers.values()))
    pid = victim.process.process.pid
    assert fit.is_alive(), "the fit finished before a worker could be killed"
    os.kill(pid, signal.SIGKILL)
    fit.join(timeout=60)
    assert not fit.is_alive()
    assert "model" in result
    # a lost or doubled chunk would move the coefficients by ~1/24; a retry only changes the merge
    # order's round-off, within the solver's precision (as in test_fit_equals_in_memory)
    np.testing.assert_allclose(result["model"].coef_, expected.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(result["model"].intercept_, expected.intercept_, rtol=1e-7, atol=1e-8)
    client.wait_for_workers(2, timeout=30)
    after = set(client.scheduler_info()["workers"])
    assert before != after  # a worker was really lost (and restarted by its nanny)


# ---------------------------------------------------------------------------------------------
# Ridge and RidgeCV(cv=k)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_ridge_and_ridgecv_equal_in_memory(client, fit_intercept, weighted):
    X, y, w = _data(offset=5.0)
    Xd, yd, wd = _chunked(X, y, w)
    sw, swd = (w, wd) if weighted else (None, None)
    mem = fastreg.Ridge(alpha=3.0, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    dsk = fastreg.Ridge(alpha=3.0, fit_intercept=fit_intercept).fit(Xd, yd, sample_weight=swd)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(dsk.intercept_, mem.intercept_, rtol=1e-9, atol=1e-10)
    alphas = [0.01, 30.0, 3e3, 3e5]
    mem = fastreg.RidgeCV(alphas=alphas, cv=4, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    dsk = fastreg.RidgeCV(alphas=alphas, cv=4, fit_intercept=fit_intercept).fit(Xd, yd, sample_weight=swd)
    assert dsk.alpha_ == mem.alpha_
    np.testing.assert_allclose(dsk.best_score_, mem.best_score_, rtol=1e-9)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("targets", ["1d", "2d", "2d per target"])
def test_ridgecv_leave_one_out_equals_in_memory(client, fit_intercept, weighted, targets):
    from sklearn.linear_model import RidgeCV as SkRidgeCV

    X, y, w = _data(offset=5.0)
    if targets != "1d":
        y = np.column_stack([y, X[:, 2] - 0.5 * X[:, 5] + np.random.default_rng(3).standard_normal(len(y))])
    Xd, yd, wd = _chunked(X, y, w)
    yd = da.from_array(y, chunks=(247,) + y.shape[1:])
    sw, swd = (w, wd) if weighted else (None, None)
    kw = dict(alphas=np.logspace(-2, 5, 15), fit_intercept=fit_intercept,
              alpha_per_target=targets == "2d per target")
    mem = fastreg.RidgeCV(**kw).fit(X, y, sample_weight=sw)
    ref = SkRidgeCV(**kw).fit(X, y, sample_weight=sw)
    dsk = fastreg.RidgeCV(**kw).fit(Xd, yd, sample_weight=swd)
    np.testing.assert_array_equal(dsk.alpha_, mem.alpha_)
    np.testing.assert_array_equal(dsk.alpha_, ref.alpha_)
    np.testing.assert_allclose(dsk.best_score_, mem.best_score_, rtol=1e-10)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(dsk.intercept_, mem.intercept_, rtol=1e-9, atol=1e-10)
    with pytest.raises(ValueError, match="store_cv_results"):
        fastreg.RidgeCV(store_cv_results=True).fit(Xd, yd)
    with pytest.raises(ValueError, match="scoring=None"):
        fastreg.RidgeCV(scoring="r2").fit(Xd, yd)


def _logged_chunks(X, y, rows, log):
    """``(Xd, yd, reads)``: X and y as a dask array whose chunks log each read to the file
    ``log``; ``reads()`` gives the sorted chunk indices read so far."""
    log = str(log)
    p = X.shape[1]

    def read_block(block_info=None):  # nested: pickled by value to the worker processes
        i = block_info[None]["chunk-location"][0]
        with open(log, "a") as f:
            f.write(f"{i}\n")
        return np.c_[X, y][i * rows:(i + 1) * rows]

    n_chunks = X.shape[0] // rows
    XY = da.map_blocks(read_block, chunks=((rows,) * n_chunks, (p + 1,)), dtype=np.float64)

    def reads():
        with open(log) as f:
            return sorted(int(line) for line in f)

    return XY[:, :p], XY[:, p], reads


def test_ridgecv_leave_one_out_reads_twice(client, tmp_path):
    """Leave-one-out on dask input: one pass for the statistics, one for the leverages."""
    X, y, _ = _data(n=1200, p=8, offset=5.0)
    Xd, yd, reads = _logged_chunks(X, y, 150, tmp_path / "reads.log")
    dsk = fastreg.RidgeCV(alphas=[0.1, 10.0, 1e3]).fit(Xd, yd)
    assert reads() == sorted(list(range(8)) * 2), f"chunk reads: {reads()}"
    assert dsk.alpha_ == fastreg.RidgeCV(alphas=[0.1, 10.0, 1e3]).fit(X, y).alpha_


# ---------------------------------------------------------------------------------------------
# LassoCV / ElasticNetCV: k-fold CV from one pass of per-fold statistics
# ---------------------------------------------------------------------------------------------
def _assert_cv_equal(dsk, mem):
    assert dsk.l1_ratio_ == mem.l1_ratio_
    np.testing.assert_allclose(dsk.alphas_, mem.alphas_, rtol=1e-12)
    # the fold paths are solved to tol=1e-10 from Gram matrices that differ in rounding (one-pass
    # merged statistics vs in-memory products); the accelerated solver's trajectory follows the
    # rounding, so two converged solutions differ at ~1e-9 in held-out error, not bit for bit
    np.testing.assert_allclose(dsk.mse_path_, mem.mse_path_, rtol=1e-7)
    np.testing.assert_allclose(dsk.alpha_, mem.alpha_, rtol=1e-12)  # the same grid point
    np.testing.assert_allclose(dsk.alpha_min_, mem.alpha_min_, rtol=1e-12)
    np.testing.assert_allclose(dsk.alpha_1se_, mem.alpha_1se_, rtol=1e-12)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(dsk.intercept_, mem.intercept_, rtol=1e-8, atol=1e-8)
    assert dsk.n_features_in_ == mem.n_features_in_
    assert type(dsk.intercept_) is type(mem.intercept_)


@pytest.mark.parametrize("Est, params", [(fastreg.LassoCV, {}),
                                         (fastreg.ElasticNetCV, dict(l1_ratio=[0.3, 0.9]))])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "dask"])
def test_lasso_enet_cv_equal_in_memory(client, Est, params, fit_intercept, weights):
    X, y, w = _data(offset=5.0)
    Xd, yd, wd = _chunked(X, y, w)
    sw, swd = (w, wd) if weights else (None, None)
    # shuffled folds (rows of a fold spread over chunks), or explicit (train, test) pairs
    cv = KFold(4, shuffle=True, random_state=0)
    if not fit_intercept:
        cv = list(KFold(3).split(X))
    kw = dict(cv=cv, fit_intercept=fit_intercept, alphas=25, tol=1e-10, max_iter=10000, **params)
    mem = Est(**kw).fit(X, y, sample_weight=sw)
    dsk = Est(**kw).fit(Xd, yd, sample_weight=swd)
    _assert_cv_equal(dsk, mem)
    k = 4 if fit_intercept else 3
    assert dsk.mse_path_.shape == ((25, k) if Est is fastreg.LassoCV else (2, 25, k))


def test_cv_reads_every_chunk_once(client, tmp_path, monkeypatch):
    """The whole CV fit (folds, grid, final refit) is one pass: one compute, one read per chunk."""
    import dask
    import dask.base

    X, y, w = _data(n=1200, p=8, offset=5.0)
    rows = 150
    Xd, yd, reads = _logged_chunks(X, y, rows, tmp_path / "reads.log")
    calls = []
    for mod in (dask, dask.base):
        real = mod.compute
        monkeypatch.setattr(mod, "compute",
                            lambda *a, _real=real, **k: calls.append(1) or _real(*a, **k))
    kw = dict(l1_ratio=[0.5, 1.0], cv=KFold(5, shuffle=True, random_state=1), alphas=15,
              tol=1e-10, max_iter=10000, selection_rule="1se")
    dsk = fastreg.ElasticNetCV(**kw).fit(Xd, yd, sample_weight=da.from_array(w, chunks=rows))
    monkeypatch.undo()
    assert reads() == list(range(8)), f"chunk reads: {reads()}"
    assert len(calls) == 1
    mem = fastreg.ElasticNetCV(**kw).fit(X, y, sample_weight=w)
    _assert_cv_equal(dsk, mem)
    assert dsk.alpha_ == dsk.alpha_1se_


def test_cv_errors(client):
    X, y, w = _data(n=300, p=6)
    Xd = da.from_array(X, chunks=(100, 6))
    from sklearn.model_selection import ShuffleSplit

    with pytest.raises(ValueError, match="MultiTaskLassoCV"):
        fastreg.LassoCV(cv=3).fit(Xd, np.c_[y, y])
    with pytest.raises(ValueError, match="folds: the test sets must be disjoint"):
        fastreg.LassoCV(cv=ShuffleSplit(3, test_size=0.2, random_state=0)).fit(Xd, y)
    sw = np.ones(300)
    sw[:100] = 0.0  # the first held-out fold of KFold(3) has no weight
    with pytest.raises(ValueError, match="held-out fold 0 has no positive weight"):
        fastreg.LassoCV(cv=3).fit(Xd, y, sample_weight=sw)
