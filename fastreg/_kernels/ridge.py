"""Numba kernels for ridge regression: normal-equation products and Jacobi-preconditioned CG.

The (centered, weighted) design is ``A = X - c xbar^T`` where ``X`` already carries the
``sqrt(sample_weight)`` row scaling, ``xbar`` is the vector of column offsets (zeros without an
intercept) and ``c`` is ``sqrt(sample_weight)`` (ones when unweighted).  Dense ``X`` is passed already
centered (``xbar`` is not used); sparse ``X`` is passed in its own format (CSR or CSC, never
converted) and centered on the fly, so the products

    A v   = X v   - c (xbar . v)
    A^T u = X^T u - xbar (c . u)

never densify it.  The product along the stored major axis is a gather, the other one a scatter;
both are one serial pass over the entries (threads gained nothing inside CG on a 2-vCPU machine,
and ``parallel=True`` multiplies the first-call compile time).

CG solves either the primal system ``(A^T A + alpha I) w = A^T z`` (``dual=False``) or the dual
(kernel) system ``(A A^T + alpha I) u = z`` with ``w = A^T u`` (``dual=True``, cheaper when p > n).
Stopping rule: ``||r|| <= tol * ||b||`` on the unpreconditioned residual of the system solved
(the same rule as ``scipy.sparse.linalg.cg(rtol=tol)``).

Dense and sparse differ only in how the operator is applied: :func:`normal_matvec` is specialized at
compile time on the type of ``op`` (the dense ``A``, or the sparse 7-tuple), and the two solvers,
:func:`pcg` (Jacobi-preconditioned, one alpha) and :func:`cg_multishift` (every alpha from one Krylov
space), are each written once for both.

All kernels here keep their helpers in this file (numba's cache does not see edits elsewhere).
Specializations: one per layout (dense/sparse) and dtype (float32/float64) of each kernel actually
called; dense ``X`` is always F-ordered, sparse index arrays are always int32.
"""

import numpy as np
from numba import njit, types
from numba.extending import overload

_JIT = dict(cache=True)


# --------------------------------------------------------------------------- sparse products
# One stored format (the caller's CSR or CSC, never converted): a product along the major axis
# is a gather, the other one a scatter, both one pass over the entries. Loop indices are unsigned:
# with scipy's signed int32 indices Numba checks every access for a negative (wrap-around) index,
# which makes these loops about 1.7x slower.
@njit(cache=True)
def _gather(data, indices, indptr, x, out):
    """``out[m] = sum_k data[k] x[indices[k]]`` over the entries of major slice m."""
    for m in range(indptr.shape[0] - 1):
        acc = 0.0
        for k in range(np.uintp(indptr[m]), np.uintp(indptr[m + 1])):
            acc += data[k] * x[np.uintp(indices[k])]
        out[m] = acc


@njit(cache=True)
def _scatter(data, indices, indptr, x, out):
    """``out[indices[k]] += data[k] x[m]`` over the entries of every major slice m."""
    out[:] = 0.0
    for m in range(indptr.shape[0] - 1):
        xm = x[m]
        if xm != 0.0:
            for k in range(np.uintp(indptr[m]), np.uintp(indptr[m + 1])):
                out[np.uintp(indices[k])] += data[k] * xm


@njit(cache=True)
def _product_centered(data, indices, indptr, gather, a, b, x, out):
    """``out = S x - a (b . x)``, where ``S x`` is a gather (``gather``) or a scatter.

    With ``A = Xs - c xbar^T``: ``A v`` is ``(gather=by_rows, a=c, b=xbar)`` and ``A^T u`` is
    ``(gather=not by_rows, a=xbar, b=c)``, for ``Xs`` stored as CSR (``by_rows``) or CSC.
    """
    if gather:
        _gather(data, indices, indptr, x, out)
    else:
        _scatter(data, indices, indptr, x, out)
    s = _dot(b, x)
    for i in range(out.shape[0]):
        out[i] -= a[i] * s


@njit(cache=True)
def _dot(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


# --------------------------------------------------------------------------- the operator
# The only place where dense and sparse differ: how ``(A^T A + alpha I) v`` (or ``(A A^T + alpha I) v``
# when ``dual``) is applied.  ``normal_matvec`` is specialized at compile time on the type of ``op``
# (``numba.extending.overload``), so :func:`pcg` and :func:`cg_multishift` are written once.
def _is_sparse(op):
    return isinstance(op, types.BaseTuple) and len(op) == 7


def normal_matvec(op, v, alpha, dual, out):
    """``out = A^T (A v) + alpha v`` (primal) or ``out = A (A^T v) + alpha v`` (``dual``).

    ``op`` is either the dense, explicitly centered, F-ordered ``A`` (products by BLAS), or the sparse
    7-tuple ``(data, indices, indptr, by_rows, xbar, c, tmp)`` of the implicitly centered design
    ``A = Xs - c xbar^T`` with ``Xs`` stored as CSR (``by_rows``) or CSC, where ``tmp`` is scratch of
    length n (primal) or p (dual).
    """


@overload(normal_matvec, jit_options=_JIT)
def _normal_matvec(op, v, alpha, dual, out):
    if isinstance(op, types.Array) and op.ndim == 2:

        def dense(op, v, alpha, dual, out):
            if dual:
                np.dot(op, np.dot(op.T, v), out)
            else:
                np.dot(op.T, np.dot(op, v), out)
            for i in range(v.shape[0]):
                out[i] += alpha * v[i]

        return dense
    if _is_sparse(op):

        def csx(op, v, alpha, dual, out):
            data, indices, indptr, by_rows, xbar, c, tmp = op
            if dual:  # tmp = A^T v, out = A tmp
                _product_centered(data, indices, indptr, not by_rows, xbar, c, v, tmp)
                _product_centered(data, indices, indptr, by_rows, c, xbar, tmp, out)
            else:  # tmp = A v, out = A^T tmp
                _product_centered(data, indices, indptr, by_rows, c, xbar, v, tmp)
                _product_centered(data, indices, indptr, not by_rows, xbar, c, tmp, out)
            for i in range(v.shape[0]):
                out[i] += alpha * v[i]

        return csx


# --------------------------------------------------------------------------- Jacobi-preconditioned CG
@njit(**_JIT)
def pcg(op, b, alpha, x, dinv, tol, max_iter, dual, iterates):
    """Jacobi-preconditioned CG on the normal equations of ``op`` (dense or sparse, see
    :func:`normal_matvec`).

    Solves ``(A^T A + alpha I) x = b`` (or ``(A A^T + alpha I) x = b`` when ``dual``), starting from
    and overwriting ``x``.  ``dinv`` is the inverse of the system's diagonal.  When
    ``iterates.shape[0] > 0`` the k-th iterate is stored in ``iterates[k]`` (k = 0 is the start).

    Returns
    -------
    n_iter : int
    rel_res : float
        ``||b - M x|| / ||b||`` at exit (the recursively updated residual).
    """
    m = x.shape[0]
    store = iterates.shape[0] > 0
    if store:
        for i in range(m):  # (a loop: see tests/test_kernel_source.py)
            iterates[0, i] = x[i]
    bnorm = np.sqrt(_dot(b, b))
    if bnorm == 0.0:
        x[:] = 0.0
        return 0, 0.0
    q = np.empty(m, dtype=x.dtype)
    normal_matvec(op, x, alpha, dual, q)
    r = b - q
    z = dinv * r
    p = z.copy()
    rz = _dot(r, z)
    rnorm = np.sqrt(_dot(r, r))
    it = 0
    while it < max_iter and rnorm > tol * bnorm:
        normal_matvec(op, p, alpha, dual, q)
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
            for i in range(m):
                iterates[it, i] = x[i]
    return it, rnorm / bnorm


# --------------------------------------------------------------------------- multi-shift CG
@njit(**_JIT)
def cg_multishift(op, b, shifts, tol, max_iter, dual, out):
    """Unpreconditioned multi-shift CG: ``(M + shifts[k] I) x_k = b`` for every k from ONE Krylov space.

    ``M`` is ``A^T A`` (primal) or ``A A^T`` (``dual``) of ``op`` (dense or sparse, see
    :func:`normal_matvec`).  CG runs on the seed system (the smallest shift, the slowest to converge);
    since Krylov spaces are shift-invariant, every other system's residual is collinear with the
    seed's, ``r_k = zeta_k r``, and its iterate follows from scalar recurrences (Jegerlehner 1996,
    "Krylov space solvers for shifted linear systems"; Frommer 2003).  One matrix-vector product per
    iteration serves all shifts; each shift stops on its own residual ``|zeta_k| ||r|| <= tol ||b||``
    (the recursively updated residual, as :func:`pcg` and scipy's cg) and is then frozen.
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
    q = np.empty(m, dtype=b.dtype)
    r = b.copy()
    p = b.copy()
    P = np.empty((k, m), dtype=b.dtype)
    for i in range(k):
        for t in range(m):  # (a loop: see tests/test_kernel_source.py)
            P[i, t] = b[t]
    zeta = np.ones(k)
    zeta_prev = np.ones(k)
    n_active = k
    rr = _dot(r, r)
    alpha_prev = 1.0
    beta = 0.0
    it = 0
    thresh = tol * bnorm
    while it < max_iter and n_active > 0:
        normal_matvec(op, p, s0, dual, q)
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
