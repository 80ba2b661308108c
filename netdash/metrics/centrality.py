"""Betweenness and harmonic centrality, computed by compiled libraries.

Exact betweenness (Freeman 1977) uses Brandes' (2001) algorithm as
implemented, in parallel, by rustworkx (unweighted) and NetworKit
(weighted); both give networkx's values to rounding (tests compare them).
When exact betweenness would not fit a work budget, :func:`betweenness_estimate`
samples source nodes (Geisberger, Sanders & Schultes 2008: the estimate of
NetworKit's ``EstimateBetweenness``, rescaled to the number of sources it
actually searches, computed unweighted as sparse products with float64 path
counts in :mod:`netdash.metrics._sampled_brandes`) and states that number and
the standard error. Harmonic centrality (Marchiori & Latora 2000) gives Borgatti's
distance-weighted fragmentation.

Conventions: directed graphs follow arc direction; self-loops never lie on a
shortest path and are dropped; parallel edges of a multigraph count as one
tie (the shortest, when weighted); isolates score 0. Every function also
accepts a :class:`netdash.metrics.matrix.GraphMatrix` in place of ``G``
(its tie arrays are used directly, with no pass over networkx edges).
"""

import numbers
from dataclasses import dataclass

import numpy as np
import rustworkx as rx

from netdash.metrics.backends import networkit
from netdash.errors import InvalidInputError
from netdash.metrics._dense_brandes import _dense_betweenness
from netdash.metrics._sampled_brandes import sampled_batches
from netdash.metrics.matrix import GraphMatrix, arcs, networkit_graph
from netdash.deferred import networkx as nx  # imported on first use

__all__ = [
    "EXPLANATIONS",
    "BetweennessResult",
    "betweenness",
    "betweenness_estimate",
    "betweenness_plan",
    "harmonic_centrality",
    "DEFAULT_WORK",
]

EXPLANATIONS = {
    "betweenness": (
        "How often a practitioner lies on the shortest route between two "
        "colleagues: high values mark people the network relies on to pass "
        "information along.",
        "b_v = sum over pairs s,t of (shortest s-t paths through v) / (shortest "
        "s-t paths), normalised by the number of pairs (Freeman 1977; Brandes 2001).",
    ),
}

DEFAULT_WORK = 5e8
"""Default budget of :func:`betweenness_estimate`, in node x tie visits (n * m).

Exact Brandes costs about n * m steps. The budget is set so that sampled
betweenness of the large demo (944,412 ties; 512 searches since issue 17:
see ``docs/benchmarks.md`` on the k + 1 sources NetworKit draws) fits the
large-scale time target, while the medium demo (2,000 x 89,351 = 1.8e8)
stays exact. Times with this budget and the previous one (1.5e9):
``docs/benchmarks.md``, "DEFAULT_WORK"."""

_BATCHES = 32


@dataclass(frozen=True)
class BetweennessResult:
    """Betweenness of every node with how it was obtained.

    Attributes
    ----------
    values : dict
        node -> betweenness (normalised as requested).
    method : str
        ``"exact"`` or ``"sampled"``.
    sources : int
        Shortest-path source nodes used: every node when exact.
    standard_error : dict or None
        node -> standard error of the estimate (None when exact): the spread
        of 32 independent batches of ``sources / 32`` searches, divided by
        ``sqrt(32)``.
    max_standard_error : float
        Largest standard error over the nodes (0.0 when exact).
    """

    values: dict
    method: str
    sources: int
    standard_error: dict | None
    max_standard_error: float


def _check_weights(G, weight):
    if isinstance(G, GraphMatrix):
        w = G.weight_array(weight)
        bad = [(G.nodes[a], G.nodes[b]) for a, b in zip(G.source[~(w > 0)], G.target[~(w > 0)])]
    else:
        bad = [(u, v) for u, v, w in G.edges(data=weight, default=1)
               if isinstance(w, bool) or not (isinstance(w, numbers.Real) and w > 0)]
    if bad:
        shown = ", ".join(f"{u!r}-{v!r}" for u, v in bad[:5])
        raise InvalidInputError(
            f"Edge attribute '{weight}' must be positive to turn strength into distance "
            f"(1/weight); {len(bad)} tie(s) are zero, negative or missing a number: {shown}. "
            "Drop those ties or use weight=None."
        )


def _rustworkx(G):
    if isinstance(G, GraphMatrix):
        return G.rustworkx
    u, v, _ = arcs(G, None)
    R = rx.PyDiGraph(multigraph=False) if G.is_directed() else rx.PyGraph(multigraph=False)
    R.add_nodes_from(range(len(G)))
    R.extend_from_edge_list(list(zip(u.tolist(), v.tolist())))
    return R


def betweenness(G, *, normalized=True, weight=None):
    """Exact shortest-path betweenness centrality of every node.

    Same semantics and values as :func:`networkx.betweenness_centrality`:
    directed graphs follow arc direction; with ``normalized=True`` values are
    divided by the number of pairs not including the node, ``(n-1)(n-2)/2``
    undirected or ``(n-1)(n-2)`` directed. Isolates score 0. Computed by
    Brandes' (2001) algorithm: as dense matrix products (BLAS) when every
    component is small and dense, else in parallel by rustworkx
    (unweighted) or NetworKit (weighted).

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
        If a weight is zero, negative or not a number (no finite distance).

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
    nodes = list(G)
    if weight is not None:
        _check_weights(G, weight)
    if len(nodes) < 3:
        return {v: 0.0 for v in nodes}
    if weight is None:
        raw = _dense_betweenness(G)
        if raw is not None:
            return dict(zip(nodes, (raw * _scale(G, normalized)).tolist()))
        R = _rustworkx(G)
        run = rx.digraph_betweenness_centrality if G.is_directed() else rx.graph_betweenness_centrality
        scores = run(R, normalized=normalized)
        return {v: float(scores[i]) for i, v in enumerate(nodes)}
    algo = networkit().centrality.Betweenness(networkit_graph(G, weight), normalized=False)
    algo.run()
    raw = np.asarray(algo.scores())
    return dict(zip(nodes, (raw * _scale(G, normalized)).tolist()))


def _scale(G, normalized):
    """Factor from NetworKit's raw sums over ordered pairs to networkx's convention (its ``_rescale``)."""
    n = len(G)
    if normalized:
        return 1.0 / ((n - 1) * (n - 2))
    return 1.0 if G.is_directed() else 0.5


def betweenness_estimate(G, *, normalized=True, max_work=DEFAULT_WORK, seed=0, weight=None):
    """Betweenness, exact when ``n * m <= max_work``, otherwise estimated from sampled sources.

    Exact betweenness costs about ``n * m`` steps (Brandes 2001). Above the
    budget, ``k = max(64, max_work // m)`` single-source searches (rounded
    down to a multiple of :data:`_BATCHES`, 32) are run from sources drawn
    uniformly at random with replacement, in 32 independent batches, and
    each node's betweenness is estimated with Geisberger, Sanders &
    Schultes' (2008) linear-scaling estimator: a source ``s`` credits ``v``
    with ``d(s, v) / d(s, t)`` of each shortest ``s``-``t`` path through
    ``v``, so the two ends of a pair share its unit between them and the sum
    over all sources, times ``n / k``, is unbiased (Brandes & Pich 2007
    sample sources the same way without the distance weights). The estimate
    is the mean of the 32 batch estimates and its standard error their
    standard deviation over ``sqrt(32)``.

    On a directed graph one source's search only sees the pairs that start
    at it, so half of each batch's searches run forwards from sampled
    sources (crediting ``d(s, v) / d(s, t)``) and half backwards, on the
    reversed graph, from sampled targets (crediting ``d(v, t) / d(s, t)``):
    the two shares of a pair again add up to one.

    The estimate is NetworKit's ``EstimateBetweenness``'s. It draws one
    source more than it is asked for and scales by ``2n / asked`` (every
    estimate ``(asked + 1) / asked`` too large); here each batch asks for one
    fewer than it needs and the scores are rescaled by ``asked / (asked +
    1)``, i.e. by the number of sources actually searched
    (``tests/metrics/test_centrality.py`` checks the mean over 200 seeds on
    Les Misérables against exact values). Unweighted, the same sources (drawn
    from NetworKit's generator) are searched as sparse matrix products with
    path counts in float64, exact up to 2**53, several times faster than
    NetworKit's arbitrary-precision counts (``docs/benchmarks.md``, "Session
    18: Brokerage at large"); the values equal NetworKit's to
    about 1e-15 relative, not bit for bit (``tests/metrics/
    test_sampled_brandes.py``). Weighted, when a path count exceeds 2**53,
    or when a search goes deeper than 64 levels, NetworKit computes them.

    Parameters
    ----------
    G : networkx graph or GraphMatrix
        Conventions as :func:`betweenness`.
    normalized : bool, default True
    max_work : float, default :data:`DEFAULT_WORK`
        Budget in node x tie steps.
    seed : int, default 0
        Seed of the source sampling; the same seed gives the same estimate.
    weight : str or None, default None
        Tie strength as in :func:`betweenness` (distance ``1 / weight``).

    Returns
    -------
    BetweennessResult
        ``sources`` is the number of single-source searches actually run
        (every node when exact).

    Raises
    ------
    InvalidInputError
        If ``max_work`` is not positive, or a weight is not a positive number.

    References
    ----------
    Geisberger, R., Sanders, P. & Schultes, D. (2008). Better approximation
    of betweenness centrality. *Proc. ALENEX*, 90-100. Brandes, U. & Pich, C.
    (2007). Centrality estimation in large networks. *Int. J. Bifurcation and
    Chaos* 17(7), 2303-2318.

    Examples
    --------
    >>> result = betweenness_estimate(nx.path_graph(["a", "b", "c"]))
    >>> result.method, result.sources, result.values["b"]
    ('exact', 3, 1.0)
    """
    nodes = list(G)
    n, m = len(nodes), G.number_of_edges()
    directed = G.is_directed()
    method, _ = betweenness_plan(n, m, directed=directed, max_work=max_work)
    if weight is not None:
        _check_weights(G, weight)
    if method == "exact":
        return BetweennessResult(betweenness(G, normalized=normalized, weight=weight), "exact", n, None, 0.0)
    per_run = _per_run(m, directed, max_work)
    runs = 2 if directed else 1
    batches = None if weight is not None else sampled_batches(G, seed=seed, per_run=per_run, batches=_BATCHES)
    if batches is None:
        batches = _networkit_batches(G, seed=seed, per_run=per_run, weight=weight)
    # Undirected: NetworKit's 2n/k gives the sum over ordered pairs, which _scale expects. Directed:
    # each direction's 2n/k is twice its share of the ordered-pair sum.
    batches *= _scale(G, normalized) / (2.0 if directed else 1.0)
    values, se = batches.mean(axis=0), batches.std(axis=0, ddof=1) / np.sqrt(_BATCHES)
    return BetweennessResult(dict(zip(nodes, values.tolist())), "sampled", per_run * runs * _BATCHES,
                             dict(zip(nodes, se.tolist())), float(se.max()))


def _networkit_batches(G, *, seed, per_run, weight):
    """The 32 batch estimates from NetworKit's ``EstimateBetweenness`` (when ``sampled_batches`` gives None)."""
    runs = [networkit_graph(G, weight)]
    if G.is_directed():
        runs.append(_reversed_networkit(G, weight))
    nk = networkit()
    nk.setSeed(int(seed), True)
    batches = np.zeros((_BATCHES, len(G)))
    for b in range(_BATCHES):
        for H in runs:
            algo = nk.centrality.EstimateBetweenness(H, per_run - 1, False, True)
            algo.run()
            # NetworKit scales its per_run sources by 2n / (per_run - 1): rescale to 2n / per_run.
            batches[b] += np.asarray(algo.scores()) * ((per_run - 1) / per_run)
    return batches


def betweenness_plan(n, m, *, directed=False, max_work=DEFAULT_WORK):
    """How :func:`betweenness_estimate` will compute a graph of ``n`` nodes and ``m`` ties, before it does.

    Lets a caller say what is coming (a page's progress line) with the
    numbers the estimate will report.

    Returns
    -------
    (str, int)
        ``("exact", n)`` or ``("sampled", sources)``, ``sources`` being the
        searches :func:`betweenness_estimate` runs (its ``sources``).

    Raises
    ------
    InvalidInputError
        If ``max_work`` is not positive.

    Examples
    --------
    >>> betweenness_plan(2_000, 89_351)
    ('exact', 2000)
    >>> betweenness_plan(20_000, 944_412), betweenness_plan(20_000, 827_191, directed=True)
    (('sampled', 512), ('sampled', 576))
    """
    if not max_work > 0:
        raise InvalidInputError(f"max_work must be a positive number of steps; got {max_work!r}. Use e.g. 1e9.")
    if n * m <= max_work or n < 3:
        return "exact", n
    return "sampled", _per_run(m, directed, max_work) * (2 if directed else 1) * _BATCHES


def _per_run(m, directed, max_work):
    """Searches per batch and direction: at least 2, since NetworKit is asked for one fewer."""
    searches = max(64, int(max_work // max(m, 1)))
    return max(2, searches // (_BATCHES * (2 if directed else 1)))


def _reversed_networkit(G, weight):
    """NetworKit copy of directed ``G`` with every arc reversed (node order kept)."""
    if isinstance(G, GraphMatrix):
        weights = None if weight is None else {weight: G.weight_array(weight)}
        return networkit_graph(GraphMatrix(G.nodes, G.target, G.source, directed=True, weights=weights), weight)
    return networkit_graph(G.reverse(copy=False), weight)


def harmonic_centrality(G):
    """Sum of inverse shortest-path distances from each node to every other node.

    ``h_v = sum_{u != v} 1 / d(v, u)`` with ``1/inf = 0`` (Marchiori &
    Latora 2000; Boldi & Vigna 2014), the same as
    :func:`networkx.harmonic_centrality` unweighted, not normalised. Directed
    graphs use distances *to* the node, as networkx does. Computed from rustworkx's parallel
    all-pairs breadth-first search for up to 6,000 nodes (an n x n matrix),
    otherwise by NetworKit's ``HarmonicCloseness`` in O(n) memory.

    Parameters
    ----------
    G : networkx graph
        Weights ignored.

    Returns
    -------
    dict
        node -> harmonic centrality; 0 for isolates.

    Examples
    --------
    >>> harmonic_centrality(nx.path_graph(["a", "b", "c"]))
    {'a': 1.5, 'b': 2.0, 'c': 1.5}
    """
    nodes = list(G)
    if len(nodes) < 2:
        return {v: 0.0 for v in nodes}
    if len(nodes) <= 6000:
        R = _rustworkx(G)
        dist = (rx.digraph_distance_matrix if G.is_directed() else rx.graph_distance_matrix)(
            R, parallel_threshold=300, null_value=np.inf)
        with np.errstate(divide="ignore"):
            inverse = 1.0 / dist
        np.fill_diagonal(inverse, 0.0)
        values = inverse.sum(axis=0)  # column u: distances from every v to u
    else:
        # NetworKit measures distances from the node: reverse arcs to get distances to it.
        H = G.reverse(copy=False) if G.is_directed() else G
        algo = networkit().centrality.HarmonicCloseness(networkit_graph(H, None), normalized=False)
        algo.run()
        values = np.asarray(algo.scores())
    return dict(zip(nodes, values.tolist()))
