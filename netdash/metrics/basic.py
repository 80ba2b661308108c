"""Per-practitioner counts and whole-network counts.

These are the columns of ``practitioners.csv`` and the fields of
``network.json`` written by ``netdash metrics --out``; their names are a
contract.

Cross-agency rule: a practitioner's cross-agency ties are the number of
distinct colleagues they are tied to who belong to another agency; a
network's cross-agency ties are the ties (unordered pairs) whose two ends are
in different agencies.
"""

import networkx as nx
import pandas as pd

from netdash.graphs import contact_edges, practitioner_edges, practitioner_nodes
from netdash.periods import Period

__all__ = ["CROSS_AGENCY_RULE", "PRACTITIONER_COLUMNS", "practitioner_metrics", "network_summary"]

CROSS_AGENCY_RULE = "A cross-agency tie is a distinct colleague in another agency."

PRACTITIONER_COLUMNS = (
    "practitioner_id", "agency_id", "agency_name", "sector", "role",
    "degree", "in_degree", "out_degree", "cross_agency_ties",
    "clients", "contacts", "cop_sessions", "cop_attendee",
)
"""Columns of :func:`practitioner_metrics`, in order."""


def _count(ids, index):
    return ids.value_counts().reindex(index, fill_value=0).astype("int64").to_numpy()


def practitioner_metrics(ds, period=None, *, ties="all", window_days=90):
    """One row of counts per practitioner node of the period.

    Rows are the nodes of :func:`netdash.graphs.practitioner_nodes` (in post
    during the period, or active in it), isolates included with zeros.

    Parameters
    ----------
    ds : Dataset
    period : Period, optional
        Half-open ``[start, end)``; None for all time.
    ties : str, default "all"
        Tie types of the undirected graph behind ``degree`` and
        ``cross_agency_ties`` (see :func:`netdash.graphs.practitioner_graph`).
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
    ids = pd.Index(nodes["practitioner_id"])
    agency = nodes.set_index("practitioner_id")["agency"]
    edges = practitioner_edges(ds, period, ties=ties, window_days=window_days)
    ends = pd.DataFrame({"me": pd.concat([edges["source"], edges["target"]], ignore_index=True),
                         "other": pd.concat([edges["target"], edges["source"]], ignore_index=True)})
    cross = ends[ends["me"].map(agency) != ends["other"].map(agency)]
    direct = contact_edges(ds, period)
    contacts = ds.contacts[period.mask(ds.contacts["date"])]
    clients = contacts.dropna(subset=["client_id"]).groupby("practitioner_id")["client_id"].nunique()
    out = pd.DataFrame({
        "practitioner_id": nodes["practitioner_id"],
        "agency_id": nodes["agency"],
        "agency_name": nodes["agency_name"],
        "sector": nodes["sector"],
        "role": nodes["role"],
        "degree": _count(ends["me"], ids),
        "in_degree": _count(direct["target"], ids),
        "out_degree": _count(direct["source"], ids),
        "cross_agency_ties": _count(cross["me"], ids),
        "clients": clients.reindex(ids, fill_value=0).astype("int64").to_numpy(),
        "contacts": _count(contacts["practitioner_id"], ids),
        "cop_sessions": nodes["cop_sessions"],
        "cop_attendee": nodes["cop_attendee"],
    })
    return out[list(PRACTITIONER_COLUMNS)]


def network_summary(G):
    """Whole-network counts of a practitioner graph (``network.json``).

    A directed ``G`` is read as undirected: a pair tied in either direction
    is one tie. Self-loops are ignored; weights are ignored.

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
