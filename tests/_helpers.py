"""Shared test helpers: problem generators, scikit-learn's objective, KKT checks.

Everything here is computed in float64 from the caller's original data, independently of the
solver's preprocessing, so that a bug in centering or weighting shows up as a failed check.
"""

import numpy as np
from scipy import sparse

SHAPES = {
    # name: (n_samples, n_features)
    "p>n": (20, 50),
    "n>>p": (200, 8),
    "correlated": (50, 20),
    "duplicated": (40, 12),
}


def make_problem(kind="n>>p", *, seed=0, n_targets=None, dtype=np.float64, order="C"):
    """A small regression problem of one of the ``SHAPES`` kinds (sparse signal plus noise)."""
    rng = np.random.default_rng(seed)
    n, p = SHAPES[kind]
    X = rng.standard_normal((n, p))
    if kind == "correlated":
        X = 0.9 * rng.standard_normal((n, 1)) + 0.3 * X  # pairwise correlation ~0.9
    if kind == "duplicated":
        X[:, -3:] = X[:, :3]  # three exact duplicate columns
    X += rng.uniform(-1, 3, size=p)  # non-zero means, so centering matters
    w = np.zeros((p, n_targets or 1))
    w[: max(2, p // 5)] = rng.uniform(-3, 3, size=(max(2, p // 5), n_targets or 1))
    y = X @ w + 0.5 * rng.standard_normal((n, n_targets or 1)) + 1.5
    if n_targets is None:
        y = y[:, 0]
    X = np.asarray(X, dtype=dtype, order=order)
    return X, np.asarray(y, dtype=dtype)


def toeplitz_design(rng, n, p, rho):
    """``n`` rows N(0, T) with ``T_ij = rho^|i-j|`` (an AR(1) recursion along the columns), F order:
    neighbouring columns correlated, as in the benchmarks' dense problems."""
    X = np.empty((n, p), order="F")
    X[:, 0] = rng.standard_normal(n)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    return X


def to_dense(X):
    return X.toarray() if sparse.issparse(X) else np.asarray(X)


def _weights(sample_weight, n):
    if sample_weight is None:
        return np.ones(n)
    return np.asarray(sample_weight, dtype=np.float64)


def centered(X, y, sample_weight=None, fit_intercept=True):
    """Weighted-centered float64 X and y (what the intercept eliminates), and the weights."""
    X = to_dense(X).astype(np.float64)
    y = np.asarray(y, dtype=np.float64)
    s = _weights(sample_weight, X.shape[0])
    if fit_intercept:
        X = X - np.average(X, axis=0, weights=s)
        y = y - np.average(y, axis=0, weights=s)
    return X, y, s


def alpha_max(X, y, *, l1_ratio=1.0, sample_weight=None, fit_intercept=True, positive=False):
    """Smallest alpha giving all-zero coefficients (1-D y), from the definition."""
    Xc, yc, s = centered(X, y, sample_weight, fit_intercept)
    s = s * len(s) / s.sum()
    corr = Xc.T @ (s * yc)
    corr = np.maximum(corr, 0) if positive else np.abs(corr)
    return corr.max() / (len(s) * l1_ratio)


def objective(X, y, coef, intercept, *, alpha, l1_ratio, sample_weight=None):
    """scikit-learn's elastic-net objective in float64 (1-D y; sum over targets for 2-D)."""
    X = to_dense(X).astype(np.float64)
    y = np.asarray(y, dtype=np.float64)
    coef = np.asarray(coef, dtype=np.float64)
    s = _weights(sample_weight, X.shape[0])
    if y.ndim == 2:
        intercept = np.broadcast_to(np.asarray(intercept, dtype=np.float64), (y.shape[1],))
        return sum(objective(X, y[:, k], coef[k], intercept[k], alpha=alpha, l1_ratio=l1_ratio,
                             sample_weight=sample_weight) for k in range(y.shape[1]))
    r = y - X @ coef - float(intercept)
    return (0.5 * np.sum(s * r * r) / s.sum() + alpha * l1_ratio * np.abs(coef).sum()
            + 0.5 * alpha * (1 - l1_ratio) * coef @ coef)


def assert_objective_close(est, ref, X, y, *, sample_weight=None, rtol=1e-7):
    """Objective of ``est`` within ``rtol`` (relative) of the reference's, and not worse by more."""
    kw = dict(alpha=est.alpha, l1_ratio=est.l1_ratio, sample_weight=sample_weight)
    f = objective(X, y, est.coef_, est.intercept_, **kw)
    f_ref = objective(X, y, ref.coef_, ref.intercept_, **kw)
    assert abs(f - f_ref) <= rtol * abs(f_ref), (f, f_ref, (f - f_ref) / f_ref)


def assert_kkt(est, X, y, *, sample_weight=None, slack=1e-7):
    """Optimality (KKT) conditions of the elastic net at ``est.coef_``, ``est.intercept_``.

    With g = X^T (s * (y - X w - b)) / sum(s) - alpha (1 - l1_ratio) w (the negative smooth
    gradient), the solution satisfies g_j = alpha * l1_ratio * sign(w_j) where w_j != 0 and
    |g_j| <= alpha * l1_ratio where w_j == 0 (g_j <= alpha * l1_ratio when positive). The
    tolerance follows from the reported duality gap: ||r - r*|| <= sqrt(2 * gap), so
    |g_j - g*_j| <= ||x_j|| sqrt(2 * gap * n) / n (+ round-off).
    """
    X64 = to_dense(X).astype(np.float64)
    y64 = np.asarray(y, dtype=np.float64)
    coef = np.atleast_2d(np.asarray(est.coef_, dtype=np.float64))
    intercept = np.atleast_1d(np.asarray(est.intercept_, dtype=np.float64))
    gaps = np.atleast_1d(np.asarray(est.dual_gap_, dtype=np.float64))
    Y = y64.reshape(len(y64), -1)
    n = X64.shape[0]
    s = _weights(sample_weight, n)
    s = s * n / s.sum()
    l1 = est.alpha * est.l1_ratio
    l2 = est.alpha * (1 - est.l1_ratio)
    eps = np.finfo(np.asarray(est.coef_).dtype).eps
    if est.fit_intercept:
        # the intercept's own optimality condition: weighted residuals sum to zero
        for k in range(Y.shape[1]):
            res = Y[:, k] - X64 @ coef[k] - intercept[k]
            scale = np.sqrt(np.sum(s * Y[:, k] ** 2)) * np.sqrt(n) + 1.0
            assert abs(np.sum(s * res)) <= 1e3 * eps * scale + 1e-6 * scale, "intercept KKT"
    Xc = X64 - np.average(X64, axis=0, weights=s) if est.fit_intercept else X64
    col_norm = np.sqrt((s[:, None] * Xc * Xc).sum(axis=0))
    for k in range(Y.shape[1]):
        res = Y[:, k] - X64 @ coef[k] - intercept[k]
        g = X64.T @ (s * res) / n - l2 * coef[k]
        y_scale = np.sqrt(np.sum(s * (Y[:, k] - (np.average(Y[:, k], weights=s) if est.fit_intercept else 0)) ** 2))
        atol = (1.01 * col_norm * np.sqrt(2 * max(gaps[min(k, len(gaps) - 1)], 0) * n) / n
                + 1e4 * eps * col_norm * (y_scale + 1) / n + slack * (l1 + 1e-12))
        w = coef[k]
        nz = w != 0
        zero = ~nz
        if est.positive:
            assert np.all(w >= 0), "positive constraint violated"
            viol = np.maximum(g[zero] - l1, 0)
        else:
            viol = np.maximum(np.abs(g[zero]) - l1, 0)
        assert np.all(viol <= atol[zero]), ("zero coefs", viol.max(initial=0), atol[zero])
        err = np.abs(g[nz] - l1 * np.sign(w[nz]))
        assert np.all(err <= atol[nz]), ("non-zero coefs", err.max(initial=0), atol[nz])


def duality_gap(est, X, y, *, sample_weight=None):
    """scikit-learn's duality gap (divided by n_samples) of a fitted 1-D model with alpha > 0."""
    Xc, yc, s = centered(X, y, sample_weight, est.fit_intercept)
    n = len(s)
    s = s * n / s.sum()
    Z, z = np.sqrt(s)[:, None] * Xc, np.sqrt(s) * yc
    w = np.asarray(est.coef_, dtype=np.float64)
    l1, l2 = n * est.alpha * est.l1_ratio, n * est.alpha * (1 - est.l1_ratio)
    r = z - Z @ w
    if l1 == 0:  # a ridge: dual point theta = r (scikit-learn's formulation B)
        gap = r @ r + 0.5 * l2 * w @ w - r @ z + np.sum((Z.T @ r) ** 2) / (2 * l2)
        return gap / n, z @ z / n
    XtA = Z.T @ r - l2 * w
    dual_norm = XtA.max(initial=0) if est.positive else np.abs(XtA).max(initial=0)
    scale = l1 / dual_norm if dual_norm > l1 else 1.0
    rr = r @ r + l2 * w @ w
    primal = 0.5 * rr + l1 * np.abs(w).sum()
    dual = -0.5 * scale * scale * rr + scale * (r @ z)
    return (primal - dual) / n, z @ z / n


def assert_reported_gap(est, X, y, *, sample_weight=None, rtol=1e-3):
    """``dual_gap_`` is the duality gap of the returned coefficients (1-D y).

    With the residual as dual point it is scikit-learn's gap exactly. With dual extrapolation
    (lasso, ``extrapolation=True``) the solver may certify with a better dual point: its gap is
    then between 0 and scikit-learn's.
    """
    gap, zz = duality_gap(est, X, y, sample_weight=sample_weight)
    eps = np.finfo(np.asarray(est.coef_).dtype).eps
    slack = rtol * abs(gap) + 100 * eps * zz
    reported = float(est.dual_gap_)
    if getattr(est, "extrapolation", False) and est.l1_ratio == 1.0:
        assert -slack <= reported <= gap + slack, (gap, reported)
    else:
        assert abs(gap - reported) <= slack, (gap, reported)
