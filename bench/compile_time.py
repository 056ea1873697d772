"""First-fit time of fastreg in fresh processes, with the Numba cache cold and warm.

For each kernel layout (dense, sparse CSC, Gram) a new Python process imports fastreg and fits one
small ElasticNet; the time of that first ``fit`` is JIT compilation (cold: ``NUMBA_CACHE_DIR`` is a
new empty directory) or loading the compiled code from the on-disk cache (warm: the same directory,
filled by the cold run). Import time is shown separately. Goal: warm first fit under 1 s.

Usage::

    python bench/compile_time.py [--repeat 3]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np
from scipy import sparse
import fastreg
t_import = time.perf_counter() - t0
layout = sys.argv[1]
rng = np.random.default_rng(0)
X = rng.standard_normal((50, 10)); y = X[:, 0] + 0.1 * rng.standard_normal(50)
kw = {"dense": dict(precompute=False), "sparse": {}, "gram": dict(precompute=True)}[layout]
if layout == "sparse":
    X = sparse.csc_matrix(X)
t0, c0 = time.perf_counter(), time.process_time()
fastreg.ElasticNet(alpha=0.01, **kw).fit(X, y)
t_fit, c_fit = time.perf_counter() - t0, time.process_time() - c0
t0 = time.perf_counter()
fastreg.ElasticNet(alpha=0.01, **kw).fit(X, y)
t_second = time.perf_counter() - t0
print(json.dumps({"import": t_import, "first_fit": t_fit, "first_fit_cpu": c_fit,
                  "second_fit": t_second}))
"""


def run(layout, cache_dir):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("NUMBA_") or k == "NUMBA_NUM_THREADS"}  # keep the thread pinning
    env["NUMBA_CACHE_DIR"] = str(cache_dir)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", CHILD, layout], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


LAYOUTS = ("dense", "sparse", "gram")


def measure(repeat=3, layouts=LAYOUTS):
    """Median first-fit times per layout (cold: empty NUMBA_CACHE_DIR; warm: filled by the cold run).

    Returns a list of dicts with keys ``layout``, ``cold_fit``, ``cold_fit_cpu``, ``warm_fit``,
    ``warm_fit_cpu``, ``import`` (warm run) and ``later_fit`` (a second fit in the same process).
    """
    rows = []
    for layout in layouts:
        cold, warm = [], []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as cache_dir:
                cold.append(run(layout, cache_dir))  # empty cache: compiles
                warm.append(run(layout, cache_dir))  # same cache: loads
        med = lambda runs, key: statistics.median(r[key] for r in runs)  # noqa: E731
        rows.append({"layout": layout, "cold_fit": med(cold, "first_fit"),
                     "cold_fit_cpu": med(cold, "first_fit_cpu"), "warm_fit": med(warm, "first_fit"),
                     "warm_fit_cpu": med(warm, "first_fit_cpu"), "import": med(warm, "import"),
                     "later_fit": med(warm, "second_fit")})
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per cell (median)")
    args = parser.parse_args(argv)
    rows = [tuple(r.values()) for r in measure(args.repeat)]
    print(f"fastreg first-fit time in a fresh process (median of {args.repeat}), seconds")
    print(f"{'layout':<8} {'cold fit':>9} {'(cpu)':>7} {'warm fit':>9} {'(cpu)':>7} "
          f"{'import':>7} {'later fit':>10}")
    for layout, cold, cold_cpu, warm, warm_cpu, imp, second in rows:
        print(f"{layout:<8} {cold:9.2f} {cold_cpu:7.2f} {warm:9.3f} {warm_cpu:7.3f} {imp:7.2f} "
              f"{second:10.4f}")
    print("cold: NUMBA_CACHE_DIR empty (JIT compile); warm: filled by the cold run (cache load);\n"
          "(cpu): process CPU time of the same fit (less sensitive to other load on the machine);\n"
          "import: numpy+scipy+fastreg (warm run); later fit: a second fit in the same process")


if __name__ == "__main__":
    main()
