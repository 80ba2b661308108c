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
import pandas as pd

from netdash.errors import InvalidInputError
from netdash.networks.graphs import coded_tables
from netdash.viz._pairs import edge_weights, pair_table
from netdash.viz.colours import sorted_ids

__all__ = ["MapBudget", "SEE_MORE", "map_budget", "map_fits", "backbone_of_tables"]


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


def map_fits(n_nodes, n_edges, *, max_nodes=1500, max_edges=20000):
    """Whether :func:`map_budget` draws a graph of ``n_nodes`` nodes and ``n_edges`` edges whole.

    Examples
    --------
    >>> map_fits(1500, 20000), map_fits(1501, 10)
    (True, False)
    """
    return _fits(n_nodes, n_edges, max_nodes, max_edges)


def _chosen_ties(nodes, lo, hi, w, *, max_nodes, ties_per_node):
    """Which pairs a backbone keeps, of a pair table (:func:`netdash.viz._pairs.pair_table`) of ``nodes``.

    Returns the boolean mask of the pairs kept, the nodes shown (those in a
    kept pair, in :func:`sorted_ids` order) and whether every tied node was
    ranked among the ``max_nodes`` kept (the message's wording).
    """
    order = {u: i for i, u in enumerate(sorted_ids(nodes))}
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
    shown = sorted_ids(nodes[i] for i in np.flatnonzero(np.bincount(
        np.concatenate((lo[chosen], hi[chosen])), minlength=n)))
    return chosen, shown, int(kept.sum()) >= len(ranked)


def _message(n_total, n_edges, H, ties_per_node, all_ranked, to_see_more):
    people = "connected practitioners" if all_ranked else "practitioners"
    return (
        f"This network is too large to draw whole ({n_total:,} practitioners, {n_edges:,} ties). "
        f"Showing the {H.number_of_nodes():,} most connected {people}' strongest ties "
        f"(up to {ties_per_node} each; {H.number_of_edges():,} ties). Practitioners without ties are "
        "not shown" + (f"; {to_see_more}." if to_see_more else ".")
    )


def _backbone(G, n_total, *, max_nodes, ties_per_node, weight, to_see_more):
    """The reduced :class:`MapBudget` of ``G``, reporting ``n_total`` practitioners (see :func:`map_budget`)."""
    nodes = list(G)
    lo, hi, w, edge_pair = _pairs(G, weight)
    chosen, shown, all_ranked = _chosen_ties(nodes, lo, hi, w, max_nodes=max_nodes, ties_per_node=ties_per_node)

    H = G.__class__()
    H.graph.update(G.graph)
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
    message = _message(n_total, G.number_of_edges(), H, ties_per_node, all_ranked, to_see_more)
    return MapBudget(H, True, message)


def backbone_of_tables(nodes, edges, n_total, *, max_nodes, ties_per_node=3, weight="weight", attrs=("weight",),
                       to_see_more=None, coded=None):
    """The backbone of the graph of a node and an edge table, without building that graph.

    The same :class:`MapBudget` as the backbone :func:`map_budget` cuts
    from ``graph_from_tables(nodes, edges, attrs=attrs)``
    (:func:`netdash.networks.graph_from_tables`), reporting ``n_total``
    practitioners: the same nodes and ties, attributes and order, read from
    the tables' arrays. At regional scale the graph of a period's 480,000
    ties took longer to build than everything drawn from it (issue 19).

    Parameters
    ----------
    nodes : DataFrame
        ``practitioner_id`` and the node attributes, one row per node.
    edges : DataFrame
        ``source``, ``target`` and the columns named in ``attrs``.
    n_total : int
        Practitioners the message reports.
    max_nodes, ties_per_node, weight, to_see_more
        As :func:`map_budget`; ``weight`` counts 1 when not one of ``attrs``.
    attrs : sequence of str, default ("weight",)
        Edge attributes, as :func:`netdash.networks.graph_from_tables`.
    coded : netdash.networks.graphs.CodedTables, optional
        :func:`netdash.networks.graphs.coded_tables` of the tables, when the
        caller has it already.

    Returns
    -------
    MapBudget or None
        None when the tables are not one simple graph's: a node listed
        twice, a tie end that is not a node, or a pair listed twice (build
        the graph and call :func:`map_budget` then).

    Examples
    --------
    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"practitioner_id": ["c", "a", "b"], "agency": ["X", "X", "Y"]})
    >>> edges = pd.DataFrame({"source": ["a", "a"], "target": ["b", "c"], "weight": [2, 1]})
    >>> small = backbone_of_tables(nodes, edges, 3, max_nodes=2, ties_per_node=1)
    >>> sorted(small.graph.edges(data=True)), small.graph.nodes["b"]
    ([('a', 'b', {'weight': 2})], {'agency': 'Y'})
    """
    _check_limits(max_nodes=max_nodes, ties_per_node=ties_per_node)
    coded = coded_tables(nodes, edges) if coded is None else coded
    if coded is None:
        return None
    ids, source, target = coded
    index = pd.Index(ids, dtype=object)
    lo, hi = np.minimum(source, target), np.maximum(source, target)
    # G.edges reports each tie once, from its end added first, in the order the ties were added: by lo, then row
    order = np.argsort(lo, kind="stable")
    order = order[lo[order] != hi[order]]  # self-loops: not a pair
    attrs = tuple(attrs)
    if weight is None or weight not in attrs:
        w = np.ones(len(order))
    elif isinstance(edges[weight].dtype, np.dtype) and edges[weight].dtype.kind in "biuf":
        w = edges[weight].to_numpy(dtype=float)[order]  # as edge_weights reads these numbers, without a loop
        w[~np.isfinite(w)] = 1.0
    else:
        w = edge_weights(edges[weight].iloc[order].tolist())
    lo, hi = lo[order], hi[order]
    chosen, shown, all_ranked = _chosen_ties(ids, lo, hi, w, max_nodes=max_nodes, ties_per_node=ties_per_node)

    H = nx.Graph()
    rows = index.get_indexer(pd.Index(shown, dtype=object))
    names = [c for c in nodes.columns if c != "practitioner_id"]
    H.add_nodes_from(zip(shown, _records(nodes, names, rows)))
    picked = order[chosen]
    H.add_edges_from(zip([ids[a] for a in lo[chosen].tolist()], [ids[b] for b in hi[chosen].tolist()],
                         _records(edges, attrs, picked)))
    return MapBudget(H, True, _message(n_total, len(edges), H, ties_per_node, all_ranked, to_see_more))


def _records(table, columns, rows):
    """One dict ``{column: value}`` per position in ``rows`` (values as ``tolist`` gives them)."""
    if not columns:
        return [{} for _ in range(len(rows))]
    return [dict(zip(columns, values)) for values in zip(*(table[c].iloc[rows].tolist() for c in columns))]


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
