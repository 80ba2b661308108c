"""Time the small choices that code comments justify (not a test).

Comments in ``netdash/`` give the reason for a choice and point to
docs/benchmarks.md for its cost; this script measures those costs, each as
the median of ``--repeats`` runs in this process (after one warm-up run),
and prints the load average before and after. The sections of
docs/benchmarks.md ("Figures behind comments in the code") are named after
the code each figure belongs to. Only public names are used (as
``tools/check_imports.py`` requires of bench/):

- ``Dataset.date_range``: one pass over the dates at medium scale;
- ``dataset_log``: coding the medium demo's log;
- ``sorted_counts``: against ``numpy.unique`` on the medium demo's
  practitioner-client keys;
- ``_plain_pair_table``: what the plain-graph path saves in
  ``layout_positions`` (one iteration) on a graph of 80,000 ties, against the
  same graph given as a subclass of ``nx.Graph`` (the general path);
- ``LOUVAIN_NETWORKX_MAX_TIES``: networkx's Louvain against NetworKit's PLM
  at 900, 4,000 and 8,000 ties (random graphs, 12 agencies; both through
  ``agency_alignment``, so each time includes the same NMI and ARI);
- ``build_report``: the time one comparison replicate adds on the bundled
  demo.

Usage::

    .venv/bin/python bench/comment_figures.py [--repeats 5] [--medium DIR]

``--medium`` reuses a medium demo folder (``generate_demo(seed=0,
scale="medium")``); without it one is generated in a temporary folder.
"""

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def _median(fn, repeats):
    fn()  # warm-up: imports and first-use caches are not what is measured
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def _show(label, stats):
    median, low, high = stats
    print(f"{label}: median {median:.4f} s ({low:.4f} to {high:.4f})", flush=True)
    return median


def _medium(folder, repeats):
    from netdash.ingest import load_dataset
    from netdash.networks.codes import coded_log, sorted_counts

    ds, _ = load_dataset(folder, secret=b"k" * 32, name="medium")
    print(f"medium demo: {len(ds.contacts):,} contacts", flush=True)

    def date_range():
        ds.memo.clear()  # the range is kept in the dataset's memo: time the pass itself
        return ds.date_range

    _show("Dataset.date_range, one pass (medium)", _median(date_range, repeats))
    _show("dataset_log: coded_log of the medium demo", _median(lambda: coded_log(ds), repeats))
    p = pd.factorize(ds.contacts["practitioner_id"])[0].astype(np.int64)
    c, clients = pd.factorize(ds.contacts["client_id"])
    keys = p * len(clients) + c.astype(np.int64)
    print(f"sorted_counts keys: {len(keys):,} practitioner-client keys, {len(np.unique(keys)):,} distinct")
    ours = _show("sorted_counts (sort and scan)", _median(lambda: sorted_counts(keys), repeats))
    theirs = _show("numpy.unique(keys)", _median(lambda: np.unique(keys), repeats))
    print(f"  numpy.unique / sorted_counts: {theirs / ours:.1f}x")


class SubclassedGraph(nx.Graph):
    """A plain graph in all but its type, so the layout's pair table takes its general path."""


def _pairs(repeats):
    from netdash.viz import layout_positions

    G = nx.gnm_random_graph(4000, 80_000, seed=0)
    H = SubclassedGraph(G)
    plain = _show("layout_positions(iterations=1), plain nx.Graph, 80,000 ties",
                  _median(lambda: layout_positions(G, iterations=1), repeats))
    general = _show("layout_positions(iterations=1), same graph as a subclass (general pair table)",
                    _median(lambda: layout_positions(H, iterations=1), repeats))
    print(f"  what the plain path saves: {general - plain:.3f} s")


def _louvain(repeats):
    from netdash.metrics import communities

    threshold = communities.LOUVAIN_NETWORKX_MAX_TIES
    try:
        communities.LOUVAIN_NETWORKX_MAX_TIES = 0  # "auto" takes PLM at every size here
        for ties in (900, 4000, 8000):
            n = max(300, ties // 10)
            G = nx.gnm_random_graph(n, ties, seed=1)
            nx.set_node_attributes(G, {v: f"A{v % 12}" for v in G}, "agency")
            nxt = _show(f"Louvain (networkx), {ties:,} ties, {n} nodes",
                        _median(lambda: communities.agency_alignment(G, implementation="networkx"), repeats))
            plm = _show(f"PLM (NetworKit), {ties:,} ties",
                        _median(lambda: communities.agency_alignment(G, implementation="auto"), repeats))
            print(f"  networkx / PLM: {nxt / plm:.1f}x")
    finally:
        communities.LOUVAIN_NETWORKX_MAX_TIES = threshold


def _report(repeats):
    from netdash.ingest import load_dataset
    from netdash.report import build_report

    ds, _ = load_dataset(ROOT / "data" / "demo", secret=b"k" * 32, name="demo")
    replicates = 50  # the default: a difference well above the run-to-run noise
    none = _show("build_report, demo, compare_replicates=0",
                 _median(lambda: build_report(ds, compare_replicates=0, bootstrap=50), repeats))
    some = _show(f"build_report, demo, compare_replicates={replicates}",
                 _median(lambda: build_report(ds, compare_replicates=replicates, bootstrap=50), repeats))
    print(f"  per comparison replicate: {(some - none) / replicates:.3f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--medium", type=Path, default=None)
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.medium
        if folder is None:
            from netdash.demo import generate_demo

            folder = generate_demo(Path(tmp) / "medium", seed=0, scale="medium")
        _medium(folder, args.repeats)
    _pairs(args.repeats)
    _louvain(min(args.repeats, 3))
    _report(min(args.repeats, 3))
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
