"""Regularization path and cross-validation plots (matplotlib, the optional ``plot`` extra).

matplotlib is imported inside the functions, so ``import fastreg`` never needs it.
"""

import numpy as np

__all__ = ["plot_path", "plot_cv"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "fastreg's plots need matplotlib: pip install 'fastreg[plot]'"
        ) from exc
    return plt


def _path_arrays(path):
    """(alphas, coefs (n_features, n_alphas)) from a PathResult, a tuple or a fitted estimator."""
    if hasattr(path, "alphas") and hasattr(path, "coefs"):  # PathResult
        alphas, coefs = path.alphas, path.coefs
    else:
        alphas, coefs = path[0], path[1]
    alphas = np.asarray(alphas, dtype=np.float64)
    coefs = np.asarray(coefs)
    if coefs.ndim != 2 or coefs.shape[1] != alphas.shape[0]:
        raise ValueError(
            "plot_path needs coefs of shape (n_features, n_alphas) matching alphas; got "
            f"coefs.shape={coefs.shape} and {alphas.shape[0]} alphas (one target only)."
        )
    return alphas, coefs


def _estimator_path(estimator, X, y, sample_weight=None, n_alphas=100):
    """Recompute the path of a fitted (CV) estimator on (X, y) with its own parameters."""
    from ._path import enet_path

    params = estimator.get_params()
    l1_ratio = getattr(estimator, "l1_ratio_", params.get("l1_ratio", 1.0))
    alphas = getattr(estimator, "alphas_", None)
    if alphas is not None:
        alphas = np.asarray(alphas)
        if alphas.ndim == 2:  # one grid per l1_ratio: the chosen one's
            ratios = list(np.atleast_1d(params["l1_ratio"]))
            alphas = alphas[ratios.index(l1_ratio)]
    else:
        alpha = params.get("alpha", 1.0)
        alphas = None if alpha == 0 else np.geomspace(alpha * 1e3, alpha, n_alphas)
    return enet_path(X, y, l1_ratio=l1_ratio, alphas=alphas, n_alphas=n_alphas,
                     fit_intercept=params.get("fit_intercept", True),
                     sample_weight=sample_weight, positive=params.get("positive", False),
                     penalty_factor=params.get("penalty_factor"),
                     max_iter=params.get("max_iter", 1000), tol=params.get("tol", 1e-4))


def plot_path(path, *, X=None, y=None, sample_weight=None, feature_names=None, label_top=None,
              ax=None, log=True, n_alphas=100):
    """Coefficient paths against log(alpha), with the number of non-zeros on a top axis.

    Parameters
    ----------
    path : PathResult, tuple ``(alphas, coefs, ...)`` or fitted estimator
        A path from :func:`fastreg.enet_path` / :func:`fastreg.lasso_path` (one target), or a
        fitted ``ElasticNet``, ``Lasso``, ``ElasticNetCV`` or ``LassoCV`` whose path is then
        recomputed on ``X, y`` (a CV estimator's own grid and chosen ``l1_ratio_``; for a
        plain estimator ``n_alphas`` alphas from ``1000 * alpha`` down to ``alpha``).
    X, y : array-like, optional
        Training data, needed only when ``path`` is an estimator.
    sample_weight : array-like, optional
        Sample weights for the recomputed path.
    feature_names : sequence of str, optional
        Curve labels (a legend for up to 20 features; otherwise the ``label_top`` largest
        coefficients at the smallest alpha are labelled at the end of their curves). Defaults to
        the estimator's ``feature_names_in_`` if any.
    label_top : int, optional
        Label only the ``label_top`` features with the largest ``|coef|`` at the smallest alpha.
    ax : matplotlib Axes, optional
        Where to draw; the current Axes by default.
    log : bool, default=True
        x axis is ``log10(alpha)`` (decreasing alpha to the right, as glmnet).
    n_alphas : int, default=100
        Grid size when recomputing a plain estimator's path.

    Returns
    -------
    ax : matplotlib Axes
        One line per feature (in feature order, ``ax.lines[j]`` is feature ``j``), then a dotted
        zero line; the top axis
        (``ax.secondary_x``-like twin, stored as ``ax.fastreg_top_axis``) shows the number of
        non-zero coefficients.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from fastreg import lasso_path, plot_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 4)); y = X @ [1.0, -2.0, 0.0, 0.5]
    >>> fig, ax = plt.subplots()
    >>> ax = plot_path(lasso_path(X, y, n_alphas=20), feature_names=["a", "b", "c", "d"], ax=ax)
    >>> len(ax.lines)  # 4 features and the zero line
    5
    """
    plt = _pyplot()
    if hasattr(path, "coef_") and not hasattr(path, "coefs"):
        if X is None or y is None:
            raise ValueError("plot_path(estimator) needs the training data: pass X= and y=.")
        if feature_names is None and hasattr(path, "feature_names_in_"):
            feature_names = list(path.feature_names_in_)
        path = _estimator_path(path, X, y, sample_weight, n_alphas)
    alphas, coefs = _path_arrays(path)
    n_features = coefs.shape[0]
    if feature_names is not None:
        feature_names = [str(f) for f in feature_names]
        if len(feature_names) != n_features:
            raise ValueError(
                f"feature_names has {len(feature_names)} names for {n_features} features."
            )
    if ax is None:
        ax = plt.gca()
    x = np.log10(alphas) if log else alphas
    for j in range(n_features):
        label = feature_names[j] if feature_names is not None else f"_x{j}"
        ax.plot(x, coefs[j], lw=1.2, label=label)
    ax.axhline(0.0, color="0.6", lw=0.6, ls=":", zorder=0, label="_zero")
    ax.set_xlabel("log10(alpha)" if log else "alpha")
    ax.set_ylabel("coefficient")
    if log:
        ax.set_xlim(x.max(), x.min()) if x.shape[0] > 1 else None
    ax.set_title("Regularization path")

    if feature_names is not None:
        order = np.argsort(-np.abs(coefs[:, -1]))
        if label_top is None and n_features <= 20:
            ax.legend(fontsize="small", loc="best")
        else:
            top = order[: (label_top if label_top is not None else 10)]
            for j in top:
                ax.annotate(feature_names[j], (x[-1], coefs[j, -1]), fontsize="small",
                            xytext=(3, 0), textcoords="offset points", va="center")

    # top axis: number of non-zero coefficients at a few alphas
    nnz = np.count_nonzero(coefs, axis=0)
    top_ax = ax.twiny()
    top_ax.set_xlim(ax.get_xlim())
    ticks = np.unique(np.linspace(0, x.shape[0] - 1, min(6, x.shape[0])).round().astype(int))
    top_ax.set_xticks(x[ticks])
    top_ax.set_xticklabels([str(int(nnz[i])) for i in ticks])
    top_ax.set_xlabel("non-zero coefficients")
    ax.fastreg_top_axis = top_ax
    return ax


def plot_cv(estimator, *, ax=None, log=True, l1_ratio=None):
    """Mean CV error with one-standard-error bars against log(alpha), and the chosen alphas.

    Parameters
    ----------
    estimator : fitted LassoCV or ElasticNetCV
    ax : matplotlib Axes, optional
        Where to draw; the current Axes by default.
    log : bool, default=True
        x axis is ``log10(alpha)`` (decreasing alpha to the right, as glmnet).
    l1_ratio : float, optional
        Which path to show when several l1_ratios were searched (default: ``l1_ratio_``).

    Returns
    -------
    ax : matplotlib Axes
        ``ax.containers[0]`` holds the error bars (mean CV MSE +- one standard error, i.e.
        ``std(ddof=1) / sqrt(n_folds)`` over folds); two vertical lines (labels
        ``alpha_min`` and ``alpha_1se``) mark ``alpha_min_`` and ``alpha_1se_``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from fastreg import LassoCV, plot_cv
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5)); y = X @ [1.0, -2.0, 0.0, 0.5, 0.0]
    >>> fig, ax = plt.subplots()
    >>> ax = plot_cv(LassoCV(cv=3, alphas=20).fit(X, y), ax=ax)
    >>> [line.get_label() for line in ax.lines[-2:]]
    ['alpha_min', 'alpha_1se']
    """
    plt = _pyplot()
    if not hasattr(estimator, "mse_path_"):
        raise ValueError("plot_cv needs a fitted cross-validation estimator (with mse_path_).")
    mse = np.asarray(estimator.mse_path_)
    alphas = np.asarray(estimator.alphas_)
    ratios = np.atleast_1d(estimator.get_params().get("l1_ratio", 1.0))
    mse = mse.reshape(len(ratios), alphas.shape[-1], -1)  # undo the squeeze
    chosen = estimator.l1_ratio_ if l1_ratio is None else l1_ratio
    matches = np.flatnonzero(np.isclose(ratios, chosen))
    if matches.size == 0:
        raise ValueError(f"l1_ratio={chosen!r} is not one of the searched {list(ratios)}.")
    i = int(matches[0])
    mse = mse[i]
    alphas = alphas[i] if alphas.ndim == 2 else alphas
    n_folds = mse.shape[1]
    mean = mse.mean(axis=1)
    se = mse.std(axis=1, ddof=1) / np.sqrt(n_folds) if n_folds > 1 else np.zeros_like(mean)

    if ax is None:
        ax = plt.gca()
    x = np.log10(alphas) if log else alphas
    ax.errorbar(x, mean, yerr=se, fmt="o", color="tab:red", ms=3, ecolor="0.6", elinewidth=0.8,
                capsize=2, label="mean CV MSE +- 1 SE")
    ax.axvline(np.log10(estimator.alpha_min_) if log else estimator.alpha_min_, color="k",
               ls="--", lw=1, label="alpha_min")
    ax.axvline(np.log10(estimator.alpha_1se_) if log else estimator.alpha_1se_, color="k",
               ls=":", lw=1, label="alpha_1se")
    ax.set_xlabel("log10(alpha)" if log else "alpha")
    ax.set_ylabel("mean squared error")
    if x.shape[0] > 1:
        ax.set_xlim(x.max() + 0.02 * np.ptp(x), x.min() - 0.02 * np.ptp(x))
    ax.set_title(f"Cross-validation ({n_folds} folds)")
    ax.legend(fontsize="small", loc="best")
    return ax
