"""Fused, counter-based dropout kernels.

Random bits
-----------
Elements are numbered ``k = 0, 1, ...`` in C order of the logical array and grouped in blocks of
``BLOCK = 8192``. With ``b = k // BLOCK`` and ``o = k % BLOCK``, element ``k`` gets the 32-bit number

    r_k = low 32 bits of H(key, c)   if o <  BLOCK/2,
          high 32 bits of H(key, c)  if o >= BLOCK/2,      c = b * BLOCK/2 + (o mod BLOCK/2),

    H(key, c) = mix64(key + (c + 1) * G),   G = 0x9E3779B97F4A7C15 (golden-ratio Weyl increment),

where ``mix64`` is the SplitMix64 output function (Stafford's "Mix13" finalizer; SplitMix64 passes
BigCrush) and ``key = mix64(seed ^ C)`` scrambles the user's seed. Each 64-bit hash thus feeds two
elements half a block apart (two contiguous streams, which vectorize; an interleaved even/odd split does
not). ``r_k`` is a pure function of ``(seed, k)``: no state, no stored mask, and the result does not
depend on the number of threads or on how the blocks are scheduled.

Element ``k`` is kept iff ``r_k >= t`` with the integer threshold ``t = round(p * 2**32)``, so the keep
probability is exactly ``1 - t / 2**32`` (``p`` is quantized to a multiple of ``2**-32``, an error of at
most ``1.2e-10``). No random float is ever formed.

Every kernel is one pass: hash -> integer compare -> select -> write. Each kernel exists in a parallel
(``prange`` over blocks) and a serial variant compiled from the same Python source; the serial one is for
small arrays, where waking threads costs more than the work. A variant is compiled on first use only.
"""

import numpy as np
from numba import njit, prange, uint64

__all__ = [
    "BLOCK",
    "seed_to_key",
    "dropout_parallel",
    "dropout_serial",
    "mask_parallel",
    "mask_serial",
]

BLOCK = 8192
HALF = BLOCK // 2

_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_SEED_XOR = 0x5851F42D4C957F2D
_LOW32 = 0xFFFFFFFF


@njit(inline="always", cache=True)
def _mix64(z):
    z = (z ^ (z >> uint64(30))) * uint64(_M1)
    z = (z ^ (z >> uint64(27))) * uint64(_M2)
    return z ^ (z >> uint64(31))


@njit(inline="always", cache=True)
def _hash(key, c):
    return _mix64(key + (c + uint64(1)) * uint64(_GOLDEN))


def seed_to_key(seed):
    """Scramble a seed in ``[0, 2**64)`` into the kernel key (pure Python, no compilation)."""
    m = (1 << 64) - 1
    z = (int(seed) ^ _SEED_XOR) & m
    z = ((z ^ (z >> 30)) * _M1) & m
    z = ((z ^ (z >> 27)) * _M2) & m
    return np.uint64(z ^ (z >> 31))


@njit(inline="always", cache=True)
def _dropout_block(x, out, key, threshold, scale, b):
    # Block b of x -> out. x, out: 1-D contiguous, same dtype and length; out may be x.
    # threshold: uint64 in [0, 2**32]; scale: a scalar of x's dtype. Indices are unsigned so that
    # numba emits no wraparound check (which blocks vectorization inside a prange body).
    n = x.shape[0]
    zero = scale - scale
    k0 = uint64(b) * uint64(BLOCK)
    c0 = uint64(b) * uint64(HALF)
    m = min(uint64(BLOCK), uint64(n) - k0)
    if m == uint64(BLOCK):
        for j in range(HALF):
            u = uint64(j)
            h = _hash(key, c0 + u)
            i0 = k0 + u
            i1 = i0 + uint64(HALF)
            out[i0] = x[i0] * scale if (h & uint64(_LOW32)) >= threshold else zero
            out[i1] = x[i1] * scale if (h >> uint64(32)) >= threshold else zero
    else:
        m0 = min(m, uint64(HALF))
        for j in range(m0):
            u = uint64(j)
            i0 = k0 + u
            r = _hash(key, c0 + u) & uint64(_LOW32)
            out[i0] = x[i0] * scale if r >= threshold else zero
        for j in range(m - m0):
            u = uint64(j)
            i1 = k0 + uint64(HALF) + u
            r = _hash(key, c0 + u) >> uint64(32)
            out[i1] = x[i1] * scale if r >= threshold else zero


@njit(inline="always", cache=True)
def _mask_block(out, key, threshold, b):
    # Block b of the boolean keep-mask: out[k] = r_k >= threshold.
    n = out.shape[0]
    k0 = uint64(b) * uint64(BLOCK)
    c0 = uint64(b) * uint64(HALF)
    m = min(uint64(BLOCK), uint64(n) - k0)
    m0 = min(m, uint64(HALF))
    m1 = m - m0
    for j in range(m0):
        u = uint64(j)
        h = _hash(key, c0 + u)
        out[k0 + u] = (h & uint64(_LOW32)) >= threshold
        if u < m1:
            out[k0 + uint64(HALF) + u] = (h >> uint64(32)) >= threshold


@njit(parallel=True, cache=True, nogil=True)
def dropout_parallel(x, out, key, threshold, scale):
    """``out[k] = x[k] * scale if r_k >= threshold else 0``; 1-D contiguous arrays, blocks in parallel."""
    nblocks = (x.shape[0] + BLOCK - 1) // BLOCK
    for b in prange(nblocks):
        _dropout_block(x, out, key, threshold, scale, b)
    return out


@njit(cache=True, nogil=True)
def dropout_serial(x, out, key, threshold, scale):
    """Same result as :func:`dropout_parallel`, on one thread (for small arrays)."""
    nblocks = (x.shape[0] + BLOCK - 1) // BLOCK
    for b in range(nblocks):
        _dropout_block(x, out, key, threshold, scale, b)
    return out


@njit(parallel=True, cache=True, nogil=True)
def mask_parallel(out, key, threshold):
    """Boolean keep-mask ``out[k] = r_k >= threshold`` (1-D contiguous), blocks in parallel."""
    nblocks = (out.shape[0] + BLOCK - 1) // BLOCK
    for b in prange(nblocks):
        _mask_block(out, key, threshold, b)
    return out


@njit(cache=True, nogil=True)
def mask_serial(out, key, threshold):
    """Same result as :func:`mask_parallel`, on one thread."""
    nblocks = (out.shape[0] + BLOCK - 1) // BLOCK
    for b in range(nblocks):
        _mask_block(out, key, threshold, b)
    return out
