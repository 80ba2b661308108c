"""Borgatti's distance-weighted fragmentation, exact or estimated from sampled sources.

Distance-weighted fragmentation needs the distance between every pair of
practitioners: a breadth-first search from every node, about ``n * m``
steps. At regional scale (20,000 practitioners, 944,412 ties) that is
1.9e10 steps, minutes of work, for one number in ``network.json``.
:func:`distance_weighted_fragmentation_estimate` is exact while ``n * m`` fits
the same budget as betweenness, and above it searches from randomly chosen
sources, 64 at a time, until the standard error is below ``tolerance``; the
result says which it did.
"""

from dataclasses import dataclass

import numpy as np

from netdash.errors import InvalidInputError
from netdash.metrics import centrality
from netdash.metrics.backends import networkit
from netdash.metrics.matrix import GraphMatrix, networkit_graph

__all__ = ["FragmentationEstimate", "distance_weighted_fragmentation_estimate", "DEFAULT_TOLERANCE",
           "fragmentation_stage"]

DEFAULT_TOLERANCE = 0.001
"""Standard error at which sampling stops (fragmentation is shown to three decimals)."""

_BATCH = 64


@dataclass(frozen=True)
class FragmentationEstimate:
    """Distance-weighted fragmentation with how it was obtained.

    Attributes
    ----------
    value : float
        ``1 - sum_{i != j} (1/d_ij) / (n (n - 1))`` (estimated when sampled).
    method : str
        ``"exact"`` or ``"sampled"``.
    sources : int
        Breadth-first-search sources used: every node when exact.
    standard_error : float
        Standard error of ``value`` (0.0 when exact).
    """

    value: float
    method: str
    sources: int
    standard_error: float


def distance_weighted_fragmentation_estimate(G, *, max_work=centrality.DEFAULT_WORK, tolerance=DEFAULT_TOLERANCE,
                                             seed=0):
    """Borgatti's distance-weighted fragmentation, exact when ``n * m <= max_work``.

    ``F_d = 1 - sum_{i != j} (1/d_ij) / (n (n - 1))`` with ``1/inf = 0``
    (Borgatti 2006), the value of
    :func:`netdash.metrics.fragmentation.distance_weighted_fragmentation`.
    Above the budget, source nodes are drawn without replacement in batches
    of 64; each source ``s`` gives ``h_s = sum_j (1/d_sj) / (n - 1)``, the
    estimate is ``1 - mean(h_s)``, an unbiased estimate since the exact value
    is ``1 - `` the mean of ``h_s`` over every node, and its standard error
    is ``sd(h_s) / sqrt(k) * sqrt(1 - k / n)`` (sampling without replacement).
    Sampling stops at the first batch where that is at most ``tolerance``,
    or when ``k * m`` reaches ``max_work`` (at least 128 sources; exact
    when that would be every node).

    Parameters
    ----------
    G : networkx graph or GraphMatrix
        Directed graphs use undirected distances; weights ignored.
    max_work : float, default :data:`netdash.metrics.centrality.DEFAULT_WORK`
        Budget in node x tie steps.
    tolerance : float, default :data:`DEFAULT_TOLERANCE`
    seed : int, default 0
        Seed of the source sampling; the same seed gives the same estimate.

    Returns
    -------
    FragmentationEstimate

    Raises
    ------
    InvalidInputError
        If ``max_work`` or ``tolerance`` is not positive.

    References
    ----------
    Borgatti, S. P. (2006). Identifying sets of key players in a social
    network. *Computational and Mathematical Organization Theory* 12, 21-34.
    Eppstein, D. & Wang, J. (2004). Fast approximation of centrality.
    *J. Graph Algorithms and Applications* 8(1), 39-45 (sampled sources).

    Examples
    --------
    >>> import networkx as nx
    >>> result = distance_weighted_fragmentation_estimate(nx.path_graph(3))
    >>> round(result.value, 4), result.method, result.sources
    (0.1667, 'exact', 3)
    """
    for name, value in (("max_work", max_work), ("tolerance", tolerance)):
        if not value > 0:
            raise InvalidInputError(f"{name} must be a positive number; got {value!r}.")
    if G.is_directed():
        G = GraphMatrix(G.nodes, G.source, G.target) if isinstance(G, GraphMatrix) else G.to_undirected(as_view=True)
    n, m = len(G), G.number_of_edges()
    if n < 2:
        return FragmentationEstimate(0.0, "exact", n, 0.0)
    # Within budget (an infinite one included), or sampling would reach everyone: exact.
    if (most := _most_sources(n, m, max_work)) is None:
        total = sum(centrality.harmonic_centrality(G).values())
        return FragmentationEstimate(float(1.0 - total / (n * (n - 1.0))), "exact", n, 0.0)

    nk = networkit()
    H = networkit_graph(G, None)
    order = np.random.default_rng(seed).permutation(n)
    reach = []
    for start in range(0, most, _BATCH):
        sources = order[start:min(start + _BATCH, most)]
        search = nk.distance.SPSP(H, sources.tolist())
        search.run()
        dist = np.asarray(search.getDistances())
        dist[dist > n] = np.inf  # NetworKit marks unreachable nodes with the largest float
        with np.errstate(divide="ignore"):
            inverse = 1.0 / dist
        inverse[np.arange(len(sources)), sources] = 0.0
        reach.extend((inverse.sum(axis=1) / (n - 1.0)).tolist())
        k = len(reach)
        se = float(np.std(reach, ddof=1) / np.sqrt(k) * np.sqrt(1.0 - k / n))
        if se <= tolerance:
            break
    return FragmentationEstimate(float(1.0 - np.mean(reach)), "sampled", k, se)


def _most_sources(n, m, max_work):
    """Sources the estimate may search (it stops earlier once precise enough), or None when it is exact.

    Exact within the budget (an infinite one included), or when sampling would reach everyone.
    """
    if n * m <= max_work or m == 0:
        return None
    most = min(n, max(2 * _BATCH, int(max_work // m)))
    return None if most == n else most


def fragmentation_stage(G, *, permutations, max_work=centrality.DEFAULT_WORK):
    """What the Fragmentation page's measures of ``G`` are about to compute, in a sentence for a progress line.

    The source count is :func:`distance_weighted_fragmentation_estimate`'s
    upper bound for the same budget.

    Examples
    --------
    >>> import networkx as nx
    >>> fragmentation_stage(nx.path_graph(3), permutations=1000)
    'Measuring fragmentation: distances between all 3 practitioners, E-I test with 1,000 relabellings, communities…'
    """
    n, m = len(G), G.number_of_edges()
    most = _most_sources(n, m, max_work)
    distances = (f"distances between all {n:,} practitioners" if most is None
                 else f"distances estimated from up to {most:,} randomly chosen practitioners (of {n:,})")
    return f"Measuring fragmentation: {distances}, E-I test with {permutations:,} relabellings, communities…"
