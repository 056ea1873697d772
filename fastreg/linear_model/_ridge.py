"""Ridge and RidgeCV estimators (thin wrappers over :mod:`fastreg._ridge`)."""

from numbers import Integral

import numpy as np

from .. import _ridge
from .._validation import (check_choice, check_interval, check_sample_weight, is_dask_array,
                           validate_X_y)
from ._base import LinearRegressorBase

__all__ = ["Ridge", "RidgeCV"]

_CV_TOL = 1e-10  # CG tolerance inside RidgeCV's k-fold (sparse X): results should not depend on it


def _check_alpha_param(alpha, owner):
    if np.ndim(alpha) == 0:
        check_interval(alpha, "alpha", owner=owner, low=0.0, closed="left")
        return alpha
    a = np.asarray(alpha)
    if a.ndim != 1 or not np.issubdtype(a.dtype, np.number):
        raise ValueError(f"The 'alpha' parameter of {owner} must be a float or a 1-D array of floats.")
    for v in a:
        check_interval(float(v), "alpha", owner=owner, low=0.0, closed="left")
    return a


def _set_dask_fit(est, X, y, coef, intercept):
    """Store a fit from dask statistics like an in-memory fit (float32 stays float32)."""
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    coef, intercept = coef.astype(dtype), intercept.astype(dtype)
    est.n_features_in_ = X.shape[1]
    if hasattr(est, "feature_names_in_"):
        del est.feature_names_in_
    if np.ndim(y) == 1:
        est.coef_, est.intercept_ = coef[0], dtype.type(intercept[0])
    else:
        est.coef_, est.intercept_ = coef, intercept


class Ridge(LinearRegressorBase):
    """Linear least squares with L2 regularization, compiled solvers.

    Minimizes the objective function::

        ||y - Xw - b||^2_2 + alpha * ||w||^2_2

    (with sample weights ``s``: ``sum_i s_i (y_i - x_i w - b)^2 + alpha ||w||^2``, weights not
    normalized), the same objective and parameters as :class:`sklearn.linear_model.Ridge`.

    Parameters
    ----------
    alpha : float or ndarray of shape (n_targets,), default=1.0
        Non-negative L2 penalty; an array gives one penalty per target.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalized) intercept.
    copy_X : bool, default=True
        If False, dense X may be overwritten by the solvers that center it explicitly.
    max_iter : int, default=None
        Maximum number of CG iterations (default ``10 *`` the size of the system).
    tol : float, default=1e-4
        CG stops when the relative residual of the normal equations is below ``tol``.
    solver : {'auto', 'cholesky', 'svd', 'cg'}, default='auto'
        - 'auto': sparse X -> 'cg'; dense X -> 'cholesky', which falls back to 'svd' on an
          ill-conditioned system (Cholesky factor condition estimate above ``1e-3 / eps``).
        - 'cholesky': primal ``(A^T A + alpha I) w = A^T z`` when n >= p (``A^T A`` accumulated by row
          blocks, X not copied), dual ``w = A^T (A A^T + alpha I)^{-1} z`` when p > n.
        - 'svd': thin SVD of the centered design (most stable; densifies sparse X).
        - 'cg': Jacobi-preconditioned conjugate gradient (Numba kernels), matrix-free and with implicit
          centering for sparse X; dual system when p > n.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : ndarray of shape (n_targets,)
        CG iterations per target; 1 for the direct solvers (one factorization).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape ``(n_features_in_,)``
        Only when X has string column names.

    See Also
    --------
    RidgeCV : Ridge with the penalty chosen by (leave-one-out) cross-validation.
    fastreg.ridge_path : Coefficients for many alphas from one factorization.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import Ridge
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]])
    >>> y = np.array([1.0, 2.0, 5.0, 6.0])
    >>> model = Ridge(alpha=1e-8).fit(X, y)
    >>> np.round(model.coef_, 4), round(float(model.intercept_), 4)
    (array([1.6667, 0.6667]), 0.3333)
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=None, tol=1e-4,
                 solver="auto"):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : float or ndarray of shape (n_samples,), default=None

        Returns
        -------
        self : Ridge
        """
        owner = type(self).__name__
        alpha = _check_alpha_param(self.alpha, owner)
        check_choice(self.solver, "solver", _ridge.SOLVERS, owner=owner)
        check_interval(self.tol, "tol", owner=owner, low=0.0)
        check_interval(self.max_iter, "max_iter", owner=owner, kind=Integral, low=1, allow_none=True)
        if is_dask_array(X):  # one pass of sufficient statistics, factorized in memory
            from .. import _dask

            stats = _dask.sufficient_statistics(X, y, sample_weight)
            coef, intercept = _dask.ridge_from_stats(stats, alpha, fit_intercept=self.fit_intercept)
            _set_dask_fit(self, X, y, coef, intercept)
            self.n_iter_ = np.ones(coef.shape[0], dtype=np.int64)
            return self
        X, y = validate_X_y(self, X, y, accept_sparse=["csr", "csc"], order=None)
        sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        coef, intercept, n_iter = _ridge.ridge_solve(
            X, y, alpha, fit_intercept=self.fit_intercept, sample_weight=sw, solver=self.solver,
            tol=self.tol, max_iter=self.max_iter, copy_X=self.copy_X,
        )
        self.coef_ = coef
        self.intercept_ = intercept
        if n_iter is None:  # direct solvers: one factorization
            n_iter = np.ones(1 if y.ndim == 1 else y.shape[1], dtype=np.int64)
        self.n_iter_ = n_iter
        return self


class RidgeCV(LinearRegressorBase):
    """Ridge regression with the penalty chosen by cross-validation.

    For each ``alpha`` in ``alphas`` the model minimizes ``||y - Xw - b||^2_2 + alpha ||w||^2_2``.
    With ``cv=None`` the exact leave-one-out error of every alpha comes from one decomposition
    (eigendecomposition of ``A A^T`` when n <= p, of ``A^T A`` when n > p, thin SVD of ``A`` when the
    smallest alpha needs it), as in scikit-learn's efficient LOO; otherwise a k-fold loop with one
    :func:`fastreg.ridge_path` per fold.  Gives the same ``alpha_`` as
    :class:`sklearn.linear_model.RidgeCV`.  On a dask array X, leave-one-out takes two passes over
    the data (sufficient statistics, then every row's leverage) and k-fold one pass (per-fold
    statistics); see :doc:`/dask`.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Strictly positive penalties to try.
    fit_intercept : bool, default=True
    scoring : str or callable, default=None
        None: negative mean squared error (LOO) or R^2 (k-fold); else a scikit-learn scorer.
    cv : int, cross-validation generator or iterable, default=None
        None: efficient leave-one-out. Otherwise k-fold on the CV driver shared with
        :class:`ElasticNetCV`: one factorization per fold, the folds on Numba's threads when
        the data are large enough (one BLAS thread each), unless a joblib context (e.g. Dask's)
        sets the number of jobs.
    alpha_per_target : bool, default=False
        Choose one alpha per target (LOO only).
    store_cv_results : bool, default=False
        Keep the LOO squared errors (or predictions, with ``scoring``) in ``cv_results_`` (LOO only).

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
    best_score_ : float or ndarray of shape (n_targets,)
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
        Only with ``store_cv_results=True``.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape ``(n_features_in_,)``

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import RidgeCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 3)); y = X @ np.array([1.0, 2.0, 3.0]) + 0.01 * rng.normal(size=40)
    >>> RidgeCV(alphas=[1e-3, 1.0, 1e3]).fit(X, y).alpha_
    0.001
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None, cv=None,
                 alpha_per_target=False, store_cv_results=False):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.alpha_per_target = alpha_per_target
        self.store_cv_results = store_cv_results

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y, sample_weight=None):
        """Fit the model, choosing alpha by cross-validation.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : float or ndarray of shape (n_samples,), default=None

        Returns
        -------
        self : RidgeCV
        """
        owner = type(self).__name__
        alphas = np.asarray(self.alphas, dtype=np.float64) if np.ndim(self.alphas) else None
        if alphas is None:
            check_interval(self.alphas, "alphas", owner=owner, low=0.0,
                           closed="neither" if self.cv is None else "left")
            alphas = np.array([float(self.alphas)])
        closed = "neither" if self.cv is None else "left"  # LOO needs alpha > 0
        for i, a in enumerate(alphas):
            check_interval(float(a), f"alphas[{i}]", owner=owner, low=0.0, closed=closed)
        if self.cv is not None and self.alpha_per_target:
            raise ValueError("cv!=None and alpha_per_target=True are incompatible")
        if self.cv is not None and self.store_cv_results:
            raise ValueError("cv!=None and store_cv_results=True are incompatible")
        if is_dask_array(X):
            if self.scoring is not None:
                raise ValueError("RidgeCV on a dask array supports only scoring=None (mean squared "
                                 "error for cv=None, R^2 for cv=k).")
            from .. import _dask

            if self.cv is None:
                return self._fit_loo_dask(X, y, sample_weight, alphas)

            scores, best, stats = _dask.ridge_cv_dask(X, y, alphas, cv=self.cv,
                                                      fit_intercept=self.fit_intercept,
                                                      sample_weight=sample_weight)
            self.alpha_ = float(alphas[best])
            self.best_score_ = float(scores[best])
            coef, intercept = _dask.ridge_from_stats(stats, self.alpha_,
                                                     fit_intercept=self.fit_intercept)
            _set_dask_fit(self, X, y, coef, intercept)
            return self
        X, y = validate_X_y(self, X, y, accept_sparse=["csr", "csc"], order=None)
        sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        if self.cv is None:
            self._fit_loo(X, y, sw, alphas)
        else:
            scores, best = _ridge.ridge_cv_kfold(
                X, y, alphas, cv=self.cv, scoring=self.scoring, fit_intercept=self.fit_intercept,
                sample_weight=sw, tol=_CV_TOL,
            )
            self.alpha_ = float(alphas[best])
            self.best_score_ = float(scores[best])
            coef, intercept, _ = _ridge.ridge_solve(X, y, self.alpha_, fit_intercept=self.fit_intercept,
                                                    sample_weight=sw, tol=_CV_TOL)
            self.coef_, self.intercept_ = coef, intercept
        return self

    def _select(self, scores, alphas):
        """Best alpha per target (t,) and its score from leave-one-out ``scores`` (t, k)."""
        t = scores.shape[0]
        if self.alpha_per_target:
            best = np.argmax(np.where(np.isnan(scores), -np.inf, scores), axis=1)  # (t,)
            return alphas[best], scores[np.arange(t), best]
        s = scores.mean(axis=0) if self.scoring is None else scores[0]
        b = int(np.argmax(np.where(np.isnan(s), -np.inf, s)))
        return np.full(t, alphas[b]), np.array([s[b]])

    def _set_alpha(self, best_alpha, best_score, y):
        if self.alpha_per_target and np.ndim(y) == 2:
            self.alpha_, self.best_score_ = best_alpha, best_score
        else:
            self.alpha_, self.best_score_ = float(best_alpha[0]), float(best_score[0])

    def _fit_loo_dask(self, X, y, sample_weight, alphas):
        """Exact leave-one-out on dask data: two passes (statistics, then leverages)."""
        from .. import _dask

        if self.store_cv_results:
            raise ValueError("store_cv_results=True is not supported on a dask array (it would "
                             "bring one value per sample and alpha to the client).")
        mse, stats = _dask.ridge_loo_dask(X, y, alphas, fit_intercept=self.fit_intercept,
                                          sample_weight=sample_weight)
        best_alpha, best_score = self._select(-mse, alphas)
        coef, intercept = _dask.ridge_from_stats(stats, best_alpha, fit_intercept=self.fit_intercept)
        _set_dask_fit(self, X, y, coef, intercept)
        self._set_alpha(best_alpha, best_score, y)
        return self

    def _fit_loo(self, X, y, sw, alphas):
        from sklearn.metrics import check_scoring

        t = 1 if y.ndim == 1 else y.shape[1]
        k = alphas.shape[0]
        need_res = self.store_cv_results or self.scoring is not None
        with np.errstate(divide="ignore", invalid="ignore"):
            mse, res, S, (X_offset, y_offset) = _ridge.ridge_loo(
                X, y, alphas, fit_intercept=self.fit_intercept, sample_weight=sw, store=need_res
            )
            if self.scoring is None:
                scores = -mse  # (t, k)
                results = None if res is None else res**2
            else:
                scorer = check_scoring(self, scoring=self.scoring)
                sqrt_sw = None if sw is None else np.sqrt(sw.astype(np.float64))
                z = np.asarray(y, dtype=np.float64).reshape(X.shape[0], t)
                z = (z - np.atleast_1d(y_offset)) * (1.0 if sqrt_sw is None else sqrt_sw[:, None])
                pred = z[:, :, None] - res
                if sqrt_sw is not None:
                    pred /= sqrt_sw[:, None, None]
                pred += np.atleast_1d(y_offset).astype(np.float64)[None, :, None]
                ident = _ridge._PredictionIdentity()
                kw = {} if sw is None else {"sample_weight": sw}
                if self.alpha_per_target:
                    scores = np.array([[scorer(ident, pred[:, j, i], y.reshape(-1, t)[:, j], **kw)
                                        for i in range(k)] for j in range(t)])
                else:
                    scores = np.array([scorer(ident, pred[:, :, i] if y.ndim == 2 else pred[:, 0, i], y, **kw)
                                       for i in range(k)])[None, :]
                results = pred
        best_alpha, best_score = self._select(scores, alphas)
        coef, intercept = _ridge._loo_coefs(S, best_alpha, X_offset, y_offset, self.fit_intercept, X.dtype)
        if y.ndim == 1:
            self.coef_, self.intercept_ = coef[0], X.dtype.type(intercept[0])
        else:
            self.coef_, self.intercept_ = coef, intercept
        self._set_alpha(best_alpha, best_score, y)
        if self.store_cv_results:
            cvr = results.astype(X.dtype)
            self.cv_results_ = cvr[:, 0, :] if y.ndim == 1 else cvr
