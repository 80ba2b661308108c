"""The networks of a period: bipartite, direct contact, co-working, COP, agency.

Aggregation is done in small functions that return edge tables (data frames
with ``source``, ``target``, ``weight``, ...) and graphs are built from those
tables by separate functions. Every table is counted on the integer-coded
log of :mod:`netdash.networks.codes` by :mod:`netdash.networks.counts` (ids come
back only in the finished tables); the coded log and each table are computed
once per dataset object and options and kept in its
:attr:`netdash.dataset.Dataset.memo` (the public tables are handed out as
copies, safe to modify).

Conventions
-----------
- Periods are half-open ``[start, end)``; ``period=None`` means all time.
- Practitioner graphs have one node per practitioner who was in post at any
  time in the period (:func:`practitioners_in_post`) or who appears in a
  contact or a COP attendance in the period (people out of post still count),
  isolates included. Node attributes: ``agency``, ``agency_name``,
  ``sector``, ``role``, ``name`` (None when not supplied), ``cop_sessions``
  (distinct sessions attended in the period) and ``cop_attendee`` (attended
  any session before the end of the period).
- Undirected edge tables list each pair once with ``source < target``.
- A contact of a practitioner with themself is ignored.
"""

import gc
from typing import NamedTuple

import numpy as np
import pandas as pd

from netdash.networks.codes import distinct_rows, pairs_listed_once
from netdash.networks.counts import (TIE_TYPES, check_window, cop_counts, coworking_counts, direct_counts,
                                     period_log, reused, stored, tie_types, union_counts, whole_or_float)
from netdash.errors import InvalidInputError
from netdash.periods import Period
from netdash.deferred import networkx as nx  # imported on first use

__all__ = [
    "TIE_TYPES",
    "PRACTITIONER_EDGE_ATTRS",
    "graph_from_tables",
    "CodedTables",
    "coded_tables",
    "coded_steps_from",
    "practitioners_in_post",
    "practitioner_nodes",
    "bipartite_graph",
    "contact_edges",
    "contact_graph",
    "coworking_edges",
    "coworking_graph",
    "cop_edges",
    "cop_graph",
    "practitioner_edges",
    "build_practitioner_edges",
    "practitioner_graph",
    "agency_tie_counts",
    "agency_graph",
    "agency_graph_from_tables",
    "AgencyLinks",
    "agency_links_from_tables",
    "ego_graph",
    "steps_from",
]


_NODE_ATTRS = ("agency", "agency_name", "sector", "role", "name")

PRACTITIONER_EDGE_ATTRS = ("weight", "tie_types", "direct", "coworking", "cop")
"""Edge attributes of :func:`practitioner_graph`, columns of :func:`practitioner_edges`."""


def _period(period):
    return Period() if period is None else period


def _in_period(frame, period):
    return frame[_period(period).mask(frame["date"])]


def _none_for_missing(values):
    values = values.astype(object)
    return values.where(values.notna(), None)


def _ordered(a, b):
    """Return the pair columns with ``a <= b`` on every row."""
    swap = (a > b).to_numpy()
    return (pd.Series(np.where(swap, b, a), index=a.index, dtype=object),
            pd.Series(np.where(swap, a, b), index=a.index, dtype=object))


def _empty_edges(*extra):
    cols = {"source": pd.Series(dtype=object), "target": pd.Series(dtype=object),
            "weight": pd.Series(dtype="int64")}
    cols.update({c: pd.Series(dtype="int64") for c in extra})
    return pd.DataFrame(cols)


def practitioners_in_post(ds, period=None):
    """Practitioners in post at any time in ``period``.

    In post means ``start_date < period.end`` and (``end_date`` is missing or
    ``end_date >= period.start``): ``end_date`` is the last day in post. A
    missing ``start_date`` counts as in post since before any period.

    Returns
    -------
    DataFrame
        The matching rows of ``ds.practitioners``.

    Examples
    --------
    >>> from netdash.dataset import Dataset
    >>> ds = Dataset.from_records(
    ...     agencies=[{"agency_id": "A", "name": "Housing"}],
    ...     practitioners=[
    ...         {"practitioner_id": "p1", "agency_id": "A", "end_date": "2024-01-01"},
    ...         {"practitioner_id": "p2", "agency_id": "A", "start_date": "2024-02-01"}])
    >>> period = Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"))
    >>> list(practitioners_in_post(ds, period)["practitioner_id"])
    ['p1']
    """
    prac = ds.practitioners
    return prac[_in_post(prac["start_date"], prac["end_date"], _period(period))]


def _in_post(start, end, period):
    """Mask of the rows in post at any time in ``period``, from their ``start_date`` and ``end_date``."""
    keep = pd.Series(True, index=start.index)
    if period.end is not None:
        keep &= start.isna() | (start < period.end)
    if period.start is not None:
        keep &= end.isna() | (end >= period.start)
    return keep


@reused
def practitioner_nodes(ds, period=None, *, include=()):
    """Node table of the practitioner graphs: one row per practitioner node.

    ``include`` adds practitioner ids that must be nodes whatever the rule
    (e.g. the two ends of a survey-rated pair).

    Returns
    -------
    DataFrame
        ``practitioner_id`` and the node attributes listed in the module
        docstring, sorted by ``practitioner_id``.
    """
    period = _period(period)
    log = period_log(ds, period)
    table, code, in_post = stored(("practitioner_node_table",), ds, lambda: _node_table(ds, log.index))
    # Who is a node, marked on practitioner codes (slot -1 catches missing ids and is dropped).
    present = np.zeros(len(log.ids) + 1, dtype=bool)
    for codes in (log.author, log.colleague, log.person, code[in_post(period)],
                  log.index.get_indexer(pd.Index(list(include), dtype=object))):
        present[codes] = True
    present[-1] = False
    rows = present[code]
    nodes = table[rows].reset_index(drop=True)
    code = code[rows]
    attended = distinct_rows(log.person[log.person >= 0], log.session[log.person >= 0])[0]
    sessions = np.bincount(attended, minlength=len(log.ids)).astype("int64")
    nodes["cop_sessions"] = sessions[code] if len(code) else np.zeros(0, dtype="int64")
    attendance = ds.cop_attendance
    before_end = attendance if period.end is None else attendance[attendance["date"] < period.end]
    nodes["cop_attendee"] = nodes["practitioner_id"].isin(before_end["practitioner_id"])
    return nodes


def _node_table(ds, index):
    """Every practitioner's node attributes, sorted by id, made once per dataset: ``(table, codes, in_post)``.

    ``codes`` are the rows' codes in the coded log's ``index``; ``in_post(period)`` is the rows' mask of
    :func:`practitioners_in_post` (the same comparisons). :func:`practitioner_nodes` takes a period's rows
    from it instead of writing the attributes again for every period (Over time asks for 8 to 24).
    """
    prac = ds.practitioners.sort_values("practitioner_id")
    agencies = ds.agencies.set_index("agency_id")
    table = pd.DataFrame({
        "practitioner_id": prac["practitioner_id"].astype(object),
        "agency": prac["agency_id"].astype(object),
        "agency_name": prac["agency_id"].map(agencies["name"]),
        "sector": prac["agency_id"].map(agencies["sector"]),
        "role": prac["role"],
        "name": prac["name"],
    })
    for col in _NODE_ATTRS:
        table[col] = _none_for_missing(table[col])
    start, end = prac["start_date"], prac["end_date"]
    return (table.reset_index(drop=True), index.get_indexer(prac["practitioner_id"]),
            lambda period: _in_post(start, end, period).to_numpy())


def graph_from_tables(nodes, edges, *, directed=False, attrs=("weight",)):
    """A practitioner graph from a node table and an edge table.

    ``nodes`` has ``practitioner_id`` and one column per node attribute
    (:func:`practitioner_nodes`); ``edges`` has ``source``, ``target`` and
    the columns named in ``attrs``, which become edge attributes.

    Examples
    --------
    >>> nodes = pd.DataFrame({"practitioner_id": ["a", "b", "c"], "agency": ["A", "B", "B"]})
    >>> G = graph_from_tables(nodes, pd.DataFrame({"source": ["a"], "target": ["b"], "weight": [3]}))
    >>> sorted(G), G["a"]["b"], G.nodes["c"]
    (['a', 'b', 'c'], {'weight': 3}, {'agency': 'B'})
    """
    G = nx.DiGraph() if directed else nx.Graph()
    # Column-wise lists, one dict per row made by _dict_maker: several times faster than to_dict("records").
    names = [c for c in nodes.columns if c != "practitioner_id"]
    G.add_nodes_from(zip(nodes["practitioner_id"].tolist(),
                         map(_dict_maker(names), *(nodes[c].tolist() for c in names)) if names
                         else ({} for _ in range(len(nodes)))))
    source, target = edges["source"].tolist(), edges["target"].tolist()
    if attrs:
        data = list(map(_dict_maker(attrs), *(edges[a].tolist() for a in attrs)))
    else:
        data = [{} for _ in source]
    if not _fill_adjacency(G, source, target, data):
        G.remove_edges_from(list(G.edges()))
        G.add_edges_from(zip(source, target, data))
    return G


class CodedTables(NamedTuple):
    """A node and an edge table that make one simple graph, as positions (:func:`coded_tables`).

    ``ids`` lists the nodes in table order (the order of
    :func:`graph_from_tables`' graph); ``source`` and ``target`` give each
    edge row's ends as positions in ``ids``.
    """

    ids: list
    source: np.ndarray
    target: np.ndarray

    def number_of_nodes(self):
        """``graph_from_tables(...).number_of_nodes()``."""
        return len(self.ids)

    def number_of_edges(self):
        """``graph_from_tables(...).number_of_edges()``: one edge per row, self-loops included."""
        return len(self.source)

    def neighbour_counts(self):
        """Each node's number of neighbours other than itself, in ``ids`` order (an int array)."""
        apart = self.source != self.target
        n = len(self.ids)
        return np.bincount(self.source[apart], minlength=n) + np.bincount(self.target[apart], minlength=n)


def coded_tables(nodes, edges):
    """The node positions of each edge's ends, when the tables make one simple undirected graph.

    What :func:`graph_from_tables` would build can then be read from the
    tables without building it: its nodes are ``nodes``' rows in order and
    its edges ``edges``' rows, one each. At regional scale that graph of a
    period's 0.84 M working ties took longer to build than the map drawn
    from it (issue 19).

    Parameters
    ----------
    nodes : DataFrame
        ``practitioner_id`` and node attributes.
    edges : DataFrame
        ``source`` and ``target`` (and edge attributes).

    Returns
    -------
    CodedTables or None
        None when the tables are not one simple graph's: a node listed
        twice, an edge end that is not a node, or a pair listed twice
        (either way round); build the graph then.

    Examples
    --------
    >>> nodes = pd.DataFrame({"practitioner_id": ["a", "b", "c"]})
    >>> coded = coded_tables(nodes, pd.DataFrame({"source": ["b", "a"], "target": ["c", "b"]}))
    >>> coded.source.tolist(), coded.target.tolist(), coded.neighbour_counts().tolist()
    ([1, 0], [2, 1], [1, 2, 1])
    >>> coded_tables(nodes, pd.DataFrame({"source": ["b", "c"], "target": ["c", "b"]})) is None
    True
    """
    index = pd.Index(nodes["practitioner_id"], dtype=object)
    if not index.is_unique:
        return None
    n = len(index)
    source, target = (index.get_indexer(pd.Index(edges[c], dtype=object)) for c in ("source", "target"))
    if len(source) and min(source.min(), target.min()) < 0:
        return None
    if not pairs_listed_once(n, np.minimum(source, target), np.maximum(source, target)):
        return None
    return CodedTables(index.tolist(), source, target)


_MAKERS = {}


def _dict_maker(keys):
    """A function of ``len(keys)`` values returning ``{keys[0]: value0, ...}``, a new dict each call.

    Written as one dict display and compiled once per tuple of keys (as
    :func:`collections.namedtuple` compiles its ``__new__``): on the regional
    graphs' 0.9 M ties it builds the edge dicts in less than half the time of
    ``dict(zip(keys, row))`` (issue 19). The keys only appear as ``repr``
    literals, so any column name is safe.

    Examples
    --------
    >>> _dict_maker(("weight", "a b"))(3, None)
    {'weight': 3, 'a b': None}
    """
    keys = tuple(keys)
    maker = _MAKERS.get(keys)
    if maker is None:
        args = ", ".join(f"v{i}" for i in range(len(keys)))
        body = ", ".join(f"{key!r}: v{i}" for i, key in enumerate(keys))
        maker = _MAKERS[keys] = eval(f"lambda {args}: {{{body}}}", {})  # noqa: S307 - keys are repr() literals
    return maker


def _fill_adjacency(G, source, target, data):
    """Put the edges straight into the empty graph ``G``'s adjacency, as ``add_edges_from`` would.

    ``add_edges_from`` copies every attribute dict and checks every end;
    on the edge tables' 40,000 to 90,000 ties that was most of a graph's
    build. Only done when every end is already a node and no pair is listed
    twice (each tie then gets its own dict, as ``add_edges_from`` gives it);
    returns False, having added nothing or only what the caller removes,
    when that does not hold.
    """
    nodes = G._node
    # A set comparison in C: a generator over 0.9 M ends was a tenth of a regional graph's build.
    if not nodes.keys() >= set(source) or not nodes.keys() >= set(target):
        return False
    if G.is_directed():
        succ, pred = G._succ, G._pred
        for u, v, d in zip(source, target, data):
            succ[u][v] = d
            pred[v][u] = d
    else:
        adj = G._adj
        for u, v, d in zip(source, target, data):
            adj[u][v] = d
            adj[v][u] = d
    return G.number_of_edges() == len(source)  # fewer: a pair listed twice (or both ways in an undirected graph)


def bipartite_graph(ds, period=None):
    """Practitioner–client graph of the contacts in ``period``.

    Practitioner nodes are those of :func:`practitioner_nodes` (``kind``
    ``"practitioner"``, ``bipartite`` 0, plus the practitioner attributes);
    client nodes are the clients seen in the period (``kind`` ``"client"``,
    ``bipartite`` 1). Edge ``weight`` is the number of contact rows.

    Raises
    ------
    InvalidInputError
        If a client id equals a practitioner id, since one node would then
        stand for two people.
    """
    contacts = _in_period(ds.contacts, period)
    contacts = contacts[contacts["client_id"].notna()]
    edges = (contacts.groupby(["practitioner_id", "client_id"]).size()
             .rename("weight").reset_index())
    nodes = practitioner_nodes(ds, period)
    clients = pd.Index(edges["client_id"].unique())
    clash = clients.intersection(pd.Index(nodes["practitioner_id"]))
    if len(clash):
        raise InvalidInputError(
            f"client id(s) {', '.join(map(repr, sorted(clash)[:5]))} are also practitioner ids, "
            "so the practitioner–client graph would merge two people into one node. "
            "Re-import the data so client ids are pseudonymised.")
    nodes["kind"], nodes["bipartite"] = "practitioner", 0
    G = graph_from_tables(nodes, edges.rename(columns={"practitioner_id": "source", "client_id": "target"}))
    G.add_nodes_from(clients, kind="client", bipartite=1)
    return G


@reused
def contact_edges(ds, period=None):
    """Directed practitioner → colleague contact counts in ``period``.

    Returns
    -------
    DataFrame
        ``source`` (practitioner_id), ``target`` (with_practitioner_id),
        ``weight`` (contact rows) and ``types`` (dict contact_type → rows;
        a missing type is counted as ``"unspecified"``).
    """
    found = direct_counts(ds, period)
    if not len(found["weight"]):
        return _empty_edges().assign(types=pd.Series(dtype=object))
    ids, types = period_log(ds, period).ids, period_log(ds, period).types
    edges = _id_edges(ids, found["source"], found["target"], found["weight"])
    # Rows come sorted by pair, then type name, so each dict lists its types in name order.
    dicts = [{} for _ in range(len(edges))]
    for pair, name, count in zip(found["pair"].tolist(), types[found["type"]].tolist(), found["count"].tolist()):
        dicts[pair][name] = count
    edges["types"] = dicts
    return edges


def contact_graph(ds, period=None):
    """Directed graph of :func:`contact_edges` (attrs ``weight``, ``types``)."""
    return graph_from_tables(practitioner_nodes(ds, period), contact_edges(ds, period),
                  directed=True, attrs=("weight", "types"))


@reused
def coworking_edges(ds, period=None, *, window_days=90):
    """Pairs of practitioners who worked with the same client at about the same time.

    Two practitioners co-work on a client when each had a contact with that
    client in ``period`` and some pair of their contact days is at most
    ``window_days`` apart (``|d1 - d2| <= window_days``). ``weight`` is the
    number of distinct clients on which they co-worked. Only
    ``practitioner_id``–``client_id`` rows count.

    Method: on integer codes, each practitioner's days with a client are
    merged into spans ``[first day, last day + window_days]``
    (:func:`netdash.networks.codes.spans`), overlapping spans of one client are
    paired (:func:`netdash.networks.codes.overlap_pairs`) and the distinct
    (client, pair) rows are counted per pair. This replaced a DuckDB band join, which
    replaced a pandas self-merge plus ``merge_asof`` (same result; see
    ``docs/benchmarks.md``).

    Raises
    ------
    InvalidInputError
        If ``window_days`` is not a whole number ``>= 0``.
    """
    check_window(window_days)
    source, target, weight = coworking_counts(ds, period, window_days)
    if not len(weight) and not (period_log(ds, period).client >= 0).any():
        return _empty_edges()
    return _id_edges(period_log(ds, period).ids, source, target, weight)


def _id_edges(ids, source, target, weight):
    """Edge table with ids for the codes ``source`` and ``target``."""
    return pd.DataFrame({"source": pd.Series(ids[source], dtype=object),
                         "target": pd.Series(ids[target], dtype=object),
                         "weight": whole_or_float(weight)})


def coworking_graph(ds, period=None, *, window_days=90):
    """Undirected graph of :func:`coworking_edges` (attr ``weight``)."""
    return graph_from_tables(practitioner_nodes(ds, period), coworking_edges(ds, period, window_days=window_days))


@reused
def cop_edges(ds, period=None):
    """Co-attendance: pairs of practitioners at the same COP sessions in ``period``.

    ``weight`` is the number of distinct sessions both attended, i.e. the
    weighted one-mode projection of the practitioner–session graph
    (``networkx.bipartite.weighted_projected_graph``; Newman 2001's simple
    count, not his 1/(n-1) weighting).
    """
    source, target, weight = cop_counts(ds, period)
    if not len(weight) and not len(period_log(ds, period).person):
        return _empty_edges()
    return _id_edges(period_log(ds, period).ids, source, target, weight)


def cop_graph(ds, period=None):
    """Undirected graph of :func:`cop_edges` (attr ``weight``)."""
    return graph_from_tables(practitioner_nodes(ds, period), cop_edges(ds, period))


@reused
def practitioner_edges(ds, period=None, *, ties="all", window_days=90):
    """Undirected union of the chosen tie types, one row per pair.

    Returns
    -------
    DataFrame
        ``source < target``, ``direct`` (contact rows in either direction, or the sum
        of their ``weight`` when given; each row once for undirected data),
        ``coworking`` (shared clients), ``cop`` (shared sessions); a type not
        chosen by ``ties`` is 0. ``weight`` is their sum and ``tie_types``
        the sorted tuple of types with a positive weight.

    Raises
    ------
    InvalidInputError
        If ``ties`` is not one of :data:`TIE_TYPES`.
    """
    return build_practitioner_edges(ds, period, ties=ties, window_days=window_days)


def build_practitioner_edges(ds, period=None, *, ties="all", window_days=90):
    """:func:`practitioner_edges` made afresh, not kept in or served from ``ds.memo``.

    For a caller that keeps the table itself (:class:`netdash.analysis.NetworkAnalysis`): a second copy in the
    memo would push out tables other pages need.
    """
    found = union_counts(ds, period, ties, window_days)
    if found is None:
        return _empty_edges("direct", "coworking", "cop").assign(tie_types=pd.Series(dtype=object))
    source, target, counts = found
    edges = _id_edges(period_log(ds, period).ids, source, target, np.zeros(len(source)))
    for name in ("direct", "coworking", "cop"):
        edges[name] = counts[name]
    edges["weight"] = counts["direct"] + counts["coworking"] + counts["cop"]
    # One tuple per combination of types (8 at most), looked up by a bit code per row.
    names = ("cop", "coworking", "direct")
    flags = np.column_stack([counts[n] > 0 for n in names])
    combos = np.empty(8, dtype=object)
    combos[:] = [tuple(n for k, n in enumerate(names) if code >> k & 1) for code in range(8)]
    # A new tuple is watched by the cyclic garbage collector until a collection finds it holds only strings;
    # a dict holding a watched tuple is watched too, until a full collection. Collecting the youngest
    # generation now (microseconds: these 8 tuples are in it) leaves the graph's edge dicts unwatched, so
    # later collections do not walk its 0.9 M ties at regional scale (issue 19).
    gc.collect(0)
    edges["tie_types"] = combos[flags @ np.array([1, 2, 4])]
    return edges[["source", "target", "weight", "direct", "coworking", "cop", "tie_types"]]


def practitioner_graph(ds, period=None, *, ties="all", window_days=90):
    """Undirected practitioner graph of the chosen tie types.

    ``ties`` is ``"direct"``, ``"coworking"``, ``"cop"``, ``"working"``
    (direct + coworking) or ``"all"``. Edge attributes are those of
    :func:`practitioner_edges`; node attributes as in the module docstring.

    Raises
    ------
    InvalidInputError
        If ``ties`` is unknown or ``window_days`` is not a whole number >= 0.
    """
    edges = practitioner_edges(ds, period, ties=ties, window_days=window_days)
    return graph_from_tables(practitioner_nodes(ds, period), edges, attrs=PRACTITIONER_EDGE_ATTRS)


def _pair_table(G, weight):
    """Distinct unordered practitioner pairs of ``G`` with summed ``weight`` and agencies."""
    rows = [(u, v, d.get(weight, 1)) for u, v, d in G.edges(data=True) if u != v]
    edges = pd.DataFrame(rows, columns=["u", "v", "w"]).astype({"u": object, "v": object})
    edges["u"], edges["v"] = _ordered(edges["u"], edges["v"])
    edges = edges.groupby(["u", "v"], as_index=False)["w"].sum()
    agency = nx.get_node_attributes(G, "agency")
    a, b = edges["u"].map(agency), edges["v"].map(agency)
    edges["agency_a"], edges["agency_b"] = _ordered(a, b)
    return edges


def agency_tie_counts(G):
    """Ties of a practitioner graph counted by agency pair.

    A directed ``G`` counts each practitioner pair once whichever way it
    points. Every unordered agency pair (``agency_a <= agency_b``) is listed,
    zeros included; rows with ``agency_a == agency_b`` are within-agency ties.

    Returns
    -------
    DataFrame
        ``agency_a``, ``agency_b``, ``ties``.
    """
    agencies = sorted(set(nx.get_node_attributes(G, "agency").values()))
    grid = pd.DataFrame([(a, b) for i, a in enumerate(agencies) for b in agencies[i:]],
                        columns=["agency_a", "agency_b"], dtype=object)
    counts = _pair_table(G, "weight").groupby(["agency_a", "agency_b"]).size().rename("ties")
    out = grid.merge(counts.reset_index(), on=["agency_a", "agency_b"], how="left")
    out["ties"] = out["ties"].fillna(0).astype("int64")
    return out


def agency_graph(G, *, weight="weight"):
    """Collapse a practitioner graph onto its agencies.

    Nodes are the agencies of ``G``'s practitioners (attrs ``name``,
    ``sector``, ``n_practitioners``, ``internal_ties`` and ``internal_weight``
    for ties inside the agency). Edges join different agencies: ``ties`` is
    the number of practitioner pairs tied across them and ``weight`` the sum
    of those ties' ``weight`` attribute (1 where absent). A directed ``G``
    counts each practitioner pair once, summing both directions' weights.
    :func:`agency_graph_from_tables` gives the same graph from the tables
    ``G`` is built from, without walking its edges.
    """
    summary = _agency_pair_sums(G, weight)
    if summary is None:
        pairs = _pair_table(G, weight)
        summary = pairs.groupby(["agency_a", "agency_b"])["w"].agg(["size", "sum"]).reset_index()
        summary = summary.itertuples(index=False)
    return _collapsed(((d["agency"], d.get("agency_name"), d.get("sector")) for _, d in G.nodes(data=True)),
                      summary)


def agency_graph_from_tables(nodes, edges, *, weight="weight"):
    """:func:`agency_graph` of ``graph_from_tables(nodes, edges)``, counted from the two tables.

    The same nodes, edges, attributes and order as collapsing the
    undirected graph :func:`graph_from_tables` builds, without building it
    or walking its edges: the ties are counted per agency pair on integer
    codes of the table's columns. A pair listed twice (in either order)
    counts once with its last row's weight, and a self-loop not at all, as
    in the graph. Tables whose agencies are not all strings, whose weights
    are not integers, whose practitioner ids repeat or whose tie ends are not
    all in ``nodes`` are collapsed through the graph itself.

    Parameters
    ----------
    nodes : DataFrame
        ``practitioner_id``, ``agency`` and optionally ``agency_name`` and
        ``sector`` (:func:`practitioner_nodes`).
    edges : DataFrame
        ``source``, ``target`` and optionally ``weight``
        (:func:`practitioner_edges`).
    weight : str, default "weight"
        Column summed into each agency pair's ``weight`` (1 where absent).

    Returns
    -------
    networkx.Graph

    Examples
    --------
    >>> nodes = pd.DataFrame({"practitioner_id": ["a", "b", "c"], "agency": ["A", "B", "B"]})
    >>> edges = pd.DataFrame({"source": ["a", "b", "c"], "target": ["b", "c", "a"], "weight": [3, 1, 2]})
    >>> H = agency_graph_from_tables(nodes, edges)
    >>> H.edges["A", "B"], H.nodes["B"]["internal_ties"], H.nodes["B"]["n_practitioners"]
    ({'ties': 2, 'weight': 5}, 1, 2)
    """
    summary = _agency_pair_sums_of_tables(nodes, edges, weight)
    if summary is None:
        return agency_graph(graph_from_tables(nodes, edges, attrs=(weight,) if weight in edges else ()),
                            weight=weight)
    columns = [nodes[c].tolist() if c in nodes else [None] * len(nodes) for c in ("agency_name", "sector")]
    return _collapsed(zip(nodes["agency"].tolist(), *columns), summary)


def _collapsed(practitioners, summary):
    """The agency graph of ``(agency, agency_name, sector)`` per practitioner and ``(a, b, ties, weight)`` rows."""
    H = nx.Graph()
    for a, name, sector in practitioners:
        if a not in H:
            H.add_node(a, name=name, sector=sector, n_practitioners=0, internal_ties=0, internal_weight=0)
        H.nodes[a]["n_practitioners"] += 1
    adj = H._adj
    for a, b, n, w in summary:
        w = w.item() if isinstance(w, np.generic) else w
        if a == b:
            H.nodes[a].update(internal_ties=int(n), internal_weight=w)
        elif a in adj and b in adj and b not in adj[a]:
            # Straight into the adjacency, as add_edge puts a new tie between two nodes: at regional scale 160,000
            # agency pairs, and add_edge's checks were a third of collapsing them (docs/benchmarks.md, "Session 17").
            adj[a][b] = adj[b][a] = {"ties": int(n), "weight": w}
        else:
            H.add_edge(a, b, ties=int(n), weight=w)
    return H


def _agency_pair_sums(G, weight):
    """``(agency_a, agency_b, ties, summed weight)`` per agency pair of an undirected graph, as arrays.

    The same rows as grouping :func:`_pair_table` by agency pair (``agency_a
    <= agency_b``, sorted), counted with integer codes instead of a table of
    practitioner pairs: each tie of a simple undirected graph is one pair.
    None (the caller groups the pair table) for directed graphs, multigraphs
    and agencies that are not all strings, or weights that are not integers.
    """
    if G.is_directed() or G.is_multigraph():
        return None
    agency = dict(G.nodes(data="agency"))
    if not all(isinstance(a, str) for a in agency.values()):
        return None
    names = sorted(set(agency.values()))
    code = {a: k for k, a in enumerate(names)}
    node_code = {v: code[a] for v, a in agency.items()}
    triples = [(node_code[u], node_code[v], w) for u, v, w in G.edges(data=weight, default=1) if u != v]
    if not triples:
        return []
    ends = np.array([(x, y) for x, y, _ in triples], dtype=np.int64)
    w = np.array([t[2] for t in triples])
    if w.dtype.kind not in "iu":  # float sums: the grouping's own (compensated) summation
        return None
    return _pair_sums(names, ends[:, 0], ends[:, 1], w)


def _agency_pair_sums_of_tables(nodes, edges, weight):
    """:func:`_agency_pair_sums` of ``graph_from_tables(nodes, edges)``, from the tables; None where it would be."""
    found = _agency_pair_arrays_of_tables(nodes, edges, weight)
    return found if found is None or isinstance(found, list) else _pair_rows(*found)


def _agency_pair_arrays_of_tables(nodes, edges, weight):
    """:func:`_agency_pair_sums_of_tables` as ``(names, *_pair_sum_arrays(...))``; None or [] where that is."""
    if "agency" not in nodes:
        return None
    ids = pd.Index(nodes["practitioner_id"])
    agency = nodes["agency"].tolist()
    if not ids.is_unique or not all(isinstance(a, str) for a in agency):
        return None
    source, target = ids.get_indexer(edges["source"]), ids.get_indexer(edges["target"])
    if (source < 0).any() or (target < 0).any():  # an end that is not a node: as the graph would have it
        return None
    w = edges[weight].to_numpy() if weight in edges else np.ones(len(edges), dtype=np.int64)
    if w.dtype.kind not in "iu":
        return None
    names = sorted(set(agency))
    code = {a: k for k, a in enumerate(names)}
    node_code = np.array([code[a] for a in agency], dtype=np.int64)
    pair = np.minimum(source, target).astype(np.int64) * len(ids) + np.maximum(source, target)
    keep = source != target
    pair, source, target, w = pair[keep], source[keep], target[keep], w[keep]
    if not len(pair):
        return []
    # One row per practitioner pair, the last one listed: the one whose attributes the graph keeps.
    _, last_reversed = np.unique(pair[::-1], return_index=True)
    last = len(pair) - 1 - last_reversed
    return (names, *_pair_sum_arrays(len(names), node_code[source[last]], node_code[target[last]], w[last]))


def _pair_sum_arrays(n_names, x, y, w):
    """Lower and higher agency code, ties and summed integer weight per unordered pair, sorted by the pair."""
    low, high = np.minimum(x, y), np.maximum(x, y)
    keys, inverse = np.unique(low * n_names + high, return_inverse=True)
    counts = np.bincount(inverse, minlength=len(keys))
    if len(w) and int(np.abs(w).max()) * len(w) < 2 ** 53:  # every partial sum exact in float64: one bincount
        sums = np.bincount(inverse, weights=w, minlength=len(keys)).astype(np.int64)
    else:
        sums = np.zeros(len(keys), dtype=np.int64)
        np.add.at(sums, inverse, w)
    return keys // n_names, keys % n_names, counts, sums


def _pair_sums(names, x, y, w):
    """Ties and summed integer weight per unordered agency pair of tie ends coded ``x``, ``y`` (codes of ``names``)."""
    return _pair_rows(names, *_pair_sum_arrays(len(names), x, y, w))


def _pair_rows(names, low, high, counts, sums):
    """:func:`_pair_sum_arrays` as rows ``(agency_a, agency_b, ties, weight)``."""
    return [(names[a], names[b], int(n), total)
            for a, b, n, total in zip(low.tolist(), high.tolist(), counts.tolist(), sums.tolist())]


class AgencyLinks(NamedTuple):
    """An agency graph as :func:`netdash.viz.maps.agency_maps` reads it: ``dict(H.nodes(data=True))`` and
    ``list(H.edges(data="ties"))``, in the graph's order."""

    agencies: dict
    links: list


def agency_links_from_tables(nodes, edges, *, weight="weight"):
    """:class:`AgencyLinks` of :func:`agency_graph_from_tables`, without building that graph.

    The agencies with their attributes (in order of their first
    practitioner) and each pair of agencies tied with its number of ties,
    ordered and oriented as the graph's ``edges`` reports them: at regional
    scale 1,200 agencies and 160,000 pairs per period, which the graph stored
    only for the agency maps to read them back (issue 19). None where
    :func:`agency_graph_from_tables` collapses the practitioner graph instead.

    Examples
    --------
    >>> nodes = pd.DataFrame({"practitioner_id": ["a", "b", "c"], "agency": ["B", "A", "B"]})
    >>> edges = pd.DataFrame({"source": ["a", "b", "c"], "target": ["b", "c", "a"], "weight": [3, 1, 2]})
    >>> found = agency_links_from_tables(nodes, edges)
    >>> found.links, found.agencies["B"]["n_practitioners"], found.agencies["B"]["internal_ties"]
    ([('B', 'A', 2)], 2, 1)
    """
    summary = _agency_pair_arrays_of_tables(nodes, edges, weight)
    if summary is None:
        return None
    columns = [nodes[c].tolist() if c in nodes else [None] * len(nodes) for c in ("agency_name", "sector")]
    agencies = {}
    for a, name, sector in zip(nodes["agency"].tolist(), *columns):  # as _collapsed adds them
        d = agencies.get(a)
        if d is None:
            d = agencies[a] = {"name": name, "sector": sector, "n_practitioners": 0, "internal_ties": 0,
                               "internal_weight": 0}
        d["n_practitioners"] += 1
    if not summary:
        return AgencyLinks(agencies, [])
    names, low, high, counts, sums = summary
    for k in np.flatnonzero(low == high).tolist():
        agencies[names[low[k]]].update(internal_ties=int(counts[k]), internal_weight=sums[k].item())
    # The graph's edges: each agency in order, then its new neighbours in the order the pairs were added (sorted)
    order = {a: i for i, a in enumerate(agencies)}
    place = np.array([order[a] for a in names], dtype=np.int64)
    tie = np.flatnonzero(low != high)
    first, second = place[low[tie]], place[high[tie]]
    order = np.argsort(np.minimum(first, second), kind="stable")
    first, second, tie = first[order], second[order], tie[order]
    listed = np.empty(len(agencies), dtype=object)
    listed[:] = list(agencies)
    return AgencyLinks(agencies, list(zip(listed[np.minimum(first, second)].tolist(),
                                          listed[np.maximum(first, second)].tolist(), counts[tie].tolist())))


def steps_from(G, node, *, radius=1):
    """Everyone within ``radius`` steps of ``node`` (direction ignored), with their number of steps.

    Raises
    ------
    InvalidInputError
        If ``node`` is not in ``G``.

    Examples
    --------
    >>> import networkx as nx
    >>> steps_from(nx.path_graph(5), 1, radius=2)
    {1: 0, 0: 1, 2: 1, 3: 2}
    """
    if node not in G:
        raise not_in_network(node)
    undirected = G.to_undirected(as_view=True) if G.is_directed() else G
    return nx.single_source_shortest_path_length(undirected, node, cutoff=radius)


def not_in_network(node):
    """The error of :func:`steps_from` for a ``node`` that is not in the network."""
    return InvalidInputError(f"practitioner {node!r} is not in this network for the chosen period. "
                             "Pick a practitioner listed in the network, or widen the period.")


def coded_steps_from(coded, node, *, radius=1):
    """:func:`steps_from` of the graph of :class:`CodedTables`, without building it: positions in ``coded.ids``.

    Returns the positions of everyone within ``radius`` steps of ``node``,
    in the order :func:`steps_from` lists them (breadth first, each node's
    neighbours in the order of the edge rows, as the graph's adjacency
    holds them), and their numbers of steps.

    Raises
    ------
    InvalidInputError
        If ``node`` is not one of ``coded.ids``.

    Examples
    --------
    >>> nodes = pd.DataFrame({"practitioner_id": ["a", "b", "c", "d", "e"]})
    >>> coded = coded_tables(nodes, pd.DataFrame({"source": ["c", "b", "a", "d"], "target": ["d", "c", "b", "e"]}))
    >>> [(coded.ids[p], k) for p, k in zip(*(a.tolist() for a in coded_steps_from(coded, "b", radius=2)))]
    [('b', 0), ('c', 1), ('a', 1), ('d', 2)]
    """
    try:
        start = coded.ids.index(node)
    except ValueError:
        raise not_in_network(node) from None
    n, m = len(coded.ids), len(coded.source)
    owner = np.concatenate((coded.source, coded.target))
    other = np.concatenate((coded.target, coded.source))
    rows = np.concatenate((np.arange(m), np.arange(m)))
    by = np.lexsort((rows, owner))  # each node's neighbours in row order, as graph_from_tables adds them
    other = other[by]
    indptr = np.concatenate(([0], np.cumsum(np.bincount(owner, minlength=n))))
    seen = np.zeros(n, dtype=bool)
    seen[start] = True
    found, steps, level = [np.array([start])], [np.zeros(1, dtype=np.intp)], np.array([start])
    for k in range(1, radius + 1):
        starts, lengths = indptr[level], indptr[level + 1] - indptr[level]
        if not lengths.sum():
            break
        # every neighbour of the level, in order: each node's slice, one after the other
        at = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(lengths.sum())
        met = other[at]
        met = met[~seen[met]]
        first = np.unique(met, return_index=True)[1]
        level = met[np.sort(first)]  # each new node where the search first meets it
        seen[level] = True
        found.append(level)
        steps.append(np.full(len(level), k, dtype=np.intp))
    return np.concatenate(found), np.concatenate(steps)


def ego_graph(G, node, *, radius=1):
    """A read-only view of ``node`` and everyone within ``radius`` steps (direction ignored).

    Raises
    ------
    InvalidInputError
        If ``node`` is not in ``G``.
    """
    return G.subgraph(steps_from(G, node, radius=radius))
