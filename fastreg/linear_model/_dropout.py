"""Linear regression trained with dropout on its inputs."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from .._dropout import dropout
from .._ridge import ridge_solve
from .._validation import check_choice, check_interval, check_sample_weight, validate_X_y
from ._base import LinearRegressorBase

__all__ = ["DropoutRegressor", "marginalized_dropout_penalty"]


def marginalized_dropout_penalty(X, p, sample_weight=None):
    """Diagonal ``d_j = p / (1 - p) * sum_i s_i x_ij**2`` of the marginalized dropout penalty.

    ``x_ij`` are the raw (uncentered) inputs, since dropout acts on the raw inputs.
    """
    X2 = X * X
    sq = X2.sum(axis=0) if sample_weight is None else sample_weight @ X2
    return (p / (1.0 - p)) * sq


class DropoutRegressor(LinearRegressorBase):
    """Linear regression trained with (inverted) dropout on its inputs.

    Each input ``x_ij`` is replaced by ``x_ij * m_ij / (1 - p)`` with independent
    ``m_ij ~ Bernoulli(1 - p)``, and the model minimizes the expected squared loss

        L(w, b) = 1 / (2 sum_i s_i) * sum_i s_i E_m[(y_i - b - sum_j x_ij m_ij w_j / (1 - p))**2]

    (``s_i`` are the sample weights, 1 by default). Since ``E[m_ij / (1 - p)] = 1`` and
    ``Var[m_ij / (1 - p)] = p / (1 - p)``, the expectation is a ridge with a data-dependent penalty
    (Wager, Wang & Liang 2013; Srivastava et al. 2014, section 9.1):

        L(w, b) = 1 / (2 sum_i s_i) * [ sum_i s_i (y_i - b - x_i w)**2
                                        + p / (1 - p) * sum_j (sum_i s_i x_ij**2) w_j**2 ],

    where ``x_ij`` are the raw (uncentered) inputs. With ``d_j = p/(1-p) sum_i s_i x_ij**2`` this is an
    ordinary ridge with ``alpha = 1`` on the features ``x_j / sqrt(d_j)``, whose coefficients are
    ``sqrt(d_j) w_j``.

    Parameters
    ----------
    p : float in [0, 1), default=0.5
        Drop probability of each input.
    solver : {'marginalized', 'sgd'}, default='marginalized'
        'marginalized' solves the expected objective above in closed form. 'sgd' runs mini-batch
        stochastic gradient descent, passing each batch's inputs through :func:`fastreg.dropout`;
        its iterates approach the marginalized solution as the step size decreases.
    fit_intercept : bool, default=True
    batch_size : int, default=32
        'sgd' only: samples per mini-batch.
    eta0 : float, default=0.05
        'sgd' only: initial step size (on features rescaled to unit root-mean-square, which leaves the
        dropout objective unchanged).
    learning_rate : {'invscaling', 'constant'}, default='invscaling'
        'sgd' only: step ``eta0 / (epoch + 1) ** power_t`` or constant ``eta0``.
    power_t : float, default=0.5
        'sgd' only: exponent of 'invscaling'.
    max_iter : int, default=1000
        'sgd' only: maximum number of epochs.
    tol : float or None, default=1e-4
        'sgd' only: stop when the monitored loss has not improved by ``tol`` for ``n_iter_no_change``
        consecutive epochs (training dropout loss, or validation loss with ``early_stopping``).
        ``None`` runs ``max_iter`` epochs.
    early_stopping : bool, default=False
        'sgd' only: monitor the squared error on a held-out ``validation_fraction`` of the data, and
        keep the coefficients with the best validation score.
    validation_fraction : float in (0, 1), default=0.1
    n_iter_no_change : int, default=5
    shuffle : bool, default=True
        'sgd' only: shuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        'sgd' only: seeds the shuffling, the validation split and the dropout masks.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int
        Epochs run ('sgd'); 1 for 'marginalized'.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape ``(n_features_in_,)``

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg import DropoutRegressor
    >>> X = np.random.default_rng(0).standard_normal((100, 3))
    >>> y = X @ np.array([1.0, 2.0, 0.0]) + 0.5
    >>> reg = DropoutRegressor(p=0.2).fit(X, y)
    >>> np.round(reg.coef_, 2)  # shrunk by about 1 - p
    array([0.81, 1.6 , 0.02])
    """

    def __init__(
        self,
        p=0.5,
        *,
        solver="marginalized",
        fit_intercept=True,
        batch_size=32,
        eta0=0.05,
        learning_rate="invscaling",
        power_t=0.5,
        max_iter=1000,
        tol=1e-4,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        shuffle=True,
        random_state=None,
    ):
        self.p = p
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.batch_size = batch_size
        self.eta0 = eta0
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.max_iter = max_iter
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.regressor_tags.poor_score = True
        tags.input_tags.sparse = False
        return tags

    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : DropoutRegressor
        """
        name = type(self).__name__
        p = check_interval(self.p, "p", owner=name, low=0.0, high=1.0, closed="left")
        solver = check_choice(self.solver, "solver", ("marginalized", "sgd"), owner=name)
        X, y = validate_X_y(self, X, y, accept_sparse=False, order="C")
        sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        if solver == "marginalized":
            self.coef_, self.intercept_ = self._fit_marginalized(X, y, p, sw)
            self.n_iter_ = 1
        else:
            self._fit_sgd(X, y, p, sw, name)
        return self

    def _fit_marginalized(self, X, y, p, sw):
        """fastreg's ridge (``alpha = 1``) on the features ``x_j / sqrt(d_j)``, mapped back by
        ``w_j = v_j / sqrt(d_j)``; the intercept is unchanged by the rescaling.

        Columns with ``d_j = 0`` are all zero (``w_j = 0``). With ``p = 0`` every ``d_j`` is zero and
        the objective is least squares: ridge with ``alpha = 0`` (minimum norm when rank deficient).
        """
        if p == 0.0:
            return ridge_solve(X, y, 0.0, fit_intercept=self.fit_intercept, sample_weight=sw)[:2]
        d = marginalized_dropout_penalty(X.astype(np.float64), p, sw)
        active = d > 0
        t = 1 if y.ndim == 1 else y.shape[1]
        coef = np.zeros((t, X.shape[1]), dtype=X.dtype)
        if active.any():
            sqrt_d = np.sqrt(d[active])
            v, intercept, _ = ridge_solve(X[:, active] / sqrt_d, y, 1.0,
                                          fit_intercept=self.fit_intercept, sample_weight=sw)
            coef[:, active] = v.reshape(t, -1) / sqrt_d
        elif self.fit_intercept:  # no usable feature: the (weighted) mean of y
            intercept = np.average(y, axis=0, weights=sw)
        else:
            intercept = np.zeros(y.shape[1:])
        if y.ndim == 1:
            return coef[0], X.dtype.type(np.asarray(intercept).reshape(-1)[0])
        return coef, np.asarray(intercept, dtype=X.dtype).reshape(t)

    def _fit_sgd(self, X, y, p, sw, name):
        batch_size = check_interval(self.batch_size, "batch_size", owner=name, kind=Integral, low=1)
        eta0 = check_interval(self.eta0, "eta0", owner=name, low=0.0, closed="neither")
        schedule = check_choice(self.learning_rate, "learning_rate", ("invscaling", "constant"), owner=name)
        power_t = check_interval(self.power_t, "power_t", owner=name, low=0.0)
        max_iter = check_interval(self.max_iter, "max_iter", owner=name, kind=Integral, low=1)
        tol = check_interval(self.tol, "tol", owner=name, low=0.0, allow_none=True)
        vf = check_interval(self.validation_fraction, "validation_fraction", owner=name, low=0.0, high=1.0, closed="neither")
        n_no_change = check_interval(self.n_iter_no_change, "n_iter_no_change", owner=name, kind=Integral, low=1)
        rs = check_random_state(self.random_state)
        dtype = X.dtype
        n, n_features = X.shape
        Y = y.reshape(n, -1)
        w_s = np.ones(n, dtype=dtype) if sw is None else sw

        idx_train = np.arange(n)
        idx_val = None
        if self.early_stopping:
            if n < 2:
                raise ValueError(f"early_stopping needs at least 2 samples; got {n} sample.")
            n_val = int(np.ceil(vf * n))
            if n_val < 1 or n_val >= n:
                raise ValueError(
                    f"The validation_fraction={vf} leaves {n - n_val} training and {n_val} validation "
                    f"samples out of {n}; both must be at least 1."
                )
            perm = rs.permutation(n)
            idx_val, idx_train = np.sort(perm[:n_val]), np.sort(perm[n_val:])

        # Column rescaling by the root-mean-square keeps the dropout objective (the mask acts on each
        # input multiplicatively) and conditions SGD; coefficients are mapped back at the end.
        Xt = X[idx_train]
        rms = np.sqrt(np.mean(Xt.astype(np.float64) ** 2, axis=0))
        rms[rms == 0] = 1.0
        Xs = (X / rms).astype(dtype)
        Xtr, Ytr, swtr = Xs[idx_train], Y[idx_train], w_s[idx_train]
        mean_sw = float(swtr.mean())
        ntr = Xtr.shape[0]

        # With an intercept, SGD runs on (c, w) with prediction c + (dropout(x) - xbar) w, i.e.
        # b = c - xbar w: the same objective, better conditioned (the centered inputs have mean 0).
        xbar = np.zeros(n_features, dtype=dtype)
        W = np.zeros((Y.shape[1], n_features), dtype=np.float64)
        b = np.zeros(Y.shape[1], dtype=np.float64)
        if self.fit_intercept:
            xbar = np.average(Xtr, axis=0, weights=swtr).astype(dtype)
            b[:] = np.average(Ytr, axis=0, weights=swtr)
        base_seed = int(rs.randint(0, 2**62))
        n_batches = (ntr + batch_size - 1) // batch_size
        best = np.inf
        best_Wb = (W.copy(), b.copy())
        no_change = 0
        epoch = 0
        for epoch in range(max_iter):
            eta = eta0 if schedule == "constant" else eta0 / (epoch + 1) ** power_t
            order = rs.permutation(ntr) if self.shuffle else np.arange(ntr)
            loss = 0.0
            for bi in range(n_batches):
                rows = order[bi * batch_size : (bi + 1) * batch_size]
                Xb = dropout(Xtr[rows], p, seed=base_seed + epoch * n_batches + bi)
                if self.fit_intercept:
                    Xb -= xbar
                s = swtr[rows]
                R = Xb @ W.T + b - Ytr[rows]  # (batch, n_targets)
                sR = R * s[:, None]
                scale = 1.0 / (rows.shape[0] * mean_sw)
                W -= eta * scale * (sR.T @ Xb)
                if self.fit_intercept:
                    b -= eta * scale * sR.sum(axis=0)
                loss += float((sR * R).sum())
            if self.early_stopping:
                Rv = (Xs[idx_val] - xbar) @ W.T + b - Y[idx_val]
                score = float((w_s[idx_val][:, None] * Rv * Rv).sum() / w_s[idx_val].sum()) / 2
            else:
                score = loss / (2 * ntr * mean_sw)
            if not np.isfinite(score):
                raise ValueError(
                    "SGD diverged (non-finite loss); lower eta0 or use learning_rate='invscaling'."
                )
            if tol is not None and score > best - tol:
                no_change += 1
            else:
                no_change = 0
            if score < best:
                best = score
                best_Wb = (W.copy(), b.copy())
            if tol is not None and no_change >= n_no_change:
                break
        else:
            if tol is not None:
                warnings.warn(
                    f"Maximum number of iteration reached before convergence ({max_iter} epochs). "
                    "Consider increasing max_iter to improve the fit.",
                    ConvergenceWarning,
                )
        if self.early_stopping:
            W, b = best_Wb
        coef = (W / rms).astype(dtype)
        intercept = (b - W @ xbar).astype(dtype)
        if y.ndim == 1:
            self.coef_, self.intercept_ = coef[0], intercept[0]
        else:
            self.coef_, self.intercept_ = coef, intercept
        if not self.fit_intercept:
            self.intercept_ = dtype.type(0.0) if y.ndim == 1 else np.zeros(y.shape[1], dtype=dtype)
        self.n_iter_ = epoch + 1
