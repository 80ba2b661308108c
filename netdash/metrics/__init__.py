"""Measures on netdash networks, one module per family of measures, as in ``networkx.algorithms``.

Every measure is importable from here (``from netdash.metrics import
brokerage_roles``) or from its family's module
(``netdash.metrics.brokerage``), where its explanation (``EXPLANATIONS``)
lives. Two measures share their module's name and are reached through it,
so that ``from netdash.metrics import fragmentation`` stays the module:
``fragmentation.fragmentation`` and ``structural_holes.structural_holes``.
Each accepts a networkx graph or a
:class:`netdash.metrics.matrix.GraphMatrix` of one (built once, shared by
every measure of an analysis).

- :mod:`~netdash.metrics.basic`: degrees, cross-agency ties, whole-network counts
- :mod:`~netdash.metrics.trust`: trust ties, from contact logs or the survey
- :mod:`~netdash.metrics.brokerage`: Gould & Fernandez roles, expected values, z-scores
- :mod:`~netdash.metrics.centrality`: betweenness (exact or sampled), harmonic centrality
- :mod:`~netdash.metrics.structural_holes`: Burt's constraint and effective size
- :mod:`~netdash.metrics.fragmentation` and :mod:`~netdash.metrics.distance`:
  components, Borgatti's fragmentation, key players
- :mod:`~netdash.metrics.mixing`: Krackhardt & Stern's E-I index, mixing matrices
- :mod:`~netdash.metrics.communities`: Louvain communities against agencies
- :mod:`~netdash.metrics.qap`: QAP correlation of two networks
- :mod:`~netdash.metrics.matrix`: :class:`GraphMatrix`; :mod:`~netdash.metrics.backends`:
  the compiled libraries behind the measures
"""

from netdash.metrics.basic import CROSS_AGENCY_RULE, PRACTITIONER_COLUMNS, network_summary, practitioner_metrics
from netdash.metrics.brokerage import (ROLE_FIELDS, boundary_spanners, brokerage_by_group, brokerage_expected,
                                       brokerage_roles)
from netdash.metrics.centrality import (DEFAULT_WORK, BetweennessResult, betweenness, betweenness_estimate,
                                        harmonic_centrality)
from netdash.metrics.communities import (LOUVAIN_NETWORKX_MAX_TIES, agency_alignment, agency_nmi,
                                         adjusted_rand, normalized_mutual_info, searched_once)
from netdash.metrics.distance import DEFAULT_TOLERANCE, FragmentationEstimate, distance_weighted_fragmentation_estimate
from netdash.metrics.fragmentation import components_summary, distance_weighted_fragmentation, key_players
from netdash.metrics.matrix import GraphMatrix
from netdash.metrics.mixing import (collapse_mixing, ei_by_group, ei_by_node, ei_index, ei_permutation_test,
                                    group_mixing, mixing_matrix, sector_label)
from netdash.metrics.qap import qap_correlation
from netdash.metrics.structural_holes import constraint, effective_size
from netdash.metrics.trust import (describe_trust_rule, trust_by_agency, trust_edges, trust_graph, trust_pair_table,
                                   trust_summary)

__all__ = [
    "GraphMatrix",
    # basic
    "CROSS_AGENCY_RULE", "PRACTITIONER_COLUMNS", "practitioner_metrics", "network_summary",
    # trust
    "trust_edges", "trust_graph", "trust_summary", "describe_trust_rule", "trust_pair_table", "trust_by_agency",
    # brokerage
    "ROLE_FIELDS", "brokerage_roles", "brokerage_by_group", "brokerage_expected", "boundary_spanners",
    # centrality
    "DEFAULT_WORK", "BetweennessResult", "betweenness", "betweenness_estimate", "harmonic_centrality",
    # structural holes
    "constraint", "effective_size",
    # fragmentation
    "distance_weighted_fragmentation", "components_summary", "key_players",
    "DEFAULT_TOLERANCE", "FragmentationEstimate", "distance_weighted_fragmentation_estimate",
    # mixing
    "ei_index", "ei_by_group", "ei_by_node", "ei_permutation_test", "mixing_matrix", "collapse_mixing",
    "group_mixing", "sector_label",
    # communities
    "LOUVAIN_NETWORKX_MAX_TIES", "agency_nmi", "agency_alignment", "searched_once", "normalized_mutual_info",
    "adjusted_rand",
    # QAP
    "qap_correlation",
]
