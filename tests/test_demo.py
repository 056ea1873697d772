"""The README's first command runs ``python -m fastreg``: it must work and print a real result."""

import re
import subprocess
import sys


def test_demo_runs_and_agrees_with_scikit_learn():
    out = subprocess.run(
        [sys.executable, "-m", "fastreg", "--n-alphas", "20", "--eps", "1e-2"],
        capture_output=True, text=True, timeout=600, check=True,
    ).stdout
    assert "same coefficients as scikit-learn (to tolerance): True" in out
    rows = re.findall(r"^\s*([0-9.e+-]+)\s+(\d+)\s+(-?[0-9.]+)$", out, flags=re.M)
    assert len(rows) >= 10
    nnz = [int(r[1]) for r in rows]
    assert nnz[0] == 0 and nnz[-1] > nnz[0]  # the path starts empty and grows
    best = float(re.search(r"best held-out R2 = (-?[0-9.]+)", out).group(1))
    assert best > 0.3  # polynomial diabetes: a lasso explains a good part of held-out variance
