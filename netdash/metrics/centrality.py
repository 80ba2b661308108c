"""Betweenness centrality (Freeman 1977; Brandes 2001 algorithm via networkx)."""

import networkx as nx

from netdash.errors import InvalidInputError

__all__ = ["EXPLANATIONS", "betweenness"]

EXPLANATIONS = {
    "betweenness": (
        "How often a practitioner lies on the shortest route between two "
        "colleagues: high values mark people the network relies on to pass "
        "information along.",
        "b_v = sum over pairs s,t of (shortest s-t paths through v) / (shortest "
        "s-t paths), normalised by the number of pairs (Freeman 1977; Brandes 2001).",
    ),
}


def betweenness(G, *, normalized=True, weight=None):
    """Shortest-path betweenness centrality of every node.

    Same semantics as :func:`networkx.betweenness_centrality`: directed graphs
    follow arc direction; with ``normalized=True`` values are divided by the
    number of pairs not including the node, ``(n-1)(n-2)/2`` undirected or
    ``(n-1)(n-2)`` directed. Isolates score 0.

    Parameters
    ----------
    G : networkx graph
    normalized : bool, default True
    weight : str or None, default None
        Edge attribute holding tie *strength* (e.g. number of contacts). A
        stronger tie is a shorter path: the distance used is ``1 / weight``
        (missing values count 1). None treats every tie as length 1.

    Returns
    -------
    dict
        node -> betweenness.

    Raises
    ------
    InvalidInputError
        If a weight is zero or negative (no finite distance).

    References
    ----------
    Freeman, L. C. (1977). A set of measures of centrality based on
    betweenness. *Sociometry* 40(1), 35-41. Brandes, U. (2001). A faster
    algorithm for betweenness centrality. *J. Math. Sociol.* 25(2), 163-177.

    Examples
    --------
    >>> betweenness(nx.path_graph(["a", "b", "c"]))
    {'a': 0.0, 'b': 1.0, 'c': 0.0}
    """
    if weight is None:
        return nx.betweenness_centrality(G, normalized=normalized)
    bad = [(u, v) for u, v, w in G.edges(data=weight, default=1) if not w > 0]
    if bad:
        shown = ", ".join(f"{u!r}-{v!r}" for u, v in bad[:5])
        raise InvalidInputError(
            f"Edge attribute '{weight}' must be positive to turn strength into distance "
            f"(1/weight); {len(bad)} tie(s) are zero, negative or missing a number: {shown}. "
            "Drop those ties or use weight=None."
        )
    H = G.__class__()
    H.add_nodes_from(G)
    H.add_edges_from((u, v, {"distance": 1.0 / w}) for u, v, w in G.edges(data=weight, default=1))
    return nx.betweenness_centrality(H, normalized=normalized, weight="distance")
