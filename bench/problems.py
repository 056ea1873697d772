"""Deterministic elastic-net benchmark problems and an independent duality-gap check.

Every problem is generated from a seed, so that every solver (and every run) sees the same data.
Shapes follow issue 3: a dense, wide, Toeplitz-correlated design; the shape of the leukemia data
set (72 x 7129, synthetic: strongly correlated "genes" and +-1 labels); a tall design; a sparse
design. ``scale`` < 1 shrinks the problems proportionally for quick iteration.
"""

import numpy as np
from scipy import sparse

__all__ = ["PROBLEMS", "make_problem", "relative_gap", "path_eps"]


def _toeplitz_design(rng, n, p, rho):
    """Rows N(0, T) with T_ij = rho^|i-j| (an AR(1) recursion along the columns: exact, O(np))."""
    X = np.empty((n, p), order="F")
    X[:, 0] = rng.standard_normal(n)
    s = np.sqrt(1.0 - rho * rho)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + s * rng.standard_normal(n)
    return X


def _target(rng, X, k, snr=3.0):
    p = X.shape[1]
    beta = np.zeros(p)
    support = np.linspace(0, p - 1, k).astype(int)
    beta[support] = rng.choice([-1.0, 1.0], size=k) * (1.0 + rng.random(k))
    signal = X @ beta
    noise = rng.standard_normal(X.shape[0])
    return np.asarray(signal + noise * np.linalg.norm(signal) / (snr * np.linalg.norm(noise))).ravel()


def dense_wide(seed=0, scale=1.0):
    """500 x 5000, Toeplitz(0.6) correlation, 50 true features, SNR 3."""
    rng = np.random.default_rng(seed)
    n, p = int(500 * scale), int(5000 * scale)
    X = _toeplitz_design(rng, n, p, 0.6)
    return X, _target(rng, X, max(5, p // 100))


def leukemia_shape(seed=0, scale=1.0):
    """72 x 7129 (leukemia's shape): 20 latent factors plus noise, +-1 labels."""
    rng = np.random.default_rng(seed)
    n, p = 72, int(7129 * scale)
    F = rng.standard_normal((n, 20))
    X = np.asfortranarray(F @ rng.standard_normal((20, p)) + 0.7 * rng.standard_normal((n, p)))
    X /= X.std(axis=0)
    beta = np.zeros(p)
    beta[rng.choice(p, 30, replace=False)] = rng.standard_normal(30)
    y = np.sign(X @ beta + 0.5 * rng.standard_normal(n))
    y[y == 0] = 1.0
    return X, y


def tall(seed=0, scale=1.0):
    """200000 x 100, Toeplitz(0.5), 10 true features, SNR 3."""
    rng = np.random.default_rng(seed)
    n, p = int(200_000 * scale), 100
    X = _toeplitz_design(rng, n, p, 0.5)
    return X, _target(rng, X, 10)


def sparse_wide(seed=0, scale=1.0):
    """20000 x 50000 CSC with density 1e-3 (normal values), 100 true features, SNR 3."""
    rng = np.random.default_rng(seed)
    n, p = int(20_000 * scale), int(50_000 * scale)
    X = sparse.random(n, p, density=1e-3, format="csc", random_state=seed,
                      data_rvs=rng.standard_normal, dtype=np.float64)
    return X, _target(rng, X, 100)


PROBLEMS = {
    "dense_wide_500x5000": dense_wide,
    "leukemia_72x7129": leukemia_shape,
    "tall_200000x100": tall,
    "sparse_20000x50000": sparse_wide,
}


def make_problem(name, seed=0, scale=1.0):
    """``(X, y)`` of a named problem (dense X is F-ordered float64; sparse X is CSC)."""
    return PROBLEMS[name](seed=seed, scale=scale)


def path_eps(X):
    """The issue's grid: eps = 1e-3, or 1e-2 when n_features > n_samples."""
    return 1e-2 if X.shape[1] > X.shape[0] else 1e-3


def relative_gap(X, y, coef, alpha, intercept=None):
    """Lasso duality gap divided by ``||y||^2 / n``, i.e. scikit-learn's ``tol`` units.

    Computed with numpy, independently of any solver: the dual point is the residual rescaled to
    be feasible (``theta = r / max(n alpha, ||X^T r||_inf)``, scikit-learn's formulation A).

    With an ``intercept`` (a fit with an unpenalized intercept ``b``), the primal is
    ``1/2 ||y - X coef - b||^2 + n alpha ||coef||_1`` at the returned ``b``, the dual point is
    the centered residual (the dual of a free intercept sums to zero), and the gap is divided
    by ``||y - mean(y)||^2 / n``, as scikit-learn scales ``tol`` for such a fit. A wrong
    intercept shows in the primal, so in the gap.
    """
    n = X.shape[0]
    r = y - np.asarray(X @ coef).ravel() - (0.0 if intercept is None else intercept)
    l1 = n * alpha
    primal = 0.5 * (r @ r) + l1 * np.abs(coef).sum()
    yy = y @ y
    if intercept is not None:
        r = r - r.mean()  # X_c^T r_c = X^T r_c when r_c sums to zero
        yc = y - y.mean()
        yy = yc @ yc
    dual_norm = np.max(np.abs(np.asarray(X.T @ r).ravel()))
    scale = min(1.0, l1 / dual_norm) if dual_norm > 0 else 1.0
    dual = -0.5 * scale * scale * (r @ r) + scale * (r @ y)
    return (primal - dual) / yy
