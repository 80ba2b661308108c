"""Alternate ``netdash metrics`` runs of two or more source trees or environments, and compare (not a test).

On a shared machine a before/after comparison is only fair when the two
runs see the same load: this script runs each variant in turn, alternating
the order every round, as a fresh ``python -m netdash.cli metrics`` process,
and prints each run's wall time and CPU time (user + system of the process
and its threads, which the load changes far less than the wall time), then
the medians. It also says whether every variant wrote the same bytes.

A variant is ``NAME=PATH`` (the folder holding the ``netdash`` package, put
first on ``PYTHONPATH``), optionally followed by ``,VAR=VALUE`` environment
settings, e.g. ``old-timeout=.,OPENBLAS_THREAD_TIMEOUT=28``. Arguments after
``--`` go to ``netdash metrics``. Usage::

    git archive main netdash | tar -x -C /tmp/main_tree
    .venv/bin/python -m compileall -q /tmp/main_tree/netdash netdash
    .venv/bin/python bench/ab_cli.py /tmp/nd_medium --rounds 6 \\
        --variant main=/tmp/main_tree --variant branch=. -- --ties all
"""

import argparse
import filecmp
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _variant(text):
    name, _, rest = text.partition("=")
    path, *settings = rest.split(",")
    if not name or not path:
        raise argparse.ArgumentTypeError(f"a variant is NAME=PATH[,VAR=VALUE...]; got {text!r}")
    env = dict(item.split("=", 1) for item in settings)
    return name, Path(path).resolve(), env


def _run(folder, out, tree, env, workspace, extra):
    cmd = ["nice", "-n", "10", sys.executable, "-m", "netdash.cli", "--workspace", str(workspace), "metrics",
           str(folder), "--out", str(out), *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=dict(os.environ, PYTHONPATH=str(tree), **env), capture_output=True, text=True,
                          cwd=tempfile.gettempdir())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--variant", type=_variant, action="append", required=True,
                        help="NAME=PATH[,VAR=VALUE...]; give two or more")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each variant (default 5)")
    argv = list(sys.argv[1:] if argv is None else argv)
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[:len(argv) - len(extra) - (1 if "--" in argv else 0)])
    variants = args.variant
    with tempfile.TemporaryDirectory(prefix="netdash-ab-") as work:
        work = Path(work)
        runs = {name: [] for name, _, _ in variants}
        for i in range(args.rounds):
            for name, tree, env in (variants if i % 2 == 0 else variants[::-1]):
                wall, cpu = _run(args.folder.resolve(), work / name, tree, env, work / "workspace", extra)
                runs[name].append((wall, cpu))
                print(f"round {i + 1} {name:<14} wall {wall:6.2f} s  cpu {cpu:6.2f} s  "
                      f"load {os.getloadavg()[0]:.1f}", flush=True)
        print()
        print("| variant | wall median (runs) | CPU median (runs) |")
        print("|---|---:|---:|")
        for name, found in runs.items():
            print(f"| {name} | {statistics.median(w for w, _ in found):.2f} s "
                  f"({', '.join(f'{w:.2f}' for w, _ in found)}) | {statistics.median(c for _, c in found):.2f} s "
                  f"({', '.join(f'{c:.2f}' for _, c in found)}) |")
        first = variants[0][0]
        for name, _, _ in variants[1:]:
            same = all(filecmp.cmp(work / first / f, work / name / f, shallow=False)
                       for f in ("practitioners.csv", "network.json"))
            print(f"\n{name}'s practitioners.csv and network.json {'are' if same else 'are NOT'} byte-identical "
                  f"to {first}'s.")


if __name__ == "__main__":
    main()
