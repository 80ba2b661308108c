"""The whole analysis of one period, as the CLI and the pages use it.

This module only composes the measure families in :mod:`netdash.metrics`.
:class:`NetworkAnalysis` builds each graph of a period once (the contact log
is aggregated once, see :func:`netdash.graphs.reuse_tables`) and shares the
graphs between the per-practitioner table and the whole-network measures;
:func:`practitioner_table` and :func:`network_measures` are shortcuts that
each build their own.

Speed at city scale (``docs/benchmarks.md``): betweenness is exact while
``n * m`` fits :data:`netdash.metrics.centrality.DEFAULT_WORK`, otherwise
sampled, and the output says which (``betweenness_method``,
``betweenness_sources``, ``betweenness_max_standard_error`` and the
``betweenness_se`` column). Louvain for ``agency_nmi`` runs in networkx up
to :data:`LOUVAIN_NETWORKX_MAX_TIES` ties and in NetworKit's PLM (the same
method, parallel) above it.
"""

import math
from functools import cached_property

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

from netdash import graphs
from netdash.metrics import basic, brokerage, centrality, communities, fragmentation, mixing
from netdash.metrics import structural_holes, trust

__all__ = [
    "NetworkAnalysis",
    "practitioner_table",
    "network_measures",
    "PRACTITIONER_COLUMNS",
    "NETWORK_FIELDS",
    "LOUVAIN_NETWORKX_MAX_TIES",
]

#: Columns of ``practitioners.csv`` in the order they are written (a contract).
PRACTITIONER_COLUMNS = [
    "practitioner_id",
    "agency_id",
    "degree",
    "in_degree",
    "out_degree",
    "cross_agency_ties",
    "clients",
    "contacts",
    "cop_sessions",
    "betweenness",
    "constraint",
    "effective_size",
    "ei_index",
    "trust_ties",
    "broker_coordinator",
    "broker_itinerant",
    "broker_representative",
    "broker_gatekeeper",
    "broker_liaison",
    "broker_total",
    "key_player_fragmentation_gain",
]

#: Fields of ``network.json`` (a contract; later fields are added, never renamed).
NETWORK_FIELDS = [
    "n_practitioners",
    "n_ties",
    "n_isolates",
    "n_agencies",
    "cross_agency_ties",
    "cross_agency_share",
    "density",
    "mean_degree",
    "fragmentation",
    "distance_weighted_fragmentation",
    "ei_index",
    "n_components",
    "agency_nmi",
    "trust_ties",
    "betweenness_method",
    "betweenness_sources",
    "betweenness_max_standard_error",
]

LOUVAIN_NETWORKX_MAX_TIES = 100_000
"""Above this many ties ``agency_nmi`` uses NetworKit's PLM instead of networkx's Louvain.

On the medium demo (145,683 ties) both give NMI 0.2566 for seeds 0 to 4;
PLM takes 0.4 s against networkx's 1.7 s (``docs/benchmarks.md``)."""


class NetworkAnalysis:
    """Every measure of one period, with each graph built once and shared.

    Parameters
    ----------
    ds : Dataset
    period : Period, optional
        The period analysed; ``None`` means all the data.
    ties : {"direct", "coworking", "cop", "working", "all"}
        Which ties make the undirected practitioner graph used for degree,
        betweenness, constraint, E-I, key players and communities. Brokerage
        always uses the directed graph of direct contacts, since roles need
        direction.
    window_days : int
        Co-working window (see :func:`netdash.graphs.coworking_graph`).
    trust_options : dict, optional
        Keyword options for :func:`netdash.metrics.trust.trust_graph`.
    seed : int, default 0
        Seed of Louvain and of sampled betweenness.
    max_work : float, default :data:`netdash.metrics.centrality.DEFAULT_WORK`
        Budget for exact betweenness, in node x tie steps (see
        :func:`netdash.metrics.centrality.betweenness_estimate`).

    Examples
    --------
    >>> from netdash.dataset import Dataset
    >>> ds = Dataset.from_records(
    ...     agencies=[{"agency_id": "A", "name": "Housing"}, {"agency_id": "B", "name": "GP"}],
    ...     practitioners=[{"practitioner_id": p, "agency_id": a} for p, a in [("p1", "A"), ("p2", "A"), ("p3", "B")]],
    ...     contacts=[{"date": "2024-01-0" + str(d), "practitioner_id": "p2", "with_practitioner_id": w}
    ...               for d, w in [(1, "p1"), (2, "p3")]])
    >>> analysis = NetworkAnalysis(ds)
    >>> table, summary = analysis.practitioner_table(), analysis.network_measures()
    >>> table["betweenness"].tolist(), summary["n_ties"], summary["betweenness_method"]
    ([0.0, 1.0, 0.0], 2, 'exact')
    """

    def __init__(self, ds, period=None, *, ties="all", window_days=90, trust_options=None, seed=0,
                 max_work=centrality.DEFAULT_WORK):
        self.ds, self.period = ds, period
        self.ties, self.window_days, self.seed, self.max_work = ties, window_days, seed, max_work
        self.trust_options = dict(trust_options or {})

    @cached_property
    def _built(self):
        # One store of edge tables for every graph and for basic.practitioner_metrics.
        with graphs.reuse_tables():
            options = dict(ties=self.ties, window_days=self.window_days)
            G = graphs.practitioner_graph(self.ds, self.period, **options)
            D = graphs.contact_graph(self.ds, self.period)
            T = trust.trust_graph(self.ds, self.period, **self.trust_options)
            counts = basic.practitioner_metrics(self.ds, self.period, **options)
        return G, D, T, counts

    @property
    def G(self):
        """Undirected practitioner graph of the chosen ``ties``."""
        return self._built[0]

    @property
    def D(self):
        """Directed graph of direct contacts."""
        return self._built[1]

    @property
    def T(self):
        """Undirected graph of trust ties."""
        return self._built[2]

    @cached_property
    def betweenness(self):
        """:class:`netdash.metrics.centrality.BetweennessResult` of :attr:`G`, computed once."""
        return centrality.betweenness_estimate(self.G, normalized=True, max_work=self.max_work, seed=self.seed)

    def practitioner_table(self):
        """One row per practitioner with every per-practitioner measure.

        Returns
        -------
        DataFrame
            Columns :data:`PRACTITIONER_COLUMNS`, then the descriptive columns
            of :func:`netdash.metrics.basic.practitioner_metrics` and
            ``betweenness_se`` (standard error of a sampled betweenness, 0.0
            when exact); sorted by practitioner_id.
        """
        G, D, T, table = self._built
        per_node = pd.DataFrame(index=pd.Index(sorted(G.nodes), name="practitioner_id"))
        between = self.betweenness
        per_node["betweenness"] = pd.Series(between.values, dtype="float64")
        per_node = per_node.join(structural_holes.structural_holes(G)[["constraint", "effective_size"]])
        per_node["ei_index"] = pd.Series(mixing.ei_by_node(G, "agency"), dtype="float64")
        per_node["trust_ties"] = pd.Series(dict(T.degree()), dtype="float64")
        roles = brokerage.brokerage_roles(D, "agency")
        if "practitioner_id" in roles.columns:
            roles = roles.set_index("practitioner_id")
        per_node = per_node.join(roles)
        # Only the plain gain is reported: skip the O(n^2 m) distance-weighted columns.
        keys = fragmentation.key_players(G, max_nodes=0)
        if "practitioner_id" in keys.columns:
            keys = keys.set_index("practitioner_id")
        per_node = per_node.join(keys[["key_player_fragmentation_gain"]])
        se = between.standard_error
        per_node["betweenness_se"] = 0.0 if se is None else pd.Series(se, dtype="float64")

        table = table.merge(per_node, left_on="practitioner_id", right_index=True, how="left")
        for col in ["trust_ties"] + [c for c in PRACTITIONER_COLUMNS if c.startswith("broker_")]:
            table[col] = table[col].fillna(0).astype(int)
        extra = [c for c in table.columns if c not in PRACTITIONER_COLUMNS]
        return table[PRACTITIONER_COLUMNS + extra].sort_values("practitioner_id").reset_index(drop=True)

    def network_measures(self):
        """Whole-network measures for ``network.json``.

        ``distance_weighted_fragmentation`` is Borgatti's (2006)
        ``1 - sum_v h_v / (n (n - 1))`` with ``h_v`` the harmonic centrality,
        the value of
        :func:`netdash.metrics.fragmentation.distance_weighted_fragmentation`
        (tested) from a parallel all-pairs search.

        Returns
        -------
        dict
            Keys :data:`NETWORK_FIELDS` plus ``period`` and ``ties``. Values
            that cannot be computed (an empty period) are ``None``, never NaN,
            so the dict is valid JSON.
        """
        G, T = self.G, self.T
        n = len(G)
        out = dict(basic.network_summary(G))
        out["fragmentation"] = fragmentation.fragmentation(G)
        harmonic = sum(centrality.harmonic_centrality(G).values())
        out["distance_weighted_fragmentation"] = float(1.0 - harmonic / (n * (n - 1.0))) if n >= 2 else 0.0
        out["ei_index"] = mixing.ei_index(G, "agency")
        out["n_components"] = nx.number_connected_components(G) if n else 0
        out["density"] = nx.density(G) if n > 1 else 0.0
        out["agency_nmi"] = self._agency_nmi() if G.number_of_edges() else None
        out["trust_ties"] = T.number_of_edges()
        between = self.betweenness
        out["betweenness_method"] = between.method
        out["betweenness_sources"] = between.sources
        out["betweenness_max_standard_error"] = between.max_standard_error
        out["ties"] = self.ties
        out["period"] = self.period.label() if self.period is not None else "all data"
        return {k: _jsonable(v) for k, v in out.items()}

    def _agency_nmi(self):
        if self.G.number_of_edges() <= LOUVAIN_NETWORKX_MAX_TIES:
            return communities.agency_alignment(self.G, "agency", seed=self.seed)["nmi"]
        return _plm_agency_nmi(self.G, seed=self.seed)


def _plm_agency_nmi(G, *, seed=0):
    """NMI of NetworKit PLM communities with agencies.

    PLM is Louvain (Blondel et al. 2008) run in parallel (Staudt & Meyerhenke
    2016), without refinement, resolution 1. Conventions as
    :func:`netdash.metrics.communities.agency_alignment`: unweighted,
    self-loops dropped, each isolate its own community, arithmetic NMI.
    Louvain is randomised, so the partition, and the NMI, can differ
    from networkx's; on graphs with clear structure they agree within 0.05
    (tested). Run on one thread so that a seed gives one answer.
    """
    import networkit as nk  # imported here: it takes about a second

    codes = pd.factorize(pd.Series([G.nodes[v]["agency"] for v in G], dtype=object), sort=True)[0]
    H = centrality._networkit(G.to_undirected(as_view=True) if G.is_directed() else G, None)
    # One thread: PLM's parallel node moves make the partition depend on thread timing.
    threads = nk.getMaxNumberOfThreads()
    nk.setNumberOfThreads(1)
    try:
        nk.setSeed(int(seed), False)
        plm = nk.community.PLM(H, refine=False, gamma=1.0)
        plm.run()
    finally:
        nk.setNumberOfThreads(threads)
    labels = np.asarray(plm.getPartition().getVector())
    return float(normalized_mutual_info_score(codes, labels))


def practitioner_table(ds, period=None, *, ties="all", window_days=90, trust_options=None):
    """One row per practitioner with every per-practitioner measure.

    Shortcut for ``NetworkAnalysis(ds, period, ...).practitioner_table()``;
    use :class:`NetworkAnalysis` to get :func:`network_measures` from the
    same graphs without building them again.

    Returns
    -------
    DataFrame
        Columns :data:`PRACTITIONER_COLUMNS` (then extra columns), sorted by practitioner_id.
    """
    return NetworkAnalysis(ds, period, ties=ties, window_days=window_days,
                           trust_options=trust_options).practitioner_table()


def network_measures(ds, period=None, *, ties="all", window_days=90, trust_options=None, seed=0):
    """Whole-network measures for ``network.json``.

    Shortcut for ``NetworkAnalysis(ds, period, ...).network_measures()``.

    Returns
    -------
    dict
        Keys :data:`NETWORK_FIELDS` plus ``period`` and ``ties``; None where
        a value cannot be computed.
    """
    return NetworkAnalysis(ds, period, ties=ties, window_days=window_days, trust_options=trust_options,
                           seed=seed).network_measures()


def _jsonable(value):
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
