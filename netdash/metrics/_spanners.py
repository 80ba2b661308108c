"""Boundary spanners: practitioners whose ties reach two or more agencies other than their own.

Private to :mod:`netdash.metrics.brokerage`, which exports
:func:`boundary_spanners` (the Brokerage page's first table, beside the
Gould & Fernandez roles it joins).
"""

import numpy as np
import pandas as pd

from netdash.metrics.matrix import GraphMatrix
from netdash.metrics.mixing import _group_codes, _node_groups
from netdash.networks.codes import distinct_rows
from netdash.deferred import networkx as nx  # imported on first use (the examples')

__all__ = ["boundary_spanners"]


def _spanner_columns(M, groups, min_other_groups):
    """:func:`boundary_spanners`' columns for a :class:`GraphMatrix`, from its adjacency: no networkx graph.

    The same rows, in the same (node) order, as the loop over a networkx
    graph's neighbours: a neighbour either way counts once. Agencies are
    numbered by :func:`netdash.metrics.mixing._group_codes`, whose names are
    in Python's string order (as ``sorted`` of the names gives), so the
    distinct (node, agency) pairs, sorted, list each row's agencies in the
    order shown, with no sort per row (docs/benchmarks.md, "Session 19:
    Brokerage at large" and "Session 20: Brokerage").
    """
    codes, names = _group_codes(M, groups)
    S = M.symmetric
    node = np.repeat(np.arange(len(M.nodes)), np.diff(S.indptr))
    other = codes[S.indices]
    cross = other != codes[node]
    node, other = node[cross], other[cross]
    ties = np.bincount(node, minlength=len(M.nodes))
    node, other = distinct_rows(node, other)
    reached = np.bincount(node, minlength=len(M.nodes))
    text = [str(name) for name in names]
    listed = [text[g] for g in other.tolist()]
    starts = np.r_[0, np.cumsum(reached)]
    kept = np.flatnonzero(reached >= min_other_groups)
    return {"practitioner_id": [M.nodes[v] for v in kept.tolist()],
            "agency": [names[g] for g in codes[kept].tolist()],
            "other_agencies": reached[kept],
            "other_agency_list": [";".join(listed[start:end])
                                  for start, end in zip(starts[kept].tolist(), starts[kept + 1].tolist())],
            "cross_agency_ties": ties[kept]}


def boundary_spanners(G, groups="agency", *, min_other_groups=2, roles=None):
    """Practitioners whose ties reach at least ``min_other_groups`` other agencies.

    Parameters
    ----------
    G : networkx.Graph or DiGraph, or GraphMatrix
        Ties in either direction count (a tie reaches the agency of the
        colleague at its other end).
    groups : str or dict, default "agency"
    min_other_groups : int, default 2
        The issue's definition of a boundary spanner: ties into two or more
        agencies other than one's own.
    roles : DataFrame, optional
        Output of :func:`brokerage_roles` to join (on the directed contact
        graph, which may differ from ``G``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``practitioner_id``: ``agency``, ``other_agencies`` (count),
        ``other_agency_list`` (sorted, ``;``-separated), ``cross_agency_ties``
        and, when ``roles`` is given, its columns. Sorted by other_agencies
        then cross_agency_ties, descending.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("a", "c"), ("d", "b")])
    >>> spans = boundary_spanners(G, {"a": "H", "b": "MH", "c": "GP", "d": "H"})
    >>> list(spans.index), int(spans.loc["a", "other_agencies"])
    (['a'], 2)
    """
    columns = ["practitioner_id", "agency", "other_agencies", "other_agency_list", "cross_agency_ties"]
    if isinstance(G, GraphMatrix):
        found = _spanner_columns(G, groups, min_other_groups)
        # No spanner: the empty frame of the loop below (object columns), not one typed by empty arrays.
        frame = pd.DataFrame(found if len(found["practitioner_id"]) else [], columns=columns)
    else:
        labels = _node_groups(G, groups)
        U = G.to_undirected(as_view=True) if G.is_directed() else G
        rows = []
        for v in U:
            others = {labels[u] for u in U[v] if u != v and labels[u] != labels[v]}
            if len(others) >= min_other_groups:
                cross = sum(1 for u in U[v] if u != v and labels[u] != labels[v])
                rows.append((v, labels[v], len(others), ";".join(sorted(map(str, others))), cross))
        frame = pd.DataFrame(rows, columns=columns)
    frame = frame.set_index("practitioner_id")
    if roles is not None:
        frame = frame.join(roles, how="left").fillna({c: 0 for c in roles.columns})
    return frame.sort_values(["other_agencies", "cross_agency_ties"], ascending=False)
