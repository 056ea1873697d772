"""The one timing helper shared by every bench suite (and the row format of ``bench/run.py``)."""

import time

import numpy as np

__all__ = ["median_time", "median_times_interleaved", "row", "markdown_table"]


def median_time(fn, repeat=3, warmup=True, min_total=0.3, max_repeat=200):
    """``(median seconds, last result)`` of at least ``repeat`` calls of ``fn()``.

    With ``warmup`` (the default) one untimed call runs first: JIT compilation or a Numba cache
    load, page faults, BLAS thread start-up. Medians, not means: the bench machine has 2 cores
    shared with other work. With ``repeat > 1``, fast calls repeat until ``min_total`` seconds
    are spent (at most ``max_repeat`` calls), so that a millisecond timing is the median of many
    runs, not of 3; ``repeat=1`` times exactly one call.
    """
    return median_times_interleaved([fn], repeat, warmup, min_total, max_repeat)[0]


#: Seconds of rest before each function's turn when several alternate. After a call, OpenBLAS
#: keeps its idle workers spinning for about 0.1 s (NumPy and SciPy each ship one OpenBLAS, with
#: its own pool), and on 2 cores they take the second core from whatever runs next: timed back
#: to back, each library's call paid for the previous library's pool. Measured on Ridge
#: 500 x 5000: fastreg 50 ms and scikit-learn 118 ms timed alone, 84 ms and 93 ms alternating
#: back to back, 51 ms and 64 ms alternating after 0.3 s of rest.
SETTLE = 0.15
#: A turn repeats a fast call until it has lasted this long (one call if slower).
TURN = 0.05


def median_times_interleaved(fns, repeat=3, warmup=True, min_total=0.3, max_repeat=200,
                             settle=SETTLE):
    """``[(median seconds, last result)]`` of the calls ``fns``, timed in alternation.

    Each round gives every function one turn (after one untimed warm-up call each, with
    ``warmup``), so that a burst of load on the machine hits all of them alike. When several
    functions alternate, a turn starts after ``settle`` seconds of rest (see :data:`SETTLE`)
    and repeats a call faster than :data:`TURN` back to back, each call timed. Rounds repeat
    until every function has ``repeat`` timings and, with ``repeat > 1``, ``min_total``
    seconds of them (at most ``max_repeat`` timings).
    """
    outs = [fn() if warmup else None for fn in fns]
    times = [[] for _ in fns]
    repeat = max(1, int(repeat))
    rest = settle if len(fns) > 1 else 0.0

    def more(i):
        return len(times[i]) < repeat or (repeat > 1 and sum(times[i]) < min_total
                                          and len(times[i]) < max_repeat)

    while any(more(i) for i in range(len(fns))):
        for i, fn in enumerate(fns):
            if rest:
                time.sleep(rest)
            start = time.perf_counter()
            while True:
                t0 = time.perf_counter()
                outs[i] = fn()
                times[i].append(time.perf_counter() - t0)
                if not rest or time.perf_counter() - start >= TURN or not more(i):
                    break
    return [(float(np.median(ts)), out) for ts, out in zip(times, outs)]


def row(suite, problem, solver, time_s, ratio_vs_sklearn=None, accuracy="", note=""):
    """One result row of the common interface ``rows(quick) -> list[dict]``."""
    return {"suite": suite, "problem": problem, "solver": solver, "time_s": float(time_s),
            "ratio_vs_sklearn": None if ratio_vs_sklearn is None else float(ratio_vs_sklearn),
            "accuracy": accuracy, "note": note}


def _fmt(v, spec):
    return "-" if v is None else format(v, spec)


def markdown_table(rows):
    """The rows as a markdown table (problem x solver: time, ratio to scikit-learn, accuracy)."""
    lines = ["| suite | problem | solver | time (s) | vs scikit-learn | accuracy | note |",
             "|---|---|---|---:|---:|---|---|"]
    for r in rows:
        ratio = r.get("ratio_vs_sklearn")
        lines.append(f"| {r['suite']} | {r['problem']} | {r['solver']} | {_fmt(r['time_s'], '.4g')} | "
                     f"{'-' if ratio is None else f'{ratio:.2f}x'} | {r.get('accuracy', '')} | "
                     f"{r.get('note', '')} |")
    return "\n".join(lines)
