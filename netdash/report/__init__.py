"""A self-contained HTML report of one dataset, for reading offline or printing to PDF.

:func:`build_report` gathers the headline measures, before/after network
maps, mixing matrices, the COP impact estimate, an isolation summary, the
client-team aggregates and the import's data-quality notes into one HTML
document. The document loads nothing: styles are inline, maps are inline
SVG, and there is no script at all; its Content-Security-Policy forbids
scripts and every external fetch, as a second line of defence.

Privacy: every count from 1 to ``min_count - 1`` is hidden
(:mod:`netdash.privacy`), nobody is named (maps carry agencies only,
isolation is counted, not listed) and all user text (dataset, agency names,
warnings) is HTML-escaped by Jinja2's autoescaping. See ``docs/report.md``.
"""

import datetime as _dt
import numbers
from pathlib import Path

import jinja2

from netdash import __version__
from netdash.networks import graphs
from netdash.errors import InvalidInputError
from netdash.change.impact import OUTCOME_TIES
from netdash.change.impact.estimators import DASHBOARD_BOOTSTRAP
from netdash.periods import Period, parse_day
from netdash.privacy import DEFAULT_THRESHOLD
from netdash.report.cells import count_cell, marker
from netdash.report.maps import SIZE_BY, agency_svg_maps, before_after_maps
from netdash.report.outcomes import clients_section, impact_section, isolation_section
from netdash.report.sections import (comparison_section, cop_windows, guarded, headline_section,
                                     mixing_section)
from netdash.viz.colours import agency_colours
from netdash.viz.layout import period_layout

__all__ = ["build_report", "write_report", "SECTIONS"]

#: (anchor id, heading) of every section, in order.
SECTIONS = (
    ("how-to-read", "How to read this report"),
    ("headline", "Headline measures"),
    ("maps", "Network maps before and after"),
    ("mixing", "Mixing between agencies"),
    ("impact", "Impact estimate"),
    ("isolation", "Isolation summary"),
    ("clients", "The team around the client"),
    ("data-quality", "Data-quality notes"),
    ("caveats", "Caveats"),
)

_TIES_RULE = {
    "working": "a contact between them is logged (either way) or they both saw the same client within 90 days",
    "direct": "a contact between them is logged (either way)",
    "coworking": "they both saw the same client within 90 days",
}

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("netdash.report", "templates"),
    autoescape=True,  # every {{ }} is escaped: agency names, dataset names and warnings are user text
    undefined=jinja2.StrictUndefined,
    trim_blocks=False,
)


def _whole(value, name, least):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
        raise InvalidInputError(f"build_report: {name} should be a whole number of at least {least}; "
                                f"got {value!r}.")


def _check(ties, min_count, bootstrap, compare_replicates, period, warnings):
    if ties not in OUTCOME_TIES:
        raise InvalidInputError(
            f"build_report: ties should be one of {', '.join(OUTCOME_TIES)}; got {ties!r}. COP "
            "co-attendance is what the report evaluates, so it cannot also count as a tie.")
    _whole(min_count, "min_count", 1)
    _whole(bootstrap, "bootstrap", 1)
    _whole(compare_replicates, "compare_replicates", 0)
    if period is not None and not isinstance(period, Period):
        raise InvalidInputError(f"build_report: period should be a netdash.periods.Period or None; got "
                                f"{period!r}. Use parse_period('2024-01-01:2024-07-01').")
    if isinstance(warnings, (str, bytes)):
        raise InvalidInputError("build_report: warnings should be a list of messages, not one string; "
                                "wrap it in a list.")


def _sizes(ds, window, G, size_by):
    """``size_by`` of each practitioner in the window's graph ``G``."""
    from netdash.metrics import betweenness
    from netdash.metrics.trust import trust_graph

    if size_by == "degree":
        return dict(G.degree())
    if size_by == "betweenness":
        return betweenness(G, normalized=True)
    return dict(trust_graph(ds, window).degree())


def build_report(ds, *, period=None, cop_start=None, ties="working", min_count=DEFAULT_THRESHOLD, seed=0,
                 warnings=(), title=None, bootstrap=DASHBOARD_BOOTSTRAP, compare_replicates=50, size_by=None):
    """The complete HTML report of ``ds`` as one self-contained document.

    Parameters
    ----------
    ds : Dataset
    period : Period, optional
        Period of the headline measures, the before/after windows and the
        isolation summary; ``None`` means all the data. The impact estimate
        always uses all the data (see :func:`netdash.change.impact.evaluate_impact`).
    cop_start : date-like, optional
        First day of the COP; default the first COP session.
    ties : {"working", "direct", "coworking"}, default "working"
        Which ties count (:func:`netdash.networks.graphs.practitioner_graph`).
    min_count : int, default 5
        Counts from 1 to ``min_count - 1`` are shown as ``"<min_count"``.
    seed : int, default 0
        Seed of the layout, the bootstraps and the permutations. The maps
        use the dashboard's layout of ``period``
        (:func:`netdash.viz.layout.period_layout`; the dashboard's seed is 0).
    warnings : sequence of str
        Data-quality notes, e.g. ``Workspace.warnings(name)``.
    title : str, optional
        Default ``"Cross-agency working: <dataset name>"``.
    bootstrap : int, default 1000
        Bootstrap replicates for the impact intervals: the COP impact page's
        default (:data:`netdash.change.impact.estimators.DASHBOARD_BOOTSTRAP`),
        so with the same settings the report prints the page's numbers and
        verdict (the report says how many).
    compare_replicates : int, default 50
        Bootstrap and permutation replicates for the before/after change of
        the headline measures; 0 gives the change without interval or p.
        Each replicate recomputes every measure twice (time per replicate:
        ``docs/benchmarks.md``, "build_report").
    size_by : {"degree", "betweenness", "trust_ties"}, optional
        Size the practitioner maps' dots by this measure of each window
        (ties, exact betweenness, trust ties), as the dashboard's "Dot size";
        default: every dot the same size.

    Returns
    -------
    str
        A complete HTML document with no external resource and no script.

    Raises
    ------
    InvalidInputError
        A setting is out of range, or ``cop_start`` is not a date. A section
        the data cannot support (no COP attendance, say) does not raise: the
        report shows the reason in its place.
    """
    _check(ties, min_count, bootstrap, compare_replicates, period, warnings)
    if size_by is not None and size_by not in SIZE_BY:
        raise InvalidInputError(f"build_report: size_by should be one of {', '.join(SIZE_BY)} or None; "
                                f"got {size_by!r}.")
    if cop_start is not None:
        cop_start = parse_day(cop_start, what="COP start")
    whole = period or Period()
    windows = guarded(cop_windows, ds, period, cop_start, min_count=min_count)
    context = {
        "headline": headline_section(ds, period, ties=ties, min_count=min_count, seed=seed),
        "impact": guarded(impact_section, ds, cop_start=cop_start, ties=ties, min_count=min_count,
                          bootstrap=bootstrap, seed=seed),
    }
    if isinstance(windows, dict):
        context.update(maps=windows, mixing=windows, comparison=windows, windows=None,
                       isolation=guarded(isolation_section, ds, whole, None, ties=ties, min_count=min_count),
                       clients=clients_section(ds, [("Period", whole)], min_count=min_count))
    else:
        before, after = windows
        G_before = graphs.practitioner_graph(ds, before, ties=ties)
        G_after = graphs.practitioner_graph(ds, after, ties=ties)
        # the dashboard's layout of the period, so the report's maps match the Network map and Before & after
        sizes = None if size_by is None else tuple(
            _sizes(ds, window, G, size_by) for window, G in ((before, G_before), (after, G_after)))
        maps = before_after_maps(G_before, G_after, ds.agencies, layout=period_layout(ds, whole, seed=seed),
                                 attendees=set(ds.cop_attendance["practitioner_id"]), sizes=sizes)
        # the organisation view, as the dashboard's agency-level map on Before & after
        maps["agencies"] = agency_svg_maps(G_before, G_after, ds.agencies, min_count=min_count)
        maps["before_ties"] = count_cell(maps["before"]["n_ties"], min_count)
        maps.update({k: count_cell(v, min_count) for k, v in maps["counts"].items()})
        context.update(
            maps=maps, windows={"before": before.label(), "after": after.label()},
            mixing=mixing_section(G_before, G_after, ds.agencies, min_count=min_count),
            comparison=guarded(comparison_section, ds, before, after, ties=ties, min_count=min_count,
                               replicates=compare_replicates, seed=seed),
            isolation=guarded(isolation_section, ds, after, before, ties=ties, min_count=min_count),
            clients=clients_section(ds, [("Before", before), ("After", after)], min_count=min_count))
    colours = agency_colours(ds.agencies["agency_id"])
    start = cop_start if cop_start is not None else ds.first_cop_session
    return _ENV.get_template("report.html.j2").render(
        **context,
        title=title if title is not None else f"Cross-agency working: {ds.name}",
        dataset=ds.name, version=__version__, period_given=period is not None, seed=seed, ties=ties, min_count=min_count,
        marker=marker(min_count), ties_rule=_TIES_RULE[ties],
        period=whole.describe(ds.date_range),
        cop_start=start.date().isoformat() if start is not None else None,
        generated=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        sections=SECTIONS, warnings=[str(w) for w in warnings],
        agencies=[{"id": a, "name": n, "sector": s, "colour": colours.get(a)}
                  for a, n, s in zip(ds.agencies["agency_id"], ds.agencies["name"], ds.agencies["sector"])],
    )


def write_report(ds, path, **kw):
    """Write :func:`build_report` to ``path`` (UTF-8) and return the path.

    Keyword arguments are those of :func:`build_report`.
    """
    path = Path(path)
    path.write_text(build_report(ds, **kw), encoding="utf-8")
    return path
