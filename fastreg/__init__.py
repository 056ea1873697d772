"""fastreg: compiled, high-performance regularized linear models with a scikit-learn API."""

__version__ = "0.1.0"

from ._dropout import dropout, dropout_backward, dropout_mask
from .linear_model._dropout import DropoutRegressor

__all__ = ["dropout", "dropout_backward", "dropout_mask", "DropoutRegressor"]
