"""Ridge regression solvers on plain arrays (no estimator objects).

Every function here minimizes, for each target and each ``alpha``,

    sum_i s_i (y_i - x_i w - b)^2 + alpha ||w||_2^2

(scikit-learn's Ridge objective; sample weights ``s_i`` are *not* normalized, ``b`` is not penalized).
With an intercept the problem is reduced to the intercept-free problem in the centered, weighted design
``A = diag(sqrt(s)) (X - 1 xbar^T)`` and ``z = sqrt(s) (y - ybar)``, and ``b = ybar - xbar^T w``.

Solvers
-------
cholesky
    Primal ``(A^T A + alpha I) w = A^T z`` when ``n >= p`` (``A^T A`` is accumulated block by block
    from the caller's dense X, which is never copied), dual ``w = A^T (A A^T + alpha I)^{-1} z``
    when ``p > n``.  Falls back to ``svd`` when the factor reveals an ill-conditioned system.
svd
    Thin SVD of ``A``; stable for rank-deficient and ill-conditioned X, and shares one factorization
    between many alphas.
cg
    Matrix-free Jacobi-preconditioned conjugate gradient (Numba kernels in
    :mod:`fastreg._kernels.ridge`) on the primal normal equations, or on the dual ones when ``p > n``;
    sparse X is never densified and never centered explicitly.  For a path of alphas on sparse X,
    one multi-shift CG run solves every alpha at once (:func:`ridge_path`).
"""

from numbers import Integral, Real

import numpy as np
from scipy import linalg, sparse

from ._kernels import ridge as _k
from ._preprocess import compute_offsets, design_scatter, preprocess_data, sparse_sq_norms

__all__ = [
    "ridge_solve",
    "ridge_path",
    "ridge_from_gram",
    "ridge_loo",
    "ridge_cv_kfold",
    "ridge_cg_iterates",
    "SOLVERS",
]

SOLVERS = ("auto", "cholesky", "svd", "cg")
_BLOCK_BYTES = 1 << 21  # row blocks of about 2 MB when centering on the fly


# ---------------------------------------------------------------------------------------------
# The centered, weighted design A, without copying X when it can be avoided
# ---------------------------------------------------------------------------------------------
class _Design:
    """``A = diag(sqrt(s)) (X - 1 xbar^T)`` with products and Gram matrices (in float64).

    mode 'explicit': ``A`` is stored (dense, already centered and scaled; F-ordered for CG, C-ordered
                     for the dual solvers of a wide X).
    mode 'blocked' : the caller's dense X is kept; A is formed by row blocks on the fly.
    mode 'sparse'  : ``Xs = diag(sqrt(s)) X`` (CSR or CSC, as given) is kept; ``A = Xs - c xbar^T``
                     implicitly.
    """

    def __init__(self, mode, X, xbar, sqrt_sw):
        self.mode = mode
        self.X = X
        self.n, self.p = X.shape
        self.dtype = X.dtype
        self.xbar = xbar
        self.sqrt_sw = sqrt_sw
        if mode == "sparse":
            self.c = np.ones(self.n, dtype=self.dtype) if sqrt_sw is None else sqrt_sw
            self._csr = None

    @property
    def csr(self):
        if self._csr is None:
            self._csr = self.X.tocsr(copy=False)
        return self._csr

    def _block_rows(self):
        return max(64, _BLOCK_BYTES // (8 * max(self.p, 1)))

    def rows(self, start, stop, dtype=np.float64):
        """Dense rows ``A[start:stop]``."""
        if self.mode == "explicit":
            return np.asarray(self.X[start:stop], dtype=dtype)
        if self.mode == "blocked":
            B = np.subtract(self.X[start:stop], self.xbar, dtype=dtype)
            if self.sqrt_sw is not None:
                B *= self.sqrt_sw[start:stop, None]
            return B
        B = self.csr[start:stop].toarray().astype(dtype, copy=False)
        B -= np.outer(self.c[start:stop], self.xbar)
        return B

    def iter_rows(self, dtype=np.float64):
        bs = self._block_rows()
        for start in range(0, self.n, bs):
            stop = min(start + bs, self.n)
            yield start, stop, self.rows(start, stop, dtype)

    def gram_cross(self, z):
        """``(A^T A, A^T z)`` in float64, in one pass over X."""
        if self.mode != "blocked":
            return self.gram(), self.rmatmul(z)
        S = design_scatter(self.X, z, self.xbar, self.sqrt_sw)
        return S[:self.p, :self.p], S[:self.p, self.p:]

    def gram(self):
        """``A^T A`` (p x p, float64)."""
        if self.mode == "explicit":
            A = self.X if self.dtype == np.float64 else self.X.astype(np.float64)
            return A.T @ A
        if self.mode == "sparse":
            Xs = self.X.astype(np.float64, copy=False)
            G = (Xs.T @ Xs).toarray()
            u = np.asarray(Xs.T @ self.c.astype(np.float64)).ravel()
            xb = self.xbar.astype(np.float64)
            G -= np.outer(xb, u) + np.outer(u, xb)
            G += (self.c.astype(np.float64) @ self.c) * np.outer(xb, xb)
            return G
        return design_scatter(self.X, np.zeros((self.n, 0)), self.xbar, self.sqrt_sw)

    def kernel(self):
        """``A A^T`` (n x n, float64)."""
        if self.mode == "sparse":
            Xs = self.X.astype(np.float64, copy=False)
            K = (Xs @ Xs.T).toarray()
            v = np.asarray(Xs @ self.xbar.astype(np.float64)).ravel()
            c = self.c.astype(np.float64)
            K -= np.outer(v, c) + np.outer(c, v)
            K += (self.xbar.astype(np.float64) @ self.xbar) * np.outer(c, c)
            return K
        A = np.asarray(self.X, dtype=np.float64) if self.mode == "explicit" else self.dense()
        return A @ A.T

    def dense(self, dtype=np.float64):
        """The whole of A as a dense F-ordered array."""
        if self.mode == "explicit":
            return np.asarray(self.X, dtype=dtype, order="F")
        return np.asfortranarray(self.rows(0, self.n, dtype))

    def rmatmul(self, Z):
        """``A^T Z`` for Z of shape (n, m), in float64."""
        Z = np.asarray(Z, dtype=np.float64)
        if self.mode == "explicit":
            return self.X.T @ Z if self.dtype == np.float64 else self.X.T.astype(np.float64) @ Z
        if self.mode == "sparse":
            return np.asarray(self.X.T @ Z) - np.outer(self.xbar, self.c @ Z)
        out = np.zeros((self.p, Z.shape[1]))
        for start, stop, B in self.iter_rows():
            out += B.T @ Z[start:stop]
        return out


def _make_design(X, y, *, fit_intercept, sample_weight, copy_X, explicit=False):
    """Design and right-hand side ``z`` (n x t, float array in X's dtype) for a validated problem."""
    if sparse.issparse(X):
        pre = preprocess_data(X, y, fit_intercept=fit_intercept, sample_weight=sample_weight, copy_X=copy_X,
                              sparse_format="csr" if X.format == "csr" else "csc")
        Xs = pre.X
        if Xs.indices.dtype != np.int32:
            Xs.indices = Xs.indices.astype(np.int32)
            Xs.indptr = Xs.indptr.astype(np.int32)
        return _Design("sparse", Xs, pre.X_offset, pre.sqrt_sw), _as2d(pre.y), pre.X_offset, pre.y_offset
    n, p = X.shape
    if explicit or p > n:
        # CG's compiled products read A in F order; the dual (kernel) solvers only need A A^T and
        # A^T u, which BLAS computes faster on a C-ordered wide A
        pre = preprocess_data(X, y, fit_intercept=fit_intercept, sample_weight=sample_weight, copy_X=copy_X,
                              dense_order="F" if explicit else "C")
        return _Design("explicit", pre.X, pre.X_offset, pre.sqrt_sw), _as2d(pre.y), pre.X_offset, pre.y_offset
    X_offset, y_offset = compute_offsets(X, y, fit_intercept=fit_intercept, sample_weight=sample_weight)
    sqrt_sw = None if sample_weight is None else np.sqrt(sample_weight).astype(X.dtype)
    z = np.array(_as2d(y), dtype=X.dtype, order="F")
    z -= y_offset
    if sqrt_sw is not None:
        z *= sqrt_sw[:, None]
    return _Design("blocked", X, X_offset, sqrt_sw), z, X_offset, y_offset


def _as2d(y):
    return y[:, None] if y.ndim == 1 else y


# ---------------------------------------------------------------------------------------------
# Parameter checks
# ---------------------------------------------------------------------------------------------
def _check_alpha(alpha, n_targets, name="alpha"):
    """Scalar or one-per-target alpha as an array of shape (n_targets,)."""
    a = np.asarray(alpha, dtype=np.float64)
    if a.ndim > 1:
        raise ValueError(f"The '{name}' parameter must be a float or a 1-D array, got shape {a.shape}.")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"The '{name}' parameter must be finite. Got {alpha!r} instead.")
    if np.any(a < 0):
        raise ValueError(f"The '{name}' parameter must be non-negative. Got {alpha!r} instead.")
    if a.ndim == 1 and a.shape[0] != 1 and a.shape[0] != n_targets:
        raise ValueError(
            f"Number of targets and number of penalties do not correspond: {a.shape[0]} != {n_targets}"
        )
    return np.broadcast_to(a.reshape(-1), (n_targets,)).copy() if a.ndim == 0 or a.size == 1 else a.copy()


def _check_alphas(alphas, name="alphas", strictly_positive=False):
    a = np.asarray(alphas, dtype=np.float64).reshape(-1) if np.ndim(alphas) <= 1 else None
    if a is None:
        raise ValueError(f"The '{name}' parameter must be a 1-D array of floats.")
    if a.size == 0:
        raise ValueError(f"The '{name}' parameter must contain at least one value.")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"The '{name}' parameter must be finite. Got {alphas!r} instead.")
    if strictly_positive and np.any(a <= 0):
        raise ValueError(f"The '{name}' parameter must be strictly positive. Got {alphas!r} instead.")
    if np.any(a < 0):
        raise ValueError(f"The '{name}' parameter must be non-negative. Got {alphas!r} instead.")
    return a


def _auto_solver(X, n_alphas=1):
    """The rule behind ``solver='auto'`` (see :func:`ridge_solve`)."""
    if sparse.issparse(X):
        return "cg"
    return "cholesky"


# ---------------------------------------------------------------------------------------------
# Closed forms
# ---------------------------------------------------------------------------------------------
def _ill_conditioned(cho, M, eps):
    """Whether the SPD matrix M (with upper Cholesky factor cho) has condition number above 1e-3/eps
    (LAPACK ``pocon`` estimate of the reciprocal condition number in the 1-norm)."""
    if np.abs(np.diag(cho)).min() <= 0:
        return True
    (pocon,) = linalg.get_lapack_funcs(("pocon",), (cho,))
    rcond, info = pocon(cho, np.abs(M).sum(axis=0).max())
    return info != 0 or not rcond > 1e3 * eps


def ridge_from_gram(XtX, Xty, alpha):
    """Solve ridge regression from sufficient statistics.

    Minimizes ``w^T XtX w - 2 w^T Xty + alpha ||w||^2``, i.e. solves ``(XtX + alpha I) w = Xty``,
    by a Cholesky factorization, or by an eigendecomposition of ``XtX`` when the system is singular or
    ill-conditioned (minimum-norm solution when ``alpha = 0``).  ``XtX`` and ``Xty`` are the centered
    (and ``sqrt(sample_weight)``-scaled) Gram matrix and cross products, e.g. reduced over the
    partitions of a distributed array.

    Parameters
    ----------
    XtX : ndarray of shape (n_features, n_features)
        Symmetric positive semi-definite Gram matrix.
    Xty : ndarray of shape (n_features,) or (n_features, n_targets)
    alpha : float or ndarray of shape (n_targets,)
        Non-negative penalty, or one per target.

    Returns
    -------
    coef : ndarray of shape (n_features,) or (n_features, n_targets)
        Float64 coefficients.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg._ridge import ridge_from_gram
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]); y = np.array([1.0, 2.0, 2.0])
    >>> np.round(ridge_from_gram(X.T @ X, X.T @ y, 0.0), 6)
    array([1., 1.])
    """
    G = np.asarray(XtX, dtype=np.float64)
    b = np.asarray(Xty, dtype=np.float64)
    if G.ndim != 2 or G.shape[0] != G.shape[1]:
        raise ValueError(f"XtX must be a square 2-D array, got shape {G.shape}.")
    if b.shape[0] != G.shape[0]:
        raise ValueError(f"Xty has {b.shape[0]} rows, expected {G.shape[0]} (the size of XtX).")
    if not (np.all(np.isfinite(G)) and np.all(np.isfinite(b))):
        raise ValueError("Input contains NaN or infinity.")
    b2 = b[:, None] if b.ndim == 1 else b
    alphas = _check_alpha(alpha, b2.shape[1])
    out = np.empty_like(b2)
    eig = None
    for a in np.unique(alphas):
        cols = alphas == a
        try:
            Ma = G + a * np.eye(G.shape[0])
            cho = (np.linalg.cholesky(Ma).T, False)
            if _ill_conditioned(cho[0], Ma, np.finfo(np.float64).eps):
                raise linalg.LinAlgError
            out[:, cols] = linalg.cho_solve(cho, b2[:, cols], check_finite=False)
        except linalg.LinAlgError:
            if eig is None:
                lam, V = np.linalg.eigh(G)
                lam = np.clip(lam, 0, None)
                eig = lam, V
            lam, V = eig
            d = lam + a
            tiny = d <= np.finfo(np.float64).eps * max(lam.max(), 1e-300) * G.shape[0]
            inv = np.where(tiny, 0.0, 1.0 / np.where(tiny, 1.0, d))
            out[:, cols] = V @ (inv[:, None] * (V.T @ b2[:, cols]))
    return out[:, 0] if b.ndim == 1 else out


def clean_eigenvalues(lam, n, p):
    """Eigenvalues of an n-row Gram (or kernel) matrix of p columns, with those below its rounding
    level (and negative ones) set to zero."""
    lam = np.clip(lam, 0, None)
    lam[lam <= np.finfo(np.float64).eps * max(lam.max(initial=0.0), 1e-300) * max(n, p)] = 0.0
    return lam


class _Spectral:
    """One factorization of A shared by many alphas.

    kind 'gram'  : A^T A = V diag(lam) V^T;   coef = V (V^T A^T z / (lam + alpha))
    kind 'kernel': A A^T = Q diag(lam) Q^T;   coef = A^T Q (Q^T z / (lam + alpha))
    kind 'svd'   : A = U diag(s) V^T;          coef = V (s U^T z / (s^2 + alpha))
    ``proj`` is the (r, t) matrix ``V^T A^T z`` / ``Q^T z`` / ``U^T z``.

    The factorizations (here and in the Cholesky solves) are NumPy's, not SciPy's: the two ship
    separate OpenBLAS builds, and NumPy's workers, still spinning after the product that formed
    the matrix, took the second core from SciPy's (RidgeCV 2000 x 500: 174 ms with SciPy's
    ``eigh``, 75 ms with NumPy's).
    """

    def __init__(self, design, z, kind):
        self.design = design
        self.kind = kind
        eps = np.finfo(np.float64).eps
        if kind == "gram":
            G, b = design.gram_cross(z)
            lam, V = np.linalg.eigh(G)
            self.V = V
            self.proj = V.T @ b
        elif kind == "kernel":
            lam, Q = np.linalg.eigh(design.kernel())
            self.Q = Q
            self.proj = Q.T @ np.asarray(z, dtype=np.float64)
        else:
            A = design.dense()
            U, s, Vt = np.linalg.svd(A, full_matrices=False)
            s = s.copy()
            s[s <= eps * max(A.shape) * s.max(initial=0.0)] = 0.0  # numerical rank, as lstsq
            lam = s**2
            self.U, self.s, self.Vt = U, s, Vt
            self.proj = U.T @ np.asarray(z, dtype=np.float64)
        self.lam = np.clip(lam, 0, None) if kind == "svd" else clean_eigenvalues(lam, design.n, design.p)

    def accurate_for(self, alpha_min):
        """Whether the eigen-based path is accurate down to ``alpha_min`` (svd always is)."""
        if self.kind == "svd":
            return True
        return alpha_min > 1e6 * np.finfo(np.float64).eps * max(self.lam.max(initial=0.0), 1e-300)

    def _inv(self, alpha):
        d = self.lam + alpha
        zero = d <= 0
        return np.where(zero, 0.0, 1.0 / np.where(zero, 1.0, d))

    def coefs(self, alphas, targets=None):
        """Coefficients (p, m) for pairs (alphas[k], targets[k]) (all targets per alpha when None)."""
        t = self.proj.shape[1]
        if targets is None:
            pairs = [(a, j) for a in alphas for j in range(t)]
        else:
            pairs = list(zip(alphas, targets))
        F = np.empty((self.lam.shape[0], len(pairs)))
        for m, (a, j) in enumerate(pairs):
            F[:, m] = self.proj[:, j] * self._inv(a)
        if self.kind == "gram":
            return self.V @ F
        if self.kind == "svd":
            return self.Vt.T @ (self.s[:, None] * F)
        return self.design.rmatmul(self.Q @ F)

    def hat_factor(self):
        """(N, g_fn): diag(H) = (N**2) @ g(alpha), H z = N @ (g(alpha) * proj)."""
        if self.kind == "gram":
            return None, lambda a: self._inv(a)
        if self.kind == "kernel":
            return self.Q, lambda a: self.lam * self._inv(a)
        return self.U, lambda a: self.lam * self._inv(a)


def _spectral(design, z, alpha_min, prefer=None):
    """Cheapest accurate factorization: Gram/kernel eigen, else SVD of A."""
    if prefer == "svd":
        return _Spectral(design, z, "svd")
    kind = "gram" if design.n >= design.p else "kernel"
    S = _Spectral(design, z, kind)
    if not S.accurate_for(alpha_min):
        S = _Spectral(design, z, "svd")
    return S


def _solve_cholesky(design, z, alphas):
    """Coefficients (p, t) for one alpha per target, or None when ill-conditioned."""
    eps = np.finfo(np.float64).eps
    t = z.shape[1]
    primal = design.n >= design.p
    if primal:
        M, rhs = design.gram_cross(z)
    else:
        M, rhs = design.kernel(), np.asarray(z, dtype=np.float64)
    out = np.empty((design.p, t))
    eye = np.eye(M.shape[0])
    for a in np.unique(alphas):
        cols = alphas == a
        Ma = M + a * eye
        try:
            cho = (np.linalg.cholesky(Ma).T, False)
        except np.linalg.LinAlgError:
            return None
        if _ill_conditioned(cho[0], Ma, eps):
            return None
        sol = linalg.cho_solve(cho, rhs[:, cols], check_finite=False)
        out[:, cols] = sol if primal else design.rmatmul(sol)
    return out


# ---------------------------------------------------------------------------------------------
# Conjugate gradient
# ---------------------------------------------------------------------------------------------
class _CG:
    """Matrix-free CG on one design, reused across alphas and targets (warm starts)."""

    def __init__(self, design, z, dual):
        self.design = design
        self.dual = dual
        dt = design.dtype
        self.z = np.asarray(z, dtype=dt)
        if design.mode == "sparse":
            Xs = design.X
            # the sparse operator of _kernels.ridge.normal_matvec on X's own format (CSR or CSC:
            # no conversion, which would cost more than a CG solve); the last entry is scratch
            self.op = (
                Xs.data.astype(dt, copy=False), Xs.indices, Xs.indptr, Xs.format == "csr",
                design.xbar.astype(dt, copy=False), design.c.astype(dt, copy=False),
                np.empty(design.p if dual else design.n, dtype=dt),
            )
            d64 = Xs.astype(np.float64, copy=False)
            xb = design.xbar.astype(np.float64)
            c = design.c.astype(np.float64)
            if dual:  # row norms of Xs - c xbar^T
                sq = sparse_sq_norms(d64, axis=1)
                sq += -2 * c * np.asarray(d64 @ xb).ravel() + c**2 * (xb @ xb)
            else:  # column norms
                sq = sparse_sq_norms(d64, axis=0)
                sq += -2 * xb * np.asarray(d64.T @ c).ravel() + xb**2 * (c @ c)
            self.diag = np.clip(sq, 0, None)
            self.rhs = self.z if dual else design.rmatmul(self.z).astype(dt)
        else:
            A = design.dense(dtype=dt)
            self.A = A
            self.op = A  # the dense operator of _kernels.ridge.normal_matvec
            self.diag = (A.astype(np.float64) ** 2).sum(axis=1 if dual else 0)
            self.rhs = self.z if dual else np.asfortranarray((A.T @ self.z).astype(dt))
        self.m = design.n if dual else design.p

    def solve(self, j, alpha, x0, tol, max_iter, iterates=None):
        dt = self.design.dtype
        d = self.diag + alpha
        dinv = np.where(d > 0, 1.0 / np.where(d > 0, d, 1.0), 1.0).astype(dt)
        x = np.zeros(self.m, dtype=dt) if x0 is None else np.array(x0, dtype=dt)
        b = np.ascontiguousarray(self.rhs[:, j])
        its = np.empty((0, self.m), dtype=dt) if iterates is None else iterates
        a = dt.type(alpha)
        n_iter, res = _k.pcg(self.op, b, a, x, dinv, dt.type(tol), max_iter, self.dual, its)
        return x, n_iter

    def multishift_ok(self, n_alphas):
        """Whether one multi-shift CG run should replace warm-started Jacobi-PCG for a path.

        Multi-shift CG cannot be preconditioned, so it is used when Jacobi would gain little: the
        diagonal of the system solved varies moderately (coefficient of variation <= 1.5; measured
        break-even about 1.8 with 50 alphas on 5000x12000 sparse data with rescaled rows; the same
        rule is applied to dense ``solver='cg'`` paths, whose break-even has not been measured).
        """
        if n_alphas < 2:
            return False
        mean = self.diag.mean()
        return bool(mean > 0 and self.diag.std() <= _MULTISHIFT_MAX_CV * mean)

    def solve_path(self, j, alphas, tol, max_iter):
        """Solutions (n_alphas, m) for every alpha of target j from one multi-shift CG run; shifts it
        leaves unconverged (``max_iter`` reached) are finished by Jacobi-PCG warm-started there."""
        dt = self.design.dtype
        b = np.ascontiguousarray(self.rhs[:, j])
        out = np.empty((alphas.shape[0], self.m), dtype=dt)
        _, conv = _k.cg_multishift(self.op, b, np.asarray(alphas, dtype=np.float64),
                                   dt.type(tol), max_iter, self.dual, out)
        for i in np.flatnonzero(~conv):
            out[i], _ = self.solve(j, alphas[i], out[i], tol, max_iter)
        return out

    def to_coef(self, x):
        if not self.dual:
            return x
        if self.design.mode == "sparse":
            return self.design.rmatmul(x[:, None])[:, 0]
        return self.A.T @ x


_MULTISHIFT_MAX_CV = 1.5


def _max_iter(max_iter, m):
    return 10 * m if max_iter is None else int(max_iter)


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------
def _check_common(X, y, sample_weight, solver, tol, max_iter):
    if solver not in SOLVERS:
        raise ValueError(f"The 'solver' parameter must be one of {set(SOLVERS)}. Got {solver!r} instead.")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: [{X.shape[0]}, {y.shape[0]}]"
        )
    if not isinstance(tol, Real) or not tol >= 0:
        raise ValueError(f"The 'tol' parameter must be a float in the range [0.0, inf). Got {tol!r} instead.")
    if max_iter is not None and (not isinstance(max_iter, Integral) or max_iter < 1):
        raise ValueError(
            f"The 'max_iter' parameter must be an int in the range [1, inf) or None. Got {max_iter!r} instead."
        )


def ridge_solve(X, y, alpha=1.0, *, fit_intercept=True, sample_weight=None, solver="auto", tol=1e-4,
                max_iter=None, copy_X=True):
    """Fit ridge regression for one alpha (or one alpha per target).

    Minimizes ``sum_i s_i (y_i - x_i w - b)^2 + alpha ||w||^2`` for each target.

    ``solver='auto'`` rule: sparse X -> ``'cg'`` (matrix-free, X is never densified nor centered);
    dense X -> ``'cholesky'`` (primal on ``A^T A`` when ``n >= p``, dual on ``A A^T`` when ``p > n``),
    which switches itself to ``'svd'`` when the Cholesky factor shows a condition number above
    ``1e-3 / eps``.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Validated float32/float64 data (not modified).
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    alpha : float or ndarray of shape (n_targets,)
    fit_intercept : bool
    sample_weight : ndarray of shape (n_samples,) or None
    solver : {'auto', 'cholesky', 'svd', 'cg'}
    tol : float
        CG stops when ``||r|| <= tol ||b||`` (relative residual of the system solved).
    max_iter : int or None
        CG iteration cap (default ``10 * system size``).
    copy_X : bool
        Ignored for the solvers that never modify X; kept for API symmetry.

    Returns
    -------
    coef : ndarray of shape (n_features,) or (n_targets, n_features), in X's dtype
    intercept : float or ndarray of shape (n_targets,)
    n_iter : ndarray of shape (n_targets,) or None
        CG iterations per target (None for the direct solvers).

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg._ridge import ridge_solve
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> coef, intercept, _ = ridge_solve(X, y, alpha=0.0)
    >>> np.round(coef, 6), round(float(intercept), 6)
    (array([2.]), 1.0)
    """
    _check_common(X, y, sample_weight, solver, tol, max_iter)
    t = 1 if y.ndim == 1 else y.shape[1]
    alphas = _check_alpha(alpha, t)
    if solver == "auto":
        solver = _auto_solver(X)
    n_iter = None
    design, z, X_offset, y_offset = _make_design(
        X, y, fit_intercept=fit_intercept, sample_weight=sample_weight, copy_X=copy_X,
        explicit=(solver == "cg" and not sparse.issparse(X)),
    )
    coef = None
    if solver == "cholesky":
        coef = _solve_cholesky(design, z, alphas)
        if coef is None:
            solver = "svd"
    if solver == "svd":
        S = _Spectral(design, z, "svd")
        coef = S.coefs(alphas, targets=range(t))
    if solver == "cg":
        cg = _CG(design, z, dual=design.n < design.p)
        coef = np.empty((design.p, t), dtype=X.dtype)
        n_iter = np.empty(t, dtype=np.int64)
        mi = _max_iter(max_iter, cg.m)
        for j in range(t):
            x, n_iter[j] = cg.solve(j, alphas[j], None, tol, mi)
            coef[:, j] = cg.to_coef(x)
    coef = np.ascontiguousarray(coef.T, dtype=X.dtype)  # (t, p)
    intercept = (y_offset - coef @ X_offset) if fit_intercept else np.zeros(t, dtype=X.dtype)
    intercept = np.asarray(intercept, dtype=X.dtype).reshape(t)
    if y.ndim == 1:
        return coef[0], X.dtype.type(intercept[0]), n_iter
    return coef, intercept, n_iter


def ridge_path(X, y, alphas, *, fit_intercept=True, sample_weight=None, solver="auto", tol=1e-4,
               max_iter=None, return_intercept=False):
    """Ridge coefficients for many alphas from one factorization.

    Minimizes ``sum_i s_i (y_i - x_i w - b)^2 + alpha ||w||^2`` for every ``alpha`` in ``alphas``.

    ``solver='auto'`` rule: dense X -> one eigendecomposition of ``A^T A`` (``n >= p``) or ``A A^T``
    (``p > n``), replaced by one thin SVD of ``A`` when the smallest alpha is below the accuracy of the
    eigendecomposition (``1e6 eps lambda_max``); sparse X -> CG: one multi-shift CG run serving every
    alpha from a single Krylov space (unpreconditioned, so used when the diagonal of the normal
    equations is not too spread out), otherwise Jacobi-preconditioned CG warm-started from the
    largest alpha down.  ``'svd'`` forces the SVD, ``'cholesky'`` one factorization per alpha, ``'cg'``
    CG.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    alphas : array-like of shape (n_alphas,)
        Non-negative penalties (any order; the output follows it).
    fit_intercept : bool, default=True
    sample_weight : ndarray of shape (n_samples,), default=None
    solver : {'auto', 'cholesky', 'svd', 'cg'}, default='auto'
    tol : float, default=1e-4
        CG relative-residual tolerance, met by every alpha (``||r|| <= tol ||b||`` on the system solved).
    max_iter : int, default=None
        CG iteration cap per alpha.
    return_intercept : bool, default=False
        Also return the intercepts.

    Returns
    -------
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
    intercepts : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Only when ``return_intercept=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import ridge_path
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> np.round(ridge_path(X, y, [0.0, 2.0]), 6)
    array([[2., 1.]])
    """
    from ._validation import check_sample_weight

    X, y = _validate_plain(X, y)
    sample_weight = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    _check_common(X, y, sample_weight, solver, tol, max_iter)
    alphas = _check_alphas(alphas)
    state = _path_state(X, y, alphas.min(), fit_intercept=fit_intercept, sample_weight=sample_weight,
                        solver=solver)
    res = _path_solve(state, alphas, tol, max_iter)
    return (res.coefs, res.intercepts) if return_intercept else res.coefs


class _PathState:
    """What a ridge path needs that does not depend on the alphas (offsets, factorization, CG operator)."""

    def __init__(self, X, y, sample_weight, fit_intercept, solver, X_offset, y_offset,
                 spectral=None, cg=None):
        self.X, self.y, self.sample_weight = X, y, sample_weight
        self.fit_intercept, self.solver = fit_intercept, solver
        self.X_offset, self.y_offset = X_offset, y_offset
        self.spectral, self.cg = spectral, cg


class _RidgePathResult:
    """``coefs`` (p, k) or (t, p, k) and ``intercepts`` (k,) or (t, k) of a ridge path."""

    def __init__(self, coefs, intercepts):
        self.coefs, self.intercepts = coefs, intercepts


def _path_state(X, y, alpha_min, *, fit_intercept, sample_weight, solver):
    """Center/weight a validated problem and factorize it once (``solver`` as in :func:`ridge_path`).

    ``alpha_min`` is the smallest alpha the state will be asked for (it decides whether the
    eigendecomposition is accurate enough or a thin SVD is needed).
    """
    if solver == "auto":
        solver = "cg" if sparse.issparse(X) else "eigen"
    if solver == "cholesky":
        X_offset, y_offset = compute_offsets(X, y, fit_intercept=fit_intercept, sample_weight=sample_weight)
        return _PathState(X, y, sample_weight, fit_intercept, solver, X_offset, y_offset)
    design, z, X_offset, y_offset = _make_design(
        X, y, fit_intercept=fit_intercept, sample_weight=sample_weight, copy_X=True,
        explicit=(solver == "cg" and not sparse.issparse(X)),
    )
    state = _PathState(X, y, sample_weight, fit_intercept, solver, X_offset, y_offset)
    if solver in ("eigen", "svd"):
        state.spectral = _spectral(design, z, alpha_min, prefer="svd" if solver == "svd" else None)
    else:
        state.cg = _CG(design, z, dual=design.n < design.p)
    return state


def _path_solve(state, alphas, tol, max_iter):
    """Coefficients and intercepts of every alpha from a :func:`_path_state`."""
    X, y = state.X, state.y
    t = 1 if y.ndim == 1 else y.shape[1]
    k = alphas.shape[0]
    p = X.shape[1]
    if state.solver == "cholesky":
        coefs = np.empty((t, p, k), dtype=X.dtype)
        for i, a in enumerate(alphas):
            c, _, _ = ridge_solve(X, y, a, fit_intercept=state.fit_intercept,
                                  sample_weight=state.sample_weight, solver="cholesky")
            coefs[:, :, i] = c.reshape(t, -1)
    elif state.spectral is not None:
        C = state.spectral.coefs(alphas)  # (p, k*t), alpha-major
        coefs = C.reshape(p, k, t).transpose(2, 0, 1).astype(X.dtype)
    else:
        cg = state.cg
        coefs = np.empty((t, p, k), dtype=X.dtype)
        order = np.argsort(-alphas, kind="stable")
        mi = _max_iter(max_iter, cg.m)
        multishift = cg.multishift_ok(k)
        for j in range(t):
            if multishift:
                xs = cg.solve_path(j, alphas, tol, mi)  # (k, m)
                coefs[j] = xs.T if not cg.dual else cg.design.rmatmul(xs.T)
                continue
            x = None
            for i in order:
                x, _ = cg.solve(j, alphas[i], x, tol, mi)
                coefs[j, :, i] = cg.to_coef(x)
    yo = np.atleast_1d(np.asarray(state.y_offset, dtype=X.dtype))
    if state.fit_intercept:
        ints = yo[:, None] - np.einsum("p,tpk->tk", state.X_offset, coefs)
    else:
        ints = np.zeros((t, k), dtype=X.dtype)
    if y.ndim == 1:
        return _RidgePathResult(coefs[0], ints[0])
    return _RidgePathResult(coefs, ints)


def ridge_cg_iterates(X, y, alpha=0.0, n_iter=10, *, fit_intercept=True, sample_weight=None):
    """The CG iterates ``w_0 = 0, w_1, ..., w_n_iter`` on the primal normal equations.

    CG runs, as in the solver, with the Jacobi preconditioner ``D = diag(H)`` of the system
    ``H w = A^T z``, ``H = A^T A + alpha I`` (``A``, ``z``: the centered, sqrt(sample_weight)-scaled
    data).  ``w_k`` minimizes the ridge objective
    ``sum_i s_i (y_i - x_i w - b)^2 + alpha ||w||^2`` (the intercept ``b`` profiled out by centering;
    the unpenalized weighted least squares when ``alpha = 0``) over the preconditioned Krylov space
    ``span{D^-1 A^T z, (D^-1 H) D^-1 A^T z, ..., (D^-1 H)^(k-1) D^-1 A^T z}``.  Early stopping thus acts
    like an extra L2 penalty: the ``D``-weighted norm ``sqrt(w_k^T D w_k)`` increases with k towards
    that of the ridge solution (Steihaug 1983, "The conjugate gradient method and trust regions in
    large scale optimization"); the plain norm ``||w_k||`` need not be monotone.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    alpha : float, default=0.0
    n_iter : int, default=10
    fit_intercept : bool, default=True
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    iterates : ndarray of shape (n_iter + 1, n_features)
        Row k holds the coefficients after k iterations (rows after convergence repeat the last one).

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg._ridge import ridge_cg_iterates
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]); y = np.array([1.0, 2.0, 3.0])
    >>> ridge_cg_iterates(X, y, n_iter=2, fit_intercept=False).shape
    (3, 2)
    """
    from ._validation import check_sample_weight

    X, y = _validate_plain(X, y)
    if y.ndim != 1:
        raise ValueError("ridge_cg_iterates takes a 1-D y.")
    sample_weight = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    _check_common(X, y, sample_weight, "cg", 0.0, n_iter)
    alpha = float(_check_alpha(alpha, 1)[0])
    design, z, _, _ = _make_design(X, y, fit_intercept=fit_intercept, sample_weight=sample_weight,
                                   copy_X=True, explicit=not sparse.issparse(X))
    cg = _CG(design, z, dual=False)
    its = np.zeros((n_iter + 1, design.p), dtype=X.dtype)
    _, done = cg.solve(0, alpha, None, 0.0, n_iter, iterates=its)
    its[done + 1:] = its[done]
    return its


def _validate_plain(X, y):
    """Light validation for the function API (the estimators use fastreg._validation)."""
    from sklearn.utils.validation import check_array, check_consistent_length

    X = check_array(X, accept_sparse=["csc", "csr"], dtype=[np.float64, np.float32], order=None,
                    input_name="X", ensure_all_finite=True)
    y = check_array(y, ensure_2d=False, dtype=X.dtype, input_name="y", ensure_all_finite=True)
    if y.ndim > 2:
        raise ValueError(f"y must be 1-D or 2-D, got {y.ndim}-D.")
    check_consistent_length(X, y)
    return X, y


# ---------------------------------------------------------------------------------------------
# Leave-one-out and k-fold cross-validation
# ---------------------------------------------------------------------------------------------
def ridge_loo(X, y, alphas, *, fit_intercept=True, sample_weight=None, store=False):
    """Exact leave-one-out residuals of ridge for every alpha from one decomposition.

    With ``H(alpha)`` the hat matrix of the weighted problem (the unpenalized intercept included), the
    leave-one-out residual of sample i is ``(z_i - (H z)_i) / (1 - H_ii)`` in the ``sqrt(s)``-scaled
    space, as in scikit-learn's ``_RidgeGCV``.  The decomposition is an eigendecomposition of ``A^T A``
    (``n > p``) or ``A A^T`` (``n <= p``), or a thin SVD of ``A`` when an alpha is too small for the
    eigendecomposition to be accurate.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Validated data.
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    alphas : ndarray of shape (n_alphas,)
        Strictly positive penalties.
    fit_intercept : bool
    sample_weight : ndarray of shape (n_samples,) or None
    store : bool
        Also return the residuals themselves.

    Returns
    -------
    mse : ndarray of shape (n_targets, n_alphas)
        Mean over samples of the squared (scaled) leave-one-out residuals.
    residuals : ndarray of shape (n_samples, n_targets, n_alphas) or None
    spectral : object
        The factorization, to compute coefficients with ``_loo_coefs``.
    offsets : tuple
        ``(X_offset, y_offset)``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg._ridge import ridge_loo
    >>> X = np.array([[0.0], [1.0], [2.0], [4.0]]); y = np.array([0.0, 1.0, 2.0, 4.0])
    >>> mse, _, _, _ = ridge_loo(X, y, np.array([1e-8]))
    >>> bool(mse[0, 0] < 1e-12)
    True
    """
    alphas = _check_alphas(alphas, strictly_positive=True)
    design, z, X_offset, y_offset = _make_design(
        X, y, fit_intercept=fit_intercept, sample_weight=sample_weight, copy_X=True
    )
    n, t, k = design.n, z.shape[1], alphas.shape[0]
    S = _spectral(design, z, alphas.min())
    N, g = S.hat_factor()
    Gm = np.stack([g(a) for a in alphas], axis=1)  # (r, k)
    W = (S.proj[:, :, None] * Gm[:, None, :]).reshape(S.proj.shape[0], t * k)  # (r, t*k)
    if fit_intercept:
        sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        h0 = sw / sw.sum()
    else:
        h0 = np.zeros(n)
    sse = np.zeros((t, k))
    res = np.empty((n, t, k), dtype=np.float64) if store else None
    z64 = np.asarray(z, dtype=np.float64)
    bs = max(64, _BLOCK_BYTES // (8 * max(S.lam.shape[0], t * k, 1)))
    for start in range(0, n, bs):
        stop = min(start + bs, n)
        if N is None:  # gram kind: N = A V, formed block by block
            Nb = design.rows(start, stop) @ S.V
        else:
            Nb = N[start:stop]
        dH = (Nb * Nb) @ Gm + h0[start:stop, None]  # (b, k)
        Hz = (Nb @ W).reshape(stop - start, t, k)
        r = (z64[start:stop, :, None] - Hz) / (1.0 - dH[:, None, :])
        sse += np.einsum("itk,itk->tk", r, r)
        if store:
            res[start:stop] = r
    return sse / n, res, S, (X_offset, y_offset)


def _loo_coefs(S, alphas_per_target, X_offset, y_offset, fit_intercept, dtype):
    t = alphas_per_target.shape[0]
    coef = S.coefs(alphas_per_target, targets=range(t)).T.astype(dtype)  # (t, p)
    if fit_intercept:
        intercept = np.atleast_1d(y_offset).astype(dtype) - coef @ X_offset
    else:
        intercept = np.zeros(t, dtype=dtype)
    return coef, intercept


class _PredictionIdentity:
    """Passes predictions through a scorer: ``predict(X)`` returns X."""

    _estimator_type = "regressor"

    def __sklearn_tags__(self):
        from sklearn.utils import Tags, TargetTags, RegressorTags

        return Tags(estimator_type="regressor", target_tags=TargetTags(required=True),
                    regressor_tags=RegressorTags())

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return X


class _RidgeFold:
    """Per-fold ridge path for :func:`fastreg._cv.cv_path_scores`: one factorization per fold
    (``prepare``), every alpha from it (``__call__``)."""

    def __init__(self, alphas, fit_intercept, solver, tol):
        self.alphas, self.fit_intercept, self.solver, self.tol = alphas, fit_intercept, solver, tol

    def prepare(self, X_train, y_train, sw_train):
        return _path_state(X_train, y_train, self.alphas.min(), fit_intercept=self.fit_intercept,
                           sample_weight=sw_train, solver=self.solver)

    def __call__(self, state, param):
        return _path_solve(state, self.alphas, self.tol, None)


class _HeldOutScore:
    """Score of every alpha of a path on held-out rows: R^2 (``scoring=None``, scikit-learn's
    ``Ridge.score``) or a scikit-learn scorer, both weighted by the held-out sample weights."""

    def __init__(self, scoring):
        from sklearn.metrics import check_scoring

        self.scorer = None if scoring is None else check_scoring(_PredictionIdentity(), scoring=scoring)

    def __call__(self, path, X_test, y_test, sw_test):
        from sklearn.metrics import r2_score

        coefs, ints = path.coefs, path.intercepts
        kw = {} if sw_test is None else {"sample_weight": sw_test}
        k = coefs.shape[-1]
        scores = np.empty(k)
        for i in range(k):
            if y_test.ndim == 1:
                pred = np.asarray(X_test @ coefs[:, i]).ravel() + ints[i]
            else:
                pred = np.asarray(X_test @ coefs[:, :, i].T) + ints[:, i]
            if self.scorer is None:
                scores[i] = r2_score(y_test, pred, **kw)
            else:
                scores[i] = self.scorer(_PredictionIdentity(), pred, y_test, **kw)
        return scores


def ridge_cv_kfold(X, y, alphas, *, cv, scoring=None, fit_intercept=True, sample_weight=None,
                   solver="auto", tol=1e-4, n_jobs=None, verbose=0):
    """K-fold cross-validation of ridge over ``alphas`` (what scikit-learn's RidgeCV(cv=k) computes).

    Runs on the shared CV driver :func:`fastreg._cv.cv_path_scores`: per fold, the training rows are
    centered/weighted and factorized once (an eigendecomposition or SVD for dense X, the CG operator
    for sparse X) and every alpha's coefficients come from that; the held-out rows are scored with
    ``scoring`` (R^2 when None) weighted by the held-out sample weights, and the training weights are
    not rescaled -- exactly scikit-learn's ``GridSearchCV(Ridge(), {'alpha': alphas})``.

    Parameters
    ----------
    X, y : validated data
    alphas : ndarray of shape (n_alphas,)
    cv : int, cross-validation generator or iterable
    scoring : str, callable or None
    fit_intercept : bool
    sample_weight : ndarray or None
        Used to fit on each training part and to score each held-out part.
    solver : str
        As in :func:`ridge_path`.
    tol : float
        CG tolerance (sparse X).
    n_jobs, verbose
        As in :func:`fastreg._cv.cv_path_scores`.

    Returns
    -------
    mean_scores : ndarray of shape (n_alphas,)
        Mean over folds of the test scores.
    best_index : int
        First index of the best mean score (GridSearchCV's rule; NaN scores rank last).

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg._ridge import ridge_cv_kfold
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(30, 3)); y = X @ [1.0, 2.0, 3.0]
    >>> scores, best = ridge_cv_kfold(X, y, np.array([1e-3, 1e3]), cv=3)
    >>> int(best)
    0
    """
    from sklearn.model_selection import check_cv

    from ._cv import cv_path_scores, select_alpha

    alphas = _check_alphas(alphas)
    folds = list(check_cv(cv, y, classifier=False).split(X, y))
    if sparse.issparse(X):
        X = X.tocsr()  # row slicing of the folds
    fold = _RidgeFold(alphas, fit_intercept, solver, tol)
    scores = cv_path_scores(fold, X, y, folds, prepare_fold=fold.prepare, sample_weight=sample_weight,
                            n_jobs=n_jobs, verbose=verbose, score=_HeldOutScore(scoring),
                            rescale_weights=False)  # (1, n_folds, n_alphas)
    # select_alpha minimizes: a loss of -score, NaN scores ranked last as in GridSearchCV
    loss = np.where(np.isnan(scores), np.inf, -scores)
    _, best, _, _, _ = select_alpha(loss, alphas[None, :])
    return scores[0].mean(axis=0), int(best)
