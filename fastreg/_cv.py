"""The one cross-validation driver for path estimators (LassoCV, ElasticNetCV, RidgeCV's k-fold mode).

For every (parameter, fold) pair, a *path function* fits a whole regularization path on the
fold's training rows (warm-started, so a path costs little more than its slowest alpha), and
the driver scores every point of the path on the fold's held-out rows, by (weighted) mean squared
error unless a ``score`` function is given (RidgeCV's k-fold mode scores with R^2 or a scorer).
Tasks run on threads: the Numba kernels release the GIL, so threads use every core without
copying X. With ``n_jobs=None`` (and no joblib context) fastreg uses the cores by itself, on a
persistent pool; a given ``n_jobs`` goes to :class:`joblib.Parallel` with ``prefer="threads"``,
and under ``joblib.parallel_backend('dask')`` the very same tasks run on a Dask cluster.

When every fold is solved in the Gram (covariance) layout, the elastic net takes a shortcut
with the same result: :func:`enet_cv_from_stats` works from each fold's sufficient statistics
(:mod:`fastreg._stats`), computed in one pass over X (in memory) or over a dask array's chunks,
and scores each fold from its held-out statistics.

Everything here works on plain arrays; the estimators in :mod:`fastreg.linear_model._cv` only
validate, call :func:`enet_cv` and store attributes.
"""

import time
import warnings

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from joblib.parallel import get_active_backend
from scipy import sparse

from ._path import alpha_grid, penalized_correlations, prepare, solve_path
from ._preprocess import available_threads, map_threads, one_blas_thread
from ._stats import combine, design_from_stats, fold_statistics_in_memory, heldout_mse

__all__ = ["cv_path_scores", "select_alpha", "enet_cv", "enet_cv_from_stats"]


# --------------------------------------------------------------------------------------------
# The general driver
# --------------------------------------------------------------------------------------------
# Below this much work (entries of X, or of a fold's Gram matrix, times the number of tasks) the
# tasks of a CV run one after the other when n_jobs is None: a thread pool's start costs more.
_CV_THREAD_MIN_WORK = 200_000
def _auto_threads(n_jobs, n_tasks, work):
    """Threads for ``n_tasks`` tasks of ``work`` each when fastreg chooses, or None.

    fastreg chooses when ``n_jobs`` is None and no joblib context (``parallel_config``,
    ``parallel_backend``) sets a number of jobs: then the tasks share the cores the way its
    kernels' own threaded passes do (:func:`fastreg._preprocess.available_threads`: every
    Numba thread from the main thread, one inside a worker of a user's pool or of joblib's
    threads, and joblib's process workers lower Numba's thread count). Otherwise the caller's
    ``n_jobs`` goes to :class:`joblib.Parallel`, as in scikit-learn.
    """
    if n_jobs is not None or get_active_backend()[1] is not None:
        return None
    return max(1, min(n_tasks, available_threads(work * n_tasks, _CV_THREAD_MIN_WORK)))


def _run_tasks(jobs, n_jobs, work):
    """Run joblib ``delayed`` jobs: on fastreg's own threads when :func:`_auto_threads` says
    so (a persistent pool: joblib's threading backend starts a pool per call, about 13 ms),
    else through :class:`joblib.Parallel` with ``prefer="threads"``."""
    jobs = list(jobs)
    n_threads = _auto_threads(n_jobs, len(jobs), work)
    if n_threads is not None:
        with one_blas_thread(n_threads > 1):
            return map_threads(lambda job: job[0](*job[1], **job[2]), jobs, n_threads)
    with one_blas_thread(effective_n_jobs(n_jobs) > 1):
        return Parallel(n_jobs=n_jobs, prefer="threads")(jobs)


def _rows(X, idx, fmt):
    if sparse.issparse(X):
        return X[idx].asformat(fmt)
    return np.asfortranarray(X[idx]) if fmt == "csc" else X[idx]


def _train_arrays(X, y, sample_weight, train, rescale_weights=True):
    sw_train = None
    if sample_weight is not None:
        sw_train = np.array(sample_weight[train], dtype=X.dtype)
        if rescale_weights:
            sw_train *= sw_train.shape[0] / sw_train.sum()
    return _rows(X, train, "csc"), y[train], sw_train


def _test_arrays(X, y, sample_weight, test):
    return _rows(X, test, "csr"), y[test], None if sample_weight is None else sample_weight[test]


def _held_out_mse(path, X_test, y_test, sw_test):
    """MSE of every point of a path on held-out rows, averaged over targets: (n_alphas,)."""
    coefs = np.asarray(path.coefs)
    intercepts = np.asarray(path.intercepts)
    if coefs.ndim == 2:  # one target
        coefs = coefs[np.newaxis]
        intercepts = intercepts[np.newaxis]
    y_test = y_test.reshape(y_test.shape[0], -1)
    mse = np.empty((coefs.shape[0], coefs.shape[2]))
    for k in range(coefs.shape[0]):
        pred = X_test @ coefs[k]  # (n_test, n_alphas)
        pred = np.asarray(pred)
        res = pred + intercepts[k] - y_test[:, k:k + 1]
        sq = res * res
        mse[k] = sq.mean(axis=0) if sw_test is None else np.average(sq, axis=0, weights=sw_test)
    return mse.mean(axis=0)


def _default_prepare(X_train, y_train, sw_train):
    return X_train, y_train, sw_train


def _run_task(fit_path, prepare_fold, state, X, y, sample_weight, train, test, param, i_param,
              i_fold, n_folds, verbose, score, rescale_weights):
    t0 = time.perf_counter()
    if state is None:
        state = prepare_fold(*_train_arrays(X, y, sample_weight, train, rescale_weights))
    X_test, y_test, sw_test = _test_arrays(X, y, sample_weight, test)
    path = fit_path(state, param)
    out = np.asarray((_held_out_mse if score is None else score)(path, X_test, y_test, sw_test),
                     dtype=np.float64)
    if verbose:
        best = (f"best fold MSE {np.min(out):.4g}" if score is None
                else f"scores {np.nanmin(out):.4g}..{np.nanmax(out):.4g}")
        print(f"[fastreg CV] fold {i_fold + 1}/{n_folds}, parameter {i_param + 1} ({param!r}): "
              f"{out.shape[0]} alphas in {time.perf_counter() - t0:.2f}s, {best}", flush=True)
    return out


def _prepare_task(prepare_fold, X, y, sample_weight, train, rescale_weights):
    return prepare_fold(*_train_arrays(X, y, sample_weight, train, rescale_weights))


def cv_path_scores(fit_path, X, y, folds, *, params=(None,), prepare_fold=None,
                   sample_weight=None, n_jobs=None, verbose=0, score=None, rescale_weights=True):
    """Held-out mean squared error along a regularization path, for every fold and parameter.

    The driver behind every ``*CV`` estimator of fastreg. The work is split into one task per
    ``(param, fold)`` and run by :class:`joblib.Parallel` with ``prefer="threads"`` (fastreg's
    kernels release the GIL); any joblib backend may be used, e.g. Dask through
    ``joblib.parallel_backend('dask')``.

    Parameters
    ----------
    fit_path : callable
        ``fit_path(state, param) -> path``, fitting a whole path on one fold's training rows.
        ``path`` has attributes ``coefs`` of shape (n_features, n_alphas) (or (n_targets,
        n_features, n_alphas)) and ``intercepts`` of shape (n_alphas,) (or (n_targets,
        n_alphas)) in the units of the original X and y, e.g. a :class:`fastreg._path.PathResult`.
        Every fold and param must give the same n_alphas.
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    folds : list of (train, test) index arrays
    params : sequence, default=(None,)
        One path per fold and element (e.g. the l1_ratios).
    prepare_fold : callable, optional
        ``prepare_fold(X_train, y_train, sw_train) -> state``: work shared by every param of a
        fold (centering, a Gram matrix, an SVD...), done once per fold. The default state is the
        tuple ``(X_train, y_train, sw_train)``; ``sw_train`` sums to the number of training rows.
    sample_weight : ndarray of shape (n_samples,), optional
        Weights for fitting (rescaled per fold) and for the held-out MSE (weighted average).
    n_jobs : int, optional
        Number of joblib workers. ``None`` with no joblib context setting one: fastreg's own
        threads (see :func:`_auto_threads`).
    verbose : int or bool, default=0
        Print one line per task (fold x param) with its number of alphas and time.
    score : callable, optional
        ``score(path, X_test, y_test, sw_test) -> ndarray of shape (n_alphas,)``, replacing the
        held-out MSE (e.g. R^2 or a scikit-learn scorer; ``sw_test`` is None when unweighted).
    rescale_weights : bool, default=True
        Rescale each fold's training weights to sum to its number of rows (the elastic net's
        convention, whose objective divides by the weight sum). False passes them unchanged
        (ridge's objective ``sum_i s_i r_i^2 + alpha ||w||^2`` does not normalize them).

    Returns
    -------
    mse : ndarray of shape (n_params, n_folds, n_alphas)
        Held-out MSE, averaged over targets (scikit-learn's convention), or the values of
        ``score`` when given.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import KFold
    >>> from fastreg._cv import cv_path_scores
    >>> from fastreg._path import prepare, solve_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 4)); y = X[:, 0] + 0.1 * rng.standard_normal(60)
    >>> def fit_path(state, l1_ratio):
    ...     Xt, yt, swt = state
    ...     prep, design = prepare(Xt, yt, fit_intercept=True, sample_weight=swt)
    ...     return solve_path(prep, design, [1.0, 0.1, 0.01], l1_ratio=l1_ratio)
    >>> mse = cv_path_scores(fit_path, X, y, list(KFold(3).split(X)), params=[1.0, 0.5])
    >>> mse.shape
    (2, 3, 3)
    """
    prepare_fold = _default_prepare if prepare_fold is None else prepare_fold
    params = list(params)
    folds = [(np.asarray(tr), np.asarray(te)) for tr, te in folds]
    n_folds = len(folds)
    states = [None] * n_folds
    work = X.nnz if sparse.issparse(X) else X.size
    if len(params) > 1 and prepare_fold is not _default_prepare:
        # shared per-fold work done once, then reused by every param of the fold
        states = _run_tasks(
            (delayed(_prepare_task)(prepare_fold, X, y, sample_weight, tr, rescale_weights)
             for tr, _ in folds), n_jobs, work)
    jobs = (
        delayed(_run_task)(fit_path, prepare_fold, states[i_fold], X, y, sample_weight, tr,
                           te, param, i_param, i_fold, n_folds, verbose, score,
                           rescale_weights)
        for i_param, param in enumerate(params)
        for i_fold, (tr, te) in enumerate(folds)
    )
    mse = _run_tasks(jobs, n_jobs, work)
    return np.asarray(mse, dtype=np.float64).reshape(len(params), n_folds, -1)


def select_alpha(mse_paths, alphas):
    """The minimum-MSE and one-standard-error choices from CV errors.

    Parameters
    ----------
    mse_paths : ndarray of shape (n_params, n_folds, n_alphas)
    alphas : ndarray of shape (n_params, n_alphas)
        Decreasing alphas of each param's path.

    Returns
    -------
    i_param : int
        Param with the smallest mean CV error (the first one on ties, as scikit-learn).
    i_min : int
        Index of the alpha with the smallest mean CV error on that param's path.
    i_1se : int
        glmnet's one-standard-error rule: the largest alpha of that path whose mean error is
        within one standard error (``std(ddof=1) / sqrt(n_folds)`` over folds) of the minimum.
    mean, se : ndarrays of shape (n_params, n_alphas)
    """
    mse_paths = np.asarray(mse_paths, dtype=np.float64)
    n_folds = mse_paths.shape[1]
    with np.errstate(invalid="ignore"):  # +inf losses (failed fits) give NaN standard errors
        mean = mse_paths.mean(axis=1)
        se = (mse_paths.std(axis=1, ddof=1) / np.sqrt(n_folds) if n_folds > 1
              else np.zeros_like(mean))
    best = np.inf
    i_param = i_min = 0
    for p in range(mean.shape[0]):
        i = int(np.argmin(mean[p]))
        if mean[p, i] < best:
            best, i_param, i_min = mean[p, i], p, i
    threshold = mean[i_param, i_min] + se[i_param, i_min]
    alpha_row = np.asarray(alphas)[i_param]
    ok = np.flatnonzero(mean[i_param] <= threshold)
    i_1se = int(ok[np.argmax(alpha_row[ok])]) if ok.size else i_min  # empty: non-finite errors
    return i_param, i_min, i_1se, mean, se


# --------------------------------------------------------------------------------------------
# The elastic-net family
# --------------------------------------------------------------------------------------------
class _EnetFold:
    """Per-fold path function of the elastic net: ``prepare`` once, ``solve_path`` per l1_ratio."""

    def __init__(self, alphas_per_param, fit_intercept, precompute, penalty_factor, positive,
                 path_params, verbose):
        self.alphas_per_param = alphas_per_param
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.path_params = path_params
        self.verbose = verbose

    def prepare(self, X_train, y_train, sw_train):
        # sw_train already sums to n_train; prepare() would rescale it identically
        return prepare(X_train, y_train, fit_intercept=self.fit_intercept,
                       sample_weight=sw_train, copy_X=False, precompute=self.precompute)

    def __call__(self, state, param):
        # A fold's alpha that stops above the tolerance warns (ConvergenceWarning, with the gap
        # reached), as scikit-learn's folds do: its held-out error is that of an unconverged
        # point, and the choice of alpha may rest on it.
        prep, design = state
        i_param, l1_ratio = param
        return solve_path(prep, design, self.alphas_per_param[i_param], l1_ratio=l1_ratio,
                          penalty_factor=self.penalty_factor, positive=self.positive,
                          verbose=self.verbose > 1, **self.path_params)


def _enet_grids(design, l1_ratios, alphas, n_alphas, eps, positive, penalty_factor):
    """One alpha grid per l1_ratio, on the full data's design: (n_l1_ratios, n_alphas)."""
    if alphas is not None:
        return np.tile(np.asarray(alphas, dtype=np.float64), (len(l1_ratios), 1))
    corr = penalized_correlations(design, penalty_factor, positive)
    return np.array([alpha_grid(corr, design.n_samples, l1_ratio=r, eps=eps, n_alphas=n_alphas,
                                positive=positive, penalty_factor=penalty_factor)
                     for r in l1_ratios])


def _gram_fold_statistics(X, y, folds, sample_weight, precompute, n_jobs=None):
    """Every fold's statistics from one pass over X when all folds are solved in the Gram layout.

    That is dense X with ``precompute`` True (or a Gram matrix, recomputed per fold anyway) or
    'auto' with more training rows than features in every fold, and folds whose test sets
    partition the rows (KFold-like). Each fold's Gram problem is then the merge of the other
    folds' statistics (:mod:`fastreg._stats`) instead of a copy, centering and product of its
    training rows: for 5 folds, one pass over X instead of four. Returns None otherwise.
    """
    if sparse.issparse(X) or precompute is False or y.ndim != 1:
        return None
    if isinstance(precompute, str) and any(len(train) <= X.shape[1] for train, _ in folds):
        return None
    # the held-out folds' passes are independent: on fastreg's threads when it chooses them
    n_threads = _auto_threads(n_jobs, len(folds), X.size // max(len(folds), 1)) or 1
    with one_blas_thread(n_threads > 1):
        return fold_statistics_in_memory(X, y, folds, sample_weight, n_threads=n_threads)


def enet_cv(X, y, *, l1_ratios, alphas=None, n_alphas=100, eps=1e-3, folds, fit_intercept=True,
            sample_weight=None, precompute="auto", penalty_factor=None, positive=False,
            path_params=None, n_jobs=None, verbose=0):
    """Cross-validated elastic-net paths: alpha grids, held-out MSE, and the chosen alphas.

    The alpha grid of each l1_ratio is computed once on the whole (centered, weighted) data,
    accounting for unpenalized features; each fold then runs a warm-started path on its
    training rows over that grid and is scored on its held-out rows (scikit-learn's
    ``LinearModelCV`` procedure). When all folds use the Gram layout and partition the rows,
    the folds' problems and scores come from one pass of statistics over X
    (:func:`enet_cv_from_stats`).

    Parameters
    ----------
    X : ndarray or CSC matrix of shape (n_samples, n_features)
        Validated float data; never modified. Dense X is F-ordered, or C-ordered when
        :func:`fastreg._path.gram_from_x` holds (the Gram layout reads either).
    y : ndarray of shape (n_samples,)
    l1_ratios : sequence of float
    alphas : ndarray of shape (n_alphas,), optional
        Decreasing alphas shared by every l1_ratio; the default grid otherwise.
    n_alphas, eps : int, float
        The default grid: ``n_alphas`` values geometric from alpha_max to ``eps * alpha_max``.
    folds : list of (train, test) index arrays
    fit_intercept, sample_weight, precompute, penalty_factor, positive
        As in :func:`fastreg.enet_path`.
    path_params : dict, optional
        ``tol``, ``max_iter``, ``selection``, ``random_state``, ``screening``, ``gap_freq``.
    n_jobs, verbose
        As in :func:`cv_path_scores`; ``verbose > 1`` also prints one line per alpha.

    Returns
    -------
    dict
        ``alphas`` (n_l1_ratios, n_alphas), ``mse_paths`` (n_l1_ratios, n_folds, n_alphas),
        ``i_l1_ratio``, ``i_min``, ``i_1se``, ``mean``, ``se``, and the full-data ``prep`` and
        ``design`` (reusable for the final fit).
    """
    path_params = {} if path_params is None else dict(path_params)
    l1_ratios = [float(r) for r in l1_ratios]
    if isinstance(precompute, np.ndarray):
        # scikit-learn warns once per fold (with an intercept) or fails its Gram check (without)
        warnings.warn("A Gram matrix was passed as precompute, but each fold's training rows "
                      "have their own: computing the folds' Gram matrices from X.", UserWarning,
                      stacklevel=3)
        precompute = True
    fold_stats = _gram_fold_statistics(X, y, folds, sample_weight, precompute, n_jobs)
    if fold_stats is not None:
        return enet_cv_from_stats(fold_stats, l1_ratios=l1_ratios, alphas=alphas,
                                  n_alphas=n_alphas, eps=eps, fit_intercept=fit_intercept,
                                  dtype=X.dtype, penalty_factor=penalty_factor, positive=positive,
                                  path_params=path_params, n_jobs=n_jobs, verbose=verbose)
    prep, design = prepare(X, y, fit_intercept=fit_intercept, sample_weight=sample_weight,
                           copy_X=True, precompute=precompute)
    grids = _enet_grids(design, l1_ratios, alphas, n_alphas, eps, positive, penalty_factor)

    fold_precompute = True if isinstance(precompute, np.ndarray) else precompute
    fold = _EnetFold(grids, fit_intercept, fold_precompute, penalty_factor, positive,
                     path_params, int(verbose))
    if verbose:
        print(f"[fastreg CV] {len(folds)} folds x {len(l1_ratios)} l1_ratios x "
              f"{grids.shape[1]} alphas", flush=True)
    sw = None if sample_weight is None else np.asarray(sample_weight, dtype=X.dtype)
    mse_paths = cv_path_scores(fold, X, y, folds, params=list(enumerate(l1_ratios)),
                               prepare_fold=fold.prepare, sample_weight=sw, n_jobs=n_jobs,
                               verbose=verbose)
    i_param, i_min, i_1se, mean, se = select_alpha(mse_paths, grids)
    return dict(alphas=grids, mse_paths=mse_paths, i_l1_ratio=i_param, i_min=i_min, i_1se=i_1se,
                mean=mean, se=se, prep=prep, design=design)


def _stats_task(fold, train, test, i_param, l1_ratio, i_fold, n_folds, verbose):
    t0 = time.perf_counter()
    prep, design = train
    path = fold((prep, design), (i_param, l1_ratio))
    mse = heldout_mse(test, path.coefs, path.intercepts)
    if verbose:
        print(f"[fastreg CV] fold {i_fold + 1}/{n_folds}, parameter {i_param + 1} ({l1_ratio!r}): "
              f"{mse.shape[0]} alphas in {time.perf_counter() - t0:.2f}s, "
              f"best fold MSE {np.min(mse):.4g}", flush=True)
    return mse


def enet_cv_from_stats(fold_stats, *, l1_ratios, alphas=None, n_alphas=100, eps=1e-3,
                       fit_intercept=True, dtype=np.float64, penalty_factor=None,
                       positive=False, path_params=None, n_jobs=None, verbose=0):
    """:func:`enet_cv` from per-fold sufficient statistics (one pass over the data).

    The same procedure as :func:`enet_cv`, the data being replaced by their statistics
    (:func:`fastreg._stats.fold_statistics_in_memory` in memory,
    :func:`fastreg._dask.fold_statistics` out of core): the alpha grids come from the
    statistics of all rows (the merge of a fold's training and held-out statistics), each
    fold's path is solved on the Gram design of its training statistics (weights rescaled to
    sum to the number of training rows, as in memory), and scored by
    :func:`fastreg._stats.heldout_mse` (the held-out MSE weighted by the raw weights, as in
    memory).

    Parameters
    ----------
    fold_stats : list of (train Stats, test Stats)
        One pair per fold (see above); 1-D target.
    dtype : dtype, default=float64
        Floating dtype of the solves (float32 stays float32).
    l1_ratios, alphas, n_alphas, eps, fit_intercept, penalty_factor, positive, path_params, \
n_jobs, verbose
        As in :func:`enet_cv`.

    Returns
    -------
    dict
        As :func:`enet_cv`; ``prep`` and ``design`` are the full data's Gram problem.

    Examples
    --------
    >>> import numpy as np, dask.array as da
    >>> from fastreg._dask import fold_statistics
    >>> from fastreg._cv import enet_cv_from_stats
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((90, 4)); y = X[:, 0] + 0.1 * rng.standard_normal(90)
    >>> stats = fold_statistics(da.from_array(X, chunks=(30, 4)), y, 3)
    >>> res = enet_cv_from_stats(stats, l1_ratios=[1.0], n_alphas=10)
    >>> res["mse_paths"].shape
    (1, 3, 10)
    """
    path_params = {} if path_params is None else dict(path_params)
    l1_ratios = [float(r) for r in l1_ratios]
    n_folds = len(fold_stats)
    for f, (_, test) in enumerate(fold_stats):
        if test.sw == 0:  # in memory: numpy's "Weights sum to zero" in the held-out average
            raise ValueError(f"sample_weight: held-out fold {f} has no positive weight, so its "
                             "mean squared error is undefined.")
    prep, design = design_from_stats(combine(list(fold_stats[0])), fit_intercept=fit_intercept,
                                     dtype=dtype)
    grids = _enet_grids(design, l1_ratios, alphas, n_alphas, eps, positive, penalty_factor)
    fold = _EnetFold(grids, fit_intercept, None, penalty_factor, positive, path_params,
                     int(verbose))
    trains = [design_from_stats(train, fit_intercept=fit_intercept, dtype=dtype)
              for train, _ in fold_stats]
    if verbose:
        print(f"[fastreg CV] {n_folds} folds x {len(l1_ratios)} l1_ratios x "
              f"{grids.shape[1]} alphas (from one pass of fold statistics)", flush=True)
    mse = _run_tasks(
        (delayed(_stats_task)(fold, trains[i_fold], fold_stats[i_fold][1], i_param, r, i_fold,
                              n_folds, verbose)
         for i_param, r in enumerate(l1_ratios)
         for i_fold in range(n_folds)), n_jobs, design.n_features ** 2)
    mse_paths = np.asarray(mse, dtype=np.float64).reshape(len(l1_ratios), n_folds, -1)
    i_param, i_min, i_1se, mean, se = select_alpha(mse_paths, grids)
    return dict(alphas=grids, mse_paths=mse_paths, i_l1_ratio=i_param, i_min=i_min, i_1se=i_1se,
                mean=mean, se=se, prep=prep, design=design)
