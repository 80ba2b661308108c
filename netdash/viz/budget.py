"""Keep the network map small enough for a browser.

vis-network draws a few thousand nodes and tens of thousands of edges, but
every edge is sent as JSON and redrawn on each pan and zoom, and a hairball
shows nothing. Above the budget we send a backbone instead: the most
connected practitioners (by weighted degree, i.e. strength) and, for each,
their strongest ties, dropping whoever is left without a tie; and we say so.
"""

import math
from dataclasses import dataclass

import networkx as nx

from netdash.errors import InvalidInputError
from netdash.viz.colours import sorted_ids

__all__ = ["MapBudget", "map_budget"]


@dataclass(frozen=True)
class MapBudget:
    """What to draw: the graph, whether it was cut down, and what to tell the user.

    Attributes
    ----------
    graph : networkx graph
        ``G`` itself when it fits, else the backbone (a new graph of the same
        type, node and edge attributes kept).
    reduced : bool
    message : str or None
        Plain-language note for the page when ``reduced``.
    """

    graph: nx.Graph
    reduced: bool
    message: str | None


def _strengths(G, weight):
    """Undirected ``{pair: weight}`` and ``{node: strength}``; non-numeric weights count 1."""
    pairs = {}
    for u, v, w in G.edges(data=weight, default=1.0):
        if u == v:
            continue
        try:
            w = float(w)
        except (TypeError, ValueError):
            w = 1.0
        key = frozenset((u, v))
        pairs[key] = pairs.get(key, 0.0) + (w if math.isfinite(w) else 1.0)
    strength = dict.fromkeys(G, 0.0)
    for pair, w in pairs.items():
        for n in pair:
            strength[n] += w
    return pairs, strength


def map_budget(G, *, max_nodes=1500, max_edges=20000, ties_per_node=3, weight="weight"):
    """Decide whether ``G`` can be drawn whole, and if not, reduce it to a backbone.

    A graph fits when it has at most ``max_nodes`` nodes and ``max_edges``
    edges. Otherwise the ``max_nodes`` practitioners with the largest
    strength (sum of tie weights; ties broken by number of ties, then id) are
    kept, each keeps their ``ties_per_node`` strongest ties among those kept
    (a tie stays if either end chose it), and nodes left without a tie are
    dropped.

    Parameters
    ----------
    G : networkx graph
    max_nodes : int, default 1500
    max_edges : int, default 20000
    ties_per_node : int, default 3
    weight : str or None, default "weight"
        Tie strength attribute; ``None`` counts every tie as 1.

    Returns
    -------
    MapBudget

    Raises
    ------
    InvalidInputError
        If a limit is not a whole number of at least 1.

    Examples
    --------
    >>> map_budget(nx.path_graph(3)).reduced
    False
    >>> small = map_budget(nx.star_graph(5), max_nodes=3, ties_per_node=1)
    >>> sorted(small.graph.edges), small.reduced
    ([(0, 1), (0, 2)], True)
    """
    for label, value in (("max_nodes", max_nodes), ("max_edges", max_edges), ("ties_per_node", ties_per_node)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InvalidInputError(f"map_budget: {label} must be a whole number of at least 1, got {value!r}.")
    n, m = G.number_of_nodes(), G.number_of_edges()
    if n <= max_nodes and m <= max_edges:
        return MapBudget(G, False, None)

    pairs, strength = _strengths(G, weight)
    ties = {u: 0 for u in G}
    for pair in pairs:
        for u in pair:
            ties[u] += 1
    order = {u: i for i, u in enumerate(sorted_ids(G))}
    ranked = sorted((u for u in G if ties[u]), key=lambda u: (-strength[u], -ties[u], order[u]))
    keep = set(ranked[:max_nodes])

    chosen = set()
    neighbours = {u: [] for u in keep}
    for pair, w in pairs.items():
        if pair <= keep:
            u, v = tuple(pair)
            neighbours[u].append((w, v))
            neighbours[v].append((w, u))
    for u, nbrs in neighbours.items():
        nbrs.sort(key=lambda wv: (-wv[0], order[wv[1]]))
        chosen.update(frozenset((u, v)) for _, v in nbrs[:ties_per_node])

    H = G.__class__()
    H.graph.update(G.graph)
    shown = sorted_ids({u for pair in chosen for u in pair})
    H.add_nodes_from((u, G.nodes[u]) for u in shown)
    if G.is_multigraph():
        H.add_edges_from((u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True)
                         if u != v and frozenset((u, v)) in chosen)
    else:
        H.add_edges_from((u, v, d) for u, v, d in G.edges(data=True) if u != v and frozenset((u, v)) in chosen)

    people = "practitioners" if len(keep) < len(ranked) else "connected practitioners"
    message = (
        f"This network is too large to draw whole ({n:,} practitioners, {m:,} ties). "
        f"Showing the {H.number_of_nodes():,} most connected {people}' strongest ties "
        f"(up to {ties_per_node} each; {H.number_of_edges():,} ties). Practitioners without ties are "
        "not shown; filter by agency or search for a practitioner to see everyone."
    )
    return MapBudget(H, True, message)
