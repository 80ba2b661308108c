"""How ties change between two periods.

The unit of change is a practitioner pair: a tie either appears (``new``),
disappears (``lost``), persists (``kept``) or persists and grows
(``strengthened``). Comparing the same pairs across two snapshots is the
usual first step in the analysis of network dynamics (Snijders, van de Bunt
& Steglich 2010, "Introduction to stochastic actor-based models for network
dynamics", *Social Networks* 32: 44-60, section 2).
"""

import numpy as np
import pandas as pd

from netdash.errors import InvalidInputError

__all__ = [
    "TIE_STATUSES",
    "tie_key",
    "tie_changes",
    "tie_changes_from_pairs",
    "tie_change_summary",
    "trust_tie_changes",
    "named_tie_changes",
]

#: The statuses a pair can have, in display order.
TIE_STATUSES = ("new", "lost", "kept", "strengthened")


_CHANGE_COLUMNS = [
    "a", "b", "agency_a", "agency_b", "cross_agency", "weight_before", "weight_after", "status",
]


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
    return _change_table(wb, wa, agency, strengthen_ratio)


def tie_changes_from_pairs(before, after, agency, *, strengthen_ratio=1.5):
    """:func:`tie_changes` of two undirected networks given as pair tables instead of graphs.

    For callers that hold edge tables (e.g. :func:`netdash.change.compare.compare_periods`):
    the same table as ``tie_changes(G_before, G_after)`` without building
    either graph.

    Parameters
    ----------
    before, after : DataFrame
        One row per tie: ``a``, ``b`` (``a <= b`` as strings, each pair
        once) and ``weight`` (the tie strength; 1.0 for ties without one).
    agency : mapping
        Practitioner -> agency (None where unknown) for every practitioner
        of both tables, as :func:`tie_changes` reads it from the graphs (the
        after graph's agency where known, else the before graph's).
    strengthen_ratio : float, default 1.5

    Returns
    -------
    DataFrame
        As :func:`tie_changes`.

    Examples
    --------
    >>> before = pd.DataFrame({"a": ["p1", "p2"], "b": ["p2", "p3"], "weight": [1.0, 2.0]})
    >>> after = pd.DataFrame({"a": ["p1", "p3"], "b": ["p2", "p4"], "weight": [3.0, 1.0]})
    >>> tie_changes_from_pairs(before, after, {})[["a", "b", "status"]].values.tolist()
    [['p3', 'p4', 'new'], ['p2', 'p3', 'lost'], ['p1', 'p2', 'strengthened']]
    """
    if not strengthen_ratio > 0:
        raise InvalidInputError(f"strengthen_ratio must be positive; got {strengthen_ratio!r}.")
    return _change_table(*(pd.DataFrame({"a": pd.Series(t["a"].to_numpy(dtype=object), dtype=object),
                                         "b": pd.Series(t["b"].to_numpy(dtype=object), dtype=object),
                                         "weight": pd.Series(t["weight"].to_numpy(dtype=float), dtype=float)})
                           for t in (before, after)), agency, strengthen_ratio)


def _change_table(wb, wa, agency, strengthen_ratio):
    """The body of :func:`tie_changes`: pair frames (``a``, ``b``, ``weight``) of both periods -> the table."""
    pairs = wb.merge(wa, on=["a", "b"], how="outer", suffixes=("_before", "_after"), indicator=True, sort=False)
    before = pairs["weight_before"].fillna(0.0).to_numpy(dtype=float)
    after = pairs["weight_after"].fillna(0.0).to_numpy(dtype=float)
    where = pairs["_merge"].to_numpy()
    status = np.select([where == "right_only", where == "left_only", after >= strengthen_ratio * before],
                       ["new", "lost", "strengthened"], "kept")
    # Lists, not the columns: iterating a pandas string column is several times slower.
    ag_a = np.array([agency.get(v) for v in pairs["a"].tolist()], dtype=object)
    ag_b = np.array([agency.get(v) for v in pairs["b"].tolist()], dtype=object)
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
        Index ``status``: ``new``, ``lost``, ``kept``, ``strengthened`` (in
        that order, zeros included), then ``still_tied`` = ``kept`` +
        ``strengthened`` (pairs tied in both periods); columns
        ``within_agency``, ``cross_agency`` and ``total``.

    Examples
    --------
    >>> import networkx as nx
    >>> before = nx.Graph([("p1", "p2")]); nx.set_node_attributes(before, {"p1": "A", "p2": "B"}, "agency")
    >>> after = nx.Graph([("p1", "p3")]); nx.set_node_attributes(after, {"p1": "A", "p3": "A"}, "agency")
    >>> tie_change_summary(tie_changes(before, after)).loc[["new", "lost", "still_tied"]].values.tolist()
    [[1, 0, 1], [0, 1, 1], [0, 0, 0]]
    """
    kind = np.where(changes["cross_agency"].astype(bool), "cross_agency", "within_agency")
    table = pd.crosstab(changes["status"], kind) if len(changes) else pd.DataFrame()
    table = table.reindex(index=list(TIE_STATUSES), columns=["within_agency", "cross_agency"], fill_value=0)
    table = table.fillna(0).astype(int)
    table.loc["still_tied"] = table.loc["kept"] + table.loc["strengthened"]
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


# --- before/after periods and maps ----------------------------------------------------------------


def named_tie_changes(changes, trust_changes, labels, agency_names):
    """Every tie change of both networks in one table, with practitioner and agency names.

    Parameters
    ----------
    changes, trust_changes : DataFrame
        :func:`tie_changes` of the network and :func:`trust_tie_changes`
        (columns ``a``, ``b``, ``agency_a``, ``agency_b`` and more).
    labels : dict
        practitioner_id -> display name; an id missing here is left blank.
    agency_names : dict
        agency_id -> name; an id missing here is shown as it is.

    Returns
    -------
    DataFrame
        The rows of ``changes`` then ``trust_changes``, with a ``tie``
        column (``"network"`` or ``"trust"``), ``practitioner_a`` and
        ``practitioner_b`` added, and ``agency_a``/``agency_b`` as names.

    Examples
    --------
    >>> changes = pd.DataFrame({"a": ["p1"], "b": ["p2"], "agency_a": ["A"], "agency_b": ["B"], "status": ["new"]})
    >>> trust = pd.DataFrame({"a": ["p1"], "b": ["p3"], "agency_a": ["A"], "agency_b": ["Z"], "status": ["lost"]})
    >>> named = named_tie_changes(changes, trust, {"p1": "Ann (p1)", "p2": "Bo (p2)"}, {"A": "Shelter", "B": "Mind"})
    >>> named[["tie", "practitioner_a", "practitioner_b", "agency_a", "agency_b"]].values.tolist()
    [['network', 'Ann (p1)', 'Bo (p2)', 'Shelter', 'Mind'], ['trust', 'Ann (p1)', nan, 'Shelter', 'Z']]
    """
    pairs = pd.concat([changes.assign(tie="network"), trust_changes.assign(tie="trust")], ignore_index=True)
    for end in ("a", "b"):
        pairs[f"practitioner_{end}"] = pairs[end].map(labels)
        pairs[f"agency_{end}"] = pairs[f"agency_{end}"].map(lambda a: agency_names.get(a, a))
    return pairs
