"""Do the network's own communities follow agency lines?

Louvain communities (Blondel et al. 2008, seeded) are compared with agency
membership by normalised mutual information (NMI) and the adjusted Rand index
(ARI). NMI near 1 means the clusters in who-works-with-whom are the agencies
themselves (silos); near 0 means working groups cut across agencies.
"""

import networkx as nx
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from netdash.metrics.mixing import _group_codes

__all__ = ["EXPLANATIONS", "agency_alignment"]

EXPLANATIONS = {
    "agency_nmi": (
        "How closely the groups that actually work together match agency "
        "boundaries: 1 means the working groups are exactly the agencies "
        "(silos), 0 means they have nothing to do with agency.",
        "NMI(Louvain communities, agencies), arithmetic normalisation "
        "(Blondel et al. 2008; Danon et al. 2005).",
    ),
    "agency_ari": (
        "The same comparison corrected for chance: 0 is what random groupings "
        "would give, 1 is a perfect match.",
        "Adjusted Rand index of communities vs agencies (Hubert & Arabie 1985).",
    ),
}


def agency_alignment(G, groups="agency", *, seed=0, resolution=1.0, weight=None):
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
    U = nx.Graph()
    U.add_nodes_from(G)
    # Arcs both ways (or parallel edges) add up to one stronger undirected tie.
    for u, v, w in G.edges(data=weight, default=1.0):
        if u != v:
            strength = 1.0 if weight is None else float(w)
            previous = U.get_edge_data(u, v, {"weight": 0.0})["weight"]
            U.add_edge(u, v, weight=previous + strength)
    found = nx.community.louvain_communities(
        U, weight="weight", resolution=resolution, seed=seed
    )
    order = {v: i for i, v in enumerate(G)}
    ranked = sorted(found, key=lambda c: (-len(c), min(order[v] for v in c)))
    membership = {v: cid for cid, members in enumerate(ranked) for v in members}
    labels = [membership[v] for v in G]
    return {
        "nmi": float(normalized_mutual_info_score(codes, labels)),
        "ari": float(adjusted_rand_score(codes, labels)),
        "n_communities": len(ranked),
        "communities": {v: membership[v] for v in G},
    }
