"""fastreg: compiled, high-performance regularized linear models with a scikit-learn API."""

__version__ = "0.1.0"

__all__ = []
