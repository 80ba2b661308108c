"""Do the network's own communities follow agency lines?

Louvain communities (Blondel et al. 2008, seeded) are compared with agency
membership by normalised mutual information (NMI) and the adjusted Rand index
(ARI). NMI near 1 means the clusters in who-works-with-whom are the agencies
themselves (silos); near 0 means working groups cut across agencies.

scikit-learn is imported only when the adjusted Rand index is asked for
(its import is slow: ``docs/benchmarks.md``, "Deferred imports"); NMI is computed here by
:func:`normalized_mutual_info`, the same arithmetic as scikit-learn's
``normalized_mutual_info_score`` (tests compare them).

:func:`agency_nmi` is the one rule every ``agency_nmi`` shown (CLI, pages,
comparisons, time series) goes through: networkx's Louvain up to
:data:`LOUVAIN_NETWORKX_MAX_TIES` ties (1,000), NetworKit's PLM (the same method,
parallel) above it, run with each of :data:`AGENCY_NMI_SEEDS` (10) seeds; the
value is the median NMI over those runs, and :func:`agency_nmi_spread` gives
its range (issue 17; on Zachary's karate club against the two clubs one run's
NMI spans 0.49 to 0.60 over seeds 0 to 19).
"""

from math import log

import numpy as np
import scipy.sparse as sp

from netdash.metrics.backends import import_module, networkit
from netdash.errors import InvalidInputError
from netdash.metrics.matrix import GraphMatrix, networkit_graph
from netdash.metrics.mixing import _group_codes
from netdash.deferred import networkx as nx  # imported on first use

__all__ = ["EXPLANATIONS", "LOUVAIN_NETWORKX_MAX_TIES", "AGENCY_NMI_SEEDS", "agency_alignment", "agency_nmi",
           "agency_nmi_spread", "searched_once", "normalized_mutual_info", "adjusted_rand"]

AGENCY_NMI_SEEDS = 10
"""Louvain runs behind every ``agency_nmi``: seeds ``seed, seed + 1, ..., seed + 9``; the median is reported."""

LOUVAIN_NETWORKX_MAX_TIES = 1_000
"""Above this many ties :func:`agency_nmi` uses NetworKit's PLM instead of networkx's Louvain.

On the medium demo (89,351 ties) both give NMI 0.256571352264418 for seeds 0
to 4, and PLM is many times faster there and on graphs of a few thousand
ties. The threshold is this low because Over time computes one NMI per
window: the medium demo's monthly windows of working ties have 3,000 to
5,000 ties each. The two implementations' NMIs differ by about as much as
Louvain's own randomness (quarterly windows: -0.080 to +0.032, median
+0.011), which is why small changes in this measure should not be read as
effects. Up to 1,000 ties networkx is quick, and the karate club and other
textbook graphs keep networkx's answers. NetworKit's import is paid once per
process. Timings of both, by graph size, and of the windows:
``docs/benchmarks.md``, "LOUVAIN_NETWORKX_MAX_TIES"."""



def searched_once(n_ties):
    """Whether :func:`agency_nmi` searches a network of ``n_ties`` ties once, whatever the seed.

    Above :data:`LOUVAIN_NETWORKX_MAX_TIES` ties it uses NetworKit's PLM,
    which on one thread gives one partition whatever the seed
    (:func:`_plm_labels`): its lowest and highest NMI over the seeds are then
    equal, and say nothing about another search's answer. The rule every
    caller shares (the measures here, and the report's note on the range).

    Examples
    --------
    >>> searched_once(LOUVAIN_NETWORKX_MAX_TIES), searched_once(LOUVAIN_NETWORKX_MAX_TIES + 1)
    (False, True)
    """
    return n_ties > LOUVAIN_NETWORKX_MAX_TIES


EXPLANATIONS = {
    "agency_nmi": (
        "How closely the groups that actually work together match agency "
        "boundaries: 1 means the working groups are exactly the agencies "
        "(silos), 0 means they have nothing to do with agency. The groups come "
        "from a randomised search, and one search can differ from another by "
        "a tenth or more (0.49 to 0.60 over 20 searches on Zachary's karate "
        "club), so the search is run 10 times and the value shown is the "
        "middle one (the median), with the lowest and highest: read only "
        "changes larger than that range. Above 1,000 ties the search used "
        "(NetworKit's PLM, on one thread) finds the same groups whatever the "
        "seed, so the lowest and highest are equal there and the range says "
        "nothing about how much another search could differ.",
        "Median over 10 seeded Louvain runs of NMI(communities, agencies), "
        "arithmetic normalisation; min and max over the runs "
        "(Blondel et al. 2008; Danon et al. 2005).",
    ),
    "agency_ari": (
        "The same comparison corrected for chance: 0 is what random groupings "
        "would give, 1 is a perfect match.",
        "Adjusted Rand index of communities vs agencies (Hubert & Arabie 1985).",
    ),
}


def _entropy(counts):
    """Entropy of a labelling from its class sizes (every one above 0), in the order of its sorted labels."""
    counts = np.asarray(counts, dtype=float)
    if counts.size <= 1:
        return 0.0
    total = np.sum(counts)
    return float(-np.sum((counts / total) * (np.log(counts) - log(total))))


def _contingency(labels_true, labels_pred):
    """The contingency table of two labellings, and its nonzero cells in row-major order.

    Rows and columns are the sorted distinct labels. The cells' order is that
    of scipy's CSR table, as scikit-learn reads it: the same counts summed in
    the same order give the same bits. Returns ``(table, rows, cols, values)``.
    """
    classes, class_idx = np.unique(np.asarray(labels_true), return_inverse=True)
    clusters, cluster_idx = np.unique(np.asarray(labels_pred), return_inverse=True)
    n_classes, n_clusters = classes.shape[0], clusters.shape[0]
    counts = np.bincount(class_idx.ravel() * n_clusters + cluster_idx.ravel(), minlength=n_classes * n_clusters)
    cells = np.flatnonzero(counts)
    rows, cols = np.divmod(cells, n_clusters)
    return counts.reshape(n_classes, n_clusters), rows, cols, counts[cells].astype(np.float64)


def adjusted_rand(labels_true, labels_pred):
    """Adjusted Rand index of two labellings (Hubert & Arabie 1985).

    Computed from the pair confusion matrix in whole numbers, as
    scikit-learn's ``adjusted_rand_score`` does, so the values are the same:
    1.0 for identical partitions (and the special cases where no pair is
    split differently), about 0 for independent ones, negative when they
    agree less than chance.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n,)

    Returns
    -------
    float

    References
    ----------
    Hubert, L. & Arabie, P. (1985). Comparing partitions. *J. Classification* 2, 193-218.

    Examples
    --------
    >>> adjusted_rand([0, 0, 1, 1], [5, 5, 7, 7])
    1.0
    >>> adjusted_rand([0, 0, 1, 1], [0, 1, 0, 1])
    -0.5
    """
    table = _contingency(labels_true, labels_pred)[0].astype(np.int64)
    n = int(table.sum())
    n_c, n_k = table.sum(axis=1), table.sum(axis=0)
    sum_squares = int((table ** 2).sum())
    tp = sum_squares - n
    fp = int((table @ n_k).sum()) - sum_squares
    fn = int((table.T @ n_c).sum()) - sum_squares
    tn = n * n - fp - fn - sum_squares
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


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
    table, rows, cols, values = _contingency(labels_true, labels_pred)
    if table.shape[0] == table.shape[1] and table.shape[0] in (0, 1):
        return 1.0
    total = float(values.sum())
    pi, pj = table.sum(axis=1).astype(np.float64), table.sum(axis=0).astype(np.float64)
    if pi.size == 1 or pj.size == 1:
        return 0.0
    share = values / total
    outer = pi.take(rows).astype(np.int64, copy=False) * pj.take(cols).astype(np.int64, copy=False)
    log_outer = -np.log(outer) + log(pi.sum()) + log(pj.sum())
    mi = share * (np.log(values) - log(total)) + share * log_outer
    mi = float(np.clip(np.where(np.abs(mi) < np.finfo(mi.dtype).eps, 0.0, mi).sum(), 0.0, None))
    if mi == 0:
        return 0.0
    return float(mi / np.mean([_entropy(pi), _entropy(pj)]))  # the margins are the labellings' class sizes


def agency_alignment(G, groups="agency", *, seed=0, resolution=1.0, weight=None, implementation="networkx",
                     seeds=AGENCY_NMI_SEEDS):
    """Compare Louvain communities with agency membership, over several seeds.

    Louvain is randomised and its communities can move NMI by a tenth or more
    from one seed to the next, so it is run with each of ``seeds`` seeds
    (``seed, seed + 1, ...``) and the median NMI and ARI are reported with
    their range.

    Parameters
    ----------
    G : networkx graph
        Direction is ignored (a directed graph is made undirected first).
        Self-loops are dropped; arcs both ways and parallel edges add up.
        Isolates cannot share a community with anyone: each is its own
        community, counted in ``n_communities``.
    groups : str or dict, default "agency"
        Node attribute holding the agency, or a dict node -> agency.
    seed : int, default 0
        First of the seeds; the default makes results repeatable.
    resolution : float, default 1.0
        Louvain resolution: above 1 favours smaller communities.
    weight : str or None, default None
        Edge attribute used as tie strength; None treats ties as equal.
    implementation : {"networkx", "auto"}, default "networkx"
        "auto" applies the rule of :func:`agency_nmi`: NetworKit's PLM above
        :data:`LOUVAIN_NETWORKX_MAX_TIES` ties (unweighted only; with a
        ``weight`` networkx is always used), so ``nmi`` equals
        ``agency_nmi(G, groups, seed=seed)`` at resolution 1.
    seeds : int, default :data:`AGENCY_NMI_SEEDS`
        Number of Louvain runs; 1 gives the single run of ``seed``.

    Returns
    -------
    dict
        ``nmi`` and ``ari``: medians over the runs (NaN for a graph with no
        nodes); ``nmi_min``, ``nmi_max``, ``ari_min``, ``ari_max``: their
        range; ``seeds``: the seeds run; and, from the run of ``seed`` (the
        first), ``n_communities`` and ``communities`` (node -> community id,
        0 for the largest community, ties broken by the earliest node in
        ``G``'s order).

    Raises
    ------
    InvalidInputError
        If some node has no group, or ``seeds`` is not a positive whole number.

    References
    ----------
    Blondel, V. D., Guillaume, J.-L., Lambiotte, R. & Lefebvre, E. (2008).
    Fast unfolding of communities in large networks. *J. Stat. Mech.* P10008.
    Hubert, L. & Arabie, P. (1985). Comparing partitions. *J. Classification* 2, 193-218.

    Examples
    --------
    >>> G = nx.barbell_graph(4, 0)
    >>> side = {v: "A" if v < 4 else "B" for v in G}
    >>> result = agency_alignment(G, side)
    >>> result["nmi"], result["nmi_min"], result["nmi_max"], len(result["seeds"])
    (1.0, 1.0, 1.0, 10)
    """
    codes, _ = _group_codes(G, groups)
    run_seeds = _seed_list(seed, seeds)
    if len(G) == 0:
        nan = float("nan")
        return {"nmi": nan, "ari": nan, "nmi_min": nan, "nmi_max": nan, "ari_min": nan, "ari_max": nan,
                "seeds": run_seeds, "n_communities": 0, "communities": {}}
    if implementation not in ("networkx", "auto"):
        raise InvalidInputError(f"implementation={implementation!r} is not known; use 'networkx' or 'auto'.")
    plm = implementation == "auto" and weight is None and searched_once(G.number_of_edges())
    # Imported here, on first use (docs/benchmarks.md, "Deferred imports"), and not while another thread holds
    # scikit-learn back.
    adjusted_rand_score = import_module("sklearn.metrics").adjusted_rand_score

    def scores(membership):
        labels = [membership[v] for v in G]
        return normalized_mutual_info(codes, labels), float(adjusted_rand_score(codes, labels))

    if plm:
        # One partition whatever the seed (_plm_labels): scored once, and the scores stand for every seed.
        membership, n_communities = _ranked(G, _plm_labels(G, run_seeds[0], resolution=resolution))
        runs = [scores(membership)] * len(run_seeds)
    else:
        memberships = list(_louvain_memberships(G, run_seeds, resolution=resolution, weight=weight))
        runs = [scores(membership) for membership, _ in memberships]
        membership, n_communities = memberships[0]
    nmis, aris = zip(*runs)
    return {
        "nmi": float(np.median(nmis)), "ari": float(np.median(aris)),
        "nmi_min": min(nmis), "nmi_max": max(nmis), "ari_min": min(aris), "ari_max": max(aris),
        "seeds": run_seeds,
        "n_communities": n_communities,
        "communities": {v: membership[v] for v in G},
    }


def _seed_list(seed, seeds):
    if isinstance(seeds, bool) or not isinstance(seeds, (int, np.integer)) or seeds < 1:
        raise InvalidInputError(f"seeds must be a whole number of Louvain runs, at least 1; got {seeds!r}. "
                                f"Use e.g. {AGENCY_NMI_SEEDS}.")
    return [int(seed) + i for i in range(int(seeds))]


def _louvain_memberships(G, seeds, *, resolution=1.0, weight=None):
    """``({node: community id}, number of communities)`` as in :func:`agency_alignment`, for each of ``seeds``.

    networkx's Louvain; the undirected graph it runs on is built once.
    """
    U = _louvain_graph(G, weight)
    order = {v: i for i, v in enumerate(G)}
    for seed in seeds:
        found = nx.community.louvain_communities(U, weight="weight", resolution=resolution, seed=seed)
        ranked = sorted(found, key=lambda c: (-len(c), min(order[v] for v in c)))
        yield {v: cid for cid, members in enumerate(ranked) for v in members}, len(ranked)


def _ranked(G, labels):
    """``({node: community id}, n)`` from one label per node of ``G``, ids as :func:`_louvain_memberships`."""
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


def agency_nmi(G, groups="agency", *, seed=0, seeds=AGENCY_NMI_SEEDS):
    """Median NMI of Louvain communities with agencies over seeded runs, by the rule every page and the CLI share.

    The value of :func:`agency_nmi_spread` (``["nmi"]``); see there.

    Returns
    -------
    float
        In [0, 1]; NaN for a graph with no nodes.

    Examples
    --------
    >>> G = nx.barbell_graph(4, 0)
    >>> agency_nmi(G, {v: "A" if v < 4 else "B" for v in G})
    1.0
    """
    return agency_nmi_spread(G, groups, seed=seed, seeds=seeds)["nmi"]


def agency_nmi_spread(G, groups="agency", *, seed=0, seeds=AGENCY_NMI_SEEDS):
    """NMI (and ARI) of Louvain communities with agencies: median and range over seeded runs.

    Conventions as :func:`agency_alignment` with its defaults (unweighted,
    resolution 1, self-loops dropped, each isolate its own community,
    arithmetic NMI). Louvain is run with seeds ``seed`` to
    ``seed + seeds - 1``: up to :data:`LOUVAIN_NETWORKX_MAX_TIES` ties by
    networkx (so each run's NMI is exactly ``agency_alignment(G, groups,
    seed=s, seeds=1)["nmi"]``), above it by NetworKit's PLM (Staudt &
    Meyerhenke 2016), whose values can differ from networkx's (on graphs
    with clear structure within 0.05, tested). PLM on one thread gives the
    same partition whatever the seed (:func:`_plm_labels`), so above the
    threshold the runs agree: ``nmi_min == nmi_max``. The median of an even
    number of runs is the mean of the middle two.

    Parameters
    ----------
    G : networkx graph or :class:`netdash.metrics.matrix.GraphMatrix`
        Direction is ignored.
    groups : str or dict, default "agency"
        Node attribute holding the agency, or a dict node -> agency.
    seed : int, default 0
        First seed.
    seeds : int, default :data:`AGENCY_NMI_SEEDS`
        Number of runs.

    Returns
    -------
    dict
        ``nmi`` (median), ``nmi_min``, ``nmi_max``; the same for the adjusted
        Rand index of the same runs (``ari``, ``ari_min``, ``ari_max``,
        :func:`adjusted_rand`); and ``seeds`` (the list of seeds run). NaN
        values for a graph with no nodes.

    Raises
    ------
    InvalidInputError
        If some node has no group, or ``seeds`` is not a positive whole number.

    Examples
    --------
    >>> G = nx.barbell_graph(4, 0)
    >>> agency_nmi_spread(G, {v: "A" if v < 4 else "B" for v in G}, seeds=3)
    {'nmi': 1.0, 'nmi_min': 1.0, 'nmi_max': 1.0, 'ari': 1.0, 'ari_min': 1.0, 'ari_max': 1.0, 'seeds': [0, 1, 2]}
    """
    codes, _ = _group_codes(G, groups)
    run_seeds = _seed_list(seed, seeds)
    if len(G) == 0:
        nan = float("nan")
        return {"nmi": nan, "nmi_min": nan, "nmi_max": nan, "ari": nan, "ari_min": nan, "ari_max": nan,
                "seeds": run_seeds}
    def scores(labels):
        return normalized_mutual_info(codes, labels), adjusted_rand(codes, labels)

    if searched_once(G.number_of_edges()):
        # One partition whatever the seed (_plm_labels): scored once, and the scores stand for every seed.
        runs = [scores(_plm_labels(G, run_seeds[0]))] * len(run_seeds)
    else:
        runs = [scores([membership[v] for v in G]) for membership, _ in _louvain_memberships(G, run_seeds)]
    nmis, aris = zip(*runs)
    return {"nmi": float(np.median(nmis)), "nmi_min": min(nmis), "nmi_max": max(nmis),
            "ari": float(np.median(aris)), "ari_min": min(aris), "ari_max": max(aris), "seeds": run_seeds}


def _plm_labels(G, seed, *, resolution=1.0):
    """Community of each node of ``G`` (in ``G``'s order) by NetworKit's PLM, unweighted, with ``seed``.

    PLM is Louvain (Blondel et al. 2008) run in parallel (Staudt &
    Meyerhenke 2016), without refinement. It runs on one thread so that a seed
    gives one answer (parallel node moves make the partition depend on thread
    timing). On one thread its default strategy (``par="balanced"``) visits
    the nodes in a fixed order: only ``par="none randomized"`` draws on the
    seed, so every seed gives the same partition (NetworKit 11.2; seeds 0-9
    on all 128 windows of the medium demo over 1,000 ties, and random graphs:
    ``tests/metrics/test_communities.py`` checks it on the installed
    NetworKit). Callers therefore run it once, with the first seed, and let
    its partition stand for every seed: the same values as a run per seed, a
    tenth of the work (docs/browser_timings.md, "Over time and COP impact:
    plain chart specs, one PLM run").
    """
    nk = networkit()  # imported on first use (docs/benchmarks.md, "Deferred imports")
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
