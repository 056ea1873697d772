"""Plots (placeholder)."""
def plot_path(*a, **k): pass
def plot_cv(*a, **k): pass
