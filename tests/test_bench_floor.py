"""bench/floor.py: its oracle solves the problem it claims, and its report adds up.

No time is asserted (speed lives in bench/). The certification part times fastreg's own
gradient kernels, which tests/test_rows.py and tests/test_acceleration.py check.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import floor  # noqa: E402


def _sparse(seed=0, n=300, p=800, density=0.02):
    rng = np.random.default_rng(seed)
    X = sparse.random(n, p, density=density, format="csc", random_state=seed,
                      data_rvs=rng.standard_normal)
    return X, rng


def test_oracle_solves_each_alpha_on_its_support():
    X, rng = _sparse(seed=2, n=200, p=500, density=0.05)
    w = np.zeros(X.shape[1])
    w[:8] = rng.standard_normal(8) * 3
    y = X @ w + 0.3 * rng.standard_normal(X.shape[0])
    alpha_max = np.abs(X.T @ y).max() / X.shape[0]
    alphas = alpha_max * np.geomspace(1, 0.05, 12)
    coefs = floor.reference_path(X, y, alphas)
    times, epochs, gap = floor.oracle_cd(X, y, alphas, coefs, tol=1e-8, repeat=1)
    assert times.shape == epochs.shape == (11,)
    assert (times >= 0).all()
    # every alpha with a support ran coordinate descent, to the path's accuracy on the full problem
    assert (epochs[np.abs(coefs[:, 1:]).sum(axis=0) > 0] > 0).all()
    assert gap <= 1e-8


def test_certification_floor_is_at_most_one_pass_per_alpha():
    X, rng = _sparse(seed=3)
    y = rng.standard_normal(X.shape[0])
    coefs = np.zeros((X.shape[1], 4))
    coefs[:5, 1:] = rng.standard_normal((5, 3))
    cert, t_direct = floor.certification_floor(X, y, coefs, repeat=1)
    assert cert.shape == (3,)
    assert (cert > 0).all() and (cert <= t_direct).all()


@pytest.mark.parametrize("problem", ["sparse_20000x50000", "leukemia_72x7129"])
def test_report_end_to_end(problem):
    m = floor.measure(problem, repeat=1, scale=0.04, with_sklearn=False)
    assert m["floor"] == pytest.approx(m["certification"].sum() + m["oracle_cd"].sum())
    assert m["oracle_gap"] <= 1e-6
    text = floor.report(m)
    assert "**floor**" in text and "fastreg's path" in text
