"""Dropout bandwidth: fastreg's fused kernel vs np.copyto, the NumPy expression and torch (if installed).

Bytes moved are counted as read + write of the arrays (``2 * x.nbytes``); every contender writes into a
preallocated output except the NumPy expression (which cannot) and torch (which allocates).

    python bench/bench_dropout.py                 # quick: 2e7 float32 elements
    python bench/bench_dropout.py --n 1e8         # the issue's size (needs ~1.6 GB of RAM)
    python -m pytest bench/bench_dropout.py       # pytest-benchmark (quick size, FASTREG_BENCH_N to change)

:func:`rows` is the common interface used by ``bench/run.py`` (no scikit-learn peer: the references
are np.copyto, the bandwidth floor, and the NumPy expression).
"""

import argparse
import os
import sys
import time

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._timing import median_time, row  # noqa: E402
from fastreg import dropout  # noqa: E402

try:
    import torch
except ImportError:  # torch is optional
    torch = None

N_QUICK = int(float(os.environ.get("FASTREG_BENCH_N", "2e7")))
P = 0.5


def make(n, dtype=np.float32):
    x = np.random.default_rng(0).standard_normal(n, dtype=np.float64).astype(dtype)
    return x, np.empty_like(x)


def contenders(x, out, p=P):
    rng = np.random.default_rng(1)
    fns = {
        "np.copyto": lambda: np.copyto(out, x),
        "fastreg.dropout": lambda: dropout(x, p, seed=12345, out=out),
        "numpy expression": lambda: x * (rng.random(x.shape) >= p) / (1 - p),
    }
    if torch is not None:
        tx = torch.from_numpy(x)
        fns["torch dropout"] = lambda: torch.nn.functional.dropout(tx, p, training=True)
    return fns


N_FULL = int(1e8)  # the size
SLOW = ("numpy expression", "torch dropout")


def measure(n, dtype=np.float32, repeat=7, slow_repeat=3):
    """Rows of every contender on ``n`` elements: median time after a warm-up, GB/s (read + write)."""
    x, out = make(n, np.dtype(dtype))
    nbytes = 2 * x.nbytes
    times = {name: median_time(fn, slow_repeat if name in SLOW else repeat)[0]
             for name, fn in contenders(x, out).items()}
    problem = f"dropout p={P}, n={n:.3g} {np.dtype(dtype).name}"
    rows = []
    for name, t in times.items():
        note = "reference" if name in ("np.copyto", "numpy expression") else (
            f"{times['np.copyto'] / t:.2f}x copyto's speed, "
            f"{times['numpy expression'] / t:.1f}x the NumPy expression's")
        rows.append(row("dropout", problem, name, t, None, f"{nbytes / t / 1e9:.2f} GB/s", note))
    return rows


def rows(quick=False, tiny=False):
    """Benchmark rows (see ``bench/run.py``): 1e8 float32 elements (quick: 1e7, tiny: 1e5)."""
    return measure(int(1e5) if tiny else int(1e7) if quick else N_FULL)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=float, default=N_QUICK, help="number of elements (default 2e7)")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--slow-repeat", type=int, default=3, help="repeats for the NumPy expression")
    args = ap.parse_args(argv)
    n = int(args.n)
    x, out = make(n, np.dtype(args.dtype))
    nbytes = 2 * x.nbytes
    t0 = time.perf_counter()
    dropout(x[:10], P, seed=0)
    dropout(x[: 1 << 21], P, seed=0)
    print(f"first-call (compile or cache load) time: {time.perf_counter() - t0:.2f} s")
    del x, out
    rows = [(r["solver"], r["time_s"]) for r in measure(n, args.dtype, args.repeat, args.slow_repeat)]
    t_copy = dict(rows)["np.copyto"]
    t_fast = dict(rows)["fastreg.dropout"]
    print(f"n = {n:.3g} {args.dtype}, p = {P}, bytes counted = read + write = {nbytes / 1e9:.2f} GB")
    print(f"{'contender':<20}{'median s':>10}{'GB/s':>9}{'vs copyto':>11}{'fastreg x':>11}")
    for name, t in rows:
        print(f"{name:<20}{t:>10.4f}{nbytes / t / 1e9:>9.2f}{t_copy / t:>11.2f}{t / t_fast:>11.2f}")
    if torch is None:
        print("(torch not installed: skipped)")


@pytest.fixture(scope="module")
def arrays():
    return make(N_QUICK)


@pytest.mark.parametrize("name", ["np.copyto", "fastreg.dropout", "numpy expression", "torch dropout"])
def test_dropout_bandwidth(benchmark, arrays, name):
    fns = contenders(*arrays)
    if name not in fns:
        pytest.skip("torch not installed")
    fns[name]()
    benchmark.extra_info["GB"] = 2 * arrays[0].nbytes / 1e9
    benchmark.pedantic(fns[name], rounds=5 if name in ("np.copyto", "fastreg.dropout") else 2, iterations=1)


if __name__ == "__main__":
    main()
