"""The whole analysis of one period, as the CLI and the pages use it.

This module only composes the measure families in :mod:`netdash.metrics`.
:class:`NetworkAnalysis` reads the edge tables of :mod:`netdash.networks`
(counted once per dataset and kept in :attr:`netdash.dataset.Dataset.memo`,
so analyses of other ties or pages share them), builds from them one
:class:`netdash.metrics.matrix.GraphMatrix` per graph (node order, tie
arrays and each sparse matrix made once) and passes it to every measure; no
networkx graph is built unless one is asked for (:attr:`NetworkAnalysis.G`,
``D`` and ``T``); Louvain gets an unweighted copy made from the arrays.
:func:`practitioner_table` and :func:`network_measures` are shortcuts that
each build their own.

Speed at city scale (``docs/benchmarks.md``): betweenness is exact while
``n * m`` fits :data:`netdash.metrics.centrality.DEFAULT_WORK`, otherwise
sampled, and the output says which (``betweenness_method``,
``betweenness_sources``, ``betweenness_max_standard_error`` and the
``betweenness_se`` column). ``agency_nmi`` is
:func:`netdash.metrics.communities.agency_nmi`, the median over 10 seeded
Louvain runs (``agency_nmi_min``, ``agency_nmi_max`` and ``agency_nmi_seeds``
give the range and the seeds; ``agency_ari``, ``agency_ari_min`` and
``agency_ari_max`` the adjusted Rand index of the same runs): Louvain in networkx up to
:data:`LOUVAIN_NETWORKX_MAX_TIES` ties and NetworKit's PLM (the same method,
parallel) above it, the rule the pages' comparisons use too.

Each edge table is asked for on first use, so a page that only needs the
graph does not pay for trust edges or per-practitioner counts.
"""

import math
import threading
from functools import cached_property

import pandas as pd

from netdash import networks
from netdash.networks import graphs
from netdash.metrics import basic, brokerage, centrality, communities, distance, fragmentation, mixing
from netdash.metrics import structural_holes, trust
from netdash.metrics.matrix import GraphMatrix

__all__ = [
    "NetworkAnalysis",
    "betweenness_table",
    "betweenness_stage",
    "practitioner_table",
    "network_measures",
    "PRACTITIONER_COLUMNS",
    "NETWORK_FIELDS",
    "BROKERAGE_NULL_COLUMNS",
    "DIRECTED_BETWEENNESS_COLUMNS",
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
    "distance_weighted_fragmentation_method",
    "distance_weighted_fragmentation_sources",
    "distance_weighted_fragmentation_standard_error",
    "agency_nmi_min",
    "agency_nmi_max",
    "agency_nmi_seeds",
    "agency_ari",
    "agency_ari_min",
    "agency_ari_max",
    "ei_index_expected",
    "ei_index_p_value",
    "ei_index_permutations",
    "weighted",
    "directed",
    "betweenness_directed_method",
    "betweenness_directed_sources",
    "betweenness_directed_max_standard_error",
]

#: Columns of ``practitioners.csv`` after :data:`PRACTITIONER_COLUMNS` and the descriptive counts:
#: Gould & Fernandez's expected count, standard deviation and z-score of each brokerage role
#: (:func:`netdash.metrics.brokerage.brokerage_expected`), then directed betweenness and its standard
#: error (only when the contact graph is directed).
BROKERAGE_NULL_COLUMNS = [f"{role}_{part}" for role in (*brokerage.ROLE_FIELDS, "broker_total")
                          for part in ("expected", "sd", "z")]
DIRECTED_BETWEENNESS_COLUMNS = ["betweenness_directed", "betweenness_directed_se"]

LOUVAIN_NETWORKX_MAX_TIES = communities.LOUVAIN_NETWORKX_MAX_TIES
"""See :data:`netdash.metrics.communities.LOUVAIN_NETWORKX_MAX_TIES` (the rule lives there)."""


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
        Co-working window (see :func:`netdash.networks.graphs.coworking_graph`).
    trust_options : dict, optional
        Keyword options for :func:`netdash.metrics.trust.trust_graph`.
    seed : int, default 0
        Seed of Louvain and of sampled betweenness.
    max_work : float, default :data:`netdash.metrics.centrality.DEFAULT_WORK`
        Budget for exact betweenness, in node x tie steps (see
        :func:`netdash.metrics.centrality.betweenness_estimate`).
    weighted : bool, default False
        Use tie strength (edge ``weight``: contact weights, default 1 per
        contact row, plus co-working and COP counts, as the ``ties`` choice
        sums them) in betweenness (distance ``1 / weight``) and in Burt's
        constraint and effective size. Every other measure ignores weights.
    permutations : int, default 200
        Relabellings for the E-I index's permutation p-value in
        :meth:`network_measures`; 0 skips the test (``null`` p-value).

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
                 max_work=centrality.DEFAULT_WORK, weighted=False, permutations=200):
        self.ds, self.period = ds, period
        self.ties, self.window_days, self.seed, self.max_work = ties, window_days, seed, max_work
        self.trust_options = dict(trust_options or {})
        self.weighted, self.permutations = bool(weighted), permutations
        self.weight = "weight" if self.weighted else None
        #: False for a dataset whose contacts have no direction (each row counts both ways).
        self.directed = bool(getattr(ds, "directed", True))

    @cached_property
    def _nodes(self):
        return graphs.practitioner_nodes(self.ds, self.period)

    @cached_property
    def _edges(self):
        # Made from the memo's coded pairs, not kept there as well: the analysis keeps this table itself, and a
        # second copy in the memo (45 MB for the large demo's working ties) pushed out pairs that later pages count
        # again (Isolation: docs/benchmarks.md, "Session 18").
        return graphs.build_practitioner_edges(self.ds, self.period, ties=self.ties, window_days=self.window_days)

    @cached_property
    def _direct(self):
        return graphs.contact_edges(self.ds, self.period)

    @cached_property
    def _trust(self):
        return trust.trust_edges(self.ds, self.period, **self.trust_options)

    @cached_property
    def _counts(self):
        return basic.practitioner_metrics(self.ds, self.period, ties=self.ties, window_days=self.window_days)

    @property
    def node_table(self):
        """:func:`netdash.networks.graphs.practitioner_nodes` of the period (shared: read it, do not change it)."""
        return self._nodes

    @property
    def edge_table(self):
        """:func:`netdash.networks.graphs.practitioner_edges` of the period and ties (shared: read-only)."""
        return self._edges

    @property
    def trust_table(self):
        """:func:`netdash.metrics.trust.trust_edges` of the period with the trust rule (shared: read-only)."""
        return self._trust

    @cached_property
    def matrix(self):
        """:class:`netdash.metrics.matrix.GraphMatrix` of :attr:`G`, built from the edge table.

        From the period's coded pairs when ``ds.memo`` still keeps them
        (:func:`netdash.networks.kept_union_counts`): the edge table's rows
        are those pairs in the same order, so the same matrix, without looking
        up the table's 0.9 M pairs of ids again at regional scale
        (docs/benchmarks.md, "Session 20: Brokerage").
        """
        nodes, edges = self._nodes, self._edges
        kept = networks.kept_union_counts(self.ds, self.period, self.ties, self.window_days)
        if kept is not None and kept[0] is not None and len(kept[0][0]) == len(edges):
            ids = nodes["practitioner_id"].tolist()
            codes = networks.period_log(self.ds, self.period).index.get_indexer(pd.Index(ids, dtype=object))
            source, target, _ = kept[0]
            M = GraphMatrix.from_codes(ids, codes, source, target, weights={"weight": edges["weight"]},
                                       node_attrs={"agency": nodes["agency"]})
            if M is not None:
                return M
        return GraphMatrix.from_edges(nodes["practitioner_id"], edges["source"], edges["target"],
                                      weights={"weight": edges["weight"]}, node_attrs={"agency": nodes["agency"]})

    @cached_property
    def contact_matrix(self):
        """:class:`netdash.metrics.matrix.GraphMatrix` of :attr:`D` (directed contacts)."""
        nodes = self._nodes
        # From the coded pairs: the contact table's ids and per-pair dicts of contact types are not needed
        # here (issue 19: 530,000 dicts at regional scale, before the background threads can start).
        ids = nodes["practitioner_id"].tolist()
        codes = networks.period_log(self.ds, self.period).index.get_indexer(pd.Index(ids, dtype=object))
        found = networks.direct_counts(self.ds, self.period)
        M = GraphMatrix.from_codes(ids, codes, found["source"], found["target"], directed=True,
                                   node_attrs={"agency": nodes["agency"]})
        if M is not None:
            return M
        direct = self._direct  # a tie end that is not a node: from_edges says which
        return GraphMatrix.from_edges(nodes["practitioner_id"], direct["source"], direct["target"], directed=True,
                                      node_attrs={"agency": nodes["agency"]})

    @cached_property
    def G(self):
        """Undirected practitioner graph of the chosen ``ties`` (networkx, built on first use).

        :meth:`number_of_nodes`, :meth:`number_of_edges` and :meth:`has_node`
        answer for it without building it.
        """
        return graphs.graph_from_tables(self._nodes, self._edges, attrs=graphs.PRACTITIONER_EDGE_ATTRS)

    @cached_property
    def coded(self):
        """:func:`netdash.networks.graphs.coded_tables` of :attr:`node_table` and :attr:`edge_table` (read-only).

        None when the tables are not one simple graph's; :attr:`G` is then
        the one answer.
        """
        return graphs.coded_tables(self._nodes, self._edges)

    @property
    def graph_built(self):
        """Whether :attr:`G` has been built: a caller that can work from the tables uses it only then."""
        return "G" in self.__dict__

    def _graph_answers(self):
        """Whether :attr:`G` answers for the tables: built already, or the tables are not one simple graph's."""
        return self.graph_built or self.coded is None

    @cached_property
    def _node_set(self):
        return frozenset(self.coded.ids)

    def number_of_nodes(self):
        """``G.number_of_nodes()``, from the tables when :attr:`G` is not built."""
        return self.G.number_of_nodes() if self._graph_answers() else self.coded.number_of_nodes()

    def number_of_edges(self):
        """``G.number_of_edges()``, from the tables when :attr:`G` is not built."""
        return self.G.number_of_edges() if self._graph_answers() else self.coded.number_of_edges()

    def has_node(self, node):
        """``node in G``, from the tables when :attr:`G` is not built."""
        return node in (self.G if self._graph_answers() else self._node_set)

    @cached_property
    def D(self):
        """Directed graph of direct contacts (networkx, built on first use)."""
        return graphs.graph_from_tables(self._nodes, self._direct, directed=True, attrs=("weight", "types"))

    @cached_property
    def T(self):
        """Undirected graph of trust ties (networkx, built on first use)."""
        return trust.trust_graph(self.ds, self.period, edges=self._trust)

    @cached_property
    def _trust_pairs(self):
        edges = self._trust
        return edges[edges["is_trust_tie"].astype(bool)]

    @cached_property
    def betweenness(self):
        """:class:`netdash.metrics.centrality.BetweennessResult` of :attr:`G`, computed once."""
        return centrality.betweenness_estimate(self.matrix, normalized=True, max_work=self.max_work,
                                               seed=self.seed, weight=self.weight)

    @cached_property
    def betweenness_directed(self):
        """Betweenness of :attr:`contact_matrix` following arc direction, or None when contacts are undirected."""
        if not self.directed:
            return None
        M = self.contact_matrix
        if self.weight is not None:
            nodes, direct = self._nodes, self._direct
            M = GraphMatrix.from_edges(nodes["practitioner_id"], direct["source"], direct["target"], directed=True,
                                       weights={"weight": direct["weight"]})
        return centrality.betweenness_estimate(M, normalized=True, max_work=self.max_work, seed=self.seed,
                                               weight=self.weight)

    def practitioner_table(self):
        """One row per practitioner with every per-practitioner measure.

        Returns
        -------
        DataFrame
            Columns :data:`PRACTITIONER_COLUMNS`, then the descriptive columns
            of :func:`netdash.metrics.basic.practitioner_metrics`,
            ``betweenness_se`` (standard error of a sampled betweenness, 0.0
            when exact), :data:`BROKERAGE_NULL_COLUMNS` (expected count,
            standard deviation and z-score of each brokerage role under
            Gould & Fernandez's random-graph null, as R's sna reports them;
            z is empty where the deviation is 0) and, when contacts are
            directed, :data:`DIRECTED_BETWEENNESS_COLUMNS` (betweenness of
            the directed contact graph, following who contacted whom, and its
            standard error); sorted by practitioner_id.
        """
        M, table = self.matrix, self._counts
        # The one-thread families first, so that a betweenness computed in the background
        # (:meth:`start_background`) has run meanwhile; the columns keep their order below.
        holes = structural_holes.structural_holes(M, weight=self.weight)[["constraint", "effective_size"]]
        ei = pd.Series(mixing.ei_by_node(M, "agency"), dtype="float64")
        pairs = self._trust_pairs
        roles = brokerage.brokerage_roles(self.contact_matrix, "agency")
        # Only the plain gain is reported: skip the O(n^2 m) distance-weighted columns.
        keys = fragmentation.key_players(M, max_nodes=0)
        expected = brokerage.brokerage_expected(self.contact_matrix, "agency", roles=roles)

        per_node = pd.DataFrame(index=pd.Index(M.nodes, name="practitioner_id"))
        between = self.betweenness
        per_node["betweenness"] = pd.Series(between.values, dtype="float64")
        per_node = per_node.join(holes)
        per_node["ei_index"] = ei
        per_node["trust_ties"] = pd.concat([pairs["a"], pairs["b"]]).value_counts().reindex(
            per_node.index, fill_value=0).astype("float64")
        per_node = per_node.join(roles)
        per_node = per_node.join(keys[["key_player_fragmentation_gain"]])
        se = between.standard_error
        per_node["betweenness_se"] = 0.0 if se is None else pd.Series(se, dtype="float64")
        per_node = per_node.join(expected[BROKERAGE_NULL_COLUMNS])
        directed = self.betweenness_directed
        if directed is not None:
            per_node["betweenness_directed"] = pd.Series(directed.values, dtype="float64")
            se = directed.standard_error
            per_node["betweenness_directed_se"] = 0.0 if se is None else pd.Series(se, dtype="float64")

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
        (tested), exact from a parallel all-pairs search within the work
        budget and otherwise estimated from sampled sources (see
        :func:`netdash.metrics.distance.distance_weighted_fragmentation_estimate`;
        ``distance_weighted_fragmentation_method``, ``_sources`` and
        ``_standard_error`` say which).

        Returns
        -------
        dict
            Keys :data:`NETWORK_FIELDS` plus ``period`` and ``ties``. Values
            that cannot be computed (an empty period) are ``None``, never NaN,
            so the dict is valid JSON.
        """
        M = self.matrix
        out = dict(basic.network_summary(M))  # includes density, 0.0 below two nodes
        out["fragmentation"] = fragmentation.fragmentation(M)
        reach = self._reach
        out["distance_weighted_fragmentation"] = reach.value
        out["ei_index"] = mixing.ei_index(M, "agency")
        out["n_components"] = M.components[0]
        nmi = self.agency_nmi if M.number_of_edges() else dict.fromkeys(
            ("nmi", "nmi_min", "nmi_max", "ari", "ari_min", "ari_max", "seeds"))
        out["agency_nmi"] = nmi["nmi"]
        out["trust_ties"] = len(self._trust_pairs)
        between = self.betweenness
        out["betweenness_method"] = between.method
        out["betweenness_sources"] = between.sources
        out["betweenness_max_standard_error"] = between.max_standard_error
        out["distance_weighted_fragmentation_method"] = reach.method
        out["distance_weighted_fragmentation_sources"] = reach.sources
        out["distance_weighted_fragmentation_standard_error"] = reach.standard_error
        out["agency_nmi_min"], out["agency_nmi_max"] = nmi["nmi_min"], nmi["nmi_max"]
        out["agency_nmi_seeds"] = nmi["seeds"]
        out["agency_ari"], out["agency_ari_min"], out["agency_ari_max"] = nmi["ari"], nmi["ari_min"], nmi["ari_max"]
        test = self._ei_test
        if test is not None:
            out["ei_index_expected"], out["ei_index_p_value"] = test["expected"], test["p_value"]
        else:
            out["ei_index_expected"] = out["ei_index_p_value"] = None
        out["ei_index_permutations"] = int(self.permutations)
        out["weighted"], out["directed"] = self.weighted, self.directed
        directed = self.betweenness_directed
        out["betweenness_directed_method"] = None if directed is None else directed.method
        out["betweenness_directed_sources"] = None if directed is None else directed.sources
        out["betweenness_directed_max_standard_error"] = None if directed is None else directed.max_standard_error
        out["ties"] = self.ties
        out["period"] = self.period.label() if self.period is not None else "all data"
        return {k: _jsonable(v) for k, v in out.items()}

    def brokerage_summary(self):
        """(roles, boundary spanners, brokerage by agency, expected roles) of :attr:`contact_matrix`, by agency.

        Gould & Fernandez roles are counted once
        (:func:`netdash.metrics.brokerage.brokerage_roles`) and the three
        summaries read them. The contact graph is the same whatever the
        analysis's ``ties``.
        """
        M = self.contact_matrix
        roles = brokerage.brokerage_roles(M, "agency")
        return (roles, brokerage.boundary_spanners(M, "agency", roles=roles),
                brokerage.brokerage_by_group(M, "agency", roles=roles),
                brokerage.brokerage_expected(M, "agency", roles=roles))

    def fragmentation_measures(self, permutations):
        """Every measure the Fragmentation page shows, from :attr:`matrix`.

        Distance-weighted fragmentation is the one of :meth:`network_measures`
        (computed once per analysis), and so is the E-I permutation test when
        ``permutations`` is the analysis's own.

        Returns
        -------
        dict
            ``fragmentation``, ``distance_weighted`` (the estimate object),
            ``components``, ``ei`` (permutation test, ``None`` without ties),
            ``ei_by_group``, ``ei_by_node``, ``mixing``, ``alignment``
            (:func:`netdash.metrics.communities.agency_alignment`, ``None``
            without ties) and ``key_players`` (top 20).
        """
        M = self.matrix
        tied = M.number_of_edges() > 0
        if not tied:
            ei = None
        elif permutations == self.permutations:
            ei = self._ei_test
        else:
            ei = mixing.ei_permutation_test(M, "agency", permutations=permutations, seed=self.seed)
        return {
            "fragmentation": fragmentation.fragmentation(M),
            "distance_weighted": self._reach,
            "components": fragmentation.components_summary(M),
            "ei": ei,
            "ei_by_group": mixing.ei_by_group(M, "agency"),
            "ei_by_node": mixing.ei_by_node(M, "agency"),
            "mixing": mixing.mixing_matrix(M, "agency"),
            "alignment": communities.agency_alignment(M, "agency", seed=self.seed, implementation="auto")
            if tied else None,
            "key_players": fragmentation.key_players(M, top=20),
        }

    @cached_property
    def _reach(self):
        """:func:`netdash.metrics.distance.distance_weighted_fragmentation_estimate` of :attr:`matrix`."""
        return distance.distance_weighted_fragmentation_estimate(self.matrix, max_work=self.max_work, seed=self.seed)

    @cached_property
    def _ei_test(self):
        """:func:`netdash.metrics.mixing.ei_permutation_test` of :attr:`matrix`, or None when skipped or no ties."""
        M = self.matrix
        if not (self.permutations and M.number_of_edges()):
            return None
        return mixing.ei_permutation_test(M, "agency", permutations=self.permutations, seed=self.seed)

    def start_background(self):
        """Start the measures that do not depend on one another in background threads, and return.

        :meth:`practitioner_table` and :meth:`network_measures` then find
        them computed (or wait for them): the same functions with the same
        seeds fill the same cached attributes, so every value is the one a
        plain call gives. What runs where:

        * one thread, the *seeded chain*: every computation that draws from
          NetworKit's random generator, one after the other: a sampled
          :attr:`betweenness`, a sampled :attr:`betweenness_directed`, then
          :attr:`agency_nmi`, in that order. NetworKit's generator is one per
          process and re-seeded by each call (``setSeed``): run side by side
          they would take each other's numbers;
        * an exact betweenness (:func:`netdash.metrics.centrality.betweenness_plan`)
          draws nothing, so it runs outside that chain, each in a thread of
          its own: an exact :attr:`betweenness_directed` starts as soon as
          the contact matrix is built, so that its work (BLAS or NetworKit,
          without the GIL) overlaps building :attr:`matrix`, and an exact
          :attr:`betweenness` as soon as that is built. ``netdash metrics``
          gives BLAS one thread (:func:`netdash.cli.main`), so the two dense
          computations use the two cores side by side instead of one after
          the other, each with two BLAS threads handing work to each other.
          The seeded chain (then :attr:`agency_nmi` alone, on one thread)
          runs beside them;
        * a thread for distance-weighted fragmentation (NetworKit's parallel
          searches from sources numpy's generator picks);
        * one for the E-I permutation test (numpy's generator).

        Meanwhile the calling thread computes the one-thread Python families
        (structural holes, brokerage, key players). This is what lets
        ``netdash metrics`` use both cores (``docs/benchmarks.md``, issue 19).
        An error in a background thread is not raised there: the attribute
        stays unset, and the plain call that needs it computes it again and
        raises.

        Returns
        -------
        list of threading.Thread
            The started threads (daemons; joining them is optional): three
            when every betweenness is sampled, five when both are exact, else
            four.
        """
        def run(*names):
            for name in names:
                try:
                    getattr(self, name)
                except Exception:  # noqa: BLE001 - raised again by the caller's own access
                    return

        def start(*names):
            thread = threading.Thread(target=run, args=names, daemon=True, name=f"netdash-{names[0]}")
            thread.start()
            return thread

        # The seeded chain's order is the order in which practitioner_table and network_measures ask for
        # its values: a caller asking for one the chain has not started would compute it beside the chain,
        # and the two would reseed NetworKit's generator under each other. A cached property is computed
        # once: a thread that needs one being built elsewhere (the matrix) waits for it.
        threads = []
        self.contact_matrix
        if self.directed and self._seedless("betweenness_directed"):
            threads.append(start("betweenness_directed"))
        self.matrix
        seeded = [name for name in ("betweenness", "betweenness_directed") if not self._seedless(name)]
        if "betweenness" not in seeded:
            threads.append(start("betweenness"))
        threads.append(start(*seeded, "agency_nmi"))
        threads += [start("_reach"), start("_ei_test")]
        return threads

    def _seedless(self, name):
        """Whether :attr:`betweenness` or :attr:`betweenness_directed` draws nothing from NetworKit's generator.

        Exact betweenness (:func:`netdash.metrics.centrality.betweenness_plan`)
        draws nothing; neither does a directed one on undirected contacts
        (None). A weighted directed betweenness is built from another matrix
        (:attr:`betweenness_directed`) and counted as seeded.
        """
        if name == "betweenness":
            M, directed = self.matrix, False
        elif not self.directed:
            return True
        elif self.weight is not None:
            return False
        else:
            M, directed = self.contact_matrix, True
        method, _ = centrality.betweenness_plan(len(M), M.number_of_edges(), directed=directed,
                                                max_work=self.max_work)
        return method == "exact"

    @cached_property
    def agency_nmi(self):
        """:func:`netdash.metrics.communities.agency_nmi_spread` of :attr:`matrix`: median NMI over
        Louvain seeds ``seed`` to ``seed + 9``, its range and the seeds."""
        return communities.agency_nmi_spread(self.matrix, "agency", seed=self.seed)


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


def betweenness_table(analysis, *, weighted=False):
    """Every practitioner's betweenness in ``analysis``, with its standard error and a note for readers.

    Unweighted, it is :attr:`NetworkAnalysis.betweenness`, the value the CLI
    and the report give: exact within the analysis's work budget, estimated
    from sampled practitioners above it (Brandes 2001; Brandes & Pich 2007).
    Weighted (contacts as shorter paths, ``weight`` = contacts) it is exact
    within the budget; above it there is no weighted estimator, so the
    unweighted estimate is returned and the note says so.

    Parameters
    ----------
    analysis : NetworkAnalysis
    weighted : bool, default False

    Returns
    -------
    DataFrame
        Indexed by practitioner_id: ``betweenness`` (normalised) and, when
        estimated, ``betweenness_se``. ``attrs["note"]`` holds a sentence
        for readers when the value is estimated or not the one asked for,
        else None.

    Examples
    --------
    >>> import networkx as nx
    >>> class Fixed:  # a path a - b - c: b is on the one shortest path between a and c
    ...     G = nx.path_graph(["a", "b", "c"]); max_work = 1e9
    ...     matrix = GraphMatrix.from_graph(G)
    >>> betweenness_table(Fixed(), weighted=True)["betweenness"].to_dict()
    {'a': 0.0, 'b': 1.0, 'c': 0.0}
    """
    M = analysis.matrix
    if weighted and M.number_of_nodes() * M.number_of_edges() <= analysis.max_work:
        W = GraphMatrix.from_graph(analysis.G, weight="weight")
        table = pd.DataFrame({"betweenness": pd.Series(centrality.betweenness(W, normalized=True, weight="weight"),
                                                       dtype="float64")})
        table.attrs["note"] = None
        return table.rename_axis("practitioner_id")
    result = analysis.betweenness
    notes = []
    if weighted:
        notes.append(f"Weighted betweenness would need every shortest path of {M.number_of_nodes():,} practitioners "
                     f"and {M.number_of_edges():,} ties, beyond what this page computes; unweighted is shown.")
    if result.method == "sampled":
        notes.append(f"Betweenness is estimated from {result.sources:,} randomly chosen practitioners (largest "
                     f"standard error {result.max_standard_error:.5f}, in the betweenness_se column); "
                     "`netdash metrics --max-work` computes it more precisely.")
    table = pd.DataFrame({"betweenness": pd.Series(result.values, dtype="float64")})
    if result.standard_error:
        table["betweenness_se"] = pd.Series(result.standard_error, dtype="float64")
    table.attrs["note"] = " ".join(notes) or None
    return table.rename_axis("practitioner_id")


def betweenness_stage(analysis):
    """What :func:`betweenness_table` of ``analysis`` is about to compute, in a sentence for a progress line.

    The numbers are :func:`netdash.metrics.centrality.betweenness_plan`'s,
    the ones the result will state.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> large = SimpleNamespace(number_of_nodes=lambda: 20_000, number_of_edges=lambda: 944_412)  # large demo, all ties
    >>> betweenness_stage(SimpleNamespace(matrix=large, max_work=centrality.DEFAULT_WORK))
    'Estimating betweenness from 512 randomly chosen practitioners (of 20,000; 944,412 ties)…'
    """
    M = analysis.matrix
    n, m = M.number_of_nodes(), M.number_of_edges()
    method, sources = centrality.betweenness_plan(n, m, max_work=analysis.max_work)
    if method == "exact":
        return f"Computing betweenness exactly ({n:,} practitioners, {m:,} ties)…"
    return f"Estimating betweenness from {sources:,} randomly chosen practitioners (of {n:,}; {m:,} ties)…"
