"""Stage times of the real ``netdash metrics`` run: wall and CPU seconds per call (not a test).

Runs ``netdash.cli.main(["metrics", DIR, "--out", OUT])`` in this process with
the library's stage functions wrapped in timers, so the stages are exactly the
CLI's (no table or measure computed twice, unlike ``bench/profile.py``'s
family-by-family view). For each outermost timed call it prints wall seconds,
the process's peak memory when the call ended (calls made in
``NetworkAnalysis.start_background``'s threads are marked with the thread;
their CPU is the whole process's over the call, other threads' included),
CPU seconds of the whole process (``time.process_time``: all threads, so a
stage using both cores shows CPU > wall), the ratio CPU / wall, and "own
CPU": the CPU time of the thread that made the call (``time.thread_time``;
for NetworKit's parallel calls only the calling thread's share, not its
helper threads').

Usage::

    .venv/bin/python bench/cli_profile.py DEMO_DIR [--out OUT]
"""

import argparse
import functools
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

_local = threading.local()
_rows = []


def _peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(label, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if getattr(_local, "depth", 0):
            return fn(*args, **kwargs)
        _local.depth = 1
        w, c, own = time.perf_counter(), time.process_time(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _local.depth = 0
            where = threading.current_thread().name
            _rows.append((label if where == "MainThread" else f"{label} [{where}]", time.perf_counter() - w,
                          time.process_time() - c, _peak(), time.thread_time() - own))
    return wrapper


def _wrap(module, names):
    for name in names:
        setattr(module, name, _timed(f"{module.__name__.split('.')[-1]}.{name}", getattr(module, name)))


def _wrap_property(cls, name):
    prop = cls.__dict__[name]
    func = prop.func
    timed = _timed(f"analysis.{name}", func)
    new = type(prop)(timed)
    new.__set_name__(cls, name)
    setattr(cls, name, new)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    import netdash.cli as cli
    from netdash.threads import let_waiting_threads_sleep, one_blas_thread

    let_waiting_threads_sleep()  # as cli.main does for metrics, here before the imports below load numpy
    one_blas_thread()
    from netdash import analysis, export
    from netdash.ingest import load as ingest_load
    from netdash.metrics import basic, brokerage, communities, distance, fragmentation, mixing
    from netdash.metrics import structural_holes
    _rows.append(("import netdash", time.perf_counter() - start_wall, time.process_time() - start_cpu, _peak(),
                  time.thread_time()))

    import netdash.ingest as ingest
    ingest.load_dataset = _timed("ingest.load_dataset", ingest_load.load_dataset)
    for name in ("_nodes", "_edges", "_direct", "_trust", "_counts", "matrix", "contact_matrix",
                 "betweenness", "betweenness_directed", "agency_nmi"):
        _wrap_property(analysis.NetworkAnalysis, name)
    _wrap(structural_holes, ["structural_holes"])
    _wrap(mixing, ["ei_by_node", "ei_index", "ei_permutation_test"])
    _wrap(brokerage, ["brokerage_roles", "brokerage_expected"])
    _wrap(fragmentation, ["key_players", "fragmentation"])
    _wrap(distance, ["distance_weighted_fragmentation_estimate"])
    _wrap(basic, ["network_summary"])
    _wrap(export, ["write_safe_csv"])
    out = args.out or Path(tempfile.mkdtemp(prefix="nd_cli_profile_"))
    rc = cli.main(["metrics", str(args.folder), "--out", str(out)])
    total_wall, total_cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{'stage (in the order each ended)':<52} {'wall s':>8} {'CPU s':>8} {'CPU/wall':>8} {'peak MB':>8} "
          f"{'own CPU':>8}")
    for label, wall, cpu, peak_so_far, own in _rows:
        print(f"{label:<52} {wall:8.2f} {cpu:8.2f} {cpu / wall if wall else 0:8.2f} {peak_so_far:8.0f} {own:8.2f}")
    timed = sum(r[1] for r in _rows)
    print(f"{'(untimed glue: merges, sorting, JSON)':<52} {total_wall - timed:8.2f}")
    print(f"{'total':<52} {total_wall:8.2f} {total_cpu:8.2f} {total_cpu / total_wall:8.2f}")
    print(f"peak RSS {peak:,.0f} MB; exit code {rc}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
