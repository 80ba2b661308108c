"""Time each edge table that ``NetworkAnalysis._tables`` builds (not a test).

For one dataset (a demo folder, imported with ``load_dataset``, or a pickled
``Dataset``), each repeat starts from an empty ``ds.memo`` (where the tables are
kept; an older copy of the package had a ``reuse_tables`` block instead) and builds, in this order, the tables of
``netdash.analysis.NetworkAnalysis._tables`` with its default options
(ties "all", window 90 days): practitioner nodes, contact, co-working and COP
edges, their union, trust edges, practitioner counts. Each table is timed
alone, so the union and the counts are timed with the tables they reuse
already kept, as in the analysis. Prints the median of the repeats
per table and in all, the fastest and slowest totals, peak memory (max RSS
of the process) and the load average before and after.

To compare with an older copy of the package, run the same script with
``PYTHONPATH`` pointing at a folder that holds that copy's ``netdash/``.

Usage::

    .venv/bin/python bench/tables.py DIR_OR_PICKLE [--repeats 5]
"""

import argparse
import contextlib
import os
import pickle
import resource
import statistics
import time
from pathlib import Path


def _build_steps(ds):
    from netdash.networks import graphs
    from netdash.metrics import basic, trust

    options = dict(ties="all", window_days=90)
    return [
        ("practitioner_nodes", lambda: graphs.practitioner_nodes(ds, None)),
        ("contact_edges", lambda: graphs.contact_edges(ds, None)),
        ("coworking_edges", lambda: graphs.coworking_edges(ds, None, window_days=90)),
        ("cop_edges", lambda: graphs.cop_edges(ds, None)),
        ("practitioner_edges (union)", lambda: graphs.practitioner_edges(ds, None, **options)),
        ("trust_edges", lambda: trust.trust_edges(ds, None)),
        ("practitioner_metrics", lambda: basic.practitioner_metrics(ds, None, **options)),
    ]


def _load(path):
    if path.is_dir():
        from netdash.ingest import load_dataset

        return load_dataset(path, secret=b"netdash-bench")[0]
    return pickle.loads(path.read_bytes())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="demo folder or pickled Dataset")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    import netdash
    from netdash.networks import graphs

    print(f"netdash from {Path(netdash.__file__).parent}; load average {os.getloadavg()}")
    ds = _load(args.source)
    steps = _build_steps(ds)
    times = {name: [] for name, _ in steps}
    totals = []
    for _ in range(args.repeats):
        if hasattr(ds, "memo"):
            ds.memo.clear()
        with getattr(graphs, "reuse_tables", contextlib.nullcontext)():  # a fresh store in older copies
            total = 0.0
            for name, build in steps:
                t = time.perf_counter()
                build()
                dt = time.perf_counter() - t
                times[name].append(dt)
                total += dt
        totals.append(total)
    for name, values in times.items():
        print(f"{name:<30} {statistics.median(values):7.3f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'all tables':<30} {statistics.median(totals):7.3f} s  (fastest {min(totals):.3f}, "
          f"slowest {max(totals):.3f}, {args.repeats} runs); peak {peak:,.0f} MB; "
          f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
