"""Exact betweenness as dense matrix products, for small dense components.

Used by :func:`netdash.metrics.centrality.betweenness` when it pays: on
small dense components (the medium demo's two of about 1,000 nodes) BLAS
products beat rustworkx's and NetworKit's graph traversal
(``docs/benchmarks.md``, "What changed", the betweenness libraries).
"""

import numpy as np

from netdash.metrics.matrix import GraphMatrix

_DENSE_MAX_NODES = 4096
_DENSE_MIN_DENSITY = 0.02


def _dense_betweenness(G):
    """Raw ordered-pair betweenness by dense matrix Brandes, or None when it would not pay.

    Brandes' (2001) two phases run for a block of up to 512 sources at once
    as matrix products (the algebraic form of Kepner & Gilbert 2011): the
    forward phase counts shortest paths level by level (``sigma``), the
    backward phase accumulates dependencies ``delta_v = sum over children w
    of sigma_v / sigma_w (1 + delta_w)``. Each weak component is done on its
    own. Dense products cost ``n_c^3`` per level where Brandes costs
    ``n_c m_c`` in all, so this is used only when every component with ties
    has at most 4,096 nodes and density of at least 0.02 (BLAS then beats a
    graph traversal by several times); otherwise None.
    """
    import scipy.sparse as sp
    from scipy.sparse import csgraph

    n = len(G)
    u, v = _endpoints(G)
    A = sp.csr_array((np.ones(len(u)), (u, v)), shape=(n, n))
    if not G.is_directed():
        A = A + A.T
    A.data[:] = 1.0
    _, labels = csgraph.connected_components(A, directed=True, connection="weak")
    members = [m for m in np.split(np.argsort(labels, kind="stable"), np.cumsum(np.bincount(labels))[:-1])
               if len(m) > 2]
    for m in members:
        arcs = A[m][:, m].nnz
        if len(m) > _DENSE_MAX_NODES or arcs < _DENSE_MIN_DENSITY * len(m) * (len(m) - 1):
            return None
    raw = np.zeros(n)
    for m in members:
        Ad = A[m][:, m].toarray()
        back = Ad if not G.is_directed() else np.ascontiguousarray(Ad.T)
        Ad32 = Ad.astype(np.float32)
        for start in range(0, len(m), 512):
            raw[m] += _dense_brandes_block(Ad, back, np.arange(start, min(len(m), start + 512)), Ad32=Ad32)
    return raw


#: Path counts below this are summed exactly in float32 (see :func:`_paths_into`).
_FLOAT32_EXACT = float(2 ** 23)


def _paths_into(frontier, Ad, Ad32, *, seen=None, on_frontier=None):
    """``frontier @ Ad`` (paths into each node from the current level), exactly, in float32 when that is exact.

    Every entry of ``frontier`` is a whole number of paths and ``Ad`` is
    0/1, so each output is a sum of whole numbers. float32 holds every whole
    number below 2**24, so while every output (and hence every partial sum,
    in whatever order BLAS adds) stays below it the float32 product is exact;
    a float32 result below 2**23 can only come from a true sum below 2**24
    (summation error is at most n * 2**-24 relative). Larger counts are
    multiplied again in float64. Half the memory traffic of float64.

    ``seen`` (bool, the shape of ``frontier``: nodes each source has
    reached) and ``on_frontier`` (bool: where ``frontier`` is not 0) let the
    float32 product leave out what cannot change the caller's result: the
    sources whose frontier is empty or who have reached every node, the
    nodes on no kept source's frontier (their terms are 0) and the nodes
    every kept source has reached (the caller sets them to 0). The entries
    left out are 0 here; every other entry is the same exact sum, so the
    result after the caller's masking is the same to the last bit. Late
    levels, where few sources still find new nodes and few nodes are on the
    frontier, then cost a fraction of a full product.
    """
    if Ad32 is None or frontier.max(initial=0.0) >= _FLOAT32_EXACT:
        return frontier @ Ad
    if seen is None or on_frontier is None:
        reached = frontier.astype(np.float32) @ Ad32
    else:
        rows = np.flatnonzero(on_frontier.any(axis=1) & ~seen.all(axis=1))
        inner = np.flatnonzero(on_frontier[rows].any(axis=0))
        outer = np.flatnonzero(~seen[rows].all(axis=0))
        b, n = frontier.shape
        if len(rows) * len(inner) * len(outer) > _SUBSET_MAX * b * n * n:
            reached = frontier.astype(np.float32) @ Ad32
        else:
            reached = np.zeros((b, n), dtype=np.float32)
            if len(rows) and len(inner) and len(outer):
                part = frontier[np.ix_(rows, inner)].astype(np.float32)
                reached[np.ix_(rows, outer)] = part @ Ad32[np.ix_(inner, outer)]
    if reached.max(initial=0.0) >= _FLOAT32_EXACT:
        return frontier @ Ad
    return reached.astype(np.float64)


#: A level's product is restricted to the sources, frontier nodes and new nodes that matter when that leaves
#: at most this share of a full product's work (gathering the smaller operands costs the rest).
_SUBSET_MAX = 0.6


def _dense_brandes_block(Ad, back, sources, *, Ad32=None):
    """Sum over ``sources`` of Brandes dependencies, for a dense 0/1 adjacency ``Ad``.

    ``Ad32``, ``Ad`` as float32, lets the forward phase count paths in
    float32 where that is exact (:func:`_paths_into`); the result is the
    same to the last bit either way.
    """
    b, n = len(sources), Ad.shape[0]
    rows = np.arange(b)
    sigma = np.zeros((b, n))
    sigma[rows, sources] = 1.0
    seen = np.zeros((b, n), dtype=bool)
    seen[rows, sources] = True
    frontier, hit, depth = None, None, 0
    found = [None]  # found[d]: the nodes each source first reached at distance d (a mask), d >= 1
    while True:
        # The first level needs no product: one path to each neighbour of a source.
        reached = Ad[sources] if frontier is None else _paths_into(frontier, Ad, Ad32, seen=seen, on_frontier=hit)
        np.putmask(reached, seen, 0.0)  # putmask: the masked assignment, without a gather
        hit = reached > 0
        if not hit.any():
            break
        depth += 1
        found.append(hit)
        seen |= hit
        sigma += reached
        frontier = reached
        if seen.all():  # every node reached: one more product would find nothing new
            break
    delta = np.zeros((b, n))
    # Whole-array where() instead of boolean gathers and scatters: the same arithmetic on the entries kept
    # (the others are discarded; adding 0.0 leaves delta, never negative, as it is).
    for level in range(depth, 1, -1):
        with np.errstate(divide="ignore", invalid="ignore"):
            coef = np.where(found[level], (1.0 + delta) / sigma, 0.0)
        delta += np.where(found[level - 1], sigma * (coef @ back), 0.0)
    return delta.sum(axis=0)


def _endpoints(G):
    """Integer endpoints of G's ties, self-loops dropped."""
    if isinstance(G, GraphMatrix):
        return G.source, G.target
    index = {v: i for i, v in enumerate(G)}
    pairs = np.array([(index[u], index[v]) for u, v in G.edges() if u != v], dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]
