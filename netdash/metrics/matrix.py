"""One graph as arrays: node order, tie endpoints and the sparse matrices the measures need.

A :class:`GraphMatrix` is built once per graph (from a networkx graph, or
straight from an edge table without any networkx object) and passed in place
of ``G`` to the measure functions of :mod:`netdash.metrics` that accept it
(structural holes, E-I, brokerage, fragmentation and key players,
betweenness, harmonic centrality, :func:`netdash.metrics.basic.network_summary`).
Each matrix is made on first use and kept, so one conversion serves every
measure (``docs/benchmarks.md``: the same graph used to be converted six
times per analysis).

Conventions: a ``GraphMatrix`` holds a *simple* graph. Self-loops are dropped;
an undirected tie is stored once with ``source < target`` (positions in node
order); repeated ties, and both directions of an undirected tie, collapse
into one whose weights are summed. Measures given a networkx graph keep
their own conventions (for example, parallel edges of a multigraph each
count in the E-I index); measures given a ``GraphMatrix`` see one tie per pair.
"""

from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from netdash.errors import InvalidInputError
from netdash.metrics.backends import networkit

__all__ = ["GraphMatrix", "arcs", "networkit_graph"]


class GraphMatrix:
    """Node order, tie arrays and cached CSR matrices of one simple graph.

    Parameters
    ----------
    nodes : sequence
        Node ids; position ``i`` is row and column ``i`` of every matrix.
    source, target : array of int
        Positions of each tie's two ends (arc ``source -> target`` when directed).
    directed : bool, default False
    weights : dict, optional
        Edge attribute name -> array of tie strengths, aligned with ``source``.
    node_attrs : dict, optional
        Node attribute name -> sequence of values in node order (None where unset),
        e.g. ``{"agency": [...]}`` for measures called with ``groups="agency"``.

    Examples
    --------
    >>> M = GraphMatrix(["a", "b", "c"], [1, 0, 1, 2], [0, 1, 2, 2])  # a-b twice, c-c a self-loop
    >>> len(M), M.number_of_edges(), M.symmetric.toarray().tolist()
    (3, 2, [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    """

    def __init__(self, nodes, source, target, *, directed=False, weights=None, node_attrs=None):
        self.nodes = _as_list(nodes)
        self.directed = bool(directed)
        n = len(self.nodes)
        u = np.asarray(source, dtype=np.int64).ravel()
        v = np.asarray(target, dtype=np.int64).ravel()
        weights = {k: np.asarray(w, dtype=float).ravel() for k, w in (weights or {}).items()}
        if len(u) != len(v) or any(len(w) != len(u) for w in weights.values()):
            raise InvalidInputError(
                f"GraphMatrix needs one target and one weight per source; got {len(u)} sources, "
                f"{len(v)} targets and weights of lengths {[len(w) for w in weights.values()]}. "
                "Pass arrays of equal length.")
        if len(u) and (min(u.min(), v.min()) < 0 or max(u.max(), v.max()) >= n):
            raise InvalidInputError(
                f"GraphMatrix tie ends must be node positions 0 to {n - 1}; got values from "
                f"{min(u.min(), v.min())} to {max(u.max(), v.max())}. Map ids to positions in `nodes` first.")
        keep = u != v
        u, v = u[keep], v[keep]
        weights = {k: w[keep] for k, w in weights.items()}
        if not self.directed:
            u, v = np.minimum(u, v), np.maximum(u, v)
        key = u * max(n, 1) + v
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=np.int64)
        self.source, self.target = u[order][first], v[order][first]
        self.weights = {k: np.add.reduceat(w[order], first) if len(first) else w for k, w in weights.items()}
        self.node_attrs = {k: _as_list(values) for k, values in (node_attrs or {}).items()}
        for name, values in self.node_attrs.items():
            if len(values) != n:
                raise InvalidInputError(
                    f"Node attribute '{name}' has {len(values)} values for {n} nodes. "
                    "Give one value per node, in node order.")

    # --- constructors -------------------------------------------------------------------------

    @classmethod
    def from_edges(cls, nodes, source, target, *, directed=False, weights=None, node_attrs=None):
        """Build from node ids and the ids at each tie's ends (an edge table's columns).

        Raises
        ------
        InvalidInputError
            If a tie end is not one of ``nodes``.
        """
        index = pd.Index(list(nodes))
        u = index.get_indexer(pd.Index(source)) if len(source) else np.zeros(0, dtype=np.int64)
        v = index.get_indexer(pd.Index(target)) if len(target) else np.zeros(0, dtype=np.int64)
        unknown = pd.unique(np.r_[np.asarray(source, dtype=object)[u < 0], np.asarray(target, dtype=object)[v < 0]])
        if len(unknown):
            shown = ", ".join(map(repr, unknown[:5]))
            raise InvalidInputError(
                f"{len(unknown)} tie end(s) are not in the node table: {shown}. "
                "Every practitioner in a tie must be a node; re-import the data so that contacts "
                "and attendance only name listed practitioners.")
        return cls(index, u, v, directed=directed, weights=weights, node_attrs=node_attrs)

    @classmethod
    def from_codes(cls, nodes, node_codes, source, target, *, directed=False, weights=None, node_attrs=None):
        """Build from ties given as integer codes (a coded log's, :mod:`netdash.networks.codes`), or None.

        ``node_codes`` is the code of each of ``nodes``, increasing (both
        sorted by id), so each tie end is found by a binary search instead of
        writing its id and looking it up: the same matrix as
        :meth:`from_edges` of the ids. None when a tie end is not a node
        (:meth:`from_edges` of the ids then says which).

        Examples
        --------
        >>> M = GraphMatrix.from_codes(["b", "c", "d"], [1, 2, 3], [1, 3], [2, 2])
        >>> M.nodes, M.source.tolist(), M.target.tolist()
        (['b', 'c', 'd'], [0, 1], [1, 2])
        >>> GraphMatrix.from_codes(["b", "c"], [1, 2], [0], [1]) is None  # code 0 is not a node
        True
        """
        node_codes = np.asarray(node_codes)
        source, target = np.asarray(source), np.asarray(target)
        u, v = np.searchsorted(node_codes, source), np.searchsorted(node_codes, target)
        if len(u) and (max(u.max(), v.max()) >= len(node_codes) or (node_codes[u] != source).any()
                       or (node_codes[v] != target).any()):
            return None
        return cls(nodes, u, v, directed=directed, weights=weights, node_attrs=node_attrs)

    @classmethod
    def from_graph(cls, G, *, weight=None, node_attrs=("agency",)):
        """Build from a networkx graph (one pass over its edges).

        ``weight`` names the edge attribute kept as tie strength (missing
        values count 1); ``node_attrs`` are the node attributes kept (None
        where a node lacks one).
        """
        nodes = list(G)
        position = {v: i for i, v in enumerate(nodes)}
        rows = [(position[a], position[b], w) for a, b, w in G.edges(data=weight, default=1)]
        u = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        v = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        weights = None if weight is None else {weight: [float(r[2]) for r in rows]}
        attrs = {name: [G.nodes[x].get(name) for x in nodes] for name in node_attrs}
        return cls(nodes, u, v, directed=G.is_directed(), weights=weights, node_attrs=attrs)

    # --- the parts of the networkx interface the measures use ---------------------------------

    def __len__(self):
        return len(self.nodes)

    def __iter__(self):
        return iter(self.nodes)

    def __repr__(self):
        kind = "directed" if self.directed else "undirected"
        return f"GraphMatrix({len(self)} nodes, {self.number_of_edges()} {kind} ties)"

    def is_directed(self):
        return self.directed

    def number_of_nodes(self):
        return len(self.nodes)

    def number_of_edges(self):
        return len(self.source)

    def reverse(self, copy=True):
        """The same graph with every arc turned round (an undirected graph is returned as is)."""
        if not self.directed:
            return self
        return GraphMatrix(self.nodes, self.target, self.source, directed=True, weights=self.weights,
                           node_attrs=self.node_attrs)

    # --- arrays and matrices, each made once --------------------------------------------------

    def weight_array(self, weight):
        """Tie strengths aligned with :attr:`source` (ones for ``weight=None``)."""
        if weight is None:
            return np.ones(len(self.source))
        if weight not in self.weights:
            raise InvalidInputError(
                f"This GraphMatrix has no edge weight '{weight}' (it has: {sorted(self.weights) or 'none'}). "
                f"Build it with weights={{'{weight}': ...}} or GraphMatrix.from_graph(G, weight='{weight}').")
        return self.weights[weight]

    def _csr(self, data, *, symmetric, dtype):
        n = len(self.nodes)
        if symmetric:
            rows, cols, data = np.r_[self.source, self.target], np.r_[self.target, self.source], np.r_[data, data]
        else:
            rows, cols = self.source, self.target
        A = sp.csr_array((np.asarray(data, dtype=dtype), (rows, cols)), shape=(n, n))
        A.sum_duplicates()
        return A

    @cached_property
    def binary(self):
        """Binary int64 CSR of the arcs (both directions for an undirected graph)."""
        return self._csr(np.ones(len(self.source)), symmetric=not self.directed, dtype=np.int64)

    @cached_property
    def symmetric(self):
        """Binary int32 CSR with direction ignored (a tie either way is a tie both ways)."""
        A = self._csr(np.ones(len(self.source)), symmetric=True, dtype=np.int32)
        A.data[:] = 1
        return A

    def mutual(self, weight=None):
        """Symmetric float CSR of mutual weights ``m_ij = a_ij + a_ji`` (Burt 1992); zeros dropped."""
        cache = self.__dict__.setdefault("_mutual", {})
        if weight not in cache:
            M = self._csr(self.weight_array(weight), symmetric=True, dtype=float)
            M.eliminate_zeros()
            cache[weight] = M
        return cache[weight]

    @cached_property
    def components(self):
        """``(count, labels)`` of the weakly connected components."""
        from scipy.sparse import csgraph

        if not len(self.nodes):
            return 0, np.zeros(0, dtype=np.int32)
        count, labels = csgraph.connected_components(self.symmetric, directed=False)
        return int(count), labels

    @cached_property
    def rustworkx(self):
        """rustworkx graph of the ties (node ``i`` = position ``i``), shared by centrality and key players."""
        import rustworkx as rx

        R = rx.PyDiGraph(multigraph=False) if self.directed else rx.PyGraph(multigraph=False)
        R.add_nodes_from(range(len(self.nodes)))
        R.extend_from_edge_list(list(zip(self.source.tolist(), self.target.tolist())))
        return R

    @cached_property
    def networkit(self):
        """Unweighted NetworKit graph of the ties (node ``i`` = position ``i``), shared by the sampled measures."""
        return _networkit_copy(self, None)

    def node_labels(self, name):
        """``{node: value}`` of node attribute ``name`` (None where unset or not stored)."""
        values = self.node_attrs.get(name, [None] * len(self.nodes))
        return dict(zip(self.nodes, values))


def _as_list(values):
    """``list(values)``; a pandas Index or Series by its ``tolist`` (the same Python values), not element by element.

    Iterating a string column backed by Arrow cost 0.03-0.04 s per 20,000 ids (docs/benchmarks.md, "Session 20:
    Brokerage").
    """
    if isinstance(values, (pd.Index, pd.Series)):
        return values.tolist()
    return list(values)


def arcs(G, weight):
    """Integer endpoints and distances (1/weight, or None) of G's ties, self-loops dropped."""
    if isinstance(G, GraphMatrix):
        return G.source, G.target, None if weight is None else 1.0 / G.weight_array(weight)
    index = {v: i for i, v in enumerate(G)}
    rows = [(index[u], index[v], w) for u, v, w in G.edges(data=weight, default=1) if u != v]
    u = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    v = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    if weight is None:
        return u, v, None
    return u, v, 1.0 / np.fromiter((r[2] for r in rows), dtype=float, count=len(rows))


def networkit_graph(G, weight=None):
    """NetworKit copy of G, a networkx graph or GraphMatrix (node i = i-th node of G); parallel ties keep the shortest.

    The unweighted copy of a :class:`GraphMatrix` is its cached
    :attr:`GraphMatrix.networkit`, so sampled betweenness and sampled
    distances share one.
    """
    if isinstance(G, GraphMatrix) and weight is None:
        return G.networkit
    return _networkit_copy(G, weight)


def _networkit_copy(G, weight):
    nk = networkit()
    u, v, dist = arcs(G, weight)
    if not G.is_directed():
        u, v = np.minimum(u, v), np.maximum(u, v)
    n = len(G)
    key = u * n + v
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=np.int64)
    pairs = key[first]
    data = np.ones(len(pairs)) if dist is None else np.minimum.reduceat(dist[order], first)
    return nk.GraphFromCoo((data, ((pairs // n).astype(np.uint64), (pairs % n).astype(np.uint64))), n=n,
                           weighted=dist is not None, directed=G.is_directed())
