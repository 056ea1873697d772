"""What every fastreg linear estimator shares: prediction from ``coef_`` and ``intercept_``."""

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import validate_X_predict

__all__ = ["LinearRegressorBase"]


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
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            ``X @ coef_.T + intercept_``.
        """
        return self._decision_function(X)
