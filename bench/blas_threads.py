"""COP impact's computations with one BLAS thread against the library's default, in the same run.

The impact estimates (:mod:`netdash.change.impact`) multiply small matrices.
Since session 9 they run with one BLAS thread
(:func:`netdash.change.impact.staggered.one_blas_thread`); this script times
them both ways, alternating, on a demo folder: the whole COP impact
computation for a new ties setting (design, staggered analysis and the
estimates with 1,000 bootstrap replicates, as the page computes it). Wall and
CPU (``time.process_time``, all threads) medians. Usage::

    .venv/bin/python bench/blas_threads.py /tmp/nd_medium --repeats 3
"""

import argparse
import os
import statistics
import time

from netdash.change.impact import impact_design, impact_estimates, staggered_estimates
from netdash.change.impact import staggered
from netdash.ingest import load_dataset


def _run(ds, ties, bootstrap):
    wall, cpu = time.perf_counter(), time.process_time()
    design = impact_design(ds, ties=ties)
    impact_estimates(design, bootstrap=bootstrap, staggered=staggered_estimates(ds, design))
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bootstrap", type=int, default=1000)
    args = parser.parse_args(argv)
    ds = load_dataset(args.folder, secret=b"b" * 32)[0]
    for ties in ("working", "direct"):  # warm the dataset's cached tables
        _run(ds, ties, args.bootstrap)
    load = os.getloadavg()[0]
    times = {}
    for _ in range(args.repeats):
        for threads in (None, 1):
            staggered.BLAS_THREADS = threads
            for ties in ("working", "direct"):
                times.setdefault((threads, ties), []).append(_run(ds, ties, args.bootstrap))
    staggered.BLAS_THREADS = 1
    print(f"{args.folder}, {args.repeats} alternating repeats, bootstrap {args.bootstrap}; load average "
          f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print("| BLAS threads | ties | wall s (median) | CPU s (median) | wall s (each) |")
    print("|---|---|---:|---:|---|")
    for (threads, ties), rows in times.items():
        print(f"| {'library default' if threads is None else threads} | {ties} | "
              f"{statistics.median(w for w, _ in rows):.2f} | {statistics.median(c for _, c in rows):.2f} | "
              f"{', '.join(f'{w:.2f}' for w, _ in rows)} |")


if __name__ == "__main__":
    main()
