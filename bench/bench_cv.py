"""LassoCV / ElasticNetCV against scikit-learn: 5 folds, 100 alphas, 3 l1_ratios.

``python bench/bench_cv.py`` prints a table (median of several runs after JIT warm-up, time ratio
to scikit-learn measured in the same run, and whether the selected alpha is the same);
``python -m pytest bench/bench_cv.py`` runs the same cases under pytest-benchmark.

Both libraries run with ``n_jobs=None`` and one BLAS thread (``threadpoolctl``): the bench machine
has 2 cores shared with other work, where multi-threaded BLAS timings are erratic.
"""

import sys
import time
import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.datasets import make_regression
from threadpoolctl import threadpool_limits

sys.path.insert(0, __file__.rsplit("/bench/", 1)[0])
import fastreg  # noqa: E402

L1_RATIOS = [0.5, 0.9, 1.0]


def problem(name):
    if name == "dense n>>p (2000x200)":
        X, y = make_regression(2000, 200, n_informative=20, noise=10.0, random_state=0)
    elif name == "dense p>>n (200x2000)":
        X, y = make_regression(200, 2000, n_informative=20, noise=10.0, random_state=0)
    elif name == "sparse (2000x1000, 2%)":
        rng = np.random.default_rng(0)
        X = sparse.random(2000, 1000, density=0.02, format="csc", random_state=0)
        coef = np.zeros(1000)
        coef[:20] = rng.standard_normal(20) * 5
        y = X @ coef + rng.standard_normal(2000)
    else:
        raise KeyError(name)
    return X, y


PROBLEMS = ["dense n>>p (2000x200)", "dense p>>n (200x2000)", "sparse (2000x1000, 2%)"]
ESTIMATORS = {
    "LassoCV": (sk.LassoCV, fastreg.LassoCV, {}),
    "ElasticNetCV": (sk.ElasticNetCV, fastreg.ElasticNetCV, {"l1_ratio": L1_RATIOS}),
}


def fit(cls, X, y, **kw):
    with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
        warnings.simplefilter("ignore")
        return cls(cv=5, alphas=100, **kw).fit(X, y)


def median_time(cls, X, y, kw, repeat):
    times, model = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        model = fit(cls, X, y, **kw)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), model


@pytest.mark.parametrize("name", PROBLEMS)
@pytest.mark.parametrize("est", list(ESTIMATORS))
@pytest.mark.parametrize("lib", ["fastreg", "sklearn"])
def test_bench_cv(benchmark, name, est, lib):
    X, y = problem(name)
    sk_cls, fr_cls, kw = ESTIMATORS[est]
    cls = fr_cls if lib == "fastreg" else sk_cls
    fit(cls, X, y, **kw)  # JIT warm-up
    benchmark.pedantic(fit, args=(cls, X, y), kwargs=kw, rounds=3, iterations=1)


def main(repeat=3):
    print(f"{'problem':<26}{'estimator':<14}{'sklearn s':>10}{'fastreg s':>10}{'ratio':>8}"
          f"  same alpha_ (sklearn / fastreg)")
    for name in PROBLEMS:
        X, y = problem(name)
        for est, (sk_cls, fr_cls, kw) in ESTIMATORS.items():
            fit(fr_cls, X, y, **kw)  # JIT warm-up
            t_fr, m_fr = median_time(fr_cls, X, y, kw, repeat)
            t_sk, m_sk = median_time(sk_cls, X, y, kw, repeat)
            same = np.isclose(m_fr.alpha_, m_sk.alpha_, rtol=1e-8) and (
                getattr(m_fr, "l1_ratio_", 1.0) == getattr(m_sk, "l1_ratio_", 1.0))
            print(f"{name:<26}{est:<14}{t_sk:>10.3f}{t_fr:>10.3f}{t_sk / t_fr:>7.1f}x  "
                  f"{'yes' if same else 'NO'} ({m_sk.alpha_:.4g} / {m_fr.alpha_:.4g})",
                  flush=True)


if __name__ == "__main__":
    main()
