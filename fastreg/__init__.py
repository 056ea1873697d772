"""fastreg: compiled, high-performance regularized linear models with a scikit-learn API."""

from ._dropout import dropout, dropout_backward, dropout_mask
from ._path import enet_path, lasso_path
from .linear_model._dropout import DropoutRegressor
from .linear_model._enet import ElasticNet, Lasso

__version__ = "0.1.0"

__all__ = [
    "ElasticNet",
    "Lasso",
    "enet_path",
    "lasso_path",
    "DropoutRegressor",
    "dropout",
    "dropout_backward",
    "dropout_mask",
]
