"""fastreg: compiled, high-performance regularized linear models with a scikit-learn API."""

__version__ = "0.1.0"

from ._ridge import ridge_path
from .linear_model._ridge import Ridge, RidgeCV

__all__ = ["Ridge", "RidgeCV", "ridge_path"]
