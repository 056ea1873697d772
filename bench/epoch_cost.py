"""Cost of one coordinate-descent epoch, fastreg vs scikit-learn, on the issue's problems.

Both run the plain algorithm (fastreg: no screening, working sets or extrapolation, one thread;
scikit-learn's ``lasso_path``) with ``tol=0`` at alpha_max/100 for 1 and for 21 epochs, interleaved
in one process; the cost of an epoch is the median of ``(t21 - t1) / 20``, so set-up and the
final duality gap cancel out. This isolates the compiled inner loop from the algorithmic tricks
measured by ``run_enet.py``.

Usage: ``python bench/epoch_cost.py [--problems NAME ...] [--repeat 7] [--scale 1.0]``
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository's fastreg
sys.path.insert(0, str(Path(__file__).resolve().parent))
from problems import PROBLEMS  # noqa: E402


def epoch_ms(fit, repeat):
    """Median milliseconds per epoch of ``fit(n_epochs)`` (21 epochs minus 1, over 20)."""
    fit(1)  # warm-up (JIT)
    per = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fit(1)
        t1 = time.perf_counter()
        fit(21)
        t2 = time.perf_counter()
        per.append(((t2 - t1) - (t1 - t0)) / 20)
    return 1e3 * float(np.median(per))


def main(argv=None):
    import fastreg
    from sklearn.linear_model import lasso_path

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", nargs="*", default=list(PROBLEMS))
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")  # tol=0 never converges, by design
    print("| problem | fastreg ms/epoch | scikit-learn ms/epoch | ratio |")
    print("|---|---|---|---|")
    for name in args.problems:
        X, y = PROBLEMS[name](scale=args.scale)
        alpha = np.max(np.abs(X.T @ y)) / X.shape[0] / 100
        alphas = np.array([alpha])
        plain = dict(screening=False, working_set=False, extrapolation=False, n_threads=1)

        def ours(n):
            fastreg.lasso_path(X, y, alphas=alphas, tol=0.0, max_iter=n, check_input=False, **plain)

        def theirs(n):
            lasso_path(X, y, alphas=alphas, tol=0.0, max_iter=n, check_input=False)

        t_ours, t_theirs = [], []
        for _ in range(3):  # alternate the two, so that load changes hit both
            t_ours.append(epoch_ms(ours, max(1, args.repeat // 3)))
            t_theirs.append(epoch_ms(theirs, max(1, args.repeat // 3)))
        a, b = float(np.median(t_ours)), float(np.median(t_theirs))
        print(f"| {name} | {a:.3f} | {b:.3f} | {b / a:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
