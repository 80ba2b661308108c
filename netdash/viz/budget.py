"""Keep the network map small enough for a browser.

vis-network draws a few thousand nodes and tens of thousands of edges, but
every edge is sent as JSON and redrawn on each pan and zoom, and a hairball
shows nothing. Above the budget we send a backbone instead: the most
connected practitioners (by weighted degree, i.e. strength) and, for each,
their strongest ties, dropping whoever is left without a tie; and we say so.
"""

from dataclasses import dataclass

import networkx as nx
import numpy as np

from netdash.errors import InvalidInputError
from netdash.viz._pairs import pair_table
from netdash.viz.colours import sorted_ids

__all__ = ["MapBudget", "SEE_MORE", "map_budget"]


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


def _pairs(G, weight):
    """:func:`netdash.viz._pairs.pair_table` of ``G`` with nodes indexed in ``G``'s order."""
    return pair_table(G, weight, {n: i for i, n in enumerate(G)})


def _strengths(G, weight):
    """Undirected ``{pair: weight}`` and ``{node: strength}``; non-numeric weights count 1.

    Pairs are frozensets in order of first appearance in ``G.edges``; a
    node's strength adds its pairs' weights in that order.
    """
    nodes = list(G)
    lo, hi, w, _ = _pairs(G, weight)
    pairs = {frozenset((nodes[a], nodes[b])): x for a, b, x in zip(lo.tolist(), hi.tolist(), w.tolist())}
    return pairs, dict(zip(nodes, _node_sums(lo, hi, w, len(nodes)).tolist()))


def _node_sums(lo, hi, w, n):
    """Per node, the sum of ``w`` over the pairs it is in, added in pair order (as a loop would)."""
    return np.bincount(np.column_stack((lo, hi)).ravel(), weights=np.repeat(w, 2), minlength=n)


def _check_limits(**limits):
    for label, value in limits.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InvalidInputError(f"map_budget: {label} must be a whole number of at least 1, got {value!r}.")


def _fits(n, m, max_nodes, max_edges):
    return n <= max_nodes and m <= max_edges


def _backbone(G, n_total, *, max_nodes, ties_per_node, weight, to_see_more):
    """The reduced :class:`MapBudget` of ``G``, reporting ``n_total`` practitioners (see :func:`map_budget`)."""
    nodes = list(G)
    order = {u: i for i, u in enumerate(sorted_ids(nodes))}
    lo, hi, w, edge_pair = _pairs(G, weight)
    n = len(nodes)
    strength = _node_sums(lo, hi, w, n)
    ties = np.bincount(lo, minlength=n) + np.bincount(hi, minlength=n)
    rank = np.array([order[u] for u in nodes], dtype=np.intp)
    tied = np.flatnonzero(ties)
    # most connected first: strength, then number of ties, then id
    ranked = tied[np.lexsort((rank[tied], -ties[tied], -strength[tied]))]
    kept = np.zeros(n, dtype=bool)
    kept[ranked[:max_nodes]] = True

    # each kept node's strongest ties among the kept (ties broken by the other end's id)
    inside = np.flatnonzero(kept[lo] & kept[hi])
    ends = np.concatenate((lo[inside], hi[inside]))
    others = np.concatenate((hi[inside], lo[inside]))
    pair = np.concatenate((inside, inside))
    weights = np.concatenate((w[inside], w[inside]))
    by = np.lexsort((rank[others], -weights, ends))
    ends, pair = ends[by], pair[by]
    starts = np.flatnonzero(np.r_[True, ends[1:] != ends[:-1]]) if len(ends) else np.zeros(0, dtype=np.intp)
    place = np.arange(len(ends)) - np.repeat(starts, np.diff(np.r_[starts, len(ends)]))
    chosen = np.zeros(len(w), dtype=bool)
    chosen[pair[place < ties_per_node]] = True

    H = G.__class__()
    H.graph.update(G.graph)
    shown = sorted_ids(nodes[i] for i in np.flatnonzero(np.bincount(
        np.concatenate((lo[chosen], hi[chosen])), minlength=n)))
    H.add_nodes_from((u, G.nodes[u]) for u in shown)
    if type(G) is nx.Graph:
        # one edge per pair, reported as (lo, hi) in pair order (see _pairs): only the chosen are read
        adj = G._adj
        H.add_edges_from((nodes[a], nodes[b], adj[nodes[a]][nodes[b]])
                         for a, b in zip(lo[chosen].tolist(), hi[chosen].tolist()))
    else:
        keep_edge = np.zeros(len(edge_pair), dtype=bool)
        keep_edge[edge_pair >= 0] = chosen[edge_pair[edge_pair >= 0]]
        edges = G.edges(keys=True, data=True) if G.is_multigraph() else G.edges(data=True)
        H.add_edges_from(e for e, k in zip(edges, keep_edge.tolist()) if k)

    people = "practitioners" if int(kept.sum()) < len(ranked) else "connected practitioners"
    message = (
        f"This network is too large to draw whole ({n_total:,} practitioners, {G.number_of_edges():,} ties). "
        f"Showing the {H.number_of_nodes():,} most connected {people}' strongest ties "
        f"(up to {ties_per_node} each; {H.number_of_edges():,} ties). Practitioners without ties are "
        "not shown" + (f"; {to_see_more}." if to_see_more else ".")
    )
    return MapBudget(H, True, message)


#: How to see more, as the message says it on the Network map page.
SEE_MORE = "filter by agency or search for a practitioner to see everyone"


def map_budget(G, *, max_nodes=1500, max_edges=20000, ties_per_node=3, weight="weight", to_see_more=SEE_MORE):
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
    to_see_more : str or None, default :data:`SEE_MORE`
        End of the message: what the page offers to see more (e.g. a filter),
        in the message's own words; ``None`` says nothing more.

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
    _check_limits(max_nodes=max_nodes, max_edges=max_edges, ties_per_node=ties_per_node)
    if _fits(G.number_of_nodes(), G.number_of_edges(), max_nodes, max_edges):
        return MapBudget(G, False, None)
    return _backbone(G, G.number_of_nodes(), max_nodes=max_nodes, ties_per_node=ties_per_node, weight=weight,
                     to_see_more=to_see_more)
