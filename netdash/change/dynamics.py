"""How ties change between two periods.

The unit of change is a practitioner pair: a tie either appears (``new``),
disappears (``lost``), persists (``kept``) or persists and grows
(``strengthened``). Comparing the same pairs across two snapshots is the
usual first step in the analysis of network dynamics (Snijders, van de Bunt
& Steglich 2010, "Introduction to stochastic actor-based models for network
dynamics", *Social Networks* 32: 44-60, section 2).
"""

from typing import NamedTuple

import numpy as np
import pandas as pd

from netdash.errors import InvalidInputError
from netdash.networks.codes import unique_sorted
from netdash.networks.counts import period_log, union_counts

__all__ = [
    "TIE_STATUSES",
    "tie_key",
    "tie_changes",
    "tie_changes_from_pairs",
    "tie_changes_from_codes",
    "CodedTieChanges",
    "coded_tie_changes",
    "agency_by_position",
    "period_tie_changes",
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


def period_tie_changes(ds, before, after, *, ties="working", window_days=90):
    """:func:`tie_changes` of the practitioner graphs of two periods, tie strength ignored, without the graphs.

    The same table as ``tie_changes(practitioner_graph(ds, before, ties=ties),
    practitioner_graph(ds, after, ties=ties), weight=None)`` (so no tie is
    ``strengthened``), read from the periods' coded tie tables
    (:func:`netdash.networks.counts.union_counts`): both periods' practitioners
    are coded alike, so matching their pairs and sorting them are array
    operations on integers instead of on the ids of every tie. Agencies as
    :func:`tie_changes` reads them from the graphs' nodes
    (:func:`netdash.networks.graphs.practitioner_nodes`): the after period's
    where known, else the before period's.

    Parameters
    ----------
    ds : Dataset
    before, after : Period
    ties : str, default "working"
        Tie choice of :func:`netdash.networks.graphs.practitioner_graph`.
    window_days : int, default 90
        Co-working window.

    Returns
    -------
    DataFrame
        As :func:`tie_changes`, with ``weight_before`` and ``weight_after`` 1.0
        where tied and 0.0 where not.
    """
    from netdash.networks.graphs import practitioner_nodes

    ids = period_log(ds, before).ids  # one coding of practitioners for every period of a dataset, sorted by id
    tied = []
    for period in (before, after):
        found = union_counts(ds, period, ties, window_days)
        source, target = (np.zeros(0, dtype=np.int64),) * 2 if found is None else found[:2]
        tied.append((source, target, None))  # lower code first, each pair once; None: every strength 1.0
    agency = agency_by_position(pd.Index(ids, dtype=object), [practitioner_nodes(ds, p) for p in (before, after)])
    # Every tie of strength 1, so nothing is strengthened: new, lost or kept.
    return tie_changes_from_codes(np.asarray(ids, dtype=object), *tied, agency)


def agency_by_position(index, node_tables):
    """Each practitioner's agency, by position in ``index`` (None where unknown), from ``node_tables`` in turn.

    A later table's agency wins where it knows one, so with the before and
    the after period's node tables each practitioner has the after period's
    agency where known, else the before period's: as :func:`tie_changes`
    reads the nodes of two graphs. Ids not in ``index`` are ignored.

    Examples
    --------
    >>> before = pd.DataFrame({"practitioner_id": ["a", "b"], "agency": ["A", "B"]})
    >>> after = pd.DataFrame({"practitioner_id": ["b", "z"], "agency": ["C", "Z"]})
    >>> agency_by_position(pd.Index(["a", "b", "c"], dtype=object), [before, after]).tolist()
    ['A', 'C', None]
    """
    agency = np.full(len(index), None, dtype=object)
    for nodes in node_tables:
        code = index.get_indexer(pd.Index(nodes["practitioner_id"], dtype=object))
        known = nodes["agency"].notna().to_numpy() & (code >= 0)
        agency[code[known]] = nodes["agency"].to_numpy(dtype=object)[known]
    return agency


def _change_table(wb, wa, agency, strengthen_ratio):
    """The body of :func:`tie_changes`: pair frames (``a``, ``b``, ``weight``) of both periods -> the table.

    Each pair is one integer (the codes of its two ends), so matching the
    periods, reading agencies and sorting are array operations; only the
    distinct practitioners (a few thousand) are looked up one by one. Rows
    are ordered by status, then ``a`` and ``b`` as the values sort.
    """
    ends = [np.asarray(t[c].to_numpy(), dtype=object) for t in (wb, wa) for c in ("a", "b")]
    codes, ids = pd.factorize(np.concatenate(ends) if len(ends[0]) + len(ends[2]) else np.zeros(0, dtype=object))
    ids = np.asarray(ids, dtype=object)
    cuts = np.cumsum([len(e) for e in ends])[:-1]
    a_b, b_b, a_a, b_a = np.split(codes.astype(np.int64), cuts)
    # One look-up per practitioner, not per pair.
    by_id = np.array([agency.get(v) for v in ids.tolist()], dtype=object)
    return tie_changes_from_codes(ids, (a_b, b_b, wb["weight"].to_numpy(dtype=float)),
                                  (a_a, b_a, wa["weight"].to_numpy(dtype=float)), by_id,
                                  strengthen_ratio=strengthen_ratio)


def tie_changes_from_codes(ids, before, after, agency, *, strengthen_ratio=1.5):
    """:func:`tie_changes_from_pairs` of pairs given as positions in ``ids``: no id is read or compared per pair.

    For callers whose ties are already numbered, e.g.
    :func:`netdash.change.compare.compare_periods`' ties among the compared
    practitioners (positions in their sorted ids).

    Parameters
    ----------
    ids : array of object
        The practitioners; positions in it number the pairs' ends.
    before, after : (array of int, array of int, array of float)
        Each period's ties: the positions of their two ends (the end whose id
        sorts first first, each pair once) and their strengths.
    agency : array of object
        Each practitioner's agency, by position (None where unknown).
    strengthen_ratio : float, default 1.5

    Returns
    -------
    DataFrame
        As :func:`tie_changes`.
    """
    return coded_tie_changes(len(ids), before, after, agency, strengthen_ratio=strengthen_ratio).table(ids, agency)


class CodedTieChanges(NamedTuple):
    """:func:`tie_changes` as arrays over integer pair keys: the result of :func:`coded_tie_changes`.

    Attributes
    ----------
    keys : array of int64
        Every pair tied in either period, ``first * n + second`` (positions
        of its two ends), increasing, each pair once.
    status : array of int8
        Each pair's position in :data:`TIE_STATUSES` (0 new, 1 lost, 2 kept,
        3 strengthened).
    cross : array of bool
        Whether both ends' agencies are known and differ.
    weight_before, weight_after : array of float
        The pair's strength in each period, 0.0 where not tied.
    n : int
        The number of positions the keys are made of (at least 1).
    """

    keys: np.ndarray
    status: np.ndarray
    cross: np.ndarray
    weight_before: np.ndarray
    weight_after: np.ndarray
    n: int

    def ends(self):
        """``(first, second)``: the positions of each pair's two ends."""
        return self.keys // self.n, self.keys % self.n

    def pairs(self, status, *, cross_agency=False):
        """The keys (increasing) of the pairs with ``status`` (a name of :data:`TIE_STATUSES`), only those
        across agencies if ``cross_agency``."""
        keep = self.status == TIE_STATUSES.index(status)
        return self.keys[keep & self.cross if cross_agency else keep]

    def table(self, ids, agency):
        """The :func:`tie_changes` table of these pairs: ``ids`` and ``agency`` (None where unknown) by position.

        Rows by status, then by ``a`` and ``b`` as the ids sort.
        """
        ids, by_id = np.asarray(ids, dtype=object), np.asarray(agency, dtype=object)
        first, second = self.ends()
        rank = np.empty(len(ids), dtype=np.int64)
        rank[np.argsort(ids, kind="stable")] = np.arange(len(ids))
        order = np.lexsort((rank[second], rank[first], self.status))
        return pd.DataFrame({"a": ids[first][order], "b": ids[second][order], "agency_a": by_id[first][order],
                             "agency_b": by_id[second][order], "cross_agency": self.cross[order],
                             "weight_before": self.weight_before[order], "weight_after": self.weight_after[order],
                             "status": np.array(TIE_STATUSES, dtype=object)[self.status[order]]},
                            columns=_CHANGE_COLUMNS)

    def summary(self):
        """:func:`tie_change_summary` of the table these arrays stand for, without making that table."""
        counts = np.bincount(2 * self.status + self.cross, minlength=2 * len(TIE_STATUSES))
        return _summary_table(counts.reshape(len(TIE_STATUSES), 2))


def coded_tie_changes(n, before, after, agency, *, strengthen_ratio=1.5):
    """What happened to each pair tied in either period, for pairs given as positions: the arrays of
    :func:`tie_changes`.

    The one place where pairs are matched across periods and given a status
    and a cross-agency flag: :func:`tie_changes_from_codes` (and so
    :func:`tie_changes`, :func:`period_tie_changes` and
    :func:`netdash.change.compare.compare_periods`) makes its table from
    these arrays, and Before & after's maps read the lost and new pairs from
    them (:func:`netdash.viz.panels.before_after_table_maps`). No id is read
    or compared per pair.

    Parameters
    ----------
    n : int
        The number of positions (practitioners).
    before, after : (array of int, array of int, array of float or None)
        Each period's ties: the positions of their two ends (a pair always
        listed with the same end first, e.g. the lower position or the end
        whose id sorts first) and their strengths (None: all 1.0; NaN counts
        as 0, as :func:`tie_changes` fills a missing strength). A pair listed
        more than once keeps its last strength; a pair of one position with
        itself (a self-loop) is a pair like any other.
    agency : array of object
        Each position's agency (None where unknown).
    strengthen_ratio : float, default 1.5

    Returns
    -------
    CodedTieChanges

    Examples
    --------
    >>> coded = coded_tie_changes(3, ([0, 1], [1, 2], [1.0, 2.0]), ([0, 0], [1, 2], [3.0, 1.0]),
    ...                           np.array(["A", "A", "B"], dtype=object))
    >>> coded.keys.tolist(), [TIE_STATUSES[s] for s in coded.status], coded.cross.tolist()
    ([1, 2, 5], ['strengthened', 'new', 'lost'], [False, True, True])
    >>> coded.pairs("new", cross_agency=True).tolist(), coded.summary().loc["lost", "cross_agency"]
    ([2], np.int64(1))
    """
    size = max(int(n), 1)
    tied = []
    for first, second, weight in (before, after):
        key = np.asarray(first, dtype=np.int64) * size + np.asarray(second, dtype=np.int64)
        tied.append((key, np.ones(len(key)) if weight is None else np.asarray(weight, dtype=float)))
    keys = unique_sorted(np.concatenate((tied[0][0], tied[1][0])))  # np.union1d's values (it hashes in numpy 2.4)
    weights, present = [], []
    for key, weight in tied:
        w = np.zeros(len(keys))
        found = np.zeros(len(keys), dtype=bool)
        at = np.searchsorted(keys, key)
        w[at] = np.nan_to_num(weight, nan=0.0)  # as the merge's fillna(0.0)
        found[at] = True
        weights.append(w)
        present.append(found)
    (w_before, w_after), (in_before, in_after) = weights, present
    status = np.select([~in_before, ~in_after, w_after >= strengthen_ratio * w_before], [0, 1, 3], 2)
    first, second = keys // size, keys % size
    by_id = np.asarray(agency, dtype=object)
    known = np.array([x is not None for x in by_id.tolist()], dtype=bool)
    cross = known[first] & known[second] & (by_id[first] != by_id[second]) if len(keys) else np.zeros(0, bool)
    return CodedTieChanges(keys, status.astype(np.int8), np.asarray(cross, dtype=bool),
                           w_before, w_after, size)


def _weight_frame(G, weight):
    """:func:`_edge_weights` as a frame with columns ``a``, ``b``, ``weight`` (one row per tie)."""
    if G.is_multigraph() or not all(isinstance(v, str) for v in G):
        weights = _edge_weights(G, weight)
        return pd.DataFrame({"a": pd.Series([a for a, _ in weights], dtype=object),
                             "b": pd.Series([b for _, b in weights], dtype=object),
                             "weight": pd.Series(list(weights.values()), dtype=float)})
    # String ids, each tie listed once by networkx: the same frame with the ends ordered as arrays.
    if weight is None:
        ends = list(G.edges())
        w = np.ones(len(ends))
    else:
        triples = list(G.edges(data=weight, default=1.0))
        ends = [(u, v) for u, v, _ in triples]
        w = np.array([1.0 if x is None else float(x) for _, _, x in triples], dtype=float)
    pairs = np.array(ends, dtype=object).reshape(-1, 2)
    a, b = pairs[:, 0], pairs[:, 1]
    if not G.is_directed() and len(a):
        flip = a > b
        a, b = np.where(flip, b, a), np.where(flip, a, b)
    return pd.DataFrame({"a": pd.Series(a, dtype=object), "b": pd.Series(b, dtype=object),
                         "weight": pd.Series(w, dtype=float)})


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
    status = pd.Index(list(TIE_STATUSES)).get_indexer(pd.Index(changes["status"], dtype=object))
    cross = changes["cross_agency"].astype(bool).to_numpy()
    listed = status >= 0  # a status outside TIE_STATUSES is not counted
    counts = np.bincount(2 * status[listed] + cross[listed], minlength=2 * len(TIE_STATUSES))
    return _summary_table(counts.reshape(len(TIE_STATUSES), 2))


def _summary_table(counts):
    """:func:`tie_change_summary`'s table of ``counts`` (one row per status of :data:`TIE_STATUSES`; columns
    within and across agencies)."""
    table = pd.DataFrame(np.asarray(counts, dtype=np.int64), index=list(TIE_STATUSES),
                         columns=["within_agency", "cross_agency"])
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
