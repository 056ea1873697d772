"""Dask lasso path vs one dask pass computing X^T X (the floor), and dask-ml if installed.

The data are a float64 ``.npy`` file on disk read in row chunks by a ``LocalCluster`` of worker
processes with a memory limit (the issue's setting: n = 2.5e6, p = 100, 2 GB, 500 MB workers).

    python bench/bench_dask.py                          # quick: n = 5e5 (400 MB)
    python bench/bench_dask.py --n 2.5e6                # the issue's size (2 GB on disk)
    python bench/bench_dask.py --no-dask-ml             # skip dask-ml

dask-ml's solvers keep intermediate copies of X on the workers and die (KilledWorker) under the
500 MB limit; the bench then retries dask-ml alone on workers with ``--dask-ml-memory-limit``.
dask-ml (dask-glm) makes several passes over X per iteration, so only ``--dask-ml-max-iter``
(default 3) iterations are timed: a lower bound on the time of a converged fit.

Times are medians of ``--repeats`` runs after a warm-up (workers import fastreg, numba compiles);
the ratio to the floor is measured in the same run. dask-ml fits ONE alpha (its ElasticNet /
LinearRegression has no path); fastreg's time is for the whole 100-alpha path.
:func:`rows` is the common interface used by ``bench/run.py`` (no scikit-learn peer: the reference
is the one-pass floor).
"""

import argparse
import os
import sys
import tempfile
import threading
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "docs", "examples"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bench._timing import median_time, row  # noqa: E402
from dask_out_of_core import NpyFile, write_npy  # noqa: E402


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=float, default=5e5, help="rows (issue: 2.5e6)")
    parser.add_argument("--p", type=int, default=100, help="features (100)")
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="500MB", help="per worker (500MB)")
    parser.add_argument("--n-alphas", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-dask-ml", action="store_true")
    parser.add_argument("--dask-ml-max-iter", type=int, default=3,
                        help="dask-glm iterations (each is several passes over X)")
    parser.add_argument("--dask-ml-solver", default="proximal_grad", choices=["proximal_grad", "admm"])
    parser.add_argument("--dask-ml-timeout", type=float, default=900,
                        help="seconds; a dask-ml fit still running then counts as a lower bound")
    parser.add_argument("--dask-ml-memory-limit", default="2GB",
                        help="if dask-ml dies with --memory-limit, retry it on a cluster with "
                             "this limit per worker ('' to skip)")
    return parser.parse_args(argv)


def rows(quick=False, tiny=False):
    """Benchmark rows (see ``bench/run.py``): the issue's n = 2.5e6 (quick: 1e5 without dask-ml,
    tiny: 2e4)."""
    if tiny:
        argv = ["--n", "2e4", "--chunk-rows", "5000", "--n-alphas", "10", "--no-dask-ml"]
    elif quick:
        argv = ["--n", "1e5", "--chunk-rows", "25000", "--no-dask-ml"]
    else:
        argv = ["--n", "2.5e6"]
    return measure(parse(argv))


def main(argv=None):
    measure(parse(argv))


def _start_cluster(args, memory_limit, silence_logs=40):
    """A ``LocalCluster`` of ``args.workers`` one-thread worker processes, and its client."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                           memory_limit=memory_limit, dashboard_address=None,
                           silence_logs=silence_logs)
    return cluster, Client(cluster)


def _fit_with_timeout(fit, timeout):
    """Run ``fit()`` in a thread; (seconds, result) or (None, exception) or (None, None) on timeout."""
    box = {}

    def run():
        start = time.perf_counter()
        try:
            box["result"] = fit()
            box["time"] = time.perf_counter() - start
        except Exception as exc:  # KilledWorker when over the memory limit
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if "time" in box:
        return box["time"], box["result"]
    return None, box.get("error")


def _dask_ml_rows(out, args, problem, cluster, client, X, y, n, res, mid, t_floor, t_path):
    """dask-ml's LinearRegression (dask-glm) at ONE alpha of the path, first on the same cluster,
    then (if its workers die) on workers with ``--dask-ml-memory-limit``.

    dask-glm's solvers make several passes over X per iteration (a few seconds per 400 MB here),
    so ``--dask-ml-max-iter`` defaults to a handful of iterations: its time is then a LOWER bound
    on a converged fit's, and the coefficient difference to fastreg's shows how far it got.
    """
    from dask_ml.linear_model import LinearRegression

    alpha = float(res.alphas[mid])
    limits = [args.memory_limit] + ([args.dask_ml_memory_limit] if args.dask_ml_memory_limit else [])
    for limit in limits:
        if limit != args.memory_limit:
            client.close()
            cluster.close()
            cluster, client = _start_cluster(args, limit, silence_logs=50)  # dask-ml's dying workers
        # dask-glm minimizes 1/2 ||y - Xb||^2 + (1/C) ||b||_1: C = 1 / (n alpha) is fastreg's /
        # scikit-learn's lasso at alpha
        model = LinearRegression(penalty="l1", C=1.0 / (n * alpha), solver=args.dask_ml_solver,
                                 max_iter=args.dask_ml_max_iter)
        name = (f"dask-ml LinearRegression(l1, {args.dask_ml_solver}, max_iter="
                f"{args.dask_ml_max_iter}), ONE alpha, workers of {limit}")
        t_ml, fitted = _fit_with_timeout(lambda: model.fit(X, y), args.dask_ml_timeout)
        if t_ml is None and fitted is not None:
            print(f"{name}: FAILED ({type(fitted).__name__}: {str(fitted)[:100]}...)")
            continue
        if t_ml is None:  # timed out: a lower bound only
            t_ml = args.dask_ml_timeout
            print(f"{name}: did not finish in {t_ml:.0f} s, > {t_ml / t_path:.0f}x fastreg's whole path")
            out.append(row("dask", problem, name, t_ml, None, "did not finish (time is a lower bound)",
                           f"> {t_ml / t_floor:.0f}x the floor, > {t_ml / t_path:.0f}x fastreg"))
            client.close()  # abandons the fit
            cluster.close()
            cluster, client = _start_cluster(args, args.memory_limit, silence_logs=50)
            break
        diff = np.max(np.abs(fitted.coef_ - res.coefs[:, mid]))
        scale = np.max(np.abs(res.coefs[:, mid]))
        out.append(row("dask", problem, name, t_ml, None,
                       f"max |coef - fastreg| {diff:.1e} (max |coef| {scale:.1f})",
                       f"{t_ml / t_floor:.1f}x the floor, {t_ml / t_path:.0f}x fastreg's path"))
        print(f"{name}, alpha={alpha:.3g}: {t_ml:.2f} s = {t_ml / t_floor:.1f}x the floor, "
              f"{t_ml / t_path:.1f}x fastreg's whole 100-alpha path; max |coef - fastreg| = "
              f"{diff:.2e} (max |coef| {scale:.2f})")
        break
    return cluster, client


def measure(args):
    """Run the bench, print its report, return its rows (times: median after warm-up)."""
    import dask.array as da

    import fastreg

    n, p = int(args.n), args.p
    with tempfile.TemporaryDirectory() as tmp:
        x_path, y_path = write_npy(os.path.join(tmp, "bench"), n, p)
        cluster, client = _start_cluster(args, args.memory_limit)
        X = da.from_array(NpyFile(x_path), chunks=(args.chunk_rows, p))
        y = da.from_array(NpyFile(y_path), chunks=(args.chunk_rows,))
        print(f"X: {n} x {p} float64 = {X.nbytes / 1e9:.2f} GB on disk, {X.numblocks[0]} chunks; "
              f"{args.workers} workers x {args.memory_limit}, 1 thread each")

        fastreg.lasso_path(X[:1000], y[:1000], n_alphas=3, fit_intercept=True)  # warm-up
        (X[:1000].T @ X[:1000]).compute()

        rows = []
        t_floor, _ = median_time(lambda: (X.T @ X).compute(), args.repeats, warmup=False)
        rows.append(("dask X.T @ X (one pass, floor)", t_floor))
        t_path, res = median_time(
            lambda: fastreg.lasso_path(X, y, n_alphas=args.n_alphas, fit_intercept=True),
            args.repeats, warmup=False)
        rows.append((f"fastreg.lasso_path ({args.n_alphas} alphas)", t_path))

        for name, t in rows:
            print(f"{name:45s} {t:8.2f} s  {t / t_floor:6.2f}x the floor")
        # sklearn's convention: returned gaps are divided by n; the stopping rule is gap <= tol ||y - ybar||^2
        yc2 = float(((y - y.mean()) ** 2).sum().compute())
        problem = f"dask lasso path, {n}x{p} on disk, {args.workers} workers x {args.memory_limit}"
        out = [row("dask", problem, rows[0][0], t_floor, None, "", "reference (one pass over X)"),
               row("dask", problem, rows[1][0], t_path, None,
                   f"max gap {np.max(res.dual_gaps) * n / yc2:.1e}", f"{t_path / t_floor:.2f}x the floor")]

        mid = len(res.alphas) // 2
        if not args.no_dask_ml:
            from importlib.util import find_spec

            if find_spec("dask_ml") is None:
                print("dask-ml is not installed: skipped")
            else:
                cluster, client = _dask_ml_rows(out, args, problem, cluster, client, X, y, n,
                                                res, mid, t_floor, t_path)
        client.close()
        cluster.close()
    return out


if __name__ == "__main__":
    main()
