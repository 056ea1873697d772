"""The on-disk Numba cache works when the installed package directory is read-only.

numba first tries ``__pycache__`` next to the source; when that is not writable it falls back to
a user-wide directory (``$XDG_CACHE_HOME/numba`` or ``~/.cache/numba``). An installed fastreg in a
read-only site-packages must therefore still compile once and load from the cache afterwards.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import json, re, warnings
import numpy as np
from numba.core import event
import fastreg
from fastreg._kernels import cd
compiles = event.RecordingListener()
event.register("numba:compile", compiles)
rng = np.random.default_rng(0)
X = rng.standard_normal((30, 5)); y = X[:, 0] + 0.1 * rng.standard_normal(30)
with warnings.catch_warnings():
    warnings.simplefilter("error")
    est = fastreg.ElasticNet(alpha=0.01, precompute=False).fit(X, y)
stats = cd.enet_path_cd.stats
# fastreg functions compiled twice for the same types up to literals (an argument typed as the
# constant Literal[int](0) at one call and as int64 at another): twice the compile time
seen, literal_twins = set(), []
for _, ev in compiles.buffer:
    disp = ev.data.get("dispatcher")
    if ev.is_start and disp is not None and disp.py_func.__module__.startswith("fastreg"):
        types = re.sub(r"Literal\\[int\\]\\(-?\\d+\\)", "int64", str(ev.data["args"]))
        key = (disp.py_func.__qualname__, re.sub(r"Literal\\[bool\\]\\(\\w+\\)", "bool", types))
        if key in seen:
            literal_twins.append(key[0])
        seen.add(key)
print(json.dumps({"file": fastreg.__file__, "coef0": float(est.coef_[0]),
                  "cache_path": stats.cache_path,
                  "hits": sum(stats.cache_hits.values()),
                  "misses": sum(stats.cache_misses.values()),
                  "literal_twins": literal_twins}))
"""


def _drop_root_write_power():
    """Command prefix under which root obeys file permissions (root ignores chmod otherwise)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a directory read-only")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


def _run(prefix, env, cwd):
    out = subprocess.run(prefix + [sys.executable, "-c", SCRIPT], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "NumbaWarning" not in out.stderr, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _files(path):
    return sorted(p for p in Path(path).rglob("*") if p.is_file()) if Path(path).exists() else []


def test_cache_with_read_only_package(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(ROOT / "fastreg", site / "fastreg",
                    ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc", "*.pyc"))
    home, xdg, work = tmp_path / "home", tmp_path / "xdg", tmp_path / "work"
    for d in (home, xdg, work):
        d.mkdir()
    for p in [site, *site.rglob("*")]:  # chmod -R a-w
        p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    prefix = _drop_root_write_power()
    probe = subprocess.run(prefix + [sys.executable, "-c",
                                     f"open({str(site / 'fastreg' / 'probe')!r}, 'w')"],
                           capture_output=True)
    assert probe.returncode != 0, "the package copy is still writable"

    files_before = _files(site)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(PYTHONPATH=str(site), HOME=str(home), XDG_CACHE_HOME=str(xdg),
               PYTHONDONTWRITEBYTECODE="1")
    try:
        first = _run(prefix, env, work)
        assert Path(first["file"]).parent == site / "fastreg"  # the read-only copy was used
        assert first["misses"] >= 1 and first["hits"] == 0  # compiled in this process
        assert first["literal_twins"] == []  # no kernel compiled again for a literal argument
        assert Path(first["cache_path"]).is_relative_to(xdg)  # numba's user-wide fallback
        cached = _files(xdg)
        assert any(p.suffix == ".nbi" for p in cached) and any(p.suffix == ".nbc" for p in cached)
        assert _files(site) == files_before  # nothing could be written next to the source

        second = _run(prefix, env, work)
        assert second["hits"] >= 1 and second["misses"] == 0  # loaded, not recompiled
        assert second["coef0"] == first["coef0"]
    finally:
        for p in [site, *site.rglob("*")]:
            p.chmod(p.stat().st_mode | stat.S_IWUSR)
