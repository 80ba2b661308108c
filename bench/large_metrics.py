"""Wall time and peak memory of ``netdash metrics`` on one dataset, run by run (not a test).

Each run is a fresh ``python -m netdash.cli metrics DIR --out TMP`` under
``/usr/bin/time -v``; the script prints every run's wall, user and system
seconds, maximum resident set size and the load average before it, then the
medians. ``--base TREE`` also runs the same command from another source tree
(e.g. ``git archive main | tar -x -C /tmp/base``), alternating base and this
tree run by run so both see the same load, and prints the ratio of each pair
and of the medians; it also checks that both wrote the same files.

Issue 19's target (under 30 s wall and 2 GB peak, median of 3 on a quiet
machine) is measured with::

    .venv/bin/netdash demo --scale large --seed 0 --out /work/large_demo
    .venv/bin/python bench/large_metrics.py /work/large_demo --repeats 3
"""

import argparse
import filecmp
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(tree, folder, out, extra):
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "netdash.cli", "metrics", str(folder), "--out", str(out),
           *extra]
    done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed in {tree}:\n{done.stderr[-3000:]}")

    def field(name):
        return re.search(rf"{re.escape(name)}: (.+)", done.stderr).group(1).strip()

    parts = [float(x) for x in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
    wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return {"wall": wall, "user": float(field("User time (seconds)")), "sys": float(field("System time (seconds)")),
            "peak_mb": int(field("Maximum resident set size (kbytes)")) / 1024}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--base", type=Path, help="another source tree, run alternately with this one")
    parser.add_argument("extra", nargs="*", help="more options for netdash metrics (after --)")
    args = parser.parse_args(argv)
    trees = [("this", ROOT)] + ([("base", args.base.resolve())] if args.base else [])
    runs = {name: [] for name, _ in trees}
    with tempfile.TemporaryDirectory(prefix="nd_large_metrics_") as tmp:
        for i in range(args.repeats):
            for name, tree in trees:
                load = os.getloadavg()[0]
                out = Path(tmp) / f"{name}{i}"
                result = _run(tree, args.folder, out, args.extra)
                result["load"] = load
                runs[name].append(result)
                print(f"run {i + 1} {name:<4}: wall {result['wall']:6.2f} s  user {result['user']:6.2f} s  "
                      f"sys {result['sys']:5.2f} s  peak {result['peak_mb']:7.0f} MB ({result['peak_mb'] / 1024:.2f} "
                      f"GiB)  load before {load:.2f}", flush=True)
        if args.base:
            same = all(filecmp.cmp(Path(tmp) / f"this{i}" / f, Path(tmp) / f"base{i}" / f, shallow=False)
                       for i in range(args.repeats) for f in ("practitioners.csv", "network.json"))
            print("outputs identical to base:", same)
    for name, results in runs.items():
        print(f"{name}: median wall {statistics.median(r['wall'] for r in results):.2f} s, median user "
              f"{statistics.median(r['user'] for r in results):.2f} s, peak "
              f"{max(r['peak_mb'] for r in results) / 1024:.2f} GiB (largest of {len(results)} runs), "
              f"os.getloadavg {os.getloadavg()[0]:.2f} at the end")
    if args.base:
        pairs = [b["wall"] / t["wall"] for t, b in zip(runs["this"], runs["base"])]
        print("base / this wall, pair by pair:", ", ".join(f"{p:.2f}" for p in pairs),
              f"; median {statistics.median(pairs):.2f}")


if __name__ == "__main__":
    main()
