"""The benchmark runner (``python -m bench``) runs end to end on minuscule problems and writes a
table with the common columns and the expected rows. No timing is asserted (speed lives in bench/).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADER = "| suite | problem | solver | time (s) | vs scikit-learn | accuracy | note |"


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    pytest.importorskip("matplotlib")
    out = tmp_path_factory.mktemp("bench")
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--suites", "ridge", "dropout",
                           "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc


def _table(md):
    lines = md.splitlines()
    start = lines.index(HEADER)
    body = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        body.append([c.strip() for c in line.strip("|").split("|")])
    return body


def test_markdown_table_has_the_columns_and_rows(smoke):
    out, proc = smoke
    md = (out / "results.md").read_text()
    assert md == proc.stdout, "the saved markdown is what the runner printed"
    body = _table(md)
    assert all(len(cells) == 7 for cells in body)
    suites = {cells[0] for cells in body}
    assert suites == {"ridge", "dropout"}
    solvers = {cells[2] for cells in body}
    assert {"fastreg Ridge", "fastreg ridge_path", "fastreg RidgeCV", "fastreg Ridge (cg)",
            "np.copyto", "fastreg.dropout", "numpy expression"} <= solvers
    ridge = [c for c in body if c[0] == "ridge"]
    # every fastreg ridge row has a ratio to the scikit-learn row measured just before it
    for ref, fr in zip(ridge[::2], ridge[1::2]):
        assert ref[2].startswith("sklearn") and ref[4] == "-"
        assert fr[2].startswith("fastreg") and fr[4].endswith("x") and float(fr[4][:-1]) > 0
        assert fr[1] == ref[1]
    assert any(c[5] == "same alpha_" for c in ridge)
    dropout = [c for c in body if c[0] == "dropout"]
    assert all(c[4] == "-" and c[5].endswith("GB/s") for c in dropout)
    # the machine and the pinned threads are recorded
    assert "Machine:" in md and "NUMBA_NUM_THREADS=2" in md and "OPENBLAS_NUM_THREADS=2" in md


def test_json_rst_and_chart_are_written(smoke):
    out, _ = smoke
    result = json.loads((out / "results.json").read_text())
    assert result["mode"] == "smoke"
    assert result["machine"]["threads"]["OMP_NUM_THREADS"] == "2"
    keys = {"suite", "problem", "solver", "time_s", "ratio_vs_sklearn", "accuracy", "note"}
    assert result["rows"] and all(set(r) == keys for r in result["rows"])
    assert all(r["time_s"] > 0 for r in result["rows"])
    rst = (out / "results.rst").read_text()
    assert ".. list-table::" in rst and ".. figure:: /_static/bench/ratios.png" in rst
    assert "same alpha\\_" in rst  # escaped: a bare trailing underscore is an RST reference
    assert (out / "ratios.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_suite_exposes_rows():
    """The runner's suites share one interface: ``rows(quick)``, and one ``median_time``."""
    sys.path.insert(0, str(ROOT))
    from bench import run

    for name, module in run.SUITES.items():
        path = ROOT / (module.replace(".", "/") + ".py")
        if not path.exists():
            continue  # a suite whose branch is not merged yet
        text = path.read_text()
        assert "def rows(quick" in text, f"{module} has no rows(quick)"
        assert "def median_time" not in text, f"{module} defines its own median_time"


def test_paired_copies_are_distinct_modules_and_ratios_are_per_pair(tmp_path):
    """``bench/paired.py`` imports a checkout's package under a private name, refreshes the copy's
    sources on the next run (keeping its cache directories), and reports the median of per-pair
    ratios (no fastreg kernel is compiled here)."""
    sys.path.insert(0, str(ROOT))
    from bench import paired

    import fastreg

    mod = paired.load_copy(ROOT, "fastreg_paired_test", into=str(tmp_path))
    assert mod is not fastreg and mod.__name__ == "fastreg_paired_test"
    assert Path(mod.__file__).parent == tmp_path / "fastreg_paired_test"
    assert mod.Lasso is not fastreg.Lasso and mod.Lasso.__name__ == "Lasso"
    marker = tmp_path / "fastreg_paired_test" / "__pycache__" / "kept"
    marker.parent.mkdir(exist_ok=True)
    marker.write_text("")
    stale = tmp_path / "fastreg_paired_test" / "gone.py"
    stale.write_text("")
    paired.load_copy(ROOT, "fastreg_paired_test", into=str(tmp_path))
    assert marker.exists() and not stale.exists()
    with pytest.raises(ValueError, match="no fastreg package"):
        paired.load_copy(tmp_path, "nothing_here", into=str(tmp_path))

    calls = []
    old = lambda: calls.append("old") or 3  # noqa: E731
    new = lambda: calls.append("new") or 4  # noqa: E731
    t_old, t_new, ratio, (q25, q75), epochs = paired.paired_times(old, new, repeat=4)
    # one warm-up pair, then pairs that alternate which side runs first
    assert calls == ["old", "new"] * 2 + ["new", "old", "old", "new", "new", "old"]
    assert epochs == (3, 4)
    assert all(isinstance(t, float) for t in (t_old, t_new, ratio, q25, q75))  # no speed asserted
    assert q25 <= ratio <= q75


@pytest.mark.parametrize("layout", ["dense", "sparse"])
def test_relative_gap_with_intercept_certifies_and_catches_a_wrong_intercept(layout):
    """The benchmark's independent gap of a fit with an intercept (the ``estimator`` task) is
    small at scikit-learn's tight solution, and a shifted intercept, or the same coefficients
    read as a fit without one, shows in it."""
    sys.path.insert(0, str(ROOT))
    from scipy import sparse
    from sklearn.linear_model import Lasso

    from bench.problems import relative_gap
    from bench.run_enet import alpha_max

    rng = np.random.default_rng(0)
    X = sparse.random(200, 300, density=0.05, format="csc", random_state=0) + 0.0
    if layout == "dense":
        X = X.toarray() + 1.0  # non-zero column means
    y = np.asarray(X @ rng.standard_normal(300)).ravel() + 5.0 + rng.standard_normal(200)
    alpha = alpha_max(X, y, fit_intercept=True) / 20
    assert alpha_max(X, y, fit_intercept=True) != alpha_max(X, y)
    m = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
    assert np.count_nonzero(m.coef_) > 0
    gap = relative_gap(X, y, m.coef_, alpha, intercept=m.intercept_)
    assert 0 <= gap < 1e-10
    assert relative_gap(X, y, m.coef_, alpha, intercept=m.intercept_ + 0.1) > 1e-4
    assert relative_gap(X, y, m.coef_, alpha) > 1e-2
    # at alpha_max of the centered data the solution is zero with the mean as intercept
    a0 = alpha_max(X, y, fit_intercept=True)
    assert relative_gap(X, y, np.zeros(300), a0, intercept=y.mean()) < 1e-12
