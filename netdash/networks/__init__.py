"""The networks of a period, built from a dataset's contact log and COP attendance.

- :mod:`netdash.networks.codes`: the contact log on integer codes, and the
  array helpers that count pairs and spans on them;
- :mod:`netdash.networks.counts`: tie counts per practitioner pair and tie
  type (contacts, co-working, COP co-attendance), the tables every builder
  reads;
- :mod:`netdash.networks.graphs`: the networkx graphs (bipartite, contact,
  co-working, COP, practitioner, agency) and their edge tables.

Practitioner graphs have one node per practitioner in post in the period,
isolates included (see docs/architecture.md for the node attributes).
"""

from netdash.networks.codes import (CodedLog, coded_log, distinct_rows, isin_sorted, overlap_pairs, reduce_by_key,
                                   sorted_counts, spans, unique_sorted)
from netdash.networks.counts import (check_window, cop_counts, coworking_counts, dataset_log, direct_counts,
                                     kept_union_counts, period_log, reused, stored, tie_types,
                                     union_counts)
from netdash.networks.graphs import (PRACTITIONER_EDGE_ATTRS, TIE_TYPES, AgencyLinks, agency_graph,
                                     agency_graph_from_tables, agency_links_from_tables, agency_tie_counts,
                                     bipartite_graph, contact_edges, contact_graph, cop_edges, cop_graph,
                                     coworking_edges, coworking_graph, ego_graph, graph_from_tables, practitioner_edges,
                                     practitioner_graph, practitioner_nodes, practitioners_in_post, steps_from)

__all__ = [
    # graphs
    "TIE_TYPES", "PRACTITIONER_EDGE_ATTRS", "practitioners_in_post", "practitioner_nodes", "bipartite_graph",
    "contact_edges", "contact_graph", "coworking_edges", "coworking_graph", "cop_edges", "cop_graph",
    "practitioner_edges", "practitioner_graph", "agency_tie_counts", "agency_graph", "agency_graph_from_tables", "AgencyLinks", "agency_links_from_tables",
    "ego_graph", "steps_from",
    "graph_from_tables",
    # tie counts
    "reused", "stored", "period_log", "dataset_log", "tie_types", "check_window",
    "direct_counts", "coworking_counts", "cop_counts", "union_counts", "kept_union_counts",
    # coded logs
    "CodedLog", "coded_log", "sorted_counts", "isin_sorted", "unique_sorted", "reduce_by_key", "distinct_rows", "spans",
    "overlap_pairs",
]
