"""pytest-benchmark suite for the lasso path / single fit / estimator fit (issue 3); peers are
skipped if absent.

Run with ``python -m pytest bench/bench_enet.py --benchmark-only`` (set ``FASTREG_BENCH_SCALE``
to e.g. 0.2 for a quick run). Compare times within one run (after warm-up): the speed-up over
scikit-learn is what is quoted. For the markdown table with the gaps reached, use
``python bench/run_enet.py``.
"""

import os
import warnings

import numpy as np
import pytest

from bench.problems import PROBLEMS, make_problem, relative_gap
from bench.run_enet import ESTIMATORS, SOLVERS, available, prepare_input, task_alphas

SCALE = float(os.environ.get("FASTREG_BENCH_SCALE", "0.2"))
TOL = 1e-6
_CACHE = {}


def _data(name, task):
    key = (name, task)
    if key not in _CACHE:
        X, y = make_problem(name, scale=SCALE)
        X = prepare_input(X)
        _CACHE[key] = X, y, task_alphas(X, y, task)
    return _CACHE[key]


@pytest.mark.parametrize("solver", list(SOLVERS))
@pytest.mark.parametrize("task", ["path", "single"])
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_lasso(benchmark, name, task, solver):
    if not available(solver):
        pytest.skip(f"{solver} is not installed")
    X, y, alphas = _data(name, task)
    fn = SOLVERS[solver]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn(X, y, alphas, TOL)  # warm-up: JIT compile / cache load
        coefs = benchmark.pedantic(fn, args=(X, y, alphas, TOL), rounds=3, iterations=1)
    coefs = np.asarray(coefs).reshape(X.shape[1], -1)
    gap = max(relative_gap(X, y, coefs[:, k], a) for k, a in enumerate(alphas))
    benchmark.extra_info["max_relative_gap"] = float(gap)
    assert np.isfinite(gap)


@pytest.mark.parametrize("solver", list(ESTIMATORS))
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_lasso_estimator(benchmark, name, solver):
    """Each library's ``Lasso(alpha_max / 100).fit(X, y)`` with its default intercept."""
    if not available(solver):
        pytest.skip(f"{solver} is not installed")
    X, y, alphas = _data(name, "estimator")
    fn = ESTIMATORS[solver]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn(X, y, alphas[0], TOL)  # warm-up: JIT compile / cache load
        coef, intercept = benchmark.pedantic(fn, args=(X, y, alphas[0], TOL), rounds=3,
                                             iterations=1)
    gap = relative_gap(X, y, np.ravel(coef), alphas[0], intercept=float(np.ravel(intercept)[0]))
    benchmark.extra_info["relative_gap"] = float(gap)
    assert np.isfinite(gap)
