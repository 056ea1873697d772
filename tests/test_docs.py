"""The documentation: docstring examples run, every public name is documented, the Sphinx site
builds with warnings as errors and its ``.. doctest::`` blocks pass.

The Sphinx tests need the ``docs`` extra (``pip install ".[docs]"``) and skip without it.
"""

import doctest
import importlib
import inspect
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import fastreg

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _modules():
    names = ["fastreg"]
    for info in pkgutil.walk_packages(fastreg.__path__, prefix="fastreg."):
        if info.name != "fastreg.__main__":
            names.append(info.name)
    return names


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name):
    """``python -m pytest --doctest-modules fastreg``, one module at a time."""
    try:
        module = importlib.import_module(name)
    except ImportError as exc:  # a module needing an optional extra (e.g. dask) that is absent
        pytest.skip(f"{name} needs an optional dependency: {exc}")
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name, globs={}):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} doctest example(s) failed in {name}"


# Public names that compute an array transform rather than fit a model: they minimize nothing.
_TRANSFORMS = {"dropout", "dropout_backward", "dropout_mask"}
# Plotting functions draw what a model minimized; they must say what they return.
_PLOTS = {"plot_path", "plot_cv"}


@pytest.mark.parametrize("name", fastreg.__all__)
def test_public_name_has_numpydoc_docstring(name):
    """Every public name states the objective it minimizes (or, for an array transform, the
    formula it computes) and has a doctest example."""
    obj = getattr(fastreg, name)
    doc = inspect.getdoc(obj) or ""
    if name in _PLOTS:
        assert "Axes" in doc, f"{name}: the docstring does not say it returns the matplotlib Axes"
    elif name in _TRANSFORMS:
        summary = doc.split("Parameters\n----------", 1)[0]
        assert "=" in summary and "``" in summary, f"{name}: the docstring gives no formula"
    else:
        assert "minimi" in doc.lower(), f"{name}: the docstring does not state what it minimizes"
    assert "Examples\n--------" in doc, f"{name}: no numpydoc Examples section"
    examples = doc.split("Examples\n--------", 1)[1]
    assert ">>> " in examples, f"{name}: the Examples section has no doctest"
    # a variant (Lasso of ElasticNet, lasso_path of enet_path) may defer to the general form
    assert "Parameters\n----------" in doc or "for the parameters" in doc, (
        f"{name}: no numpydoc Parameters section")


def test_api_page_lists_every_public_name():
    api = (DOCS / "api.rst").read_text()
    missing = [name for name in fastreg.__all__ if f"\n   {name}\n" not in api]
    assert not missing, f"docs/api.rst misses public names: {missing}"


def _sphinx(builder, out, doctrees):
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", builder,
           "-d", str(doctrees), str(DOCS), str(out)]
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def built_docs(tmp_path_factory):
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    pytest.importorskip("matplotlib")
    tmp = tmp_path_factory.mktemp("docs")
    doctrees = tmp / "doctrees"
    html = _sphinx("html", tmp / "html", doctrees)
    return tmp, doctrees, html


def test_sphinx_html_builds_without_warnings(built_docs):
    tmp, _, proc = built_docs
    assert proc.returncode == 0, f"sphinx-build -W failed:\n{proc.stdout}\n{proc.stderr}"
    html = tmp / "html"
    for page in ["index", "migration", "api", "performance",
                 "user_guide/penalties", "user_guide/paths",
                 "user_guide/bias_variance", "user_guide/stopping",
                 "user_guide/cross_validation", "user_guide/ridge", "user_guide/dropout",
                 "generated/fastreg.ElasticNet", "generated/fastreg.lasso_path"]:
        assert (html / f"{page}.html").is_file(), f"{page}.html was not built"
    # every user-guide page carries at least one figure made by the plot directive
    for page in ["penalties", "paths", "bias_variance", "stopping", "cross_validation", "ridge",
                 "dropout"]:
        text = (html / "user_guide" / f"{page}.html").read_text()
        assert ".png" in text, f"user_guide/{page} has no figure"


def test_sphinx_doctest_blocks_pass(built_docs):
    tmp, doctrees, html_proc = built_docs
    if html_proc.returncode != 0:
        pytest.fail("the html build failed; see test_sphinx_html_builds_without_warnings")
    proc = _sphinx("doctest", tmp / "doctest", doctrees)
    report = (tmp / "doctest" / "output.txt")
    details = report.read_text() if report.exists() else ""
    assert proc.returncode == 0, f"sphinx doctest failed:\n{proc.stdout}\n{proc.stderr}\n{details}"
    assert "0 failures in tests" in details
