"""Time the imports that netdash defers to first use (not a test).

Several modules import a heavy library only when a measure needs it, and
block an optional dependency while it loads (``netdash.metrics.backends``):
scikit-learn (``sklearn.metrics`` for the adjusted Rand index,
``sklearn.linear_model`` for the impact matching), NetworKit (with and
without scikit-learn blocked), python-graphblas (with and without numba
blocked), and numba alone. Each import is timed in a fresh interpreter that
has already loaded what every netdash command loads (numpy, scipy, pandas,
networkx), so the figure is what the deferred import adds. Prints, per
import, the median and range of ``--repeats`` interpreters for wall time and
for the process's CPU time (steadier than wall time on a loaded machine), and
the load average before and after. docs/benchmarks.md quotes it.

Usage::

    .venv/bin/python bench/import_times.py [--repeats 5]
"""

import argparse
import os
import statistics
import subprocess
import sys

BASE = "import numpy, scipy.sparse, pandas, networkx"
IMPORTS = {
    "sklearn.metrics (communities: adjusted Rand index)": "import sklearn.metrics",
    "sklearn.linear_model (impact matching)": "import sklearn.linear_model",
    "networkit, scikit-learn blocked (backends.networkit)":
        "from netdash.metrics.backends import networkit; networkit()",
    "networkit, plain import (loads scikit-learn)": "import networkit",
    "graphblas, numba blocked (structural_holes._graphblas)":
        "from netdash.metrics.structural_holes import _graphblas; _graphblas()",
    "graphblas, same steps without blocking (loads numba)":
        "import graphblas; graphblas.init('suitesparse', blocking=True); import graphblas.io",
    "numba alone": "import numba",
}
# netdash.metrics is imported before the clock starts, so only the deferred import is timed.
PRELOAD = {"networkit, scikit-learn blocked (backends.networkit)": "import netdash.metrics.backends",
           "graphblas, numba blocked (structural_holes._graphblas)": "import netdash.metrics.structural_holes"}


def _time_once(label, statement):
    code = "\n".join([
        BASE, PRELOAD.get(label, ""), "import time", "t, c = time.perf_counter(), time.process_time()",
        statement, "print(time.perf_counter() - t, time.process_time() - c)",
    ])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall, cpu = done.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()}")
    for label, statement in IMPORTS.items():
        walls, cpus = zip(*(_time_once(label, statement) for _ in range(args.repeats)))
        print(f"{label}: wall median {statistics.median(walls):.2f} s ({min(walls):.2f} to {max(walls):.2f}), "
              f"CPU median {statistics.median(cpus):.2f} s ({min(cpus):.2f} to {max(cpus):.2f}), "
              f"{args.repeats} interpreters")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    sys.exit(main())
