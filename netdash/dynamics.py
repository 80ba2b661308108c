"""How ties change between two periods, and the headline measures over time.

The unit of change is a practitioner pair: a tie either appears (``new``),
disappears (``lost``), persists (``kept``) or persists and grows
(``strengthened``). Comparing the same pairs across two snapshots is the
usual first step in the analysis of network dynamics (Snijders, van de Bunt
& Steglich 2010, "Introduction to stochastic actor-based models for network
dynamics", *Social Networks* 32: 44-60, section 2).
"""

import numpy as np
import pandas as pd

from netdash import graphs
from netdash.errors import AnalysisError, InvalidInputError
from netdash.metrics import communities, fragmentation, mixing, structural_holes
from netdash.periods import Period

__all__ = [
    "TIE_STATUSES",
    "HEADLINE_EXPLANATIONS",
    "tie_key",
    "tie_changes",
    "tie_change_summary",
    "trust_tie_changes",
    "windows",
    "headline_series",
    "cop_session_dates",
    "split_at",
    "period_notes",
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


def tie_key(G, u, v):
    """The key of the tie u-v: ``(u, v)`` in a directed graph, the sorted pair in an undirected one."""
    if G.is_directed():
        return (u, v)
    return (u, v) if str(u) <= str(v) else (v, u)


def _edge_weights(G, weight):
    """``{tie_key(G, u, v): weight}``; a missing or None weight (or ``weight=None``) is 1.0."""
    edges = G.edges(data=weight, default=1.0) if weight is not None else ((u, v, 1.0) for u, v in G.edges())
    if G.is_directed():
        return {(u, v): float(1.0 if w is None else w) for u, v, w in edges}
    return {((u, v) if str(u) <= str(v) else (v, u)): float(1.0 if w is None else w) for u, v, w in edges}


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
    wb, wa = _weight_frame(G_before, weight), _weight_frame(G_after, weight)
    agency = {n: d.get("agency") for n, d in G_before.nodes(data=True)}
    agency.update({n: d.get("agency") for n, d in G_after.nodes(data=True) if d.get("agency") is not None})
    pairs = wb.merge(wa, on=["a", "b"], how="outer", suffixes=("_before", "_after"), indicator=True, sort=False)
    before = pairs["weight_before"].fillna(0.0).to_numpy(dtype=float)
    after = pairs["weight_after"].fillna(0.0).to_numpy(dtype=float)
    where = pairs["_merge"].to_numpy()
    status = np.select([where == "right_only", where == "left_only", after >= strengthen_ratio * before],
                       ["new", "lost", "strengthened"], "kept")
    ag_a = np.array([agency.get(v) for v in pairs["a"]], dtype=object)
    ag_b = np.array([agency.get(v) for v in pairs["b"]], dtype=object)
    known = np.array([x is not None and y is not None for x, y in zip(ag_a, ag_b)], dtype=bool)
    cross = known & (ag_a != ag_b) if len(pairs) else np.zeros(0, dtype=bool)
    out = pd.DataFrame({"a": pairs["a"].to_numpy(dtype=object), "b": pairs["b"].to_numpy(dtype=object),
                        "agency_a": ag_a, "agency_b": ag_b, "cross_agency": cross.astype(bool),
                        "weight_before": before, "weight_after": after, "status": status}, columns=_CHANGE_COLUMNS)
    out["status"] = pd.Categorical(out["status"], categories=TIE_STATUSES, ordered=True)
    out = out.sort_values(["status", "a", "b"], kind="stable").reset_index(drop=True)
    out["status"] = out["status"].astype(str)
    return out


def _weight_frame(G, weight):
    """:func:`_edge_weights` as a frame with columns ``a``, ``b``, ``weight`` (one row per tie)."""
    weights = _edge_weights(G, weight)
    return pd.DataFrame({"a": pd.Series([a for a, _ in weights], dtype=object),
                         "b": pd.Series([b for _, b in weights], dtype=object),
                         "weight": pd.Series(list(weights.values()), dtype=float)})


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
    with graphs.reuse_tables():  # one coded contact log for every window
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
