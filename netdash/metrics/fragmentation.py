"""Fragmentation and key players (Borgatti 2006).

Conventions for every function here:

* Direction is ignored: a directed graph is read through its weak components
  and undirected distances (can these two people reach each other at all?).
* Weights, parallel edges and self-loops are ignored.
* With fewer than 2 nodes there are no pairs to disconnect, and fragmentation
  is reported as 0.0 by convention.
* ``G`` may also be a :class:`netdash.metrics.matrix.GraphMatrix`: its
  cached symmetric adjacency and components are used, with no conversion.
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph

from netdash.errors import InvalidInputError
from netdash.metrics.matrix import GraphMatrix
from netdash.deferred import networkx as nx  # imported on first use

__all__ = [
    "EXPLANATIONS",
    "fragmentation",
    "distance_weighted_fragmentation",
    "components_summary",
    "key_players",
]

EXPLANATIONS = {
    "fragmentation": (
        "Share of pairs of practitioners with no route between them at all: 0 "
        "means everyone can reach everyone through colleagues, 1 means nobody "
        "is connected.",
        "F = 1 - sum_k s_k (s_k - 1) / (n (n - 1)) over components of size s_k (Borgatti 2006).",
    ),
    "distance_weighted_fragmentation": (
        "Like fragmentation, but long chains of referral count as partly "
        "disconnected: 0 means everyone knows everyone directly.",
        "F_d = 1 - sum_{i != j} (1 / d_ij) / (n (n - 1)), 1/d = 0 when "
        "unreachable (Borgatti 2006).",
    ),
    "n_components": (
        "Number of separate pieces the network falls into (a person with no "
        "ties is a piece on their own).",
        "Count of (weakly) connected components.",
    ),
    "key_player_fragmentation_gain": (
        "How much more split the network would be if this practitioner left: "
        "large values mark people whose departure cuts colleagues off.",
        "F(G - v) - F(G), F as Borgatti (2006) fragmentation.",
    ),
}


def _adjacency(G):
    """Symmetric binary CSR adjacency without self-loops, in G's node order."""
    if len(G) == 0:
        return sp.csr_array((0, 0), dtype=np.int32)
    if isinstance(G, GraphMatrix):
        return G.symmetric
    A = nx.to_scipy_sparse_array(G, weight=None, format="csr", dtype=np.int32)
    A = sp.csr_array(A + A.T) if G.is_directed() else A
    A.setdiag(0)
    A.eliminate_zeros()
    A.data[:] = 1
    return A


def _fragmentation_from_sizes(sizes, n):
    if n < 2:
        return 0.0
    sizes = np.asarray(sizes, dtype=float)
    return float(1.0 - np.sum(sizes * (sizes - 1)) / (n * (n - 1.0)))


def _harmonic_sum(A):
    """Sum over ordered pairs i != j of 1/d_ij (0 if unreachable), by BFS."""
    if A.shape[0] < 2:
        return 0.0
    dist = csgraph.shortest_path(A, method="D", unweighted=True, directed=False)
    with np.errstate(divide="ignore"):
        inverse = 1.0 / dist
    np.fill_diagonal(inverse, 0.0)
    return float(inverse.sum())


def fragmentation(G):
    """Borgatti's fragmentation: share of pairs that cannot reach each other.

    Parameters
    ----------
    G : networkx graph
        Directed graphs use weak components.

    Returns
    -------
    float
        ``1 - sum_k s_k (s_k - 1) / (n (n - 1))`` in [0, 1]; 0.0 if ``n < 2``.

    References
    ----------
    Borgatti, S. P. (2006). Identifying sets of key players in a social
    network. *Computational and Mathematical Organization Theory* 12, 21-34.

    Examples
    --------
    >>> G = nx.Graph([("a", "b")])
    >>> G.add_node("c")
    >>> round(fragmentation(G), 4)
    0.6667
    """
    n = G.number_of_nodes()
    if n < 2:
        return 0.0
    return _fragmentation_from_sizes(np.bincount(_component_labels(G, _adjacency(G))), n)


def distance_weighted_fragmentation(G):
    """Borgatti's distance-weighted fragmentation.

    Parameters
    ----------
    G : networkx graph
        Directed graphs use undirected distances.

    Returns
    -------
    float
        ``1 - sum_{i != j} (1/d_ij) / (n (n - 1))`` with ``1/inf = 0``; 0.0 if
        ``n < 2``. Equals :func:`fragmentation` when every component is a clique.

    Notes
    -----
    All-pairs breadth-first search: O(n m) time and O(n^2) memory.

    Examples
    --------
    >>> round(distance_weighted_fragmentation(nx.path_graph(3)), 4)  # 1 - (1 + 1 + 1/2) * 2 / 6
    0.1667
    """
    n = G.number_of_nodes()
    if n < 2:
        return 0.0
    return float(1.0 - _harmonic_sum(_adjacency(G)) / (n * (n - 1.0)))


def components_summary(G):
    """Counts describing how the network falls apart into components.

    Parameters
    ----------
    G : networkx graph
        Directed graphs use weak components; self-loops do not rescue an isolate.

    Returns
    -------
    dict
        ``n_components``, ``largest_component_size``,
        ``largest_component_share`` (of all nodes; NaN for an empty graph) and
        ``n_isolates`` (nodes with no tie to anyone else).
    """
    n = G.number_of_nodes()
    if n == 0:
        return {
            "n_components": 0,
            "largest_component_size": 0,
            "largest_component_share": float("nan"),
            "n_isolates": 0,
        }
    A = _adjacency(G)
    labels = _component_labels(G, A)
    count = int(labels.max()) + 1
    largest = int(np.bincount(labels).max())
    return {
        "n_components": int(count),
        "largest_component_size": largest,
        "largest_component_share": largest / n,
        "n_isolates": int(np.count_nonzero(np.diff(A.indptr) == 0)),
    }


def _component_labels(G, A):
    """Component label of every node (cached on a GraphMatrix)."""
    if isinstance(G, GraphMatrix):
        return G.components[1]
    if A.shape[0] == 0:
        return np.zeros(0, dtype=np.int32)
    return csgraph.connected_components(A, directed=False)[1]


def _cut_nodes(G, A):
    """Articulation points (Hopcroft & Tarjan 1973), by rustworkx's compiled search."""
    import rustworkx as rx

    if isinstance(G, GraphMatrix) and not G.is_directed():
        R = G.rustworkx
    else:
        upper = sp.triu(A, k=1).tocoo()
        R = rx.PyGraph(multigraph=False)
        R.add_nodes_from(range(A.shape[0]))
        R.extend_from_edge_list(list(zip(upper.row.tolist(), upper.col.tolist())))
    return sorted(rx.articulation_points(R))


def _blocks(G):
    """Biconnected components (blocks) of ``G``, lists of node positions, or None when not an undirected GraphMatrix.

    By NetworKit (Hopcroft & Tarjan 1973) on the GraphMatrix's cached NetworKit
    copy, which the sampled distances use too. A bridge is a block of its two
    ends; an isolate is in no block. Building a rustworkx graph for its
    articulation points cost more than the search itself at regional scale.
    """
    if not isinstance(G, GraphMatrix) or G.is_directed() or not G.number_of_edges():
        return None
    from netdash.metrics.backends import networkit

    H = G.networkit  # held here: NetworKit's search keeps no reference to its graph
    search = networkit().components.BiconnectedComponents(H)
    search.run()
    return search.getComponents()


def _pieces_from_blocks(blocks, labels, sizes):
    """:func:`_pieces_after_removal`'s two arrays, read from the block-cut tree of ``blocks``.

    An articulation point is a node in two or more blocks. In the tree whose
    nodes are the blocks and the articulation points (a block joined to each
    of its articulation points), removing articulation point ``v`` leaves one
    piece per block next to it: the original nodes in that block's side of
    the tree (each node not an articulation point counted in its one block).
    """
    n = len(labels)
    comp_size = sizes[labels].astype(np.int64)
    pieces = (comp_size - 1) * (comp_size - 2)
    members = np.concatenate([np.asarray(b, dtype=np.int64) for b in blocks])
    block_of = np.repeat(np.arange(len(blocks)), [len(b) for b in blocks])
    cut = np.flatnonzero(np.bincount(members, minlength=n) > 1)
    if not len(cut):
        return comp_size, pieces
    k = len(blocks)
    is_cut = np.zeros(n, dtype=bool)
    is_cut[cut] = True
    tree_id = np.full(n, -1, dtype=np.int64)
    tree_id[cut] = k + np.arange(len(cut))
    # Weights: a block counts its members that are not articulation points, an articulation point itself.
    weight = np.r_[np.bincount(block_of[~is_cut[members]], minlength=k), np.ones(len(cut), dtype=np.int64)]
    joins = is_cut[members]
    a, b = block_of[joins], tree_id[members[joins]]
    neighbours = [[] for _ in range(k + len(cut))]
    for x, y in zip(a.tolist(), b.tolist()):
        neighbours[x].append(y)
        neighbours[y].append(x)
    subtree = weight.astype(np.int64).tolist()
    parent = [-2] * len(neighbours)
    for root in (k + np.arange(len(cut))).tolist():
        if parent[root] != -2:
            continue
        parent[root] = -1
        order, stack = [], [root]
        while stack:
            x = stack.pop()
            order.append(x)
            for y in neighbours[x]:
                if parent[y] == -2:
                    parent[y] = x
                    stack.append(y)
        for x in reversed(order):
            if parent[x] >= 0:
                subtree[parent[x]] += subtree[x]
    for i, v in enumerate(cut.tolist()):
        x = k + i
        sides = [subtree[y] for y in neighbours[x] if parent[y] == x]
        if parent[x] >= 0:
            sides.append(int(comp_size[v]) - subtree[x])
        pieces[v] = sum(t * (t - 1) for t in sides)
    return comp_size, pieces


_RECOUNT_BUDGET = 2e7
"""Above this many arc visits, recounting components per articulation point gives way to one search."""


def _pieces_after_removal(A, labels, sizes, cut):
    """For each node, its component's size and the sum of t(t-1) over the pieces left without it.

    Only an articulation point (``cut``) splits its component; any other
    node's component just loses it, leaving one piece of ``s - 1`` nodes.
    The component of each articulation point is recounted without it (compiled
    code, typically a handful of nodes); when that would cost more than
    :data:`_RECOUNT_BUDGET` arc visits (many cut nodes in a big component),
    one linear-time depth-first search in Python does every node at once.
    """
    arcs = np.bincount(labels, weights=np.diff(A.indptr), minlength=len(sizes)) if len(labels) else sizes
    if sum(arcs[labels[v]] for v in cut) > _RECOUNT_BUDGET:
        return _pieces_by_search(A)
    comp_size = sizes[labels].astype(np.int64)
    pieces = (comp_size - 1) * (comp_size - 2)
    for v in cut:
        members = np.flatnonzero(labels == labels[v])
        rest = members[members != v]
        _, split = csgraph.connected_components(A[rest][:, rest], directed=False)
        t = np.bincount(split).astype(np.int64)
        pieces[v] = int(np.sum(t * (t - 1)))
    return comp_size, pieces


def _pieces_by_search(A):
    """For each node, sum of t(t-1) over the pieces its component splits into.

    One iterative depth-first search (Hopcroft & Tarjan 1973): a DFS child c
    of v with low[c] >= disc[v] becomes its own piece of size subtree(c)
    when v is removed; the rest of v's component (if any) stays together.
    """
    n = A.shape[0]
    indptr, indices = A.indptr, A.indices
    disc = np.full(n, -1, dtype=np.int64)
    low = np.zeros(n, dtype=np.int64)
    size = np.ones(n, dtype=np.int64)
    separated = np.zeros(n, dtype=np.int64)  # total size of split-off subtrees
    split_pairs = np.zeros(n, dtype=np.int64)  # sum t(t-1) over those subtrees
    comp_size = np.zeros(n, dtype=np.int64)
    clock = 0
    for root in range(n):
        if disc[root] >= 0:
            continue
        members = []
        disc[root] = low[root] = clock
        clock += 1
        stack = [(root, -1, indptr[root])]
        while stack:
            v, parent, pos = stack[-1]
            if pos < indptr[v + 1]:
                stack[-1] = (v, parent, pos + 1)
                w = indices[pos]
                if disc[w] < 0:
                    disc[w] = low[w] = clock
                    clock += 1
                    stack.append((w, v, indptr[w]))
                elif w != parent:
                    low[v] = min(low[v], disc[w])
                continue
            stack.pop()
            members.append(v)
            if parent >= 0:
                low[parent] = min(low[parent], low[v])
                size[parent] += size[v]
                if low[v] >= disc[parent]:
                    separated[parent] += size[v]
                    split_pairs[parent] += size[v] * (size[v] - 1)
        comp_size[members] = size[root]
    rest = comp_size - 1 - separated
    return comp_size, split_pairs + rest * (rest - 1)


def key_players(G, *, top=None, max_nodes=250):
    """How much each practitioner's departure would fragment the network.

    Parameters
    ----------
    G : networkx graph or GraphMatrix
        Direction, weights and self-loops ignored (see module conventions).
    top : int or None, default None
        Return only the ``top`` rows after sorting; None returns every node.
    max_nodes : int, default 250
        Distance-weighted columns need an all-pairs BFS of the node's
        component per removal, O(n^2 m) in all; above this many nodes they are
        left NaN and ``attrs["note"]`` says so. Plain fragmentation is always
        computed for all nodes together: only articulation points (found in
        O(n + m)) can split a component, and only their components are recounted.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``practitioner_id``, columns ``fragmentation_after_removal``,
        ``key_player_fragmentation_gain`` (``F(G - v) - F(G)``),
        ``distance_weighted_fragmentation_after_removal`` and
        ``key_player_distance_weighted_gain``, sorted by the fragmentation
        gain, then the distance-weighted gain, largest first. Removing a node
        leaves ``n - 1`` nodes; with fewer than 2 left, F is 0 by convention.

    Raises
    ------
    InvalidInputError
        If ``top`` or ``max_nodes`` is negative.

    References
    ----------
    Borgatti, S. P. (2006). Identifying sets of key players in a social
    network. *Computational and Mathematical Organization Theory* 12, 21-34.
    """
    for name, value in (("top", top), ("max_nodes", max_nodes)):
        if value is not None and value < 0:
            raise InvalidInputError(
                f"{name} must be 0 or more; received {value}. Use {name}=10, say."
            )
    nodes = list(G)
    n = len(nodes)
    A = _adjacency(G)
    labels = _component_labels(G, A)
    sizes = np.bincount(labels) if n else np.zeros(0, int)
    base_f = _fragmentation_from_sizes(sizes, n)
    blocks = _blocks(G)
    if blocks is not None:
        comp_size, pieces = _pieces_from_blocks(blocks, labels, sizes)
    else:
        comp_size, pieces = _pieces_after_removal(A, labels, sizes, _cut_nodes(G, A) if n else [])
    total_pairs = float(np.sum(sizes * (sizes - 1)))
    remaining = total_pairs - comp_size * (comp_size - 1) + pieces
    if n - 1 >= 2:
        after = 1.0 - remaining / ((n - 1) * (n - 2.0))
    else:
        after = np.zeros(n)
    frame = pd.DataFrame(
        {
            "fragmentation_after_removal": after,
            "key_player_fragmentation_gain": after - base_f,
            "distance_weighted_fragmentation_after_removal": np.nan,
            "key_player_distance_weighted_gain": np.nan,
        },
        index=pd.Index(nodes, name="practitioner_id"),
    )
    if n <= max_nodes:
        dw_after = _distance_weighted_after_removal(A, labels)
        frame["distance_weighted_fragmentation_after_removal"] = dw_after
        frame["key_player_distance_weighted_gain"] = dw_after - distance_weighted_fragmentation(G)
    else:
        frame.attrs["note"] = (
            f"Distance-weighted key-player columns were not computed: {n} nodes is more than "
            f"max_nodes={max_nodes} (cost grows as n^2 x ties). Raise max_nodes to compute them."
        )
    frame = frame.sort_values(
        ["key_player_fragmentation_gain", "key_player_distance_weighted_gain"],
        ascending=False,
        kind="stable",
        na_position="last",
    )
    return frame if top is None else frame.head(top)


def _distance_weighted_after_removal(A, labels):
    """Distance-weighted F after removing each node, recomputing only its component."""
    n = A.shape[0]
    if n - 1 < 2:
        return np.zeros(n)
    members = [np.flatnonzero(labels == c) for c in range(labels.max() + 1)]
    comp_sum = np.array([_harmonic_sum(A[m][:, m]) for m in members])
    total = comp_sum.sum()
    after = np.empty(n)
    for c, m in enumerate(members):
        for v in m:
            rest = m[m != v]
            within = _harmonic_sum(A[rest][:, rest])
            after[v] = 1.0 - (total - comp_sum[c] + within) / ((n - 1) * (n - 2.0))
    return after
