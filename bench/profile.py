"""Where the time goes in ``netdash metrics`` at one scale, and the floors (not a test).

Prints, stage by stage, seconds and the process's peak memory so far:

* floors: reading contacts.csv into DuckDB (every column parsed) and the
  compiled betweenness alone;
* the pipeline's stages: import through ``netdash.ingest.load_dataset``,
  each edge table of ``netdash.networks.graphs``, and (unless ``--tables-only``) the
  matrices and each measure family of :class:`netdash.analysis.NetworkAnalysis`.

``--tables-only`` stops after the edge tables.

``--pickle FILE`` loads a dataset pickled from ``load_dataset`` instead of
importing the folder (to profile the measures without ingest in the loop);
``--save-pickle FILE`` writes one.

Usage::

    .venv/bin/python bench/profile.py DEMO_DIR [--tables-only]
"""

import argparse
import resource
import time
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--tables-only", action="store_true")
    parser.add_argument("--pickle", type=Path, help="load this pickled Dataset instead of importing DIR")
    parser.add_argument("--save-pickle", type=Path, help="pickle the imported Dataset here")
    args = parser.parse_args(argv)
    t = time.perf_counter()

    def lap(name, note=""):
        nonlocal t
        now = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name:<42} {now - t:8.2f} s   peak {peak:8.0f} MB   {note}", flush=True)
        t = now

    import duckdb

    con = duckdb.connect()
    rows = con.execute(f"CREATE TABLE c AS SELECT * FROM read_csv('{args.folder / 'contacts.csv'}')"
                       ).fetchone()[0]
    con.close()
    lap("floor: DuckDB reads contacts.csv", f"{rows:,} rows")

    import pickle

    from netdash.networks import graphs
    from netdash.analysis import NetworkAnalysis
    from netdash.ingest import load_dataset
    from netdash.metrics import basic, brokerage, distance, fragmentation, mixing, structural_holes, trust
    lap("import netdash")
    if args.pickle:
        ds = pickle.loads(args.pickle.read_bytes())
        lap("unpickle the Dataset")
    else:
        ds, _ = load_dataset(args.folder, secret=b"netdash-bench")
        lap("load_dataset (read, validate, pseudonymise)")
    if args.save_pickle:
        args.save_pickle.write_bytes(pickle.dumps(ds))
    # Each table alone, reusing those before it (kept in ds.memo), as the analysis would.
    nodes = graphs.practitioner_nodes(ds)
    lap("practitioner_nodes (with coding the log)", f"{len(nodes):,}")
    table = graphs.contact_edges(ds)
    lap("contact_edges", f"{len(table):,} rows")
    # The same options as NetworkAnalysis's, so that its calls find these tables.
    table = graphs.coworking_edges(ds, window_days=90)
    lap("coworking_edges", f"{len(table):,} rows")
    table = graphs.cop_edges(ds)
    lap("cop_edges", f"{len(table):,} rows")
    table = graphs.practitioner_edges(ds, ties="all", window_days=90)
    lap("practitioner_edges (union)", f"{len(table):,} rows")
    table = trust.trust_edges(ds)
    lap("trust_edges", f"{len(table):,} rows")
    table = basic.practitioner_metrics(ds, ties="all", window_days=90)
    lap("practitioner_metrics (counts)")
    if args.tables_only:
        return
    # A fresh analysis on an empty memo builds every table again (the timings above are each table alone).
    ds.memo.clear()
    analysis = NetworkAnalysis(ds)
    M, D = analysis.matrix, analysis.contact_matrix
    lap("analysis: tables + GraphMatrix of G and of D", f"{M.number_of_edges():,} and {D.number_of_edges():,} ties")
    analysis.betweenness
    lap("betweenness", analysis.betweenness.method)
    structural_holes.structural_holes(M)
    lap("structural holes")
    mixing.ei_by_node(M)
    brokerage.brokerage_roles(D)
    lap("E-I by node, brokerage")
    fragmentation.key_players(M, max_nodes=0)
    lap("key players")
    analysis.practitioner_table()
    lap("practitioner table (trust, counts, the measures above again, join)")
    reach = distance.distance_weighted_fragmentation_estimate(M, max_work=analysis.max_work, seed=analysis.seed)
    lap("distance-weighted fragmentation", f"{reach.method}, {reach.sources} sources, se {reach.standard_error:.5f}")
    _ = analysis.agency_nmi
    lap("agency NMI (Louvain / PLM, with its import)")
    analysis.network_measures()
    lap("network measures (all again)")


if __name__ == "__main__":
    main()
