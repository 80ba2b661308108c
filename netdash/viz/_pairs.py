"""Undirected tie weights of a graph as numpy arrays (shared by the layout and the map budget).

Both the layout and the budget read a graph as its undirected simple graph:
parallel and reciprocal edges add their weights, self-loops are dropped, and
a missing, non-numeric or non-finite weight counts as 1. Reading the edges
once into arrays replaces a Python loop with a dictionary update per edge.
Sums are taken in edge order starting from 0.0 (``np.bincount`` adds its
weights in input order), so every float is the same as the loop's.
"""

import math
from itertools import chain
from operator import methodcaller

import networkx as nx
import numpy as np

__all__ = ["edge_weights", "pair_table"]


def _number(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 1.0
    return value if math.isfinite(value) else 1.0


def edge_weights(values):
    """Float array of edge weights; missing, non-numeric or non-finite ones count as 1.

    Examples
    --------
    >>> edge_weights([2, 0.5, "x", None, float("inf"), True]).tolist()
    [2.0, 0.5, 1.0, 1.0, 1.0, 1.0]
    """
    values = list(values)
    if set(map(type, values)) <= {float, int, bool}:
        out = np.array(values, dtype=float)
        out[~np.isfinite(out)] = 1.0
        return out
    return np.array([_number(v) for v in values], dtype=float)


def pair_table(G, weight, index):
    """The undirected pairs of ``G`` in order of first appearance, with summed weights.

    Parameters
    ----------
    G : networkx graph
    weight : str or None
        Edge attribute; ``None`` counts every edge as 1.
    index : mapping
        ``{node: int}`` for every node; a pair's ends are returned with the
        smaller index first.

    Returns
    -------
    lo, hi : ndarray of int
        Index of each pair's ends, ``lo < hi``, pairs in order of first appearance in ``G.edges``.
    w : ndarray of float
        Sum of each pair's edge weights, in edge order.
    edge_pair : ndarray of int
        For each edge of ``G.edges`` (in order), its pair's position, or -1 for a self-loop.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiGraph([("b", "a"), ("a", "b"), ("c", "c"), ("a", "c")])
    >>> lo, hi, w, edge_pair = pair_table(G, None, {"a": 0, "b": 1, "c": 2})
    >>> lo.tolist(), hi.tolist(), w.tolist(), edge_pair.tolist()
    ([0, 0], [1, 2], [2.0, 1.0], [0, 0, 1, -1])
    """
    if type(G) is nx.Graph:
        return _plain_pair_table(G, weight, index)
    return _general_pair_table(G, weight, index)


def _general_pair_table(G, weight, index):
    """:func:`pair_table` of any graph: its edges read in order, parallel and reciprocal ones added up."""
    rows = list(iter(G.edges(data=weight, default=1.0)))  # list(view) would first count the edges
    empty = np.zeros(0, dtype=np.intp)
    if not rows:
        return empty, empty, np.zeros(0), empty
    us, vs, ws = zip(*rows)
    iu = np.fromiter(map(index.__getitem__, us), dtype=np.intp, count=len(us))
    iv = np.fromiter(map(index.__getitem__, vs), dtype=np.intp, count=len(vs))
    w = np.ones(len(rows)) if weight is None else edge_weights(ws)
    loop = iu == iv
    lo, hi = np.minimum(iu, iv)[~loop], np.maximum(iu, iv)[~loop]
    edge_pair = np.full(len(rows), -1, dtype=np.intp)
    if not len(lo):
        return empty, empty, np.zeros(0), edge_pair
    codes = lo * (max(index.values()) + 1) + hi
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    sums = np.bincount(inverse, weights=w[~loop], minlength=len(first))
    order = np.argsort(first, kind="stable")  # unique pairs in order of first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    edge_pair[~loop] = rank[inverse]
    return lo[first[order]], hi[first[order]], sums[order], edge_pair


def _plain_pair_table(G, weight, index):
    """:func:`pair_table` of a plain undirected ``nx.Graph``, read straight from its adjacency.

    Every tie is one edge, so there is nothing to add up, and walking the
    nodes in order ``G.edges`` reports a tie from the end met first, i.e.
    the neighbour at the same or a later position: keeping those adjacency
    entries gives the same pairs, weights and order, faster than the general
    path (``docs/benchmarks.md``, "_plain_pair_table").
    """
    adj = G._adj  # networkx's documented adjacency (G.adj without the read-only view per node)
    position = {n: i for i, n in enumerate(adj)}
    sizes = np.fromiter(map(len, adj.values()), dtype=np.intp, count=len(adj))
    owner = np.repeat(np.arange(len(adj), dtype=np.intp), sizes)
    other = np.fromiter(map(position.__getitem__, chain.from_iterable(adj.values())), dtype=np.intp,
                        count=int(sizes.sum()))
    keep = other >= owner
    u, v = owner[keep], other[keep]
    if weight is None:
        w = np.ones(len(u))
    else:
        data = chain.from_iterable(nbrs.values() for nbrs in adj.values())
        w = edge_weights(map(methodcaller("get", weight, 1.0), data))[keep]
    loop = u == v
    edge_pair = np.where(loop, -1, np.cumsum(~loop) - 1)
    indexed = np.fromiter(map(index.__getitem__, adj), dtype=np.intp, count=len(adj))
    iu, iv = indexed[u[~loop]], indexed[v[~loop]]
    return np.minimum(iu, iv), np.maximum(iu, iv), w[~loop], edge_pair
