"""fastreg's estimators (scikit-learn API)."""

from ._dropout import DropoutRegressor

__all__ = ["DropoutRegressor"]
