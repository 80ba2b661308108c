"""Peak memory of validating and importing large inputs (issue 18, item 2). Not a unit test.

Builds datasets whose ``contacts.csv`` is about 10, 100 and 200 MB (the demo at
``scale="medium"``, its contact rows repeated; the other tables as generated),
and a zip of the 200 MB dataset. For each input, in a fresh subprocess:

* ``validate``: ``read_source`` + ``validate`` (what ``netdash validate`` and the Data page do);
* ``import``: ``Workspace.import_dataset`` into an empty workspace (``netdash import``).

Each child first does the same step on the bundled demo (``data/demo``), so
that code loaded on first use is in the baseline, then resets its peak
(``/proc/self/clear_refs``) and reports its resident set just before the work
starts and its peak (``VmHWM``) after it, so ``peak - start`` is what the
input cost; it also reports the resident set before the warm-up ("cold": the
interpreter with netdash, pandas, pyarrow and DuckDB imported, the baseline
until session 10). The table gives both ratios and the input's size: the
target is ``(peak - start) / input`` below 4 and 1.5 GB in all for anything
accepted.

Usage::

    .venv/bin/python bench/ingest_memory.py                 # 10, 100 and 200 MB, and the zip
    .venv/bin/python bench/ingest_memory.py --sizes 10      # quicker
    .venv/bin/python bench/ingest_memory.py --repeats 3     # median of 3 per cell

The machine is shared: memory figures do not depend much on load, times do
(they are printed for information only).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import gc, json, sys, time
from pathlib import Path
import netdash.ingest, netdash.store, pandas, pyarrow, duckdb  # loaded before the baseline
from netdash.ingest import read_source, validate
from netdash.store import Workspace
mode, source, ws, warm = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
def status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
def run(source, ws, name):
    if mode == "validate":
        return validate(read_source(source)).ok
    return Workspace(ws).import_dataset(source, name=name).row_counts["contacts"]
cold = status("VmRSS")
# The same step on the bundled demo first, so that code loaded on first use (pyarrow's CSV reader, DuckDB's
# extensions...) is in the baseline, not counted as the input's cost; then the peak is reset (Linux >= 4.0).
run(warm, ws.with_name(ws.name + "-warm"), "warm")
gc.collect()
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")
start, t0 = status("VmRSS"), time.perf_counter()
ok = run(source, ws, "big")
print(json.dumps({"cold": cold, "start": start, "peak": status("VmHWM"), "seconds": time.perf_counter() - t0,
                  "ok": ok}))
"""

def _dataset(base, target_mb, out):
    """``base`` with its contact rows repeated until contacts.csv is about ``target_mb`` MB."""
    out.mkdir(parents=True, exist_ok=True)
    for p in base.glob("*.csv"):
        if p.name != "contacts.csv":
            shutil.copy(p, out / p.name)
    lines = (base / "contacts.csv").read_bytes().split(b"\n", 1)
    header, body = lines[0] + b"\n", lines[1]
    if not body.endswith(b"\n"):
        body += b"\n"
    with open(out / "contacts.csv", "wb") as fh:
        fh.write(header)
        written = 0
        while written < target_mb * 1_000_000 - len(body):
            fh.write(body)
            written += len(body)
        rest = target_mb * 1_000_000 - written - len(header)
        if rest > 0:
            fh.write(body[: body.rfind(b"\n", 0, rest) + 1])
    return out


def _run(mode, source, workdir):
    ws = Path(tempfile.mkdtemp(dir=workdir))
    done = subprocess.run([sys.executable, "-c", _CHILD, mode, str(source), str(ws / "ws"), str(ROOT / "data" / "demo")],
                          capture_output=True, text=True, timeout=3600, cwd=ROOT)
    shutil.rmtree(ws, ignore_errors=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 200], help="contacts.csv sizes in MB")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--no-zip", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from netdash.demo import generate_demo

    workdir = Path(tempfile.mkdtemp(prefix="netdash-ingest-memory-"))
    try:
        base = generate_demo(workdir / "medium", seed=0, scale="medium")
        inputs = []
        for mb in args.sizes:
            folder = _dataset(Path(base), mb, workdir / f"d{mb}")
            inputs.append((f"{mb} MB contacts.csv", folder, sum(p.stat().st_size for p in folder.glob("*.csv"))))
        if not args.no_zip:
            biggest = inputs[-1][1]
            archive = workdir / "data.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
                for p in sorted(biggest.glob("*.csv")):
                    zf.write(p, p.name)
            inputs.append((f"zip of the {args.sizes[-1]} MB dataset ({archive.stat().st_size / 1e6:.0f} MB)",
                           archive, sum(p.stat().st_size for p in biggest.glob("*.csv"))))
        rows = []
        for label, source, size in inputs:
            for mode in ("validate", "import"):
                runs = [_run(mode, source, workdir) for _ in range(args.repeats)]
                good = [r for r in runs if "error" not in r]
                if not good:
                    rows.append({"input": label, "mode": mode, "error": runs[0]["error"]})
                    print(f"{label:45s} {mode:8s} error: {runs[0]['error']}", flush=True)
                    continue
                peak = statistics.median(r["peak"] for r in good)
                start = statistics.median(r["start"] for r in good)
                cold = statistics.median(r["cold"] for r in good)
                row = {"input": label, "mode": mode, "input_mb": size / 1e6, "start_mb": start / 1e6,
                       "cold_start_mb": cold / 1e6, "peak_mb": peak / 1e6, "ratio": (peak - start) / size,
                       "ratio_from_cold": (peak - cold) / size,
                       "seconds": statistics.median(r["seconds"] for r in good)}
                rows.append(row)
                print(f"{label:45s} {mode:8s} input {row['input_mb']:7.1f} MB  start {row['start_mb']:6.0f} MB  "
                      f"peak {row['peak_mb']:7.0f} MB  (peak-start)/input {row['ratio']:4.1f}  "
                      f"(from the cold start {row['cold_start_mb']:.0f} MB: {row['ratio_from_cold']:4.1f})  "
                      f"{row['seconds']:6.1f} s", flush=True)
        if args.json:
            args.json.write_text(json.dumps({"host_cpus": os.cpu_count(), "when": time.strftime("%Y-%m-%d %H:%M"),
                                             "rows": rows}, indent=2))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
