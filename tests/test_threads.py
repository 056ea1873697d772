"""The threading layer of the parallel kernels (``fastreg._kernels.load_tbb``).

With the ``tbb`` wheel installed (a dependency on x86-64), Numba runs fastreg's parallel kernels
on Intel TBB, not OpenMP: TBB's workers do not wait for each other at the end of each parallel
region, so that a busy core elsewhere on the machine does not stall every threaded pass, and it
is fork-safe. A layer the user chose is kept. Each case runs in a fresh interpreter, because the
layer is fixed once Numba's threads start.
"""

import os
import subprocess
import sys

import pytest

from fastreg._kernels import _TBB_LIBRARY

_SCRIPT = """
import numpy as np
import numba
from scipy import sparse
import fastreg
rng = np.random.default_rng(0)
X = sparse.random(20000, 500, density=0.05, format="csc", random_state=0)
y = rng.standard_normal(20000)
a = fastreg.lasso_path(X, y, alphas=[1e-4], n_threads=2, tol=1e-6)[1]
b = fastreg.lasso_path(X, y, alphas=[1e-4], n_threads=1, tol=1e-6)[1]
assert np.allclose(a, b, rtol=0, atol=1e-12), abs(a - b).max()
print(numba.threading_layer())
"""


def _tbb_installed():
    name = _TBB_LIBRARY.get(sys.platform)
    return name is not None and any(
        os.path.isfile(os.path.join(sys.prefix, d, name)) for d in ("lib", os.path.join("Library", "bin")))


def test_threaded_passes_run_on_tbb_when_installed():
    env = dict(os.environ)
    env.pop("NUMBA_THREADING_LAYER", None)
    res = subprocess.run([sys.executable, "-c", _SCRIPT], env={**env, "NUMBA_NUM_THREADS": "2"},
                         capture_output=True, text=True, check=True)
    layer = res.stdout.split()[-1]
    # without the library (no wheel for this platform) Numba keeps its own choice
    assert (layer == "tbb") == _tbb_installed()


@pytest.mark.parametrize("layer", ["omp", "workqueue"])
def test_a_layer_the_user_chose_is_kept(layer):
    if layer == "omp" and sys.platform == "darwin":
        pytest.skip("Numba's OpenMP layer needs intel-openmp on macOS")
    res = subprocess.run([sys.executable, "-c", _SCRIPT],
                         env={**os.environ, "NUMBA_NUM_THREADS": "2",
                              "NUMBA_THREADING_LAYER": layer},
                         capture_output=True, text=True, check=True)
    assert res.stdout.split()[-1] == layer
