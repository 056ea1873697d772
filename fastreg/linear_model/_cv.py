"""LassoCV and ElasticNetCV: thin estimators over the one CV driver (:mod:`fastreg._cv`)."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.model_selection import check_cv
from sklearn.utils.validation import column_or_1d

from .._cv import enet_cv, enet_cv_from_stats
from .._path import check_alphas, check_precompute, gram_from_x, solve_path
from .._validation import (check_choice, check_interval, check_penalty_factor,
                           check_sample_weight, is_dask_array, validate_X_y)
from ._base import CoordinateDescentMixin, LinearRegressorBase

__all__ = ["ElasticNetCV", "LassoCV"]


class ElasticNetCV(CoordinateDescentMixin, LinearRegressorBase):
    """Elastic net with the penalty chosen by cross-validation along warm-started paths.

    For every l1_ratio, the alpha grid is computed on the whole data; every fold fits a
    warm-started path on its training rows and is scored by mean squared error on its held-out
    rows (scikit-learn's procedure, so ``alpha_`` and ``mse_path_`` match scikit-learn's on the
    same folds). The final model is refitted on all data at the chosen ``(alpha, l1_ratio)``;
    it minimizes::

        1 / (2 * n_samples) * sum_i s_i (y_i - x_i w - b)^2
        + alpha * l1_ratio * sum_j pf_j |w_j|
        + 0.5 * alpha * (1 - l1_ratio) * sum_j pf_j w_j^2

    with sample weights ``s`` rescaled to sum to ``n_samples`` and penalty factors ``pf``.
    Folds and l1_ratios run in parallel threads (the kernels release the GIL); under
    ``joblib.parallel_backend('dask')`` they run on a Dask cluster.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        L1 share(s) of the penalty in [0, 1]; a list is searched too (the best one is kept).
        ``l1_ratio=0`` needs explicit ``alphas``.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the default grid.
    alphas : int or array-like, default=100
        Number of alphas of the default grid, or the alphas to try.
    n_alphas : int, default='deprecated'
        Former name of an int ``alphas`` (deprecated in scikit-learn 1.7); still accepted, with
        a FutureWarning.
    fit_intercept : bool, default=True
        Fit an unpenalized intercept.
    precompute : 'auto', bool or array-like, default='auto'
        Gram (covariance) updates; 'auto' uses them for dense data with more rows than columns.
        A Gram matrix cannot serve the folds (each training set has its own): it is treated as
        True, with a ``UserWarning``.
    max_iter : int, default=1000
        Maximum coordinate-descent epochs per alpha.
    tol : float, default=1e-4
        Duality-gap tolerance, relative to ``||y_c||^2 / n_samples`` (scikit-learn's rule).
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn (None is 5-fold ``KFold``).
    copy_X : bool, default=True
        X is never modified (kept for scikit-learn compatibility).
    verbose : bool or int, default=False
        Print progress: one line per fold x l1_ratio (with its number of alphas); ``verbose >= 2``
        also one line per alpha.
    n_jobs : int, default=None
        Parallel workers over folds x l1_ratios, through :class:`joblib.Parallel` (threads, or
        the backend of an active joblib context such as Dask's). ``None``, unlike
        scikit-learn's (one job), lets fastreg use the cores itself when no joblib context
        sets a number of jobs: the tasks share Numba's threads (``numba.get_num_threads()``)
        when the data are large enough, and run one after the other inside another pool's
        worker. ``n_jobs=1`` always runs them one after the other.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate sampler when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Order of the coordinate updates.
    selection_rule : {'min', '1se'}, default='min'
        Which alpha the final model uses: the minimum mean CV error (scikit-learn) or glmnet's
        one-standard-error rule (the largest alpha within one standard error of the minimum).
    penalty_factor : array-like of shape (n_features,), default=None
        Non-negative per-feature multipliers of the penalty; 0 leaves a feature unpenalized.
        The alpha grid starts where all penalized coefficients are zero.
    screening : bool, default=True
        Gap Safe screening (exact).

    Attributes
    ----------
    alpha_ : float
        The alpha of the final model (``alpha_min_`` or ``alpha_1se_`` per ``selection_rule``).
    alpha_min_ : float
        The alpha with the smallest mean CV error.
    alpha_1se_ : float
        The largest alpha whose mean CV error is within one standard error of the minimum
        (standard error: ``std(ddof=1) / sqrt(n_folds)`` over folds), on the path of
        ``l1_ratio_``.
    l1_ratio_ : float
        The l1_ratio with the smallest mean CV error.
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    mse_path_ : ndarray of shape (n_l1_ratio, n_alphas, n_folds), squeezed
        Held-out mean squared error of every fold along every path.
    alphas_ : ndarray of shape (n_l1_ratio, n_alphas) or (n_alphas,)
        The alpha grids (one shared 1-D array when ``alphas`` was given).
    dual_gap_ : float
        Duality gap of the final model.
    n_iter_ : int
        Epochs of the final fit.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import ElasticNetCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 8))
    >>> y = X @ [2.0, 0, 0, -1.0, 0, 0, 0, 0] + 0.5 * rng.standard_normal(100)
    >>> model = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3).fit(X, y)
    >>> model.mse_path_.shape, model.alphas_.shape
    ((2, 100, 3), (2, 100))
    >>> np.flatnonzero(np.abs(model.coef_) > 0.1)
    array([0, 3])
    """

    _default_l1_ratio = 0.5

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, n_alphas="deprecated",
                 fit_intercept=True, precompute="auto", max_iter=1000, tol=1e-4, cv=None,
                 copy_X=True, verbose=0, n_jobs=None, positive=False, random_state=None,
                 selection="cyclic", selection_rule="min", penalty_factor=None, screening=True):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.selection_rule = selection_rule
        self.penalty_factor = penalty_factor
        self.screening = screening

    def _l1_ratios(self):
        name = type(self).__name__
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=object))
        if ratios.ndim != 1 or ratios.shape[0] == 0:
            raise ValueError(f"The 'l1_ratio' parameter of {name} must be a float in [0, 1] or "
                             f"a non-empty list of them. Got {self.l1_ratio!r} instead.")
        return [check_interval(r, "l1_ratio", owner=name, low=0, high=1) for r in ratios]

    def _check_params(self):
        name = type(self).__name__
        l1_ratios = self._l1_ratios()
        check_interval(self.eps, "eps", owner=name, low=0, closed="neither")
        check_interval(self.max_iter, "max_iter", owner=name, kind=Integral, low=1)
        check_interval(self.tol, "tol", owner=name, low=0)
        check_choice(self.selection, "selection", ["cyclic", "random"], owner=name)
        check_choice(self.selection_rule, "selection_rule", ["min", "1se"], owner=name)
        for flag in ("fit_intercept", "copy_X", "positive", "screening"):
            value = getattr(self, flag)
            check_choice(bool(value) if isinstance(value, np.bool_) else value, flag,
                         [True, False], owner=name)
        if self.n_jobs is not None and not isinstance(self.n_jobs, Integral):
            raise TypeError(f"The 'n_jobs' parameter of {name} must be an int or None. "
                            f"Got {self.n_jobs!r} instead.")
        precompute = check_precompute(self.precompute, name)

        n_alphas, alphas = None, None
        if isinstance(self.alphas, Integral) and not isinstance(self.alphas, (bool, np.bool_)):
            n_alphas = check_interval(self.alphas, "alphas", owner=name, kind=Integral, low=1)
        elif self.alphas is None:
            n_alphas = 100
        else:
            alphas = check_alphas(self.alphas)
            alphas = np.sort(alphas)[::-1]
        if not (isinstance(self.n_alphas, str) and self.n_alphas == "deprecated"):
            warnings.warn(
                "'n_alphas' was deprecated in scikit-learn 1.7 (and removed in 1.9): use "
                "'alphas' with an int instead.",
                FutureWarning,
                stacklevel=3,
            )
            if alphas is None:
                n_alphas = check_interval(self.n_alphas, "n_alphas", owner=name, kind=Integral,
                                          low=1)
        return l1_ratios, n_alphas, alphas, precompute

    def fit(self, X, y, sample_weight=None):
        """Choose alpha (and l1_ratio) by cross-validation, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            A ``dask.array.Array`` chunked by rows is cross-validated out of core from ONE
            pass: every fold's training and held-out sufficient statistics
            (:func:`fastreg._dask.fold_statistics`), then the same paths and selection as in
            memory, and the final fit from the total statistics (``precompute`` is ignored).
            ``cv`` must then split the rows into disjoint test folds (e.g. ``KFold``).
        y : array-like or dask array of shape (n_samples,)
        sample_weight : float, array-like or dask array of shape (n_samples,), default=None
            Weights for fitting and for each fold's held-out MSE (weighted mean); the CV error
            is the unweighted mean over folds, as in scikit-learn.

        Returns
        -------
        self : object
        """
        l1_ratios, n_alphas, alphas, precompute = self._check_params()
        if is_dask_array(X):
            pf = check_penalty_factor(self.penalty_factor, X.shape[1], np.float64)
            res, dtype = self._fit_dask(X, y, sample_weight, pf, l1_ratios, n_alphas, alphas)
        else:
            # the Gram layout (folds' statistics, final fit) reads a C-ordered X as it is
            X, y = validate_X_y(self, X, y, order=None if gram_from_x(X, precompute) else "F")
            if y.ndim == 2 and y.shape[1] > 1:
                raise ValueError(f"For multi-task outputs, use MultiTask{type(self).__name__}")
            y = column_or_1d(y, warn=True).astype(X.dtype, copy=False)
            n_samples, n_features = X.shape
            dtype = X.dtype
            sw = check_sample_weight(sample_weight, n_samples, X.dtype)
            pf = check_penalty_factor(self.penalty_factor, n_features, np.float64)
            folds = list(check_cv(self.cv).split(X, y))
            res = enet_cv(X, y, l1_ratios=l1_ratios, alphas=alphas, n_alphas=n_alphas,
                          eps=self.eps, folds=folds, fit_intercept=self.fit_intercept,
                          sample_weight=sw, precompute=precompute, penalty_factor=pf,
                          positive=self.positive, path_params=self._path_params(),
                          n_jobs=self.n_jobs, verbose=self.verbose)
        grids = res["alphas"]
        i_l1 = res["i_l1_ratio"]
        self.l1_ratio_ = l1_ratios[i_l1]
        self.alpha_min_ = float(grids[i_l1, res["i_min"]])
        self.alpha_1se_ = float(grids[i_l1, res["i_1se"]])
        self.alpha_ = self.alpha_min_ if self.selection_rule == "min" else self.alpha_1se_
        self.mse_path_ = np.squeeze(np.moveaxis(res["mse_paths"], 2, 1))
        if alphas is None:
            self.alphas_ = grids[0] if len(l1_ratios) == 1 else grids
        else:
            self.alphas_ = grids[0]

        # Refit on the whole data, reusing its preparation (centering, Gram) from the grid, and
        # the compiled solver of the folds' paths.
        final = solve_path(res["prep"], res["design"], [self.alpha_], l1_ratio=self.l1_ratio_,
                           penalty_factor=pf, positive=self.positive, tol=self.tol,
                           max_iter=self.max_iter, selection=self.selection,
                           random_state=self.random_state, screening=self.screening,
                           path_solver=True)
        self.coef_ = final.coefs[:, 0]
        self.intercept_ = dtype.type(final.intercepts[0])
        self.dual_gap_ = dtype.type(final.dual_gaps[0])
        self.n_iter_ = int(final.n_iters[0])
        self._check_finite_solution()
        return self

    def _path_params(self):
        return dict(tol=self.tol, max_iter=self.max_iter, selection=self.selection,
                    random_state=self.random_state, screening=self.screening)

    def _fit_dask(self, X, y, sample_weight, pf, l1_ratios, n_alphas, alphas):
        """CV on a dask array from ONE pass: per-fold statistics, then in-memory paths."""
        from .. import _dask

        if not hasattr(y, "ndim"):
            y = np.asarray(y)
        if y.ndim == 2:
            if y.shape[1] > 1:
                raise ValueError(f"For multi-task outputs, use MultiTask{type(self).__name__}")
            y = y[:, 0]
        # the folds must partition the rows (KFold-like): a held-out fold's statistics are the
        # merge of its rows' chunks, its training statistics the merge of the other folds
        fold_stats = _dask.fold_statistics(X, y, check_cv(self.cv), sample_weight)
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)
        res = enet_cv_from_stats(fold_stats, l1_ratios=l1_ratios, alphas=alphas,
                                 n_alphas=n_alphas, eps=self.eps, fit_intercept=self.fit_intercept,
                                 dtype=dtype, penalty_factor=pf, positive=self.positive,
                                 path_params=self._path_params(), n_jobs=self.n_jobs,
                                 verbose=self.verbose)
        self.n_features_in_ = X.shape[1]
        if hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return res, dtype


class LassoCV(ElasticNetCV):
    """Lasso with alpha chosen by cross-validation along warm-started paths.

    The final model minimizes::

        1 / (2 * n_samples) * sum_i s_i (y_i - x_i w - b)^2 + alpha * sum_j pf_j |w_j|

    It is :class:`ElasticNetCV` with ``l1_ratio=1``; see it for the parameters (all but
    ``l1_ratio``) and attributes (``l1_ratio_`` is 1). ``mse_path_`` has shape
    (n_alphas, n_folds).

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import LassoCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 8)); y = X @ [2.0, 0, 0, -1.0, 0, 0, 0, 0]
    >>> model = LassoCV(cv=5, selection_rule="1se").fit(X, y)
    >>> bool(model.alpha_1se_ >= model.alpha_min_), model.mse_path_.shape
    (True, (100, 5))
    """

    def __init__(self, *, eps=1e-3, alphas=100, n_alphas="deprecated", fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, copy_X=True, cv=None,
                 verbose=False, n_jobs=None, positive=False, random_state=None,
                 selection="cyclic", selection_rule="min", penalty_factor=None, screening=True):
        super().__init__(l1_ratio=1.0, eps=eps, alphas=alphas, n_alphas=n_alphas,
                         fit_intercept=fit_intercept, precompute=precompute, max_iter=max_iter,
                         tol=tol, cv=cv, copy_X=copy_X, verbose=verbose, n_jobs=n_jobs,
                         positive=positive, random_state=random_state, selection=selection,
                         selection_rule=selection_rule, penalty_factor=penalty_factor,
                         screening=screening)
