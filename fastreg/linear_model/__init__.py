"""fastreg's estimators (scikit-learn API)."""
