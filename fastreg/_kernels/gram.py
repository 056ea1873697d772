"""Centered, weighted Gram matrices of dense data in one pass over the rows, compiled with Numba.

:func:`scatter` computes, for the rows ``R`` of a dense ``X`` (n x p) and targets ``Y`` (n x t),

    S = sum_{i in R} s_i (u_i - m)(u_i - m)^T,        u_i = [x_i, y_i],  m = [x_offset, y_offset]

in float64: ``S[:p, :p]`` is the centered Gram ``Z^T Z`` of the coordinate-descent solvers,
``S[:p, p:]`` is ``Z^T z`` and the diagonal of ``S[p:, p:]`` is ``||z||^2``. This is what the
covariance (Gram) layout needs, without the centered copy of X that BLAS ``syrk`` would need
(on 200000 x 100, that copy alone costs half the product).

How: rows are taken in blocks of :data:`BLOCK`; a block is centered, weighted and transposed
into a small buffer (one pass, in X's dtype), and the upper triangle of its Gram is accumulated
by 4 x 4 tiles, each a loop over the block's rows with 16 independent sums that Numba
vectorizes. The kernel releases the GIL: :func:`fastreg._preprocess.centered_scatter` runs it
on ranges of rows in Python threads and adds their results. On the 2-core bench machine that
took 62-90 ms on 200000 x 100 (98-117 ms on one thread), against 83-92 ms for OpenBLAS ``syrk``
or ``gemm`` (which do not gain from a second thread at this thin shape) of an already centered
X, and 180-200 ms with the centering copy; with blocks read four columns at a time and no
separate pass for the means (see ``centered_scatter``), 26-30 ms.

:func:`cross` computes some columns of the same scatter, or the scatter of a subset of the
columns (the lazy Gram layout, :class:`fastreg._path.LazyGram`), by the same blocks and tiles;
:func:`sampled_moments` reads the sample of rows whose means the passes center on.

Float32 data stay float32 inside a block (the tile sums are in X's dtype over ``BLOCK`` rows),
and the blocks are accumulated in float64.
"""

import numpy as np
from numba import njit

__all__ = ["BLOCK", "cross", "sampled_moments", "scatter"]

#: Rows per block: the buffer of a block (``BLOCK`` x p, transposed) stays in the L2 cache (0.8 MB
#: at the tiles' widest, 200 columns in float64), and every tile reads it from there. Longer
#: blocks spread each tile's 16 horizontal sums over more rows. Against 256 rows, one thread,
#: in one process (9 alternating rounds, twice): 512 rows took 0.94-0.98x the time on 1e6 x 10,
#: 2e5 x 50, 2e5 x 100, 1e5 x 150 and 5e4 x 195; 1024 rows 0.91-1.00x.
BLOCK = 512
_TILE = 4


@njit(cache=True, nogil=True, fastmath=True)
def _pack(XT, YT, rows, contiguous, weighted, y_weighted, sqrt_w, x_offset, y_offset, k0, m,
          feats, B):
    """Block ``[k0, k0 + m)`` of the selected rows, centered and weighted, into ``B[:, :m]``
    (the rows of Y weighted only if ``y_weighted``), in B's dtype: row ``a`` of B receives
    column ``feats[a]`` of ``[X, Y]`` (X's columns first).

    A run of rows is read four columns at a time: four streams from memory at once instead of
    one (a block of a column is 4 KB, too short for the prefetcher to reach full speed alone).
    Packing 200000 x 100 on one thread took 10.9 ms instead of 13.2.
    """
    p = XT.shape[0]
    n_feats = feats.shape[0]
    a = 0
    if contiguous:
        s0 = rows[0] + k0
        w = sqrt_w[s0:s0 + m] if weighted else sqrt_w[:0]
        while a + 3 < n_feats and feats[a + 3] < p:
            a0 = XT[feats[a], s0:s0 + m]
            a1 = XT[feats[a + 1], s0:s0 + m]
            a2 = XT[feats[a + 2], s0:s0 + m]
            a3 = XT[feats[a + 3], s0:s0 + m]
            d0 = B[a]
            d1 = B[a + 1]
            d2 = B[a + 2]
            d3 = B[a + 3]
            o0 = x_offset[feats[a]]
            o1 = x_offset[feats[a + 1]]
            o2 = x_offset[feats[a + 2]]
            o3 = x_offset[feats[a + 3]]
            if weighted:
                for k in range(m):
                    d0[k] = (a0[k] - o0) * w[k]
                    d1[k] = (a1[k] - o1) * w[k]
                    d2[k] = (a2[k] - o2) * w[k]
                    d3[k] = (a3[k] - o3) * w[k]
            else:
                for k in range(m):
                    d0[k] = a0[k] - o0
                    d1[k] = a1[k] - o1
                    d2[k] = a2[k] - o2
                    d3[k] = a3[k] - o3
            a += 4
    for b in range(a, n_feats):
        _pack_column(XT, YT, rows, contiguous, weighted, y_weighted, sqrt_w, x_offset,
                     y_offset, k0, m, feats[b], B[b])


@njit(inline="always", cache=True, nogil=True, fastmath=True)
def _pack_column(XT, YT, rows, contiguous, weighted, y_weighted, sqrt_w, x_offset, y_offset, k0,
                 m, j, dst):
    """Column ``j`` of ``[X, Y]`` in the block ``[k0, k0 + m)``, as :func:`_pack`, into ``dst``."""
    p = XT.shape[0]
    o = x_offset[j] if j < p else y_offset[j - p]
    wj = weighted and (j < p or y_weighted)
    if contiguous:
        s0 = rows[0] + k0
        src = XT[j, s0:s0 + m] if j < p else YT[j - p, s0:s0 + m]
        if wj:
            w = sqrt_w[s0:s0 + m]
            for k in range(m):
                dst[k] = (src[k] - o) * w[k]
        else:
            for k in range(m):
                dst[k] = src[k] - o
    else:
        src = XT[j] if j < p else YT[j - p]
        for k in range(m):
            i = rows[k0 + k]
            if wj:
                dst[k] = (src[i] - o) * sqrt_w[i]
            else:
                dst[k] = src[i] - o


@njit(cache=True, nogil=True, fastmath=True)
def _tile(A, B, m, G, i0, j0, zero):
    """``G[i0:i0+4, j0:j0+4] += A[i0:i0+4, :m] @ B[j0:j0+4, :m].T`` with 16 independent sums."""
    a0 = A[i0, :m]
    a1 = A[i0 + 1, :m]
    a2 = A[i0 + 2, :m]
    a3 = A[i0 + 3, :m]
    b0 = B[j0, :m]
    b1 = B[j0 + 1, :m]
    b2 = B[j0 + 2, :m]
    b3 = B[j0 + 3, :m]
    s00 = s01 = s02 = s03 = s10 = s11 = s12 = s13 = zero
    s20 = s21 = s22 = s23 = s30 = s31 = s32 = s33 = zero
    for k in range(m):
        x0 = a0[k]
        x1 = a1[k]
        x2 = a2[k]
        x3 = a3[k]
        v0 = b0[k]
        v1 = b1[k]
        v2 = b2[k]
        v3 = b3[k]
        s00 += x0 * v0
        s01 += x0 * v1
        s02 += x0 * v2
        s03 += x0 * v3
        s10 += x1 * v0
        s11 += x1 * v1
        s12 += x1 * v2
        s13 += x1 * v3
        s20 += x2 * v0
        s21 += x2 * v1
        s22 += x2 * v2
        s23 += x2 * v3
        s30 += x3 * v0
        s31 += x3 * v1
        s32 += x3 * v2
        s33 += x3 * v3
    G[i0, j0] += s00
    G[i0, j0 + 1] += s01
    G[i0, j0 + 2] += s02
    G[i0, j0 + 3] += s03
    G[i0 + 1, j0] += s10
    G[i0 + 1, j0 + 1] += s11
    G[i0 + 1, j0 + 2] += s12
    G[i0 + 1, j0 + 3] += s13
    G[i0 + 2, j0] += s20
    G[i0 + 2, j0 + 1] += s21
    G[i0 + 2, j0 + 2] += s22
    G[i0 + 2, j0 + 3] += s23
    G[i0 + 3, j0] += s30
    G[i0 + 3, j0 + 1] += s31
    G[i0 + 3, j0 + 2] += s32
    G[i0 + 3, j0 + 3] += s33


@njit(cache=True, nogil=True, fastmath=True)
def scatter(XT, YT, rows, contiguous, weighted, y_weighted, sqrt_w, x_offset, y_offset):
    """Upper triangle of the centered, weighted scatter of the selected rows of ``[X, Y]``.

    Parameters
    ----------
    XT : ndarray of shape (p, n), C-ordered
        ``X.T`` of an F-ordered X (a view, no copy), float32 or float64.
    YT : ndarray of shape (t, n), C-ordered, same dtype
    rows : int64 ndarray
        ``contiguous``: ``[start, stop]``, the rows ``start..stop-1``; else the row indices.
    contiguous, weighted : bool
    y_weighted : bool
        Whether the weights also scale Y (False: Y is already scaled, and its offset is zero).
    sqrt_w : ndarray of shape (n,)
        Square roots of the sample weights (read only when ``weighted``).
    x_offset : ndarray of shape (p,); y_offset : ndarray of shape (t,)
        The centers ``m`` (zeros for no centering). Their dtype is the one the blocks are
        centered and multiplied in (X's, or float64 for float64 sums of a float32 X).

    Returns
    -------
    ndarray of shape (q4, q4), float64
        ``q4 = p + t`` rounded up to a multiple of 4; the upper triangle (diagonal included) of
        ``sum_i s_i (u_i - m)(u_i - m)^T`` in its top-left ``(p + t) x (p + t)`` corner. The
        strict lower triangle holds partial sums of diagonal tiles only: symmetrize from the
        upper one.
    """
    q = XT.shape[0] + YT.shape[0]
    q4 = (q + _TILE - 1) // _TILE * _TILE
    n_rows = rows[1] - rows[0] if contiguous else rows.shape[0]
    G = np.zeros((q4, q4))
    B = np.zeros((q4, BLOCK), dtype=x_offset.dtype)  # rows q..q4-1 stay zero (tile padding)
    zero = x_offset.dtype.type(0)
    everything = np.arange(q)
    for k0 in range(0, n_rows, BLOCK):
        m = min(BLOCK, n_rows - k0)
        _pack(XT, YT, rows, contiguous, weighted, y_weighted, sqrt_w, x_offset, y_offset, k0, m,
              everything, B)
        for i0 in range(0, q4, _TILE):
            for j0 in range(i0, q4, _TILE):
                _tile(B, B, m, G, i0, j0, zero)
    return G


@njit(cache=True, nogil=True, fastmath=True)
def cross(XT, YT, rows, contiguous, weighted, sqrt_w, x_offset, y_offset, cols, sums,
          upper):
    """Some columns of the centered, weighted scatter of the selected rows of ``[X, Y]``, and
    its whole diagonal.

    With ``u_i = [x_i, y_i]``, ``m = [x_offset, y_offset]`` and ``b_i = sqrt(s_i) (u_i - m)``:
    ``C = sum_{i in R} b_i v_i^T``, where ``v_i`` holds the entries ``cols`` of ``b_i``, then
    (with ``sums``) ``sqrt(s_i)``, the weights' roots (ones when unweighted). By the blocks and
    4 x 4 tiles of :func:`scatter`; the selected rows of each centered block are copied into a
    second buffer. The last column gives ``sum_i s_i (u_i - m)``, from which the caller can
    move offsets that are only close to the means onto the means exactly.

    Parameters
    ----------
    XT, YT, rows, contiguous, weighted, sqrt_w, x_offset, y_offset
        As in :func:`scatter` (Y weighted too).
    cols : int64 ndarray of shape (c,)
        Indices into ``[X, Y]``'s columns.
    sums : bool
    upper : bool
        Only the rows ``cols`` of C, and only its upper triangle by tiles (the scatter of the
        ``cols`` alone: symmetrize from the upper triangle, as for :func:`scatter`).

    Returns
    -------
    C : ndarray of shape (q4, c4), float64
        In its top-left ``q x (c + sums)`` corner (``q = p + t``; ``q4``, ``c4``: ``q`` and
        ``c + sums`` rounded up to a multiple of 4).
    sq : ndarray of shape (q,), float64
        ``sum_i b_ij^2``, the diagonal of the whole scatter (zeros with ``upper``).
    """
    q = XT.shape[0] + YT.shape[0]
    c = cols.shape[0]
    q4 = (q + _TILE - 1) // _TILE * _TILE
    c4 = (c + sums + _TILE - 1) // _TILE * _TILE
    n_rows = rows[1] - rows[0] if contiguous else rows.shape[0]
    G = np.zeros((q4, c4))
    sq = np.zeros(q)
    B = np.zeros((0 if upper else q4, BLOCK), dtype=x_offset.dtype)
    Bc = np.zeros((c4, BLOCK), dtype=x_offset.dtype)
    zero = x_offset.dtype.type(0)
    one = x_offset.dtype.type(1)
    everything = np.arange(q)
    for k0 in range(0, n_rows, BLOCK):
        m = min(BLOCK, n_rows - k0)
        if upper:  # only the columns ``cols`` are read
            _pack(XT, YT, rows, contiguous, weighted, True, sqrt_w, x_offset, y_offset, k0, m,
                  cols, Bc)
        else:
            _pack(XT, YT, rows, contiguous, weighted, True, sqrt_w, x_offset, y_offset, k0, m,
                  everything, B)
            for j in range(q):
                s = 0.0
                for k in range(m):
                    s += np.float64(B[j, k]) * np.float64(B[j, k])
                sq[j] += s
            for a in range(c):
                for k in range(m):  # (a loop: see tests/test_kernel_source.py)
                    Bc[a, k] = B[cols[a], k]
        if sums:
            for k in range(m):
                i = rows[0] + k0 + k if contiguous else rows[k0 + k]
                Bc[c, k] = sqrt_w[i] if weighted else one
        A = Bc if upper else B
        for i0 in range(0, c4 if upper else q4, _TILE):
            for j0 in range(i0 if upper else 0, c4, _TILE):
                _tile(A, Bc, m, G, i0, j0, zero)
    return G, sq


@njit(cache=True, nogil=True, fastmath=True)
def sampled_moments(XT, YT, idx, weighted, w, center):
    """Weighted means of the columns of ``[X, Y]`` over the rows ``idx`` (a sample), and the
    centered products of X's columns with Y's first column there, in float64 (unweighted when
    the sample's weights sum to zero; not centered, and zero means, without ``center``).

    Returns
    -------
    means : ndarray of shape (p + t,)
    corr : ndarray of shape (p,)
        ``sum_{i in idx} w_i (x_ij - mean_j)(y_i - mean_y)``.
    """
    p = XT.shape[0]
    q = p + YT.shape[0]
    total = 0.0
    if weighted:
        for i in idx:
            total += w[i]
    use_w = weighted and total > 0.0
    if not use_w:
        total = float(idx.shape[0])
    means = np.zeros(q)
    for j in range(q if center else 0):
        src = XT[j] if j < p else YT[j - p]
        s = 0.0
        for i in idx:
            s += (w[i] if use_w else 1.0) * np.float64(src[i])
        means[j] = s / total if total > 0.0 else 0.0
    corr = np.zeros(p if q > p else 0)
    if q > p:
        y = YT[0]
        for j in range(p):
            src = XT[j]
            s = 0.0
            for i in idx:
                s += ((w[i] if use_w else 1.0) * (np.float64(src[i]) - means[j])
                      * (np.float64(y[i]) - means[p]))
            corr[j] = s
    return means, corr
