"""fastreg: compiled, high-performance regularized linear models with a scikit-learn API."""

from ._dropout import dropout, dropout_backward, dropout_mask
from ._path import enet_path, lasso_path
from ._ridge import ridge_path
from .linear_model._cv import ElasticNetCV, LassoCV
from .linear_model._dropout import DropoutRegressor
from .linear_model._enet import ElasticNet, Lasso
from .linear_model._ridge import Ridge, RidgeCV
from .plotting import plot_cv, plot_path

__version__ = "0.1.0"

__all__ = [
    "ElasticNet",
    "Lasso",
    "ElasticNetCV",
    "LassoCV",
    "enet_path",
    "lasso_path",
    "Ridge",
    "RidgeCV",
    "ridge_path",
    "DropoutRegressor",
    "dropout",
    "dropout_backward",
    "dropout_mask",
    "plot_path",
    "plot_cv",
]
