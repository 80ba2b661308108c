"""What the server computes for a new "Ties" setting on four dashboard pages, call by call (issue 14 item 3).

For each page (Before & after, Over time, Brokerage, Fragmentation, Isolation & introductions, COP impact) a fresh process
unpickles the dataset, computes the page's default setting ("working" ties: untimed, as the app
would already hold it after the page's first load) and then times each netdash call the page makes
when the user picks the next option ("direct"), in the order and with the arguments of
``pages/*.py``. The sidebar period is the whole dataset and the COP start its first session, as in
``bench/page_timings.py``. Page-side work (Altair charts, Streamlit) is not included.

Wall and CPU (``time.process_time``: both cores count) seconds, median over ``--repeats`` fresh
processes. With ``--base DIR`` (a checkout of another revision, e.g. ``git archive main | tar -x
-C /tmp/nd_base``) each repeat runs the page in the base tree, then in this one, so both are
measured in the same minutes under the same load; the ratio is base / this tree (wall).

Usage::

    .venv/bin/netdash demo --scale medium --out /tmp/nd_medium --seed 0
    .venv/bin/python bench/page_compute.py /tmp/nd_medium --repeats 5 --base /tmp/nd_base [--json out.json]
    .venv/bin/python bench/page_compute.py --show out.json   # the table again, from the saved runs
"""

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
PAGES = ("before_after", "over_time", "brokerage", "fragmentation", "isolation", "cop_impact")
TITLES = {"before_after": "Before & after", "over_time": "Over time", "brokerage": "Brokerage",
          "fragmentation": "Fragmentation", "isolation": "Isolation & introductions", "cop_impact": "COP impact"}
DEFAULT, NEW = "working", "direct"


# --- run in a child process, against whichever netdash is on sys.path -----------------------------------------

def _page_work(ds, page, ties, state, clock):
    """The netdash calls ``page`` makes for ``ties``; ``clock(name, f)`` runs and times each one."""
    import pandas as pd

    from netdash.analysis import NetworkAnalysis
    from netdash.periods import Period

    first, last = ds.date_range
    period = Period(first, last + pd.Timedelta(days=1))  # the sidebar's default: every day of the data
    if "positions" not in state and page in ("before_after", "over_time"):
        from netdash.viz import layout_positions

        # The Network map's layout of the period, shared by the map pages (cached).
        state["positions"] = layout_positions(NetworkAnalysis(ds, period, ties="all").G)
    positions = state.get("positions")
    if page == "before_after":
        from netdash.change.compare import compare_periods, mixing_change
        from netdash.change.dynamics import tie_change_summary
        from netdash.change.windows import equal_windows
        from netdash.metrics.mixing import collapse_mixing
        from netdash.viz.inpage import maps_payload
        from netdash.viz.panels import before_after_maps

        before, after = equal_windows(ds, period=period)  # the page's default since issue 16 (was split_at)
        analyses = (NetworkAnalysis(ds, before, ties=ties), NetworkAnalysis(ds, after, ties=ties))
        G_b, G_a = clock("analysis(before).G, analysis(after).G", lambda: (analyses[0].G, analyses[1].G))

        def maps():
            panels = before_after_maps(G_b, G_a, height_px=470, titles=("Before", "After"), positions=positions,
                                       max_nodes=750, to_see_more="more")
            return maps_payload([panels.before.spec, panels.after.spec])
        clock("before_after_maps + maps_payload", maps)
        comparison = clock("compare_periods(analyses=...)", lambda: compare_periods(
            ds, before, after, ties=ties, permutations=0, bootstrap=0, analyses=analyses))
        clock("tie_change_summary x2", lambda: (tie_change_summary(comparison.tie_changes),
                                                tie_change_summary(comparison.trust_tie_changes)))
        sectors = dict(zip(ds.agencies["agency_id"], ds.agencies["sector"]))
        clock("mixing_change + collapse_mixing", lambda: [collapse_mixing(m, sectors)
                                                           for m in mixing_change(G_b, G_a)])
        from netdash.viz.maps import agency_maps

        clock("agency_maps + maps_payload", lambda: maps_payload(agency_maps(G_b, G_a)))
    elif page == "over_time":
        from netdash.change.windows import attendee_series, headline_series, windows
        from netdash.networks import graphs
        from netdash.viz.inpage import maps_payload
        from netdash.viz.panels import map_panel, periods_population

        clock("headline_series", lambda: headline_series(ds, freq="quarter", ties=ties))

        def window_graphs():  # as pages/_cached.py since issue 14: everyone from the node tables, one network
            spans = windows(first, last, freq="quarter")
            if "everyone" not in state:  # the same for every ties setting (cached by the page)
                state["everyone"] = periods_population(ds, spans)
            return graphs.practitioner_graph(ds, spans[-1], ties=ties), state["everyone"]
        shown_graph, everyone = clock("practitioner_graph of the shown window", window_graphs)
        clock("attendee_series", lambda: attendee_series(ds, freq="quarter", ties=ties))

        def panel():
            shown = map_panel(shown_graph, positions, population=everyone, title="last", height_px=560)
            return maps_payload([shown.spec])
        clock("map_panel + maps_payload", panel)
    elif page == "brokerage":
        from netdash.metrics import structural_holes

        shared = NetworkAnalysis(ds, period, ties=ties)
        M = clock("analysis.matrix", lambda: shared.matrix)
        clock("structural_holes", lambda: structural_holes.structural_holes(M))
        clock("analysis.betweenness", lambda: shared.betweenness)
    elif page == "fragmentation":
        from netdash.metrics import communities, distance, fragmentation, mixing

        M = clock("analysis.matrix", lambda: NetworkAnalysis(ds, period, ties=ties).matrix)
        clock("fragmentation + components", lambda: (fragmentation.fragmentation(M),
                                                     fragmentation.components_summary(M)))
        clock("distance_weighted_fragmentation_estimate",
              lambda: distance.distance_weighted_fragmentation_estimate(M))
        clock("ei_permutation_test (1000)", lambda: mixing.ei_permutation_test(M, "agency", permutations=1000,
                                                                               seed=0))
        clock("ei_by_group, ei_by_node, mixing_matrix", lambda: (
            mixing.ei_by_group(M, "agency"), mixing.ei_by_node(M, "agency"), mixing.mixing_matrix(M, "agency")))
        clock("agency_alignment", lambda: communities.agency_alignment(M, "agency", seed=0, implementation="auto"))
        clock("key_players", lambda: fragmentation.key_players(M, top=20))
    elif page == "isolation":
        from netdash.actions import colleagues, isolation

        report = clock("isolation_report", lambda: isolation.isolation_report(ds, period, ties=ties,
                                                                               drift_share=0.5))
        clock("suggest_introductions", lambda: isolation.suggest_introductions(ds, period, ties=ties))
        clock("suggested_colleagues", lambda: colleagues.suggested_colleagues(ds, period, report, ties=ties))
        clock("category_counts x3 + may_be_named", lambda: (
            isolation.category_counts(report, min_count=5, marker="hidden"),
            isolation.category_counts(report, by="agency_id", min_count=5, marker="hidden"),
            isolation.category_counts(report, by="agency_id", min_count=5, note=True),
            isolation.may_be_named(report, min_count=5)))
    elif page == "cop_impact":  # pages/_cached.py's _impact_design, _impact_staggered and _impact
        from netdash.change.impact import impact_design, impact_estimates, staggered_estimates

        design = clock("impact_design", lambda: impact_design(ds, ties=ties))
        staggered = clock("staggered_estimates", lambda: staggered_estimates(ds, design))
        clock("impact_estimates (1000) + practitioner_table", lambda: (
            impact_estimates(design, bootstrap=1000, staggered=staggered), design.practitioner_table()))
    else:
        raise SystemExit(f"unknown page {page!r}")


def _child(page, pickled):
    ds = pickle.loads(Path(pickled).read_bytes())
    state, times = {}, {}

    def untimed(name, f):
        return f()

    def clock(name, f):
        wall, cpu = time.perf_counter(), time.process_time()
        out = f()
        times[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        return out

    _page_work(ds, page, DEFAULT, state, untimed)
    _page_work(ds, page, NEW, state, clock)
    times["total"] = tuple(sum(t[k] for t in times.values()) for k in (0, 1))
    print(json.dumps(times))


# --- the parent -----------------------------------------------------------------------------------------------

def _run(tree, page, pickled):
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", page, "--pickle", pickled],
                         env=env, cwd=str(tree), capture_output=True, text=True, check=False)
    if out.returncode:
        raise SystemExit(f"{page} in {tree} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _load():
    return os.getloadavg()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?", help="a demo folder (netdash demo --out ...)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--base", type=Path, help="a checkout of another revision, run alternately with this one")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--json", type=Path, help="also write every run's times here")
    parser.add_argument("--show", type=Path, help="print the table of a --json file written earlier, run nothing")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--pickle", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.pickle)
    if args.show:
        return _print_table(json.loads(args.show.read_text()))
    if args.folder is None:
        parser.error("give the demo folder")

    sys.path.insert(0, str(HERE))
    from netdash.ingest import load_dataset

    ds, _ = load_dataset(args.folder, secret=b"netdash-bench", name=args.folder.name)
    trees = ([("base", args.base.resolve())] if args.base else []) + [("this", HERE)]
    results = {name: {} for name, _ in trees}
    start = (time.strftime("%Y-%m-%d %H:%M:%S"), _load())
    with tempfile.TemporaryDirectory() as tmp:
        pickled = str(Path(tmp) / "ds.pkl")
        Path(pickled).write_bytes(pickle.dumps(ds))
        for page in args.pages.split(","):
            for _ in range(args.repeats):
                for name, tree in trees:
                    for step, value in _run(tree, page, pickled).items():
                        results[name].setdefault(page, {}).setdefault(step, []).append(value)
    end = (time.strftime("%Y-%m-%d %H:%M:%S"), _load())
    saved = {"start": start, "end": end, "repeats": args.repeats, "pages": args.pages.split(","),
             "dataset": f"{len(ds.practitioners):,} practitioners, {len(ds.contacts):,} contacts", "results": results}
    if args.json:
        args.json.write_text(json.dumps(saved, indent=1))
    _print_table(saved)


def _print_table(saved):
    results, pages = saved["results"], saved["pages"]
    base = "base" in results
    (t0, l0), (t1, l1) = saved["start"], saved["end"]
    print(f"{saved['dataset']}; '{DEFAULT}' -> '{NEW}' ties; median of {saved['repeats']} fresh processes per tree")
    print(f"load average {l0[0]:.2f} {l0[1]:.2f} {l0[2]:.2f} at {t0}, {l1[0]:.2f} {l1[1]:.2f} {l1[2]:.2f} at {t1} "
          f"(nproc {os.cpu_count()})")
    header = "| Page | Call |" + (" base wall | base CPU |" if base else "") + " wall | CPU |" + \
        (" base / this, wall | base / this, CPU |" if base else "")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for page in pages:
        for step in results["this"][page]:
            cells, med = [], {}
            for name in (("base", "this") if base else ("this",)):
                values = results[name][page].get(step)
                if values is None:
                    cells += ["–", "–"]
                    continue
                med[name] = [statistics.median(v[k] for v in values) for k in (0, 1)]
                cells += [f"{med[name][0]:.3f}", f"{med[name][1]:.3f}"]
            if base:
                cells += [f"{med['base'][k] / med['this'][k]:.1f}x" if "base" in med and med["this"][k] else "–"
                          for k in (0, 1)]
            label = f"**{step}**" if step == "total" else step
            print(f"| {TITLES[page]} | {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
