"""Fit a lasso path on data larger than any worker's memory, streamed from a file on disk.

The data are written to a NumPy ``.npy`` file (an on-disk array, memory-mapped, written block by
block so it never sits in memory) larger than the memory limit of each worker of a
``LocalCluster``. ``fastreg.lasso_path`` then reads it in row chunks on the workers, reduces it to
its p x p sufficient statistics in ONE pass, and solves the whole 100-alpha path in memory.

    python docs/examples/dask_out_of_core.py                     # 1 GB file, workers of 400 MB
    python docs/examples/dask_out_of_core.py --rows 2.5e6 --features 100 --workers 4

The printed timing compares the fit with one dask pass computing ``X.T @ X`` over the same chunks
(a lower bound for any method that reads the data). Set ``--dashboard`` to keep the cluster's
dashboard open (its "Task Stream" shows the single pass: one block of read+statistics tasks per
chunk, then a few tree-merge tasks).

Why not ``da.from_array(np.load(path, mmap_mode="r"))``: a ``numpy.memmap`` pickles as a full
in-memory copy of the array, so the distributed scheduler would ship the whole file to every
worker. The small ``NpyFile`` reader below pickles as its path and opens the memmap inside each
task instead (``da.from_npy_stack`` or a Zarr array work the same way).
"""

import argparse
import os
import tempfile
import time

import numpy as np


class NpyFile:
    """An on-disk ``.npy`` array for ``dask.array.from_array`` that pickles as its path."""

    def __init__(self, path):
        self.path = path
        m = np.load(path, mmap_mode="r")
        self.shape, self.dtype, self.ndim = m.shape, m.dtype, m.ndim

    def __getitem__(self, index):
        return np.array(np.load(self.path, mmap_mode="r")[index])  # read only this block

    def __dask_tokenize__(self):
        return (self.path, os.path.getmtime(self.path))


def write_npy(path, n, p, seed=0, block=100_000):
    """X (n x p float64, correlated columns, nonzero means) and y = X beta + noise, block by block."""
    rng = np.random.default_rng(seed)
    beta = np.zeros(p)
    beta[:: max(1, p // 10)] = rng.uniform(-3, 3, len(beta[:: max(1, p // 10)]))
    mix = np.eye(p) + 0.3 * rng.standard_normal((p, p)) / np.sqrt(p)
    X = np.lib.format.open_memmap(path + "_X.npy", mode="w+", dtype=np.float64, shape=(n, p))
    y = np.lib.format.open_memmap(path + "_y.npy", mode="w+", dtype=np.float64, shape=(n,))
    for start in range(0, n, block):
        stop = min(n, start + block)
        xb = rng.standard_normal((stop - start, p)) @ mix + 2.0
        X[start:stop] = xb
        y[start:stop] = xb @ beta + 1.0 + rng.standard_normal(stop - start)
    X.flush(), y.flush()
    del X, y
    return path + "_X.npy", path + "_y.npy"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=float, default=1.25e6)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="400MB", help="per worker")
    parser.add_argument("--dashboard", action="store_true", help="serve the dashboard on :8787")
    args = parser.parse_args(argv)

    import dask.array as da
    from dask.distributed import Client, LocalCluster

    import fastreg

    n, p = int(args.rows), args.features
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        x_path, y_path = write_npy(os.path.join(tmp, "data"), n, p)
        size = os.path.getsize(x_path)
        print(f"wrote X: {n} x {p} float64, {size / 1e9:.2f} GB on disk, in "
              f"{time.perf_counter() - t:.1f} s")

        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               memory_limit=args.memory_limit,
                               dashboard_address=":8787" if args.dashboard else None)
        client = Client(cluster)
        limit = client.scheduler_info()["workers"].popitem()[1]["memory_limit"]
        print(f"{args.workers} worker processes, memory limit {limit / 1e6:.0f} MB each "
              f"(the data are {size / limit:.1f}x one worker's limit)")
        if args.dashboard:
            print("dashboard:", client.dashboard_link)

        X = da.from_array(NpyFile(x_path), chunks=(args.chunk_rows, p))
        y = da.from_array(NpyFile(y_path), chunks=(args.chunk_rows,))

        # warm up: workers import fastreg, the client compiles the Gram kernel
        fastreg.lasso_path(X[:1000], y[:1000], n_alphas=3, fit_intercept=True)

        t = time.perf_counter()
        (X.T @ X).compute()
        floor = time.perf_counter() - t

        t = time.perf_counter()
        alphas, coefs, gaps = fastreg.lasso_path(X, y, n_alphas=100, fit_intercept=True)
        fit = time.perf_counter() - t

        print(f"one dask pass computing X.T @ X: {floor:6.2f} s")
        print(f"fastreg.lasso_path, 100 alphas:  {fit:6.2f} s  ({fit / floor:.2f}x the X.T @ X pass)")
        for i in (0, 9, 49, 99):
            print(f"  alpha={alphas[i]:.4g}: {np.count_nonzero(coefs[:, i])} non-zero coefficients")

        model = fastreg.Lasso(alpha=alphas[49]).fit(X, y)
        r2 = model.score(X, y)  # lazy: a 0-d dask array
        print(f"Lasso(alpha={alphas[49]:.3g}) R^2 on the file: {float(r2.compute()):.4f}")
        if args.dashboard:
            input("press Enter to close the cluster")
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
