"""The one warm-started regularization path, used by ``enet_path``, ``lasso_path``, every
``fit`` and the cross-validation driver.

Everything here works on plain arrays that :func:`fastreg._preprocess.preprocess_data` prepared;
the compiled work happens in :mod:`fastreg._kernels.cd`.
"""

import warnings
from contextlib import nullcontext
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import assert_all_finite, check_array, check_random_state

from ._kernels.cd import (ROWS_BUILD_PASSES, build_row_copy, csc_column_stats, enet_path_cd,
                          gap_from_grad, init_residual, make_newton_cache, make_row_cache,
                          unpenalized_excess)
from ._preprocess import (Preprocessed, as_sparse_format, available_threads, centered_columns,
                          centered_scatter, gram_columns, map_threads, one_blas_thread,
                          preprocess_data, sparse_sq_norms)
from ._validation import (check_choice, check_interval, check_penalty_factor, check_sample_weight,
                          is_dask_array)

__all__ = ["PathResult", "Design", "LazyGram", "make_design", "gram_problem", "gram_design",
           "gram_from_x",
           "single_fit_precompute", "validation_plan",
           "alpha_grid", "alpha_max", "solve_path", "prepare", "enet_path", "lasso_path",
           "penalized_correlations"]

_CONVERGENCE_MSG = (
    "Objective did not converge. You might want to increase the number of iterations, check "
    "the scale of the features or consider increasing regularisation. "
    "Duality gap: {gap:.3e}, tolerance: {tol:.3e} (both in units of the objective times "
    "n_samples, as in scikit-learn)."
)


class PathResult:
    """Result of a regularization path.

    Unpacks like scikit-learn's ``enet_path``: ``alphas, coefs, dual_gaps = result`` (and
    ``n_iters`` as a fourth item when the path was asked for ``return_n_iter=True``), and also
    carries the intercept at every alpha.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        Decreasing regularization strengths.
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Duality gaps reached, in units of the objective (scikit-learn's convention).
    n_iters : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Coordinate-descent epochs per alpha.
    intercepts : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Intercept at every alpha (zeros when ``fit_intercept=False``).
    """

    def __init__(self, alphas, coefs, dual_gaps, n_iters, intercepts, return_n_iter=False):
        self.alphas = alphas
        self.coefs = coefs
        self.dual_gaps = dual_gaps
        self.n_iters = n_iters
        self.intercepts = intercepts
        self._return_n_iter = return_n_iter

    def _items(self):
        items = (self.alphas, self.coefs, self.dual_gaps)
        return items + (self.n_iters,) if self._return_n_iter else items

    def __iter__(self):
        return iter(self._items())

    def __len__(self):
        return len(self._items())

    def __getitem__(self, i):
        return self._items()[i]

    def __repr__(self):
        return (
            f"PathResult(n_alphas={len(self.alphas)}, coefs.shape={self.coefs.shape}, "
            f"max dual gap={np.max(self.dual_gaps):.3g})"
        )


@dataclass
class Design:
    """A preprocessed problem in the form the kernels read (see :mod:`fastreg._kernels.cd`).

    Attributes
    ----------
    kind : {'dense', 'sparse', 'gram', 'lazy'}
    data : ndarray, tuple or LazyGram
        The ``design`` argument of the kernels, without the per-target parts of the Gram layout;
        for ``'lazy'``, the :class:`LazyGram` whose columns :func:`solve_path` computes as it
        needs them.
    col_norm2 : ndarray of shape (n_features,)
        Squared norms of the centered, scaled columns.
    Zty : ndarray of shape (n_features,) or (n_features, n_targets)
        ``Z^T z``, the correlations used by the alpha grid.
    yy : float or ndarray of shape (n_targets,)
        ``||z||^2``.
    n_samples : int
    """

    kind: str
    data: object
    col_norm2: np.ndarray
    Zty: np.ndarray
    yy: object
    n_samples: int

    @property
    def n_features(self):
        """Number of columns of the design."""
        return self.col_norm2.shape[0]

    @property
    def dtype(self):
        """Floating dtype of the problem (float32 stays float32)."""
        return self.col_norm2.dtype

    @property
    def n_targets(self):
        """``None`` for a 1-D target, else the number of targets."""
        return None if np.ndim(self.yy) == 0 else np.shape(self.yy)[0]

    def target(self, z, k=None):
        """Kernel arguments ``(design, y)`` for target ``k`` (``z`` is the 1-D centered target)."""
        if self.kind == "gram":
            Zty = self.Zty if k is None else np.ascontiguousarray(self.Zty[:, k])
            yy = self.yy if k is None else self.yy[k]
            return (self.data, Zty, float(yy)), Zty
        if self.kind == "sparse":
            data, indices, indptr, mean, v, c, aux = self.data
            # a fresh aux per target: it holds that target's running scalars
            return (data, indices, indptr, mean, v, c, aux.copy()), z
        return self.data, z


#: Columns of a lazy Gram design's first working set: with the target's and the weights'
#: columns, 16, a multiple of the kernels' 4 x 4 tiles. The first pass on the tall 200000 x 100
#: problem took 12.6 / 14.3 / 15.9 / 17.3 ms for 6 / 10 / 14 / 16 columns (and 29 ms for the
#: whole Gram matrix); its fits at alpha_max / 10 and / 100 end on 10 non-zeros.
LAZY_FIRST_COLUMNS = 14


class LazyGram:
    """The Gram matrix ``Z^T Z`` of a dense design, computed a few columns at a time as a
    solver needs them (glmnet's covariance mode): ``Z = diag(sqrt_w) (X - 1 x_offset^T)`` is
    never formed, and each call of :meth:`add` is one pass over the caller's X
    (:func:`fastreg._preprocess.centered_columns`).

    A single fit on n >> p data needs the columns of its working set only: the tall
    200000 x 100 problem at alpha_max / 100 ends on 10 non-zeros. New columns cost
    ``n p`` products each; once that reaches the cost of all the unknown ones, ``n r^2 / 2``
    for ``r`` of them (their Gram matrix among themselves, by half the tiles: the products
    with the known ones are in the known columns), those are computed instead.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The caller's dense X (C- or F-ordered), only read.
    x_offset : ndarray of shape (n_features,)
        The weighted means, in X's dtype.
    sqrt_w : ndarray of shape (n_samples,), optional
        Square roots of the sample weights, in X's dtype.
    features : array of int, optional
        Features whose columns are already known (from the pass that computed the means)...
    G : ndarray of shape (n_features, len(features)), optional
        ... and those columns.

    Attributes
    ----------
    features : ndarray of int64
        The features whose columns are known, in the order of ``G``'s columns.
    G : ndarray of shape (n_features, len(features)), float64
        Their columns.
    n_passes : int
        Passes over X made by :meth:`add`.
    """

    def __init__(self, X, x_offset, sqrt_w=None, features=(), G=None):
        self.X = X
        self.x_offset = x_offset
        self.sqrt_w = sqrt_w
        n_features = X.shape[1]
        self.features = np.asarray(features, dtype=np.int64)
        self.G = np.empty((n_features, 0)) if G is None else G
        self.slot = np.full(n_features, -1, dtype=np.int64)
        self.slot[self.features] = np.arange(self.features.size)
        self.n_passes = 0

    @property
    def n_features(self):
        """Number of features (columns of X)."""
        return self.slot.shape[0]

    def add(self, features):
        """Compute the columns of ``features`` not known yet (one pass over X, if any)."""
        features = np.asarray(features, dtype=np.int64)
        new = np.unique(features[self.slot[features] < 0])
        if new.size == 0:
            return
        p = self.n_features
        self.n_passes += 1
        rest = np.flatnonzero(self.slot < 0)
        if new.size * p >= rest.size ** 2 / 2:
            G = np.empty((p, p))
            G[:, self.features] = self.G
            G[self.features[:, None], rest] = self.G[rest].T
            G[rest[:, None], rest] = centered_columns(self.X, rest, self.x_offset, self.sqrt_w,
                                                      upper=True)
            self.G = G
            self.features = np.arange(p, dtype=np.int64)
        else:
            C = centered_columns(self.X, new, self.x_offset, self.sqrt_w)
            self.G = np.hstack([self.G, C])
            self.features = np.concatenate([self.features, new])
        self.slot[self.features] = np.arange(self.features.size)

    def columns(self, features):
        """``Z^T Z[:, features]``, shape (n_features, len(features)), float64."""
        features = np.asarray(features, dtype=np.int64)
        self.add(features)
        return self.G[:, self.slot[features]]


def _sparse_parts(prep, z):
    """What the sparse layout needs, from one pass over CSC ``A`` for a 1-D target ``z``.

    Returns ``A, v, mean, c, vv, sq, Atz`` with ``c = A^T v`` (zeros without implicit
    centering: the kernels only use it multiplied by ``mean``), ``sq`` the squared column norms
    of A and ``Atz = A^T z`` (None for a 2-D ``z``, left to the caller).
    """
    A = prep.X
    dtype = A.dtype
    v = np.ascontiguousarray(prep.center_vector, dtype=dtype)
    centered = prep.implicit_center
    mean = np.ascontiguousarray(prep.X_offset if centered else np.zeros(A.shape[1]), dtype=dtype)
    # sums, not BLAS dot products: OpenBLAS threads a 20000-long ddot, and its worker then
    # busy-waits on the other core for a while after every fit
    vv = float(np.square(v, dtype=np.float64).sum())
    if z.ndim == 1:
        sq, Atz, c = csc_column_stats(A.data, A.indices, A.indptr,
                                      np.ascontiguousarray(z, dtype=np.float64),
                                      v.astype(np.float64, copy=False), centered)
    else:
        sq, Atz = sparse_sq_norms(A, axis=0), None
        c = np.asarray(A.T @ v, dtype=np.float64).ravel() if centered else np.zeros(A.shape[1])
    return A, v, mean, c.astype(dtype, copy=False), vv, sq, Atz


def _check_gram(gram, X):
    """Check one column of a user-supplied Gram matrix against ``X^T X`` (scikit-learn's check)."""
    n_features = X.shape[1]
    if gram.ndim != 2 or gram.shape != (n_features, n_features):
        return  # make_design reports the shape
    j = n_features // 2
    col = np.asarray(X.T @ (X[:, [j]].toarray().ravel() if sparse.issparse(X) else X[:, j]))
    col = col.ravel()
    tol = 10 * np.finfo(X.dtype).eps ** 0.5 * max(np.abs(col).max(), 1e-300)
    bad = np.flatnonzero(np.abs(col - gram[:, j]) > tol)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            "Gram matrix passed in via 'precompute' parameter did not pass validation when a "
            "single element was checked - please check that it was computed properly. For "
            f"element ({i},{j}) we computed {col[i]} but the user-supplied value was "
            f"{gram[i, j]}."
        )


def gram_problem(G, Zty, yy, X_offset, y_offset, n_samples, dtype, multi_output):
    """``(prep, design)`` of the Gram layout from its parts (float64 ``G`` (p, p), ``Zty``
    (p, t), ``yy`` (t,), offsets (p,) and (t,)), in ``dtype``; ``multi_output=False`` keeps the
    single target's 1-D form. ``prep.X`` and ``prep.y`` are None: a Gram design needs neither.
    """
    dtype = np.dtype(dtype)
    G = np.asfortranarray(G, dtype=dtype)
    Zty = np.asarray(Zty, dtype=dtype)
    yy = np.asarray(yy, dtype=dtype)
    y_offset = np.asarray(y_offset, dtype=dtype)
    if multi_output:
        Zty = np.asfortranarray(Zty)
    else:
        Zty, yy, y_offset = np.ascontiguousarray(Zty[:, 0]), yy[0], y_offset[0]
    prep = Preprocessed(X=None, y=None, X_offset=np.asarray(X_offset, dtype=dtype),
                        y_offset=y_offset, sqrt_sw=None, implicit_center=False)
    col_norm2 = np.ascontiguousarray(np.diag(G))
    return prep, Design("gram", G, col_norm2, Zty, yy, n_samples)


def gram_design(X, y, *, fit_intercept, sample_weight=None, check_finite=False, lazy=False):
    """The Gram (covariance) layout of a dense problem, straight from X: no centered copy.

    One compiled pass over the rows (:func:`fastreg._preprocess.centered_scatter`) gives
    ``Z^T Z``, ``Z^T z`` and ``||z||^2`` of the centered, ``sqrt(s)``-scaled design and target;
    the caller's X is only read (float32 stays float32).

    With ``check_finite``, that pass is also X's check for NaN and infinity, in place of a
    separate one: a NaN or an infinite entry makes its column's diagonal entry
    ``sum_i s_i (x_ij - m_j)^2`` NaN or infinite (a zero weight too: ``0 * nan`` is NaN), and
    only then is X searched, by scikit-learn's check, for the error it raises.

    With ``lazy`` (and a 1-D y), the pass computes only the columns of ``Z^T Z`` of the
    :data:`LAZY_FIRST_COLUMNS` features most correlated with y, and the diagonal
    (:func:`fastreg._preprocess.gram_columns`), and the design is a :class:`LazyGram` (kind
    ``'lazy'``) that keeps the caller's X to compute other columns from later.

    Returns
    -------
    prep : Preprocessed
        With ``X`` and ``y`` None (a Gram design needs neither); the offsets are set.
    design : Design
    """
    p = X.shape[1]
    if lazy and y.ndim == 1:
        dtype = X.dtype
        with np.errstate(invalid="ignore", over="ignore") if check_finite else nullcontext():
            means, col_norm2, Zty, yy, cols, G = gram_columns(
                X, y, LAZY_FIRST_COLUMNS, sample_weight=sample_weight, center=fit_intercept)
        if check_finite and not np.isfinite(col_norm2).all():
            assert_all_finite(X, input_name="X")
        x_offset = means[:p].astype(dtype)
        sqrt_w = None if sample_weight is None else np.sqrt(sample_weight).astype(dtype)
        gram = LazyGram(X, x_offset, sqrt_w, cols, G)
        prep = Preprocessed(X=None, y=None, X_offset=x_offset, y_offset=dtype.type(means[p]),
                            sqrt_sw=None, implicit_center=False)
        return prep, Design("lazy", gram, col_norm2.astype(dtype), Zty.astype(dtype),
                            dtype.type(yy), X.shape[0])
    with np.errstate(invalid="ignore", over="ignore") if check_finite else nullcontext():
        S, means, _ = centered_scatter(X, y, sample_weight=sample_weight, center=fit_intercept)
    if check_finite and not np.isfinite(np.diag(S)[:p]).all():
        assert_all_finite(X, input_name="X")
    return gram_problem(S[:p, :p], S[:p, p:], np.diag(S)[p:], means[:p], means[p:], X.shape[0],
                        X.dtype, y.ndim == 2)


def make_design(prep, precompute="auto", gram=None):
    """Choose the kernel layout for a preprocessed problem and compute what it needs once.

    Parameters
    ----------
    prep : fastreg._preprocess.Preprocessed
    precompute : 'auto', bool or ndarray
        ``'auto'`` uses the Gram layout for dense data with ``n_samples > n_features``; ``True``
        forces it (also for sparse data); an array is taken as ``Z^T Z``.

    Returns
    -------
    Design
    """
    X, z = prep.X, prep.y
    n_samples, n_features = X.shape
    dtype = X.dtype
    is_sparse = sparse.issparse(X)
    if isinstance(precompute, np.ndarray):
        use_gram = True
        gram = precompute
        _check_gram(gram, X)
    elif isinstance(precompute, str):  # 'auto'
        use_gram = (not is_sparse) and n_samples > n_features
    else:
        use_gram = bool(precompute)
    yy = (z * z).sum(axis=0)

    if is_sparse:
        A, v, mean, c, vv, sq, Atz = _sparse_parts(prep, z)
        if z.ndim == 2:
            Zty = np.asarray(A.T @ z).reshape(n_features, -1) - np.outer(mean, v @ z)
        else:
            Zty = Atz - mean * float((v * z).sum()) if prep.implicit_center else Atz
        col_norm2 = (sq - 2.0 * mean * c + mean * mean * vv).astype(dtype)
        col_norm2 = np.maximum(col_norm2, 0)
        if use_gram and gram is None:
            G = np.asarray((A.T @ A).toarray())
            G -= np.outer(c, mean) + np.outer(mean, c) - vv * np.outer(mean, mean)
            gram = G
        if not use_gram:
            aux = np.array([0.0, 0.0, vv])
            # (without centering X_mean and c are None: the kernels then compile without the
            # centering terms, see fastreg._kernels.cd)
            centered = prep.implicit_center
            data = (A.data, A.indices, A.indptr, mean if centered else None, v,
                    c if centered else None, aux)
            return Design("sparse", data, col_norm2, Zty.astype(dtype), yy, n_samples)
    else:
        if use_gram and gram is None:  # X is already centered and scaled
            S = centered_scatter(X, z, center=False)[0]
            gram, Zty = S[:n_features, :n_features], S[:n_features, n_features:].astype(dtype)
            Zty = Zty[:, 0] if z.ndim == 1 else Zty
        else:
            Zty = X.T @ z
        col_norm2 = np.einsum("ij,ij->j", X, X) if not use_gram else None
        if not use_gram:
            return Design("dense", X, col_norm2.astype(dtype), Zty, yy, n_samples)

    gram = np.asfortranarray(gram, dtype=dtype)
    if gram.shape != (n_features, n_features):
        raise ValueError(
            f"precompute (the Gram matrix) must have shape ({n_features}, {n_features}), "
            f"got {gram.shape}."
        )
    col_norm2 = np.ascontiguousarray(np.diag(gram), dtype=dtype)
    return Design("gram", gram, col_norm2, np.asarray(Zty, dtype=dtype), yy, n_samples)


def _gram_columns(design, cols):
    """``Z^T Z[:, cols]``, shape (n_features, len(cols)), for any layout (cols is a small set)."""
    if design.kind == "gram":
        return np.asarray(design.data[:, cols], dtype=np.float64)
    if design.kind == "lazy":
        return design.data.columns(cols)
    if design.kind == "dense":
        Z = design.data
        return np.asarray(Z.T @ Z[:, cols], dtype=np.float64)
    data, indices, indptr, mean, v, c, aux = design.data
    n_features = indptr.shape[0] - 1
    if mean is None:  # (no implicit centering)
        mean = np.zeros(n_features)
    A = sparse.csc_matrix((data, indices, indptr), shape=(v.shape[0], n_features))
    ZU = A[:, cols].toarray().astype(np.float64) - np.outer(v, mean[cols])
    return np.asarray(A.T @ ZU) - np.outer(mean, v @ ZU)


def _nnls_gram(G, b):
    """``argmin_{w >= 0} w^T G w / 2 - b^T w`` for a small PSD ``G`` (via an equivalent NNLS)."""
    from scipy.optimize import nnls

    s, Q = np.linalg.eigh(G)
    keep = s > s.max(initial=0.0) * G.shape[0] * np.finfo(np.float64).eps
    sq = np.sqrt(s[keep])
    A = sq[:, None] * Q[:, keep].T
    rhs = (Q[:, keep].T @ b) / sq
    return nnls(A, rhs)[0]


def penalized_correlations(design, penalty_factor=None, positive=False, Zty=None):
    """``Z^T r`` where ``r`` is the residual of the least-squares fit on the unpenalized features.

    With penalty factors equal to zero, the unpenalized features are nonzero at every alpha:
    the path's first point fits them alone (least squares, non-negative when ``positive``),
    and alpha_max comes from the correlations of the penalized features with that residual.
    Without unpenalized features this is ``Z^T z`` (``Zty``, by default ``design.Zty``).

    Returns
    -------
    ndarray of shape (n_features,) or (n_features, n_targets)
    """
    Zty = design.Zty if Zty is None else Zty
    if penalty_factor is None:
        return Zty
    free = np.flatnonzero(np.asarray(penalty_factor) == 0)
    if free.size == 0:
        return Zty
    GU = _gram_columns(design, free)
    GUU = GU[free]
    b = np.asarray(Zty, dtype=np.float64)[free]
    if positive:
        B = b.reshape(free.size, -1)
        wU = np.column_stack([_nnls_gram(GUU, B[:, k]) for k in range(B.shape[1])])
        wU = wU.reshape(b.shape)
    else:
        wU = np.linalg.lstsq(GUU, b, rcond=None)[0]
    return (np.asarray(Zty, dtype=np.float64) - GU @ wU).astype(np.asarray(Zty).dtype, copy=False)


def alpha_max(Zty, n_samples, l1_ratio, positive=False, penalty_factor=None):
    """Smallest alpha for which all penalized coefficients are zero.

    ``alpha_max = max_j |Z_j^T r| / (n_samples * l1_ratio * pf_j)`` over penalized features
    (the largest positive correlation when ``positive``). ``Zty`` holds the correlations
    ``Z^T r``: with unpenalized features (``pf_j = 0``), ``r`` must be the residual after fitting
    them (:func:`penalized_correlations`); otherwise ``r = z``.
    """
    corr = Zty if Zty.ndim == 1 else np.abs(Zty).max(axis=1)
    corr = np.maximum(corr, 0) if positive else np.abs(corr)
    if penalty_factor is not None:
        pos = penalty_factor > 0
        corr = corr[pos] / penalty_factor[pos]
    if l1_ratio <= 0:
        raise ValueError(
            "Automatic alpha grid generation is not supported for l1_ratio=0. "
            "Please supply a grid by providing your estimator with the appropriate `alphas=` argument."
        )
    return float(np.max(corr, initial=0.0)) / (n_samples * l1_ratio)


def alpha_grid(Zty, n_samples, *, l1_ratio=1.0, eps=1e-3, n_alphas=100, positive=False,
               penalty_factor=None):
    """scikit-learn's default grid: ``n_alphas`` values geometric from ``alpha_max`` to ``eps * alpha_max``."""
    amax = alpha_max(Zty, n_samples, l1_ratio, positive, penalty_factor)
    if amax <= np.finfo(np.float64).resolution:
        return np.full(n_alphas, np.finfo(np.float64).resolution)
    return np.geomspace(amax, amax * eps, num=n_alphas)


# Threads only for a full-gradient pass over at least 2e7 entries. Measured on the 2-core CI-like
# machine (2026-11-22): a threaded pass alone is up to 2x faster, but inside a fit it gained
# nothing on dense 500x5000 (2.5e6) or sparse 20000x50000 (1e6 entries) paths, and it stalls
# while OpenBLAS threads from the preceding X^T y still spin on the other core (a 21-epoch fit
# took 98 ms threaded vs 63 ms serial; dense fits now run BLAS on one thread, see solve_path).
# Sparse passes are latency-bound and two threads gained 15% alone (20000x50000, 1e6
# non-zeros); sparse data has its own bound since (below), as small passes stay serial.
_THREAD_MIN_SIZE = 20_000_000
# Sparse data from 5e5 stored entries: a single alpha's working-set rounds each end on a pass
# over all non-screened columns. Sparse 20000 x 50000 (1e6 entries), alpha_max / 100,
# n_threads=2 against 1 alternated in one process (11 pairs, three runs): 0.72, 0.95 and 0.88
# of the time. Paths too (their small passes stay serial, see PAR_PASS_MIN_ENTRIES): 100-alpha
# paths with 1e6 entries (100000 x 1000, 50000 x 5000, 20000 x 50000, 10000 x 100000; 7
# pairs of n_threads=2 and 1, alternated) took 0.91-0.95x the time with two threads; with 5e5
# entries (50000 x 1000, 20000 x 25000, 5000 x 100000) 0.94-1.00x. (The gain is small because
# the second core idles through the serial sweeps, and waking it costs most of what it saves.)
_THREAD_MIN_SPARSE = 500_000

# Threads over the targets of a multi-target path only when the design, counted once per
# target, has at least this many entries (see _target_threads)
_TARGET_THREAD_MIN_WORK = 100_000

# Dense fits (with Newton steps) from this many entries run BLAS on one thread
_ONE_BLAS_MIN_SIZE = 1_000_000

# Newton steps cache Gram columns of at most this many features (32 MB in float64, allocated
# untouched): larger supports are left to coordinate descent (a Cholesky factorization of
# order 2048 costs as much as about 1e9 coordinate-descent reads)
NEWTON_MAX_FEATURES = 2048


def _target_threads(n_threads, design, n_targets, verbose):
    """Threads over the targets of a multi-target path (1: one after the other).

    Each target's path is independent and runs without the GIL, so several targets are the
    one place where coordinate descent itself runs in parallel: each thread takes the next
    target, with serial full-gradient passes. ``n_threads=None`` uses
    :func:`fastreg._preprocess.available_threads` on the whole design, counted once per target
    (threads only from the main thread, at most ``numba.get_num_threads()``), and no threads
    below :data:`_TARGET_THREAD_MIN_WORK` entries, where a thread's start costs more than a
    target. ``verbose`` prints per alpha, in order: one target after the other.
    """
    if n_targets <= 1 or verbose or (n_threads is not None and n_threads <= 1):
        return 1
    if n_threads is None:
        size = (design.data[0].shape[0] if design.kind == "sparse"
                else design.n_features * (design.n_features if design.kind == "gram"
                                          else design.n_samples))
        n_threads = available_threads(size * n_targets, _TARGET_THREAD_MIN_WORK)
    return max(1, min(int(n_threads), n_targets))


def _thread_choice(n_threads, design, n_samples, n_features):
    """``None`` (serial full-gradient pass) or a thread count for the kernels' ``par``.

    Threads pay off only for the O(nnz) full-gradient pass of big dense or sparse designs (the
    Gram layout's pass is O(n_features)), and then only for the passes of at least
    :data:`fastreg._kernels.cd.PAR_PASS_MIN_ENTRIES` entries. With ``n_threads=None`` they are
    used only when a pass over the whole design touches at least ``2e7`` entries, or, on
    sparse data, ``5e5`` (see :data:`_THREAD_MIN_SPARSE`), and as
    :func:`fastreg._preprocess.available_threads` allows (only from the main thread; at most
    ``numba.get_num_threads()``).
    """
    if n_threads is not None and n_threads <= 1:
        return None
    if design.kind == "gram":
        return None
    import numba

    if n_threads is None:
        if design.kind == "sparse":
            n_threads = available_threads(design.data[0].shape[0], _THREAD_MIN_SPARSE)
        else:
            n_threads = available_threads(n_samples * n_features, _THREAD_MIN_SIZE)
    n_threads = min(int(n_threads), numba.config.NUMBA_NUM_THREADS)
    if n_threads <= 1:
        return None
    numba.set_num_threads(n_threads)
    return n_threads


def solve_path(prep, design, alphas, *, l1_ratio, penalty_factor=None, positive=False,
               coef_init=None, tol=1e-4, max_iter=1000, selection="cyclic", random_state=None,
               screening=True, gap_freq=10, verbose=False, warn=True, working_set=True,
               extrapolation=True, newton=True, incremental_gradient=True, n_threads=None,
               path_solver=False):
    """Warm-started coordinate descent over decreasing ``alphas``, for each target.

    Minimizes, at each alpha, ``1/(2n) ||z - Z w||^2 + alpha*l1_ratio*sum_j pf_j|w_j|
    + alpha*(1-l1_ratio)/2*sum_j pf_j w_j^2`` with ``n = n_samples``.

    Each target's path is one compiled call (:func:`fastreg._kernels.cd.enet_path_cd`), which
    runs without the GIL from the first alpha to the last, so that the paths of a
    cross-validation share the cores; with ``verbose`` it is one call per alpha, to print.

    Parameters
    ----------
    prep : Preprocessed
    design : Design
    alphas : ndarray of shape (n_alphas,)
        Used in the given order, each solve starting from the previous solution.
    screening : bool, default=True
        Gap Safe screening, also sequential along the path (each alpha screens with the
        previous alpha's solution before any epoch).
    working_set : bool, default=True
        Solve growing working sets prioritized by the dual point (celer / skglm), and within
        them cycle over the non-zeros (glmnet's active set) between whole sweeps.
    extrapolation : bool, default=True
        Anderson extrapolation of the coordinate-descent iterates, kept only when it lowers
        the objective, and (lasso) dual extrapolation of the residuals, kept only when it
        raises the dual objective.
    newton : bool, default=True
        Newton steps on the support (:func:`fastreg._kernels.cd.newton_step`): the exact
        minimizer for the current non-zeros and signs, from a Cholesky solve of their Gram
        matrix, whose columns are cached for the whole path (at most
        :data:`NEWTON_MAX_FEATURES` of them). Taken at each warm start and when the support has
        not changed between two gap checks, kept only when it lowers the objective, and never
        costing more than the coordinate descent done since the last one. Dense and sparse
        layouts with more features than samples only (the Gram layout's epochs are cheap next
        to forming its Gram matrix, and on n > p data coordinate descent converges fast).
    incremental_gradient : bool, default=True
        Sparse float64 X and more than one alpha only: once the full-gradient passes of the
        gaps have cost eight passes over X, build a row-major copy of X (as much memory as X)
        and from then on bring a reference gradient ``Z^T r`` to the current coefficients
        through the rows their change touches (:func:`fastreg._kernels.cd.rows_gradient`),
        whenever that reads fewer entries than the columns the gap needs. The same gradient
        up to round-off. The targets of a 2-D y share one copy, built before they run (when
        ``n_targets * n_alphas >= 16``).
    path_solver : bool, default=False
        A single alpha with the compiled solver of a path (on sparse float64 data, whose paths
        carry a row cache and single fits do not: an idle cache is passed, never built), for a
        caller that has just run paths on the same layout, so that it does not compile a second
        solver: the refit of a cross-validation (a first sparse ``LassoCV`` took 26 s cold
        instead of 35-43 s).
    n_threads : int or None, default=None
        Threads. With several targets they take one target each (each target's path is
        independent: :func:`_target_threads`), with one BLAS thread each; otherwise they share
        the full-gradient (KKT / screening) passes of at least ``2e5`` entries. ``None`` picks
        automatically: threads only for large enough problems (a full-gradient pass of
        ``n_samples * n_features >= 2e7`` entries, or ``5e5`` stored entries of sparse data;
        several targets from ``1e5`` entries of the design times the number of
        targets), only from the main thread (inside joblib's threading backend or any other
        thread the solver stays serial), and at most ``numba.get_num_threads()`` (which
        joblib's process workers lower through ``NUMBA_NUM_THREADS`` to avoid
        oversubscription). ``1`` forces one thread. The results do not depend on the number
        of threads beyond the rounding of BLAS products (the Newton steps' Gram columns).

    The stopping rule is always the duality gap of the full problem (screened features are
    provably zero): ``gap <= tol * ||z||^2``, as in scikit-learn, whatever tricks are on.

    Returns
    -------
    PathResult
    """
    # Shapes come from the design, not from prep.X / prep.y: a Gram design built from sufficient
    # statistics (out-of-core data, fastreg._dask) has neither, and its prep.X / prep.y are None.
    z = prep.y
    n_samples, n_features, dtype = design.n_samples, design.n_features, design.dtype
    multi = design.n_targets is not None
    n_targets = design.n_targets if multi else 1
    alphas = np.asarray(alphas, dtype=np.float64)
    n_alphas = alphas.shape[0]
    pf = (np.ones(n_features, dtype=np.float64) if penalty_factor is None
          else np.asarray(penalty_factor, dtype=np.float64))
    rng = check_random_state(random_state)
    random = selection == "random"
    # Gap Safe rules need a dual point feasible for every feature: not so with unpenalized ones
    screening = screening and bool(np.all(pf > 0))
    if coef_init is not None:
        # the kernels do not check bounds: a start of the wrong length would read past arrays
        coef_init = np.asarray(coef_init)
        expected = (n_targets, n_features) if multi else (n_features,)
        if np.atleast_2d(coef_init).shape != (n_targets, n_features):
            raise ValueError(f"coef_init has shape {coef_init.shape}, expected {expected} "
                             f"(the previous coef_ with warm_start=True must match the data).")
    if design.kind == "lazy":
        return _solve_lazy(prep, design, alphas, l1_ratio=l1_ratio, pf=pf,
                           penalized=penalty_factor is not None, positive=positive,
                           coef_init=coef_init, tol=tol, max_iter=max_iter, warn=warn,
                           options=dict(selection=selection, random_state=random_state,
                                        screening=screening, gap_freq=gap_freq,
                                        verbose=verbose, working_set=working_set,
                                        extrapolation=extrapolation, newton=newton))
    target_threads = _target_threads(n_threads, design, n_targets, verbose)
    par = None if target_threads > 1 else _thread_choice(n_threads, design, n_samples,
                                                          n_features)
    # Not in the Gram layout: there an epoch is cheap next to forming G (Newton steps saved
    # 60% of the epochs of the tall 200000 x 100 path and no time), and without them the
    # solver keeps scikit-learn's iterates, so that LassoCV's curves at its default tol=1e-4
    # are scikit-learn's (tests/test_cv.py)
    # And only with more features than samples: only there do supports approach n_samples,
    # where Z_S^T Z_S is ill-conditioned and coordinate descent slow. On n > p data they never
    # saved an epoch, and each step's Gram columns (n k^2 for a support of k) cost about as
    # much as the coordinate descent done meanwhile (the budget's limit): dense Toeplitz(0.5)
    # single fits at alpha_max/1000 took 170 ms against 81 (20000 x 300), 556 against 332
    # (200000 x 200), 86 against 46 (1000 x 900); sparse 100000 x 1000 (density 0.01) 24
    # against 17 ms, and a 5000 x 500 sparse path 63 against 38 ms
    use_newton = newton and design.kind != "gram" and n_features > n_samples
    # float64 only: the reference gradient is exact for the stored coefficients, where a
    # float32 residual carries its own round-off, which the gaps must see. Paths only: the
    # rounds of a single cold fit move many coefficients at once, so that the updates do not
    # pay there, and its bookkeeping cost 3-10% (sparse 20000 x 50000, alpha_max / 100); nor
    # do they compile the updates (3.5 s of a first sparse fit's 16.7 s cold), except with
    # ``path_solver``, where an idle cache (never built, its checks return at once) makes the
    # single fit run the paths' compiled solver
    row_layout = (incremental_gradient and design.kind == "sparse"
                  and dtype == np.float64)
    use_rows = row_layout and n_alphas > 1
    idle_rows = row_layout and path_solver  # (used only where use_rows is not)
    # Several targets share one row copy, built now (read-only in the kernels, so that the
    # targets' threads may share it): one copy in memory and one build, and each target may
    # use it from its first alpha. Only when the targets' first gaps alone (about one pass
    # over X per alpha each) would reach the lazy build twice over.
    shared_rows = (build_row_copy(design.data, n_samples)
                   if use_rows and n_targets > 1
                   and n_targets * n_alphas >= 2 * ROWS_BUILD_PASSES else None)

    coefs = np.zeros((n_targets, n_features, n_alphas), dtype=dtype)  # (see enet_path_cd)
    gaps = np.empty((n_targets, n_alphas))
    n_iters = np.empty((n_targets, n_alphas), dtype=np.int64)
    l1s = alphas * l1_ratio * n_samples
    l2s = alphas * (1.0 - l1_ratio) * n_samples
    options = (bool(positive), int(max_iter), float(tol))
    tol_abs = tol * np.asarray(design.yy, dtype=np.float64).reshape(n_targets)  # per target
    # drawn in target order before any target runs: the same seeds, threaded or not
    seeds = np.array([[rng.randint(0, 2**31 - 1) if random else 0 for _ in range(n_alphas)]
                      for _ in range(n_targets)], dtype=np.int64).reshape(n_targets, n_alphas)

    def solve_target(k):
        """Target ``k``'s path into ``coefs[k]``, ``gaps[k]``, ``n_iters[k]`` (its own state:
        the targets may run in threads, sharing only the read-only design)."""
        zk = z if z is None or not multi else np.ascontiguousarray(z[:, k])
        kernel_design, ky = design.target(zk, k if multi else None)
        if coef_init is None:
            w = np.zeros(n_features, dtype=dtype)
        else:
            w = np.array(np.atleast_2d(coef_init)[k], dtype=dtype)
        r = init_residual(kernel_design, ky, w)
        # Z^T r where it is known at the current w: each alpha starts where the previous one's
        # last full gap was computed, so that gap's gradient is reused (see enet_cd)
        grad = np.empty(n_features, dtype=np.float64)
        known = np.zeros(n_features, dtype=np.bool_)
        kernel_args = (kernel_design, ky, w, r, design.col_norm2, pf)
        target_options = (*options, float(tol_abs[k]), bool(screening), random)
        tricks = (int(gap_freq), grad, known, bool(working_set), bool(extrapolation), par,
                  make_newton_cache(n_features, NEWTON_MAX_FEATURES, n_samples) if use_newton
                  else None,
                  make_row_cache(n_samples, n_features, design.data[0].shape[0],
                                 shared=shared_rows) if use_rows
                  else make_row_cache(0, 0, 0, build_after=np.inf) if idle_rows
                  else None)
        if not verbose:  # the whole path in one compiled call
            enet_path_cd(*kernel_args, l1s, l2s, *target_options, seeds[k], *tricks, coefs[k],
                         gaps[k], n_iters[k])
            return
        one_coef = np.empty((n_features, 1), dtype=dtype)
        for i in range(n_alphas):
            one_coef[:] = 0.0
            enet_path_cd(*kernel_args, l1s[i:i + 1], l2s[i:i + 1], *target_options,
                         seeds[k, i:i + 1], *tricks, one_coef, gaps[k, i:i + 1],
                         n_iters[k, i:i + 1])
            coefs[k, :, i] = one_coef[:, 0]
            print(f"[fastreg] target {k + 1}/{n_targets} alpha {i + 1}/{n_alphas}: "
                  f"alpha={alphas[i]:.4g} nnz={np.count_nonzero(w)} "
                  f"gap={gaps[k, i] / n_samples:.3g} epochs={n_iters[k, i]}")

    # BLAS on one thread (its only call in the kernels is the dense Newton step's Gram block):
    # for targets in threads, and for dense fits, where its second thread spins between the
    # products on the other core (bench/paired.py: the dense 500 x 5000 100-alpha path took
    # 0.885x the time with one BLAS thread, its single fit 0.976x), and where it competed with
    # the threaded passes' spinning workers (with n_threads=2 that path took 2.8x the time of
    # one thread, and 1.03x with one BLAS thread; on 2000 x 20000, threaded by default, the
    # single fit took the same time). Not below 1e6 entries: the limit costs about 40 us a
    # fit, and OpenBLAS does not thread products that small anyway
    dense_blas = (design.kind == "dense" and use_newton
                  and n_samples * n_features >= _ONE_BLAS_MIN_SIZE)
    with one_blas_thread(target_threads > 1 or dense_blas):
        map_threads(solve_target, range(n_targets), target_threads)
    return _path_result(prep, alphas, coefs, gaps, n_iters, tol_abs, n_samples, warn, multi)


def _path_result(prep, alphas, coefs, gaps, n_iters, tol_abs, n_samples, warn, multi,
                 stacklevel=4):
    """The :class:`PathResult` of solves into ``coefs`` (n_targets, n_features, n_alphas),
    ``gaps`` and ``n_iters`` (n_targets, n_alphas): a ``ConvergenceWarning`` for each gap above
    its target's ``tol_abs`` (with ``warn``; ``stacklevel`` points at solve_path's caller), the
    gaps in the objective's units, intercepts."""
    n_targets = coefs.shape[0]
    for k in range(n_targets):
        if warn:
            for gap in gaps[k][gaps[k] > tol_abs[k]]:
                warnings.warn(_CONVERGENCE_MSG.format(gap=gap, tol=tol_abs[k]),
                              ConvergenceWarning, stacklevel=stacklevel)
        gaps[k] /= n_samples

    intercepts = (np.asarray(prep.y_offset, dtype=coefs.dtype).reshape(n_targets, 1)
                  - np.einsum("tfa,f->ta", coefs, prep.X_offset.astype(coefs.dtype)))
    if not multi:
        coefs, gaps, n_iters, intercepts = coefs[0], gaps[0], n_iters[0], intercepts[0]
    return PathResult(alphas, coefs, gaps, n_iters, intercepts)


def _solve_lazy(prep, design, alphas, *, l1_ratio, pf, penalized, positive, coef_init, tol,
                max_iter, warn, options):
    """:func:`solve_path` on a :class:`LazyGram` design (one target): each alpha is solved on
    the features whose Gram columns are known, and the set grows with the full problem's
    violators of optimality until its duality gap is below ``tol * ||z||^2``.

    At each alpha: the unpenalized features and the support of the start join the set; then,
    in rounds, the gradient ``Z^T z - G[:, set] w[set]`` of every feature gives the full
    problem's duality gap (the kernels' certified gap: :func:`gap_from_grad`, plus the
    unpenalized features' distance from stationarity); above the
    tolerance, the features outside the set that violate their optimality condition
    (``|g_j| > l1 pf_j``) join it (all of them, in one pass over X: see
    :meth:`LazyGram.add` for when that pass computes all the unknown columns instead), and the
    sub-problem is solved by :func:`solve_path` on the Gram layout of the set, from the
    current point, to 0.3 times the full gap (to the tolerance once no feature outside
    violates). The first round at an alpha solves on the columns already known (at a cold
    start, nearly every feature violates its condition at zero). The stopping rule is the
    full problem's gap, as in every layout. ``pf`` holds the penalty factors (ones when
    ``penalized`` is False), ``options`` the sub-problems' other :func:`solve_path` arguments.
    """
    gram = design.data
    n_samples, n_features, dtype = design.n_samples, design.n_features, design.dtype
    n_alphas = alphas.shape[0]
    Zty = np.asarray(design.Zty, dtype=dtype)
    yy = float(design.yy)
    tol_abs = np.array([tol * yy])
    w = (np.zeros(n_features, dtype=dtype) if coef_init is None
         else np.array(np.ravel(coef_init), dtype=dtype))
    coefs = np.zeros((1, n_features, n_alphas), dtype=dtype)
    gaps = np.empty((1, n_alphas))
    n_iters = np.zeros((1, n_alphas), dtype=np.int64)
    everything = np.arange(n_features, dtype=np.int64)
    free = np.flatnonzero(pf == 0)
    XtA = np.empty(n_features)
    no_columns = np.empty((0, 0), dtype=dtype, order="F")  # (the gap reads no column of G)
    for i in range(n_alphas):
        l1 = alphas[i] * l1_ratio * n_samples
        l2 = alphas[i] * (1.0 - l1_ratio) * n_samples
        gram.add(everything if l1 == 0.0 else np.union1d(free, np.flatnonzero(w)))
        n_iter = 0
        sub_tol = None  # the relative tolerance of the last sub-problem solved
        while True:
            S = gram.features
            grad = (Zty - gram.G @ w[S]).astype(dtype)
            XtA[:] = grad
            gap, _ = gap_from_grad((no_columns, Zty, yy), Zty, w, grad, pf, l1, l2,
                                   bool(positive), XtA, everything, n_features)
            if free.size:  # (the kernels' certified gap: the unpenalized ones' stationarity)
                gap += unpenalized_excess(XtA, w, pf, design.col_norm2, bool(positive),
                                          everything, n_features)
            if gap <= tol_abs[0] or n_iter >= max_iter:
                break
            excess = (grad if positive else np.abs(grad)) - l1 * pf
            excess[S] = 0.0
            violators = np.flatnonzero(excess > 0.0)
            if violators.size == 0 and sub_tol == tol:
                break  # solved on the set to tol, not the full problem: round-off
            # the first round at an alpha solves on the columns already known: at a cold start
            # nearly every feature violates its condition, and the prepared columns are those
            # of the largest violations
            if violators.size and (sub_tol is not None or S.size < LAZY_FIRST_COLUMNS):
                # all of them: a pass costs as much as a dozen columns (its reading of X), and
                # the kernels' own working sets choose among the known columns
                gram.add(violators)
                S = gram.features
            # with violators left, the set is solved to 0.3x the full gap (as the kernels'
            # working sets), so that a tolerance the set alone cannot reach does not spend the
            # epochs before the set grows; without, to the tolerance
            sub_tol = max(0.3 * gap / yy, tol) if violators.size else tol
            sub_prep, sub = gram_problem(gram.G[S], Zty[S, None], [yy], np.zeros(S.size), [0.0],
                                         n_samples, dtype, False)
            result = solve_path(sub_prep, sub, alphas[i:i + 1], l1_ratio=l1_ratio,
                                penalty_factor=pf[S] if penalized else None, positive=positive,
                                coef_init=w[S], tol=sub_tol, max_iter=max_iter - n_iter,
                                warn=False, **options)
            w[S] = result.coefs[:, 0]
            n_iter += int(result.n_iters[0])
        coefs[0, :, i] = w
        gaps[0, i] = gap
        n_iters[0, i] = n_iter
    return _path_result(prep, alphas, coefs, gaps, n_iters, tol_abs, n_samples, warn, False,
                        stacklevel=5)


# --------------------------------------------------------------------------------------------
# Shared preparation and the public path functions
# --------------------------------------------------------------------------------------------
#: One fit (``precompute='auto'``, a single alpha) forms the Gram matrix of dense X only up to
#: this many features. Its cost grows as n p^2 and is paid once per fit, where coordinate
#: descent with working sets reads mostly the support's columns: on Toeplitz(0.5) designs at
#: alpha_max/10 and /100, 200000 x 100 took 34 ms with the Gram matrix and 60-97 ms without,
#: 50000 x 200 77-85 ms against 32-37 ms, 20000 x 1000 250-290 ms against 68-150 ms. A path
#: (many alphas) shares one Gram matrix, and keeps it for any n > p.
SINGLE_FIT_GRAM_MAX_FEATURES = 128


#: ... and with up to this many features when there are at least :data:`LAZY_MIN_RATIO` times
#: as many samples: a lazy Gram design then computes only the columns it needs, and even all
#: of them cost less than coordinate descent on the columns of X. Measured (Toeplitz(0.5)
#: Lasso fits at alpha_max / 10, / 100, / 1000, against the dense layout): 200000 x 200 28 /
#: 37 / 154 ms against 135 / 137 / 303, 50000 x 500 39 / 39 / 216 against 73 / 73 / 266,
#: 50000 x 200 16 / 15 / 33 against 34 / 35 / 97, 20000 x 300 14 / 20 / 56 against 19 / 22 /
#: 77; with fewer samples per feature the dense layout won where the support is large:
#: 20000 x 1000 40 / 144 / 349 against 64 / 107 / 324, 5000 x 500 9 / 23 / 42 against 10 / 14
#: / 33.
LAZY_MAX_FEATURES = 512
LAZY_MIN_RATIO = 50
#: With at most :data:`SINGLE_FIT_GRAM_MAX_FEATURES` features, the lazy layout only from this
#: ``n_samples * n_features^2`` (twice the products of the whole Gram matrix): below, its
#: fixed costs (the row sample, the rounds' solves and gaps, a second pass) are not paid back.
#: Tall Toeplitz(0.5) problems, 100 features, alpha_max / 10, / 100, / 1000, lazy against
#: the whole matrix: 20000 rows 4.3 / 5.5 / 5.7 ms against 4.9 / 4.7 / 4.7, 50000 rows 8.6 /
#: 11.3 / 13.0 against 10.0 / 10.4 / 10.3, 100000 rows 11.4 / 9.6 / 21.8 against 17.5 / 17.8
#: / 18.6.
LAZY_MIN_WORK = 1e9


def single_fit_precompute(X, precompute):
    """``precompute`` for a fit at one alpha on dense X: 'auto' becomes ``'lazy'`` (the
    :class:`LazyGram` layout, when n_samples > n_features) when ``n p^2`` is at least
    :data:`LAZY_MIN_WORK` and there are at most :data:`SINGLE_FIT_GRAM_MAX_FEATURES`
    features, or at most :data:`LAZY_MAX_FEATURES` and :data:`LAZY_MIN_RATIO` samples per
    feature. Otherwise it stays 'auto' (the whole Gram matrix when n_samples > n_features) up
    to :data:`SINGLE_FIT_GRAM_MAX_FEATURES` features and becomes False (the dense layout)
    past them. Other values, and sparse X, are unchanged."""
    if isinstance(precompute, str) and not sparse.issparse(X):
        shape = getattr(X, "shape", None)
        if shape is not None and len(shape) == 2:
            n, p = shape
            big = n * p * p >= LAZY_MIN_WORK
            if p <= SINGLE_FIT_GRAM_MAX_FEATURES:
                return "lazy" if big else precompute
            return "lazy" if big and p <= LAZY_MAX_FEATURES and n >= LAZY_MIN_RATIO * p else False
    return precompute


def gram_from_x(X, precompute):
    """Whether :func:`prepare` builds the Gram layout straight from dense X (:func:`gram_design`):
    ``precompute=True``, or 'auto' with more rows than features. That route reads X in C or F
    order alike, so validation need not copy a C-ordered X into F order for it."""
    if sparse.issparse(X) or not (precompute is True or isinstance(precompute, str)):
        return False
    shape = getattr(X, "shape", None)  # array-likes without one are converted anyway
    return shape is not None and len(shape) == 2 and (precompute is True or shape[0] > shape[1])


def validation_plan(X, precompute, fit_intercept, sample_weight, copy_X):
    """How to validate raw X for :func:`prepare`, and what then to ask of it.

    The Gram layout (:func:`gram_from_x`) reads a C-ordered X as it is, and its pass over X
    checks it for NaN and infinity (:func:`gram_design`): no F copy and no separate check. Other
    dense X is copied only to be centered or reweighted in place; that copy is then the
    validation's, made in F order, and :func:`prepare` works in it (``copy_X=False``): a
    C-ordered X is copied once, in its conversion, instead of converted and then copied (a
    200 x 1000 fit spent 1 ms of its 4.6 ms on that second copy).

    Returns
    -------
    check_kw : dict
        ``order``, ``copy`` and ``ensure_all_finite`` for scikit-learn's ``check_array``.
    prepare_kw : dict
        ``copy_X`` and ``check_finite`` for :func:`prepare`.
    """
    gram = gram_from_x(X, precompute)
    copy = (bool(copy_X) and not gram and not sparse.issparse(X)
            and (fit_intercept or sample_weight is not None))
    return (dict(order=None if gram else "F", copy=copy, ensure_all_finite=not gram),
            dict(copy_X=copy_X and not copy, check_finite=gram))


def prepare(X, y, *, fit_intercept, sample_weight=None, copy_X=True, precompute="auto",
            check_finite=False):
    """Weights normalized to sum to n_samples (scikit-learn's convention), centering, kernel layout.

    X and y must already be validated float arrays (dense or CSC) of the same dtype. X's check
    for NaN and infinity may be left to this function (``check_finite``) when
    :func:`gram_from_x` holds: the Gram's pass over X then does it (see :func:`gram_design`).

    Returns
    -------
    prep : Preprocessed
    design : Design
    """
    n_samples = X.shape[0]
    sw = check_sample_weight(sample_weight, n_samples, X.dtype)
    if sw is not None:
        sw *= n_samples / sw.sum()
    if isinstance(precompute, np.ndarray) and (fit_intercept or sw is not None):
        warnings.warn(
            "Gram matrix was provided but X was centered or reweighted (fit_intercept or "
            "sample_weight): recomputing the Gram matrix.",
            UserWarning,
            stacklevel=3,
        )
        precompute = True
    if gram_from_x(X, precompute) and X.size:
        return gram_design(X, y, fit_intercept=fit_intercept, sample_weight=sw,
                           check_finite=check_finite, lazy=precompute == "lazy")
    if check_finite:
        assert_all_finite(X, input_name="X")
    prep = preprocess_data(X, y, fit_intercept=fit_intercept, sample_weight=sw, copy_X=copy_X)
    return prep, make_design(prep, precompute)


_PATH_PARAMS = {"tol": 1e-4, "max_iter": 1000, "random_state": None, "selection": "cyclic",
                "screening": True, "gap_freq": 10, "working_set": True, "extrapolation": True,
                "newton": True, "incremental_gradient": True, "n_threads": None}


def _check_path_params(params):
    unexpected = set(params) - set(_PATH_PARAMS)
    if unexpected:
        raise ValueError(f"Unexpected parameters in params: {sorted(unexpected)}")
    out = {**_PATH_PARAMS, **params}
    check_interval(out["tol"], "tol", low=0)
    check_interval(out["max_iter"], "max_iter", kind=Integral, low=1)
    check_interval(out["gap_freq"], "gap_freq", kind=Integral, low=1)
    check_choice(out["selection"], "selection", ["cyclic", "random"])
    check_interval(out["n_threads"], "n_threads", kind=Integral, low=1, allow_none=True)
    return out


def check_precompute(precompute, owner=None):
    """``precompute`` must be 'auto', a bool or an array (the Gram matrix)."""
    if isinstance(precompute, (bool, np.bool_)) or (isinstance(precompute, str) and precompute == "auto"):
        return precompute
    if isinstance(precompute, (np.ndarray, list)):
        return np.asarray(precompute)
    raise ValueError(
        f"The 'precompute' parameter{' of ' + owner if owner else ''} must be 'auto', a bool or "
        f"an array-like (the Gram matrix). Got {precompute!r} instead."
    )


def _prepare_in_memory(X, y, check_input, fit_intercept, sample_weight, copy_X, precompute):
    """Validate in-memory X, y (unless ``check_input`` is False) and :func:`prepare` them."""
    prepare_kw = dict(copy_X=copy_X)
    if check_input:
        check_kw, prepare_kw = validation_plan(X, precompute, fit_intercept, sample_weight, copy_X)
        X = check_array(X, accept_sparse="csc", dtype=[np.float64, np.float32], input_name="X",
                        accept_large_sparse=False, **check_kw)
        y = check_array(y, ensure_2d=False, dtype=X.dtype, order="F", input_name="y")
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: "
                f"[{X.shape[0]}, {y.shape[0]}]"
            )
        if y.ndim > 2:
            raise ValueError(f"y must be 1-D or 2-D, got {y.ndim}-D.")
    elif sparse.issparse(X):
        X = as_sparse_format(X, sparse.csc_matrix)
    return prepare(X, y, fit_intercept=fit_intercept, sample_weight=sample_weight,
                   precompute=precompute, **prepare_kw)


def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas=100, alphas=None, precompute="auto",
              Xy=None, copy_X=True, coef_init=None, verbose=False, return_n_iter=False,
              positive=False, check_input=True, fit_intercept=False, sample_weight=None,
              penalty_factor=None, **params):
    """Elastic-net regularization path by warm-started coordinate descent.

    At every alpha of a decreasing grid, minimizes (scikit-learn's objective)::

        1 / (2 * n_samples) * sum_i s_i (y_i - x_i w - b)^2
        + alpha * l1_ratio * sum_j pf_j |w_j|
        + 0.5 * alpha * (1 - l1_ratio) * sum_j pf_j w_j^2

    with sample weights ``s`` rescaled to sum to ``n_samples``, penalty factors ``pf`` (ones by
    default) and ``b = 0`` unless ``fit_intercept=True``. Each alpha starts from the previous
    solution.

    Parameters
    ----------
    X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
        Training data; float32 stays float32. Sparse X is never densified. A
        ``dask.array.Array`` chunked by rows is reduced to its sufficient statistics in one pass
        on the cluster, then solved in memory with covariance updates (``precompute``,
        ``copy_X`` and ``check_input`` are then ignored).
    y : array-like or dask array of shape (n_samples,) or (n_samples, n_targets)
        Target. With 2-D y each target is fitted independently (as ``ElasticNet`` does; this is
        not scikit-learn's multi-task path).
    l1_ratio : float, default=0.5
        Mix of L1 and L2 in [0, 1]; 1 is the lasso.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the default grid.
    n_alphas : int, default=100
        Number of alphas of the default grid.
    alphas : array-like or int, optional
        The alphas to use (sorted decreasingly), or an int meaning ``n_alphas``.
    precompute : 'auto', bool or array-like of shape (n_features, n_features), default='auto'
        Covariance (Gram) updates. 'auto' uses them for dense data with n_samples > n_features
        (with a single alpha, only up to 128 features, and only the Gram columns the fit
        needs on large enough data: :func:`single_fit_precompute`).
    Xy : array-like of shape (n_features,), optional
        ``X.T @ y``; used for the default grid when there is no centering or weighting.
    copy_X : bool, default=True
        If False, dense X may be overwritten (centered) in place.
    coef_init : array-like of shape (n_features,), optional
        Starting coefficients for the first alpha.
    verbose : bool or int, default=False
        Print one line per alpha.
    return_n_iter : bool, default=False
        Unpack to four items, the fourth being the epochs per alpha.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    check_input : bool, default=True
        Validate X and y (skip only with float, F-ordered, finite data).
    fit_intercept : bool, default=False
        Fit an unpenalized intercept (scikit-learn's path functions fit none).
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights (zeros allowed).
    penalty_factor : array-like of shape (n_features,), optional
        Non-negative per-feature multipliers of the penalty (glmnet's ``penalty.factor``).
    **params
        ``tol`` (1e-4; the solver stops when the duality gap is below ``tol * ||y_c||^2 / n``,
        ``y_c`` the centered, weighted target), ``max_iter`` (1000 epochs), ``selection``
        ('cyclic' or 'random'), ``random_state``, ``screening`` (Gap Safe screening, True),
        ``gap_freq`` (10), ``working_set`` (growing working sets with active-set cycling,
        True), ``extrapolation`` (Anderson extrapolation, True), ``newton`` (Newton steps on
        the support, True), ``incremental_gradient`` (sparse X: the gradient updated through
        the rows a change touches, True), ``n_threads`` (threads over the targets of a 2-D y,
        else of the full-gradient pass; None: automatic; see :func:`solve_path`). The tricks
        never change the stopping rule.

    Returns
    -------
    PathResult
        Unpacks as ``alphas, coefs, dual_gaps`` (plus ``n_iters`` if ``return_n_iter``), with
        ``coefs`` of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas); the
        ``intercepts`` attribute holds the intercept at every alpha.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import enet_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 10)); y = X[:, 0] - 2 * X[:, 1]
    >>> alphas, coefs, gaps = enet_path(X, y, l1_ratio=0.8, n_alphas=5)
    >>> coefs.shape
    (10, 5)
    """
    l1_ratio = check_interval(l1_ratio, "l1_ratio", owner="enet_path", low=0, high=1)
    p = _check_path_params(params)
    precompute = check_precompute(precompute, "enet_path")
    if is_dask_array(X):
        # out of core: sufficient statistics in one pass on the cluster, Gram layout in memory
        from ._dask import prepare_dask

        prep, design = prepare_dask(X, y, fit_intercept=fit_intercept, sample_weight=sample_weight)
    else:
        one_alpha = (n_alphas == 1 if alphas is None else alphas == 1
                     if isinstance(alphas, Integral) else np.size(alphas) == 1)
        if one_alpha:  # a single fit: no Gram matrix to share between alphas
            precompute = single_fit_precompute(X, precompute)
        prep, design = _prepare_in_memory(X, y, check_input, fit_intercept, sample_weight, copy_X,
                                          precompute)
    n_samples, n_features = design.n_samples, design.n_features
    pf = check_penalty_factor(penalty_factor, n_features, np.float64)

    if isinstance(alphas, Integral):
        n_alphas, alphas = alphas, None
    if alphas is None:
        check_interval(n_alphas, "n_alphas", owner="enet_path", kind=Integral, low=1)
        check_interval(eps, "eps", owner="enet_path", low=0, closed="neither")
        Zty = design.Zty
        if Xy is not None and not fit_intercept and sample_weight is None:
            Zty = check_array(Xy, ensure_2d=False, dtype=np.float64, input_name="Xy")
            if Zty.shape[0] != n_features:
                raise ValueError(f"Xy must have {n_features} rows, got shape {Zty.shape}.")
        Zty = penalized_correlations(design, pf, positive, Zty)
        alphas = alpha_grid(Zty, n_samples, l1_ratio=l1_ratio, eps=eps, n_alphas=n_alphas,
                            positive=positive, penalty_factor=pf)
    else:
        alphas = check_alphas(alphas)
        if alphas.shape[0] > 1:
            alphas = np.sort(alphas)[::-1]
    result = solve_path(prep, design, alphas, l1_ratio=l1_ratio, penalty_factor=pf,
                        positive=positive, coef_init=coef_init, verbose=verbose, **p)
    result._return_n_iter = return_n_iter
    return result


def lasso_path(X, y, *, eps=1e-3, n_alphas=100, alphas=None, precompute="auto", Xy=None,
               copy_X=True, coef_init=None, verbose=False, return_n_iter=False, positive=False,
               check_input=True, fit_intercept=False, sample_weight=None, penalty_factor=None,
               **params):
    """Lasso regularization path by warm-started coordinate descent.

    At every alpha of a decreasing grid, minimizes::

        1 / (2 * n_samples) * sum_i s_i (y_i - x_i w - b)^2 + alpha * sum_j pf_j |w_j|

    This is :func:`enet_path` with ``l1_ratio=1``; see it for the parameters and the result.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import lasso_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 10)); y = X[:, 0] - 2 * X[:, 1]
    >>> alphas, coefs, gaps = lasso_path(X, y, n_alphas=5)
    >>> [int(np.count_nonzero(coefs[:, i])) for i in range(5)]
    [0, 2, 2, 2, 2]
    """
    return enet_path(X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas,
                     precompute=precompute, Xy=Xy, copy_X=copy_X, coef_init=coef_init,
                     verbose=verbose, return_n_iter=return_n_iter, positive=positive,
                     check_input=check_input, fit_intercept=fit_intercept,
                     sample_weight=sample_weight, penalty_factor=penalty_factor, **params)


def check_alphas(alphas):
    """A 1-D, finite, non-negative float array of alphas."""
    alphas = np.atleast_1d(np.asarray(alphas, dtype=np.float64))
    if alphas.ndim != 1 or alphas.shape[0] == 0:
        raise ValueError(f"alphas must be a non-empty 1-D array, got shape {alphas.shape}.")
    if not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
        raise ValueError("alphas must be finite and non-negative (the 'alphas' parameter).")
    return alphas
