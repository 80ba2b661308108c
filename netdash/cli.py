"""The ``netdash`` command.

Every sub-command prints a clear message and exits non-zero on bad input;
a Python traceback is shown only with ``NETDASH_DEBUG=1``.

Exit codes: 0 success, 1 ``validate`` found errors, 2 a usage or input
problem, 3 an internal error (a bug: please report it).
"""

import argparse
import atexit
import functools
import gc
import json
import os
import sys
from pathlib import Path

from netdash.errors import InvalidInputError, NetdashError
from netdash.threads import let_waiting_threads_sleep, one_blas_thread

__all__ = ["main", "build_parser", "metrics_imports", "skip_imported_in_collections"]

TIES = ("direct", "coworking", "cop", "working", "all")


def _replicates(text):
    """A count of replicates for ``--bootstrap`` / ``--permutations``: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of replicates, 0 or more (0: no intervals), "
                                         f"got {text!r}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="netdash",
        description="Are Communities of Practice connecting front-line staff across agencies?",
    )
    parser.add_argument(
        "--workspace",
        type=Path,
        default=None,
        help="workspace folder (default: $NETDASH_WORKSPACE or ~/.local/share/netdash)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="write a synthetic demo dataset with a known COP effect")
    p.add_argument("--out", type=Path, required=True, help="folder to write the CSV files into")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cop-effect", type=float, default=2.0,
                   help="extra cross-agency colleagues per COP attendee (default 2.0)")
    p.add_argument("--scale", choices=("small", "medium", "large"), default="small")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("validate", help="check a dataset folder, workbook or zip without importing it")
    p.add_argument("source", type=Path)
    _add_reading_options(p)
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("import", help="validate and store a dataset in the workspace")
    p.add_argument("source", type=Path)
    p.add_argument("--name", required=True)
    p.add_argument("--replace", action="store_true", help="replace a dataset of the same name")
    _add_reading_options(p)
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("import-edges", help="import a published network: an edge list and an optional node file")
    p.add_argument("edges", type=Path, metavar="EDGES.csv", help="columns from, to and optionally weight and date")
    p.add_argument("--groups", type=Path, default=None, metavar="NODES.csv",
                   help="node file: an id column and a group column; each group becomes an agency")
    p.add_argument("--group-column", default="group", help="group column of the node file (default: group)")
    p.add_argument("--id-column", default="id", help="id column of the node file (default: id)")
    p.add_argument("--name", required=True)
    p.add_argument("--directed", action="store_true",
                   help="edges have a direction (from contacted to); by default an edge list is undirected")
    p.add_argument("--date", default="2000-01-01",
                   help="date of every edge when the edge file has no date column (default 2000-01-01)")
    p.add_argument("--replace", action="store_true", help="replace a dataset of the same name")
    p.add_argument("--dayfirst", action="store_true", help="dates in the edge file are DD/MM/YYYY")
    p.add_argument("--min-date", default=None, metavar="DATE", help="earliest date accepted (default 1990-01-01)")
    p.set_defaults(func=_cmd_import_edges)

    p = sub.add_parser("list", help="list the datasets in the workspace")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("log", help="show who imported, replaced and deleted which dataset, and when")
    p.set_defaults(func=_cmd_log)

    p = sub.add_parser("delete", help="delete a dataset and all its rows from the workspace")
    p.add_argument("name")
    p.set_defaults(func=_cmd_delete)

    p = sub.add_parser("metrics", help="per-practitioner and whole-network measures for a period")
    p.add_argument("target", metavar="DIR_OR_NAME", help="a dataset folder/zip/xlsx, or a workspace dataset name")
    p.add_argument("--out", type=Path, required=True, metavar="OUTDIR")
    p.add_argument("--from", dest="start", default=None, metavar="DATE", help="first day (inclusive)")
    p.add_argument("--to", dest="end", default=None, metavar="DATE", help="last boundary (exclusive)")
    p.add_argument("--ties", choices=TIES, default="working",
                   help="which ties make the network (default working: contacts and co-working, as the dashboard; "
                        "'all' adds COP co-attendance, the intervention itself)")
    p.add_argument("--window-days", type=int, default=90, help="co-working window in days (default 90)")
    p.add_argument("--max-work", type=float, default=None, metavar="STEPS",
                   help="budget for exact betweenness and distances, in practitioners x ties (default 5e8); "
                        "above it they are estimated from sampled practitioners and network.json says how. "
                        "A larger budget samples more (e.g. 1.5e9: three times the sources, about three times "
                        "as long)")
    p.add_argument("--seed", type=int, default=0,
                   help="first seed of the 10 Louvain runs and seed of the sampling (default 0)")
    p.add_argument("--weighted", action="store_true",
                   help="use tie strength (contacts.csv's weight column, default 1 per row, summed per pair) in "
                        "betweenness (distance = 1/strength) and in constraint and effective size")
    p.add_argument("--permutations", type=int, default=200,
                   help="relabellings for the E-I index's p-value in network.json (default 200, as netdash compare; 0 skips it)")
    _add_trust_options(p)
    _add_reading_options(p)
    p.set_defaults(func=_cmd_metrics)

    p = sub.add_parser("compare", help="compare two periods: tie changes and every headline measure with intervals")
    p.add_argument("target", metavar="DIR_OR_NAME")
    p.add_argument("--before", required=True, metavar="START:END", help="first period, e.g. 2023-01-01:2024-01-01")
    p.add_argument("--after", required=True, metavar="START:END", help="second period, e.g. 2024-01-01:2025-01-01")
    p.add_argument("--out", type=Path, required=True, metavar="OUTDIR")
    p.add_argument("--ties", choices=TIES, default="working")
    p.add_argument("--window-days", type=int, default=90)
    p.add_argument("--bootstrap", type=_replicates, default=200, help="bootstrap replicates for intervals (default 200)")
    p.add_argument("--permutations", type=_replicates, default=200, help="permutations for p-values (default 200)")
    p.add_argument("--seed", type=int, default=0)
    _add_reading_options(p)
    p.set_defaults(func=_cmd_compare)

    p = sub.add_parser("evaluate", help="estimate the COP's effect on cross-agency ties (pairs who met, event study, difference-in-differences)")
    p.add_argument("target", metavar="DIR_OR_NAME")
    p.add_argument("--cop-start", default=None, metavar="DATE", help="default: the first COP session")
    p.add_argument("--out", type=Path, required=True, metavar="OUTDIR")
    p.add_argument("--window-days", type=int, default=90)
    p.add_argument("--bootstrap", type=_replicates, default=2000, help="bootstrap replicates (default 2000)")
    p.add_argument("--seed", type=int, default=0)
    _add_reading_options(p)
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("report", help="write the self-contained HTML report")
    p.add_argument("target", metavar="DIR_OR_NAME")
    p.add_argument("--out", type=Path, required=True, metavar="report.html")
    p.add_argument("--cop-start", default=None, metavar="DATE", help="default: the first COP session")
    p.add_argument("--from", dest="start", default=None, metavar="DATE")
    p.add_argument("--to", dest="end", default=None, metavar="DATE")
    p.add_argument("--ties", choices=("working", "direct", "coworking"), default="working")
    p.add_argument("--min-count", type=int, default=5, help="suppress counts below this (default 5)")
    p.add_argument("--title", default=None)
    p.add_argument("--size-by", choices=("degree", "betweenness", "trust_ties"), default=None,
                   help="size the maps' dots by this measure (default: all the same size)")
    _add_reading_options(p)
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("export", help="export the practitioner network for Gephi (GraphML or GEXF) or as an "
                                      "interactive map (HTML: one offline file)")
    p.add_argument("target", metavar="DIR_OR_NAME")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.graphml|FILE.gexf|FILE.html")
    p.add_argument("--from", dest="start", default=None, metavar="DATE")
    p.add_argument("--to", dest="end", default=None, metavar="DATE")
    p.add_argument("--ties", choices=TIES, default="all")
    p.add_argument("--window-days", type=int, default=90)
    _add_reading_options(p)
    p.set_defaults(func=_cmd_export)

    return parser


def _add_reading_options(p):
    p.add_argument("--mapping", type=Path, default=None,
                   help="JSON file mapping your column names onto netdash's: {table: {yours: ours}}")
    p.add_argument("--dayfirst", action="store_true",
                   help="dates are day-first UK dates (DD/MM/YYYY) rather than ISO 8601")
    p.add_argument("--undirected", action="store_true",
                   help="contact rows have no direction: each counts both ways (or {\"directed\": false} in the "
                        "folder's dataset.json)")
    p.add_argument("--min-date", default=None, metavar="DATE",
                   help="earliest date accepted, for historical data (default 1990-01-01, or dataset.json's "
                        "min_date)")


def _add_trust_options(p):
    p.add_argument("--trust-min-interactions", type=int, default=3)
    p.add_argument("--trust-min-months", type=int, default=2)
    p.add_argument("--trust-no-reciprocity", action="store_true",
                   help="do not require each side to have contacted the other")
    p.add_argument("--trust-survey-threshold", type=float, default=3)


def _trust_options(args):
    return dict(
        min_interactions=args.trust_min_interactions,
        min_months=args.trust_min_months,
        require_reciprocity=not args.trust_no_reciprocity,
        survey_threshold=args.trust_survey_threshold,
    )


def _workspace(args):
    """The workspace, tidied after a failed or killed write; a note on stderr when it is read-only."""
    from netdash.store import Workspace

    ws = Workspace(args.workspace)
    reason = ws.read_only
    if reason:
        if args.command not in ("import", "delete"):  # those two refuse with their own message
            print(f"note: the workspace {ws.path} is read-only ({reason}); netdash opened it read-only: datasets "
                  "can be listed, opened and analysed, not imported or deleted.", file=sys.stderr)
        pending = ws.migration_pending
        if pending:
            print(f"note: the workspace {ws.path} {pending}.", file=sys.stderr)
    else:
        ws.recover()
    return ws


def _mapping(args):
    if getattr(args, "mapping", None) is None:
        return None
    from netdash.ingest import load_mapping

    return load_mapping(args.mapping)


def _load_target(args):
    """A dataset from a path (validated and pseudonymised, not stored) or a workspace name."""
    target = Path(args.target)
    if target.exists():
        from netdash.ingest import load_dataset

        ws = _workspace(args)
        ds, report = load_dataset(
            target, secret=ws.secret(), mapping=_mapping(args), dayfirst=args.dayfirst,
            **_dataset_options(args)
        )
        for problem in report.warnings:
            print(f"warning: {problem}", file=sys.stderr)
        return ds
    return _workspace(args).open(args.target)


def _dataset_options(args):
    """``directed`` and ``min_date`` for the ingest: None leaves them to dataset.json or the defaults."""
    return {"directed": False if getattr(args, "undirected", False) else None,
            "min_date": getattr(args, "min_date", None)}


def _print_notes(notes):
    for note in notes:
        print(f"note: {note}")


def _period(args):
    from netdash.periods import Period, parse_day

    start = parse_day(args.start, what="--from") if args.start else None
    end = parse_day(args.end, what="--to") if args.end else None
    return Period(start, end)


def _cmd_demo(args):
    from netdash.demo import generate_demo

    path = generate_demo(_output_folder(args.out), seed=args.seed, cop_effect=args.cop_effect, scale=args.scale)
    print(f"Wrote demo dataset to {path}")
    return 0


def _cmd_validate(args):
    from netdash.ingest import read_source, validate
    from netdash.ingest.options import resolve_options

    directed, min_date = resolve_options(args.source, **_dataset_options(args))
    report = validate(read_source(args.source, mapping=_mapping(args)), dayfirst=args.dayfirst, min_date=min_date,
                      directed=directed)
    _print_notes(report.notes)
    for problem in report.errors:
        print(f"error: {problem}")
    for problem in report.warnings:
        print(f"warning: {problem}")
    if report.errors:
        print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s): fix the errors before importing.")
        return 1
    print(f"OK: no errors, {len(report.warnings)} warning(s).")
    return 0


def _cmd_import(args):
    info = _workspace(args).import_dataset(
        args.source, name=args.name, mapping=_mapping(args), dayfirst=args.dayfirst, replace=args.replace,
        who=_who(), **_dataset_options(args)
    )
    _print_notes(info.notes)
    print(f"Imported {info.name!r} (version {info.version}).")
    return 0


def _cmd_import_edges(args):
    from netdash.ingest.edges import edge_list_tables

    tables = edge_list_tables(args.edges, groups=args.groups, group_column=args.group_column,
                              id_column=args.id_column, date=args.date)
    info = _workspace(args).import_dataset(tables, name=args.name, dayfirst=args.dayfirst, replace=args.replace,
                                           directed=args.directed, min_date=args.min_date, who=_who())
    _print_notes(info.notes)
    counts = info.row_counts
    print(f"Imported {info.name!r} (version {info.version}): {counts['practitioners']} nodes in "
          f"{counts['agencies']} groups, {counts['contacts']} edges, "
          f"{'directed' if info.directed else 'undirected'}.")
    return 0


def _who():
    """The account running this command, for the workspace's record of changes."""
    import getpass

    try:
        return f"{getpass.getuser()} (netdash command)"
    except (KeyError, OSError):
        return "unknown account (netdash command)"


def _cmd_log(args):
    entries = _workspace(args).log()
    if not entries:
        print("No changes recorded yet.")
        return 0
    for e in entries:
        counts = ", ".join(f"{n} {t}" for t, n in e.row_counts.items() if n)
        print(f"{e.at:%Y-%m-%d %H:%M:%S} UTC\t{e.who}\t{e.action}\t{e.dataset}\t{counts}")
    return 0


def _cmd_list(args):
    infos = _workspace(args).list()
    if not infos:
        print("No datasets yet. Import one with: netdash import DIR --name NAME")
        return 0
    for info in infos:
        counts = ", ".join(f"{n} {t}" for t, n in info.row_counts.items() if n)
        print(f"{info.name}\t{info.imported_at}\t{counts}")
    return 0


def _cmd_delete(args):
    if _workspace(args).delete(args.name, who=_who()):
        print(f"Deleted {args.name!r} and all its rows.")
    else:
        print(f"Deleted {args.name!r} and all its rows. The disk is full, so they were deleted inside the "
              "database file: their bytes stay in its free blocks until netdash can rewrite it, which the next "
              "netdash command does once there is room.")
    return 0


def _cmd_metrics(args):
    NetworkAnalysis, write_safe_csv = metrics_imports()
    if args.max_work is not None and not args.max_work > 0:
        raise InvalidInputError(f"--max-work must be a positive number of steps, e.g. 5e8; got {args.max_work}.")
    ds = _load_target(args)
    budget = {} if args.max_work is None else {"max_work": args.max_work}
    if args.permutations < 0:
        raise InvalidInputError(f"--permutations must be 0 or more, e.g. 200; got {args.permutations}.")
    analysis = NetworkAnalysis(ds, _period(args), ties=args.ties, window_days=args.window_days,
                               trust_options=_trust_options(args), seed=args.seed, weighted=args.weighted,
                               permutations=args.permutations, **budget)
    _output_folder(args.out)
    analysis.start_background()
    write_safe_csv(analysis.practitioner_table(), args.out / "practitioners.csv")
    summary = analysis.network_measures()
    _write_json(args.out / "network.json", summary)
    print(f"Wrote {args.out / 'practitioners.csv'} and {args.out / 'network.json'}")
    return 0


def _write_json(path, data):
    path.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")


def _cmd_compare(args):
    from netdash.change.compare import compare_periods
    from netdash.export import write_safe_csv

    from netdash.change.windows import period_notes
    from netdash.periods import parse_period

    ds = _load_target(args)
    before, after = parse_period(args.before), parse_period(args.after)
    result = compare_periods(
        ds, before, after, ties=args.ties, window_days=args.window_days,
        permutations=args.permutations, bootstrap=args.bootstrap, seed=args.seed,
    )
    if None not in (before.start, before.end, after.start, after.end):
        for note in period_notes(before, after):  # unequal or overlapping periods: said, as on Before & after
            print(f"Note: {note}")
    _output_folder(args.out)
    write_safe_csv(result.tie_changes, args.out / "tie_changes.csv")
    _write_json(args.out / "comparison.json", result.to_json())
    print(f"Wrote {args.out / 'tie_changes.csv'} and {args.out / 'comparison.json'}")
    return 0


def _cmd_evaluate(args):
    from netdash.change.impact import evaluate_impact
    from netdash.periods import parse_day

    ds = _load_target(args)
    cop_start = parse_day(args.cop_start, what="--cop-start") if args.cop_start else None
    result = evaluate_impact(ds, cop_start=cop_start, window_days=args.window_days, bootstrap=args.bootstrap,
                             seed=args.seed)
    _output_folder(args.out)
    _write_json(args.out / "impact.json", result)
    did, head, pre, pairs = result["did_dyadic"], result["headline"], result["pre_trend"], result["met_at_cop"]

    def _ci(d):
        return "no interval" if d["ci_low"] is None else f"95% CI {d['ci_low']:.2f} to {d['ci_high']:.2f}"

    print(result["verdict"])
    if head["estimate"] is not None:
        print(f"Headline ({head['estimator']}, the size the verdict states; interval {head['interval']}): "
              f"{head['estimate']:+.2f} cross-agency "
              f"colleagues per attendee in the after window ({_ci(head)})")
    if pairs["excess_per_attendee"] is not None:
        print(f"Met at the COP (second line of evidence; an effect is claimed only when its interval excludes 0 "
              f"and the headline points the same way): {pairs['excess_per_attendee']:+.2f} colleagues per "
              f"attendee ({_ci(pairs)})")
    print(f"Difference-in-differences: {did['estimate']:+.2f} ({_ci(did)}, dyadic-robust). "
          f"Pre-trend test p = {pre['p_value'] if pre['p_value'] is None else round(pre['p_value'], 3)}"
          f"{' (parallel trends doubtful)' if pre['parallel_trends_doubtful'] else ''}. "
          f"Wrote {args.out / 'impact.json'}")
    return 0


def _output_file(path, option="--out"):
    """``path`` ready to be written: its folder created; a clear error when it is a folder or cannot be made."""
    path = Path(path)
    if path.is_dir():
        raise InvalidInputError(f"{option} {path} is a folder; give a file name, e.g. {path / 'report.html'}.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInputError(f"{option} {path}: cannot create the folder {path.parent} "
                                f"({exc.strerror or exc}). Choose a folder you can write to.") from None
    return path


def _output_folder(path, option="--out"):
    """``path`` created as a folder, or a clear error saying why it cannot be."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInputError(f"{option} {path}: cannot create this folder ({exc.strerror or exc}). Choose a "
                                "folder you can write to.") from None
    return path


def _cmd_report(args):
    from netdash.periods import parse_day
    from netdash.report import write_report

    _output_file(args.out)
    ds = _load_target(args)
    warnings = []
    if not Path(args.target).exists():
        warnings = _workspace(args).warnings(args.target)
    cop_start = parse_day(args.cop_start, what="--cop-start") if args.cop_start else None
    path = write_report(ds, args.out, period=_period(args), cop_start=cop_start, ties=args.ties,
                        min_count=args.min_count, warnings=warnings, title=args.title, size_by=args.size_by)
    print(f"Wrote {path}")
    return 0


def _cmd_export(args):
    from netdash.networks import graphs
    from netdash.export import to_gexf, to_graphml

    suffix = args.out.suffix.lower()
    if suffix not in (".graphml", ".gexf", ".html"):
        raise InvalidInputError(f"--out {args.out} should end in .graphml, .gexf or .html "
                                "(the format is taken from it).")
    ds = _load_target(args)
    period = _period(args)
    if suffix == ".html":
        return _export_map(ds, period, args)
    G = graphs.practitioner_graph(ds, period, ties=args.ties, window_days=args.window_days)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    (to_graphml if suffix == ".graphml" else to_gexf)(G, args.out, period=period)
    print(f"Wrote {args.out} ({G.number_of_nodes()} practitioners, {G.number_of_edges()} ties)")
    return 0


def _export_map(ds, period, args):
    """The Network map page's map as one offline HTML file: every tie type's layout, agency colours, every size."""
    from netdash.analysis import NetworkAnalysis
    from netdash.viz import agency_colours, layout_positions, map_html
    from netdash.viz.maps import map_measures, network_map

    analysis = NetworkAnalysis(ds, period, ties=args.ties, window_days=args.window_days)
    layout = analysis if args.ties == "all" else NetworkAnalysis(ds, period, ties="all", window_days=args.window_days)
    names = dict(zip(ds.agencies["agency_id"], ds.agencies["name"]))
    label = "all dates" if period.start is None and period.end is None else period.label()
    drawn = network_map(analysis.G, layout_positions(layout.G), measures=map_measures(analysis),
                        palette=agency_colours(names), agency_names=names, height_px=700,
                        title=f"Network map ({args.ties} ties), {label}", to_see_more=None)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(map_html(drawn.spec), encoding="utf-8")
    print(f"Wrote {args.out} ({drawn.graph.number_of_nodes()} practitioners, {drawn.graph.number_of_edges()} ties)")
    if drawn.message:
        print(drawn.message)
    return 0


def metrics_imports():
    """Import what ``netdash metrics`` uses, with the cyclic garbage collector paused, then freeze what they made.

    The imports make about 80,000 objects (the medium demo's count), nearly
    all of them alive until the process ends. With the collector running,
    their allocation set off about 200 collections during the imports, which
    walked them again and again and freed a few hundred objects (the time
    they took: docs/benchmarks.md, "Session 20: the medium ratio"). Paused, nothing is
    collected until :func:`skip_imported_in_collections` has moved every
    object alive out of the collector's sight, and the collector is then
    switched back on as it was. The few hundred cycles left over from the
    imports are frozen with the rest and go back to the collector when
    :func:`main` unfreezes at the command's end. No value depends on it.

    Returns
    -------
    tuple
        :class:`netdash.analysis.NetworkAnalysis` and
        :func:`netdash.export.write_safe_csv`.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        from netdash.analysis import NetworkAnalysis
        from netdash.export import write_safe_csv
        from netdash.ingest import load_dataset  # noqa: F401 - imported before the freeze, as _load_target needs it

        skip_imported_in_collections()
    finally:
        if enabled:
            gc.enable()
    return NetworkAnalysis, write_safe_csv


def skip_imported_in_collections():
    """Keep the objects alive now out of the cyclic garbage collector's walks, until :func:`main` returns and at exit.

    ``netdash metrics`` calls it once its libraries are imported. They make
    about 76,000 long-lived objects (modules, functions, classes: the medium
    demo's count) that every full collection walked again, twice during the
    command and again in the interpreter's shutdown, freeing none of them. :func:`gc.freeze` moves the
    objects alive now out of the collector's sight; :func:`main` moves them
    back when the command returns (a caller in the same process, a test, gets
    its collector as it was, unless it had frozen objects itself), and an exit handler freezes what is left just
    before the shutdown, when every object is freed with the process anyway.
    Objects made later are collected as before. No value depends on it. CPU times before and after: docs/benchmarks.md,
    "Session 16: the medium ratio".
    """
    gc.freeze()
    _freeze_at_exit()


@functools.cache
def _freeze_at_exit():
    atexit.register(gc.freeze)  # once per process, however many commands run in it (tests, bench/run.py)


def main(argv=None):
    let_waiting_threads_sleep()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "metrics":
        return _run(args)
    one_blas_thread()
    frozen = gc.get_freeze_count()
    try:
        return _run(args)
    finally:
        if not frozen:  # skip_imported_in_collections's freeze ends with the command; a caller's own stays
            gc.unfreeze()


def _run(args):
    try:
        return args.func(args)
    except NetdashError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as err:  # writing an output: a path or permission the user can fix, not a bug
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{err.strerror or err}. Check the path, the free space and that you can write there.",
              file=sys.stderr)
        return 2
    except Exception as err:  # noqa: BLE001 - last line of defence: never a traceback for users
        if os.environ.get("NETDASH_DEBUG"):
            raise
        print(
            f"internal error: {type(err).__name__}: {err}\n"
            "This is a bug in netdash. Run again with NETDASH_DEBUG=1 to see the details and report it.",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
