"""Numba kernels: every ``@njit(cache=True)`` function of fastreg lives here.

Kernels take plain arrays and scalars and return arrays and scalars; they never see an estimator.
"""

import ctypes
import os
import sys

__all__ = ["load_tbb"]

#: The TBB runtime's file name, by platform (the one Numba's TBB threading layer links to)
_TBB_LIBRARY = {"linux": "libtbb.so.12", "win32": "tbb12.dll", "darwin": "libtbb.12.dylib"}


def load_tbb():
    """Make Intel TBB (the ``tbb`` wheel, a dependency on x86-64) the threading layer of the
    Numba kernels that run in parallel (the threaded full-gradient passes, dropout).

    Numba prefers TBB when it can load it, but pip puts the library in the environment's
    ``lib`` directory, where Numba's TBB module does not look: loaded here first, by its full
    path, it is found. Why TBB: the workers of Numba's OpenMP layer wait for each other at the
    end of every parallel region, so that with another process busy on one of 2 cores a
    threaded sparse single fit took 2-10x the time of a serial one (TBB: 0.7-1.2x; idle,
    both about 0.8x; bench/RESULTS.md); and TBB is fork-safe, where OpenMP is not. Does nothing when Numba's
    threads already run, when the user chose a layer (``NUMBA_THREADING_LAYER``), or when
    the library is missing (Numba then picks OpenMP or its workqueue, as before). Returns
    whether it loaded the library.
    """
    import numba
    from numba.np.ufunc import parallel

    name = _TBB_LIBRARY.get(sys.platform)
    if (name is None or parallel._is_initialized
            or str(numba.config.THREADING_LAYER).lower() != "default"):
        return False
    for directory in (os.path.join(sys.prefix, "lib"), os.path.join(sys.prefix, "Library", "bin")):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            try:
                ctypes.CDLL(path, mode=getattr(ctypes, "RTLD_GLOBAL", 0))
            except OSError:
                return False
            return True
    return False


load_tbb()

