"""What every fastreg linear estimator shares: prediction from ``coef_`` and ``intercept_``."""

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import is_dask_array, validate_X_predict

__all__ = ["LinearRegressorBase", "CoordinateDescentMixin"]


class LinearRegressorBase(RegressorMixin, BaseEstimator):
    """Base class: ``predict(X) = X @ coef_.T + intercept_``; subclasses implement ``fit``."""

    def _decision_function(self, X):
        check_is_fitted(self, "coef_")
        X = validate_X_predict(self, X)
        coef = self.coef_
        if sparse.issparse(X):
            out = np.asarray(X @ coef.T)
        else:
            out = X @ coef.T
        return out + self.intercept_

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray or dask array of shape (n_samples,) or (n_samples, n_targets)
            ``X @ coef_.T + intercept_``; lazy (a dask array, one task per row chunk) when X
            is a dask array.
        """
        if is_dask_array(X):
            from .._dask import predict_dask

            return predict_dask(self, X)
        return self._decision_function(X)

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R² of ``predict(X)`` against ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
        y : array-like or dask array of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like or dask array of shape (n_samples,), default=None

        Returns
        -------
        score : float or 0-d dask array
            ``1 - sum s (y - y_pred)^2 / sum s (y - ybar)^2`` (averaged uniformly over targets),
            as ``sklearn.metrics.r2_score``; a lazy 0-d dask array when X is a dask array.
        """
        if is_dask_array(X):
            from .._dask import r2_score_dask

            return r2_score_dask(y, self.predict(X), sample_weight)
        return super().score(X, y, sample_weight=sample_weight)


class CoordinateDescentMixin:
    """What the coordinate-descent estimators (ElasticNet, Lasso and their CV versions) share."""

    @property
    def sparse_coef_(self):
        """``coef_`` as a scipy.sparse CSR matrix of shape (1 or n_targets, n_features)."""
        return sparse.csr_matrix(np.atleast_2d(self.coef_))

    def _check_finite_solution(self):
        if not (np.all(np.isfinite(self.coef_)) and np.all(np.isfinite(self.intercept_))):
            raise ValueError(
                "Coordinate descent iterations resulted in non-finite parameter values. The "
                "input data may contain large values and need to be preprocessed."
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
