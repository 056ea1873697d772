"""Sphinx configuration of the fastreg documentation.

Build (warnings are errors, as in ``tests/test_docs.py``)::

    pip install ".[docs]"
    sphinx-build -W --keep-going -b html -d docs/_build/doctrees docs docs/_build/html
    sphinx-build -W --keep-going -b doctest -d docs/_build/doctrees docs docs/_build/doctest
"""

import os
import sys

# Document the fastreg of this checkout, not an installed copy.
sys.path.insert(0, os.path.abspath(".."))
os.environ.setdefault("MPLBACKEND", "Agg")

import fastreg  # noqa: E402

project = "fastreg"
author = "The fastreg developers"
copyright = "2026, The fastreg developers"
version = release = fastreg.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "numpydoc",
    "matplotlib.sphinxext.plot_directive",
]

# _static/bench/results.rst is written by bench/run.py and included by performance.rst
exclude_patterns = ["_build", "**/generated/*.rst.bak", "_static"]
templates_path = ["_templates"]
root_doc = "index"
nitpicky = False

# --- autodoc / autosummary / numpydoc -------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False  # methods are listed by the class template instead
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# --- doctest (``-b doctest`` runs the ``.. doctest::`` blocks and the docstring examples) ----
doctest_global_setup = """
import warnings
import numpy as np
np.set_printoptions(precision=4, suppress=True)
"""

# --- plot directive: figures come from code run at build time -------------------------------
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 80)]
plot_rcparams = {"figure.figsize": (7.0, 3.0), "font.size": 9, "figure.autolayout": True}
plot_apply_rcparams = True
plot_pre_code = """
import warnings
import numpy as np
import matplotlib.pyplot as plt
"""

# --- HTML ----------------------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"fastreg {release}"
html_static_path = []
