"""The networks of a period: bipartite, direct contact, co-working, COP, agency.

Aggregation is done in small functions that return edge tables (data frames
with ``source``, ``target``, ``weight``, ...) and graphs are built from those
tables by separate functions. The pair joins (co-working, COP) run in DuckDB
on integer codes; inside :func:`reuse_tables` each table is computed once.

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

import contextlib
import contextvars
import functools

import duckdb
import networkx as nx
import numpy as np
import pandas as pd

from netdash.errors import InvalidInputError
from netdash.periods import Period

__all__ = [
    "TIE_TYPES",
    "PRACTITIONER_EDGE_ATTRS",
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
    "reuse_tables",
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

PRACTITIONER_EDGE_ATTRS = ("weight", "tie_types", "direct", "coworking", "cop")
"""Edge attributes of :func:`practitioner_graph`, columns of :func:`practitioner_edges`."""

_TABLES = contextvars.ContextVar("netdash_graph_tables", default=None)


@contextlib.contextmanager
def reuse_tables():
    """Within this block, each node or edge table is computed once per dataset and options.

    The measure families each ask :mod:`netdash.graphs` for the tables they
    need; one analysis would otherwise aggregate the same contact log several
    times. Inside the block the first call computes a table and later calls
    with the same dataset (the same object), period and options get a copy of
    it. Leaving the block drops every table, so a changed dataset is never
    served stale results.

    Examples
    --------
    >>> from netdash.dataset import Dataset
    >>> ds = Dataset.from_records(agencies=[{"agency_id": "A", "name": "Housing"}],
    ...                           practitioners=[{"practitioner_id": "p1", "agency_id": "A"}])
    >>> with reuse_tables():
    ...     practitioner_nodes(ds) is not practitioner_nodes(ds)  # copies, safe to modify
    True
    """
    outer = _TABLES.get()
    token = _TABLES.set({} if outer is None else outer)
    try:
        yield
    finally:
        _TABLES.reset(token)


def _reused(func):
    """Serve ``func(ds, period, **options)`` from the :func:`reuse_tables` store when open."""

    @functools.wraps(func)
    def wrapper(ds, period=None, **options):
        store = _TABLES.get()
        if store is None:
            return func(ds, period, **options)
        key = (func.__name__, id(ds), _period(period), tuple(sorted(options.items())))
        try:
            hash(key)
        except TypeError:  # e.g. ``include`` given as a Series: not worth keeping
            return func(ds, period, **options)
        if key not in store:
            # Holding ds keeps id(ds) from being reused by another object while the block is open.
            store[key] = (ds, func(ds, period, **options))
        return store[key][1].copy()

    return wrapper


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


@_reused
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
    # Column-wise lists and zip are several times faster than to_dict("records").
    columns = [edges[a].tolist() for a in attrs]
    data = (dict(zip(attrs, values)) for values in zip(*columns))
    G.add_edges_from(zip(edges["source"].tolist(), edges["target"].tolist(), data))
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


@_reused
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
    # A sorted long count (not a wide crosstab) keeps memory to the types each pair used.
    long = frame.groupby(["source", "target", "type"], sort=True).size()
    pair = long.index.droplevel("type")
    source_code, target_code = (np.asarray(c) for c in long.index.codes[:2])
    starts = np.flatnonzero(np.r_[True, (np.diff(source_code) != 0) | (np.diff(target_code) != 0)])
    counts, types = long.to_numpy(), long.index.get_level_values("type").tolist()
    bounds = np.r_[starts, len(long)].tolist()
    edges = pair[starts].to_frame(index=False).astype(object)
    edges["weight"] = np.add.reduceat(counts, starts).astype("int64") if len(long) else []
    edges["types"] = [dict(zip(types[a:b], counts[a:b].tolist())) for a, b in zip(bounds[:-1], bounds[1:])]
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


@_reused
def coworking_edges(ds, period=None, *, window_days=90):
    """Pairs of practitioners who worked with the same client at about the same time.

    Two practitioners co-work on a client when each had a contact with that
    client in ``period`` and some pair of their contact days is at most
    ``window_days`` apart (``|d1 - d2| <= window_days``). ``weight`` is the
    number of distinct clients on which they co-worked. Only
    ``practitioner_id``–``client_id`` rows count.

    Method: contacts are reduced to distinct (client, practitioner, day)
    rows with integer codes, and DuckDB joins them on client with the band
    condition ``|d1 - d2| <= window_days`` and counts distinct clients per
    pair. This replaced a pandas self-merge plus ``merge_asof`` (same
    result, 4-5 times slower and far more memory at city scale; see
    ``docs/benchmarks.md``). Codes follow the sorted order of the ids, so
    ``source < target`` holds for the ids themselves.

    Raises
    ------
    InvalidInputError
        If ``window_days`` is not a whole number ``>= 0``.
    """
    _check_window(window_days)
    contacts = _in_period(ds.contacts, period)
    contacts = contacts[contacts["client_id"].notna()]
    if contacts.empty:
        return _empty_edges()
    people, person = _codes(contacts["practitioner_id"])
    _, client = _codes(contacts["client_id"])
    days = pd.DataFrame({"c": client, "p": person, "d": _day_numbers(contacts["date"])})
    found = _duckdb(f"""
        WITH d AS (SELECT DISTINCT c, p, d FROM days)
        SELECT a.p AS s, b.p AS t, count(DISTINCT a.c) AS w
        FROM d a JOIN d b ON a.c = b.c AND a.p < b.p AND b.d BETWEEN a.d - {int(window_days)} AND a.d + {int(window_days)}
        GROUP BY a.p, b.p ORDER BY a.p, b.p""", days=days)
    return _coded_edges(people, found)


def _codes(ids):
    """Integer codes of ``ids`` in sorted id order, and the sorted distinct ids."""
    codes, uniques = pd.factorize(ids, sort=True)
    return np.asarray(uniques, dtype=object), codes.astype(np.int32)


def _day_numbers(dates):
    """Whole days since 1970-01-01 (dates are midnights)."""
    return dates.to_numpy().astype("datetime64[D]").astype(np.int32)


def _duckdb(sql, **frames):
    """Run ``sql`` in a private in-memory DuckDB with ``frames`` registered by name."""
    con = duckdb.connect()
    try:
        for name, frame in frames.items():
            con.register(name, frame)
        return con.execute(sql).df()
    finally:
        con.close()


def _coded_edges(ids, found):
    """Edge table from DuckDB's coded ``s``, ``t``, ``w`` columns."""
    return pd.DataFrame({"source": ids[found["s"].to_numpy()], "target": ids[found["t"].to_numpy()],
                         "weight": found["w"].to_numpy().astype("int64")}).astype({"source": object,
                                                                                   "target": object})


def coworking_graph(ds, period=None, *, window_days=90):
    """Undirected graph of :func:`coworking_edges` (attr ``weight``)."""
    return _graph(practitioner_nodes(ds, period), coworking_edges(ds, period, window_days=window_days))


@_reused
def cop_edges(ds, period=None):
    """Co-attendance: pairs of practitioners at the same COP sessions in ``period``.

    ``weight`` is the number of distinct sessions both attended, i.e. the
    weighted one-mode projection of the practitioner–session graph
    (``networkx.bipartite.weighted_projected_graph``; Newman 2001's simple
    count, not his 1/(n-1) weighting).
    """
    attendance = _in_period(ds.cop_attendance, period)
    if attendance.empty:
        return _empty_edges()
    people, person = _codes(attendance["practitioner_id"])
    _, session = _codes(attendance["session_id"])
    frame = pd.DataFrame({"s": session, "p": person})
    found = _duckdb("""
        WITH a AS (SELECT DISTINCT s, p FROM frame)
        SELECT x.p AS s, y.p AS t, count(*) AS w FROM a x JOIN a y ON x.s = y.s AND x.p < y.p
        GROUP BY x.p, y.p ORDER BY x.p, y.p""", frame=frame)
    return _coded_edges(people, found)


def cop_graph(ds, period=None):
    """Undirected graph of :func:`cop_edges` (attr ``weight``)."""
    return _graph(practitioner_nodes(ds, period), cop_edges(ds, period))


def _tie_types(ties):
    if ties not in TIE_TYPES:
        raise InvalidInputError(
            f"ties={ties!r} is not a tie choice. Use one of: {', '.join(map(repr, TIE_TYPES))} "
            "('working' = direct + coworking; 'all' = direct + coworking + cop).")
    return TIE_TYPES[ties]


@_reused
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
    tables = {}
    if "direct" in chosen:
        tables["direct"] = contact_edges(ds, period)
    if "coworking" in chosen:
        tables["coworking"] = coworking_edges(ds, period, window_days=window_days)
    if "cop" in chosen:
        tables["cop"] = cop_edges(ds, period)
    if all(t.empty for t in tables.values()):
        return _empty_edges("direct", "coworking", "cop").assign(tie_types=pd.Series(dtype=object))
    names = ("cop", "coworking", "direct")
    # Sum the tables by pair on integer codes (sorted id order, so a smaller code is a smaller id):
    # several times faster than a groupby on two object columns, same table.
    ends = [np.asarray(t[c], dtype=object) for t in tables.values() for c in ("source", "target")]
    codes, ids = pd.factorize(np.concatenate(ends), sort=True)
    ends = np.split(codes.astype(np.int64), np.cumsum([len(e) for e in ends])[:-1])
    k = len(ids)
    keys = [np.minimum(u, v) * k + np.maximum(u, v) for u, v in zip(ends[0::2], ends[1::2])]
    pairs, where = np.unique(np.concatenate(keys), return_inverse=True)
    where = np.split(where, np.cumsum([len(key) for key in keys])[:-1])
    edges = pd.DataFrame({"source": ids[pairs // k], "target": ids[pairs % k]}).astype(object)
    for name in ("direct", "coworking", "cop"):
        edges[name] = np.zeros(len(pairs), dtype=np.int64)
    for (name, table), rows in zip(tables.items(), where):
        sums = np.bincount(rows, weights=table["weight"].to_numpy(dtype=float), minlength=len(pairs))
        edges[name] = np.rint(sums).astype(np.int64)
    edges["weight"] = edges[["direct", "coworking", "cop"]].sum(axis=1)
    # One tuple per combination of types (8 at most), looked up by a bit code per row.
    flags = edges[list(names)].to_numpy() > 0
    combos = np.empty(8, dtype=object)
    combos[:] = [tuple(n for k, n in enumerate(names) if code >> k & 1) for code in range(8)]
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
    return _graph(practitioner_nodes(ds, period), edges, attrs=PRACTITIONER_EDGE_ATTRS)


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
