"""ElasticNet and Lasso: thin estimators over the one path driver (``fit`` is a one-alpha path)."""

import warnings
from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.utils import check_random_state

from .._path import (check_precompute, prepare, single_fit_precompute, solve_path,
                     validation_plan)
from .._preprocess import as_sparse_format
from .._validation import (InvalidParameterError, check_choice, check_interval,
                           check_penalty_factor, is_dask_array, validate_X_y)
from ._base import CoordinateDescentMixin, LinearRegressorBase

__all__ = ["ElasticNet", "Lasso"]


class ElasticNet(CoordinateDescentMixin, LinearRegressorBase):
    """Linear regression with combined L1 and L2 priors, by compiled coordinate descent.

    Minimizes scikit-learn's objective::

        1 / (2 * n_samples) * sum_i s_i (y_i - x_i w - b)^2
        + alpha * l1_ratio * sum_j pf_j |w_j|
        + 0.5 * alpha * (1 - l1_ratio) * sum_j pf_j w_j^2

    where the sample weights ``s`` are rescaled to sum to ``n_samples`` and the penalty factors
    ``pf`` are ones unless given. With 2-D y, each target is fitted independently.

    Parameters
    ----------
    alpha : float, default=1.0
        Overall penalty strength, >= 0.
    l1_ratio : float, default=0.5
        The L1 share of the penalty, in [0, 1].
    fit_intercept : bool, default=True
        Fit an unpenalized intercept (sparse X is centered implicitly, never densified).
    precompute : 'auto', bool or array-like of shape (n_features, n_features), default='auto'
        Covariance (Gram) updates; 'auto' uses them for dense X with n_samples > n_features
        and at most 128 features, where forming the Gram matrix costs less than the
        coordinate descent it saves (scikit-learn's default is False; the answer is the same,
        only faster). When ``n_samples * n_features^2 >= 1e9`` (with at most 128 features, or
        at most 512 and 50 samples per feature) only the Gram columns the fit needs are
        computed (:class:`fastreg._path.LazyGram`). The paths and the cross-validated
        estimators use the whole Gram matrix for any dense X with n_samples > n_features (one
        matrix serves every alpha).
    max_iter : int, default=1000
        Maximum number of coordinate-descent epochs.
    copy_X : bool, default=True
        If False, dense X may be centered in place.
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol * ||y_c||^2 / n_samples``, with ``y_c`` the
        centered, sqrt-weighted target (scikit-learn's rule); the gap is checked when the
        largest coefficient change of an epoch is below ``tol`` times the largest coefficient,
        and at least every 10 epochs.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate sampler when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Order of the coordinate updates.
    penalty_factor : array-like of shape (n_features,), default=None
        Non-negative per-feature multipliers of the penalty; 0 leaves a feature unpenalized.
    screening : bool, default=True
        Gap Safe screening of provably-zero features (exact; turn off only to compare).
    working_set : bool, default=True
        Solve a small, growing working set of features prioritized by the dual point (celer /
        skglm), and within it sweep the non-zeros alone between whole sweeps (glmnet's
        active-set cycling), stopping on the duality gap of the full problem (exact; the same
        answer to ``tol``). False sweeps every non-screened feature each epoch.
    extrapolation : bool, default=True
        Anderson extrapolation of the coordinate-descent iterates, kept only when it lowers the
        objective, and (for the lasso, ``l1_ratio=1``) of the residuals, giving a better dual
        point, kept only when it raises the dual objective (exact: the stopping rule stays a
        duality gap of the full problem below ``tol``).
    newton : bool, default=True
        Newton steps on the support: once the non-zero coefficients and their signs are
        known, the minimizer is the solution of a linear system in them (a Cholesky solve of
        their Gram matrix, cached along a path), which coordinate descent only approaches
        geometrically. Taken when the support has not changed between two gap checks, and at
        a warm start; kept only when it lowers the objective; never more costly than the
        coordinate descent done meanwhile (exact: the same answer to ``tol``). Used with more
        features than samples only: not with the Gram matrix (``precompute``), where epochs
        are cheap, and not on n > p data, where coordinate descent converges fast.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or list of int
        Epochs run.
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap reached, in units of the objective.
    sparse_coef_ : scipy.sparse matrix
        ``coef_`` as a sparse row matrix.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import ElasticNet
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5)); y = X @ [1.0, 0, 0, 2.0, 0] + 0.5
    >>> model = ElasticNet(alpha=0.01, l1_ratio=0.9).fit(X, y)
    >>> np.round(model.coef_, 1)
    array([1., 0., 0., 2., 0.])
    """

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, precompute="auto",
                 max_iter=1000, copy_X=True, tol=1e-4, warm_start=False, positive=False,
                 random_state=None, selection="cyclic", penalty_factor=None, screening=True,
                 working_set=True, extrapolation=True, newton=True):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.screening = screening
        self.working_set = working_set
        self.extrapolation = extrapolation
        self.newton = newton

    def _check_params(self):
        name = type(self).__name__
        check_interval(self.alpha, "alpha", owner=name, low=0)
        check_interval(self.l1_ratio, "l1_ratio", owner=name, low=0, high=1)
        check_interval(self.max_iter, "max_iter", owner=name, kind=Integral, low=1)
        check_interval(self.tol, "tol", owner=name, low=0)
        check_choice(self.selection, "selection", ["cyclic", "random"], owner=name)
        try:
            check_random_state(self.random_state)
        except (ValueError, TypeError):
            raise InvalidParameterError(
                f"The 'random_state' parameter of {name} must be an int in the range "
                f"[0, 4294967295], an instance of 'numpy.random.RandomState' or None. "
                f"Got {self.random_state!r} instead."
            ) from None
        for flag in ("fit_intercept", "copy_X", "warm_start", "positive", "screening",
                     "working_set", "extrapolation", "newton"):
            check_choice(bool(getattr(self, flag)) if isinstance(getattr(self, flag), np.bool_)
                         else getattr(self, flag), flag, [True, False], owner=name)
        return check_precompute(self.precompute, name)

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model by coordinate descent.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            A ``dask.array.Array`` chunked by rows is fitted out of core: its weighted
            sufficient statistics are computed in one pass on the cluster and the p x p result
            is solved in memory with covariance updates (``precompute`` and ``copy_X`` are then
            ignored). See :mod:`fastreg._dask`.
        y : array-like or dask array of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like or dask array of shape (n_samples,) or float, default=None
            Non-negative weights; zeros are allowed.
        check_input : bool, default=True
            Skip validation only for float, F-ordered, finite data.

        Returns
        -------
        self : object
        """
        precompute = self._check_params()
        if self.alpha == 0:
            warnings.warn(
                "With alpha=0, this algorithm does not converge well. You are advised to use "
                "the LinearRegression estimator",
                UserWarning,
                stacklevel=2,
            )
        if is_dask_array(X):
            # out of core: one pass of sufficient statistics on the cluster, then the Gram
            # layout in memory (precompute and copy_X do not apply)
            from .._dask import prepare_dask

            prep, design = prepare_dask(X, y, fit_intercept=self.fit_intercept,
                                        sample_weight=sample_weight)
            self.n_features_in_ = X.shape[1]
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        else:
            precompute = single_fit_precompute(X, precompute)
            prepare_kw = dict(copy_X=self.copy_X)
            if check_input:
                check_kw, prepare_kw = validation_plan(X, precompute, self.fit_intercept,
                                                       sample_weight, self.copy_X)
                X, y = validate_X_y(self, X, y, **check_kw)
            else:
                if sparse.issparse(X):
                    X = as_sparse_format(X, sparse.csc_matrix)
                self.n_features_in_ = X.shape[1]
            prep, design = prepare(X, y, fit_intercept=self.fit_intercept,
                                   sample_weight=sample_weight, precompute=precompute,
                                   **prepare_kw)
        pf = check_penalty_factor(self.penalty_factor, design.n_features, np.float64)
        coef_init = None
        if self.warm_start and hasattr(self, "coef_"):
            coef_init = np.atleast_2d(self.coef_)
        result = solve_path(prep, design, [self.alpha], l1_ratio=self.l1_ratio,
                            penalty_factor=pf, positive=self.positive, coef_init=coef_init,
                            tol=self.tol, max_iter=self.max_iter, selection=self.selection,
                            random_state=self.random_state, screening=self.screening,
                            working_set=self.working_set, extrapolation=self.extrapolation,
                            newton=self.newton)
        self.coef_ = result.coefs[..., 0]
        self.intercept_ = result.intercepts[..., 0]
        self.dual_gap_ = result.dual_gaps[..., 0].astype(design.dtype)
        n_iter = result.n_iters[..., 0]
        self.n_iter_ = int(n_iter) if n_iter.ndim == 0 else [int(i) for i in n_iter]
        if design.n_targets is None:
            self.intercept_ = design.dtype.type(self.intercept_)
            self.dual_gap_ = design.dtype.type(self.dual_gap_)
        self._check_finite_solution()
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class Lasso(ElasticNet):
    """Linear regression with an L1 prior, by compiled coordinate descent.

    Minimizes::

        1 / (2 * n_samples) * sum_i s_i (y_i - x_i w - b)^2 + alpha * sum_j pf_j |w_j|

    It is :class:`ElasticNet` with ``l1_ratio=1``; see it for the parameters and attributes.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import Lasso
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 5)); y = X @ [1.0, 0, 0, 2.0, 0]
    >>> int(np.count_nonzero(Lasso(alpha=0.1).fit(X, y).coef_))
    2
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute="auto", copy_X=True,
                 max_iter=1000, tol=1e-4, warm_start=False, positive=False, random_state=None,
                 selection="cyclic", penalty_factor=None, screening=True, working_set=True,
                 extrapolation=True, newton=True):
        super().__init__(alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept,
                         precompute=precompute, max_iter=max_iter, copy_X=copy_X, tol=tol,
                         warm_start=warm_start, positive=positive, random_state=random_state,
                         selection=selection, penalty_factor=penalty_factor,
                         screening=screening, working_set=working_set,
                         extrapolation=extrapolation, newton=newton)
