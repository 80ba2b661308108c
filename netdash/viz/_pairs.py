"""Undirected tie weights of a graph as numpy arrays (shared by the layout and the map budget).

Both the layout and the budget read a graph as its undirected simple graph:
parallel and reciprocal edges add their weights, self-loops are dropped, and
a missing, non-numeric or non-finite weight counts as 1. Reading the edges
once into arrays replaces a Python loop with a dictionary update per edge.
Sums are taken in edge order starting from 0.0 (``np.bincount`` adds its
weights in input order), so every float is the same as the loop's.
"""

import math

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
