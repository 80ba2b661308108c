"""What the Network map computes before its first drawing, stage by stage, at any scale (issue 19).

In one process: open the dataset from a workspace, build the practitioner
graph with working ties (the page's default), lay the period out from the
tables of every tie (:func:`netdash.viz.layout.period_layout`, as the
dashboard does since issue 19: no networkx graph of every tie) and draw the
map's data (:func:`netdash.viz.maps.network_map`, which cuts a large network
to its backbone). ``--graph-all`` builds the graph of every tie too and lays
it out from that graph, as the dashboard did before. Prints each stage's CPU and wall seconds. The
dashboard caches each stage, so the sum is a cold first visit's computing,
not counting Streamlit and the browser. Usage::

    .venv/bin/python bench/large_map.py /tmp/nd_pt_ws_large large

(``bench/page_timings.py --scale large`` makes that workspace.)
"""

import argparse
import time

from netdash.analysis import NetworkAnalysis
from netdash.periods import Period
from netdash.store import Workspace
from netdash.viz import agency_colours
from netdash.viz.layout import CORE_NODES, LARGE_LAYOUT_NODES, period_layout
from netdash.viz.maps import network_map


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace")
    parser.add_argument("dataset")
    parser.add_argument("--graph-all", action="store_true",
                        help="also build the graph of every tie and lay the map out from it (the old way)")
    args = parser.parse_args(argv)
    clock = [time.process_time(), time.perf_counter()]

    def lap(stage, detail=""):
        cpu, wall = time.process_time(), time.perf_counter()
        print(f"| {stage} | {cpu - clock[0]:.2f} | {wall - clock[1]:.2f} | {detail} |", flush=True)
        clock[:] = [cpu, wall]

    print("| stage | CPU s | wall s | |\n|---|---:|---:|---|")
    ds = Workspace(args.workspace).open(args.dataset)
    lap("open the dataset", f"{len(ds.contacts):,} contacts")
    period = Period(None, None)
    G_all = None
    if args.graph_all:
        G_all = NetworkAnalysis(ds, period, ties="all").G
        lap("graph, every tie", f"{G_all.number_of_nodes():,} practitioners, {G_all.number_of_edges():,} ties")
    G = NetworkAnalysis(ds, period, ties="working").G
    lap("graph, working ties", f"{G.number_of_edges():,} ties")
    pos = period_layout(ds, period, G=G_all)
    large = G.number_of_nodes() > LARGE_LAYOUT_NODES
    lap("layout" + (" (from the graph of every tie)" if G_all is not None else " (from the tables of every tie)"),
        f"core of {CORE_NODES:,} by forces" if large else "every node by forces")
    colours = agency_colours(sorted(ds.agencies["agency_id"]))
    names = dict(zip(ds.agencies["agency_id"], ds.agencies["name"]))
    drawn = network_map(G, pos, palette=colours, agency_names=names, size_menu=False, height_px=620)
    lap("map data (backbone when large)",
        f"{drawn.graph.number_of_nodes():,} practitioners, {drawn.graph.number_of_edges():,} ties drawn")


if __name__ == "__main__":
    main()
