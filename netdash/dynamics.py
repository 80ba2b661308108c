"""How ties change between two periods, and the headline measures over time.

The unit of change is a practitioner pair: a tie either appears (``new``),
disappears (``lost``), persists (``kept``) or persists and grows
(``strengthened``). Comparing the same pairs across two snapshots is the
usual first step in the analysis of network dynamics (Snijders, van de Bunt
& Steglich 2010, "Introduction to stochastic actor-based models for network
dynamics", *Social Networks* 32: 44-60, section 2).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from netdash.errors import AnalysisError, InvalidInputError
from netdash.metrics import communities, fragmentation, mixing, structural_holes
from netdash.periods import Period

__all__ = [
    "TIE_STATUSES",
    "HEADLINE_EXPLANATIONS",
    "tie_changes",
    "tie_change_summary",
    "trust_tie_changes",
    "windows",
    "headline_series",
    "cop_session_dates",
    "split_at",
    "period_notes",
    "MapPanel",
    "BeforeAfterMaps",
    "NEW_CROSS_STYLE",
    "LOST_STYLE",
    "map_panel",
    "before_after_maps",
]

#: The statuses a pair can have, in display order.
TIE_STATUSES = ("new", "lost", "kept", "strengthened")

#: ``{measure: (label, plain meaning, formula and source)}`` for the headline measures of
#: :func:`netdash.compare.headline_measures`, in display order.
HEADLINE_EXPLANATIONS = {
    "n_ties": ("Ties", "Pairs of practitioners with a tie in the period.",
               "Edges of the undirected practitioner graph; weights ignored."),
    "cross_agency_share": ("Cross-agency share", "Share of ties that join two different agencies.",
                           "ties between agencies / all ties; none when there are no ties."),
    "ei_index": ("E-I index", *mixing.EXPLANATIONS["ei_index"]),
    "fragmentation": ("Fragmentation", *fragmentation.EXPLANATIONS["fragmentation"]),
    "isolates": ("Isolates", "Practitioners in post with no tie at all in the period.",
                 "Nodes of degree 0."),
    "trust_ties": ("Trust ties", "Pairs whose contacts show a lasting working relationship (or who "
                   "rated each other in the trust survey).",
                   "Edges of the trust graph, default rule (netdash.metrics.trust.trust_graph)."),
    "mean_constraint": ("Mean constraint", structural_holes.EXPLANATIONS["constraint"][0]
                        + " Averaged over practitioners with a tie.",
                        structural_holes.EXPLANATIONS["constraint"][1]),
    "agency_nmi": ("Agency NMI", *communities.EXPLANATIONS["agency_nmi"]),
}

_CHANGE_COLUMNS = [
    "a", "b", "agency_a", "agency_b", "cross_agency", "weight_before", "weight_after", "status",
]

_FREQS = {"month": "M", "quarter": "Q"}


def _pair(G, u, v):
    # Undirected ties are one pair whichever way round networkx yields them.
    if G.is_directed():
        return (u, v)
    return (u, v) if str(u) <= str(v) else (v, u)


def _edge_weights(G, weight):
    out = {}
    for u, v, data in G.edges(data=True):
        w = data.get(weight, 1.0) if weight is not None else 1.0
        out[_pair(G, u, v)] = float(1.0 if w is None else w)
    return out


def tie_changes(G_before, G_after, *, weight="weight", strengthen_ratio=1.5):
    """One row per practitioner pair tied in either period, with what happened to the tie.

    Parameters
    ----------
    G_before, G_after : networkx.Graph or networkx.DiGraph
        The networks of the two periods, both directed or both undirected.
        Node attribute ``agency`` gives each practitioner's agency (taken from
        the after graph when a node is in both).
    weight : str or None, default "weight"
        Edge attribute holding the tie strength; a missing attribute counts
        as 1. ``None`` treats every tie as weight 1 (so nothing is ever
        ``strengthened`` unless ``strengthen_ratio <= 1``).
    strengthen_ratio : float, default 1.5
        A tie present in both periods is ``strengthened`` when
        ``weight_after >= strengthen_ratio * weight_before``, otherwise ``kept``.

    Returns
    -------
    DataFrame
        Columns ``a``, ``b`` (for undirected graphs ``a <= b`` as strings; for
        directed graphs the tie runs ``a -> b``), ``agency_a``, ``agency_b``,
        ``cross_agency`` (True when both agencies are known and differ),
        ``weight_before``, ``weight_after`` (0 when absent) and ``status``:
        ``new`` (only after), ``lost`` (only before), ``kept`` or
        ``strengthened``. Sorted by status then pair.

    Raises
    ------
    InvalidInputError
        If one graph is directed and the other is not, or ``strengthen_ratio``
        is not positive.

    Examples
    --------
    >>> import networkx as nx
    >>> before = nx.Graph([("p1", "p2", {"weight": 1}), ("p2", "p3", {"weight": 2})])
    >>> after = nx.Graph([("p2", "p1", {"weight": 3}), ("p3", "p4", {"weight": 1})])
    >>> tie_changes(before, after)[["a", "b", "status"]].values.tolist()
    [['p3', 'p4', 'new'], ['p2', 'p3', 'lost'], ['p1', 'p2', 'strengthened']]
    """
    if G_before.is_directed() != G_after.is_directed():
        raise InvalidInputError(
            "tie_changes needs two directed or two undirected graphs; got one of each. "
            "Build both periods' networks the same way."
        )
    if not strengthen_ratio > 0:
        raise InvalidInputError(f"strengthen_ratio must be positive; got {strengthen_ratio!r}.")
    wb = _edge_weights(G_before, weight)
    wa = _edge_weights(G_after, weight)
    agency = {n: d.get("agency") for n, d in G_before.nodes(data=True)}
    agency.update({n: d.get("agency") for n, d in G_after.nodes(data=True) if d.get("agency") is not None})
    rows = []
    for a, b in set(wb) | set(wa):
        before, after = wb.get((a, b), 0.0), wa.get((a, b), 0.0)
        if (a, b) not in wb:
            status = "new"
        elif (a, b) not in wa:
            status = "lost"
        elif after >= strengthen_ratio * before:
            status = "strengthened"
        else:
            status = "kept"
        ag_a, ag_b = agency.get(a), agency.get(b)
        cross = ag_a is not None and ag_b is not None and ag_a != ag_b
        rows.append((a, b, ag_a, ag_b, cross, before, after, status))
    out = pd.DataFrame(rows, columns=_CHANGE_COLUMNS)
    out["cross_agency"] = out["cross_agency"].astype(bool)
    out["status"] = pd.Categorical(out["status"], categories=TIE_STATUSES, ordered=True)
    out = out.sort_values(["status", "a", "b"], kind="stable").reset_index(drop=True)
    out["status"] = out["status"].astype(str)
    return out


def tie_change_summary(changes):
    """Count tie changes by status, within and across agencies.

    Parameters
    ----------
    changes : DataFrame
        The output of :func:`tie_changes`.

    Returns
    -------
    DataFrame
        Index ``status`` (``new``, ``lost``, ``kept``, ``strengthened``, in
        that order, zeros included); columns ``within_agency``,
        ``cross_agency`` and ``total``.

    Examples
    --------
    >>> import networkx as nx
    >>> before = nx.Graph([("p1", "p2")]); nx.set_node_attributes(before, {"p1": "A", "p2": "B"}, "agency")
    >>> after = nx.Graph([("p1", "p3")]); nx.set_node_attributes(after, {"p1": "A", "p3": "A"}, "agency")
    >>> tie_change_summary(tie_changes(before, after)).loc[["new", "lost"]].values.tolist()
    [[1, 0, 1], [0, 1, 1]]
    """
    kind = np.where(changes["cross_agency"].astype(bool), "cross_agency", "within_agency")
    table = pd.crosstab(changes["status"], kind) if len(changes) else pd.DataFrame()
    table = table.reindex(index=list(TIE_STATUSES), columns=["within_agency", "cross_agency"], fill_value=0)
    table = table.fillna(0).astype(int)
    table["total"] = table["within_agency"] + table["cross_agency"]
    table.index.name = "status"
    table.columns.name = None
    return table


def trust_tie_changes(ds, before, after, *, strengthen_ratio=1.5, **trust_options):
    """:func:`tie_changes` applied to the trust networks of two periods.

    Trust ties come from :func:`netdash.metrics.trust.trust_graph` (inferred
    from the logs or read from the survey, as its options say); the counts of
    trust ties gained and lost are the ``new`` and ``lost`` rows of
    :func:`tie_change_summary` of the result.

    Parameters
    ----------
    ds : Dataset
    before, after : Period
    strengthen_ratio : float, default 1.5
    **trust_options
        Passed to ``trust_graph``.

    Returns
    -------
    DataFrame
        As :func:`tie_changes`.
    """
    from netdash.metrics.trust import trust_graph

    return tie_changes(
        trust_graph(ds, before, **trust_options),
        trust_graph(ds, after, **trust_options),
        strengthen_ratio=strengthen_ratio,
    )


def windows(start, end, *, freq="quarter"):
    """Calendar months or quarters covering the days ``start`` to ``end`` inclusive.

    Parameters
    ----------
    start, end : Timestamp or str
        First and last day to cover (``end`` is included, as in
        ``Dataset.date_range``).
    freq : {"month", "quarter"}, default "quarter"

    Returns
    -------
    list of Period
        Half-open calendar periods ``[first day, first day of the next)``.
        The first and last windows may reach outside ``[start, end]``; they
        are then only partly observed (see :func:`headline_series`).

    Raises
    ------
    InvalidInputError
        If ``freq`` is unknown, a day is missing or ``end`` is before ``start``.

    Examples
    --------
    >>> [w.label() for w in windows("2024-02-10", "2024-07-01")]
    ['2024-01-01 to 2024-04-01', '2024-04-01 to 2024-07-01', '2024-07-01 to 2024-10-01']
    """
    if freq not in _FREQS:
        raise InvalidInputError(f"freq must be 'month' or 'quarter'; got {freq!r}.")
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        raise InvalidInputError("windows need a first and a last day; the dataset has no dated rows.")
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if end < start:
        raise InvalidInputError(f"last day {end.date()} is before first day {start.date()}.")
    spans = pd.period_range(start, end, freq=_FREQS[freq])
    return [Period(p.start_time.normalize(), (p + 1).start_time.normalize()) for p in spans]


def headline_series(ds, *, freq="quarter", ties="working", window_days=90, seed=0):
    """The headline measures for each calendar window, for "Over time" charts.

    Parameters
    ----------
    ds : Dataset
    freq : {"month", "quarter"}, default "quarter"
    ties : str, default "working"
        Which ties make the practitioner network (see
        :func:`netdash.graphs.practitioner_graph`).
    window_days : int, default 90
        Co-working window.
    seed : int, default 0
        Seed of the community detection behind ``agency_nmi``.

    Returns
    -------
    DataFrame
        One row per window: ``start``, ``end`` (exclusive), ``label``,
        ``partial`` (True when the window reaches outside the dataset's
        dates, so counts in it are not comparable with full windows), then the
        fields of :func:`netdash.compare.headline_measures`. Empty when the
        dataset has no dated rows. COP session dates for chart markers come
        from :func:`cop_session_dates`.
    """
    from netdash.compare import headline_measures

    first, last = ds.date_range
    if first is None:
        return pd.DataFrame(columns=["start", "end", "label", "partial"])
    rows = []
    for w in windows(first, last, freq=freq):
        row = {"start": w.start, "end": w.end, "label": w.label(),
               "partial": bool(w.start < first or w.end - pd.Timedelta(days=1) > last)}
        row.update(headline_measures(ds, w, ties=ties, window_days=window_days, seed=seed))
        rows.append(row)
    return pd.DataFrame(rows)


def cop_session_dates(ds):
    """One row per COP session: ``session_id``, ``date``, ``cop_name``, ``attendees``.

    ``attendees`` counts distinct practitioners. Sorted by date; empty (with
    those columns) when nobody attended a session.
    """
    att = ds.cop_attendance
    cols = ["session_id", "date", "cop_name", "attendees"]
    if att.empty:
        return pd.DataFrame(columns=cols)
    out = (
        att.groupby("session_id", sort=False)
        .agg(date=("date", "min"), cop_name=("cop_name", "first"),
             attendees=("practitioner_id", "nunique"))
        .reset_index()
        .sort_values(["date", "session_id"], kind="stable")
        .reset_index(drop=True)
    )
    return out[cols]


# --- before/after periods and maps ----------------------------------------------------------------

_DAY = pd.Timedelta(days=1)

#: Edge style of a cross-agency tie that is new in the after period (after panel).
NEW_CROSS_STYLE = {"color": "rgba(106,61,154,0.7)", "width": 1.6, "label": "New tie across agencies"}
#: Edge style of a tie that was lost (before panel): drawn dashed.
LOST_STYLE = {"color": "rgba(40,40,40,0.75)", "dashes": True, "width": 1.2, "label": "Tie lost (gone after)"}


def split_at(first, last, cop_start):
    """The periods before and after ``cop_start``, within the days ``first`` to ``last``.

    Parameters
    ----------
    first, last : date-like
        First and last day to cover, both included (e.g. the sidebar period).
    cop_start : date-like or None
        First day of the after period.

    Returns
    -------
    (Period, Period)
        ``[first, cop_start)`` and ``[cop_start, last + 1 day)``.

    Raises
    ------
    AnalysisError
        If ``cop_start`` is missing, or on/before ``first`` (no before
        period), or after ``last`` (no after period).

    Examples
    --------
    >>> [p.label() for p in split_at("2024-01-01", "2024-12-31", "2024-06-01")]
    ['2024-01-01 to 2024-06-01', '2024-06-01 to 2025-01-01']
    """
    if cop_start is None or pd.isna(cop_start):
        raise AnalysisError("There is no COP start to split at: nobody attended a COP session. "
                            "Set a COP start date in the sidebar, or compare two custom periods.")
    first, last, cop_start = (pd.Timestamp(d).normalize() for d in (first, last, cop_start))
    if cop_start <= first:
        raise AnalysisError(
            f"The COP start {cop_start.date()} is the first day of the data shown ({first.date()} to "
            f"{last.date()}), or earlier, so there is no before period. Choose a later COP start in the "
            "sidebar, or compare two custom periods.")
    if cop_start > last:
        raise AnalysisError(
            f"The COP start {cop_start.date()} is after the last day of the data shown ({last.date()}), "
            "so there is no after period. Choose an earlier COP start in the sidebar.")
    return Period(first, cop_start), Period(cop_start, last + _DAY)


def period_notes(before, after):
    """Plain warnings about two periods that make a comparison hard to read.

    Returns a list (empty when nothing to say) noting periods that overlap,
    and lengths so different (the shorter less than half the longer) that
    counts of ties are not comparable. Both periods must have both bounds.

    Examples
    --------
    >>> period_notes(*split_at("2024-01-01", "2024-12-31", "2024-12-31"))[0][:36]
    'The after period is 1 day(s) long an'
    """
    notes = []
    if before.start < after.end and after.start < before.end:
        notes.append("The two periods overlap, so ties in the overlap count in both; "
                     "a change between them is understated.")
    days = {"before": (before.end - before.start).days, "after": (after.end - after.start).days}
    short, long_ = sorted(days, key=days.get)
    if days[short] * 2 < days[long_]:
        notes.append(f"The {short} period is {days[short]} day(s) long and the {long_} period {days[long_]} "
                     "days: counts such as ties and trust ties are not comparable between periods this "
                     "unequal. Shares and indices (cross-agency share, E-I index) are less affected.")
    return notes


@dataclass(frozen=True)
class MapPanel:
    """One map of a series drawn at shared positions.

    Attributes
    ----------
    html : str
        The page from :func:`netdash.viz.network_html`.
    absent : frozenset
        Nodes drawn faded because they are not in this panel's graph.
    message : str or None
        :func:`netdash.viz.map_budget`'s note when the graph was cut down.
    """

    html: str
    absent: frozenset
    message: str | None


@dataclass(frozen=True)
class BeforeAfterMaps:
    """The result of :func:`before_after_maps`: two panels on one set of positions."""

    before: MapPanel
    after: MapPanel
    positions: dict
    new_cross_agency: frozenset
    lost: frozenset


def map_panel(G, positions, *, population=None, edge_styles=None, title=None, height_px=560,
              palette=None, agency_names=None):
    """Draw ``G`` at fixed ``positions``, with the rest of ``population`` drawn faded.

    Every node of ``population`` that is not in ``G`` is added without ties,
    with its attributes from ``population`` and a tooltip line saying it is
    not in this period, and drawn faded, so a series of panels shows the
    same people at the same places. Too large a graph is cut down by
    :func:`netdash.viz.map_budget` (positions are kept).

    Parameters
    ----------
    G : networkx graph
    positions : mapping
        ``{node: (x, y)}`` for every node of ``G`` and ``population``,
        e.g. :func:`netdash.viz.stable_positions` of all panels' graphs.
    population : networkx graph, optional
        Everyone to draw; default: only ``G``'s nodes.
    edge_styles, title, height_px, palette, agency_names
        As :func:`netdash.viz.network_html`; ``palette`` defaults to
        :func:`netdash.viz.agency_colours` of every agency in ``G`` and
        ``population``, so agencies keep their colours across panels.

    Returns
    -------
    MapPanel
    """
    from netdash.viz import agency_colours, map_budget, network_html

    H = G.copy()
    absent = frozenset(set(population or ()) - set(G))
    for n in absent:
        H.add_node(n, **{**population.nodes[n], "tooltip": "Not in this period's network"})
    if palette is None:
        palette = agency_colours({a for _, a in H.nodes(data="agency")})
    budget = map_budget(H)
    styles = {k: v for k, v in (edge_styles or {}).items() if budget.graph.has_edge(*k)}
    html = network_html(budget.graph, positions, faded_nodes=absent, edge_styles=styles, title=title,
                        height_px=height_px, palette=palette, agency_names=agency_names)
    return MapPanel(html, absent, budget.message)


def before_after_maps(G_before, G_after, *, seed=0, changes_only=False, titles=("Before", "After"),
                      height_px=560, agency_names=None):
    """Two maps with every practitioner at the same place in both.

    Positions come from one layout of the union of both graphs
    (:func:`netdash.viz.stable_positions`, deterministic for a ``seed``).
    Each panel draws everyone in either graph; those not in its period's
    graph are faded. The before panel draws lost ties dashed
    (:data:`LOST_STYLE`); the after panel highlights new cross-agency ties
    (:data:`NEW_CROSS_STYLE`). New, lost and cross-agency follow
    :func:`tie_changes`.

    Parameters
    ----------
    G_before, G_after : networkx graph
        Both directed or both undirected; node attribute ``agency``.
    seed : int, default 0
    changes_only : bool, default False
        Draw only ties that changed: lost ties before, new ties after.
    titles : (str, str)
    height_px : int, default 560
    agency_names : mapping, optional

    Returns
    -------
    BeforeAfterMaps

    Raises
    ------
    InvalidInputError
        As :func:`tie_changes`.
    """
    from netdash.viz import agency_colours, stable_positions

    changes = tie_changes(G_before, G_after, weight=None)
    pairs = {s: frozenset(zip(changes["a"][changes["status"] == s], changes["b"][changes["status"] == s]))
             for s in ("new", "lost")}
    new_cross = frozenset(zip(changes["a"][(changes["status"] == "new") & changes["cross_agency"]],
                              changes["b"][(changes["status"] == "new") & changes["cross_agency"]]))
    positions = stable_positions([G_before, G_after], seed=seed)
    population = G_before.copy()
    population.add_nodes_from(G_after.nodes(data=True))
    palette = agency_colours({a for _, a in population.nodes(data="agency")})
    panels = []
    for G, keep, styled, style, title in ((G_before, pairs["lost"], pairs["lost"], LOST_STYLE, titles[0]),
                                          (G_after, pairs["new"], new_cross, NEW_CROSS_STYLE, titles[1])):
        if changes_only:
            G = G.copy()
            G.remove_edges_from([e for e in list(G.edges) if _pair(G, *e) not in keep])
        panels.append(map_panel(G, positions, population=population, title=title, height_px=height_px,
                                edge_styles=dict.fromkeys(styled, style), palette=palette,
                                agency_names=agency_names))
    return BeforeAfterMaps(panels[0], panels[1], positions, new_cross, pairs["lost"])
