"""Single lasso fits on dense data with more samples than features: fastreg vs scikit-learn.

The issue's problems are wide, sparse or very tall; this grid covers the shapes in between,
where the layout (Gram matrix or columns) and the Newton steps are chosen by rules
(``fastreg._path.single_fit_precompute``, ``solve_path``'s ``use_newton``). Each row is one
``Lasso(alpha, tol)`` fit with an intercept, on a Toeplitz(0.5) design with ``max(5, p/100)``
true features at SNR 3, at ``alpha_max / 10``, ``/ 100`` and ``/ 1000``: median time after a
warm-up, the two estimators timed in alternation, and the relative duality gap each reached
(:func:`bench.problems.relative_gap` on the centered data). Usage::

    python bench/bench_shapes.py                      # the full grid (about 3 minutes)
    python bench/bench_shapes.py --shapes 20000x1000 --fractions 100 --repeat 5
"""

import argparse
import os
import sys

os.environ.setdefault("NUMBA_NUM_THREADS", "2")
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "2")

import warnings  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._timing import median_times_interleaved  # noqa: E402
from bench.problems import _target, _toeplitz_design, relative_gap  # noqa: E402

SHAPES = ["200000x100", "200000x200", "50000x200", "20000x300", "20000x1000", "5000x500",
          "5000x2000", "1000x500", "1000x900"]
FRACTIONS = [10, 100, 1000]


def problem(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = _toeplitz_design(rng, n, p, 0.5)
    return X, _target(rng, X, max(5, p // 100))


def main(argv=None):
    import fastreg
    from sklearn.linear_model import Lasso

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", nargs="*", default=SHAPES)
    ap.add_argument("--fractions", nargs="*", type=float, default=FRACTIONS,
                    help="alpha = alpha_max / fraction")
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    print("| shape | alpha | non-zeros | fastreg (ms) | scikit-learn (ms) | vs sklearn "
          "| rel. gap (fastreg / sklearn) |")
    print("|---|---|---|---|---|---|---|")
    for shape in args.shapes:
        n, p = (int(v) for v in shape.split("x"))
        X, y = problem(n, p)
        Xc, yc = X - X.mean(axis=0), y - y.mean()
        amax = np.max(np.abs(Xc.T @ yc)) / n
        for frac in args.fractions:
            alpha = amax / frac
            ests = [fastreg.Lasso(alpha=alpha, tol=args.tol, max_iter=100_000),
                    Lasso(alpha=alpha, tol=args.tol, max_iter=100_000)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                (t_f, f), (t_s, s) = median_times_interleaved(
                    [lambda e=e: e.fit(X, y) for e in ests], args.repeat)
            gaps = [relative_gap(Xc, yc, e.coef_, alpha) for e in (f, s)]
            print(f"| {shape} | alpha_max/{frac:g} | {np.count_nonzero(f.coef_)} "
                  f"| {t_f * 1e3:.1f} | {t_s * 1e3:.1f} | {t_s / t_f:.2f}x "
                  f"| {gaps[0]:.1e} / {gaps[1]:.1e} |", flush=True)


if __name__ == "__main__":
    main()
