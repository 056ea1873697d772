"""Coordinate descent for the elastic-net family, compiled with Numba.

One solver, :func:`enet_cd`, minimizes (in the unscaled form used by every kernel)

    P(w) = 1/2 ||z - Z w||^2 + l1 * sum_j pf_j |w_j| + l2/2 * sum_j pf_j w_j^2      (w_j >= 0 if positive)

where ``Z`` is the centered, sqrt(sample-weight)-scaled design and ``pf`` the per-feature penalty
factors. The estimators' objective ``1/(2n) ||y - Xw - b||^2 + alpha*l1_ratio*||w||_1 +
alpha*(1-l1_ratio)/2*||w||^2`` is ``P / n`` with ``l1 = n*alpha*l1_ratio`` and
``l2 = n*alpha*(1-l1_ratio)``.

The solver never touches X directly: it reads columns through three small functions that are
specialized at compile time on the type of ``design`` (``numba.extending.overload``):

* dense:  ``design`` is the 2-D F-ordered array Z itself; ``r`` is the residual ``z - Z w``;
* sparse: ``design`` is ``(data, indices, indptr, X_mean, v, c, aux)`` for a CSC matrix ``A`` with
  ``Z = A - v X_mean^T`` (implicit centering: ``v`` is sqrt(sample_weight) or ones, ``c = A^T v``).
  ``r`` holds ``z - A w`` and ``aux = [s, q, v.v]`` the scalars ``s = X_mean.w``, ``q = v.r``, so that
  the true residual ``r + s v`` is never formed inside an epoch;
* Gram (covariance updates, for n_samples >> n_features): ``design`` is ``(G, Zty, yy)`` with
  ``G = Z^T Z``, and ``r`` holds the gradient ``Z^T z - G w`` instead of the residual.

A coordinate step is ``w_j <- prox(w_j + Z_j.r / L_j)`` with ``L_j = ||Z_j||^2``; only the column
access differs between layouts, so the solver, its duality gap and its Gap Safe screening are
written once. Kernels return ``(gap, n_iter)``; warnings are raised in Python.

The Numba cache does not notice edits to helpers in another module, so every helper the solver
inlines lives in this file.
"""

import numpy as np
from numba import njit, types
from numba.extending import overload

_JIT = dict(cache=True, nogil=True, fastmath=True)


# --------------------------------------------------------------------------------------------
# Column access: the only place where dense, sparse and Gram layouts differ.
# --------------------------------------------------------------------------------------------
def _is_sparse(design):
    return isinstance(design, types.BaseTuple) and len(design) == 7


def _is_gram(design):
    return isinstance(design, types.BaseTuple) and len(design) == 3


def col_dot(design, j, r):
    """``Z_j . r_true`` (the gradient of the datafit at coordinate j, up to sign)."""


def col_update(design, j, delta, r):
    """Apply ``w_j += delta`` to the residual state: ``r_true -= delta * Z_j``."""


def refresh_state(design, y, w, r):
    """Recompute scalars kept incrementally (sparse centering), to stop round-off drift."""


def residual_stats(design, y, w, r):
    """Return ``(||r_true||^2, r_true . z)``."""


@overload(col_dot, jit_options=_JIT)
def _col_dot(design, j, r):
    if isinstance(design, types.Array):

        def dense(design, j, r):
            acc = 0.0
            for i in range(design.shape[0]):
                acc += design[i, j] * r[i]
            return acc

        return dense
    if _is_sparse(design):

        def csc(design, j, r):
            data, indices, indptr, mean, v, c, aux = design
            acc = 0.0
            for k in range(indptr[j], indptr[j + 1]):
                acc += data[k] * r[indices[k]]
            return acc + aux[0] * c[j] - mean[j] * (aux[1] + aux[0] * aux[2])

        return csc
    if _is_gram(design):

        def gram(design, j, r):
            return r[j]

        return gram


@overload(col_update, jit_options=_JIT)
def _col_update(design, j, delta, r):
    if isinstance(design, types.Array):

        def dense(design, j, delta, r):
            for i in range(design.shape[0]):
                r[i] -= delta * design[i, j]

        return dense
    if _is_sparse(design):

        def csc(design, j, delta, r):
            data, indices, indptr, mean, v, c, aux = design
            for k in range(indptr[j], indptr[j + 1]):
                r[indices[k]] -= delta * data[k]
            aux[0] += delta * mean[j]
            aux[1] -= delta * c[j]

        return csc
    if _is_gram(design):

        def gram(design, j, delta, r):
            G = design[0]
            for k in range(G.shape[0]):
                r[k] -= delta * G[k, j]

        return gram


@overload(refresh_state, jit_options=_JIT)
def _refresh_state(design, y, w, r):
    if _is_sparse(design):

        def csc(design, y, w, r):
            data, indices, indptr, mean, v, c, aux = design
            s = 0.0
            for j in range(w.shape[0]):
                s += mean[j] * w[j]
            q = 0.0
            for i in range(r.shape[0]):
                q += v[i] * r[i]
            aux[0] = s
            aux[1] = q

        return csc

    def nothing(design, y, w, r):
        return None

    return nothing


@overload(residual_stats, jit_options=_JIT)
def _residual_stats(design, y, w, r):
    if isinstance(design, types.Array):

        def dense(design, y, w, r):
            rr = 0.0
            ry = 0.0
            for i in range(r.shape[0]):
                rr += r[i] * r[i]
                ry += r[i] * y[i]
            return rr, ry

        return dense
    if _is_sparse(design):

        def csc(design, y, w, r):
            v = design[4]
            s = design[6][0]
            rr = 0.0
            ry = 0.0
            for i in range(r.shape[0]):
                ri = r[i] + s * v[i]
                rr += ri * ri
                ry += ri * y[i]
            return rr, ry

        return csc
    if _is_gram(design):

        def gram(design, y, w, r):
            Zty = design[1]
            yy = design[2]
            wZty = 0.0
            wr = 0.0
            for j in range(w.shape[0]):
                wZty += w[j] * Zty[j]
                wr += w[j] * r[j]
            return yy - wZty - wr, yy - wZty

        return gram


# --------------------------------------------------------------------------------------------
# State set-up (Python calls these once per fit; they are kernels to stay off the Python hot path)
# --------------------------------------------------------------------------------------------
@njit(**_JIT)
def init_residual(design, y, w):
    """Residual state for coefficients ``w``: ``z - Z w`` (dense/sparse) or ``Z^T z - G w`` (Gram)."""
    r = y.copy()
    for j in range(w.shape[0]):
        if w[j] != 0.0:
            col_update(design, j, w[j], r)
    refresh_state(design, y, w, r)
    return r


# --------------------------------------------------------------------------------------------
# Duality gap and Gap Safe screening
# --------------------------------------------------------------------------------------------
@njit(**_JIT)
def dual_gap(design, y, w, r, pf, l1, l2, positive, XtA):
    """Duality gap of ``P`` at ``w`` (scikit-learn's formulations) and the dual norm of ``Z^T r``.

    With ``l1 > 0`` the dual point is ``r * min(1, l1 / ||Z^T r - l2 pf w||_pf)`` (formulation A of
    scikit-learn's ``cd_fast``, extended by penalty factors); with ``l1 = 0 < l2`` formulation B
    (a ridge); with ``l1 = l2 = 0`` the squared gradient norm. ``XtA`` receives
    ``Z^T r - l2 pf w``.
    """
    n_features = w.shape[0]
    refresh_state(design, y, w, r)
    for j in range(n_features):
        XtA[j] = col_dot(design, j, r)
    rr, ry = residual_stats(design, y, w, r)
    l1_norm = 0.0
    l2_norm2 = 0.0
    for j in range(n_features):
        l1_norm += pf[j] * abs(w[j])
        l2_norm2 += pf[j] * w[j] * w[j]
    if l1 == 0.0:
        grad2 = 0.0
        if l2 == 0.0:
            for j in range(n_features):
                grad2 += XtA[j] * XtA[j]
            return grad2, grad2
        for j in range(n_features):
            if pf[j] > 0.0:
                grad2 += XtA[j] * XtA[j] / pf[j]
        gap = rr + 0.5 * l2 * l2_norm2 - ry + grad2 / (2.0 * l2)
        return gap, grad2
    dual_norm = 0.0
    for j in range(n_features):
        XtA[j] -= l2 * pf[j] * w[j]
        if pf[j] > 0.0:
            val = XtA[j] / pf[j] if positive else abs(XtA[j]) / pf[j]
            if val > dual_norm:
                dual_norm = val
    scale = l1 / dual_norm if dual_norm > l1 else 1.0
    primal = 0.5 * (rr + l2 * l2_norm2) + l1 * l1_norm
    dual = -0.5 * scale * scale * (rr + l2 * l2_norm2) + scale * ry
    return primal - dual, dual_norm


@njit(**_JIT)
def gap_safe_screen(design, w, r, col_norm2, pf, l1, l2, positive, gap, dual_norm, XtA, active, excluded):
    """Gap Safe sphere test (Fercoq et al. 2015, Ndiaye et al. 2017): drop features provably zero.

    Feature j is excluded when ``(pf_j - |Z~_j^T theta|) / ||Z~_j|| > sqrt(2 gap) / l1``, where
    ``theta = r~ / max(l1, dual_norm)`` is the rescaled dual point of the L2-augmented problem.
    Excluded coefficients are set to zero (and the residual updated). Returns the new active count.
    """
    radius = np.sqrt(2.0 * max(gap, 0.0)) / l1
    denom = max(l1, dual_norm)
    n_active = 0
    for j in range(w.shape[0]):
        if excluded[j]:
            continue
        if col_norm2[j] == 0.0:
            excluded[j] = True
            w[j] = 0.0
            continue
        corr = XtA[j] / denom if positive else abs(XtA[j]) / denom
        if pf[j] > 0.0 and (pf[j] - corr) > radius * np.sqrt(col_norm2[j] + l2 * pf[j]):
            excluded[j] = True
            if w[j] != 0.0:
                col_update(design, j, -w[j], r)
                w[j] = 0.0
        else:
            active[n_active] = j
            n_active += 1
    return n_active


@njit(**_JIT)
def fit_unpenalized(design, w, r, col_norm2, pf, positive, tol_abs, max_sweeps=100):
    """Minimize ``P`` over the unpenalized coordinates (``pf_j = 0``) with the others fixed.

    The duality gap is only valid when the residual is dual-feasible for unpenalized features,
    i.e. ``Z_j^T r = 0`` (``<= 0`` with ``positive`` and ``w_j = 0``); otherwise ``dual_gap``
    can report a zero gap far from the optimum (e.g. at ``w = 0``), and screening would be
    unsafe. Cyclic sweeps over these coordinates (an unpenalized least-squares block; one sweep is
    exact for a single one) are run until the objective decrease of a sweep is below
    ``1e-3 * tol_abs``, before every gap computation.
    """
    n_features = w.shape[0]
    has_free = False
    for j in range(n_features):
        if pf[j] == 0.0 and col_norm2[j] > 0.0:
            has_free = True
            break
    if not has_free:
        return
    for _ in range(max_sweeps):
        decrease = 0.0
        for j in range(n_features):
            L = col_norm2[j]
            if pf[j] != 0.0 or L == 0.0:
                continue
            w_j = w[j]
            new = w_j + col_dot(design, j, r) / L
            if positive and new < 0.0:
                new = 0.0
            if new != w_j:
                w[j] = new
                delta = w[j] - w_j
                col_update(design, j, delta, r)
                decrease += 0.5 * delta * delta * L
        if decrease <= 1e-3 * tol_abs:
            break


# --------------------------------------------------------------------------------------------
# The solver
# --------------------------------------------------------------------------------------------
@njit(**_JIT)
def enet_cd(design, y, w, r, col_norm2, pf, l1, l2, positive, max_iter, tol, tol_abs,
            screen, random, seed, gap_freq):
    """Minimize ``P(w)`` by cyclic (or random) coordinate descent, in place on ``w`` and ``r``.

    Parameters
    ----------
    design : array or tuple
        Column access to Z (see the module docstring).
    y : ndarray of shape (n_samples,)
        The centered, scaled target ``z`` (unused by the Gram layout except through its stats).
    w : ndarray of shape (n_features,)
        Start point, updated in place.
    r : ndarray
        Residual state matching ``w`` (from :func:`init_residual`), updated in place.
    col_norm2 : ndarray of shape (n_features,)
        ``||Z_j||^2``.
    pf : ndarray of shape (n_features,)
        Penalty factors.
    l1, l2 : float
        Unscaled L1 and L2 strengths.
    positive : bool
        Constrain ``w >= 0``.
    max_iter : int
        Maximum number of epochs.
    tol : float
        Relative tolerance; the duality gap is checked when the largest coefficient change of an
        epoch is below ``tol`` times the largest coefficient (or every ``gap_freq`` epochs).
    tol_abs : float
        Stop when the duality gap is at most ``tol_abs`` (``tol * ||z||^2`` in scikit-learn).
    screen : bool
        Apply Gap Safe screening each time the gap is computed.
    random : bool
        Pick coordinates uniformly at random instead of cyclically.
    seed : int
        Seed of the coordinate sampler.
    gap_freq : int
        Compute the duality gap at least every ``gap_freq`` epochs.

    Returns
    -------
    gap : float
        Duality gap of the returned ``w``.
    n_iter : int
        Number of epochs run.
    """
    n_features = w.shape[0]
    XtA = np.empty(n_features, dtype=np.float64)
    active = np.arange(n_features)
    excluded = np.zeros(n_features, dtype=np.bool_)
    n_active = n_features
    if random:
        np.random.seed(seed)
    screen = screen and l1 > 0.0

    fit_unpenalized(design, w, r, col_norm2, pf, positive, tol_abs)
    gap, dual_norm = dual_gap(design, y, w, r, pf, l1, l2, positive, XtA)
    if gap <= tol_abs:
        return gap, 0
    if screen:
        n_active = gap_safe_screen(design, w, r, col_norm2, pf, l1, l2, positive, gap, dual_norm,
                                   XtA, active, excluded)

    n_iter = 0
    for it in range(max_iter):
        n_iter = it + 1
        w_max = 0.0
        d_w_max = 0.0
        for k in range(n_active):
            j = active[np.random.randint(0, n_active)] if random else active[k]
            L = col_norm2[j]
            if L == 0.0:
                continue
            w_j = w[j]
            tmp = col_dot(design, j, r) + w_j * L
            if positive and tmp < 0.0:
                new = 0.0
            else:
                thr = l1 * pf[j]
                mag = abs(tmp) - thr
                new = 0.0 if mag <= 0.0 else np.sign(tmp) * mag / (L + l2 * pf[j])
            if new != w_j:
                w[j] = new
                new = w[j]  # rounded to w's dtype, so that r stays consistent with w
                col_update(design, j, new - w_j, r)
            d_w_max = max(d_w_max, abs(new - w_j))
            w_max = max(w_max, abs(new))
        if w_max == 0.0 or d_w_max <= tol * w_max or it == max_iter - 1 or n_iter % gap_freq == 0:
            fit_unpenalized(design, w, r, col_norm2, pf, positive, tol_abs)
            gap, dual_norm = dual_gap(design, y, w, r, pf, l1, l2, positive, XtA)
            if gap <= tol_abs:
                break
            if screen:
                n_active = gap_safe_screen(design, w, r, col_norm2, pf, l1, l2, positive, gap,
                                           dual_norm, XtA, active, excluded)
    return gap, n_iter
