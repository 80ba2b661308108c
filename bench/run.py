"""Benchmark ``netdash metrics`` against plain pandas + networkx (issue 7). Not a unit test.

For each scale, generate the demo (``netdash.demo.generate_demo``, seed 0),
then in fresh subprocesses, alternating, run

* ``pipeline``: ``netdash metrics DIR --out OUT --ties all`` itself
  (``netdash.cli.main`` in the worker process, so the command's own order
  of work and thread settings, its workspace key and its imports are
  measured; before session 12 the worker made the same calls itself, asking
  for the betweenness before the practitioner table, which the CLI does
  not), and
* ``baseline``: the same measures by plain pandas + networkx
  (``bench/baseline.py``, whose docstring says exactly what it does),

and print the median wall time of each (interpreter start to exit), the peak
resident memory, the ratio of the medians from the same run, every run's
time with the ratio of each alternated pair (on a shared machine the load
changes from minute to minute; a pair saw about the same load), every run's
CPU seconds (user + system of the worker process, all its threads) with
their medians, and the pipeline's stage times. Each subprocess has a time limit and an address-space
limit, so a run that would swamp the machine stops and is reported instead.

netdash's bytecode is compiled first (``compileall``, into the ignored
``__pycache__`` folders), as ``pip install`` does, so that both sides run
compiled code: the libraries of the baseline are compiled when installed,
while with ``PYTHONDONTWRITEBYTECODE`` set (as on this project's machines)
every run would compile netdash's own modules again (about 0.1 s at
medium, issue 19). ``--no-compile`` measures without it.

Usage::

    .venv/bin/python bench/run.py                                 # small and medium
    .venv/bin/python bench/run.py --scales large --baseline-repeats 0 --repeats 1
    .venv/bin/python bench/run.py --markdown /tmp/results.md      # also write the tables
"""

import argparse
import contextlib
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# --- worker side (one measurement in a fresh process) ----------------------------------------

def _pipeline(folder, out):
    """``netdash metrics FOLDER --out OUT --ties all`` itself (``netdash.cli.main``), with its stages timed.

    The stages are laps taken when the CLI's own calls return (the library
    functions are wrapped, nothing is computed in another order): import of
    what the command imports, the workspace's key and the ingest, the edge
    tables and matrices (``start_background``, which then leaves the
    betweenness, PLM, fragmentation and E-I threads running), the
    practitioner table (waiting for the betweenness threads), writing
    practitioners.csv, the network measures (waiting for the other threads)
    and writing network.json. ``--ties all``: the measures the baseline
    computes (the CLI's default is working ties).
    """
    stages = {}
    t = time.perf_counter()

    def lap(name):
        nonlocal t
        now = time.perf_counter()
        stages[name] = round(now - t, 3)
        t = now

    def lapped(name, fn, keep=None):
        def wrapper(*args, **kwargs):
            value = fn(*args, **kwargs)
            lap(name)
            if keep is not None:
                keep.append(value)
            return value
        return wrapper

    from netdash import cli
    from netdash.threads import let_waiting_threads_sleep, one_blas_thread

    let_waiting_threads_sleep()  # what cli.main does for metrics, here before the imports below load numpy
    one_blas_thread()
    cli.metrics_imports()  # the command's own imports, made as it makes them (the collector paused, then frozen)
    import netdash.export
    import netdash.ingest
    from netdash.analysis import NetworkAnalysis
    lap("import")
    summaries = []
    netdash.ingest.load_dataset = lapped("workspace key + ingest", netdash.ingest.load_dataset)
    NetworkAnalysis.start_background = lapped("edges + matrices", NetworkAnalysis.start_background)
    NetworkAnalysis.practitioner_table = lapped("practitioner table (waits for betweenness)",
                                                NetworkAnalysis.practitioner_table)
    netdash.export.write_safe_csv = lapped("write practitioners.csv", netdash.export.write_safe_csv)
    NetworkAnalysis.network_measures = lapped("network measures (waits for the rest)",
                                              NetworkAnalysis.network_measures, summaries)
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["--workspace", str(out.parent / f"{out.name}-workspace"), "metrics", str(folder),
                         "--out", str(out), "--ties", "all"])
    if code:
        raise SystemExit(f"netdash metrics exited with {code}")
    lap("write network.json")
    summary = summaries[0]
    return {"stages": stages, "n_ties": summary["n_ties"], "betweenness_method": summary["betweenness_method"],
            "betweenness_sources": summary["betweenness_sources"],
            "betweenness_max_standard_error": summary["betweenness_max_standard_error"]}


def _baseline(folder, out):
    sys.path.insert(0, str(ROOT / "bench"))
    from baseline import baseline_metrics, write_outputs

    table, network = baseline_metrics(folder)
    write_outputs(table, network, out)
    return {"n_ties": network["n_ties"]}


def _worker(kind, folder, out, limit_gb):
    if limit_gb:
        limit = int(limit_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    info = (_pipeline if kind == "pipeline" else _baseline)(Path(folder), Path(out))
    info["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(info))


# --- driver side -----------------------------------------------------------------------------

def _measure(kind, folder, out, *, timeout, limit_gb):
    cmd = [sys.executable, __file__, "--worker", kind, str(folder), str(out), "--limit-gb", str(limit_gb)]
    before = _children_cpu()
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "error": f"stopped after {timeout} s"}
    seconds = time.perf_counter() - start
    cpu = _children_cpu() - before
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"seconds": None, "error": tail[:200]}
    return {"seconds": seconds, "cpu_seconds": cpu, **json.loads(lines[-1][len("RESULT "):])}


def _children_cpu():
    """User + system CPU seconds of this process's finished (waited-for) children so far.

    One run's difference is the CPU its worker used, summed over its
    threads: under other engineers' load the wall time of a run moves with
    the load, its CPU seconds much less (the pipeline uses two cores for
    part of the run, so its CPU seconds exceed its wall time on a quiet
    machine; the two ratios are different measures).
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine():
    """Description of this machine and the library versions, for docs/benchmarks.md."""
    import duckdb
    import networkit
    import networkx
    import numpy
    import pandas
    import rustworkx
    import scipy

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) / 2**20 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), float("nan"))
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    versions = {m.__name__: m.__version__ for m in (numpy, scipy, pandas, networkx, rustworkx, networkit, duckdb)}
    return {"nproc": nproc, "cpu": cpu, "memory_gb": round(mem, 1), "python": platform.python_version(),
            "os": platform.platform(), "versions": versions}


def _median(runs, key="seconds"):
    times = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(times) if times else None


def _fmt(x, unit=""):
    return "-" if x is None else f"{x:.1f}{unit}"


def run(scales, *, repeats, baseline_repeats, timeout, limit_gb, workdir):
    """Measure every scale; return one result dict per scale."""
    from netdash.demo import generate_demo

    results = []
    for scale in scales:
        folder = generate_demo(Path(workdir) / scale, seed=0, scale=scale)
        counts = json.loads((folder / "ground_truth.json").read_text())["counts"]
        n_base = baseline_repeats.get(scale, 0)
        pipe, base = [], []
        for i in range(max(repeats, n_base)):  # alternate, so both see the same machine load
            if i < repeats:
                pipe.append(_measure("pipeline", folder, Path(workdir) / f"out-{scale}-p", timeout=timeout,
                                     limit_gb=limit_gb))
                print(f"{scale} pipeline run {i + 1}: {_fmt(pipe[-1].get('seconds'), ' s')} "
                      f"(CPU {_fmt(pipe[-1].get('cpu_seconds'), ' s')}) {pipe[-1].get('error', '')}", flush=True)
            if i < n_base:
                base.append(_measure("baseline", folder, Path(workdir) / f"out-{scale}-b", timeout=timeout,
                                     limit_gb=limit_gb))
                print(f"{scale} baseline run {i + 1}: {_fmt(base[-1].get('seconds'), ' s')} "
                      f"(CPU {_fmt(base[-1].get('cpu_seconds'), ' s')}) {base[-1].get('error', '')}", flush=True)
        results.append({"scale": scale, "counts": counts, "pipeline": pipe, "baseline": base,
                        "pipeline_median_s": _median(pipe), "baseline_median_s": _median(base),
                        "pipeline_median_cpu_s": _median(pipe, "cpu_seconds"),
                        "baseline_median_cpu_s": _median(base, "cpu_seconds")})
    return results


def _pair_ratios(result):
    """baseline_i / pipeline_i for each alternated pair of runs that both finished."""
    return [b["seconds"] / p["seconds"] for p, b in zip(result["pipeline"], result["baseline"])
            if p.get("seconds") and b.get("seconds")]


def markdown(results, info):
    """The results as Markdown tables."""
    lines = [f"Machine: {info['nproc']} cores ({info['cpu']}), {info['memory_gb']} GB memory, "
             f"Python {info['python']}, {info['os']}.",
             "Libraries: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()) + ".",
             f"netdash's bytecode: {info.get('bytecode', 'not recorded')}; load average at the start "
             f"{info.get('load', '-')}.", "",
             "| scale | contacts | ties | pipeline median (runs) | peak memory | baseline median (runs) "
             "| baseline peak | baseline / pipeline | betweenness |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        ok = [p for p in r["pipeline"] if p.get("seconds") is not None]
        okb = [b for b in r["baseline"] if b.get("seconds") is not None]
        p, b = r["pipeline_median_s"], r["baseline_median_s"]
        ties = ok[0]["n_ties"] if ok else (okb[0]["n_ties"] if okb else None)
        bet = (f"{ok[0]['betweenness_method']}, {ok[0]['betweenness_sources']} sources, max SE "
               f"{ok[0]['betweenness_max_standard_error']:.2g}") if ok else "; ".join(
                   p.get("error", "") for p in r["pipeline"])
        lines.append(
            f"| {r['scale']} | {r['counts']['contacts']:,} | {ties if ties is None else f'{ties:,}'} | "
            f"{_fmt(p, ' s')} ({len(ok)}/{len(r['pipeline'])}) | "
            f"{_fmt(max((x['peak_mb'] for x in ok), default=None), ' MB')} | "
            f"{_fmt(b, ' s')} ({len(okb)}/{len(r['baseline'])}) | "
            f"{_fmt(max((x['peak_mb'] for x in okb), default=None), ' MB')} | "
            f"{_fmt(b / p if p and b else None, 'x')} | {bet} |")
    lines += ["", "Each run, in the order run (baseline run i follows pipeline run i, so the two saw about "
              "the same machine load), and the ratio of each such pair:", ""]
    for r in results:
        pairs = _pair_ratios(r)
        lines.append(f"- {r['scale']}: pipeline " + ", ".join(_fmt(x.get("seconds")) for x in r["pipeline"])
                     + " s; baseline " + (", ".join(_fmt(x.get("seconds")) for x in r["baseline"]) or "not run")
                     + " s" + (f"; paired ratios {', '.join(f'{x:.1f}x' for x in pairs)} (median "
                               f"{statistics.median(pairs):.1f}x)" if pairs else ""))
    lines += ["", "CPU seconds of each run (user + system, all threads; less moved by other jobs than wall "
              "time), same order:", ""]
    for r in results:
        pc, bc = r.get("pipeline_median_cpu_s"), r.get("baseline_median_cpu_s")
        pipe = ", ".join("-" if x.get("cpu_seconds") is None else f"{x['cpu_seconds']:.2f}" for x in r["pipeline"])
        base = ", ".join(_fmt(x.get("cpu_seconds")) for x in r["baseline"])
        lines.append(f"- {r['scale']}: pipeline {pipe} s (median {'-' if pc is None else f'{pc:.2f}'} s); "
                     + (f"baseline {base} s (median {_fmt(bc, ' s')})" if base else "baseline not run")
                     + (f"; baseline / pipeline {bc / pc:.1f}x" if pc and bc else ""))
    lines += ["", "Pipeline stage times (median over runs, seconds):", ""]
    for r in results:
        ok = [p for p in r["pipeline"] if p.get("stages")]
        if ok:
            stages = {k: statistics.median(p["stages"][k] for p in ok) for k in ok[0]["stages"]}
            lines.append(f"- {r['scale']}: " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["small", "medium"], choices=["small", "medium", "large"])
    parser.add_argument("--repeats", type=int, default=3, help="pipeline runs per scale (default 3)")
    parser.add_argument("--baseline-repeats", nargs="+", default=["small=3", "medium=1"], metavar="SCALE=N",
                        help="baseline runs per scale (default small=3 medium=1; large is not run)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per run before it is stopped")
    parser.add_argument("--limit-gb", type=float, default=8.0, help="address-space limit per run, GB")
    parser.add_argument("--markdown", type=Path, help="also write the Markdown tables here")
    parser.add_argument("--json", type=Path, help="also write every run here")
    parser.add_argument("--no-compile", action="store_true",
                        help="do not compile netdash's bytecode first (then every run compiles what it imports, "
                             "when PYTHONDONTWRITEBYTECODE is set)")
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "DIR", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(*args.worker, args.limit_gb)
        return
    baseline_repeats = {k: int(v) for k, v in (item.split("=") for item in args.baseline_repeats)}
    if not args.no_compile:
        import compileall

        compileall.compile_dir(ROOT / "netdash", quiet=1)
        compileall.compile_file(ROOT / "bench" / "baseline.py", quiet=1)
    load = f"{os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory(prefix="netdash-bench-") as workdir:
        results = run(args.scales, repeats=args.repeats, baseline_repeats=baseline_repeats,
                      timeout=args.timeout, limit_gb=args.limit_gb, workdir=workdir)
    info = machine()
    info["load"] = load
    info["bytecode"] = ("compiled on every run (--no-compile)" if args.no_compile
                        else "compiled before the runs, as pip install does")
    text = markdown(results, info)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
