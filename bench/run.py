"""Run every fastreg benchmark suite and write one table: time, ratio to scikit-learn, accuracy.

Each suite module exposes the same small interface, ``rows(quick: bool) -> list[dict]`` with keys
``suite, problem, solver, time_s, ratio_vs_sklearn, accuracy, note`` (``bench/_timing.py``):
``time_s`` is a median of at least 3 runs after a warm-up call (of as many as fit in 0.3 s for
fast calls); ``ratio_vs_sklearn`` is scikit-learn's time
divided by this one, both measured in the same run (``None`` on the reference rows and where no
scikit-learn peer exists); ``accuracy`` is what the solver reached (duality gap, relative residual
of the normal equations, or whether the cross-validated ``alpha_`` is scikit-learn's).

The runner pins the thread counts (``NUMBA_NUM_THREADS``, ``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``; 2 by default) before NumPy is imported, records the
machine, measures JIT compile time in fresh processes (``bench/compile_time.py``: cold and warm
Numba cache) and draws the ratios to scikit-learn as a bar chart.

Usage::

    python -m bench --quick               # small problems, a few minutes on 2 cores
    python -m bench --quick --save        # ... and write docs/_static/bench/results.{md,rst,json}
                                          #     and ratios.png (the documentation's performance page)
    python -m bench                       # the issue's sizes (long)
    python -m bench --suites ridge cv     # some suites only
    python -m bench --smoke --suites ridge --out /tmp/b   # minuscule problems (tests)
"""

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAVE_DIR = ROOT / "docs" / "_static" / "bench"
THREAD_VARS = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# suite name -> module exposing rows(quick); a module absent from this checkout is reported, not fatal
SUITES = {
    "ridge": "bench.bench_ridge",
    "cv": "bench.bench_cv",
    "enet": "bench.run_enet",
    "targets": "bench.bench_targets",
    "dropout": "bench.bench_dropout",
    "dask": "bench.bench_dask",
}
COLUMNS = ["suite", "problem", "solver", "time_s", "ratio_vs_sklearn", "accuracy", "note"]


def pin_threads(n):
    """Set the thread-count variables (before NumPy, Numba or a BLAS is loaded) and return them."""
    for var in THREAD_VARS:
        os.environ[var] = str(n)
    return {var: os.environ[var] for var in THREAD_VARS}


def machine_info():
    """CPU model and cores, library versions, thread counts in effect."""
    import numba
    import numpy
    import scipy
    import sklearn

    import fastreg

    info = {}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        fields = dict(line.split(":", 1) for line in lscpu.splitlines() if ":" in line)
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        info["cpu"] = fields.get("Model name", platform.processor() or "unknown")
        info["cores"] = fields.get("CPU(s)", str(os.cpu_count()))
    except (OSError, subprocess.CalledProcessError):
        info["cpu"], info["cores"] = platform.processor() or "unknown", str(os.cpu_count())
    info["os"] = f"{platform.system()} {platform.release()}"
    info["python"] = platform.python_version()
    for mod in (numpy, scipy, numba, sklearn, fastreg):
        info[mod.__name__] = mod.__version__
    info["threads"] = {var: os.environ.get(var) for var in THREAD_VARS}
    info["numba threads in effect"] = numba.config.NUMBA_NUM_THREADS
    try:
        from threadpoolctl import threadpool_info

        info["BLAS threads in effect"] = sorted(
            {f"{p['internal_api']}={p['num_threads']}" for p in threadpool_info()})
    except ImportError:
        pass
    try:
        info["load average at start"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        pass
    return info


def run_suites(names, quick, tiny):
    """``(rows, notes)``: every row of the named suites, and why a suite was skipped."""
    rows, notes = [], []
    for name in names:
        try:
            module = importlib.import_module(SUITES[name])
        except ModuleNotFoundError as exc:
            notes.append(f"{name}: skipped ({exc})")
            continue
        if not hasattr(module, "rows"):
            notes.append(f"{name}: skipped ({SUITES[name]} has no rows(quick) yet)")
            continue
        t0 = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        got = module.rows(quick, tiny=True) if tiny else module.rows(quick)
        missing = [r for r in got if set(COLUMNS) - set(r)]
        if missing:
            raise ValueError(f"{SUITES[name]}.rows() returned rows without {set(COLUMNS) - set(missing[0])}")
        rows.extend(got)
        print(f"[bench] {name}: {len(got)} rows in {time.perf_counter() - t0:.1f} s", file=sys.stderr,
              flush=True)
    return rows, notes


def compile_times(quick):
    """Cold and warm first-fit times in fresh processes: quick mode, the dense layout once (a cold
    compile is tens of seconds); full mode, every layout, median of 3."""
    sys.path.insert(0, str(ROOT))
    from bench import compile_time

    if quick:
        return compile_time.measure(repeat=1, layouts=("dense",))
    return compile_time.measure(repeat=3)


# ------------------------------------------------------------------------------------ output
def _ratio(r):
    return "-" if r is None else f"{r:.2f}x"


def _time(t):
    return f"{t:.4g}"


def to_markdown(result):
    from bench._timing import markdown_table

    m = result["machine"]
    out = [f"# fastreg benchmarks ({result['mode']} mode, {result['date']})", "",
           f"Machine: {m['cpu']}, {m['cores']} cores, {m['os']}; Python {m['python']}, "
           f"numpy {m['numpy']}, scipy {m['scipy']}, numba {m['numba']}, scikit-learn {m['sklearn']}, "
           f"fastreg {m['fastreg']}.", "",
           "Threads: " + ", ".join(f"{k}={v}" for k, v in m["threads"].items())
           + f" (numba uses {m['numba threads in effect']}; BLAS: "
           + ", ".join(m.get("BLAS threads in effect", [])) + ")"
           + (f"; load average at start {m['load average at start']}."
              if "load average at start" in m else "."), "",
           "Times are medians of at least 3 runs (as many as fit in 0.3 s for fast calls) after a "
           "warm-up call; the ratio is scikit-learn's time divided by fastreg's, measured in the "
           "same run (> 1: fastreg is faster).", "",
           markdown_table(result["rows"])]
    for note in result["notes"]:
        out += ["", f"- {note}"]
    if result.get("compile"):
        out += ["", "JIT compile time: first `ElasticNet.fit` in a fresh process (seconds; cold: empty "
                "NUMBA_CACHE_DIR, warm: cache filled by the cold run).", "",
                "| layout | cold fit | cold fit (cpu) | warm fit | warm fit (cpu) | import | later fit |",
                "|---|---:|---:|---:|---:|---:|---:|"]
        for c in result["compile"]:
            out.append(f"| {c['layout']} | {c['cold_fit']:.2f} | {c['cold_fit_cpu']:.2f} | "
                       f"{c['warm_fit']:.3f} | {c['warm_fit_cpu']:.3f} | {c['import']:.2f} | "
                       f"{c['later_fit']:.4f} |")
    return "\n".join(out) + "\n"


def _rst_cell(text):
    text = str(text)
    for ch in "\\`*_|":
        text = text.replace(ch, "\\" + ch)
    return text if text.strip() not in ("", "-") else "—"


def _list_table(header, body, widths=None):
    lines = [".. list-table::", "   :header-rows: 1"]
    if widths:
        lines.append("   :widths: " + " ".join(str(w) for w in widths))
    lines.append("")
    for cells in [header] + body:
        for i, cell in enumerate(cells):
            lines.append(("   * - " if i == 0 else "     - ") + _rst_cell(cell))
    return lines


def to_rst(result, png_name="ratios.png"):
    """The same results as reStructuredText (included by docs/performance.rst)."""
    m = result["machine"]
    out = [f"Measured on {result['date']} ({result['mode']} mode, ``python -m bench "
           f"{result['argv']}``):", "",
           f"- CPU: {_rst_cell(m['cpu'])}, {m['cores']} cores ({_rst_cell(m['os'])})",
           f"- Python {m['python']}, numpy {m['numpy']}, scipy {m['scipy']}, numba {m['numba']}, "
           f"scikit-learn {m['sklearn']}, fastreg {m['fastreg']}",
           "- threads: " + ", ".join(f"``{k}={v}``" for k, v in m["threads"].items())
           + (f"; load average at start {m['load average at start']}"
              if "load average at start" in m else ""), ""]
    if result["rows"]:
        out += _list_table(["suite", "problem", "solver", "time (s)", "vs scikit-learn", "accuracy",
                            "note"],
                           [[r["suite"], r["problem"], r["solver"], _time(r["time_s"]),
                             _ratio(r["ratio_vs_sklearn"]), r["accuracy"], r["note"]]
                            for r in result["rows"]], widths=[6, 22, 18, 8, 8, 12, 20])
        out.append("")
    for note in result["notes"]:
        out.append(f"- {_rst_cell(note)}")
    if result["notes"]:
        out.append("")
    if result.get("has_chart"):
        out += [f".. figure:: /_static/bench/{png_name}", "   :width: 100%", "",
                "   Speed ratio to scikit-learn (log scale, > 1: fastreg is faster), same run.", ""]
    if result.get("compile"):
        out += ["JIT compile time: the first ``ElasticNet.fit`` in a fresh process, seconds (cold: "
                "empty ``NUMBA_CACHE_DIR``; warm: the cache filled by the cold run).", ""]
        out += _list_table(["layout", "cold fit", "cold fit (cpu)", "warm fit", "warm fit (cpu)",
                            "import", "later fit"],
                           [[c["layout"], f"{c['cold_fit']:.2f}", f"{c['cold_fit_cpu']:.2f}",
                             f"{c['warm_fit']:.3f}", f"{c['warm_fit_cpu']:.3f}", f"{c['import']:.2f}",
                             f"{c['later_fit']:.4f}"] for c in result["compile"]])
        out.append("")
    return "\n".join(out)


def bar_chart(rows, path):
    """Horizontal bars of ratio_vs_sklearn (log scale); returns False when no row has a ratio."""
    rated = [r for r in rows if r.get("ratio_vs_sklearn")]
    if not rated:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{r['suite']}: {r['problem']} | {r['solver']}" for r in rated]
    ratios = [r["ratio_vs_sklearn"] for r in rated]
    fig, ax = plt.subplots(figsize=(11, 0.28 * len(rated) + 1.2))
    y = range(len(rated))[::-1]
    ax.barh(list(y), ratios, color=["tab:green" if x >= 1 else "tab:red" for x in ratios])
    ax.set_yticks(list(y), labels, fontsize=7)
    ax.set_xscale("log")
    ax.axvline(1.0, color="k", lw=0.8)
    ax.set_xlabel("scikit-learn time / fastreg time (same run; > 1: fastreg faster)")
    for yi, x in zip(y, ratios):
        ax.text(x, yi, f" {x:.2g}x", va="center", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small problems; compile time of the dense layout only")
    size.add_argument("--smoke", "--tiny", action="store_true",
                      help="minuscule problems, no compile-time runs (for tests; numbers meaningless)")
    parser.add_argument("--suites", nargs="+", choices=list(SUITES), default=list(SUITES))
    parser.add_argument("--threads", type=int, default=2, help="thread counts to pin (2)")
    parser.add_argument("--no-compile", action="store_true", help="skip the JIT compile-time runs")
    parser.add_argument("--save", action="store_true", help=f"write results to {SAVE_DIR.relative_to(ROOT)}")
    parser.add_argument("--out", type=Path, help="write results.{md,rst,json} and ratios.png here")
    args = parser.parse_args(argv)

    pin_threads(args.threads)  # before numpy / numba / BLAS are imported by anything below
    sys.path.insert(0, str(ROOT))
    t_start = time.perf_counter()
    machine = machine_info()
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    rows, notes = run_suites(args.suites, args.quick, args.smoke)
    compile_rows = None
    if not (args.smoke or args.no_compile):
        print("[bench] compile time (fresh processes) ...", file=sys.stderr, flush=True)
        compile_rows = compile_times(args.quick)
    result = {"mode": mode, "date": time.strftime("%Y-%m-%d"), "machine": machine, "rows": rows,
              "notes": notes, "compile": compile_rows,
              "argv": " ".join(argv if argv is not None else sys.argv[1:]),
              "wall_s": time.perf_counter() - t_start}
    outs = ([SAVE_DIR] if args.save else []) + ([args.out] if args.out else [])
    for out in outs:
        out.mkdir(parents=True, exist_ok=True)
        result["has_chart"] = bar_chart(rows, out / "ratios.png")
        (out / "results.md").write_text(to_markdown(result))
        (out / "results.rst").write_text(to_rst(result))
        (out / "results.json").write_text(json.dumps(result, indent=1, default=str) + "\n")
    print(to_markdown(result), end="")
    print(f"[bench] total {result['wall_s']:.1f} s" + (f"; written to {', '.join(map(str, outs))}"
                                                        if outs else ""), file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
