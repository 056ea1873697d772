"""Out-of-core fits on ``dask.array`` data: one pass of sufficient statistics, then in-memory solvers.

A penalized least-squares problem depends on its rows only through their sufficient statistics
(weight sum, weighted means, centered scatter matrices; see :mod:`fastreg._stats`, which also
holds their exact parallel-axis merge and what is computed from them). Here they are computed
in ONE pass over the row chunks of a dask array, on the cluster. Every chunk's statistics are
centered on its own means, without large-mean cancellation, by the same compiled pass as in
memory (:func:`fastreg._stats.row_statistics`: no centered copy of the chunk). The chunk results
are merged by a tree reduction.

Only the p x p result comes back to the client, where it becomes a Gram ``Design`` for the same
covariance-update kernels (:func:`fastreg._path.solve_path`) as an in-memory fit.

This module is imported only when an input is a dask array (see
:func:`fastreg._validation.is_dask_array`); ``import fastreg`` never imports dask.
"""

from functools import reduce
from numbers import Real

import numpy as np
from scipy import sparse

from ._stats import (Stats, combine, design_from_stats, heldout_mse, row_statistics,
                     train_test_statistics)
from ._stats import _combine2
from ._stats import check_stats as _check_stats
from ._stats import empty_stats as _empty_stats
from ._stats import gram_parts as _gram_parts
from ._validation import check_sample_weight

__all__ = ["Stats", "MAX_GRAM_BYTES", "check_dask_input", "sufficient_statistics",
           "fold_statistics", "combine", "design_from_stats", "prepare_dask", "heldout_mse",
           "heldout_r2", "ridge_from_stats", "ridge_cv_dask", "ridge_loo_dask",
           "predict_dask", "r2_score_dask"]

#: Largest Gram matrix (float64 bytes) fastreg brings back to the client: 20000 features.
MAX_GRAM_BYTES = 20000 * 20000 * 8


# --------------------------------------------------------------------------------------------
# Per-chunk statistics and their combination (these run on the workers)
# --------------------------------------------------------------------------------------------
def _chunk_stats(X, y, w):
    """Statistics of one block of rows, centered on the block's own weighted means.

    Returns None for a block without rows or without positive weight (except for its
    ``n``/``wmin``, which :func:`_combine2` still needs: they are returned as a tuple then).
    The scatter is the compiled one pass of :func:`fastreg._stats.row_statistics` (no centered
    copy of the block); a block with NaN or infinity gets NaN statistics, which the client's
    :func:`fastreg._stats.check_stats` reports (the compiled sums assume finite input).
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if y.ndim == 1:
        y = y[:, None]
    m = X.shape[0]
    if w is None:
        W, wmin = float(m), np.inf
    else:
        w = np.asarray(w, dtype=np.float64).ravel()
        wmin = float(w.min()) if m else np.inf
        w = np.maximum(w, 0.0)
        W = float(w.sum())
    if m == 0 or W == 0:
        return (m, wmin)  # an "empty" block: rows but no weight
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    finite_x, finite_y = np.isfinite(X).all(), np.isfinite(y).all()
    if not (finite_x and finite_y and np.isfinite(W)):
        p, t = X.shape[1], y.shape[1]
        nan_x = np.nan if not (finite_x and np.isfinite(W)) else 0.0
        return Stats(m, W, np.full(p, nan_x), np.full(t, np.nan), np.full((p, p), nan_x),
                     np.full((p, t), np.nan), np.full(t, np.nan), wmin)
    return row_statistics(X, y.astype(X.dtype, copy=False), None, w)._replace(wmin=wmin)


def _combine_many(parts):
    return reduce(_combine2, map(_unbox, parts), None)


def _chunk_fold_stats(X, y, w, labels, start, bounds, n_folds):
    """Per-fold statistics of one block: a tuple with one entry (or None) per fold.

    Fold labels are ``labels`` (a block of per-row fold ids) or, when it is None, computed from
    the block's first row ``start`` (a 1-element array) and the contiguous fold boundaries.
    """
    X = np.asarray(X)
    m = X.shape[0]
    start = int(np.asarray(start).ravel()[0])
    if labels is None:
        labels = np.searchsorted(bounds, np.arange(start, start + m), side="right") - 1
    labels = np.asarray(labels).ravel()
    out = [None] * n_folds
    present = np.unique(labels)
    if present.size == 1:
        out[int(present[0])] = _chunk_stats(X, y, w)
        return tuple(out)
    for f in present:
        rows = labels == f
        out[int(f)] = _chunk_stats(X[rows], np.asarray(y)[rows], None if w is None else np.asarray(w)[rows])
    return tuple(out)


def _combine_folds(parts):
    return tuple(_combine_many(col) for col in zip(*map(_unbox, parts)))


# --------------------------------------------------------------------------------------------
# Input checks and the reductions (client side)
# --------------------------------------------------------------------------------------------
def _check_chunk_type(A, name):
    meta = getattr(A, "_meta", None)
    if sparse.issparse(meta) or (meta is not None and not isinstance(meta, np.ndarray)):
        raise ValueError(
            f"{name} is a dask array with {type(meta).__module__}.{type(meta).__name__} chunks; "
            "fastreg's dask support needs dense NumPy chunks. For sparse data that fits in "
            "memory, pass a scipy.sparse CSC matrix instead (X.compute() then .tocsc()); "
            "otherwise densify the chunks with X.map_blocks(lambda b: b.todense()) if each dense "
            "chunk fits in a worker's memory."
        )


def _check_known_chunks(A, name):
    if any(np.isnan(c) for c in A.chunks[0]):
        raise ValueError(
            f"{name} has unknown chunk sizes (e.g. it comes from a dask DataFrame); call "
            f"{name}.compute_chunk_sizes() or use DataFrame.to_dask_array(lengths=True) first."
        )


def check_gram_size(n_features):
    """Refuse a p x p Gram matrix larger than :data:`MAX_GRAM_BYTES`, saying what to do instead."""
    nbytes = 8 * n_features * n_features
    if nbytes > MAX_GRAM_BYTES:
        raise ValueError(
            f"X has {n_features} features: the {n_features} x {n_features} Gram matrix that "
            f"fastreg reduces dask input to would take {nbytes / 1e9:.1f} GB (the limit is "
            f"{MAX_GRAM_BYTES / 1e9:.1f} GB, fastreg._dask.MAX_GRAM_BYTES). Reduce the number of "
            "features (feature selection, hashing or PCA), or, if the data fit in memory as a "
            "scipy.sparse matrix, fit the in-memory sparse solver on X.compute()."
        )


def check_dask_input(X, y, sample_weight=None):
    """Validate dask training data without computing it.

    Returns
    -------
    X : dask array of shape (n_samples, n_features), float64 or float32, one column chunk
    y : dask array of shape (n_samples,) or (n_samples, n_targets), X's dtype and row chunks
    sample_weight : dask array of shape (n_samples,) with X's row chunks, or None
        (negative or all-zero weights are detected during the statistics pass).
    """
    import dask.array as da

    _check_chunk_type(X, "X")
    if X.ndim != 2:
        raise ValueError(f"Expected 2D array, got {X.ndim}D dask array instead.")
    _check_known_chunks(X, "X")
    n_samples, n_features = X.shape
    if n_samples < 1 or n_features < 1:
        raise ValueError(
            f"Found array with {n_samples} sample(s) and {n_features} feature(s) (shape="
            f"{X.shape}) while a minimum of 1 is required."
        )
    check_gram_size(n_features)
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    if not np.issubdtype(X.dtype, np.number) and X.dtype != np.bool_:
        raise ValueError(f"X must hold numbers, got dtype {X.dtype}.")
    X = X.astype(dtype)
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    row_chunks = X.chunks[0]

    if isinstance(y, da.Array):
        _check_chunk_type(y, "y")
        _check_known_chunks(y, "y")
    else:
        y = np.asarray(y)
    if y.ndim not in (1, 2):
        raise ValueError(f"y must be 1-D or 2-D, got {y.ndim}-D.")
    if y.shape[0] != n_samples:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: [{n_samples}, {y.shape[0]}]"
        )
    if not isinstance(y, da.Array):
        y = da.from_array(np.asarray(y, dtype=dtype), chunks=(row_chunks,) + y.shape[1:])
    y = y.astype(dtype).rechunk((row_chunks,) + tuple((s,) for s in y.shape[1:]))

    sw = sample_weight
    if sw is None or isinstance(sw, Real):
        sw = check_sample_weight(sw, n_samples, dtype)  # validates a scalar, gives None
    elif isinstance(sw, da.Array):
        _check_chunk_type(sw, "sample_weight")
        if sw.ndim != 1:
            raise ValueError(f"Sample weights must be 1D array or scalar, got {sw.ndim}D array.")
        if sw.shape[0] != n_samples:
            raise ValueError(f"sample_weight.shape == ({sw.shape[0]},), expected ({n_samples},)!")
        sw = sw.astype(np.float64).rechunk((row_chunks,))
    else:
        sw = check_sample_weight(sw, n_samples, np.float64)
        sw = da.from_array(sw, chunks=(row_chunks,))
    return X, y, sw


def _box_stats(X, y, w, *args):
    out = np.empty(1, dtype=object)
    out[0] = _chunk_fold_stats(X, y, w, *args) if args else _chunk_stats(X, y, w)
    return out


def _per_block(func, X, y, sw, *extra):
    """One delayed per row chunk holding ``func(X_block, y_block, w_block, *extra_blocks)``, which
    returns a 1-element object array (the chunk's reduction, boxed).

    A blockwise task per chunk, so that dask fuses the chunk's read (or generation) into the
    reduction task: the chunk is never stored on a worker, nor moved between workers. ``extra``
    continues blockwise's ``(argument, index)`` pairs: ``"i"`` for a per-row-chunk dask array,
    ``None`` for a constant.
    """
    import dask.array as da

    # no contracted index (each argument is one block per row chunk): keeps the task fusable
    args = [X, "ij", y, "ij" if y.ndim == 2 else "i", sw, None if sw is None else "i", *extra]
    out = da.blockwise(func, "ij", *args, dtype=object, align_arrays=False,
                       adjust_chunks={"i": 1, "j": 1}, meta=np.empty((0, 0), dtype=object))
    return list(out.to_delayed(optimize_graph=True).ravel())


def _per_chunk(X, y, sw, labels=None, starts=None, bounds=None, n_folds=None):
    """One delayed per row chunk holding that chunk's statistics (see :func:`_per_block`)."""
    import dask.array as da

    extra = []
    if n_folds is not None:
        extra += [None, None] if labels is None else [labels, "i"]
        extra += [da.from_array(starts, chunks=1), "i", bounds, None, n_folds, None]
    return _per_block(_box_stats, X, y, sw, *extra)


def _unbox(part):
    return part[0] if isinstance(part, np.ndarray) else part


def _tree_reduce(parts, func, split_every):
    from dask import delayed

    parts = list(parts)
    while len(parts) > 1:
        parts = [delayed(func, pure=True)(parts[i:i + split_every])
                 for i in range(0, len(parts), split_every)]
    return parts[0]


def sufficient_statistics(X, y, sample_weight=None, *, split_every=8):
    """Weighted, centered sufficient statistics of dask data, in one pass over the row chunks.

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features)
        Chunked by rows (column chunks are merged first).
    y : dask or NumPy array of shape (n_samples,) or (n_samples, n_targets)
    sample_weight : dask or NumPy array of shape (n_samples,), optional
        Raw (not rescaled) non-negative weights.
    split_every : int, default=8
        Fan-in of the tree reduction.

    Returns
    -------
    Stats
        Computed (on the active ``dask.distributed`` client if there is one).

    Examples
    --------
    >>> import numpy as np, dask.array as da
    >>> from fastreg._dask import sufficient_statistics
    >>> X = da.from_array(np.arange(12.0).reshape(6, 2), chunks=(2, 2)); y = X[:, 0]
    >>> s = sufficient_statistics(X, y)
    >>> s.n, s.xbar.tolist(), np.allclose(s.Sxx, np.cov(X.compute().T, bias=True) * 6)
    (6, [5.0, 6.0], True)
    """
    import dask

    X, y, sw = check_dask_input(X, y, sample_weight)
    leaves = _per_chunk(X, y, sw)
    (stats,) = dask.compute(_tree_reduce(leaves, _combine_many, split_every))
    return _check_stats(_unbox(stats))


def _fold_labels(folds, n_samples):
    """``folds`` as (labels or None, contiguous bounds or None, n_folds)."""
    from numbers import Integral

    import dask.array as da

    if isinstance(folds, Integral) and not isinstance(folds, bool):
        k = int(folds)
        if not 2 <= k <= n_samples:
            raise ValueError(f"folds must be an int in [2, n_samples={n_samples}], got {k}.")
        sizes = np.full(k, n_samples // k)
        sizes[: n_samples % k] += 1  # scikit-learn's KFold(k) without shuffling
        return None, np.concatenate([[0], np.cumsum(sizes)]), k
    if hasattr(folds, "split"):  # a scikit-learn splitter
        folds = list(folds.split(np.empty((n_samples, 0))))
    if isinstance(folds, (np.ndarray, da.Array)) and folds.ndim == 1:
        labels = folds
        if labels.shape[0] != n_samples:
            raise ValueError(f"folds (fold labels) must have length {n_samples}, got {labels.shape[0]}.")
        k = int(labels.max().compute() if isinstance(labels, da.Array) else labels.max()) + 1
        return labels, None, k
    labels = np.full(n_samples, -1, dtype=np.int32)
    folds = list(folds)
    for f, split in enumerate(folds):
        test = np.asarray(split[1])
        if test.dtype == bool:
            test = np.flatnonzero(test)
        if np.any(labels[test] >= 0):
            raise ValueError("folds: the test sets must be disjoint (one held-out fold per row).")
        labels[test] = f
    if np.any(labels < 0):
        raise ValueError("folds: every row must be in exactly one test set (a partition such as KFold).")
    return labels, None, len(folds)


def fold_statistics(X, y, folds, sample_weight=None, *, split_every=8):
    """Training and held-out statistics of every cross-validation fold, from ONE pass over X.

    Every chunk is reduced to per-fold statistics, merged across chunks per fold; the training
    statistics of fold f are then the merge of all other folds' statistics (on the client,
    O(k p^2) work), i.e. "total minus fold f" without a subtraction's round-off.

    Parameters
    ----------
    X, y, sample_weight
        As in :func:`sufficient_statistics`.
    folds : int, array of shape (n_samples,), scikit-learn splitter or iterable of (train, test)
        An int k means scikit-learn's ``KFold(k)`` (contiguous, unshuffled); an array gives
        each row's fold id in ``0..k-1``; a splitter or the pairs of its ``split`` must have
        test sets that partition the rows.

    Returns
    -------
    list of (train Stats, test Stats)
        One pair per fold.

    Examples
    --------
    >>> import numpy as np, dask.array as da
    >>> from fastreg._dask import fold_statistics
    >>> X = da.from_array(np.arange(20.0).reshape(10, 2), chunks=(3, 2)); y = X[:, 1]
    >>> [(tr.n, te.n) for tr, te in fold_statistics(X, y, 3)]
    [(6, 4), (7, 3), (7, 3)]
    """
    import dask
    import dask.array as da

    X, y, sw = check_dask_input(X, y, sample_weight)
    labels, bounds, k = _fold_labels(folds, X.shape[0])
    starts = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]]).astype(np.int64)
    if labels is not None:
        if not isinstance(labels, da.Array):
            labels = da.from_array(np.asarray(labels), chunks=(X.chunks[0],))
        labels = labels.rechunk((X.chunks[0],))
    leaves = _per_chunk(X, y, sw, labels, starts, bounds, k)
    (per_fold,) = dask.compute(_tree_reduce(leaves, _combine_folds, split_every))
    per_fold = _unbox(per_fold)
    p, t = X.shape[1], 1 if y.ndim == 1 else y.shape[1]
    for f, s in enumerate(per_fold):  # a held-out fold may have no weight (undefined error)
        if s is None:
            raise ValueError(f"folds: fold {f} has no rows.")
        if isinstance(s, Stats) or s[-1] < 0:
            _check_stats(s)
    per_fold = [s if isinstance(s, Stats) else _empty_stats(s, p, t) for s in per_fold]
    return train_test_statistics(per_fold)


# --------------------------------------------------------------------------------------------
# From statistics to a solver design
# --------------------------------------------------------------------------------------------
def ridge_from_stats(stats, alpha, *, fit_intercept):
    """Ridge coefficients ``(n_targets, n_features)`` and intercepts from statistics.

    scikit-learn's Ridge objective ``sum_i s_i (y_i - x_i w - b)^2 + alpha ||w||^2`` (raw
    weights, not rescaled), solved by :func:`fastreg._ridge.ridge_from_gram`.
    """
    from ._ridge import ridge_from_gram

    G, Zty, _, X_offset, y_offset = _gram_parts(stats, fit_intercept, rescale=False)
    coef = ridge_from_gram(G, Zty, alpha).T  # (t, p)
    return coef, y_offset - coef @ X_offset


def _sse(stats, coef, intercept):
    """Weighted residual sum of squares per target of ``(coef (t, p), intercept (t,))``."""
    quad = np.einsum("tp,tp->t", coef, coef @ stats.Sxx)
    cross = np.einsum("tp,pt->t", coef, stats.Sxy)
    bias = stats.ybar - coef @ stats.xbar - intercept
    return np.maximum(stats.Syy - 2 * cross + quad, 0) + stats.sw * bias ** 2


def heldout_r2(stats, coef, intercept):
    """``sklearn.metrics.r2_score`` (weighted, uniform average over targets) from statistics."""
    sse, sst = _sse(stats, coef, intercept), stats.Syy
    safe = np.where(sst != 0, sst, 1.0)
    r2 = np.where(sst != 0, 1 - sse / safe, np.where(sse == 0, 1.0, 0.0))
    return float(r2.mean())


def ridge_cv_dask(X, y, alphas, *, cv, fit_intercept, sample_weight=None):
    """k-fold ridge CV on dask data from ONE pass: held-out R^2 per alpha, best index, total stats.

    Returns
    -------
    mean_scores : ndarray of shape (n_alphas,)
    best : int
        First index of the best mean score (GridSearchCV's rule).
    total : Stats
        Statistics of all rows (for the final fit, without another pass).
    """
    folds = fold_statistics(X, y, cv, sample_weight)
    scores = np.array([[heldout_r2(test, *ridge_from_stats(train, a, fit_intercept=fit_intercept))
                        for a in alphas] for train, test in folds])
    mean = scores.mean(axis=0)
    best = int(np.argmax(np.where(np.isnan(mean), -np.inf, mean)))
    return mean, best, combine(list(folds[0]))


def _chunk_loo_sse(X, y, w, xbar, ybar, V, proj_g, g, h0_scale):
    """Sum over this block's rows of the squared leave-one-out residuals, shape (t, k).

    ``a_i = sqrt(s_i) (x_i - xbar)``, ``n_i = V^T a_i``; for every alpha (column of ``g``,
    ``1 / (lambda + alpha)``): leverage ``h_i = n_i^2 . g + s_i h0_scale`` and fitted value
    ``n_i . (proj g)``; the residual is ``(z_i - fitted) / (1 - h_i)`` with
    ``z_i = sqrt(s_i) (y_i - ybar)``.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    m, t, k = X.shape[0], y.shape[1], g.shape[1]
    out = np.empty(1, dtype=object)
    if m == 0:
        out[0] = np.zeros((t, k))
        return out
    s = np.ones(m) if w is None else np.maximum(np.asarray(w, dtype=np.float64).ravel(), 0.0)
    r = np.sqrt(s)
    N = ((X - xbar) * r[:, None]) @ V  # (m, p)
    z = (y - ybar) * r[:, None]  # (m, t)
    lev = (N * N) @ g + (s * h0_scale)[:, None]  # (m, k)
    fitted = (N @ proj_g).reshape(m, t, k)
    with np.errstate(divide="ignore", invalid="ignore"):  # a leverage of 1: inf, as in memory
        res = (z[:, :, None] - fitted) / (1.0 - lev[:, None, :])
        out[0] = np.einsum("itk,itk->tk", res, res)
    return out


def _sum_parts(parts):
    out = np.empty(1, dtype=object)  # boxed like the leaves, for the next level of the tree
    out[0] = sum(_unbox(p) for p in parts)
    return out


def ridge_loo_dask(X, y, alphas, *, fit_intercept, sample_weight=None, split_every=8):
    """Exact leave-one-out mean squared error of ridge for every alpha, in TWO passes over X.

    The first pass gives the sufficient statistics; the eigendecomposition ``G = V diag(lambda) V^T``
    of their p x p Gram matrix gives every alpha's coefficients; the second pass computes each
    row's leverage and leave-one-out residual, as scikit-learn's ``_RidgeGCV`` and
    :func:`fastreg._ridge.ridge_loo` do in memory:

        e_i(alpha) = (z_i - (H z)_i) / (1 - H_ii),   H_ii = s_i / W + a_i^T (G + alpha I)^{-1} a_i

    (``s_i / W`` only with an intercept), with ``a_i = sqrt(s_i) (x_i - xbar)`` and
    ``z_i = sqrt(s_i) (y_i - ybar)``, raw weights ``s``. Only the (n_targets, n_alphas) sums come back.

    Returns
    -------
    mse : ndarray of shape (n_targets, n_alphas)
        Mean over samples of the squared (``sqrt(s)``-scaled) leave-one-out residuals.
    stats : Stats
        Statistics of all rows (for the final fit).
    """
    import dask
    from scipy import linalg

    from ._ridge import clean_eigenvalues

    X, y, sw = check_dask_input(X, y, sample_weight)
    (stats,) = dask.compute(_tree_reduce(_per_chunk(X, y, sw), _combine_many, split_every))
    stats = _check_stats(_unbox(stats))
    G, Zty, _, xbar, ybar = _gram_parts(stats, fit_intercept, rescale=False)
    lam, V = linalg.eigh(G, check_finite=False, driver="evd")
    lam = clean_eigenvalues(lam, stats.n, G.shape[0])
    g = 1.0 / (lam[:, None] + np.asarray(alphas, dtype=np.float64)[None, :])  # (p, k)
    proj = V.T @ Zty  # (p, t)
    proj_g = (proj[:, :, None] * g[:, None, :]).reshape(len(lam), -1)  # (p, t*k)
    h0_scale = 1.0 / stats.sw if fit_intercept else 0.0
    parts = _per_block(_chunk_loo_sse, X, y, sw, xbar, None, ybar, None, V, None, proj_g, None,
                       g, None, h0_scale, None)
    (sse,) = dask.compute(_tree_reduce(parts, _sum_parts, split_every))
    return _unbox(sse) / stats.n, stats


def prepare_dask(X, y, *, fit_intercept, sample_weight=None):
    """Dask counterpart of :func:`fastreg._path.prepare`: one statistics pass, then a Gram design.

    Returns
    -------
    prep : Preprocessed (offsets only), design : Design (Gram layout)
    """
    stats = sufficient_statistics(X, y, sample_weight)
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    return design_from_stats(stats, fit_intercept=fit_intercept, dtype=dtype,
                             multi_output=np.ndim(y) == 2)


# --------------------------------------------------------------------------------------------
# Lazy prediction and scoring
# --------------------------------------------------------------------------------------------
def _predict_block(X, coef, intercept):
    return X @ coef.T + intercept


def predict_dask(estimator, X):
    """``X @ coef_.T + intercept_`` as a lazy dask array (one task per row chunk)."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator, "coef_")
    _check_chunk_type(X, "X")
    if X.ndim != 2:
        raise ValueError(f"Expected 2D array, got {X.ndim}D dask array instead.")
    coef = np.asarray(estimator.coef_)
    n_features = coef.shape[-1]
    if X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{n_features} features as input."
        )
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    intercept = np.asarray(estimator.intercept_)
    dtype = np.result_type(X.dtype, coef.dtype, intercept.dtype)
    if coef.ndim == 1:
        return X.map_blocks(_predict_block, coef, intercept, drop_axis=1, dtype=dtype)
    return X.map_blocks(_predict_block, coef, intercept, chunks=(X.chunks[0], (coef.shape[0],)),
                        dtype=dtype)


def r2_score_dask(y_true, y_pred, sample_weight=None):
    """Lazy coefficient of determination (``sklearn.metrics.r2_score``, uniform average of outputs).

    Returns
    -------
    0-d dask array
    """
    import dask.array as da

    y_pred = da.asarray(y_pred)
    chunks = y_pred.chunks[0]
    if not isinstance(y_true, da.Array):
        y_true = da.from_array(np.asarray(y_true), chunks=(chunks,) + np.shape(y_true)[1:])
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: "
            f"[{y_true.shape[0]}, {y_pred.shape[0]}]"
        )
    y_true = y_true.rechunk((chunks,) + tuple((s,) for s in y_true.shape[1:]))
    if y_true.ndim == 1:
        y_true = y_true[:, None]
    if y_pred.ndim == 1:
        y_pred = y_pred[:, None]
    if sample_weight is None:
        w = da.ones(y_true.shape[0], chunks=(chunks,))
    else:
        w = da.asarray(sample_weight).rechunk((chunks,)) if isinstance(sample_weight, da.Array) \
            else da.from_array(np.asarray(sample_weight, dtype=np.float64), chunks=(chunks,))
    w = w[:, None]
    num = (w * (y_true - y_pred) ** 2).sum(axis=0)
    ybar = (w * y_true).sum(axis=0) / w.sum()
    den = (w * (y_true - ybar) ** 2).sum(axis=0)
    safe = da.where(den != 0, den, 1.0)
    r2 = da.where(den != 0, 1 - num / safe, da.where(num == 0, 1.0, 0.0))
    return r2.mean()
