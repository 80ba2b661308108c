"""Sampled linear-scaling betweenness as sparse matrix products, with float64 path counts.

Used by :func:`netdash.metrics.centrality.betweenness_estimate` for
unweighted graphs. It computes what NetworKit's ``EstimateBetweenness``
computes, from the same sampled sources, several times faster: NetworKit
counts shortest paths in arbitrary-precision ``bigfloat`` numbers and keeps a
list of predecessors per node, which costs several times its breadth-first
search itself (``docs/benchmarks.md``, "Session 18: Brokerage at large").
Path counts are whole numbers, summed exactly in float64 while they stay at
most 2**53; when a count is larger, or a search deeper than 64 levels,
None is returned and the caller uses NetworKit.
"""

from contextlib import contextmanager

import numpy as np

from netdash.metrics.backends import graphblas, networkit
from netdash.metrics.matrix import arcs

#: Largest path count float64 holds exactly (every partial sum is at most the final count).
_EXACT_PATHS = 2.0 ** 53

#: Deepest search done as products: each level costs a few GraphBLAS calls whatever its size, so on long
#: thin graphs (a path, a ring) NetworKit's one pass per source is faster.
_MAX_LEVELS = 64


def _sources(n, seed, count):
    """The ``count`` nodes NetworKit's next ``EstimateBetweenness`` runs draw after ``nk.setSeed(seed, True)``.

    ``EstimateBetweenness.run`` draws its sources one by one with
    ``GraphTools::randomNode`` on the calling thread (the same generator
    as ``nk.graphtools.randomNode``), uniformly over node ids ``0 .. n-1``
    when no node was deleted; a graph of ``n`` nodes and no ties gives the
    same draws.
    """
    nk = networkit()
    nk.setSeed(int(seed), True)
    E = nk.Graph(n)
    return np.fromiter((nk.graphtools.randomNode(E) for _ in range(count)), dtype=np.int64, count=count)


class _Searches:
    """Breadth-first searches from sets of sources, one weak component at a time.

    The ties of each component holding one of ``sources`` (and at least 3
    nodes) are a GraphBLAS matrix indexed by position in the component, so
    a search's masks and products span its own component only.
    """

    def __init__(self, G, sources):
        import scipy.sparse as sp
        from scipy.sparse import csgraph

        gb = graphblas()
        self.n = n = len(G)
        self.directed = G.is_directed()
        u, v, _ = arcs(G, None)
        # Weak components straight from the arcs (not GraphMatrix.components, which keeps a symmetric copy).
        _, labels = csgraph.connected_components(
            sp.csr_array((np.ones(len(u), dtype=np.int8), (u, v)), shape=(n, n)), directed=True, connection="weak")
        self.labels = labels
        sizes = np.bincount(labels)
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        order = np.argsort(labels, kind="stable")
        self.position = np.empty(n, dtype=np.int64)
        self.position[order] = np.arange(n) - np.repeat(starts, sizes)
        wanted = np.unique(labels[np.asarray(sources)])
        wanted = wanted[sizes[wanted] >= 3]  # in smaller ones no node lies between two others
        arc_labels = labels[u]
        arc_order = np.argsort(arc_labels, kind="stable")
        bounds = np.r_[0, np.cumsum(np.bincount(arc_labels, minlength=len(sizes)))]
        del arc_labels
        self.members, self.matrices = {}, {}
        for c in wanted.tolist():
            self.members[c] = order[starts[c]:starts[c] + sizes[c]]
            inside = arc_order[bounds[c]:bounds[c + 1]]
            inside = inside[u[inside] != v[inside]]  # a self-loop is on no shortest path
            A = gb.Matrix.from_coo(self.position[u[inside]], self.position[v[inside]], 1.0,
                                   nrows=sizes[c], ncols=sizes[c])
            if not self.directed:
                A << A.ewise_add(A.T, gb.binary.any)  # a tie either way is a tie both ways
            self.matrices[c] = (A, A.T.new() if self.directed else A)

    def dependencies(self, sources, *, reverse=False):
        """Sum over ``sources`` of each node's linear-scaling dependency, or None (see :func:`sampled_batches`).

        ``reverse=True`` searches the graph with every arc reversed.
        NetworKit's sum for the same sources before it extrapolates
        (``scoreData``), to rounding: every term is positive and is
        computed in a different order (about 1e-15 relative).
        """
        total = np.zeros(self.n)
        labels = self.labels[sources]
        for c in np.unique(labels).tolist():
            if c not in self.matrices:
                continue  # fewer than 3 nodes
            members = self.members[c]
            forward, backward = self.matrices[c]
            if reverse:
                forward, backward = backward, forward
            found = _component_dependencies(forward, backward, self.position[sources[labels == c]])
            if found is None:
                return None
            total[members] += found
        return total


def _component_dependencies(forward, backward, rows):
    """Brandes' two phases for one source per row, level by level, with Geisberger's distance weights.

    Forward, ``levels[l]`` holds the number of shortest paths ``sigma``
    from each row's source to every node at distance ``l``. Backward, a
    node ``p`` at distance ``l - 1`` receives from each successor ``t`` at
    distance ``l`` the share ``(l - 1) / l * sigma_p / sigma_t * (1 +
    delta_t)``, as in NetworKit's ``EstimateBetweenness``; summed along a
    path the distance ratios multiply out to ``d(s, v) / d(s, t)``
    (Geisberger, Sanders & Schultes 2008).
    """
    gb = graphblas()
    size, count = forward.nrows, len(rows)
    made = []  # every matrix made here, emptied on the way out (see _emptied)

    def new(matrix):
        made.append(matrix)
        return matrix

    with _emptied(made):
        frontier = new(gb.Matrix.from_coo(np.arange(count), rows, 1.0, nrows=count, ncols=size))
        seen = new(frontier.dup())
        levels = [frontier]
        while True:
            nxt = new(gb.Matrix(float, count, size))
            unseen = count * size - seen.nvals
            if unseen < frontier.nvals:
                # Few nodes left: pull (a dot product per unseen node) instead of pushing from the frontier.
                _pull(nxt, frontier, backward, seen)
            else:
                nxt(~seen.S) << frontier.mxm(forward, gb.semiring.plus_first)
            if not nxt.nvals:
                break
            if len(levels) > _MAX_LEVELS:
                return None
            seen(accum=gb.binary.plus) << nxt
            levels.append(nxt)
            frontier = nxt
        if seen.reduce_scalar(gb.monoid.max).new().value > _EXACT_PATHS:
            return None
        total = new(gb.Vector(float, size))
        delta = None
        for level in range(len(levels) - 1, 1, -1):
            sigma, parents = levels[level], levels[level - 1]
            if delta is None:
                share = new(sigma.apply(gb.binary.rdiv, 1.0).new())  # 1 / sigma
            else:
                share = new(sigma.apply(gb.unary.one).new())
                share(accum=gb.binary.plus) << delta
                share << share.ewise_mult(sigma, gb.binary.truediv)  # (1 + delta) / sigma
            received = new(gb.Matrix(float, count, size))
            # Pull into the parents when they are much fewer than the children (near the sources), else push.
            product = share.mxm(forward.T if 8 * parents.nvals < sigma.nvals else backward, gb.semiring.plus_first)
            received(parents.S) << product
            delta = new(received.ewise_mult(parents, gb.binary.times).new())
            delta << delta.apply(gb.binary.times, (level - 1) / level)
            total(accum=gb.binary.plus) << delta.reduce_columnwise(gb.monoid.plus)
        return total.to_dense(fill_value=0.0)


def _pull(out, frontier, backward, seen):
    """``out`` = path counts into the nodes ``seen`` lacks, one dot product per such node (``backward`` = A^T).

    Masked by the complement of ``seen`` itself, not by a matrix of the
    unseen entries built first. Path counts are whole numbers, exact in
    float64, so every order of summation gives the same counts.
    """
    out(~seen.S, axb_method="dot") << frontier.mxm(backward.T, graphblas().semiring.plus_first)


@contextmanager
def _emptied(objects):
    """Empty every GraphBLAS object in ``objects`` on exit.

    A python-graphblas object is freed only by Python's cycle collector (each
    one is part of a reference cycle), so without this the searches' matrices
    stayed in memory until the next full collection, while the page went on
    to its structural holes.
    """
    try:
        yield objects
    finally:
        for obj in objects:
            obj.clear()


def sampled_batches(G, *, seed, per_run, batches):
    """NetworKit's batch estimates of :func:`netdash.metrics.centrality.betweenness_estimate`, or None.

    Row ``b`` is what ``batches`` runs of ``EstimateBetweenness(H, per_run
    - 1)`` (forward, then on the reversed graph when directed) give after
    ``nk.setSeed(seed, True)``, rescaled by ``(per_run - 1) / per_run``:
    the same sources in the same batches, the same scaling, values equal
    to rounding. None when a path count exceeds 2**53 (float64 would no
    longer count exactly) or a search goes deeper than 64 levels (one
    pass per source is then faster): the caller then runs NetworKit.
    """
    n = len(G)
    runs = (False, True) if G.is_directed() else (False,)
    sources = _sources(n, seed, batches * len(runs) * per_run).reshape(batches, len(runs), per_run)
    searches = _Searches(G, sources.ravel())
    result = np.zeros((batches, n))
    # One GraphBLAS thread: each product is a few milliseconds, and OpenMP's second thread cost more CPU
    # than it saved, most of all on a busy machine (docs/benchmarks.md, "Session 18: Brokerage at large").
    with graphblas().ss.Context(nthreads=1), _emptied([A for pair in searches.matrices.values() for A in pair]):
        for b in range(batches):
            for r, reverse in enumerate(runs):
                raw = searches.dependencies(sources[b, r], reverse=reverse)
                if raw is None:
                    return None
                # NetworKit's extrapolation by 2n / (per_run - 1), then the caller's per_run - 1 / per_run.
                result[b] += raw * (2 * float(n) / float(per_run - 1)) * ((per_run - 1) / per_run)
    return result
