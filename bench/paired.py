"""Paired A/B timing of two checkouts of fastreg, in one process.

On a shared 2-vCPU machine the speed of the same code drifts by 2x within minutes, so two
benchmark runs made one after the other cannot resolve a 10% change. This script copies the
``fastreg`` package of each checkout under a private name (the package imports itself only
relatively), imports both into one process, and calls them in alternation: each pair of calls
sees the same machine, and the median of the per-pair ratios ``new / old`` is robust to drift.
Both copies are warmed up before timing.

Usage::

    git worktree add /tmp/old <commit>
    python bench/paired.py /tmp/old . --cases dense_wide_500x5000:single sparse_20000x50000:path
    python bench/paired.py /tmp/old . --repeat 11 --scale 0.5

The copies live in ``$TMPDIR/fastreg-paired`` and keep their Numba caches between runs.

A case is ``problem:task`` with a problem of ``bench/problems.py`` and a task of
``bench/run_enet.py`` (the same alphas and input layout): ``path`` (100 alphas from alpha_max,
every one to a relative duality gap of ``--tol``), ``single`` (one fit at alpha_max / 100 from
a cold start) or ``estimator`` (``Lasso(alpha).fit(X, y)`` with its default intercept, alpha_max
/ 100 of the centered data). The epoch counts are printed next to the times: a change of
algorithm shows there first.
"""

import argparse
import importlib
import os
import shutil
import sys
import tempfile
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.problems import PROBLEMS, make_problem  # noqa: E402
from bench.run_enet import MAX_ITER, prepare_input, task_alphas  # noqa: E402

WORKDIR = os.path.join(tempfile.gettempdir(), "fastreg-paired")


def load_copy(checkout, name, into=WORKDIR):
    """Import ``checkout/fastreg`` as the module ``name``, copied into the directory ``into``.

    The copy's ``__pycache__`` directories (Numba's cache) are kept between runs; the sources
    are replaced with their modification times, which Numba's cache index checks.
    """
    src = os.path.join(os.path.abspath(checkout), "fastreg")
    if not os.path.isfile(os.path.join(src, "__init__.py")):
        raise ValueError(f"no fastreg package in {checkout!r}")
    dst = os.path.join(into, name)
    if os.path.isdir(dst):
        for root, dirs, files in os.walk(dst):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for f in files:
                if f.endswith(".py"):
                    os.remove(os.path.join(root, f))
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    if into not in sys.path:
        sys.path.insert(0, into)
    return importlib.import_module(name)


def case_call(module, X, y, task, tol):
    """A no-argument call running ``task`` with ``module``; it returns the number of epochs."""
    alphas = task_alphas(X, y, task)
    if task == "estimator":
        def fit():
            return module.Lasso(alpha=alphas[0], tol=tol, max_iter=MAX_ITER).fit(X, y).n_iter_

        return fit

    def call():
        out = module.lasso_path(X, y, alphas=alphas, tol=tol, max_iter=MAX_ITER,
                                check_input=False, return_n_iter=True)
        return int(np.sum(out[3]))

    return call


def _timed(call):
    t0 = time.perf_counter()
    call()
    return time.perf_counter() - t0


def paired_times(call_old, call_new, repeat):
    """Medians of each side, the median of the per-pair ratios ``new / old`` and their
    interquartile range ``(q25, q75)``, and the epochs of each side's warm-up call.

    The pairs alternate which side runs first (old-new, new-old, ...), so that what one call
    leaves behind (caches, Numba's waiting worker threads) does not always favour the same side.
    The interquartile range says whether a ratio is resolved: on this 2-core machine, two runs
    of 9-15 pairs of the same change gave medians 3-5% apart.
    """
    epochs = (call_old(), call_new())  # warm-up (compiles, or loads the cache)
    t_old, t_new = [], []
    for k in range(repeat):
        if k % 2 == 0:
            t_old.append(_timed(call_old))
            t_new.append(_timed(call_new))
        else:
            t_new.append(_timed(call_new))
            t_old.append(_timed(call_old))
    t_old, t_new = np.array(t_old), np.array(t_new)
    ratios = t_new / t_old
    q25, q75 = np.percentile(ratios, [25, 75])
    return (float(np.median(t_old)), float(np.median(t_new)), float(np.median(ratios)),
            (float(q25), float(q75)), epochs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="checkout directory holding the reference fastreg/")
    parser.add_argument("new", help="checkout directory holding the changed fastreg/")
    parser.add_argument("--cases", nargs="*",
                        default=[f"{p}:{t}" for p in PROBLEMS for t in ("single", "path")])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--tol", type=float, default=1e-6)
    args = parser.parse_args(argv)

    warnings.simplefilter("ignore")
    os.makedirs(WORKDIR, exist_ok=True)
    old = load_copy(args.old, "fastreg_old")
    new = load_copy(args.new, "fastreg_new")
    print("| case | old (ms) | new (ms) | new / old (median of pairs) | interquartile range "
          "| epochs old / new |")
    print("|---|---|---|---|---|---|")
    for case in args.cases:
        problem, task = case.split(":")
        X, y = make_problem(problem, scale=args.scale)
        X = prepare_input(X)
        t_old, t_new, ratio, (q25, q75), (e_old, e_new) = paired_times(
            case_call(old, X, y, task, args.tol), case_call(new, X, y, task, args.tol),
            args.repeat)
        print(f"| {case} | {t_old * 1e3:.1f} | {t_new * 1e3:.1f} | {ratio:.3f} "
              f"| {q25:.3f}-{q75:.3f} | {e_old} / {e_new} |", flush=True)


if __name__ == "__main__":
    main()
