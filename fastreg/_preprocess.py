"""Centering and sample-weight rescaling shared by every linear model.

The weighted least-squares problem with an intercept,

    min_{w, b}  1/2 sum_i s_i (y_i - x_i w - b)^2 + penalty(w),

has ``b = ybar - xbar w`` (weighted means), and becomes an intercept-free problem in
``A = diag(sqrt(s)) (X - 1 xbar^T)`` and ``z = sqrt(s) (y - ybar)``. Dense X is centered and scaled
explicitly (on a copy unless the caller asked for ``copy_X=False``). Sparse X is never densified:
it is only row-scaled, and the kernels subtract ``sqrt(s) xbar_j`` from column j on the fly
(implicit centering, see ``fastreg._kernels.cd``).

Solvers that need only the Gram matrix of the centered, scaled design (covariance updates, the
sufficient statistics of cross-validation) never form it: :func:`centered_scatter` computes
``Z^T Z``, ``Z^T z`` and ``||z||^2`` straight from X in one compiled pass.
"""

import contextlib
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import sparse

__all__ = ["Preprocessed", "compute_offsets", "preprocess_data", "centered_scatter",
           "gram_columns", "centered_columns", "design_scatter"]


@dataclass
class Preprocessed:
    """Data ready for a solver.

    Attributes
    ----------
    X : ndarray (F-ordered, or C on request) or scipy.sparse CSC (or, on request, CSR) matrix
        ``diag(sqrt(s)) (X - xbar)`` when dense; ``diag(sqrt(s)) X`` when sparse (not centered).
    y : ndarray
        ``sqrt(s) (y - ybar)``, 1-D or 2-D (F-ordered).
    X_offset : ndarray of shape (n_features,)
        Weighted column means ``xbar`` (zeros without intercept).
    y_offset : float or ndarray of shape (n_targets,)
        Weighted mean of y (zero without intercept).
    sqrt_sw : ndarray of shape (n_samples,) or None
        Square roots of the sample weights, ``None`` when unweighted.
    implicit_center : bool
        True when X is sparse and must be centered on the fly by the kernels.
    """

    X: object
    y: np.ndarray
    X_offset: np.ndarray
    y_offset: object
    sqrt_sw: object
    implicit_center: bool

    @property
    def center_vector(self):
        """The vector ``v`` such that the centered design is ``X - v X_offset^T``."""
        n = self.X.shape[0]
        if self.sqrt_sw is None:
            return np.ones(n, dtype=self.X.dtype)
        return self.sqrt_sw


def compute_offsets(X, y, *, fit_intercept, sample_weight=None):
    """Weighted column means of X and y (zeros without intercept), in X's dtype.

    Factored out of :func:`preprocess_data` for solvers that center on the fly (e.g. block-wise
    Gram matrices) and must not copy X.

    Returns
    -------
    X_offset : ndarray of shape (n_features,)
    y_offset : scalar or ndarray of shape (n_targets,)
    """
    dtype = X.dtype
    n_features = X.shape[1]
    if fit_intercept:
        if sparse.issparse(X):
            # X^T w / sum(w), with w = 1 without weights: scipy's X.mean first builds a scaled
            # copy of X's data (3 ms of a 20000x50000 CG Ridge fit) and sums float32 in float32
            w = np.ones(X.shape[0]) if sample_weight is None else sample_weight
            X_offset = (np.asarray(X.T @ w).ravel() / w.sum()).astype(dtype)
        else:
            X_offset = np.average(X, axis=0, weights=sample_weight).astype(dtype, copy=False)
        y_offset = np.average(y, axis=0, weights=sample_weight)
        y_offset = y_offset.astype(dtype) if isinstance(y_offset, np.ndarray) else dtype.type(y_offset)
    else:
        X_offset = np.zeros(n_features, dtype=dtype)
        y_offset = np.zeros(y.shape[1], dtype=dtype) if y.ndim == 2 else dtype.type(0.0)
    return X_offset, y_offset


def sparse_sq_norms(A, axis):
    """``sum A_ij^2`` along ``axis`` (0: per column, 1: per row) of a CSR or CSC matrix, in
    float64, from the squared data in A's own structure (``A.multiply(A)`` builds a new matrix
    and costs about 2x more: 20 ms on 20000x50000, 10% of a single sparse lasso fit)."""
    A2 = A.__class__((np.square(A.data, dtype=np.float64), A.indices, A.indptr), shape=A.shape)
    return np.asarray(A2.sum(axis=axis)).ravel()


def as_sparse_format(X, fmt):
    """``fmt(X)`` for a scipy.sparse ``X`` (sharing X's arrays when X is in that format),
    keeping X's record that its indices are sorted.

    scipy records that flag on the matrix object, once checked; a new wrapper checks it again
    (0.4 ms on 1e6 stored entries), on every fit.
    """
    Xp = fmt(X)
    if X.format == Xp.format and X.has_sorted_indices:
        Xp.has_sorted_indices = True
    return Xp


def preprocess_data(X, y, *, fit_intercept, sample_weight=None, copy_X=True, sparse_format="csc",
                    dense_order="F"):
    """Center (weighted) and rescale rows by ``sqrt(sample_weight)``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or sparse matrix
        Validated float data.
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    fit_intercept : bool
    sample_weight : ndarray of shape (n_samples,) or None
        Validated non-negative weights, used as given (no normalization here).
    copy_X : bool, default=True
        If False, dense X may be modified in place. Without centering and weights X is never
        modified, and ``Preprocessed.X`` may then be the caller's (F-ordered) array itself.
    sparse_format : {'csc', 'csr'}, default='csc'
        Format of ``Preprocessed.X`` for sparse X (coordinate descent reads columns; matrix-free
        products can use either format, and a conversion costs as much as a few products).
    dense_order : {'F', 'C'}, default='F'
        Memory order of ``Preprocessed.X`` for dense X: 'F' for the column access of coordinate
        descent, 'C' for the kernel ``A A^T`` of a wide X (BLAS is 1.5x faster on it, and the
        centered copy of C input is a straight copy).

    Returns
    -------
    Preprocessed
    """
    dtype = X.dtype
    n_samples, n_features = X.shape
    is_sparse = sparse.issparse(X)
    sqrt_sw = None if sample_weight is None else np.sqrt(sample_weight).astype(dtype, copy=False)

    X_offset, y_offset = compute_offsets(X, y, fit_intercept=fit_intercept, sample_weight=sample_weight)

    if is_sparse:
        fmt = sparse.csr_matrix if sparse_format == "csr" else sparse.csc_matrix
        Xp = as_sparse_format(X, fmt)
        if sqrt_sw is not None:
            Xp = fmt(sparse.diags(sqrt_sw) @ Xp)
        elif copy_X and not Xp.has_sorted_indices:
            # fmt(X) shares the arrays of an X in that format: sorting in place would reorder
            # the caller's
            Xp = Xp.copy()
        Xp.sort_indices()
        Xp.data = np.asarray(Xp.data, dtype=dtype)
    else:
        # X is only written to when centering or reweighting; otherwise it is never copied (the
        # caller's array is read, never modified), which matters for tall data. copy_X=False
        # allows in-place centering, but a read-only X (e.g. a memmap opened 'r') is still copied.
        modify = fit_intercept or sqrt_sw is not None
        copy = modify and (copy_X or not X.flags.writeable)
        Xp = (np.array(X, dtype=dtype, order=dense_order, copy=True) if copy
              else np.asarray(X, dtype=dtype, order=dense_order))
        if fit_intercept:
            Xp -= X_offset
        if sqrt_sw is not None:
            Xp *= sqrt_sw[:, None]

    yp = np.array(y, dtype=dtype, order="F", copy=True)
    if fit_intercept:
        yp -= y_offset
    if sqrt_sw is not None:
        yp *= sqrt_sw if yp.ndim == 1 else sqrt_sw[:, None]

    return Preprocessed(
        X=Xp,
        y=yp,
        X_offset=X_offset,
        y_offset=y_offset,
        sqrt_sw=sqrt_sw,
        implicit_center=bool(is_sparse and fit_intercept),
    )


# A scatter of at least this many multiply-adds (rows x (p + t)^2 / 2) is split over threads:
# on 200000 x 101, 2 threads took 62-90 ms against 98-117 ms for one (2-core bench machine; how
# much the second vCPU gives varies with the host's load).
_SCATTER_THREAD_MIN_WORK = 20_000_000
_POOL = None
# Above this many columns (features + targets) BLAS on centered row blocks is faster than the
# compiled tiles, whose speed does not grow with the width as BLAS's does. Measured (2-core
# bench machine, interleaved): tiles 21 / 97 / 103 / 157 / 162 / 706 ms against BLAS blocks
# 48 / 155 / 118 / 158 / 138 / 322 ms on 200000x50, 200000x100, 100000x150, 100000x200,
# 50000x300 and 5000x2000.
_SCATTER_MAX_COLUMNS = 200
_BLAS_BLOCK_BYTES = 64 << 20


def available_threads(work, min_work):
    """How many threads a pass over ``work`` entries may use: 1 below ``min_work`` or off the
    main thread (inside joblib's threading backend or a user's pool, which already run in
    parallel), else ``numba.get_num_threads()``, which joblib's process-based workers lower (they
    set ``NUMBA_NUM_THREADS`` to ``cpu_count // n_jobs``): nested parallelism does not
    oversubscribe."""
    if work < min_work or threading.current_thread() is not threading.main_thread():
        return 1
    import numba

    return max(1, numba.get_num_threads())


def _scatter_threads(work):
    """Python threads for :func:`centered_scatter` (its kernel releases the GIL), at most 8."""
    return min(available_threads(work, _SCATTER_THREAD_MIN_WORK), 8)


_BLAS = None


def one_blas_thread(on=True):
    """A context that runs BLAS on one thread when ``on``, and does nothing otherwise.

    For tasks run in parallel (no oversubscription of the cores: the dense Newton steps' Gram
    blocks and the CV's held-out products call BLAS), and for dense fits, whose Gram blocks
    are small products between which OpenBLAS's second thread spins on the other core (and
    competes with the threaded passes' workers). The libraries are scanned once per process
    (the scan takes about 4 ms, a tenth of a small LassoCV).

    Only from the main thread, as :func:`available_threads`: the limit is process-wide and
    each context restores what it found on entry, so two threads whose contexts overlapped
    would leave BLAS on one thread for good (the second restores the first's limit). Off the
    main thread fastreg runs inside a pool that is its caller's to size.
    """
    global _BLAS
    if not on or threading.current_thread() is not threading.main_thread():
        return contextlib.nullcontext()
    if _BLAS is None:
        from threadpoolctl import ThreadpoolController

        _BLAS = ThreadpoolController()
    return _BLAS.limit(limits=1, user_api="blas")


def map_threads(func, items, n_threads):
    """``[func(x) for x in items]`` on up to ``n_threads`` threads of one process-wide pool.

    Each thread takes the next item as it finishes one (tasks of uneven length keep every
    thread busy); exceptions are re-raised. Callers run GIL-free kernels, and call this only
    from the main thread (nested calls see :func:`available_threads` return 1 and run inline,
    so a pool thread never waits on the pool).
    """
    global _POOL
    items = list(items)
    n_threads = min(int(n_threads), len(items))
    if n_threads <= 1:
        return [func(x) for x in items]
    # a pool inherited through fork() has no threads in the child: make a new one there
    if _POOL is None or _POOL[0] != os.getpid() or _POOL[1]._max_workers < n_threads:
        _POOL = (os.getpid(), ThreadPoolExecutor(n_threads, thread_name_prefix="fastreg"))
    out = [None] * len(items)
    order = itertools.count()
    failed = []

    def worker():
        while not failed:  # after an exception, the other threads take no new item
            i = next(order)
            if i >= len(items):
                return
            try:
                out[i] = func(items[i])
            except BaseException:
                failed.append(i)
                raise

    for future in [_POOL[1].submit(worker) for _ in range(n_threads)]:
        future.result()
    return out


def _row_selection(rows, n):
    """``(rows, contiguous)`` for the kernels: ``[start, stop]`` for a run of consecutive rows."""
    if rows is None:
        return np.array([0, n], dtype=np.int64), True
    rows = np.asarray(rows)
    if rows.dtype == bool:
        rows = np.flatnonzero(rows)
    rows = rows.astype(np.int64, copy=False)
    if rows.size and rows[-1] - rows[0] == rows.size - 1 and np.all(np.diff(rows) == 1):
        return np.array([rows[0], rows[-1] + 1], dtype=np.int64), True
    return rows, False


def _split(rows, contiguous, k):
    if contiguous:
        cuts = np.linspace(rows[0], rows[1], k + 1).astype(np.int64)
        return [cuts[i:i + 2].copy() for i in range(k)]
    return np.array_split(rows, k)


def centered_scatter(X, Y, *, rows=None, sample_weight=None, center=True):
    """Centered, weighted scatter of ``[X, Y]`` over some rows, in one pass and without a copy
    of X.

    ``S = sum_{i in rows} s_i (u_i - m)(u_i - m)^T`` with ``u_i = [x_i, y_i]`` and ``m`` the
    weighted means of those rows (zero when ``center=False``). For a Gram (covariance) solver,
    ``S[:p, :p] = Z^T Z``, ``S[:p, p:] = Z^T z`` and ``diag(S[p:, p:]) = ||z||^2``, with ``Z``
    the centered, ``sqrt(s)``-scaled design and ``z`` the centered, scaled targets. The means
    are not computed beforehand: the pass centers on estimates from a sample of the rows, in
    X's dtype, block by block (see :mod:`fastreg._kernels.gram`), and the float64 sums are
    then moved onto the true means exactly (as in :func:`gram_columns`). With more than 200
    columns (``p + t``) the blocks go to BLAS instead, which is faster at that width.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Dense, float32 or float64, C- or F-ordered (neither is copied).
    Y : ndarray of shape (n_samples, n_targets)
        Same dtype.
    rows : ndarray of int or bool, optional
        The rows to use (all by default).
    sample_weight : ndarray of shape (n_samples,), optional
        Non-negative weights ``s``.
    center : bool, default=True

    Returns
    -------
    S : ndarray of shape (p + t, p + t), float64, symmetric
    means : ndarray of shape (p + t,), float64
        ``m`` (zeros when not centering).
    weight_sum : float
        ``sum_{i in rows} s_i``.
    """
    dtype = X.dtype
    if not (X.flags.f_contiguous or X.flags.c_contiguous):
        X = np.asfortranarray(X)
    n = X.shape[0]
    YT = np.asarray(Y, dtype=dtype).reshape(n, -1).T
    p, t = X.shape[1], YT.shape[0]
    q = p + t
    sel, contiguous = _row_selection(rows, n)
    n_rows = int(sel[1] - sel[0]) if contiguous else sel.shape[0]
    weighted = sample_weight is not None
    w = np.asarray(sample_weight, dtype=np.float64) if weighted else None
    sqrt_w = np.sqrt(w).astype(dtype) if weighted else None
    r = slice(sel[0], sel[1]) if contiguous else sel
    weight_sum = float(w[r].sum()) if weighted else float(n_rows)
    if not (center and weight_sum > 0):
        S = _scatter_rows(X, np.ascontiguousarray(YT), sel, contiguous, sqrt_w, np.zeros(p, dtype),
                          np.zeros(t, dtype), True)
        return S, np.zeros(q), weight_sum
    # one pass, centered on means estimated from a sample of the rows, with the weights' roots
    # as one more column: its products give W (m - m_est), which moves the scatter onto the true
    # means exactly (see gram_columns)
    offsets = _sampled_moments(X.T, YT, sel, contiguous, w)[0].astype(dtype)
    YT1 = np.vstack([YT, np.ones((1, n), dtype=dtype)])
    S = _scatter_rows(X, YT1, sel, contiguous, sqrt_w, offsets[:p], np.append(offsets[p:], 0),
                      True)
    d = S[:q, q] / weight_sum
    return S[:q, :q] - weight_sum * np.outer(d, d), offsets.astype(np.float64) + d, weight_sum


#: Rows read to estimate the means and correlations that :func:`gram_columns` starts from: runs
#: of ``_SAMPLE_RUN`` consecutive rows spread evenly over X
_SAMPLE_ROWS = 2048
_SAMPLE_RUN = 64


def _row_sample(n):
    """Up to :data:`_SAMPLE_ROWS` row indices, in evenly spaced runs (all rows of a short X)."""
    if n <= 2 * _SAMPLE_ROWS:
        return np.arange(n)
    starts = np.linspace(0, n - _SAMPLE_RUN, _SAMPLE_ROWS // _SAMPLE_RUN).astype(np.int64)
    return (starts[:, None] + np.arange(_SAMPLE_RUN)).ravel()


def _sampled_moments(XT, YT, sel, contiguous, w, center=True):
    """Means of ``[X, Y]`` on a sample of the selected rows (:func:`_row_sample`), and the
    products of X's centered columns with Y's first one there
    (:func:`fastreg._kernels.gram.sampled_moments`: no copy of the sample)."""
    from ._kernels.gram import sampled_moments

    n_rows = int(sel[1] - sel[0]) if contiguous else sel.shape[0]
    idx = _row_sample(n_rows)
    rs = sel[0] + idx if contiguous else sel[idx]
    weighted = w is not None
    return sampled_moments(XT, YT, rs, weighted, w if weighted else np.zeros(0), center)


def gram_columns(X, y, n_cols, *, sample_weight=None, center=True):
    """The statistics of the Gram (covariance) layout and its first columns, in one pass over
    dense X and without a copy: the weighted means, ``||Z_j||^2``, ``Z^T z``, ``||z||^2`` and
    the columns of ``Z^T Z`` of the ``n_cols`` features most correlated with ``y``, for the
    centered, ``sqrt(s)``-scaled design ``Z`` and target ``z``.

    The means are not known before the pass: it centers on estimates from a sample of rows
    (:func:`_row_sample`), and sums, with the tiles of :func:`fastreg._kernels.gram.cross`,
    the weights' roots against the centered columns too. Each sum then moves to the true means
    exactly (``sum_i s_i (a_i - m_a)(b_i - m_b) = C_ab - W d_a d_b``, with ``d = m - m_est``
    and ``W = sum_i s_i``), with a correction only as large as the estimates' error. The same
    sample ranks the features (by ``|Z_j^T z|`` on its rows).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Dense, float32 or float64, C- or F-ordered.
    y : ndarray of shape (n_samples,)
    n_cols : int
    sample_weight : ndarray of shape (n_samples,), optional
    center : bool, default=True

    Returns
    -------
    means : ndarray of shape (n_features + 1,)
        Weighted means of X's columns, then of y (zeros when not centering).
    col_norm2 : ndarray of shape (n_features,)
    Zty : ndarray of shape (n_features,)
    yy : float
    cols : ndarray of shape (min(n_cols, n_features),), int64
        The features whose columns were computed.
    G : ndarray of shape (n_features, len(cols))
        ``Z^T Z[:, cols]``. All float64.
    """
    from ._kernels.gram import cross

    if not (X.flags.f_contiguous or X.flags.c_contiguous):
        X = np.asfortranarray(X)
    n, p = X.shape
    dtype = X.dtype
    y = np.asarray(y, dtype=dtype).reshape(n)
    weighted = sample_weight is not None
    w = np.asarray(sample_weight, dtype=np.float64) if weighted else None
    total = float(w.sum()) if weighted else float(n)
    # estimates from a sample of rows: the offsets to center on, and the features to compute
    sel, contiguous = _row_selection(None, n)
    YT = np.ascontiguousarray(y.reshape(1, n))
    est, corr = _sampled_moments(X.T, YT, sel, contiguous, w, center)
    corr = np.abs(corr)
    corr[~np.isfinite(corr)] = np.inf
    cols = np.sort(np.argsort(-corr, kind="stable")[:min(n_cols, p)]).astype(np.int64)

    sqrt_w = np.sqrt(w).astype(dtype) if weighted else np.zeros(0, dtype=dtype)
    offsets = est.astype(dtype)
    k = max(1, min(_scatter_threads(n * p * (cols.size + 2)), n))
    XT = X.T
    parts = map_threads(lambda r: cross(XT, YT, r, contiguous, weighted, sqrt_w, offsets[:p],
                                        offsets[p:], np.append(cols, p), center, False),
                        _split(sel, contiguous, k), k)
    C = sum(part[0] for part in parts)
    sq = sum(part[1] for part in parts)
    c = cols.size
    if center:
        d = C[:p + 1, c + 1] / total if total > 0 else np.zeros(p + 1)
        # the estimates were rounded to X's dtype: the shift is from those
        means = offsets.astype(np.float64) + d
    else:
        d = np.zeros(p + 1)
        means = np.zeros(p + 1)
    G = C[:p, :c] - total * np.outer(d[:p], d[cols])
    Zty = C[:p, c] - total * d[:p] * d[p]
    col_norm2 = sq[:p] - total * d[:p] ** 2
    yy = float(sq[p] - total * d[p] ** 2)
    return means, col_norm2, Zty, yy, cols, G


def centered_columns(X, cols, x_offset, sqrt_w=None, upper=False):
    """Columns ``cols`` of the Gram matrix ``A^T A`` of ``A = diag(sqrt_w) (X - 1 x_offset^T)``,
    in one pass over X and without forming A: shape (n_features, len(cols)), float64. With
    ``upper``, only their rows ``cols``: the Gram matrix of ``A[:, cols]``, symmetric, of shape
    (len(cols), len(cols)), by half the products.

    The centering and the products within blocks of rows are in ``x_offset``'s dtype (X's,
    as :func:`centered_scatter`), the sums over blocks in float64; threads as there.
    """
    from ._kernels.gram import cross

    if not (X.flags.f_contiguous or X.flags.c_contiguous):
        X = np.asfortranarray(X)
    n, p = X.shape
    x_offset = np.ascontiguousarray(x_offset, dtype=X.dtype)
    sel, contiguous = _row_selection(None, n)
    no_targets = np.zeros((0, n), dtype=X.dtype)
    cols = np.ascontiguousarray(cols, dtype=np.int64)
    c = cols.size
    weighted = sqrt_w is not None
    w = sqrt_w if weighted else np.zeros(0, dtype=X.dtype)
    k = max(1, min(_scatter_threads(n * max(c, 1) * (c // 2 if upper else p)), n))
    XT = X.T
    C = sum(map_threads(lambda r: cross(XT, no_targets, r, contiguous, weighted, w, x_offset,
                                        x_offset[:0], cols, False, upper)[0],
                        _split(sel, contiguous, k), k))
    if not upper:
        return np.ascontiguousarray(C[:p, :c])
    C = np.triu(C[:c, :c])
    C += np.triu(C, 1).T
    return C


def design_scatter(X, z, x_offset, sqrt_w=None):
    """``[A, z]^T [A, z]`` in float64 for ``A = diag(sqrt_w) (X - 1 x_offset^T)`` and a target
    ``z`` already centered and scaled, without forming A (X of any float dtype is centered in
    float64). The same one pass as :func:`centered_scatter`, for a design whose offsets and
    weights are already fixed.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        C- or F-ordered (neither is copied).
    z : ndarray of shape (n_samples, n_targets)
    x_offset : ndarray of shape (n_features,)
    sqrt_w : ndarray of shape (n_samples,), optional

    Returns
    -------
    ndarray of shape (p + t, p + t), float64, symmetric
    """
    if not (X.flags.f_contiguous or X.flags.c_contiguous):
        X = np.asfortranarray(X)
    # C-ordered X is read as it is (a second compiled variant): a block is a contiguous run of
    # rows, and its transposition into the buffer costs about 12% more than for F order, where
    # an F copy of a 200000 x 100 X alone costs twice the whole scatter
    ZT = np.ascontiguousarray(np.asarray(z, dtype=X.dtype).reshape(X.shape[0], -1).T)
    sel = np.array([0, X.shape[0]], dtype=np.int64)
    x_off = np.asarray(x_offset, dtype=np.float64)
    return _scatter_rows(X, ZT, sel, True, sqrt_w, x_off, np.zeros(ZT.shape[0]), False)


def _scatter_rows(X, YT, sel, contiguous, sqrt_w, x_offset, y_offset, y_weighted):
    """The symmetric scatter of the selected rows of ``[X, Y]`` (``YT = Y.T``, C-ordered),
    centered on the given offsets, in their dtype: compiled tiles in threads up to
    :data:`_SCATTER_MAX_COLUMNS` columns, BLAS on row blocks above."""
    from ._kernels.gram import scatter

    p, t = X.shape[1], YT.shape[0]
    q = p + t
    weighted = sqrt_w is not None
    n_rows = int(sel[1] - sel[0]) if contiguous else sel.shape[0]
    if q > _SCATTER_MAX_COLUMNS:
        return _blas_scatter(X, YT.T, sel, contiguous, sqrt_w, x_offset, y_offset, y_weighted,
                             n_rows)
    k = max(1, min(_scatter_threads(n_rows * q ** 2 // 2), n_rows))
    w = sqrt_w if weighted else np.zeros(0, dtype=X.dtype)
    XT = X.T
    S = sum(map_threads(lambda r: scatter(XT, YT, r, contiguous, weighted, y_weighted, w,
                                          x_offset, y_offset), _split(sel, contiguous, k), k))
    S = np.triu(S[:q, :q])
    S += np.triu(S, 1).T
    return S


def _blas_scatter(X, Y, sel, contiguous, sqrt_w, x_offset, y_offset, y_weighted, n_rows):
    """The same scatter by BLAS on centered row blocks of at most 64 MB (for many columns)."""
    p, q = X.shape[1], X.shape[1] + Y.shape[1]
    dtype = x_offset.dtype
    step = max(256, _BLAS_BLOCK_BYTES // (dtype.itemsize * q))
    S = np.zeros((q, q))
    U = np.empty((min(step, n_rows), q), dtype=dtype, order="F")
    for start in range(0, n_rows, step):
        stop = min(start + step, n_rows)
        r = slice(sel[0] + start, sel[0] + stop) if contiguous else sel[start:stop]
        B = U[:stop - start]
        B[:, :p] = X[r]
        B[:, p:] = Y[r]
        B[:, :p] -= x_offset
        B[:, p:] -= y_offset
        if sqrt_w is not None:
            B[:, :p if not y_weighted else q] *= sqrt_w[r, None]
        S += B.T @ B
    return S
