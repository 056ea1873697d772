"""Numba kernels: every ``@njit(cache=True)`` function of fastreg lives here.

Kernels take plain arrays and scalars and return arrays and scalars; they never see an estimator.
"""
