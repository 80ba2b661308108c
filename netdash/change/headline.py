"""The headline measures of one practitioner network: computed here, and only here.

Every figure that summarises a whole network (Over time, Before & after, the
report's comparison, ``netdash compare``) comes from :func:`network_headline`
on a :class:`netdash.metrics.matrix.GraphMatrix`. The callers differ only in
how they build that matrix: :func:`headline_measures` from a period's edge
tables, :func:`netdash.change.compare.compare_periods` from the compared
practitioners' ties and from each bootstrap or permutation replicate.
"""

import numpy as np
import pandas as pd

from netdash.metrics import communities, fragmentation, mixing, structural_holes
from netdash.metrics.matrix import GraphMatrix
from netdash.metrics.trust import trust_edges
from netdash.networks import graphs, period_log, union_counts

__all__ = ["HEADLINE_MEASURES", "HEADLINE_EXPLANATIONS", "network_headline", "headline_measures"]

#: Measures compared between periods, in display order.
HEADLINE_MEASURES = ("n_ties", "cross_agency_share", "ei_index", "fragmentation", "isolates",
                     "trust_ties", "mean_constraint", "agency_nmi")

#: ``{measure: (label, plain meaning, formula and source)}`` for the headline measures of
#: :func:`headline_measures`, in display order.
HEADLINE_EXPLANATIONS = {
    "n_ties": ("Ties", "Pairs of practitioners with a tie in the period.",
               "Edges of the undirected practitioner graph; weights ignored."),
    "cross_agency_share": ("Cross-agency share", "Share of ties that join two different agencies.",
                           "ties between agencies / all ties; none when there are no ties."),
    "ei_index": ("E-I index", *mixing.EXPLANATIONS["ei_index"]),
    "fragmentation": ("Fragmentation", *fragmentation.EXPLANATIONS["fragmentation"]),
    "isolates": ("Isolates", "Practitioners in post with no tie at all in the period.",
                 "Nodes of degree 0."),
    "trust_ties": ("Trust ties", "Pairs whose contacts show a lasting working relationship (or who "
                   "rated each other in the trust survey).",
                   "Edges of the trust graph, default rule (netdash.metrics.trust.trust_graph)."),
    "mean_constraint": ("Mean constraint", structural_holes.EXPLANATIONS["constraint"][0]
                        + " Averaged over practitioners with a tie.",
                        structural_holes.EXPLANATIONS["constraint"][1]),
    "agency_nmi": ("Agency NMI", *communities.EXPLANATIONS["agency_nmi"]),
}


def network_headline(M, trust_ties, *, seed=0):
    """The headline measures of one practitioner network.

    Parameters
    ----------
    M : GraphMatrix
        The undirected practitioner network, isolates included, with node
        attribute ``agency`` (None where unknown). Self-loops are not ties
        (a GraphMatrix drops them).
    trust_ties : int
        The number of trust ties among the same practitioners.
    seed : int, default 0
        First of the 10 Louvain seeds for ``agency_nmi``.

    Returns
    -------
    dict
        ``n_practitioners`` (nodes, isolates included), ``n_ties``,
        ``cross_agency_share`` (ties between agencies / ties; a missing
        agency differs from every known one), ``ei_index`` (Krackhardt &
        Stern 1988), ``fragmentation`` (Borgatti 2006), ``isolates``,
        ``trust_ties``, ``mean_constraint`` (Burt 1992, mean over
        practitioners with at least one tie) and ``agency_nmi`` (NMI of
        Louvain communities against agencies, the median over 10 seeded runs
        as everywhere else, :func:`netdash.metrics.communities.agency_nmi`).
        Ratios with no ties
        to count are NaN. Weights are ignored.

    Examples
    --------
    >>> M = GraphMatrix(["a", "b", "c", "d"], [0, 1], [1, 2], node_attrs={"agency": ["A", "A", "B", "B"]})
    >>> h = network_headline(M, trust_ties=1)
    >>> h["n_ties"], h["cross_agency_share"], h["isolates"], h["ei_index"]
    (2, 0.5, 1, 0.0)
    """
    n, m = len(M), M.number_of_edges()
    groups = pd.Series(M.node_attrs.get("agency", [None] * n), dtype=object).to_numpy()
    cross = int(np.count_nonzero(groups[M.source] != groups[M.target]))
    nan = float("nan")
    cons = np.array(list(structural_holes.constraint(M).values()), dtype=float) if m else np.array([])
    return {
        "n_practitioners": n,
        "n_ties": m,
        "cross_agency_share": cross / m if m else nan,
        "ei_index": mixing.ei_index(M) if m else nan,
        "fragmentation": fragmentation.fragmentation(M),
        "isolates": n - len(np.unique(np.r_[M.source, M.target])),
        "trust_ties": int(trust_ties),
        "mean_constraint": float(np.nanmean(cons)) if np.isfinite(cons).any() else nan,
        "agency_nmi": communities.agency_nmi(M, seed=seed) if m else nan,
    }


def _matrix_of_codes(ds, period, nodes, ties, window_days):
    """The GraphMatrix of :func:`netdash.networks.graphs.practitioner_edges` made from its coded pairs.

    The same matrix as ``GraphMatrix.from_edges`` of the edge table (a
    GraphMatrix sorts its ties), without writing the table's ids and looking
    them up again. None when a tie end is not in ``nodes``.
    """
    log = period_log(ds, period)
    found = union_counts(ds, period, ties, window_days)
    ids = nodes["practitioner_id"].tolist()
    codes = log.index.get_indexer(pd.Index(ids, dtype=object))  # increasing: both are sorted by id
    source, target = (np.zeros(0, dtype=np.int64),) * 2 if found is None else found[:2]
    u, v = np.searchsorted(codes, source), np.searchsorted(codes, target)
    if len(u) and (max(u.max(), v.max()) >= len(codes) or (codes[u] != source).any() or (codes[v] != target).any()):
        return None
    return GraphMatrix(ids, u, v, node_attrs={"agency": nodes["agency"]})


def headline_measures(ds, period, *, ties="working", window_days=90, seed=0):
    """The headline measures of the practitioner network of ``period``, for Over time and the report.

    Parameters
    ----------
    ds : Dataset
    period : Period
    ties : str, default "working"
        Tie choice of :func:`netdash.networks.graphs.practitioner_graph`.
    window_days : int, default 90
    seed : int, default 0
        Louvain seed for ``agency_nmi``.

    Returns
    -------
    dict
        :func:`network_headline` of the network of
        :func:`netdash.networks.graphs.practitioner_graph` (built from its
        edge table, no networkx graph), with ``trust_ties`` the edges of
        :func:`netdash.metrics.trust.trust_graph` (default rule).
    """
    nodes = graphs.practitioner_nodes(ds, period)
    M = _matrix_of_codes(ds, period, nodes, ties, window_days)
    if M is None:  # a tie end that is not a node (not expected): the edge table says which
        edges = graphs.practitioner_edges(ds, period, ties=ties, window_days=window_days)
        M = GraphMatrix.from_edges(nodes["practitioner_id"], edges["source"], edges["target"],
                                   node_attrs={"agency": nodes["agency"]})
    # trust_edges lists each pair once (a < b), so its trust ties are the trust graph's edges.
    trust_ties = int(trust_edges(ds, period)["is_trust_tie"].astype(bool).sum())
    return network_headline(M, trust_ties=trust_ties, seed=seed)
