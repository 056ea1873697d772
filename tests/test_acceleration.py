"""Screening, working sets, extrapolation, Gram and threads of the elastic-net solver are exact.

Every trick can be switched off; the solutions with and without each one are the same to
tolerance (and the same as scikit-learn's), KKT conditions hold at every alpha of a path, and
adversarial problems where a naive rule would discard an active feature keep that feature.
"""

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.linear_model import ElasticNet as SkElasticNet
from sklearn.linear_model import enet_path as sk_enet_path

from fastreg import ElasticNet, Lasso, enet_path, lasso_path
from fastreg._kernels.cd import anderson_step, enet_cd, init_residual, make_newton_cache
from fastreg._path import prepare, solve_path

from _helpers import objective, toeplitz_design

TRICKS = ("screening", "working_set", "extrapolation", "newton")
# the path functions' switches also include how the full gradient is computed (sparse X)
PATH_TRICKS = TRICKS + ("incremental_gradient",)


def _switches(tricks):
    """All on, each one off, all off."""
    return [dict.fromkeys(tricks, True)] + [
        {t: (t != off) for t in tricks} for off in tricks
    ] + [dict.fromkeys(tricks, False)]


SWITCHES = _switches(TRICKS)
PATH_SWITCHES = _switches(PATH_TRICKS)


def _ids(sw):
    off = [t for t in sw if not sw[t]]
    return "all-on" if not off else "off:" + "+".join(off)


def _problem(kind, seed=0):
    rng = np.random.default_rng(seed)
    if kind == "wide":
        X = toeplitz_design(rng, 40, 120, 0.8)
    elif kind == "tall":  # Gram layout
        X = toeplitz_design(rng, 300, 15, 0.7)
    elif kind == "sparse":
        X = sparse.random(60, 150, density=0.1, format="csc", random_state=seed,
                          data_rvs=rng.standard_normal)
    else:
        raise ValueError(kind)
    beta = np.zeros(X.shape[1])
    beta[:: max(1, X.shape[1] // 8)] = rng.choice([-2.0, 1.0, 3.0], size=len(beta[:: max(1, X.shape[1] // 8)]))
    y = np.asarray(X @ beta).ravel() + 0.3 * rng.standard_normal(X.shape[0])
    return X, y


def _kkt_violation(X, y, coef, intercept, alpha, l1_ratio, sample_weight=None):
    """Largest violation of the elastic-net optimality conditions, relative to alpha * l1_ratio."""
    n = X.shape[0]
    sw = np.ones(n) if sample_weight is None else sample_weight * n / sample_weight.sum()
    r = sw * (y - np.asarray(X @ coef).ravel() - intercept)
    grad = np.asarray(X.T @ r).ravel() / n - alpha * (1 - l1_ratio) * coef
    lam = alpha * l1_ratio
    nz = coef != 0
    viol = np.zeros_like(coef)
    viol[nz] = np.abs(grad[nz] - lam * np.sign(coef[nz]))
    viol[~nz] = np.maximum(np.abs(grad[~nz]) - lam, 0)
    return viol.max() / lam


@pytest.mark.parametrize("kind", ["wide", "tall", "sparse"])
@pytest.mark.parametrize("switches", PATH_SWITCHES, ids=_ids)
def test_tricks_do_not_change_the_path(kind, switches):
    X, y = _problem(kind)
    kw = dict(l1_ratio=0.8, n_alphas=15, eps=1e-2, tol=1e-12, max_iter=100_000,
              fit_intercept=False)
    ref = sk_enet_path(X, y, l1_ratio=0.8, alphas=15, eps=1e-2, tol=1e-12,
                       max_iter=100_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every alpha must converge
        res = enet_path(X, y, **kw, **switches)
    np.testing.assert_allclose(res.alphas, ref[0], rtol=1e-12)
    scale = np.abs(ref[1]).max()
    np.testing.assert_allclose(res.coefs, ref[1], rtol=0, atol=1e-6 * scale)
    assert np.all(res.dual_gaps <= 1e-12 * (y @ y) / X.shape[0])


@pytest.mark.parametrize("switches", SWITCHES, ids=_ids)
def test_estimator_switches_same_solution(switches):
    X, y = _problem("wide", seed=3)
    sw = np.random.default_rng(3).uniform(0.5, 2, X.shape[0])
    base = Lasso(alpha=0.05, tol=1e-12, max_iter=100_000).fit(X, y, sample_weight=sw)
    model = Lasso(alpha=0.05, tol=1e-12, max_iter=100_000, **switches).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(model.coef_, base.coef_, atol=1e-7)
    np.testing.assert_allclose(model.intercept_, base.intercept_, atol=1e-7)
    assert model.get_params()["working_set"] == switches["working_set"]


@pytest.mark.parametrize("kind", ["wide", "tall", "sparse"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_kkt_at_every_alpha(kind, l1_ratio):
    X, y = _problem(kind, seed=1)
    sw = np.random.default_rng(1).uniform(0.2, 3, X.shape[0])
    res = enet_path(X, y, l1_ratio=l1_ratio, n_alphas=25, eps=1e-3, tol=1e-13,
                    max_iter=100_000, fit_intercept=True, sample_weight=sw)
    for k, alpha in enumerate(res.alphas):
        v = _kkt_violation(X, y, res.coefs[:, k], res.intercepts[k], alpha, l1_ratio, sw)
        assert v < 1e-4, (k, v)


@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
def test_active_set_cycling_with_screening_matches_sklearn(layout, l1_ratio):
    # Small designs whose supports are well under 70% of the working set, so that sweeps of the
    # non-zeros alone run between whole sweeps, on paths where screening also shrinks the set
    # in the middle of inner solves: the answers are scikit-learn's and satisfy KKT.
    for seed in range(12):
        rng = np.random.default_rng(seed)
        n, p = 30, 24 + seed
        X = toeplitz_design(rng, n, p, 0.5)
        beta = np.zeros(p)
        beta[rng.choice(p, 5, replace=False)] = rng.choice([-2.0, 1.0, 2.5], 5)
        y = X @ beta + 0.5 * rng.standard_normal(n)
        Xf = sparse.csc_matrix(X) if layout == "sparse" else X
        ref = sk_enet_path(X, y, l1_ratio=l1_ratio, alphas=20, eps=1e-3, tol=1e-12,
                           max_iter=100_000)
        res = enet_path(Xf, y, l1_ratio=l1_ratio, n_alphas=20, eps=1e-3, tol=1e-12,
                        max_iter=100_000)
        scale = np.abs(ref[1]).max()
        np.testing.assert_allclose(res.coefs, ref[1], rtol=0, atol=1e-6 * scale, err_msg=str(seed))
        for k, alpha in enumerate(res.alphas):
            assert _kkt_violation(X, y, res.coefs[:, k], 0.0, alpha, l1_ratio) < 1e-4, (seed, k)


@pytest.mark.parametrize("layout", ["dense", "sparse", "gram"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rejected_anderson_step_restores_the_residual_exactly(layout, dtype):
    """A rejected extrapolation leaves ``w`` and the residual state (with the sparse layout's
    centering scalars) bit for bit as they were: undoing its updates instead would leave
    ``r + a - a``, which in float32 loses the digits of r when the step was far."""
    rng = np.random.default_rng(0)
    Xd = rng.standard_normal((40 if layout != "gram" else 200, 12))
    y = Xd[:, :3] @ np.array([1.0, -2.0, 3.0]) + 0.5 * rng.standard_normal(Xd.shape[0])
    X = sparse.csc_matrix(Xd) if layout == "sparse" else Xd
    prep, design = prepare(X.astype(dtype), y.astype(dtype), fit_intercept=True,
                           precompute=layout == "gram")
    kd, ky = design.target(prep.y, None)
    w = rng.standard_normal(12).astype(dtype)
    r = init_residual(kd, ky, w)
    K = 5
    ws = np.arange(12, dtype=np.int64)
    hist = 1e4 * rng.standard_normal((K + 1, 12))  # iterates far away: a far candidate
    w0, r0 = w.copy(), r.copy()
    aux0 = kd[6].copy() if layout == "sparse" else None
    kept = anderson_step(kd, ky, w, r, np.ones(12), 0.1, 0.0, False, ws, 12, hist, K,
                         np.empty((K, K)), np.empty(K), np.empty(r.shape[0] + 2))
    assert not kept
    np.testing.assert_array_equal(w, w0)
    np.testing.assert_array_equal(r, r0)
    if layout == "sparse":
        np.testing.assert_array_equal(kd[6], aux0)


@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("seed", [4, 8, 18])
def test_float32_lasso_with_rejected_extrapolations_converges(layout, seed):
    """Three samples, 25 features, float32: before the residual was restored exactly, a
    rejected Anderson step left it 0.03 from ``z - Z w`` on these problems, and the fits
    stopped at max_iter on a point that violated its optimality conditions by up to 15%
    (scikit-learn converges on each of them)."""
    rng = np.random.default_rng(seed)
    Xd = rng.standard_normal((3, 25))
    y = Xd[:, :3] @ np.array([1.0, -2.0, 3.0]) + 0.5 * rng.standard_normal(3)
    alpha = np.abs(Xd.T @ y).max() / 3 / 100
    X = Xd.astype(np.float32)
    X = sparse.csc_matrix(X) if layout == "sparse" else X
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning
        fit = Lasso(alpha=alpha, fit_intercept=False, tol=1e-5, max_iter=3000).fit(
            X, y.astype(np.float32))
    coef = fit.coef_.astype(np.float64)
    Xr = Xd.astype(np.float32).astype(np.float64)
    grad = Xr.T @ (y.astype(np.float32) - Xr @ coef) / 3 / alpha
    nz = coef != 0
    assert nz.any()
    assert np.abs(grad[nz] - np.sign(coef[nz])).max() < 1e-2
    assert np.abs(grad[~nz]).max() < 1 + 1e-2


@pytest.mark.parametrize("precompute", [False, True])
def test_float32_anderson_steps_within_round_off_are_not_kept(precompute):
    """An ill-conditioned float32 elastic net (120 x 90, columns correlated at 0.9): when
    candidates that lowered the objective by less than its round-off were kept, the fit ran to
    max_iter with a gap far above the tolerance (scikit-learn converges in 7502 epochs)."""
    rng = np.random.default_rng(39)
    n, p = 120, 90
    X = 0.9 * rng.standard_normal((n, 1)) + 0.3 * rng.standard_normal((n, p))
    beta = rng.standard_normal(p) * (rng.random(p) < 0.3)
    y = X @ beta + 0.5 * rng.standard_normal(n) + 5
    Xc, yc = X - X.mean(0), y - y.mean()
    alpha = np.abs(Xc.T @ yc).max() / n / 0.7 / 100
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning
        fit = ElasticNet(alpha=alpha, l1_ratio=0.7, tol=1e-5, max_iter=30000,
                         precompute=precompute).fit(X.astype(np.float32), y.astype(np.float32))
    assert fit.coef_.dtype == np.float32

    ref = SkElasticNet(alpha=alpha, l1_ratio=0.7, tol=1e-12, max_iter=10**6).fit(X, y)
    best = objective(X, y, ref.coef_, ref.intercept_, alpha=alpha, l1_ratio=0.7)
    assert (objective(X, y, fit.coef_, fit.intercept_, alpha=alpha, l1_ratio=0.7) - best
            < 1e-5 * best)


def test_float32_stays_float32_and_matches():
    X, y = _problem("wide", seed=2)
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    m32 = ElasticNet(alpha=0.05, l1_ratio=0.7, tol=1e-7).fit(X32, y32)
    m64 = ElasticNet(alpha=0.05, l1_ratio=0.7, tol=1e-12, max_iter=100_000).fit(X, y)
    assert m32.coef_.dtype == np.float32
    np.testing.assert_allclose(m32.coef_, m64.coef_, atol=2e-3)


# ----------------------------------------------------------------------------- adversarial cases
def test_alpha_just_below_the_kink_keeps_the_entering_feature():
    """At alpha_max * (1 - 1e-6) exactly one feature is active, with a tiny coefficient."""
    X, y = _problem("wide", seed=4)
    n = X.shape[0]
    corr = X.T @ y / n
    j = int(np.argmax(np.abs(corr)))
    amax = np.abs(corr).max()
    alpha = amax * (1 - 1e-6)
    expected = (corr[j] - alpha * np.sign(corr[j])) * n / (X[:, j] @ X[:, j])
    for switches in SWITCHES:
        for precompute in (False, True):
            m = Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, precompute=precompute,
                      **switches).fit(X, y)
            assert np.flatnonzero(m.coef_).tolist() == [j], switches
            np.testing.assert_allclose(m.coef_[j], expected, rtol=1e-6)


def test_duplicated_columns_keep_the_pair():
    """Duplicated columns have identical scores: neither may be discarded by a rule on the pair."""
    X, y = _problem("wide", seed=5)
    j = int(np.argmax(np.abs(X.T @ y)))
    Xd = np.asfortranarray(np.column_stack([X, X[:, j], X[:, j]]))
    p = X.shape[1]
    alphas = np.geomspace(1, 1e-2, 12) * np.abs(X.T @ y).max() / X.shape[0]
    ref = lasso_path(X, y, alphas=alphas, tol=1e-13, max_iter=100_000,
                     working_set=False, screening=False, extrapolation=False)
    for switches in SWITCHES:
        res = lasso_path(Xd, y, alphas=alphas, tol=1e-13, max_iter=100_000, **switches)
        total = res.coefs[j] + res.coefs[p] + res.coefs[p + 1]
        np.testing.assert_allclose(total, ref.coefs[j], atol=1e-7)
        np.testing.assert_allclose(np.delete(res.coefs, [j, p, p + 1], 0),
                                   np.delete(ref.coefs, j, 0), atol=1e-7)
        assert np.all(total[1:] != 0)


def test_feature_active_only_through_correlation_is_kept():
    """A feature with a tiny marginal correlation but a large coefficient (its correlated twin
    cancels it): the sequential strong rule ``|x_j^T y| / n < 2 alpha - alpha_prev`` discards it,
    the safe rules and the working sets must not."""
    rng = np.random.default_rng(6)
    n = 80
    x0 = rng.standard_normal(n)
    x1 = x0 + 0.05 * rng.standard_normal(n)
    noise = rng.standard_normal((n, 30))
    X = np.asfortranarray(np.column_stack([x0, x1, noise]))
    X -= X.mean(0)
    y = 20 * (x1 - x0) + 0.5 * X[:, 5]
    y -= y.mean()
    n_corr = np.abs(X.T @ y) / n
    amax = n_corr.max()
    alphas = amax * np.geomspace(1, 1e-3, 40)
    res_plain = lasso_path(X, y, alphas=alphas, tol=1e-13, max_iter=200_000,
                           working_set=False, screening=False, extrapolation=False)
    k = int(np.argmax(np.abs(res_plain.coefs[0]) > 0))  # first alpha where x0 is active
    assert k > 0 and res_plain.coefs[0, k] != 0
    # premise: a strong rule from the previous alpha would drop x0 here
    assert n_corr[0] < 2 * alphas[k] - alphas[k - 1]
    for switches in SWITCHES:
        res = lasso_path(X, y, alphas=alphas, tol=1e-13, max_iter=200_000, **switches)
        assert np.all(res.coefs[0, k:] != 0)
        np.testing.assert_allclose(res.coefs, res_plain.coefs, atol=1e-6)
        for i, alpha in enumerate(alphas):
            assert _kkt_violation(X, y, res.coefs[:, i], 0.0, alpha, 1.0) < 1e-4


def test_unpenalized_and_positive_with_working_sets():
    X, y = _problem("wide", seed=7)
    pf = np.ones(X.shape[1])
    pf[[3, 50]] = 0.0
    for positive in (False, True):
        on = Lasso(alpha=0.1, penalty_factor=pf, positive=positive, tol=1e-12,
                   max_iter=100_000).fit(X, y)
        off = Lasso(alpha=0.1, penalty_factor=pf, positive=positive, tol=1e-12,
                    max_iter=100_000, working_set=False, extrapolation=False,
                    screening=False).fit(X, y)
        np.testing.assert_allclose(on.coef_, off.coef_, atol=1e-7)
        if positive:
            assert np.all(on.coef_ >= 0)
        else:  # unpenalized features are (generically) nonzero
            assert on.coef_[3] != 0 and on.coef_[50] != 0


@pytest.mark.parametrize("n_alphas", [1, 8])
def test_threaded_full_gradient_pass_matches_serial(n_alphas):
    from fastreg._kernels.cd import PAR_PASS_MIN_ENTRIES

    rng = np.random.default_rng(8)
    Xs = sparse.random(1000, 4000, density=0.06, format="csc", random_state=8,
                       data_rvs=rng.standard_normal)
    y = np.asarray(Xs[:, :20] @ rng.standard_normal(20)).ravel() + rng.standard_normal(1000)
    X = Xs.toarray()
    # a full pass is above the threshold of the threaded branch (smaller ones run serially)
    assert Xs.nnz >= PAR_PASS_MIN_ENTRIES and X.size >= PAR_PASS_MIN_ENTRIES
    for data in (X, Xs):
        prep, design = prepare(data, y, fit_intercept=True)
        alphas = np.geomspace(1, 1e-2, 8)[-n_alphas:] * np.abs(design.Zty).max() / X.shape[0]
        a = solve_path(prep, design, alphas, l1_ratio=1.0, tol=1e-12, max_iter=100_000,
                       n_threads=1)
        b = solve_path(prep, design, alphas, l1_ratio=1.0, tol=1e-12, max_iter=100_000,
                       n_threads=2)
        assert np.count_nonzero(a.coefs[:, -1]) > 50
        np.testing.assert_allclose(a.coefs, b.coefs, atol=1e-9 * np.abs(a.coefs).max())


@pytest.mark.parametrize("kind", ["wide", "tall", "sparse"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("unpenalized", [False, True], ids=["pf>0", "pf=0"])
def test_gradient_carried_along_the_path_is_exact(kind, l1_ratio, unpenalized):
    """Each alpha of a path starts from the gradient ``Z^T r`` that the previous alpha's last
    full gap computed at the same point (``grad`` / ``known`` of ``enet_cd``). The entries it
    keeps must be that gradient at the returned coefficients, and a solve that reuses them must
    end where a solve that recomputes every column ends."""
    X, y = _problem(kind, seed=4)
    n, p = X.shape
    sw = np.random.default_rng(4).uniform(0.2, 3, n)
    pf = np.ones(p)
    if unpenalized:
        pf[[1, 7]] = 0.0
    prep, design = prepare(X, y, fit_intercept=True, sample_weight=sw)
    kd, ky = design.target(prep.y, None)
    # the centered, weighted design and target the kernels work with, built explicitly
    s = np.sqrt(sw * n / sw.sum())
    Xd = X.toarray() if sparse.issparse(X) else X
    Z = s[:, None] * (Xd - prep.X_offset)
    z = s * (y - prep.y_offset)
    l1_max = np.abs(Z.T @ z)[pf > 0].max()
    w = np.zeros(p)
    r = init_residual(kd, ky, w)
    grad = np.empty(p)
    known = np.zeros(p, dtype=bool)
    tol_abs = 1e-12 * (z @ z)
    n_reused = 0
    for scale in np.geomspace(0.9, 1e-2, 12):
        alpha = scale * l1_max / max(l1_ratio, 0.5)
        l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
        n_reused += known.sum()
        args = (kd, ky)
        tail = (design.col_norm2, pf, l1, l2, False, 100_000, 1e-10, tol_abs, not unpenalized,
                False, 0, 10)
        w0, r0 = w.copy(), r.copy()
        gap0, _ = enet_cd(*args, w0, r0, *tail, np.empty(p), np.zeros(p, dtype=bool),
                          newton_cache=make_newton_cache(p, p))
        gap, _ = enet_cd(*args, w, r, *tail, grad, known, newton_cache=make_newton_cache(p, p))
        assert gap <= tol_abs and gap0 <= tol_abs
        np.testing.assert_allclose(w, w0, rtol=0, atol=1e-7 * max(1.0, np.abs(w0).max()))
        true_grad = Z.T @ (z - Z @ w)
        assert known.any()
        np.testing.assert_allclose(grad[known], true_grad[known], rtol=0,
                                   atol=1e-9 * np.abs(true_grad).max())
    assert n_reused > p // 2  # the later solves did start from kept entries


@pytest.mark.parametrize("kind", ["wide", "sparse"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_warm_start_from_known_gradients_finds_the_entering_features(kind, l1_ratio):
    """A warm start whose support is among the known gradients, with other gradients unknown,
    takes its first working set from the known ones alone (the features the previous alpha
    screened out are read only by the first full gap). Here the features that enter at the new
    alpha are all made unknown: the solve must still find them, and end where a solve that
    knows nothing ends."""
    X, y = _problem(kind, seed=8)
    n, p = X.shape
    prep, design = prepare(X, y, fit_intercept=False)
    kd, ky = design.target(prep.y, None)
    Z = X.toarray() if sparse.issparse(X) else X
    l1_max = np.abs(Z.T @ y).max() / max(l1_ratio, 0.5)
    tol_abs = 1e-13 * (y @ y)

    def solve(w, grad, known, scale):
        alpha = scale * l1_max
        r = init_residual(kd, ky, w)
        gap, _ = enet_cd(kd, ky, w, r, design.col_norm2, np.ones(p), alpha * l1_ratio,
                         alpha * (1 - l1_ratio), False, 100_000, 1e-10, tol_abs, True, False, 0,
                         10, grad, known)
        assert gap <= tol_abs
        return w

    n_checked = 0
    for scales in ((0.5, 0.3), (0.2, 0.1), (0.1, 0.03)):
        w1 = solve(np.zeros(p), np.empty(p), np.zeros(p, dtype=bool), scales[0])
        ref = solve(np.zeros(p), np.empty(p), np.zeros(p, dtype=bool), scales[1])
        entering = (w1 == 0) & (ref != 0)
        assert entering.any()
        grad = Z.T @ (y - Z @ w1)
        known = ~entering  # the support of w1 is known, the entering features are not
        w = solve(w1.copy(), grad, known, scales[1])
        assert np.all(w[entering] != 0)
        np.testing.assert_allclose(w, ref, rtol=0, atol=1e-7 * np.abs(ref).max())
        true_grad = Z.T @ (y - Z @ w)
        np.testing.assert_allclose(grad[known], true_grad[known], rtol=0,
                                   atol=1e-9 * np.abs(true_grad).max())
        n_checked += entering.sum()
    assert n_checked >= 3


@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("screening", [True, False])
def test_empty_column_with_working_sets(layout, screening):
    """An all-zero column can never enter; without screening to drop it, the working set's
    priority must still rank it (it divided by its zero norm)."""
    X, y = _problem("wide", seed=9)
    X = X.copy()
    X[:, [4, 30]] = 0.0
    X = sparse.csc_matrix(X) if layout == "sparse" else np.asfortranarray(X)
    res = lasso_path(X, y, n_alphas=12, eps=1e-2, tol=1e-12, max_iter=100_000,
                     screening=screening)
    ref = sk_enet_path(X, y, l1_ratio=1.0, alphas=res.alphas, tol=1e-13, max_iter=100_000)
    np.testing.assert_allclose(res.coefs, ref[1], rtol=0, atol=1e-7 * np.abs(ref[1]).max())
    assert np.all(res.coefs[[4, 30]] == 0)


@pytest.mark.parametrize("kind", ["wide", "sparse"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_reported_gap_bounds_the_suboptimality(kind, l1_ratio):
    """At loose tolerances a solve stops after a few working-set rounds, on a gap that reuses the
    last round's gradients and may come from an extrapolated dual point: whatever it reports
    must still bound ``P(w) - P*`` (``P*`` from scikit-learn at ``tol=1e-13``)."""
    from sklearn.linear_model import ElasticNet as SkElasticNet

    n_checked = 0
    for seed in range(6):
        X, y = _problem(kind, seed=10 + seed)
        n = X.shape[0]
        Xd = X.toarray() if sparse.issparse(X) else X
        amax = np.abs(Xd.T @ (y - y.mean())).max() / (n * l1_ratio)
        for frac in (0.2, 0.05, 0.01):
            alpha = frac * amax

            def objective(coef, intercept):
                r = y - Xd @ coef - intercept
                return (r @ r / (2 * n) + alpha * l1_ratio * np.abs(coef).sum()
                        + 0.5 * alpha * (1 - l1_ratio) * coef @ coef)

            ref = SkElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-13,
                               max_iter=1_000_000).fit(Xd, y)
            p_star = objective(ref.coef_, ref.intercept_)
            for tol in (1e-2, 1e-3, 1e-4):
                m = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol).fit(X, y)
                excess = objective(m.coef_, m.intercept_) - p_star
                assert excess <= m.dual_gap_ + 1e-12 * p_star, (seed, frac, tol, excess)
                n_checked += excess > 0.01 * m.dual_gap_  # a bound with something to bound
    assert n_checked > 0


@pytest.mark.parametrize("kind", ["wide", "sparse"])
@pytest.mark.parametrize("working_set", [True, False])
def test_kept_gradient_is_current_after_running_out_of_epochs(kind, working_set):
    """A solve stopped by ``max_iter`` (screening may move ``w`` after its last gap) keeps only
    entries that are the gradient at the returned point."""
    X, y = _problem(kind, seed=5)
    n, p = X.shape
    prep, design = prepare(X, y, fit_intercept=False)
    kd, ky = design.target(prep.y, None)
    Z = X.toarray() if sparse.issparse(X) else X
    l1 = 0.05 * np.abs(Z.T @ y).max()
    for max_iter in (1, 2, 3, 7):
        w = np.zeros(p)
        r = init_residual(kd, ky, w)
        grad = np.empty(p)
        known = np.zeros(p, dtype=bool)
        gap, n_iter = enet_cd(kd, ky, w, r, design.col_norm2, np.ones(p), l1, 0.0, False,
                              max_iter, 1e-14, 1e-14 * (y @ y), True, False, 0, 1, grad, known,
                              working_set)
        assert n_iter == max_iter  # stopped early, as intended
        true_grad = Z.T @ (y - Z @ w)
        np.testing.assert_allclose(grad[known], true_grad[known], rtol=0,
                                   atol=1e-10 * np.abs(true_grad).max())


@pytest.mark.parametrize("name", TRICKS)
def test_bad_switch_raises(name):
    X, y = _problem("wide")
    with pytest.raises(ValueError, match=name):
        Lasso(**{name: "yes"}).fit(X, y)


def test_kth_smallest_is_the_sorted_entry():
    from fastreg._kernels.cd import kth_smallest

    rng = np.random.default_rng(0)
    for n in (1, 2, 3, 10, 101):
        for a in (rng.standard_normal(n), rng.integers(0, 3, n).astype(float),
                  np.where(rng.random(n) < 0.5, -np.inf, rng.standard_normal(n))):
            ref = np.sort(a)
            for k in range(n):
                assert kth_smallest(a.copy(), k) == ref[k]
    # long arrays take the sampled bracket; the last one is built so that the sample misses
    n = 50_000
    stride = n // 1024
    fooled = np.zeros(n)
    fooled[::stride] = 1.0 + rng.random(fooled[::stride].shape[0])
    for a in (rng.standard_normal(n), rng.integers(0, 5, n).astype(float),
              np.where(rng.random(n) < 0.3, -np.inf, rng.standard_normal(n)),
              np.sort(rng.standard_normal(n)), fooled):
        ref = np.sort(a)
        for k in [0, 1, n // 2, n - 2, n - 1, *rng.integers(0, n, 20)]:
            assert kth_smallest(a.copy(), k) == ref[k], k


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_csc_column_stats_match_scipy(dtype):
    from fastreg._kernels.cd import csc_column_stats

    rng = np.random.default_rng(1)
    A = sparse.random(300, 200, density=0.05, format="lil", random_state=2, dtype=dtype)
    A[:, 7] = 0  # an empty column
    A = sparse.csc_matrix(A)
    z, v = rng.standard_normal(300), rng.random(300)
    sq, az, av = csc_column_stats(A.data, A.indices, A.indptr, z, v, True)
    A64 = A.astype(np.float64)
    np.testing.assert_allclose(sq, np.asarray(A64.multiply(A64).sum(axis=0)).ravel(), rtol=1e-12)
    np.testing.assert_allclose(az, A64.T @ z, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(av, A64.T @ v, rtol=1e-10, atol=1e-12)
    assert sq[7] == az[7] == av[7] == 0.0
    _, _, none = csc_column_stats(A.data, A.indices, A.indptr, z, v, False)
    assert not none.any()


def test_thread_choice_rule(monkeypatch):
    """Threads for passes over at least _THREAD_MIN_SIZE entries (_THREAD_MIN_SPARSE stored
    entries of sparse data) only, never off the main thread."""
    import threading

    import numba

    import fastreg._path
    from fastreg._path import _thread_choice

    big = sparse.random(2000, 2000, density=0.06, format="csc", random_state=0)  # 2.4e5 nnz
    small = sparse.random(2000, 2000, density=0.01, format="csc", random_state=0)
    y = np.ones(2000)
    designs = {name: prepare(X, y, fit_intercept=False)[1]
               for name, X in (("big", big), ("small", small), ("dense", big.toarray()))}
    for d in designs.values():  # the default thresholds (2e7; 5e5 sparse)
        assert _thread_choice(None, d, 2000, 2000) is None
    n_threads = numba.get_num_threads()
    expected = n_threads if n_threads > 1 else None
    monkeypatch.setattr(fastreg._path, "_THREAD_MIN_SPARSE", 100_000)  # sparse
    assert _thread_choice(None, designs["big"], 2000, 2000) == expected
    assert _thread_choice(None, designs["dense"], 2000, 2000) is None  # 4e6 < 2e7 entries
    assert _thread_choice(None, designs["small"], 2000, 2000) is None  # 4e4 non-zeros
    monkeypatch.setattr(fastreg._path, "_THREAD_MIN_SIZE", 100_000)
    assert _thread_choice(None, designs["dense"], 2000, 2000) == expected  # 4e6 entries
    assert _thread_choice(None, designs["small"], 2000, 2000) is None
    assert _thread_choice(1, designs["big"], 2000, 2000) is None
    seen = []
    t = threading.Thread(
        target=lambda: seen.append(_thread_choice(None, designs["big"], 2000, 2000)))
    t.start()
    t.join()
    assert seen == [None]
