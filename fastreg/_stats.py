"""Sufficient statistics of least squares: the in-memory and out-of-core Gram problems.

For least squares with an elastic-net or ridge penalty, the weighted, centered problem

    min_{w, b}  1/2 sum_i s_i (y_i - x_i w - b)^2 + penalty(w)

depends on the data only through the weight sum ``W``, the weighted means ``xbar``, ``ybar`` and
the centered scatter matrices

    Sxx = sum_i s_i (x_i - xbar)(x_i - xbar)^T,  Sxy = sum_i s_i (x_i - xbar)(y_i - ybar)^T,
    Syy = sum_i s_i (y_i - ybar)^2.

Statistics of disjoint row blocks merge exactly with the parallel-axis (Chan et al.) update

    W = Wa + Wb,  d = xbar_b - xbar_a,  xbar = xbar_a + (Wb / W) d,
    Sxx = Sxx_a + Sxx_b + (Wa Wb / W) d d^T       (likewise Sxy, Syy),

so cross-validation needs ONE pass over the rows: the statistics of every held-out fold, a
training set's being the merge of the other folds' (:func:`train_test_statistics`). Each fold's
path is then solved on the Gram design of its training statistics (:func:`design_from_stats`),
and scored from its held-out statistics (:func:`heldout_mse`).

:func:`fold_statistics_in_memory` computes the folds' statistics of a NumPy X by the compiled
one-pass kernel of :func:`fastreg._preprocess.centered_scatter`; :mod:`fastreg._dask` computes
them chunk by chunk on a cluster.
"""

from functools import reduce
from typing import NamedTuple

import numpy as np

from ._path import gram_problem
from ._preprocess import centered_scatter, map_threads

__all__ = ["Stats", "combine", "train_test_statistics", "design_from_stats", "heldout_mse",
           "row_statistics", "fold_statistics_in_memory"]


class Stats(NamedTuple):
    """Weighted sufficient statistics of a block of rows (float64; ``y`` kept 2-D).

    Attributes
    ----------
    n : int
        Number of rows.
    sw : float
        Sum of the weights (``n`` when unweighted).
    xbar : ndarray of shape (n_features,)
    ybar : ndarray of shape (n_targets,)
    Sxx : ndarray of shape (n_features, n_features)
        Centered weighted scatter ``sum_i s_i (x_i - xbar)(x_i - xbar)^T``.
    Sxy : ndarray of shape (n_features, n_targets)
    Syy : ndarray of shape (n_targets,)
    wmin : float
        Smallest weight seen (``inf`` when unweighted), to reject negative weights.
    """

    n: int
    sw: float
    xbar: np.ndarray
    ybar: np.ndarray
    Sxx: np.ndarray
    Sxy: np.ndarray
    Syy: np.ndarray
    wmin: float


def check_stats(stats, name="X"):
    """``stats`` if it has positive weight and finite values, else the ``ValueError`` that
    in-memory validation would raise (negative or all-zero weights, NaN or infinity)."""
    if not isinstance(stats, Stats) or stats.sw == 0:  # no positive weight at all
        if stats[-1] < 0:
            raise ValueError("Negative values in data passed to sample_weight.")
        raise ValueError("sample_weight must have at least one positive weight; all are zero.")
    if stats.wmin < 0:
        raise ValueError("Negative values in data passed to sample_weight.")
    if not (np.isfinite(stats.sw) and np.all(np.isfinite(stats.xbar))
            and np.all(np.isfinite(stats.Sxx))):
        raise ValueError(f"Input {name} contains NaN or infinity (or sample_weight does).")
    if not (np.all(np.isfinite(stats.ybar)) and np.all(np.isfinite(stats.Syy))
            and np.all(np.isfinite(stats.Sxy))):
        raise ValueError("Input y contains NaN or infinity.")
    return stats


def empty_stats(marker, p, t):
    """Statistics of rows without weight: ``sw = 0`` and zeros (the merge treats them as empty)."""
    n, wmin = marker
    return Stats(n, 0.0, np.zeros(p), np.zeros(t), np.zeros((p, p)), np.zeros((p, t)),
                 np.zeros(t), wmin)


def _combine2(a, b):
    """Parallel-axis merge of two blocks' statistics (either may be an empty ``(n, wmin)``)."""
    if a is None:
        return b
    if b is None:
        return a
    n = a[0] + b[0]
    wmin = min(a[-1], b[-1])
    a_empty = not isinstance(a, Stats) or a.sw == 0
    b_empty = not isinstance(b, Stats) or b.sw == 0
    if a_empty:
        return b._replace(n=n, wmin=wmin) if isinstance(b, Stats) else (n, wmin)
    if b_empty:
        return a._replace(n=n, wmin=wmin)
    W = a.sw + b.sw
    f = b.sw / W
    c = a.sw * f  # Wa * Wb / W
    dx = b.xbar - a.xbar
    dy = b.ybar - a.ybar
    Sxx = a.Sxx + b.Sxx
    Sxx += c * np.outer(dx, dx)
    Sxy = a.Sxy + b.Sxy + c * np.outer(dx, dy)
    Syy = a.Syy + b.Syy + c * dy * dy
    return Stats(n, W, a.xbar + f * dx, a.ybar + f * dy, Sxx, Sxy, Syy, wmin)


def combine(stats):
    """Merge the statistics of disjoint row blocks (a list of :class:`Stats`) into one."""
    return reduce(_combine2, stats, None)


def gram_parts(stats, fit_intercept, rescale=True):
    """``(G, Zty, yy, X_offset, y_offset)`` in float64, weights rescaled to sum to n or raw."""
    c = stats.n / stats.sw if rescale else 1.0
    cW = c * stats.sw
    if fit_intercept:
        return c * stats.Sxx, c * stats.Sxy, c * stats.Syy, stats.xbar, stats.ybar
    return (c * stats.Sxx + cW * np.outer(stats.xbar, stats.xbar),
            c * stats.Sxy + cW * np.outer(stats.xbar, stats.ybar),
            c * stats.Syy + cW * stats.ybar ** 2,
            np.zeros_like(stats.xbar), np.zeros_like(stats.ybar))


def design_from_stats(stats, *, fit_intercept, dtype=np.float64, multi_output=False):
    """The Gram :class:`~fastreg._path.Design` (and offsets) of the problem with these statistics.

    Sample weights are rescaled to sum to ``n_samples`` (``ElasticNet.fit``'s convention), so
    ``G = (n / W) Sxx`` with an intercept, and ``G = (n / W) Sxx + n xbar xbar^T`` (the uncentered
    weighted ``X^T S X``) without one; likewise ``Z^T z`` and ``||z||^2``.

    Returns
    -------
    prep : Preprocessed
        With ``X`` and ``y`` None; only the offsets are set.
    design : Design
        ``kind='gram'``.
    """
    return gram_problem(*gram_parts(stats, fit_intercept), stats.n, dtype, multi_output)


def heldout_mse(stats, coefs, intercepts):
    """Weighted mean squared error on the rows summarized by ``stats``, without touching them.

    ``sum_i s_i (y_i - x_i w - b)^2 / W = [Syy - 2 w.Sxy + w.Sxx w] / W + (ybar - xbar.w - b)^2``,
    for a 1-D target; ``coefs`` of shape (n_features, n_alphas), ``intercepts`` (n_alphas,).

    Returns
    -------
    ndarray of shape (n_alphas,)
    """
    coefs = np.asarray(coefs, dtype=np.float64)
    if coefs.ndim == 1:
        coefs = coefs[:, None]
    b = np.atleast_1d(np.asarray(intercepts, dtype=np.float64))
    Sxy = stats.Sxy[:, 0]
    quad = np.einsum("ja,ja->a", coefs, stats.Sxx @ coefs)
    bias = stats.ybar[0] - stats.xbar @ coefs - b
    return np.maximum(stats.Syy[0] - 2 * Sxy @ coefs + quad, 0) / stats.sw + bias ** 2


def train_test_statistics(per_fold):
    """``[(train, test)]`` from the statistics of every held-out fold (which partition the rows).

    The training statistics of fold f merge all other folds' (O(k p^2) work): "total minus fold
    f" without a subtraction's round-off.
    """
    k = len(per_fold)
    # prefix[f] merges folds < f, suffix[f] folds >= f
    prefix, suffix = [None], [None]
    for f in range(k):
        prefix.append(_combine2(prefix[-1], per_fold[f]))
        suffix.append(_combine2(suffix[-1], per_fold[k - 1 - f]))
    suffix = suffix[::-1]
    return [(check_stats(_combine2(prefix[f], suffix[f + 1])), per_fold[f]) for f in range(k)]


def row_statistics(X, y, rows=None, sample_weight=None):
    """:class:`Stats` of some rows of in-memory dense data, centered on their own means.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Validated float32 or float64 (F-ordered avoids a copy); only read.
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    rows : ndarray of int or bool, optional
        All rows by default.
    sample_weight : ndarray of shape (n_samples,), optional
        Raw non-negative weights.
    """
    p = X.shape[1]
    if rows is not None:
        rows = _indices(rows)
    S, means, W = centered_scatter(X, y, rows=rows, sample_weight=sample_weight)
    n = X.shape[0] if rows is None else len(rows)
    if sample_weight is None:
        wmin = np.inf
    else:
        sel = sample_weight if rows is None else sample_weight[rows]
        wmin = float(sel.min()) if sel.size else np.inf
    if W == 0:
        return empty_stats((n, wmin), p, S.shape[0] - p)
    return Stats(n, W, means[:p], means[p:], S[:p, :p], S[:p, p:], np.diag(S)[p:].copy(), wmin)


def _indices(rows):
    rows = np.asarray(rows)
    return np.flatnonzero(rows) if rows.dtype == bool else rows.astype(np.int64, copy=False)


def fold_statistics_in_memory(X, y, folds, sample_weight=None, n_threads=1):
    """Training and held-out :class:`Stats` of every fold of in-memory dense data.

    One compiled pass per held-out fold (together one pass over X); no row is copied.

    Parameters
    ----------
    X, y, sample_weight
        As in :func:`row_statistics` (y 1-D or 2-D).
    folds : list of (train, test) index arrays
        The test sets must partition the rows and each training set must be the complement of
        its test set (KFold and its relatives).
    n_threads : int, default=1
        Threads over the held-out folds' passes (:func:`fastreg._preprocess.map_threads`).

    Returns
    -------
    list of (train Stats, test Stats), or None
        None when the folds are not such a partition (the caller then fits each fold on its
        rows).
    """
    n = X.shape[0]
    seen = np.zeros(n, dtype=np.int64)
    tests = []
    for train, test in folds:
        train, test = _indices(train), _indices(test)
        seen += np.bincount(test, minlength=n)
        # the complement of the test set: as many rows, all distinct, none held out
        # (counts, not np.unique: NumPy 2.4's took 150 ms on 160000 indices, 5x a fold's pass)
        if train.size + test.size != n or np.bincount(train, minlength=n).max(initial=0) > 1:
            return None
        held_out = np.zeros(n, dtype=bool)
        held_out[test] = True
        if np.any(held_out[train]):
            return None
        tests.append(test)
    if not np.all(seen == 1):
        return None
    per_fold = map_threads(lambda test: row_statistics(X, y, np.sort(test), sample_weight), tests,
                           n_threads)
    return train_test_statistics(per_fold)
