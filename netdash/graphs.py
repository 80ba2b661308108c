"""The networks of a period: bipartite, direct contact, co-working, COP, agency.

Aggregation is done in small functions that return edge tables (data frames
with ``source``, ``target``, ``weight``, ...) and graphs are built from those
tables by separate functions, so the aggregation can later move to DuckDB and
the tables can be cached.

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

import networkx as nx
import numpy as np
import pandas as pd

from netdash.errors import InvalidInputError
from netdash.periods import Period

__all__ = [
    "TIE_TYPES",
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
    "practitioner_graph",
    "agency_tie_counts",
    "agency_graph",
    "ego_graph",
]

TIE_TYPES = {
    "direct": ("direct",),
    "coworking": ("coworking",),
    "cop": ("cop",),
    "working": ("coworking", "direct"),
    "all": ("cop", "coworking", "direct"),
}
"""Allowed ``ties`` values and the tie types each one unions."""

_NODE_ATTRS = ("agency", "agency_name", "sector", "role", "name")


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
    period = _period(period)
    prac = ds.practitioners
    keep = pd.Series(True, index=prac.index)
    if period.end is not None:
        keep &= prac["start_date"].isna() | (prac["start_date"] < period.end)
    if period.start is not None:
        keep &= prac["end_date"].isna() | (prac["end_date"] >= period.start)
    return prac[keep]


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
    contacts = _in_period(ds.contacts, period)
    attendance = ds.cop_attendance
    in_period = _in_period(attendance, period)
    ids = pd.concat([
        practitioners_in_post(ds, period)["practitioner_id"],
        contacts["practitioner_id"], contacts["with_practitioner_id"].dropna(),
        in_period["practitioner_id"], pd.Series(list(include), dtype=object),
    ])
    prac = ds.practitioners[ds.practitioners["practitioner_id"].isin(ids)]
    agencies = ds.agencies.set_index("agency_id")
    nodes = pd.DataFrame({
        "practitioner_id": prac["practitioner_id"].astype(object),
        "agency": prac["agency_id"].astype(object),
        "agency_name": prac["agency_id"].map(agencies["name"]),
        "sector": prac["agency_id"].map(agencies["sector"]),
        "role": prac["role"],
        "name": prac["name"],
    })
    for col in _NODE_ATTRS:
        nodes[col] = _none_for_missing(nodes[col])
    sessions = in_period.groupby("practitioner_id")["session_id"].nunique()
    nodes["cop_sessions"] = nodes["practitioner_id"].map(sessions).fillna(0).astype("int64")
    before_end = attendance if period.end is None else attendance[attendance["date"] < period.end]
    nodes["cop_attendee"] = nodes["practitioner_id"].isin(before_end["practitioner_id"])
    return nodes.sort_values("practitioner_id").reset_index(drop=True)


def _graph(nodes, edges, *, directed=False, attrs=("weight",)):
    """Build a practitioner graph from a node table and an edge table."""
    G = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from((r.pop("practitioner_id"), r) for r in nodes.to_dict("records"))
    data = edges[list(attrs)].to_dict("records")
    G.add_edges_from(zip(edges["source"], edges["target"], data))
    return G


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
    G = _graph(nodes, edges.rename(columns={"practitioner_id": "source", "client_id": "target"}))
    G.add_nodes_from(clients, kind="client", bipartite=1)
    return G


def contact_edges(ds, period=None):
    """Directed practitioner → colleague contact counts in ``period``.

    Returns
    -------
    DataFrame
        ``source`` (practitioner_id), ``target`` (with_practitioner_id),
        ``weight`` (contact rows) and ``types`` (dict contact_type → rows;
        a missing type is counted as ``"unspecified"``).
    """
    contacts = _in_period(ds.contacts, period)
    contacts = contacts[contacts["with_practitioner_id"].notna()
                        & (contacts["practitioner_id"] != contacts["with_practitioner_id"])]
    if contacts.empty:
        return _empty_edges().assign(types=pd.Series(dtype=object))
    frame = pd.DataFrame({"source": contacts["practitioner_id"],
                          "target": contacts["with_practitioner_id"],
                          "type": contacts["contact_type"].fillna("unspecified")})
    wide = pd.crosstab([frame["source"], frame["target"]], frame["type"])
    edges = wide.index.to_frame(index=False).astype(object)
    edges["weight"] = wide.sum(axis=1).to_numpy().astype("int64")
    edges["types"] = [{k: int(v) for k, v in row.items() if v} for row in wide.to_dict("records")]
    return edges


def contact_graph(ds, period=None):
    """Directed graph of :func:`contact_edges` (attrs ``weight``, ``types``)."""
    return _graph(practitioner_nodes(ds, period), contact_edges(ds, period),
                  directed=True, attrs=("weight", "types"))


def _check_window(window_days):
    if isinstance(window_days, bool) or not isinstance(window_days, (int, np.integer)) or window_days < 0:
        raise InvalidInputError(
            f"window_days must be a whole number of days, 0 or more; got {window_days!r}. "
            "Use e.g. window_days=90.")


def coworking_edges(ds, period=None, *, window_days=90):
    """Pairs of practitioners who worked with the same client at about the same time.

    Two practitioners co-work on a client when each had a contact with that
    client in ``period`` and some pair of their contact days is at most
    ``window_days`` apart (``|d1 - d2| <= window_days``). ``weight`` is the
    number of distinct clients on which they co-worked. Only
    ``practitioner_id``–``client_id`` rows count.

    Method: contacts are first reduced to distinct (client, practitioner,
    day) rows, so a client seen 200 times by two people costs at most one row
    per distinct day. Candidate pairs come from a self-merge of the distinct
    (client, practitioner) rows on client. For every day ``d1`` of the first
    practitioner, ``pd.merge_asof(direction="nearest")`` finds the second
    practitioner's nearest day on that client; the pair co-works when any
    nearest distance is within the window (the minimum distance between two
    date sets is attained at a nearest neighbour of some element).

    Raises
    ------
    InvalidInputError
        If ``window_days`` is not a whole number ``>= 0``.
    """
    _check_window(window_days)
    contacts = _in_period(ds.contacts, period)
    days = (contacts.loc[contacts["client_id"].notna(), ["client_id", "practitioner_id", "date"]]
            .drop_duplicates())
    if days.empty:
        return _empty_edges()
    days["cp"] = days.groupby(["client_id", "practitioner_id"], sort=False).ngroup()
    spans = days[["client_id", "practitioner_id", "cp"]].drop_duplicates()
    pairs = spans.merge(spans, on="client_id", suffixes=("_1", "_2"))
    pairs = pairs[pairs["practitioner_id_1"] < pairs["practitioner_id_2"]]
    left = pairs.merge(days[["cp", "date"]].rename(columns={"cp": "cp_1", "date": "date_1"}), on="cp_1")
    right = days[["cp", "date"]].rename(columns={"cp": "cp_2", "date": "date_2"})
    near = pd.merge_asof(left.sort_values("date_1"), right.sort_values("date_2"),
                         left_on="date_1", right_on="date_2", by="cp_2", direction="nearest",
                         tolerance=pd.Timedelta(days=window_days))
    hits = near.loc[near["date_2"].notna(), ["client_id", "practitioner_id_1", "practitioner_id_2"]]
    edges = (hits.drop_duplicates().groupby(["practitioner_id_1", "practitioner_id_2"]).size()
             .rename("weight").reset_index()
             .rename(columns={"practitioner_id_1": "source", "practitioner_id_2": "target"}))
    return edges.astype({"source": object, "target": object, "weight": "int64"})


def coworking_graph(ds, period=None, *, window_days=90):
    """Undirected graph of :func:`coworking_edges` (attr ``weight``)."""
    return _graph(practitioner_nodes(ds, period), coworking_edges(ds, period, window_days=window_days))


def cop_edges(ds, period=None):
    """Co-attendance: pairs of practitioners at the same COP sessions in ``period``.

    ``weight`` is the number of distinct sessions both attended, i.e. the
    weighted one-mode projection of the practitioner–session graph
    (``networkx.bipartite.weighted_projected_graph``; Newman 2001's simple
    count, not his 1/(n-1) weighting).
    """
    attendance = _in_period(ds.cop_attendance, period)[["session_id", "practitioner_id"]].drop_duplicates()
    pairs = attendance.merge(attendance, on="session_id")
    pairs = pairs[pairs["practitioner_id_x"] < pairs["practitioner_id_y"]]
    if pairs.empty:
        return _empty_edges()
    edges = (pairs.groupby(["practitioner_id_x", "practitioner_id_y"]).size().rename("weight")
             .reset_index().rename(columns={"practitioner_id_x": "source", "practitioner_id_y": "target"}))
    return edges.astype({"source": object, "target": object, "weight": "int64"})


def cop_graph(ds, period=None):
    """Undirected graph of :func:`cop_edges` (attr ``weight``)."""
    return _graph(practitioner_nodes(ds, period), cop_edges(ds, period))


def _tie_types(ties):
    if ties not in TIE_TYPES:
        raise InvalidInputError(
            f"ties={ties!r} is not a tie choice. Use one of: {', '.join(map(repr, TIE_TYPES))} "
            "('working' = direct + coworking; 'all' = direct + coworking + cop).")
    return TIE_TYPES[ties]


def practitioner_edges(ds, period=None, *, ties="all", window_days=90):
    """Undirected union of the chosen tie types, one row per pair.

    Returns
    -------
    DataFrame
        ``source < target``, ``direct`` (contact rows in either direction),
        ``coworking`` (shared clients), ``cop`` (shared sessions); a type not
        chosen by ``ties`` is 0. ``weight`` is their sum and ``tie_types``
        the sorted tuple of types with a positive weight.

    Raises
    ------
    InvalidInputError
        If ``ties`` is not one of :data:`TIE_TYPES`.
    """
    chosen = _tie_types(ties)
    tables = []
    if "direct" in chosen:
        direct = contact_edges(ds, period)
        direct["source"], direct["target"] = _ordered(direct["source"], direct["target"])
        tables.append(direct[["source", "target", "weight"]].assign(kind="direct"))
    if "coworking" in chosen:
        tables.append(coworking_edges(ds, period, window_days=window_days).assign(kind="coworking"))
    if "cop" in chosen:
        tables.append(cop_edges(ds, period).assign(kind="cop"))
    long = pd.concat(tables, ignore_index=True)
    if long.empty:
        return _empty_edges("direct", "coworking", "cop").assign(tie_types=pd.Series(dtype=object))
    wide = long.pivot_table(index=["source", "target"], columns="kind", values="weight",
                            aggfunc="sum", fill_value=0)
    edges = wide.reindex(columns=["direct", "coworking", "cop"], fill_value=0).astype("int64")
    edges = edges.reset_index().astype({"source": object, "target": object})
    edges.columns.name = None
    edges["weight"] = edges[["direct", "coworking", "cop"]].sum(axis=1)
    names = ("cop", "coworking", "direct")
    flags = edges[list(names)].to_numpy() > 0
    edges["tie_types"] = [tuple(n for n, f in zip(names, row) if f) for row in flags]
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
    return _graph(practitioner_nodes(ds, period), edges,
                  attrs=("weight", "tie_types", "direct", "coworking", "cop"))


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
    """
    H = nx.Graph()
    for _, d in G.nodes(data=True):
        a = d["agency"]
        if a not in H:
            H.add_node(a, name=d.get("agency_name"), sector=d.get("sector"), n_practitioners=0,
                       internal_ties=0, internal_weight=0)
        H.nodes[a]["n_practitioners"] += 1
    pairs = _pair_table(G, weight)
    summary = pairs.groupby(["agency_a", "agency_b"])["w"].agg(["size", "sum"]).reset_index()
    for a, b, n, w in summary.itertuples(index=False):
        w = w.item() if isinstance(w, np.generic) else w
        if a == b:
            H.nodes[a].update(internal_ties=int(n), internal_weight=w)
        else:
            H.add_edge(a, b, ties=int(n), weight=w)
    return H


def ego_graph(G, node, *, radius=1):
    """Subgraph of ``node`` and everyone within ``radius`` steps (direction ignored).

    Raises
    ------
    InvalidInputError
        If ``node`` is not in ``G``.
    """
    if node not in G:
        raise InvalidInputError(
            f"practitioner {node!r} is not in this network for the chosen period. "
            "Pick a practitioner listed in the network, or widen the period.")
    return nx.ego_graph(G, node, radius=radius, undirected=True)
