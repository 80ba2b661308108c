"""Per-practitioner counts and whole-network counts.

These are the columns of ``practitioners.csv`` and the fields of
``network.json`` written by ``netdash metrics --out``; their names are a
contract.

Cross-agency rule: a practitioner's cross-agency ties are the number of
distinct colleagues they are tied to who belong to another agency; a
network's cross-agency ties are the ties (unordered pairs) whose two ends are
in different agencies.
"""

import numpy as np
import pandas as pd

from netdash.networks.codes import distinct_rows
from netdash.networks.counts import direct_counts, period_log, union_counts
from netdash.networks.graphs import practitioner_nodes
from netdash.metrics.matrix import GraphMatrix
from netdash.periods import Period
from netdash.deferred import networkx as nx  # imported on first use

__all__ = ["CROSS_AGENCY_RULE", "PRACTITIONER_COLUMNS", "practitioner_metrics", "network_summary"]

CROSS_AGENCY_RULE = "A cross-agency tie is a distinct colleague in another agency."

PRACTITIONER_COLUMNS = (
    "practitioner_id", "agency_id", "agency_name", "sector", "role",
    "degree", "in_degree", "out_degree", "cross_agency_ties",
    "clients", "contacts", "cop_sessions", "cop_attendee",
)
"""Columns of :func:`practitioner_metrics`, in order."""


def _count(positions, n):
    """How often each of positions 0 to n-1 occurs (-1, not a node, is not counted)."""
    return np.bincount(positions[positions >= 0], minlength=n).astype("int64")


def practitioner_metrics(ds, period=None, *, ties="all", window_days=90):
    """One row of counts per practitioner node of the period.

    Rows are the nodes of :func:`netdash.networks.graphs.practitioner_nodes` (in post
    during the period, or active in it), isolates included with zeros.

    Parameters
    ----------
    ds : Dataset
    period : Period, optional
        Half-open ``[start, end)``; None for all time.
    ties : str, default "all"
        Tie types of the undirected graph behind ``degree`` and
        ``cross_agency_ties`` (see :func:`netdash.networks.graphs.practitioner_graph`).
    window_days : int, default 90
        Co-working window.

    Returns
    -------
    DataFrame
        Columns :data:`PRACTITIONER_COLUMNS`:

        - ``degree``: distinct colleagues in the undirected ``ties`` graph
          (weights ignored);
        - ``out_degree`` / ``in_degree``: distinct colleagues this
          practitioner contacted / was contacted by (direct contacts only,
          whatever ``ties`` is);
        - ``cross_agency_ties``: distinct colleagues in another agency in the
          ``ties`` graph;
        - ``clients``: distinct clients seen; ``contacts``: contact rows made
          (as ``practitioner_id``); ``cop_sessions``: distinct sessions
          attended; ``cop_attendee``: attended any session before the end of
          the period.

    Raises
    ------
    InvalidInputError
        If ``ties`` is unknown or ``window_days`` is invalid.
    """
    period = Period() if period is None else period
    nodes = practitioner_nodes(ds, period)
    n = len(nodes)
    # Everything is counted on integer codes of the coded log, turned into positions in the node
    # table; position -1 (not a node, or a missing id) is not counted.
    log = period_log(ds, period)
    position = np.full(len(log.ids) + 1, -1, dtype=np.int64)
    position[log.index.get_indexer(nodes["practitioner_id"])] = np.arange(n)
    position[-1] = -1
    union = union_counts(ds, period, ties, window_days)
    source, target = union[:2] if union is not None else (np.zeros(0, dtype=np.int64),) * 2
    me = np.r_[position[source], position[target]]
    other = np.r_[position[target], position[source]]
    # A missing agency (code -1) differs from every agency, itself included, as NaN != NaN.
    agency = np.r_[pd.factorize(nodes["agency"])[0], -1]  # position -1 (not a node) -> -1
    cross = (agency[me] != agency[other]) | (agency[me] < 0)
    direct = direct_counts(ds, period)
    author = position[log.author]
    seen = (log.client >= 0) & (author >= 0)
    clients = np.bincount(distinct_rows(author[seen], log.client[seen])[0], minlength=n).astype("int64")
    out = pd.DataFrame({
        "practitioner_id": nodes["practitioner_id"],
        "agency_id": nodes["agency"],
        "agency_name": nodes["agency_name"],
        "sector": nodes["sector"],
        "role": nodes["role"],
        "degree": _count(me, n),
        "in_degree": _count(position[direct["target"]], n),
        "out_degree": _count(position[direct["source"]], n),
        "cross_agency_ties": _count(me[cross], n),
        "clients": clients,
        "contacts": _count(author, n),
        "cop_sessions": nodes["cop_sessions"],
        "cop_attendee": nodes["cop_attendee"],
    })
    return out[list(PRACTITIONER_COLUMNS)]


def network_summary(G):
    """Whole-network counts of a practitioner graph (``network.json``).

    A directed ``G`` is read as undirected: a pair tied in either direction
    is one tie. Self-loops are ignored; weights are ignored. ``G`` may be a
    :class:`netdash.metrics.matrix.GraphMatrix` (counted from its arrays,
    no copy; a node whose ``agency`` is None has no agency).

    Returns
    -------
    dict
        ``n_practitioners``, ``n_ties``, ``n_isolates`` (no tie at all),
        ``n_agencies``, ``cross_agency_ties`` (ties between agencies),
        ``cross_agency_share`` (cross / all ties; None when there are no
        ties), ``density`` (ties / possible pairs; 0.0 with fewer than two
        practitioners) and ``mean_degree`` (2 ties / practitioners; 0.0 for
        an empty network).

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> G.add_node("d")
    >>> nx.set_node_attributes(G, {"a": "A", "b": "A", "c": "B", "d": "B"}, "agency")
    >>> s = network_summary(G)
    >>> s["n_ties"], s["n_isolates"], s["cross_agency_ties"], s["cross_agency_share"], s["density"]
    (2, 1, 1, 0.5, 0.3333333333333333)
    """
    if isinstance(G, GraphMatrix):
        return _matrix_summary(G)
    U = nx.Graph()
    U.add_nodes_from(G.nodes(data=True))
    U.add_edges_from((u, v) for u, v in G.edges() if u != v)
    agency = nx.get_node_attributes(U, "agency")
    n, m = U.number_of_nodes(), U.number_of_edges()
    cross = sum(1 for u, v in U.edges() if agency.get(u) != agency.get(v))
    return {
        "n_practitioners": n,
        "n_ties": m,
        "n_isolates": nx.number_of_isolates(U),
        "n_agencies": len(set(agency.values())),
        "cross_agency_ties": cross,
        "cross_agency_share": cross / m if m else None,
        "density": nx.density(U) if n > 1 else 0.0,
        "mean_degree": 2 * m / n if n else 0.0,
    }


def _matrix_summary(M):
    """:func:`network_summary` from a GraphMatrix's arrays."""
    A = M.symmetric
    n = A.shape[0]
    upper = _upper_pairs(A)
    m = len(upper[0])
    labels = pd.Series(M.node_attrs.get("agency", [None] * n), dtype=object)
    codes = pd.factorize(labels)[0]  # None and NaN get -1, as agency.get() gives None for each
    cross = int(np.count_nonzero(codes[upper[0]] != codes[upper[1]]))
    return {
        "n_practitioners": n,
        "n_ties": m,
        "n_isolates": int(np.count_nonzero(np.diff(A.indptr) == 0)),
        "n_agencies": int(labels.dropna().nunique()),
        "cross_agency_ties": cross,
        "cross_agency_share": cross / m if m else None,
        "density": m / (n * (n - 1)) * 2 if n > 1 else 0.0,
        "mean_degree": 2 * m / n if n else 0.0,
    }


def _upper_pairs(A):
    """Row and column of each tie once (row < column) of a symmetric CSR."""
    coo = A.tocoo()
    keep = coo.row < coo.col
    return coo.row[keep], coo.col[keep]
