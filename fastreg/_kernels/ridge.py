"""Numba kernels for ridge regression: normal-equation products and Jacobi-preconditioned CG.

The (centered, weighted) design is ``A = X - c xbar^T`` where ``X`` already carries the
``sqrt(sample_weight)`` row scaling, ``xbar`` is the vector of column offsets (zeros without an
intercept) and ``c`` is ``sqrt(sample_weight)`` (ones when unweighted).  Dense ``X`` is passed already
centered (``xbar`` is not used); sparse ``X`` is passed as CSC *and* CSR views of the same matrix and is
centered on the fly, so the products

    A v   = X v   - c (xbar . v)
    A^T u = X^T u - xbar (c . u)

never densify it.  Both sparse products are gathers (rows of the CSR for ``X v``, columns of the CSC
for ``X^T u``): contiguous reads, no scatter.  They are serial: ``parallel=True`` multiplied the
first-call compile time several-fold for a gain that a shared 2-core machine does not deliver.

CG solves either the primal system ``(A^T A + alpha I) w = A^T z`` (``dual=False``) or the dual
(kernel) system ``(A A^T + alpha I) u = z`` with ``w = A^T u`` (``dual=True``, cheaper when p > n).
Stopping rule: ``||r|| <= tol * ||b||`` on the unpreconditioned residual of the system solved
(the same rule as ``scipy.sparse.linalg.cg(rtol=tol)``).

All kernels here keep their helpers in this file (numba's cache does not see edits elsewhere).
Specializations: one per dtype (float32/float64) of each kernel actually called; dense ``X`` is always
F-ordered, sparse index arrays are always int32.
"""

import numpy as np
from numba import njit


# --------------------------------------------------------------------------- sparse products
@njit(cache=True)
def _csr_matvec_centered(data, indices, indptr, xbar, c, v, out):
    """out = X v - c (xbar . v) with X in CSR form (gather over rows)."""
    n = indptr.shape[0] - 1
    s = 0.0
    for j in range(xbar.shape[0]):
        s += xbar[j] * v[j]
    for i in range(n):
        acc = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            acc += data[k] * v[indices[k]]
        out[i] = acc - c[i] * s


@njit(cache=True)
def _csc_rmatvec_centered(data, indices, indptr, xbar, c, u, out):
    """out = X^T u - xbar (c . u) with X in CSC form (gather over columns)."""
    p = indptr.shape[0] - 1
    s = 0.0
    for i in range(c.shape[0]):
        s += c[i] * u[i]
    for j in range(p):
        acc = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            acc += data[k] * u[indices[k]]
        out[j] = acc - xbar[j] * s


@njit(cache=True)
def _dot(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


@njit(cache=True)
def sparse_normal_matvec(csc_data, csc_indices, csc_indptr, csr_data, csr_indices, csr_indptr,
                         xbar, c, v, alpha, dual, tmp, out):
    """Primal: out = A^T (A v) + alpha v (tmp has n entries).  Dual: out = A (A^T v) + alpha v (tmp: p)."""
    if dual:
        _csc_rmatvec_centered(csc_data, csc_indices, csc_indptr, xbar, c, v, tmp)
        _csr_matvec_centered(csr_data, csr_indices, csr_indptr, xbar, c, tmp, out)
    else:
        _csr_matvec_centered(csr_data, csr_indices, csr_indptr, xbar, c, v, tmp)
        _csc_rmatvec_centered(csc_data, csc_indices, csc_indptr, xbar, c, tmp, out)
    for i in range(v.shape[0]):
        out[i] += alpha * v[i]


@njit(cache=True)
def cg_sparse(csc_data, csc_indices, csc_indptr, csr_data, csr_indices, csr_indptr, xbar, c,
              b, alpha, x, dinv, tol, max_iter, dual, iterates):
    """Jacobi-preconditioned CG on the sparse (implicitly centered) normal equations.

    Solves ``(A^T A + alpha I) x = b`` (or ``(A A^T + alpha I) x = b`` when ``dual``), starting from
    and overwriting ``x``.  ``dinv`` is the inverse of the system's diagonal.  When
    ``iterates.shape[0] > 0`` the k-th iterate is stored in ``iterates[k]`` (k = 0 is the start).

    Returns
    -------
    n_iter : int
    rel_res : float
        ``||b - M x|| / ||b||`` at exit.
    """
    m = x.shape[0]
    tmp = np.empty(xbar.shape[0] if dual else c.shape[0], dtype=x.dtype)
    q = np.empty(m, dtype=x.dtype)
    sparse_normal_matvec(csc_data, csc_indices, csc_indptr, csr_data, csr_indices, csr_indptr,
                         xbar, c, x, alpha, dual, tmp, q)
    r = b - q
    return _pcg_loop_sparse(csc_data, csc_indices, csc_indptr, csr_data, csr_indices, csr_indptr,
                            xbar, c, b, alpha, x, r, dinv, tol, max_iter, dual, iterates, tmp, q)


@njit(cache=True)
def _pcg_loop_sparse(csc_data, csc_indices, csc_indptr, csr_data, csr_indices, csr_indptr, xbar, c,
                     b, alpha, x, r, dinv, tol, max_iter, dual, iterates, tmp, q):
    m = x.shape[0]
    store = iterates.shape[0] > 0
    if store:
        iterates[0, :] = x
    bnorm = np.sqrt(_dot(b, b))
    if bnorm == 0.0:
        x[:] = 0.0
        return 0, 0.0
    z = dinv * r
    p = z.copy()
    rz = _dot(r, z)
    rnorm = np.sqrt(_dot(r, r))
    it = 0
    while it < max_iter and rnorm > tol * bnorm:
        sparse_normal_matvec(csc_data, csc_indices, csc_indptr, csr_data, csr_indices, csr_indptr,
                             xbar, c, p, alpha, dual, tmp, q)
        pq = _dot(p, q)
        if pq <= 0.0:
            break
        a = rz / pq
        for i in range(m):
            x[i] += a * p[i]
            r[i] -= a * q[i]
            z[i] = dinv[i] * r[i]
        rz_new = _dot(r, z)
        beta = rz_new / rz
        rz = rz_new
        for i in range(m):
            p[i] = z[i] + beta * p[i]
        rnorm = np.sqrt(_dot(r, r))
        it += 1
        if store and it < iterates.shape[0]:
            iterates[it, :] = x
    return it, rnorm / bnorm


# --------------------------------------------------------------------------- dense CG
@njit(cache=True)
def cg_dense(A, b, alpha, x, dinv, tol, max_iter, dual, iterates):
    """Jacobi-preconditioned CG on the dense normal equations of an explicitly centered, F-ordered A.

    Solves ``(A^T A + alpha I) x = b`` (or ``(A A^T + alpha I) x = b`` when ``dual``) from and into
    ``x``; the products use BLAS (``np.dot``).  See :func:`cg_sparse` for ``iterates``.

    Returns
    -------
    n_iter : int
    rel_res : float
    """
    m = x.shape[0]
    store = iterates.shape[0] > 0
    if store:
        iterates[0, :] = x
    bnorm = np.sqrt(_dot(b, b))
    if bnorm == 0.0:
        x[:] = 0.0
        return 0, 0.0
    At = A.T
    if dual:
        q = np.dot(A, np.dot(At, x))
    else:
        q = np.dot(At, np.dot(A, x))
    for i in range(m):
        q[i] += alpha * x[i]
    r = b - q
    z = dinv * r
    p = z.copy()
    rz = _dot(r, z)
    rnorm = np.sqrt(_dot(r, r))
    it = 0
    while it < max_iter and rnorm > tol * bnorm:
        if dual:
            q = np.dot(A, np.dot(At, p))
        else:
            q = np.dot(At, np.dot(A, p))
        for i in range(m):
            q[i] += alpha * p[i]
        pq = _dot(p, q)
        if pq <= 0.0:
            break
        a = rz / pq
        for i in range(m):
            x[i] += a * p[i]
            r[i] -= a * q[i]
            z[i] = dinv[i] * r[i]
        rz_new = _dot(r, z)
        beta = rz_new / rz
        rz = rz_new
        for i in range(m):
            p[i] = z[i] + beta * p[i]
        rnorm = np.sqrt(_dot(r, r))
        it += 1
        if store and it < iterates.shape[0]:
            iterates[it, :] = x
    return it, rnorm / bnorm


# --------------------------------------------------------------------------- multi-shift CG
@njit(cache=True)
def cg_multishift_sparse(csc_data, csc_indices, csc_indptr, csr_data, csr_indices, csr_indptr, xbar,
                         c, b, shifts, tol, max_iter, dual, out):
    """Unpreconditioned multi-shift CG: ``(M + shifts[k] I) x_k = b`` for every k from ONE Krylov space.

    ``M`` is ``A^T A`` (primal) or ``A A^T`` (``dual``) of the implicitly centered sparse design, as in
    :func:`cg_sparse`.  CG runs on the seed system (the smallest shift, the slowest to converge);
    since Krylov spaces are shift-invariant, every other system's residual is collinear with the
    seed's, ``r_k = zeta_k r``, and its iterate follows from scalar recurrences (Jegerlehner 1996,
    "Krylov space solvers for shifted linear systems"; Frommer 2003).  One matrix-vector product per
    iteration serves all shifts; each shift stops on its own residual ``|zeta_k| ||r|| <= tol ||b||``
    (the recursively updated residual, as :func:`cg_sparse` and scipy's cg) and is then frozen.
    A Jacobi preconditioner would break the shift invariance, so there is none.

    ``out`` (n_shifts, m) receives the solutions (start: zero).

    Returns
    -------
    n_iter : ndarray of shape (n_shifts,)
        Iterations at which each shift stopped.
    converged : ndarray of shape (n_shifts,), bool
        Whether each shift met its tolerance (False: ``max_iter`` reached or breakdown).
    """
    k = shifts.shape[0]
    m = b.shape[0]
    n_iter = np.zeros(k, dtype=np.int64)
    active = np.ones(k, dtype=np.bool_)
    for i in range(k):
        for j in range(m):
            out[i, j] = 0.0
    bnorm = np.sqrt(_dot(b, b))
    if bnorm == 0.0:
        active[:] = False
        return n_iter, ~active
    s0 = shifts[0]
    for i in range(1, k):
        s0 = min(s0, shifts[i])
    tmp = np.empty(xbar.shape[0] if dual else c.shape[0], dtype=b.dtype)
    q = np.empty(m, dtype=b.dtype)
    r = b.copy()
    p = b.copy()
    P = np.empty((k, m), dtype=b.dtype)
    for i in range(k):
        P[i, :] = b
    zeta = np.ones(k)
    zeta_prev = np.ones(k)
    n_active = k
    rr = _dot(r, r)
    alpha_prev = 1.0
    beta = 0.0
    it = 0
    thresh = tol * bnorm
    while it < max_iter and n_active > 0:
        sparse_normal_matvec(csc_data, csc_indices, csc_indptr, csr_data, csr_indices, csr_indptr,
                             xbar, c, p, s0, dual, tmp, q)
        pq = _dot(p, q)
        if not pq > 0.0:
            break
        alpha = rr / pq
        for j in range(m):
            r[j] -= alpha * q[j]
        rr_new = _dot(r, r)
        beta_new = rr_new / rr
        rnorm = np.sqrt(rr_new)
        it += 1
        for i in range(k):
            if not active[i]:
                continue
            s = shifts[i] - s0
            zk, zkm = zeta[i], zeta_prev[i]
            den = zkm * alpha_prev * (1.0 + alpha * s) + alpha * beta * (zkm - zk)
            znew = zk * zkm * alpha_prev / den
            a_s = alpha * znew / zk
            b_s = beta_new * (znew / zk) ** 2
            xi = out[i]
            Pi = P[i]
            for j in range(m):
                xi[j] += a_s * Pi[j]
                Pi[j] = znew * r[j] + b_s * Pi[j]
            zeta_prev[i] = zk
            zeta[i] = znew
            n_iter[i] = it
            if abs(znew) * rnorm <= thresh:
                active[i] = False
                n_active -= 1
        for j in range(m):
            p[j] = r[j] + beta_new * p[j]
        alpha_prev = alpha
        beta = beta_new
        rr = rr_new
    return n_iter, ~active
