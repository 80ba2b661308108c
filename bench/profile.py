"""Where the time goes in ``netdash metrics`` at one scale, and the floors (not a test).

Prints, stage by stage, seconds and the process's peak memory so far:

* floors: reading contacts.csv into DuckDB (every column parsed) and the
  compiled betweenness alone;
* the pipeline's stages: import through ``netdash.ingest.load_dataset``,
  each edge table of ``netdash.graphs``, and (unless ``--tables-only``) the
  graphs and measures of :class:`netdash.analysis.NetworkAnalysis`.

``--tables-only`` stops before building networkx graphs, for data whose
practitioner graph does not fit in memory as a networkx graph (the large
demo with ties "all": about 8.5 million ties).

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

    from netdash import graphs
    from netdash.analysis import NetworkAnalysis
    from netdash.ingest import load_dataset
    lap("import netdash")
    ds, _ = load_dataset(args.folder, secret=b"netdash-bench")
    lap("load_dataset (read, validate, pseudonymise)")
    with graphs.reuse_tables():
        nodes = graphs.practitioner_nodes(ds)
        lap("practitioner_nodes", f"{len(nodes):,}")
        for name in ("contact_edges", "coworking_edges", "cop_edges", "practitioner_edges"):
            table = getattr(graphs, name)(ds)
            lap(name, f"{len(table):,} rows")
        if args.tables_only:
            return
        analysis = NetworkAnalysis(ds)
        analysis.G
        lap("graphs (practitioner, contact, trust) + counts")
    analysis.betweenness
    lap("betweenness", analysis.betweenness.method)
    analysis.practitioner_table()
    lap("rest of practitioner table")
    analysis.network_measures()
    lap("network measures")


if __name__ == "__main__":
    main()
