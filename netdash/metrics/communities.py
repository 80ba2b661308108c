"""Do the network's own communities follow agency lines?

Louvain communities (Blondel et al. 2008, seeded) are compared with agency
membership by normalised mutual information (NMI) and the adjusted Rand index
(ARI). NMI near 1 means the clusters in who-works-with-whom are the agencies
themselves (silos); near 0 means working groups cut across agencies.

scikit-learn is imported only when the adjusted Rand index is asked for
(its import takes about a second); NMI is computed here by
:func:`normalized_mutual_info`, the same arithmetic as scikit-learn's
``normalized_mutual_info_score`` (tests compare them).

:func:`agency_nmi` is the one rule every ``agency_nmi`` shown (CLI, pages,
comparisons, time series) goes through: networkx's Louvain up to
:data:`LOUVAIN_NETWORKX_MAX_TIES` ties (1,000), NetworKit's PLM (the same method,
parallel) above it.
"""

from math import log

import networkx as nx
import numpy as np
import scipy.sparse as sp

from netdash.metrics.backends import import_module, networkit
from netdash.errors import InvalidInputError
from netdash.metrics.matrix import GraphMatrix, networkit_graph
from netdash.metrics.mixing import _group_codes

__all__ = ["EXPLANATIONS", "LOUVAIN_NETWORKX_MAX_TIES", "agency_alignment", "agency_nmi",
           "normalized_mutual_info"]

LOUVAIN_NETWORKX_MAX_TIES = 1_000
"""Above this many ties :func:`agency_nmi` uses NetworKit's PLM instead of networkx's Louvain.

On the medium demo (89,351 ties) both give NMI 0.256571352264418 for seeds 0
to 4; PLM takes 0.02 to 0.1 s against networkx's 1.7 to 2.7 s, measured in
one run at load average 6 to 7 (``docs/benchmarks.md``). On smaller graphs
the gap is the same factor: 0.013 s against 0.0012 s at 900 ties, 0.058 s
against 0.0043 s at 4,000 and 0.19 s against 0.010 s at 8,000 (medians of
3, one run, load average 2 to 3). Over time computes one NMI per window: the
medium demo's 24 monthly windows of working ties (3,000 to 5,000 ties each)
took 12.8 s with the rule at 10,000 ties and 2.5 s at 1,000 (same run). The
two implementations' NMIs differ by about as much as Louvain's own
randomness (quarterly windows: -0.080 to +0.032, median +0.011), which is why
small changes in this measure should not be read as effects. Up to 1,000
ties networkx takes about a hundredth of a second, and the karate club and
other textbook graphs keep networkx's answers. NetworKit's import (0.4 s) is
paid once per process."""

EXPLANATIONS = {
    "agency_nmi": (
        "How closely the groups that actually work together match agency "
        "boundaries: 1 means the working groups are exactly the agencies "
        "(silos), 0 means they have nothing to do with agency. The groups come "
        "from a randomised search, so the value moves by a few hundredths "
        "from one search to another (up to 0.08 on one period of the demo): "
        "read only larger changes.",
        "NMI(Louvain communities, agencies), arithmetic normalisation "
        "(Blondel et al. 2008; Danon et al. 2005).",
    ),
    "agency_ari": (
        "The same comparison corrected for chance: 0 is what random groupings "
        "would give, 1 is a perfect match.",
        "Adjusted Rand index of communities vs agencies (Hubert & Arabie 1985).",
    ),
}


def _entropy(codes):
    counts = np.unique(codes, return_counts=True)[1].astype(float)
    if counts.size <= 1:
        return 0.0
    total = np.sum(counts)
    return float(-np.sum((counts / total) * (np.log(counts) - log(total))))


def normalized_mutual_info(labels_true, labels_pred):
    """Normalised mutual information of two labellings, arithmetic mean of entropies.

    ``NMI = I(U; V) / ((H(U) + H(V)) / 2)`` with natural logarithms (Danon et
    al. 2005; Vinh, Epps & Bailey 2010), computed step by step as
    scikit-learn's ``normalized_mutual_info_score`` does, so the values are
    the same to the last bit: 1.0 when both labellings have a single class
    (or no items), 0.0 when either is a single class otherwise.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n,)

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> normalized_mutual_info([0, 0, 1, 1], [5, 5, 7, 7])
    1.0
    >>> normalized_mutual_info([0, 0, 1, 1], [0, 1, 0, 1])
    0.0
    """
    classes, class_idx = np.unique(np.asarray(labels_true), return_inverse=True)
    clusters, cluster_idx = np.unique(np.asarray(labels_pred), return_inverse=True)
    if classes.shape[0] == clusters.shape[0] and classes.shape[0] in (0, 1):
        return 1.0
    table = sp.coo_array((np.ones(class_idx.shape[0]), (class_idx.ravel(), cluster_idx.ravel())),
                         shape=(classes.shape[0], clusters.shape[0]), dtype=np.int64).tocsr()
    table.sum_duplicates()
    table = table.astype(np.float64, copy=False)
    rows, cols, values = sp.find(table)
    total = table.sum()
    pi, pj = np.ravel(table.sum(axis=1)), np.ravel(table.sum(axis=0))
    if pi.size == 1 or pj.size == 1:
        return 0.0
    share = values / total
    outer = pi.take(rows).astype(np.int64, copy=False) * pj.take(cols).astype(np.int64, copy=False)
    log_outer = -np.log(outer) + log(pi.sum()) + log(pj.sum())
    mi = share * (np.log(values) - log(total)) + share * log_outer
    mi = float(np.clip(np.where(np.abs(mi) < np.finfo(mi.dtype).eps, 0.0, mi).sum(), 0.0, None))
    if mi == 0:
        return 0.0
    return float(mi / np.mean([_entropy(class_idx), _entropy(cluster_idx)]))


def agency_alignment(G, groups="agency", *, seed=0, resolution=1.0, weight=None, implementation="networkx"):
    """Compare Louvain communities with agency membership.

    Parameters
    ----------
    G : networkx graph
        Direction is ignored (a directed graph is made undirected first).
        Self-loops are dropped; arcs both ways and parallel edges add up.
        Isolates cannot share a community with anyone: each is its own
        community, counted in ``n_communities``.
    groups : str or dict, default "agency"
        Node attribute holding the agency, or a dict node -> agency.
    seed : int or None, default 0
        Louvain is randomised; the default seed makes results repeatable.
    resolution : float, default 1.0
        Louvain resolution: above 1 favours smaller communities.
    weight : str or None, default None
        Edge attribute used as tie strength; None treats ties as equal.
    implementation : {"networkx", "auto"}, default "networkx"
        "auto" applies the rule of :func:`agency_nmi`: NetworKit's PLM above
        :data:`LOUVAIN_NETWORKX_MAX_TIES` ties (unweighted only; with a
        ``weight`` networkx is always used), so ``nmi`` equals
        ``agency_nmi(G, groups, seed=seed)`` at resolution 1.

    Returns
    -------
    dict
        ``nmi`` and ``ari`` (NaN for a graph with no nodes), ``n_communities``,
        and ``communities`` (node -> community id, 0 for the largest
        community, ties broken by the earliest node in ``G``'s order).

    Raises
    ------
    InvalidInputError
        If some node has no group.

    References
    ----------
    Blondel, V. D., Guillaume, J.-L., Lambiotte, R. & Lefebvre, E. (2008).
    Fast unfolding of communities in large networks. *J. Stat. Mech.* P10008.
    Hubert, L. & Arabie, P. (1985). Comparing partitions. *J. Classification* 2, 193-218.

    Examples
    --------
    >>> G = nx.barbell_graph(4, 0)
    >>> side = {v: "A" if v < 4 else "B" for v in G}
    >>> agency_alignment(G, side)["nmi"]
    1.0
    """
    codes, _ = _group_codes(G, groups)
    if len(G) == 0:
        nan = float("nan")
        return {"nmi": nan, "ari": nan, "n_communities": 0, "communities": {}}
    if implementation not in ("networkx", "auto"):
        raise InvalidInputError(f"implementation={implementation!r} is not known; use 'networkx' or 'auto'.")
    if implementation == "auto" and weight is None and G.number_of_edges() > LOUVAIN_NETWORKX_MAX_TIES:
        membership, n_communities = _ranked(G, _plm_labels(G, seed=seed, resolution=resolution))
    else:
        membership, n_communities = _louvain_membership(G, seed=seed, resolution=resolution, weight=weight)
    labels = [membership[v] for v in G]
    # Imported here (it takes about a second), and not while another thread holds scikit-learn back.
    adjusted_rand_score = import_module("sklearn.metrics").adjusted_rand_score

    return {
        "nmi": normalized_mutual_info(codes, labels),
        "ari": float(adjusted_rand_score(codes, labels)),
        "n_communities": n_communities,
        "communities": {v: membership[v] for v in G},
    }


def _louvain_membership(G, *, seed=0, resolution=1.0, weight=None):
    """``({node: community id}, number of communities)`` as in :func:`agency_alignment`."""
    found = nx.community.louvain_communities(
        _louvain_graph(G, weight), weight="weight", resolution=resolution, seed=seed
    )
    order = {v: i for i, v in enumerate(G)}
    ranked = sorted(found, key=lambda c: (-len(c), min(order[v] for v in c)))
    return {v: cid for cid, members in enumerate(ranked) for v in members}, len(ranked)


def _ranked(G, labels):
    """``({node: community id}, n)`` from one label per node of ``G``, ids as :func:`_louvain_membership`."""
    labels = np.asarray(labels)
    _, first, inverse, sizes = np.unique(labels, return_index=True, return_inverse=True, return_counts=True)
    rank = np.lexsort((first, -sizes))  # largest first, then by the earliest node in G's order
    cid = np.empty(len(rank), dtype=np.int64)
    cid[rank] = np.arange(len(rank))
    return dict(zip(G, cid[inverse].tolist())), len(rank)


def _louvain_graph(G, weight):
    """Undirected graph Louvain runs on: arcs both ways (or parallel edges) add up to one tie.

    From a :class:`netdash.metrics.matrix.GraphMatrix` it is built from the
    mutual weights with pairs in sorted order, which is the edge order of a
    graph built from a sorted edge table, so Louvain sees the same graph.
    """
    U = nx.Graph()
    U.add_nodes_from(G)
    if isinstance(G, GraphMatrix):
        upper = sp.triu(G.mutual(weight), k=1).tocoo()
        rank = np.lexsort((upper.col, upper.row))
        nodes = np.asarray(G.nodes, dtype=object)
        U.add_edges_from((a, b, {"weight": w}) for a, b, w in zip(
            nodes[upper.row[rank]].tolist(), nodes[upper.col[rank]].tolist(), upper.data[rank].tolist()))
        return U
    for u, v, w in G.edges(data=weight, default=1.0):
        if u != v:
            strength = 1.0 if weight is None else float(w)
            previous = U.get_edge_data(u, v, {"weight": 0.0})["weight"]
            U.add_edge(u, v, weight=previous + strength)
    return U


def agency_nmi(G, groups="agency", *, seed=0):
    """NMI of Louvain communities with agencies, by the size rule every page and the CLI share.

    Conventions as :func:`agency_alignment` with its defaults (unweighted,
    resolution 1, self-loops dropped, each isolate its own community,
    arithmetic NMI). Up to :data:`LOUVAIN_NETWORKX_MAX_TIES` ties the value
    is exactly ``agency_alignment(G, groups, seed=seed)["nmi"]``; above it
    the communities come from NetworKit's PLM (Staudt & Meyerhenke 2016),
    which is randomised differently, so the value can differ from
    networkx's (on graphs with clear structure within 0.05, tested).

    Parameters
    ----------
    G : networkx graph or :class:`netdash.metrics.matrix.GraphMatrix`
        Direction is ignored.
    groups : str or dict, default "agency"
        Node attribute holding the agency, or a dict node -> agency.
    seed : int, default 0

    Returns
    -------
    float
        In [0, 1]; NaN for a graph with no nodes.

    Raises
    ------
    InvalidInputError
        If some node has no group.

    Examples
    --------
    >>> G = nx.barbell_graph(4, 0)
    >>> agency_nmi(G, {v: "A" if v < 4 else "B" for v in G})
    1.0
    """
    codes, _ = _group_codes(G, groups)
    if len(G) == 0:
        return float("nan")
    if G.number_of_edges() > LOUVAIN_NETWORKX_MAX_TIES:
        return normalized_mutual_info(codes, _plm_labels(G, seed=seed))
    membership, _ = _louvain_membership(G, seed=seed)
    return normalized_mutual_info(codes, [membership[v] for v in G])


def _plm_labels(G, *, seed=0, resolution=1.0):
    """Community of each node of ``G`` (in ``G``'s order) by NetworKit's PLM, unweighted, resolution 1.

    PLM is Louvain (Blondel et al. 2008) run in parallel (Staudt & Meyerhenke
    2016), without refinement. It runs on one thread so that a seed gives
    one answer (parallel node moves make the partition depend on thread timing).
    """

    nk = networkit()  # imported on first use: 0.4 s
    if isinstance(G, GraphMatrix):
        H = networkit_graph(GraphMatrix(G.nodes, G.source, G.target) if G.is_directed() else G, None)
    else:
        H = networkit_graph(G.to_undirected(as_view=True) if G.is_directed() else G, None)
    threads = nk.getMaxNumberOfThreads()
    nk.setNumberOfThreads(1)
    try:
        nk.setSeed(int(seed), False)
        plm = nk.community.PLM(H, refine=False, gamma=float(resolution))
        plm.run()
    finally:
        nk.setNumberOfThreads(threads)
    return np.asarray(plm.getPartition().getVector())
