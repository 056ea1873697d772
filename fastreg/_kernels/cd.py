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
  the true residual ``r + s v`` is never formed inside an epoch. Without centering ``X_mean`` and
  ``c`` are None, ``Z = A``, and the kernels compile without the centering terms (without an
  intercept, a sparse path took 0.95x the time and a single fit 0.84x; a run-time test of a flag
  instead made the column dot product 1.4x slower);
* Gram (covariance updates, for n_samples >> n_features): ``design`` is ``(G, Zty, yy)`` with
  ``G = Z^T Z``, and ``r`` holds the gradient ``Z^T z - G w`` instead of the residual.

A coordinate step is ``w_j <- prox(w_j + Z_j.r / L_j)`` with ``L_j = ||Z_j||^2``; only the column
access differs between layouts, so the solver, its duality gap and its Gap Safe screening are
written once. Once the support and its signs settle, :func:`newton_step` solves for their exact
minimizer with the support's Gram matrix (columns from :func:`gram_block`, the one other
layout-specific piece). Kernels return ``(gap, n_iter)``; warnings are raised in Python.

The Numba cache does not notice edits to helpers in another module, so every helper the solver
inlines lives in this file.
"""

import numpy as np
from numba import njit, prange, types
from numba.extending import overload

_JIT = dict(cache=True, nogil=True, fastmath=True)


# --------------------------------------------------------------------------------------------
# Column access: the only place where dense, sparse and Gram layouts differ.
#
# Sparse loops index with unsigned integers: CSC indices and pointers are signed (int32), and
# Numba then checks every access for a negative (wrap-around) index, which costs about 1.7x
# per epoch on columns of a few entries; with unsigned indices the loop compiles to the same
# code as scikit-learn's Cython (boundscheck and wraparound off).
# --------------------------------------------------------------------------------------------
def _is_sparse(design):
    return isinstance(design, types.BaseTuple) and len(design) == 7


def _is_gram(design):
    return isinstance(design, types.BaseTuple) and len(design) == 3


def _is_centered(design):
    """A sparse layout with implicit centering (its ``X_mean`` is an array, not None)."""
    return _is_sparse(design) and not isinstance(design.types[3], types.NoneType)


def _no_cache(cache):
    """An optional cache argument (Newton steps, row updates) passed as None or omitted: the
    overloads that take it then compile to nothing."""
    return isinstance(cache, (types.NoneType, types.Omitted))


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
            data, indices, indptr = design[0], design[1], design[2]
            acc = 0.0
            for k in range(np.uintp(indptr[j]), np.uintp(indptr[j + 1])):
                acc += data[k] * r[np.uintp(indices[k])]
            return acc + centering_dot(design, j)

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
            data, indices, indptr = design[0], design[1], design[2]
            for k in range(np.uintp(indptr[j]), np.uintp(indptr[j + 1])):
                r[np.uintp(indices[k])] -= delta * data[k]
            centering_step(design, j, delta)

        return csc
    if _is_gram(design):

        def gram(design, j, delta, r):
            G = design[0]
            for k in range(G.shape[0]):
                r[k] -= delta * G[k, j]

        return gram


@overload(refresh_state, jit_options=_JIT)
def _refresh_state(design, y, w, r):
    if _is_centered(design):

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
def csc_column_stats(data, indices, indptr, z, v, with_v):
    """One pass over a CSC matrix ``A``: ``(||A_j||^2, A_j^T z, A_j^T v)`` for every column j
    (the last only ``with_v``, else zeros), in float64.

    Replaces three scipy calls (two ``A^T x`` products and a squared-norm reduction, about 9 ms
    on 20000 x 50000 with density 1e-3, against about 1.5 ms for this pass).
    """
    n_features = indptr.shape[0] - 1
    sq = np.zeros(n_features)
    az = np.zeros(n_features)
    av = np.zeros(n_features)
    for j in range(n_features):
        s2 = 0.0
        sz = 0.0
        sv = 0.0
        for k in range(np.uintp(indptr[j]), np.uintp(indptr[j + 1])):
            x = np.float64(data[k])
            i = np.uintp(indices[k])
            s2 += x * x
            sz += x * z[i]
            if with_v:
                sv += x * v[i]
        sq[j] = s2
        az[j] = sz
        av[j] = sv
    return sq, az, av


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
# Full-gradient (KKT) pass: the one place where threads pay off
# --------------------------------------------------------------------------------------------
def grad_pass(design, r, idx, n_idx, out, par):
    """``out[j] = Z_j . r_true`` for ``j`` in ``idx[:n_idx]``.

    ``par`` is ``None`` (serial) or an int (use the ``numba.prange`` variant). Being a different
    *type*, it makes Numba compile the threaded variant only for callers that ask for it.
    """


@njit(parallel=True, cache=True, nogil=True, fastmath=True)
def _grad_pass_threaded(design, r, idx, n_idx, out):
    for k in prange(n_idx):
        j = idx[k]
        out[j] = col_dot(design, j, r)


@overload(grad_pass, jit_options=_JIT)
def _grad_pass(design, r, idx, n_idx, out, par):
    if isinstance(par, (types.NoneType, types.Omitted)) or _is_gram(design):

        def serial(design, r, idx, n_idx, out, par):
            for k in range(n_idx):
                j = idx[k]
                out[j] = col_dot(design, j, r)

        return serial

    def threaded(design, r, idx, n_idx, out, par):
        if n_idx * column_cost(design) >= PAR_PASS_MIN_ENTRIES:
            _grad_pass_threaded(design, r, idx, n_idx, out)
        else:  # a small pass (most of a path's): starting the threads costs more than it saves
            grad_pass(design, r, idx, n_idx, out, None)

    return threaded


#: Stored entries (columns times their mean length) from which a full-gradient pass is
#: threaded when the solver is given threads
PAR_PASS_MIN_ENTRIES = 200_000


# --------------------------------------------------------------------------------------------
# Duality gap and Gap Safe screening
# --------------------------------------------------------------------------------------------
@njit(**_JIT)
def dual_gap(design, y, w, r, pf, l1, l2, positive, XtA, idx, n_idx, par):
    """Duality gap of ``P`` restricted to the features ``idx[:n_idx]``, and the dual norm.

    The coefficients outside ``idx[:n_idx]`` must be zero. With all non-screened features in
    ``idx`` this is a duality gap of the full problem (screened features are provably zero at
    the optimum, so the restricted problem has the same optimum value and the gap bounds the
    full problem's suboptimality); on a working set it is the gap of the sub-problem.

    With ``l1 > 0`` the dual point is ``r * min(1, l1 / ||Z^T r - l2 pf w||_pf)`` (formulation A
    of scikit-learn's ``cd_fast``, extended by penalty factors); with ``l1 = 0 < l2`` formulation
    B (a ridge); with ``l1 = l2 = 0`` the squared gradient norm. ``XtA[j]`` receives
    ``Z_j^T r - l2 pf_j w_j`` for ``j`` in ``idx``.
    """
    refresh_state(design, y, w, r)
    grad_pass(design, r, idx, n_idx, XtA, par)
    return gap_from_grad(design, y, w, r, pf, l1, l2, positive, XtA, idx, n_idx)


@njit(**_JIT)
def gap_from_grad(design, y, w, r, pf, l1, l2, positive, XtA, idx, n_idx):
    """:func:`dual_gap` once ``XtA[j] = Z_j^T r`` holds for ``j`` in ``idx[:n_idx]`` (it then
    subtracts ``l2 pf_j w_j`` in place)."""
    rr, ry = residual_stats(design, y, w, r)
    l1_norm = 0.0
    l2_norm2 = 0.0
    if l1 == 0.0:
        grad2 = 0.0
        for k in range(n_idx):
            j = idx[k]
            l2_norm2 += pf[j] * w[j] * w[j]
        if l2 == 0.0:
            for k in range(n_idx):
                j = idx[k]
                grad2 += XtA[j] * XtA[j]
            return grad2, grad2
        for k in range(n_idx):
            j = idx[k]
            if pf[j] > 0.0:
                grad2 += XtA[j] * XtA[j] / pf[j]
        gap = rr + 0.5 * l2 * l2_norm2 - ry + grad2 / (2.0 * l2)
        return gap, grad2
    # one branch-free pass for the norms and the dual norm (unpenalized features excluded)
    dual_norm = 0.0
    for k in range(n_idx):
        j = idx[k]
        pj = pf[j]
        wj = w[j]
        l1_norm += pj * abs(wj)
        l2_norm2 += pj * wj * wj
        g = XtA[j] - l2 * pj * wj
        XtA[j] = g
        penalized = pj > 0.0
        val = (g if positive else abs(g)) / (pj if penalized else 1.0)
        dual_norm = max(dual_norm, val if penalized else 0.0)
    scale = l1 / dual_norm if dual_norm > l1 else 1.0
    primal = 0.5 * (rr + l2 * l2_norm2) + l1 * l1_norm
    dual = -0.5 * scale * scale * (rr + l2 * l2_norm2) + scale * ry
    return primal - dual, dual_norm


@njit(**_JIT)
def gap_safe_screen(design, w, r, col_norm2, pf, l1, l2, positive, gap, dual_norm, XtA, active,
                    n_active):
    """Gap Safe sphere test (Fercoq et al. 2015, Ndiaye et al. 2017): drop features provably zero.

    Among ``active[:n_active]``, feature j is excluded when ``(pf_j - |Z~_j^T theta|) / ||Z~_j||
    > sqrt(2 gap) / l1``, where ``theta = r~ / max(l1, dual_norm)`` is the rescaled dual point of
    the L2-augmented problem (valid for any dual-feasible point, hence also for the previous
    alpha's solution along a path). Excluded coefficients are set to zero (and the residual
    updated); ``active`` is compacted in place. Returns the new active count.
    """
    radius = np.sqrt(2.0 * max(gap, 0.0)) / l1
    radius2 = radius * radius
    inv_denom = 1.0 / max(l1, dual_norm)
    # the non-zeros to drop first (their residual changes), then the compaction, branch-free:
    # which features go is unpredictable, and the test is squared, without a square root per
    # feature. (One loop with the residual update in it took 0.36 ms on 50000 features, these
    # two 0.15 ms.)
    for k in range(n_active):
        j = active[k]
        if w[j] != 0.0 and _screened(j, col_norm2, pf, l2, positive, radius2, inv_denom, XtA):
            col_update(design, j, -w[j], r)
            w[j] = 0.0
    n_kept = 0
    for k in range(n_active):
        j = active[k]
        active[n_kept] = j
        n_kept += not _screened(j, col_norm2, pf, l2, positive, radius2, inv_denom, XtA)
    return n_kept


@njit(inline="always", **_JIT)
def _screened(j, col_norm2, pf, l2, positive, radius2, inv_denom, XtA):
    """The Gap Safe test of :func:`gap_safe_screen` for feature ``j`` (True: provably zero)."""
    L = col_norm2[j]
    d = pf[j] - (XtA[j] if positive else abs(XtA[j])) * inv_denom
    return (L == 0.0) | ((pf[j] > 0.0) & (d > 0.0) & (d * d > radius2 * (L + l2 * pf[j])))


@njit(**_JIT)
def fit_unpenalized(design, w, r, col_norm2, pf, positive, tol_abs, max_sweeps=100):
    """Minimize ``P`` over the unpenalized coordinates (``pf_j = 0``) with the others fixed.

    The duality gap is only valid when the residual is dual-feasible for unpenalized features,
    i.e. ``Z_j^T r = 0`` (``<= 0`` with ``positive`` and ``w_j = 0``); otherwise ``dual_gap``
    can report a zero gap far from the optimum (e.g. at ``w = 0``), and screening would be
    unsafe. Cyclic sweeps over these coordinates (an unpenalized least-squares block; one sweep is
    exact for a single one) are run until the objective decrease of a sweep is below
    ``1e-3 * tol_abs``, before every gap computation. Returns whether ``w`` changed and whether
    there are unpenalized features at all.
    """
    n_features = w.shape[0]
    n_free = 0
    for j in range(n_features):  # no early exit: this loop vectorizes, and usually finds none
        n_free += (pf[j] == 0.0) & (col_norm2[j] > 0.0)
    changed = False
    if n_free == 0:
        return changed, False
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
                changed = True
        if decrease <= 1e-3 * tol_abs:
            break
    return changed, True


@njit(**_JIT)
def unpenalized_excess(XtA, w, pf, col_norm2, positive, idx, n_idx):
    """Stationarity of the unpenalized features (``pf_j = 0``), which :func:`dual_gap` ignores.

    Its dual point is not feasible for them (that needs ``Z_j^T theta = 0``), so its gap can be
    zero at a point where they are far from optimal (e.g. ``w = 0`` with a large ``l1``). This
    adds ``sum_j (Z_j^T r)^2 / (2 L_j)`` over them (among ``idx[:n_idx]``, where ``XtA`` is
    current), the decrease an exact step on each would give: zero exactly when they are
    stationary (with ``positive``, a feature at zero whose gradient pushes it below zero is
    stationary).
    """
    excess = 0.0
    for k in range(n_idx):
        j = idx[k]
        if pf[j] == 0.0 and col_norm2[j] > 0.0:
            if positive and w[j] == 0.0 and XtA[j] <= 0.0:
                continue
            excess += XtA[j] * XtA[j] / (2.0 * col_norm2[j])
    return excess


@njit(**_JIT)
def certified_gap(design, y, w, r, col_norm2, pf, l1, l2, positive, tol_abs, XtA, idx, n_idx,
                  par):
    """The duality gap the solver stops on: :func:`dual_gap` after an exact sweep over the
    unpenalized features (:func:`fit_unpenalized`), plus their stationarity term
    (:func:`unpenalized_excess`). Without unpenalized features it is :func:`dual_gap`."""
    _, has_free = fit_unpenalized(design, w, r, col_norm2, pf, positive, tol_abs)
    gap, dual_norm = dual_gap(design, y, w, r, pf, l1, l2, positive, XtA, idx, n_idx, par)
    if has_free:
        gap += unpenalized_excess(XtA, w, pf, col_norm2, positive, idx, n_idx)
    return gap, dual_norm


@njit(**_JIT)
def known_gap(design, y, w, r, col_norm2, pf, l1, l2, positive, tol_abs, XtA, idx, n_idx, par,
              grad, known, missing, rows=None):
    """:func:`certified_gap` over the features ``idx[:n_idx]``, reusing known gradients.

    ``known[j]`` says that ``grad[j] = Z_j^T r`` still holds at this ``w``, and only the other
    columns are read. Along a path the previous alpha's last full gap was computed at the very
    point the next alpha starts from, so only the features it did not cover (those it had
    screened out) need a column pass; at the end of a working-set round the sub-problem's gap
    has just read the working set's columns. With a ``rows`` cache (sparse layout, see
    :func:`make_row_cache`) the missing columns may instead come from the whole gradient
    updated through the rows the coefficients' change touched (:func:`rows_gradient`), when
    that reads fewer entries. ``missing`` is scratch space of length ``n_features``.
    """
    changed, has_free = fit_unpenalized(design, w, r, col_norm2, pf, positive, tol_abs)
    if changed:
        known[:] = False
    refresh_state(design, y, w, r)
    n_missing = 0
    for k in range(n_idx):  # (branch-free: the pass overwrites the missing ones)
        j = idx[k]
        XtA[j] = grad[j]
        missing[n_missing] = j
        n_missing += not known[j]
    by_rows = rows_gradient(design, w, missing, n_missing, XtA, rows)
    if by_rows:
        n_missing = 0
    grad_pass(design, r, missing, n_missing, XtA, par)
    rows_record(w, XtA, n_idx, by_rows, rows)
    gap, dual_norm = gap_from_grad(design, y, w, r, pf, l1, l2, positive, XtA, idx, n_idx)
    if has_free:
        gap += unpenalized_excess(XtA, w, pf, col_norm2, positive, idx, n_idx)
    return gap, dual_norm


# --------------------------------------------------------------------------------------------
# The full gradient through the rows (sparse layout): ``Z^T r`` kept at a reference point and
# brought to the current ``w`` by ``- Z^T Z (w - w_ref)``, which reads only the rows of X that
# the change of ``w`` touches. Along a path of a sparse problem the support (and so the change
# between alphas) is small for most alphas, and this replaces the full pass each alpha's first
# gap needs for the features the previous alpha had screened out.
# --------------------------------------------------------------------------------------------
#: Direct column reads (in stored entries, as multiples of nnz(X)) after which the row-major
#: copy of X is built (a counting sort: 7-10 ms, about five passes, on sparse 20000 x 50000,
#: whose 100-alpha path gets there at its 10th alpha and then takes 80 updates, to its 72nd)
ROWS_BUILD_PASSES = 8.0
#: Cost of a row entry of the update (a scattered write) in column entries (a gathered read):
#: 2.5-2.9 ns against 1.5 ns per entry on sparse 20000 x 50000 (density 1e-3); at 2 the
#: updates chosen near the middle of its path lost what they saved
ROWS_ENTRY_COST = 3.0
#: Updates between two direct recomputations of the whole reference gradient (round-off)
ROWS_MAX_UPDATES = 32


def make_row_cache(n_samples, n_features, nnz, build_after=ROWS_BUILD_PASSES, shared=None):
    """Cache of :func:`rows_gradient` for a CSC design with ``nnz`` stored entries (float64).

    ``(row_data, row_cols, row_ptr, g_ref, w_ref, u, mark, touched, changed, state)``: the
    row-major copy of X (filled by the solver only once direct column reads have cost
    ``build_after`` passes over X; its pages stay untouched until then), the gradient
    ``g_ref = Z^T r_true`` at ``w_ref``, scratch (``u``, ``mark``, ``touched``, ``changed``)
    and ``state = [built, have_ref, n_updates, entries_read, total_updates, build_after]``
    (``n_updates`` since the reference was last computed directly). ``shared``: the first
    three of another cache whose copy is built (:func:`build_row_copy`), used read-only, so
    that the targets of a path share one copy. ``build_after=np.inf`` makes an idle cache,
    never built, for a solve that should not use one but run the same compiled code:
    ``make_row_cache(0, 0, 0, build_after=np.inf)`` (its arrays are then never read).
    """
    state = np.zeros(6, dtype=np.float64)
    state[5] = build_after
    if shared is None:
        shared = (np.empty(nnz, dtype=np.float64), np.empty(nnz, dtype=np.int32),
                  np.empty(n_samples + 1, dtype=np.int64))
    else:
        state[0] = 1.0
    return (shared[0], shared[1], shared[2], np.empty(n_features, dtype=np.float64),
            np.empty(n_features, dtype=np.float64), np.zeros(n_samples, dtype=np.float64),
            np.zeros(n_samples, dtype=np.bool_), np.empty(n_samples, dtype=np.int64),
            np.empty(n_features, dtype=np.int64), state)


def build_row_copy(design, n_samples):
    """The row-major copy of a CSC design's ``A`` as ``(row_data, row_cols, row_ptr)``, built
    now (for ``make_row_cache(..., shared=...)``)."""
    rows = make_row_cache(n_samples, 0, design[0].shape[0])
    _build_rows(design, rows)
    return rows[:3]


@njit(**_JIT)
def _build_rows(design, rows):
    """Fill the row-major copy of the CSC matrix ``A`` (a counting sort by row)."""
    data, indices, indptr = design[0], design[1], design[2]
    row_data, row_cols, row_ptr = rows[0], rows[1], rows[2]
    n_rows = row_ptr.shape[0] - 1
    row_ptr[:] = 0
    for k in range(indptr[indptr.shape[0] - 1]):
        row_ptr[np.uintp(indices[k]) + 1] += 1
    for i in range(n_rows):
        row_ptr[i + 1] += row_ptr[i]
    nxt = row_ptr[:n_rows].copy()
    for j in range(indptr.shape[0] - 1):
        for k in range(np.uintp(indptr[j]), np.uintp(indptr[j + 1])):
            i = np.uintp(indices[k])
            q = nxt[i]
            row_data[q] = data[k]
            row_cols[q] = j
            nxt[i] = q + 1


@njit(**_JIT)
def _rows_update(design, w, rows, changed, n_changed):
    """``g_ref -= Z^T Z (w - w_ref)`` over the coordinates ``changed[:n_changed]``, then
    ``w_ref = w``. With ``Z = A - v m^T`` (implicit centering) and ``u = A dw``, ``s = m.dw``:
    ``Z^T Z dw = A^T u - c s - m (v.u - (v.v) s)``."""
    data, indices, indptr, v = design[0], design[1], design[2], design[4]
    row_data, row_cols, row_ptr, g_ref, w_ref, u, mark, touched = rows[:8]
    s = 0.0
    n_touched = 0
    for t in range(n_changed):
        j = changed[t]
        dw = np.float64(w[j]) - w_ref[j]
        w_ref[j] = w[j]
        s += centering_mean(design, j) * dw
        for k in range(np.uintp(indptr[j]), np.uintp(indptr[j + 1])):
            i = np.uintp(indices[k])
            if not mark[i]:
                mark[i] = True
                touched[n_touched] = i
                n_touched += 1
            u[i] += data[k] * dw
    vu = 0.0
    for t in range(n_touched):
        i = touched[t]
        ui = u[i]
        vu += v[i] * ui
        for q in range(np.uintp(row_ptr[i]), np.uintp(row_ptr[i + 1])):
            g_ref[row_cols[q]] -= row_data[q] * ui
        u[i] = 0.0
        mark[i] = False
    centering_update(design, g_ref, s, vu)


def centering_dot(design, j):
    """``Z_j^T r_true - A_j^T r`` of a sparse layout: the centering terms of :func:`col_dot`
    (zero without centering)."""


def centering_step(design, j, delta):
    """Bring the scalars ``aux = [X_mean.w, v.r]`` to ``w_j += delta`` (the centering part of
    :func:`col_update`; nothing without centering)."""


def centering_mean(design, j):
    """``X_mean[j]`` of a sparse layout (zero without centering)."""


def centering_update(design, g, s, vu):
    """``g += c s + X_mean (vu - (v.v) s)``: the centering terms of ``Z^T Z dw`` with
    ``s = X_mean.dw`` and ``vu = v.(A dw)`` (nothing without centering)."""


def centering_cross(design, ja, jb):
    """``Z_a^T Z_b - A_a^T A_b = mean_a mean_b (v.v) - mean_b c_a - mean_a c_b`` (zero without
    centering)."""


@overload(centering_dot, jit_options=_JIT)
def _centering_dot(design, j):
    if _is_centered(design):

        def dot(design, j):
            mean, c, aux = design[3], design[5], design[6]
            return aux[0] * c[j] - mean[j] * (aux[1] + aux[0] * aux[2])

        return dot
    return lambda design, j: 0.0


@overload(centering_step, jit_options=_JIT)
def _centering_step(design, j, delta):
    if _is_centered(design):

        def step(design, j, delta):
            mean, c, aux = design[3], design[5], design[6]
            aux[0] += delta * mean[j]
            aux[1] -= delta * c[j]

        return step
    return lambda design, j, delta: None


@overload(centering_mean, jit_options=_JIT)
def _centering_mean(design, j):
    if _is_centered(design):
        return lambda design, j: design[3][j]
    return lambda design, j: 0.0


@overload(centering_update, jit_options=_JIT)
def _centering_update(design, g, s, vu):
    if _is_centered(design):

        def update(design, g, s, vu):
            mean, c, aux = design[3], design[5], design[6]
            if s != 0.0 or vu != 0.0:
                b = vu - aux[2] * s
                for j in range(g.shape[0]):
                    g[j] += c[j] * s + mean[j] * b

        return update
    return lambda design, g, s, vu: None


@overload(centering_cross, jit_options=_JIT)
def _centering_cross(design, ja, jb):
    if _is_centered(design):

        def cross(design, ja, jb):
            mean, c, aux = design[3], design[5], design[6]
            return mean[ja] * mean[jb] * aux[2] - mean[jb] * c[ja] - mean[ja] * c[jb]

        return cross
    return lambda design, ja, jb: 0.0


def rows_gradient(design, w, missing, n_missing, XtA, rows):
    """Fill ``XtA[j] = Z_j^T r_true`` for ``j`` in ``missing[:n_missing]`` from the updated
    reference gradient when that reads fewer entries than the columns; return whether it did
    (always False without a cache)."""


def rows_record(w, XtA, n_idx, by_rows, rows):
    """After a gap over all features (``n_idx == n_features``) not computed ``by_rows``, make
    ``XtA`` (then ``Z^T r_true`` at ``w``) the reference gradient."""


@overload(rows_gradient, jit_options=_JIT)
def _rows_gradient(design, w, missing, n_missing, XtA, rows):
    if _no_cache(rows):
        return lambda design, w, missing, n_missing, XtA, rows: False

    def by_rows(design, w, missing, n_missing, XtA, rows):
        indptr = design[2]
        state = rows[9]
        if n_missing == 0 or state[5] == np.inf:  # (an idle cache: see make_row_cache)
            return False
        direct = 0
        for t in range(n_missing):
            j = missing[t]
            direct += indptr[j + 1] - indptr[j]
        if state[0] == 0.0:
            # build the row copy once direct reads have cost ``build_after`` passes; the
            # reference gradient is then recorded at the next gap over all features
            state[3] += direct
            if state[3] >= state[5] * indptr[indptr.shape[0] - 1]:
                _build_rows(design, rows)
                state[0] = 1.0
            return False
        if state[1] == 0.0 or state[2] >= ROWS_MAX_UPDATES:
            return False
        w_ref = rows[4]
        changed = rows[8]
        n_changed = np.int64(0)
        col_entries = 0
        for j in range(w.shape[0]):
            if w[j] != w_ref[j]:
                changed[n_changed] = j
                n_changed += 1
                col_entries += indptr[j + 1] - indptr[j]
        n_rows = rows[2].shape[0] - 1
        nnz = indptr[indptr.shape[0] - 1]
        # entries read: the changed columns, then the rows they touch (at most all of them, at
        # nnz / n_rows each, weighted by ROWS_ENTRY_COST), then O(n_features) for the
        # centering and the copy
        cost = (col_entries
                + ROWS_ENTRY_COST * min(col_entries, n_rows) * (nnz / max(n_rows, 1))
                + w.shape[0] / 4)
        if cost >= direct:
            return False
        _rows_update(design, w, rows, changed, n_changed)
        state[2] += 1.0
        state[4] += 1.0
        g_ref = rows[3]
        for t in range(n_missing):
            j = missing[t]
            XtA[j] = g_ref[j]
        return True

    return by_rows


@overload(rows_record, jit_options=_JIT)
def _rows_record(w, XtA, n_idx, by_rows, rows):
    if _no_cache(rows):
        return lambda w, XtA, n_idx, by_rows, rows: None

    def record(w, XtA, n_idx, by_rows, rows):
        state = rows[9]
        if by_rows or n_idx < w.shape[0] or state[0] == 0.0:
            return
        g_ref, w_ref = rows[3], rows[4]
        for j in range(w.shape[0]):
            g_ref[j] = XtA[j]
            w_ref[j] = w[j]
        state[1] = 1.0
        state[2] = 0.0

    return record


@njit(**_JIT)
def keep_grad(w, pf, l1, l2, XtA, active, n_active, grad, known):
    """Record ``grad[j] = Z_j^T r`` for ``j`` in ``active[:n_active]`` from the ``XtA`` a gap over
    those features just computed (which holds ``Z_j^T r - l2 pf_j w_j`` when ``l1 > 0``, see
    :func:`dual_gap`); every other entry becomes unknown."""
    shift = l2 if l1 > 0.0 else 0.0
    known[:] = False
    for k in range(n_active):
        j = active[k]
        grad[j] = XtA[j] + shift * pf[j] * w[j]
        known[j] = True


@njit(**_JIT)
def kth_smallest(a, k):
    """The k-th smallest entry (0-based) of ``a``, which is reordered.

    Long arrays are first narrowed as in Floyd & Rivest's SELECT: two order statistics of an
    evenly spaced sample of 1024 entries bracket the answer (64 sample ranks, about four standard
    deviations, on either side of ``k``'s), one pass keeps the entries between them, and the
    answer is selected among those. Should the bracket miss, the whole array is selected. On the
    50000 priorities of a wide sparse working set this takes 0.15 ms instead of 0.7 ms.
    Written out because ``np.partition`` costs about 12 s of first-call compile time in Numba.
    """
    n = a.shape[0]
    if n > 8192:
        m = 1024
        stride = n // m
        sample = np.empty(m, dtype=a.dtype)
        for i in range(m):
            sample[i] = a[i * stride]
        pos = k * m // n
        lo = quickselect(sample, max(pos - 64, 0))
        hi = quickselect(sample, min(pos + 64, m - 1))
        between = np.empty(n, dtype=a.dtype)
        n_below = 0
        n_between = 0
        for i in range(n):  # branch-free: the comparisons are unpredictable
            v = a[i]
            between[n_between] = v
            n_below += v < lo
            n_between += (v >= lo) & (v <= hi)
        if n_below <= k < n_below + n_between:
            return quickselect(between[:n_between], k - n_below)
    return quickselect(a, k)


@njit(**_JIT)
def quickselect(a, k):
    """The k-th smallest entry (0-based) of ``a``, which is reordered (Hoare's quickselect,
    median-of-three pivots)."""
    lo, hi = 0, a.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) // 2  # median of three as the pivot
        x, y, z = a[lo], a[mid], a[hi]
        pivot = max(min(x, y), min(max(x, y), z))
        i, j = lo, hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return a[k]
    return a[k]


@njit(**_JIT)
def build_working_set(w, col_norm2, pf, l1, l2, positive, dual_norm, XtA, active, n_active,
                      ws_size, ws, prio):
    """Fill ``ws`` with the ``ws_size`` most promising features of ``active[:n_active]``.

    celer's priority: the distance of the dual point to feature j's constraint,
    ``(pf_j - |Z_j^T theta|) / ||Z~_j||`` with ``theta = r / max(l1, dual_norm)``; features in
    the support and unpenalized ones always enter. Returns the working-set size.
    """
    if ws_size >= n_active:
        for k in range(n_active):
            ws[k] = active[k]
        return n_active
    inv_denom = 1.0 / max(l1, dual_norm)
    # (the loops below are written without branches on the data: on a wide sparse problem the
    # support is a random 15% of the features, and mispredicted branches cost more than the work)
    # The priority is ranked through the increasing map d -> d |d|, which saves a square root:
    # ``d |d| / ||Z~_j||^2`` (0.09 instead of 0.17 ms on 50000 features)
    for k in range(n_active):
        j = active[k]
        corr = (XtA[j] if positive else abs(XtA[j])) * inv_denom
        forced = (w[j] != 0.0) | (pf[j] == 0.0)
        norm2 = col_norm2[j] + l2 * pf[j]  # zero for an empty column: last, never taken
        d = pf[j] - corr
        prio[k] = -np.inf if forced else (d * abs(d) / norm2 if norm2 > 0.0 else np.inf)
    thr = kth_smallest(prio[:n_active].copy(), ws_size - 1)
    # everything strictly below the threshold, then ties (in feature order) up to ws_size; one pass
    # in the order of ``active`` (increasing), which keeps the cyclic order of the features
    n_below = 0
    for k in range(n_active):
        n_below += prio[k] < thr
    ties = n_active if thr == -np.inf else ws_size - n_below
    n_ws = 0
    for k in range(n_active):
        p = prio[k]
        tie = p == thr
        take = (p < thr) | (tie & (ties > 0))
        ws[n_ws] = active[k]  # kept only if taken (n_ws <= k < len(ws))
        n_ws += take
        ties -= take & tie
    return n_ws


@njit(**_JIT)
def _small_solve_ones(C, K, z):
    """Solve ``C z = 1`` (K x K, Gaussian elimination with pivoting); False if singular."""
    A = C[:K, :K].copy()
    for i in range(K):
        z[i] = 1.0
    scale = 0.0
    for i in range(K):
        scale = max(scale, abs(A[i, i]))
    if scale == 0.0:
        return False
    for c in range(K):
        piv = c
        for i in range(c + 1, K):
            if abs(A[i, c]) > abs(A[piv, c]):
                piv = i
        if abs(A[piv, c]) <= 1e-14 * scale:
            return False
        if piv != c:
            for k in range(K):
                A[c, k], A[piv, k] = A[piv, k], A[c, k]
            z[c], z[piv] = z[piv], z[c]
        for i in range(c + 1, K):
            f = A[i, c] / A[c, c]
            for k in range(c, K):
                A[i, k] -= f * A[c, k]
            z[i] -= f * z[c]
    for i in range(K - 1, -1, -1):
        acc = z[i]
        for k in range(i + 1, K):
            acc -= A[i, k] * z[k]
        z[i] = acc / A[i, i]
    return True


@njit(**_JIT)
def _primal_ws(design, y, w, r, pf, l1, l2, ws, n_ws):
    """``P(w)`` up to the penalty of features outside ``ws`` (which do not move)."""
    rr, ry = residual_stats(design, y, w, r)
    pen = 0.0
    for k in range(n_ws):
        j = ws[k]
        pen += pf[j] * (l1 * abs(w[j]) + 0.5 * l2 * w[j] * w[j])
    return 0.5 * rr + pen


@njit(**_JIT)
def anderson_weights(buf, m, K, C, z):
    """Anderson weights of the ``K + 1`` rows of ``buf[:, :m]`` (iterates or residuals, oldest
    first).

    With ``U`` the ``K`` successive differences of the rows, solves ``(U U^T) z = 1`` and
    normalizes ``z`` to sum to one, so that ``sum_a z_a buf[a + 1]`` is the extrapolated point.
    Returns False when the system is singular or the weights do not normalize.
    """
    for a in range(K):
        for b in range(a, K):
            acc = 0.0
            for k in range(m):
                acc += (buf[a + 1, k] - buf[a, k]) * (buf[b + 1, k] - buf[b, k])
            C[a, b] = acc
            C[b, a] = acc
    if not _small_solve_ones(C, K, z):
        return False
    tot = 0.0
    for a in range(K):
        tot += z[a]
    if tot == 0.0 or not np.isfinite(tot):
        return False
    for a in range(K):
        z[a] /= tot
    return True


#: With a float32 residual, an Anderson candidate is kept when it lowers the objective by more
#: than this many units of float32 round-off (relative to the objective). The objective is
#: computed from the residual, whose round-off in float32 (about 1e-7 of it) is then the size
#: of the candidates' last gains: kept on noise, they stalled a float32 elastic net (120 x 90,
#: ill-conditioned) at max_iter with its duality gap 15x the tolerance, on a point whose
#: objective was within 1.5e-7 of the optimum's; with the margin it converged in 12561
#: epochs (14569 without extrapolation, as scikit-learn's 15064). Not in float64: there the
#: last gains are real, and the same margin (2e-15 of the objective) took a 40 x 120 fit at
#: tol=1e-12 from 1017 epochs to 3324.
ANDERSON_MARGIN = 8.0


def anderson_margin(r):
    """Compile-time: the objective's relative decrease an Anderson candidate must beat
    (:data:`ANDERSON_MARGIN` float32 units of round-off for a float32 residual, else 0)."""


@overload(anderson_margin, jit_options=_JIT)
def _anderson_margin(r):
    if r.dtype == types.float32:
        margin = ANDERSON_MARGIN * float(np.finfo(np.float32).eps)
        return lambda r: margin
    return lambda r: 0.0


@njit(**_JIT)
def anderson_step(design, y, w, r, pf, l1, l2, positive, ws, n_ws, hist, K, C, z, saved):
    """Anderson extrapolation of the last ``K + 1`` CD iterates on ``ws`` (Bertrand & Massias 2021).

    ``hist[:K+1, :n_ws]`` holds the iterates (restricted to ``ws``, one per row: an epoch
    writes its row contiguously). The extrapolated point is kept only if it lowers the
    objective (in float32, beyond its round-off: :data:`ANDERSON_MARGIN`); otherwise the
    iterate is left unchanged, and so is the residual: it is restored from ``saved`` (scratch,
    see :func:`save_residual`). Returns True if kept.
    """
    if not anderson_weights(hist, n_ws, K, C, z):
        return False
    p_old = _primal_ws(design, y, w, r, pf, l1, l2, ws, n_ws)
    for k in range(n_ws):
        acc = 0.0
        for a in range(K):
            acc += z[a] * hist[a + 1, k]
        if positive and acc < 0.0:
            return False
        hist[0, k] = acc  # candidate, stored in the (now unused) oldest slot
    save_residual(design, r, saved)
    for k in range(n_ws):
        j = ws[k]
        old = w[j]
        w[j] = hist[0, k]
        if w[j] != old:
            col_update(design, j, w[j] - old, r)
        hist[0, k] = old
    p_new = _primal_ws(design, y, w, r, pf, l1, l2, ws, n_ws)
    # lower by more than the objective's round-off (see ANDERSON_MARGIN)
    if p_new < p_old - anderson_margin(r) * abs(p_old):
        return True
    for k in range(n_ws):  # revert
        w[ws[k]] = hist[0, k]
    restore_residual(design, r, saved)
    return False


# A rejected step (Anderson, Newton) restores the residual it started from, not the residual
# minus the step's updates: those can be large (a nearly singular Anderson system extrapolates
# far), and in float32 ``r + a - a`` then loses the digits of r. On a 3 x 25 sparse float32
# lasso a rejected candidate left the residual 0.03 from ``z - Z w`` (3e-3 of ||z||): the
# coordinate descent then settled on a point 15% off its optimality conditions and its gap
# never reached the tolerance (tests/test_acceleration.py).
@njit(inline="always", **_JIT)
def save_residual(design, r, saved):
    """``saved[:n] = r`` (``n = r.shape[0]``), then the scalars of the layout's state that
    :func:`col_update` moves (the implicit centering's ``aux[:2]``): ``saved`` is float64 of
    length ``n + 2``."""
    n = r.shape[0]
    for i in range(n):
        saved[i] = r[i]
    centering_state(design, saved, n, False)


@njit(inline="always", **_JIT)
def restore_residual(design, r, saved):
    """Undo the moves since :func:`save_residual` wrote ``saved``: the state, exactly."""
    n = r.shape[0]
    for i in range(n):
        r[i] = saved[i]
    centering_state(design, saved, n, True)


def centering_state(design, saved, n, restore):
    """Store the implicit centering's ``aux[:2]`` in ``saved[n:n + 2]``, or with ``restore``
    load them back (nothing without centering)."""


@overload(centering_state, jit_options=_JIT)
def _centering_state(design, saved, n, restore):
    if _is_centered(design):

        def state(design, saved, n, restore):
            aux = design[6]
            if restore:
                aux[0] = saved[n]
                aux[1] = saved[n + 1]
            else:
                saved[n] = aux[0]
                saved[n + 1] = aux[1]

        return state
    return lambda design, saved, n, restore: None



# --------------------------------------------------------------------------------------------
# Dual extrapolation (celer): a better dual point from the last residuals
# --------------------------------------------------------------------------------------------
def has_residual(design):
    """Compile-time: does the layout keep a residual (dense, sparse) rather than a gradient (Gram)?"""


@overload(has_residual, jit_options=_JIT)
def _has_residual(design):
    if _is_gram(design):
        return lambda design: False
    return lambda design: True


def true_residual(design, r, out):
    """``out[:] = z - Z w`` (the residual the state ``r`` stands for)."""


@overload(true_residual, jit_options=_JIT)
def _true_residual(design, r, out):
    if _is_sparse(design):

        def csc(design, r, out):
            v = design[4]
            s = design[6][0]
            for i in range(r.shape[0]):
                out[i] = r[i] + s * v[i]

        return csc

    def plain(design, r, out):
        for i in range(r.shape[0]):
            out[i] = r[i]

    return plain


def plain_design(design, u):
    """A design whose ``col_dot(., j, u)`` is ``Z_j . u`` for a plain residual vector ``u``."""


@overload(plain_design, jit_options=_JIT)
def _plain_design(design, u):
    if _is_centered(design):

        def csc(design, u):
            data, indices, indptr, mean, v, c, aux = design
            q = 0.0
            for i in range(u.shape[0]):
                q += v[i] * u[i]
            return (data, indices, indptr, mean, v, c, np.array([0.0, q, aux[2]]))

        return csc
    return lambda design, u: design


@njit(**_JIT)
def extrapolated_dual(design, y, w, r, pf, l1, positive, gap, dual_norm, XtA, idx, n_idx,
                      rbuf, n_snap, K, C, zK, u, XtU, par):
    """Dual extrapolation (Massias et al. 2018) for the lasso: a dual point from the last residuals.

    ``rbuf[:n_snap]`` holds the last residuals (one per row, oldest first); once ``K + 1`` are
    stored, ``u = sum_k c_k r_k`` with Anderson weights, rescaled to be dual feasible, replaces
    the residual-based dual point when its dual value is higher. Any feasible dual point gives a
    valid duality gap of the full problem, so the stopping rule and Gap Safe screening stay exact.
    Returns ``(gap, dual_norm, n_snap)``; ``XtA`` then holds the correlations of the chosen point.
    """
    n = u.shape[0]
    if n_snap == K + 1:  # drop the oldest snapshot
        for k in range(K):
            for i in range(n):  # (a loop: see tests/test_kernel_source.py)
                rbuf[k, i] = rbuf[k + 1, i]
        n_snap = K
    true_residual(design, r, rbuf[n_snap])
    n_snap += 1
    if n_snap < K + 1:
        return gap, dual_norm, n_snap
    if not anderson_weights(rbuf, n, K, C, zK):
        return gap, dual_norm, n_snap
    uu = 0.0
    uy = 0.0
    rr = 0.0
    ry = 0.0
    for i in range(n):
        acc = 0.0
        for a in range(K):
            acc += zK[a] * rbuf[a + 1, i]
        u[i] = acc
        uu += acc * acc
        uy += acc * y[i]
        rc = rbuf[K, i]
        rr += rc * rc
        ry += rc * y[i]
    pd = plain_design(design, u)
    grad_pass(pd, u, idx, n_idx, XtU, par)
    dn_u = 0.0
    for k in range(n_idx):
        j = idx[k]
        if pf[j] > 0.0:
            val = XtU[j] / pf[j] if positive else abs(XtU[j]) / pf[j]
            if val > dn_u:
                dn_u = val
    s_u = l1 / dn_u if dn_u > l1 else 1.0
    d_u = s_u * uy - 0.5 * s_u * s_u * uu
    s_r = l1 / dual_norm if dual_norm > l1 else 1.0
    d_r = s_r * ry - 0.5 * s_r * s_r * rr
    if d_u > d_r:
        for k in range(n_idx):
            j = idx[k]
            XtA[j] = XtU[j]
        return gap - (d_u - d_r), dn_u, n_snap
    return gap, dual_norm, n_snap


# --------------------------------------------------------------------------------------------
# Newton steps on the support: the exact minimizer once the support and signs are known
# --------------------------------------------------------------------------------------------
def gram_block(design, rows, n_rows, cols, n_cols):
    """``Z_R^T Z_C`` for ``R = rows[:n_rows]``, ``C = cols[:n_cols]``: a new float64 array."""


def column_cost(design):
    """Entries a coordinate step reads: a column's length (dense), its mean number of stored
    entries (sparse) or the number of features (Gram: the update reads a column of ``G``)."""


@overload(gram_block, jit_options=_JIT)
def _gram_block(design, rows, n_rows, cols, n_cols):
    if isinstance(design, types.Array):

        def dense(design, rows, n_rows, cols, n_cols):
            n = design.shape[0]
            ZR = np.empty((n_rows, n), dtype=np.float64)  # row a is column rows[a]
            for a in range(n_rows):
                j = rows[a]
                for i in range(n):
                    ZR[a, i] = design[i, j]
            ZC = np.empty((n_cols, n), dtype=np.float64)
            for b in range(n_cols):
                j = cols[b]
                for i in range(n):
                    ZC[b, i] = design[i, j]
            return np.dot(ZR, ZC.T)  # BLAS

        return dense
    if _is_sparse(design):

        def csc(design, rows, n_rows, cols, n_cols):
            # Z_a^T Z_b = A_a^T A_b - mean_b c_a - mean_a c_b + mean_a mean_b (v.v): A_a is
            # scattered into a dense column once and A_a^T A_b read from b's stored entries
            data, indices, indptr, v = design[0], design[1], design[2], design[4]
            out = np.empty((n_rows, n_cols), dtype=np.float64)
            dense_col = np.zeros(v.shape[0], dtype=np.float64)
            for a in range(n_rows):
                ja = rows[a]
                for k in range(np.uintp(indptr[ja]), np.uintp(indptr[ja + 1])):
                    dense_col[np.uintp(indices[k])] = data[k]
                for b in range(n_cols):
                    jb = cols[b]
                    acc = 0.0
                    for k in range(np.uintp(indptr[jb]), np.uintp(indptr[jb + 1])):
                        acc += data[k] * dense_col[np.uintp(indices[k])]
                    out[a, b] = acc + centering_cross(design, ja, jb)
                for k in range(np.uintp(indptr[ja]), np.uintp(indptr[ja + 1])):
                    dense_col[np.uintp(indices[k])] = 0.0
            return out

        return csc
    if _is_gram(design):

        def gram(design, rows, n_rows, cols, n_cols):
            G = design[0]
            out = np.empty((n_rows, n_cols), dtype=np.float64)
            for a in range(n_rows):
                for b in range(n_cols):
                    out[a, b] = G[rows[a], cols[b]]
            return out

        return gram


def gram_block_cost(design, n_rows, n_cols):
    """Cost of :func:`gram_block` in coordinate-descent entries (see :data:`GEMM_COST`): dense,
    the BLAS product and the copies of its ``n_rows + n_cols`` columns that it multiplies (a
    block of a few new rows against many cached columns is mostly copies); sparse, a sparse
    dot product per entry; Gram, a read per entry."""


@overload(column_cost, jit_options=_JIT)
def _column_cost(design):
    if isinstance(design, types.Array):
        return lambda design: float(design.shape[0])
    if _is_sparse(design):
        return lambda design: max(1.0, design[0].shape[0] / (design[2].shape[0] - 1.0))
    return lambda design: float(design[0].shape[0])


@overload(gram_block_cost, jit_options=_JIT)
def _gram_block_cost(design, n_rows, n_cols):
    if isinstance(design, types.Array):
        return lambda design, n_rows, n_cols: (design.shape[0] * (GEMM_COST * n_rows * n_cols
                                                                 + n_rows + n_cols))
    if _is_sparse(design):
        return lambda design, n_rows, n_cols: n_rows * n_cols * column_cost(design)
    return lambda design, n_rows, n_cols: float(n_rows * n_cols)


#: Cholesky solves of one Newton step at most (each drops the coordinates whose sign changed)
NEWTON_SOLVES = 4
#: Cost of one entry of BLAS's Z_R^T Z_C and of a Cholesky flop, in coordinate-descent entries
#: (measured on dense 500 x 5000: an epoch reads about 6e9 column entries a second, the BLAS
#: product does 5e10 and a Cholesky factorization of order 470 2.5e10 flops a second)
GEMM_COST = 1.0 / 8.0
CHOLESKY_COST = 1.0 / 4.0
#: Updates of the factor (one feature in or out, O(k^2) each) between two factorizations
#: from scratch, which also bound the round-off the updates accumulate
MAX_FACTOR_UPDATES = 64


def make_newton_cache(n_features, max_size, n_samples=None):
    """The cache of :func:`newton_step` for at most ``max_size`` features, shared by the
    solves of a path (the solver takes ``None`` for no Newton steps). With ``n_samples``
    (dense and sparse layouts) the factored supports stay below it (``Z_S^T Z_S`` is singular
    beyond). Its pages are touched only as it fills."""
    size = min(n_features, max_size)
    face = size if n_samples is None else min(size, max(n_samples - 1, 0))
    return (np.empty((size, size), dtype=np.float64), np.full(n_features, -1, dtype=np.int64),
            np.empty(size, dtype=np.int64), np.zeros(6, dtype=np.float64),
            np.empty((face, face), dtype=np.float64), np.empty(face, dtype=np.int64),
            np.full(n_features if size else 0, -1, dtype=np.int64),
            np.empty(size, dtype=np.float64))


@njit(**_JIT)
def _columns_plan(supp, k, cache):
    """``(m, n_new)`` for :func:`_cache_columns` and ``S = supp[:k]``: the cached columns it
    keeps and the features of ``S`` it computes (``(0, k)`` when those do not fit next to the
    cached ones: the cache restarts from ``S``)."""
    pos = cache[1]
    m = np.int64(cache[3][0])
    n_new = 0
    for a in range(k):
        n_new += pos[supp[a]] < 0
    if n_new > 0 and m + n_new > cache[0].shape[0]:
        return np.int64(0), np.int64(k)
    return m, np.int64(n_new)


@njit(**_JIT)
def _columns_cost(design, m, n_new):
    """Cost of the plan ``(m, n_new)`` of :func:`_columns_plan`, in coordinate-descent
    entries: ``Z_N^T Z_(F+N)`` and ``Z_N^T z`` for the ``n_new`` features ``N``."""
    if n_new == 0:
        return 0.0
    return gram_block_cost(design, n_new, m + n_new) + n_new * column_cost(design)


@njit(**_JIT)
def _cache_columns(design, y, supp, k, cache):
    """Make ``Z_S^T Z_S`` and ``Z_S^T z`` (``S = supp[:k]``) part of the Gram cache, computing
    the missing columns (the cache restarts from ``S`` when they do not fit). Returns their
    cost in coordinate-descent entries, or -1 when ``S`` alone does not fit."""
    G, pos, feat, state = cache[0], cache[1], cache[2], cache[3]
    if k > G.shape[0] or k > cache[4].shape[0]:
        return -1.0
    m, n_new = _columns_plan(supp, k, cache)
    if n_new == 0:
        return 0.0
    if m < state[0]:  # restart the cache (and the factor, whose rows it indexes)
        for b in range(np.int64(state[0])):
            pos[feat[b]] = -1
        state[2] = 0.0
    new = np.empty(n_new, dtype=np.int64)
    q = 0
    for a in range(k):
        j = supp[a]
        if pos[j] < 0:
            new[q] = j
            pos[j] = m + q
            feat[m + q] = j
            q += 1
    block = gram_block(design, new, q, feat, m + q)
    for a in range(q):
        for b in range(m + q):
            G[m + a, b] = block[a, b]
            G[b, m + a] = block[a, b]
    zy, plain = cache[7], plain_design(design, y)
    for a in range(q):
        zy[m + a] = col_dot(plain, new[a], y)
    state[0] = m + q
    return _columns_cost(design, m, n_new)


@njit(**_JIT)
def _factor_from_scratch(cache, supp, k, l2, pf):
    """``U`` (upper triangular, ``U^T U = G_SS + l2 diag(pf_S)``) for ``S = supp[:k]``, in that
    order (LAPACK); False if not numerically positive definite."""
    G, pos, state, U, face = cache[0], cache[1], cache[3], cache[4], cache[5]
    A = np.empty((k, k), dtype=np.float64)
    for a in range(k):
        pa = pos[supp[a]]
        for b in range(k):
            A[a, b] = G[pa, pos[supp[b]]]
        A[a, a] += l2 * pf[supp[a]]
    state[2] = 0.0
    try:
        L = np.linalg.cholesky(A)
    except Exception:  # not positive definite
        return False
    for a in range(k):
        face[a] = supp[a]
        for b in range(a, k):
            U[a, b] = L[b, a]
    state[2] = k
    state[3] = l2
    state[4] = 0.0
    return True


@njit(**_JIT)
def _factor_remove(U, face, m, i):
    """Remove feature ``face[i]`` from the factored matrix ``U^T U`` of order ``m``: the rows
    below move up and the trailing block takes the removed row as a rank-one update."""
    for b in range(i, m - 1):
        face[b] = face[b + 1]
    x = U[i, i + 1:m].copy()
    for a in range(i):
        for b in range(i, m - 1):
            U[a, b] = U[a, b + 1]
    for a in range(i, m - 1):
        for b in range(a, m - 1):
            U[a, b] = U[a + 1, b + 1]
    for c in range(i, m - 1):  # U_33^T U_33 + x x^T, by rotations (LINPACK's dchud)
        xc = x[c - i]
        ucc = U[c, c]
        rad = np.sqrt(ucc * ucc + xc * xc)
        cos = rad / ucc
        sin = xc / ucc
        U[c, c] = rad
        for b in range(c + 1, m - 1):
            U[c, b] = (U[c, b] + sin * x[b - i]) / cos
            x[b - i] = cos * x[b - i] - sin * U[c, b]


@njit(**_JIT)
def _factor_append(cache, m, j, l2, pf):
    """Append feature ``j`` to the factor of order ``m``; False if the result is not
    numerically positive definite."""
    G, pos, U = cache[0], cache[1], cache[4]
    face = cache[5]
    pj = pos[j]
    for a in range(m):  # U^T u = G[face, j], forward
        acc = G[pos[face[a]], pj]
        for b in range(a):
            acc -= U[b, a] * U[b, m]
        U[a, m] = acc / U[a, a]
    d = G[pj, pj] + l2 * pf[j]
    for a in range(m):
        d -= U[a, m] * U[a, m]
    if not d > 1e-12 * (G[pj, pj] + l2 * pf[j]):
        return False
    U[m, m] = np.sqrt(d)
    face[m] = j
    return True


@njit(**_JIT)
def _factor_plan(cache, supp, k, l2):
    """How :func:`_factor_support` brings the factor to ``S = supp[:k]``: ``(n_out, n_in)``
    features to remove and append when a few differ from the factored ones (same ``l2``, and
    not too many updates since the last factorization), else ``(-1, -1)``: from scratch."""
    state, face, where = cache[3], cache[5], cache[6]
    m = np.int64(state[2])
    if not (m > 0 and state[3] == l2 and state[4] < MAX_FACTOR_UPDATES):
        return -1, -1
    for a in range(k):
        where[supp[a]] = a
    n_out = 0
    for c in range(m):
        n_out += where[face[c]] < 0
    for a in range(k):
        where[supp[a]] = -1
    n_in = k - (m - n_out)
    if n_out + n_in <= max(4, k // 16):
        return n_out, n_in
    return -1, -1


@njit(**_JIT)
def _factor_cost(n_out, n_in, k):
    """Cost of the plan ``(n_out, n_in)`` of :func:`_factor_plan` for a support of ``k``
    features, in coordinate-descent entries."""
    if n_out < 0:
        return CHOLESKY_COST * k * k * k / 3.0
    return (n_out + n_in) * float(k) * k


@njit(**_JIT)
def _factor_support(cache, supp, k, l2, pf):
    """Bring the factor to ``S = supp[:k]`` (in the order ``cache[5][:k]``), as
    :func:`_factor_plan` says. Returns ``(ok, cost)``, the cost in coordinate-descent entries."""
    state, face, where = cache[3], cache[5], cache[6]
    n_out, n_in = _factor_plan(cache, supp, k, l2)
    if n_out < 0:
        return _factor_from_scratch(cache, supp, k, l2, pf), _factor_cost(n_out, n_in, k)
    m = np.int64(state[2])
    for a in range(k):
        where[supp[a]] = a
    for c in range(m - 1, -1, -1):
        if where[face[c]] < 0:
            _factor_remove(cache[4], face, m, c)
            m -= 1
    for c in range(m):
        where[face[c]] = -1
    ok = True
    for a in range(k):
        j = supp[a]
        if where[j] >= 0:
            where[j] = -1
            if ok:
                ok = _factor_append(cache, m, j, l2, pf)
                m += 1
    state[2] = m if ok else 0.0
    state[4] += n_out + n_in
    return ok, _factor_cost(n_out, n_in, k)


@njit(**_JIT)
def _factor_solve(U, m, rhs, out):
    """``out[:m]`` solves ``U^T U x = rhs[:m]``."""
    for a in range(m):
        acc = rhs[a]
        for b in range(a):
            acc -= U[b, a] * out[b]
        out[a] = acc / U[a, a]
    for a in range(m - 1, -1, -1):
        acc = out[a]
        for b in range(a + 1, m):
            acc -= U[a, b] * out[b]
        out[a] = acc / U[a, a]


@njit(**_JIT)
def newton_step(design, y, w, r, pf, l1, l2, positive, supp, sgn, k, cache):
    """A Newton step on the support ``S = supp[:k]`` with signs ``s = sgn[:k]``, in place.

    ``S`` holds the non-zeros of ``w`` (with their signs) and may add features at zero
    expected to enter with the given sign. With the signs fixed, ``P`` restricted to a face
    ``T`` of ``S`` (the other coordinates zero) is a quadratic, minimized by the solution of
    ``(Z_T^T Z_T + l2 diag(pf_T)) w_T = Z_T^T z - l1 pf_T s_T`` (``Z_T^T z`` is
    cached with the Gram columns). Starting from ``T = S``, the coordinates whose sign the
    solution changes are set to zero and dropped, and the system is solved again
    (:data:`NEWTON_SOLVES` times at most). When ``T`` holds the optimum's support and signs,
    this is the exact solution, which coordinate descent only approaches geometrically (slowly
    on correlated columns); between two kinks of a path, the previous alpha's support gives it
    at once. The result is kept only if it lowers ``P``; a system that is not numerically
    positive definite stops the step.

    ``cache`` (from :func:`make_newton_cache`) is shared by the steps of a path:
    ``G, pos, feat`` hold ``Z_F^T Z_F`` for the features ``F = feat[:state[0]]`` seen so far
    (``pos[j]``: j's row, or -1) and ``zy`` (last) their ``Z_F^T z``, so that a path computes each Gram column once, as glmnet's
    covariance updates do; ``U, face`` the Cholesky factor ``U^T U`` of the last face solved,
    ``state[2]`` its order, ``state[3]`` its ``l2``, which the next step updates one feature
    in or out at O(k^2) each, as an active-set method does, instead of factoring anew
    (``state[4]`` counts the updates, ``where`` is scratch, all -1). ``state[1]`` is the
    steps' budget in coordinate-descent entries: the caller adds its epochs' reads, and each
    step subtracts what it cost. Returns 0 when ``w`` did not move, 2 when it moved to the
    minimizer of the face it kept, 1 when to the last solution with the coordinates it still
    contradicted set to zero.
    """
    state, where = cache[3], cache[6]
    cost = _cache_columns(design, y, supp, k, cache)
    if cost < 0.0:
        return 0
    pos, U, face, zy = cache[1], cache[4], cache[5], cache[7]
    rhs = np.empty(k, dtype=np.float64)  # Z_S^T z - l1 pf_S s_S, in the order of supp
    for a in range(k):
        j = supp[a]
        rhs[a] = zy[pos[j]] - l1 * pf[j] * sgn[a]
    ok, c = _factor_support(cache, supp, k, l2, pf)
    state[1] -= cost + c
    if not ok:
        return 0
    for a in range(k):
        where[supp[a]] = a
    m = k
    b_face = np.empty(k, dtype=np.float64)
    sol = np.empty(k, dtype=np.float64)
    for _ in range(NEWTON_SOLVES):
        for c in range(m):
            b_face[c] = rhs[where[face[c]]]
        _factor_solve(U, m, b_face, sol)
        state[1] -= m * m
        n_out = 0
        for c in range(m - 1, -1, -1):
            if not sol[c] * sgn[where[face[c]]] > 0.0:  # the sign changed: drop it
                _factor_remove(U, face, m - n_out, c)
                for b in range(c, m - n_out - 1):
                    sol[b] = sol[b + 1]
                n_out += 1
        state[1] -= n_out * float(m) * m
        state[4] += n_out
        m -= n_out
        state[2] = m
        if n_out == 0 or m == 0:
            break
    for a in range(k):
        where[supp[a]] = -1
    p_old = _primal_ws(design, y, w, r, pf, l1, l2, supp, k)
    old = np.empty(k, dtype=w.dtype)
    for a in range(k):
        old[a] = w[supp[a]]
        w[supp[a]] = 0.0
    for c in range(m):  # w_S <- the last solution on the face (coordinates dropped: zero)
        w[face[c]] = sol[c]
    saved = np.empty(r.shape[0] + 2, dtype=np.float64)  # (see save_residual)
    save_residual(design, r, saved)
    for a in range(k):
        j = supp[a]
        if w[j] != old[a]:
            col_update(design, j, w[j] - old[a], r)
    if _primal_ws(design, y, w, r, pf, l1, l2, supp, k) < p_old:
        return 2 if n_out == 0 else 1
    state[2] = 0.0  # start the next factor from scratch
    for a in range(k):  # revert
        w[supp[a]] = old[a]
    restore_residual(design, r, saved)
    return 0


@njit(**_JIT)
def try_newton(design, y, w, r, pf, l1, l2, positive, idx, n_idx, key, n_key, supp, sgn, cache,
               same_only, XtA, entering):
    """Record the signed support of ``w`` on ``idx[:n_idx]`` in ``key`` and take a
    :func:`newton_step` on it when the budget ``cache[3][1]`` covers a factorization (or, with
    a factor to update, a few updates) and, with ``same_only``, the support and signs are the
    ``n_key`` recorded before.

    With ``entering`` (a warm start, where ``XtA`` holds the gradient at ``w``), the features at
    zero that violate their optimality condition (``|Z_j^T r| > l1 pf_j``) join the step with
    the sign of their gradient, as a homotopy method would add them at a kink of the path,
    unless there are more of them than ``max(3, support / 16)`` (then they are more likely to
    leave again than to stay, and a cold start has thousands). Returns
    ``(support size, whether w moved)``.

    ``cache[3][5]`` is 1 while ``w`` is the minimizer of its support's face (a step ended
    there and the support has not changed since): another step would land on the same point,
    and is not taken (in float32 it would only trade the coordinate descent's progress for the
    rounding of its own solution). The caller resets it at each new alpha.
    """
    state = cache[3]
    n_s, same = same_support(w, idx, n_idx, key, n_key)
    if not same:
        state[5] = 0.0
    # (a support beyond the cache's faces is never factored: no plan to cost)
    max_face = cache[4].shape[0]
    if (same and state[5] == 1.0) or n_s > max_face:
        return n_s, False
    for a in range(n_s):
        supp[a] = abs(key[a]) - 1
        sgn[a] = 1.0 if key[a] > 0 else -1.0
    k = n_s
    if entering and l1 > 0.0:
        for m in range(n_idx):
            j = idx[m]
            if w[j] == 0.0 and pf[j] > 0.0 and k < supp.shape[0]:
                up = XtA[j] > l1 * pf[j]
                if up or (not positive and -XtA[j] > l1 * pf[j]):
                    supp[k] = j
                    sgn[k] = 1.0 if up else -1.0
                    k += 1
        if k - n_s > max(3, n_s // 16):
            k = n_s
    if k > max_face:
        return n_s, False
    # the factor (updated or from scratch) and the Gram columns not cached yet (on n > p
    # data, Z_S^T Z_S of a large support costs far more than its factorization)
    n_out, n_in = _factor_plan(cache, supp, k, l2)
    m_kept, n_new = _columns_plan(supp, k, cache)
    estimate = _factor_cost(n_out, n_in, k) + _columns_cost(design, m_kept, n_new)
    if (k == 0 or (same_only and not same) or state[1] < estimate
            or (has_residual(design) and k >= r.shape[0])):  # Z_S^T Z_S singular
        return n_s, False
    moved = newton_step(design, y, w, r, pf, l1, l2, positive, supp, sgn, k, cache)
    state[5] = 1.0 if moved == 2 else 0.0
    if moved:  # record the support the step ended on
        n_s, _ = same_support(w, idx, n_idx, key, np.int64(0))
    return n_s, moved > 0


# The solver's calls into the Newton steps, specialized on the cache's type: with ``None`` (the
# Gram layout, ``newton=False``) they compile to nothing, so that a fit without Newton steps
# does not compile them (they add about 10 s to a cold first fit)
def newton_on(cache):
    """Compile-time: are Newton steps on (``cache`` is not None)?"""


def newton_try(design, y, w, r, pf, l1, l2, positive, idx, n_idx, key, n_key, supp, sgn, cache,
               same_only, XtA, entering):
    """:func:`try_newton`, or ``(n_key, False)`` without a cache."""


def newton_credit(cache, work):
    """Add coordinate-descent ``work`` to the steps' budget."""


def newton_new_alpha(cache):
    """A new alpha: ``w`` is no face's minimizer (see :func:`try_newton`)."""


@overload(newton_on, jit_options=_JIT)
def _newton_on(cache):
    return (lambda cache: False) if _no_cache(cache) else (lambda cache: True)


@overload(newton_try, jit_options=_JIT)
def _newton_try(design, y, w, r, pf, l1, l2, positive, idx, n_idx, key, n_key, supp, sgn, cache,
                same_only, XtA, entering):
    if _no_cache(cache):
        return (lambda design, y, w, r, pf, l1, l2, positive, idx, n_idx, key, n_key, supp, sgn,
                cache, same_only, XtA, entering: (n_key, False))
    return (lambda design, y, w, r, pf, l1, l2, positive, idx, n_idx, key, n_key, supp, sgn,
            cache, same_only, XtA, entering: try_newton(
                design, y, w, r, pf, l1, l2, positive, idx, n_idx, key, n_key, supp, sgn, cache,
                same_only, XtA, entering))


@overload(newton_credit, jit_options=_JIT)
def _newton_credit(cache, work):
    if _no_cache(cache):
        return lambda cache, work: None

    def credit(cache, work):
        cache[3][1] += work

    return credit


@overload(newton_new_alpha, jit_options=_JIT)
def _newton_new_alpha(cache):
    if _no_cache(cache):
        return lambda cache: None

    def reset(cache):
        cache[3][5] = 0.0

    return reset


@njit(**_JIT)
def same_support(w, ws, n_ws, key, n_key):
    """Record the signed support of ``w`` on ``ws[:n_ws]`` in ``key`` (``+-(j + 1)`` in ``ws``
    order) and return ``(its size, whether it equals the ``n_key`` entries recorded before)``."""
    n = 0
    same = True
    for k in range(n_ws):
        j = ws[k]
        if w[j] != 0.0:
            s = j + 1 if w[j] > 0.0 else -(j + 1)
            same = same and n < n_key and key[n] == s
            key[n] = s
            n += 1
    return n, same and n == n_key


# Active-set cycling: sweeps of the non-zeros alone after each sweep of the whole working set.
# Measured (bench/paired.py, against no cycling): 34% less time on the dense 500x5000 single fit
# at alpha_max/100, 19% on its 100-alpha path, 8-10% on the sparse 20000x50000 single fit and
# path and on leukemia's path; 4 sweeps of the non-zeros per cycle gave the same times as 2.
CYCLE_EPOCHS = 2
# Cycling only when the non-zeros are at most 70% of the set beat 50% and 100% (dense 500x5000
# single fit 1.43x and 1.24x slower with those, leukemia path 1.07x and 1.09x).
CYCLE_MAX_FRACTION = 0.7


# --------------------------------------------------------------------------------------------
# The solver
# --------------------------------------------------------------------------------------------
# inline="always": enet_path_cd, the one caller of a fit, compiles this body inside itself
# rather than as a separate function that its module then links and optimizes again (cold
# first-fit compile times of both forms, and of the per-alpha calls before, were within this
# machine's noise: 16-24 s)
@njit(inline="always", **_JIT)
def enet_cd(design, y, w, r, col_norm2, pf, l1, l2, positive, max_iter, tol, tol_abs,
            screen, random, seed, gap_freq, grad, known, working_set=True, extrapolation=True,
            par=None, newton_cache=None, rows=None):
    """Minimize ``P(w)`` by coordinate descent, in place on ``w`` and ``r``.

    The algorithm (every part can be switched off; the stopping rule never changes):

    1. compute the duality gap of the full problem at the start point (``Z^T r`` for all
       features, except those ``known`` from the previous call) and stop if it is at most
       ``tol_abs``; with ``screen``, discard the features the
       Gap Safe sphere test proves zero (along a path the start point is the previous alpha's
       solution: this is sequential screening). With working sets, a warm start whose support
       is known while other gradients are not skips this step (the lazy start): its first
       working set comes from the known features, and the unknown ones are first read by the
       gap after the first round;
    2. with ``working_set`` (and ``l1 > 0``), pick the ``max(10, 1.5 nnz)`` features whose
       constraint the dual point is closest to violating (celer's priority; the support always
       enters), solve that sub-problem by CD to a duality gap of ``0.3`` times the full one (of
       ``tol_abs`` in a warm start's first round), then
       recompute the full gap, screen again and repeat with ``2 nnz`` features, or with 2x (4x
       when the support filled it) as many as before when the round did not halve the gap.
       Within a working set, active-set cycling (glmnet): each sweep of the whole set is
       followed by two sweeps of only the non-zeros it left, when those are at most 70% of it
       (dense and sparse layouts, cyclic selection; gap checks are triggered early only by a
       whole sweep). Without working sets the sub-problem is all non-screened features, swept
       whole, and its gap is the full gap;
    3. with ``extrapolation``, every 5 epochs an Anderson step combines the last 6 iterates
       and is kept only if it lowers the objective; for the lasso (``l2 == 0``, dense and
       sparse layouts) the residuals seen at the gap checks are extrapolated the same way into a
       dual point (celer's dual extrapolation), used when its dual value is higher (between
       working-set rounds only once the gap is within 100x of ``tol_abs``). The gap is then
       still a duality gap of the full problem, so the stopping rule is unchanged;
    4. with a ``newton_cache``, a Newton step on the support (:func:`newton_step`: the exact
       minimizer for the current non-zeros and signs) at a warm start, at its first gap check,
       and at each gap check where the support and signs have not changed since the previous
       one (:func:`try_newton`), whenever the coordinate descent done since the last step has
       cost as much as the step (one factorization, or a few updates of the last one).

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
        Maximum number of CD epochs (on working sets, counted over all sub-problems).
    tol : float
        Relative tolerance; the gap is checked when the largest coefficient change of an epoch
        is below ``tol`` times the largest coefficient (or every ``gap_freq`` epochs).
    tol_abs : float
        Stop when the duality gap of the full problem is at most ``tol_abs``
        (``tol * ||z||^2`` in scikit-learn).
    screen : bool
        Gap Safe screening each time the full gap is computed.
    random : bool
        Pick coordinates uniformly at random instead of cyclically.
    seed : int
        Seed of the coordinate sampler.
    gap_freq : int
        Compute the duality gap at least every ``gap_freq`` epochs.
    grad : ndarray of shape (n_features,), float64
    known : ndarray of shape (n_features,), bool
        Gradient carried between calls, updated in place: on entry ``grad[j] = Z_j^T r`` at the
        start ``w`` wherever ``known[j]``, and only the other columns are read by the first
        gap; on return the same holds at the returned ``w`` for the features the last full gap
        covered (not those screened out before it). Along a path the next alpha starts at this
        point, so its first gap reuses them: on a wide design where screening discards little
        this halves the full-gradient passes. Pass ``known`` all False to compute everything.
    working_set : bool, default=True
        Solve growing working sets (celer / skglm), cycling over their non-zeros, instead of
        sweeping all non-screened features.
    extrapolation : bool, default=True
        Anderson extrapolation of the CD iterates.
    par : None or int, default=None
        ``None`` for a serial full-gradient pass; an int to use the threaded one.
    newton_cache : tuple or None, default=None
        From :func:`make_newton_cache` (shared by the solves of a path), or None for no
        Newton steps (which are then not compiled).
    rows : tuple or None, default=None
        From :func:`make_row_cache` (sparse layout, float64; shared by the solves of a path):
        the gaps' full-gradient passes may then update a reference gradient through the rows
        that the change of ``w`` touches (:func:`rows_gradient`); None to read columns only.

    Returns
    -------
    gap : float
        Duality gap of the full problem at the returned ``w``.
    n_iter : int
        Number of epochs run.
    """
    n_features = w.shape[0]
    XtA = np.zeros(n_features, dtype=np.float64)
    active = np.arange(n_features)
    n_active = n_features
    if random:
        np.random.seed(seed)
    screen = screen and l1 > 0.0
    use_ws = working_set and l1 > 0.0

    ws = np.empty(n_features, dtype=np.int64)
    sub = np.empty(n_features, dtype=np.int64)
    n_cycle = 0
    # The lazy start: a warm start whose support is among the known gradients, with some
    # gradients unknown (along a path: the previous alpha's certifying gap covered the features
    # it had not screened out, and the others are unknown), takes its first working set from the
    # known features alone, with the gap of that sub-problem; the unknown ones were far from
    # their constraint at the previous alpha, and the first full gap, after the first round,
    # reads them. The start's gap would read them too, and its screening, from the previous
    # alpha's solution at a new alpha, is weak on wide data: on the 100-alpha paths of
    # bench/paired.py, with the first round's tolerance below, the paths took 0.77-0.85x the
    # time of a start's gap and screening (sparse 20000 x 50000, dense 500 x 5000, leukemia).
    # When every gradient is known the start's gap reads nothing, and its screening is kept
    # (taking the first working set from all of leukemia's 7129 known features instead made
    # its path 1.5x slower).
    nnz = 0
    n_cand = np.int64(0)
    lazy = use_ws and has_residual(design)  # (a Gram design's gradient costs no pass)
    if lazy:
        n_free = 0
        n_unknown = 0
        for j in range(n_features):
            nz = w[j] != 0.0
            nnz += nz
            lazy &= known[j] | (not nz)
            filled = col_norm2[j] > 0.0
            n_free += (pf[j] == 0.0) & filled
            n_unknown += (not known[j]) & filled
            sub[n_cand] = j
            n_cand += known[j] & filled
        lazy &= (nnz > 0) & (n_free == 0) & (n_unknown > 0)
    if lazy:  # (``sub`` holds the known features until the first round starts)
        for k in range(n_cand):
            j = sub[k]
            XtA[j] = grad[j]
        gap, dual_norm = gap_from_grad(design, y, w, r, pf, l1, l2, positive, XtA, sub, n_cand)
    else:
        gap, dual_norm = known_gap(design, y, w, r, col_norm2, pf, l1, l2, positive, tol_abs,
                                   XtA, active, n_active, par, grad, known, ws, rows)
        keep_grad(w, pf, l1, l2, XtA, active, n_active, grad, known)
        if gap <= tol_abs:
            return gap, 0
        if screen:
            n_active = gap_safe_screen(design, w, r, col_norm2, pf, l1, l2, positive, gap,
                                       dual_norm, XtA, active, n_active)

    K = 5
    prio = np.empty(n_features, dtype=np.float64)
    hist = np.empty((K + 1, 0), dtype=np.float64)
    C = np.empty((K, K), dtype=np.float64)
    zK = np.empty(K, dtype=np.float64)
    saved = np.empty(r.shape[0] + 2 if extrapolation else 0, dtype=np.float64)

    dual_extrap = extrapolation and l1 > 0.0 and l2 == 0.0 and has_residual(design)
    n_res = r.shape[0] if dual_extrap else 0
    rbuf = np.empty((K + 1, n_res), dtype=np.float64)
    u = np.empty(n_res, dtype=np.float64)
    XtU = np.empty(n_features if dual_extrap else 0, dtype=np.float64)
    n_snap = np.int64(0)

    # Newton steps on the support (see newton_step): the signed support at the last gap check
    newton = newton_on(newton_cache)
    key = np.empty(n_features if newton else 0, dtype=np.int64)
    n_key = 0
    supp = np.empty(n_features if newton else 0, dtype=np.int64)
    sgn = np.empty(n_features if newton else 0, dtype=np.float64)
    col_cost = column_cost(design)

    nnz = 0
    for j in range(n_features):
        if w[j] != 0.0:
            nnz += 1
    warm_check = nnz > 0  # (see the gap checks below)
    if newton:
        newton_new_alpha(newton_cache)
        # a warm start (along a path): the previous support's Newton solution, with the
        # features that now violate their optimality condition, is the solution exactly when
        # no other kink of the path lies between the two alphas
        n_key, moved = newton_try(design, y, w, r, pf, l1, l2, positive,
                                  sub if lazy else active, n_cand if lazy else n_active,
                                  key, 0, supp, sgn, newton_cache, False, XtA, True)
        if moved:
            known[:] = False
    # A warm start's first working set: its support and half as many features again. Along a
    # path the support grows a few percent per alpha, and the first round, solved to the full
    # tolerance, sweeps the set whole every third epoch: against twice the support (the later
    # rounds' size), bench/paired.py measured the sparse 20000x50000 and dense 500x5000 paths at
    # 0.94x the time (11 pairs; 566 against 561 epochs, and 665 for both), leukemia's at 0.99x;
    # with a quarter instead of half, 620 against 561 epochs and 0.94x, 689 / 665, and 1.04x.
    ws_size = max(10, nnz + nnz // 2)
    warm_round = nnz > 0
    n_iter = 0
    while True:
        full = (not use_ws) or ws_size >= n_active
        if full:
            n_ws = n_active
            for k in range(n_active):
                ws[k] = active[k]
            inner_tol = tol_abs
        else:
            n_ws = build_working_set(w, col_norm2, pf, l1, l2, positive, dual_norm, XtA,
                                     sub if lazy else active, n_cand if lazy else n_active,
                                     ws_size, ws, prio)
            # a warm start's first round: its working set holds the previous support and the
            # features closest to entering, usually the whole new support, and solving it to
            # the full tolerance lets the round's full gap certify the solve (one full gap per
            # alpha instead of two or three; alone, without the lazy start, 0.90-0.99x the
            # time of 0.3x the gap on the paths of bench/paired.py)
            inner_tol = tol_abs if warm_round else max(0.3 * gap, tol_abs)
        # (a warm round that stops lowering its gap ends: see the gap checks below)
        stall_ends = warm_round and not full
        lazy = False
        warm_round = False
        if extrapolation and hist.shape[1] < n_ws:
            hist = np.empty((K + 1, max(n_ws, 2 * hist.shape[1])), dtype=np.float64)
        n_hist = 0
        freq = gap_freq if full else min(gap_freq, 5)

        # ---- CD on the working set
        last_gap_in = np.inf
        inner_epoch = 0
        ws_grad = False
        sweep_all = True
        n_sub = 0
        while n_iter < max_iter:
            n_iter += 1
            inner_epoch += 1
            w_max = 0.0
            d_w_max = 0.0
            # active-set cycling (glmnet): after a sweep of the whole working set, CYCLE_EPOCHS
            # sweeps of the non-zeros it left (``sub``), when they are few enough to gain
            idx = ws if sweep_all else sub
            n_idx = n_ws if sweep_all else n_sub
            n_nz = 0
            for k in range(n_idx):
                j = np.uintp(idx[np.random.randint(0, n_idx)] if random else idx[k])
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
                # a full sweep records its non-zeros in order (n_nz <= k: never ahead of the
                # read); a sweep of ``sub`` rewrites it unchanged (branch-free, as measured faster)
                sub[n_nz] = j
                n_nz += (new != 0.0) | (not sweep_all)
            n_sub = n_nz
            newton_credit(newton_cache, 2.0 * n_idx * col_cost)
            if sweep_all:
                # (not in the Gram layout: there a zero that stays zero costs one read, and
                # cycling measured no faster on 2000x200 paths)
                cycle = (working_set and has_residual(design) and not random
                         and n_sub <= CYCLE_MAX_FRACTION * n_ws)
                n_cycle = CYCLE_EPOCHS if cycle else 0
            else:
                n_cycle -= 1
            if extrapolation:
                for k in range(n_ws):
                    hist[n_hist, k] = w[ws[k]]
                n_hist += 1
                if n_hist == K + 1:
                    anderson_step(design, y, w, r, pf, l1, l2, positive, ws, n_ws, hist, K, C, zK,
                                  saved)
                    n_hist = 0
            # (a sweep of the non-zeros alone says nothing about the others: no early check)
            if ((sweep_all and (w_max == 0.0 or d_w_max <= tol * w_max)) or n_iter == max_iter
                    or inner_epoch % freq == 0):
                if newton:
                    # the support and its signs did not change since the last check (or, from
                    # a warm start, this is the first check): try the exact solution for them
                    n_key, moved = newton_try(design, y, w, r, pf, l1, l2, positive, ws, n_ws,
                                              key, n_key, supp, sgn, newton_cache,
                                              not warm_check, XtA, False)
                    warm_check = False
                    if moved:
                        n_hist = 0
                if full:
                    gap, dual_norm = certified_gap(
                        design, y, w, r, col_norm2, pf, l1, l2, positive, tol_abs, XtA, active,
                        n_active, par)
                    keep_grad(w, pf, l1, l2, XtA, active, n_active, grad, known)
                    if dual_extrap and gap > tol_abs:
                        gap, dual_norm, n_snap = extrapolated_dual(
                            design, y, w, r, pf, l1, positive, gap, dual_norm, XtA, active,
                            n_active, rbuf, n_snap, K, C, zK, u, XtU, par)
                    if gap <= tol_abs:
                        return gap, n_iter
                    if screen:
                        n_new = gap_safe_screen(design, w, r, col_norm2, pf, l1, l2, positive,
                                                gap, dual_norm, XtA, active, n_active)
                        if n_new < n_active:
                            n_active = n_new
                            n_ws = n_active
                            for k in range(n_active):
                                ws[k] = active[k]
                            n_hist = 0
                            n_cycle = 0  # ``sub`` may hold screened features
                else:
                    gap_in, dn_in = certified_gap(
                        design, y, w, r, col_norm2, pf, l1, l2, positive, tol_abs, XtA, ws, n_ws,
                        None)
                    ws_grad = True  # XtA holds the working set's gradient at this point
                    if dual_extrap and gap_in > inner_tol:
                        gap_x, dn_in, n_snap = extrapolated_dual(
                            design, y, w, r, pf, l1, positive, gap_in, dn_in, XtA, ws, n_ws,
                            rbuf, n_snap, K, C, zK, u, XtU, None)
                        ws_grad = gap_x == gap_in  # else XtA holds the extrapolated point's
                        gap_in = gap_x
                    # A warm start's first round also ends when its gap stopped falling: its
                    # tolerance is the full one, and one the working set cannot reach (float32
                    # at tol=1e-10) held the round, without the features it lacks, until
                    # max_iter. (In every round, 310 -> 315 epochs on the dense 500x5000 single
                    # fit and 620 -> 650 on leukemia's, 1.1x and 5x the time.)
                    if gap_in <= inner_tol or (stall_ends and gap_in >= last_gap_in):
                        break
                    last_gap_in = gap_in
            sweep_all = n_cycle == 0  # the kind of the next sweep
        if full or n_iter >= max_iter:
            if full:  # out of epochs: screening may have moved w since the last gap
                known[:] = False
            else:
                gap, dual_norm = certified_gap(
                    design, y, w, r, col_norm2, pf, l1, l2, positive, tol_abs, XtA, active,
                    n_active, par)
                keep_grad(w, pf, l1, l2, XtA, active, n_active, grad, known)
            return gap, n_iter

        # ---- full gap (with the extrapolated dual point), screening, grow the working set
        prev_gap = gap
        # the round ended on its sub-problem's gap, which read the working set's columns at this
        # very point: the full gap reads only the others (ws is then free as scratch)
        if ws_grad:
            keep_grad(w, pf, l1, l2, XtA, ws, n_ws, grad, known)
        else:
            known[:] = False
        gap, dual_norm = known_gap(design, y, w, r, col_norm2, pf, l1, l2, positive, tol_abs, XtA,
                                   active, n_active, par, grad, known, ws, rows)
        keep_grad(w, pf, l1, l2, XtA, active, n_active, grad, known)
        if dual_extrap and tol_abs < gap < 1e2 * tol_abs:
            # Only near convergence: there a better dual point certifies the stop a round or more
            # earlier; far from it, it costs a full pass (X^T u) and rarely wins (measured: 5 of
            # the 10 tries failed on sparse 20000x50000, and skipping them there gained 17%).
            # The snapshot buffer carries the inner iterations' residuals: keep the sequence.
            gap, dual_norm, n_snap = extrapolated_dual(
                design, y, w, r, pf, l1, positive, gap, dual_norm, XtA, active, n_active, rbuf,
                n_snap, K, C, zK, u, XtU, par)
        if gap <= tol_abs:
            return gap, n_iter
        if screen:
            n_active = gap_safe_screen(design, w, r, col_norm2, pf, l1, l2, positive, gap,
                                       dual_norm, XtA, active, n_active)
        nnz = 0
        for k in range(n_active):
            if w[active[k]] != 0.0:
                nnz += 1
        # The working set follows the support (celer's pruning): twice the number of non-zeros,
        # so it shrinks again once the support settles (on a wide correlated design the last
        # rounds then cost half as much per epoch). It grows only when the round did not at
        # least halve the full gap (the sub-problem was solved to 0.3x, so the working set missed
        # features that matter): doubled, or quadrupled when the sub-problem's solution filled
        # 90% of it (the support is clearly larger: a cold start at a small alpha on sparse data
        # otherwise spends a dozen rounds, each with a full-gradient pass, growing from 10).
        # Growing every round instead reaches all features after a few rounds, and the remaining
        # epochs then cost a full pass each (10x more epochs than needed on wide designs).
        if gap > 0.5 * prev_gap:
            ws_size = max(2 * nnz, (4 if 10 * nnz >= 9 * n_ws else 2) * ws_size)
        else:
            ws_size = max(2 * nnz, 10)


@njit(**_JIT)
def enet_path_cd(design, y, w, r, col_norm2, pf, l1s, l2s, positive, max_iter, tol, tol_abs,
                 screen, random, seeds, gap_freq, grad, known, working_set, extrapolation, par,
                 newton_cache, rows, coefs, gaps, n_iters):
    """A warm-started path: :func:`enet_cd` at each ``(l1s[i], l2s[i])`` in turn, in one call.

    Each solve starts from the previous one's ``w``, ``r`` and kept gradient (``grad``,
    ``known``). One compiled loop instead of one Python call per alpha: the whole path then runs
    without the GIL, so the paths of a cross-validation share the cores (from Python, the
    per-alpha bookkeeping held the GIL about as long as a small Gram problem's solve took).

    Parameters
    ----------
    design, y, w, r, col_norm2, pf, positive, max_iter, tol, tol_abs, screen, random, gap_freq, \
grad, known, working_set, extrapolation, par, newton_cache, rows
        As in :func:`enet_cd` (``w``, ``r``, ``grad``, ``known`` updated in place).
    l1s, l2s : ndarray of shape (n_alphas,)
        Unscaled L1 and L2 strengths, in the order solved.
    seeds : ndarray of shape (n_alphas,), int64
        Seed of the coordinate sampler of each solve (used when ``random``).
    coefs : ndarray of shape (n_features, n_alphas)
        Zero on entry (only the non-zeros are written: a column of a C-ordered ``coefs`` is
        strided, one cache line per entry, and the zeros of a fresh ``np.zeros`` cost nothing
        until written).
    gaps : ndarray of shape (n_alphas,), float64
    n_iters : ndarray of shape (n_alphas,), int64
        Out: the solution, duality gap and number of epochs of each solve.
    """
    for i in range(l1s.shape[0]):
        gap, n_iter = enet_cd(design, y, w, r, col_norm2, pf, l1s[i], l2s[i], positive,
                              max_iter, tol, tol_abs, screen, random, seeds[i], gap_freq, grad,
                              known, working_set, extrapolation, par, newton_cache, rows)
        for j in range(w.shape[0]):
            if w[j] != 0.0:
                coefs[j, i] = w[j]
        gaps[i] = gap
        n_iters[i] = n_iter
