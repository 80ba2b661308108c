"""Tests for netdash.analysis: the shared-graph refactor gives the same answers as before."""

import json

import networkx as nx
import pandas as pd
import pytest

from netdash.networks import graphs
from netdash.analysis import (BROKERAGE_NULL_COLUMNS, DIRECTED_BETWEENNESS_COLUMNS, NETWORK_FIELDS,
                              PRACTITIONER_COLUMNS, NetworkAnalysis, network_measures, practitioner_table)
from netdash.demo import DemoScale, generate_demo
from netdash.ingest import load_dataset
from netdash.metrics import basic, brokerage, communities, fragmentation, mixing, structural_holes, trust
from netdash.metrics.matrix import GraphMatrix
from netdash.metrics.brokerage import ROLE_FIELDS


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    folder = generate_demo(tmp_path_factory.mktemp("demo"), seed=3, scale=DemoScale(90, 400, 9))
    dataset, _ = load_dataset(folder, secret=b"test-analysis")
    return dataset


@pytest.fixture(scope="module")
def result(ds):
    a = NetworkAnalysis(ds)
    return a, a.practitioner_table(), a.network_measures()


def _reference(ds):
    """The composition as it was before the refactor: every graph rebuilt, networkx throughout."""
    table = basic.practitioner_metrics(ds)
    G = graphs.practitioner_graph(ds)
    D = graphs.contact_graph(ds)
    T = trust.trust_graph(ds)
    per = pd.DataFrame(index=pd.Index(sorted(G.nodes), name="practitioner_id"))
    per["betweenness"] = pd.Series(nx.betweenness_centrality(G, normalized=True))
    per = per.join(structural_holes.structural_holes(G)[["constraint", "effective_size"]])
    per["ei_index"] = pd.Series(mixing.ei_by_node(G, "agency"), dtype="float64")
    per["trust_ties"] = pd.Series(dict(T.degree()), dtype="float64")
    per = per.join(brokerage.brokerage_roles(D, "agency"))
    per = per.join(fragmentation.key_players(G)[["key_player_fragmentation_gain"]])
    table = table.merge(per, left_on="practitioner_id", right_index=True, how="left")
    for col in ["trust_ties"] + [c for c in PRACTITIONER_COLUMNS if c.startswith("broker_")]:
        table[col] = table[col].fillna(0).astype(int)
    table = table[PRACTITIONER_COLUMNS].sort_values("practitioner_id").reset_index(drop=True)
    net = dict(basic.network_summary(G))
    net.update(fragmentation=fragmentation.fragmentation(G),
               distance_weighted_fragmentation=fragmentation.distance_weighted_fragmentation(G),
               ei_index=mixing.ei_index(G, "agency"), n_components=nx.number_connected_components(G),
               density=nx.density(G), agency_nmi=communities.agency_alignment(G, "agency", seed=0, implementation="auto")["nmi"],
               trust_ties=T.number_of_edges())
    return table, net


def test_outputs_identical_to_the_composition_before_the_refactor(ds, result):
    _, table, net = result
    ref_table, ref_net = _reference(ds)
    pd.testing.assert_frame_equal(table[PRACTITIONER_COLUMNS], ref_table, check_exact=False, rtol=1e-9,
                                  atol=1e-12)
    for key, value in ref_net.items():
        assert net[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key


def test_batch_columns_are_the_library_answers(ds, result):
    # Issue 17, item 5: brokerage expected values, SDs and z-scores, directed betweenness and the E-I
    # permutation test are written by `netdash metrics`, each equal to the measure computed on its own.
    a, table, net = result
    table = table.set_index("practitioner_id")
    D = graphs.contact_graph(ds)
    null = brokerage.brokerage_expected(D, "agency").reindex(table.index)
    assert BROKERAGE_NULL_COLUMNS == [f"{f}_{p}" for f in (*ROLE_FIELDS, "broker_total")
                                      for p in ("expected", "sd", "z")]
    pd.testing.assert_frame_equal(table[BROKERAGE_NULL_COLUMNS], null[BROKERAGE_NULL_COLUMNS], check_exact=False,
                                  rtol=1e-12, atol=1e-15)
    assert table["broker_total_z"].notna().any()
    directed = pd.Series(nx.betweenness_centrality(D, normalized=True)).reindex(table.index, fill_value=0.0)
    assert table["betweenness_directed"].to_numpy() == pytest.approx(directed.to_numpy(), abs=1e-12)
    assert (table["betweenness_directed_se"] == 0).all()
    assert net["betweenness_directed_method"] == "exact" and net["directed"] is True
    test = mixing.ei_permutation_test(a.G, "agency", permutations=200, seed=0)
    assert net["ei_index_p_value"] == test["p_value"] and net["ei_index_expected"] == test["expected"]
    assert net["ei_index_permutations"] == 200 and net["weighted"] is False


def test_weighted_betweenness_and_constraint_use_tie_strength(ds):
    a = NetworkAnalysis(ds, weighted=True, permutations=0)
    table = a.practitioner_table().set_index("practitioner_id")
    G = a.G  # edge attribute weight: the contacts, co-working and COP counts summed per pair
    strength = nx.Graph()
    strength.add_nodes_from(G)
    strength.add_edges_from((u, v, {"distance": 1.0 / w}) for u, v, w in G.edges(data="weight"))
    reference = pd.Series(nx.betweenness_centrality(strength, weight="distance")).reindex(table.index)
    assert table["betweenness"].to_numpy() == pytest.approx(reference.to_numpy(), abs=1e-12)
    unweighted = NetworkAnalysis(ds).practitioner_table().set_index("practitioner_id")
    assert not table["betweenness"].equals(unweighted["betweenness"])
    burt = pd.Series(nx.constraint(G, weight="weight")).reindex(table.index)
    tied = burt.notna()
    assert table.loc[tied, "constraint"].to_numpy() == pytest.approx(burt[tied].to_numpy(), rel=1e-10)
    D = nx.DiGraph()
    D.add_nodes_from(a.D)
    D.add_edges_from((u, v, {"distance": 1.0 / w}) for u, v, w in a.D.edges(data="weight"))
    directed = pd.Series(nx.betweenness_centrality(D, weight="distance")).reindex(table.index, fill_value=0.0)
    assert table["betweenness_directed"].to_numpy() == pytest.approx(directed.to_numpy(), abs=1e-12)
    net = a.network_measures()
    assert net["weighted"] is True and net["ei_index_p_value"] is None and net["ei_index_permutations"] == 0


def test_column_set_and_one_row_per_practitioner(result):
    a, table, net = result
    assert list(table.columns[: len(PRACTITIONER_COLUMNS)]) == PRACTITIONER_COLUMNS
    assert set(table.columns[len(PRACTITIONER_COLUMNS):]) == {
        "agency_name", "sector", "role", "cop_attendee", "betweenness_se", *BROKERAGE_NULL_COLUMNS,
        *DIRECTED_BETWEENNESS_COLUMNS}
    assert table["practitioner_id"].is_unique
    assert len(table) == net["n_practitioners"] == a.G.number_of_nodes()
    assert table["practitioner_id"].tolist() == sorted(a.G.nodes)


def test_known_relationships_between_columns(result):
    _, table, net = result
    assert (table["broker_total"] == table[ROLE_FIELDS].sum(axis=1)).all()
    assert (table["degree"] >= table["cross_agency_ties"]).all()
    assert table["degree"].sum() == 2 * net["n_ties"]
    assert table["cross_agency_ties"].sum() == 2 * net["cross_agency_ties"]
    assert table["trust_ties"].sum() == 2 * net["trust_ties"]
    assert ((table["betweenness"] >= 0) & (table["betweenness"] <= 1)).all()
    assert (table["betweenness_se"] == 0.0).all()  # exact at this size


def test_network_fields_are_complete_json(result):
    _, _, net = result
    assert set(NETWORK_FIELDS) | {"ties", "period"} == set(net)
    assert json.loads(json.dumps(net)) == net
    assert (net["betweenness_method"], net["betweenness_sources"], net["betweenness_max_standard_error"]) == (
        "exact", net["n_practitioners"], 0.0)


def test_shortcuts_give_the_same_answers(ds, result):
    _, table, net = result
    pd.testing.assert_frame_equal(practitioner_table(ds), table)
    assert network_measures(ds) == net


def test_no_networkx_graph_is_built_unless_asked_for(ds, monkeypatch):
    built, real = [], graphs.graph_from_tables
    monkeypatch.setattr(graphs, "graph_from_tables", lambda *args, **kw: built.append(args) or real(*args, **kw))
    a = NetworkAnalysis(ds, max_work=1e12)
    a.practitioner_table()
    a.network_measures()
    assert built == []
    assert not {"G", "D", "T"} & set(a.__dict__)


def test_lazy_graphs_equal_the_graphs_module(ds):
    a = NetworkAnalysis(ds)
    for ours, ref in ((a.G, graphs.practitioner_graph(ds)), (a.D, graphs.contact_graph(ds)),
                      (a.T, trust.trust_graph(ds))):
        assert list(ours.nodes(data=True)) == list(ref.nodes(data=True))
        assert list(ours.edges(data=True)) == list(ref.edges(data=True))
    assert a.matrix.number_of_edges() == a.G.number_of_edges()
    assert a.contact_matrix.number_of_edges() == a.D.number_of_edges()


def test_sampled_betweenness_is_stated(ds):
    a = NetworkAnalysis(ds, max_work=1000)
    table, net = a.practitioner_table(), a.network_measures()
    assert net["betweenness_method"] == "sampled"
    assert net["betweenness_sources"] == 64
    assert net["betweenness_max_standard_error"] == pytest.approx(table["betweenness_se"].max())
    assert net["betweenness_max_standard_error"] > 0


def test_sampled_distance_weighted_fragmentation_is_stated(ds, monkeypatch):
    from netdash.metrics import distance

    monkeypatch.setattr(distance, "_BATCH", 16)  # the demo is too small for batches of 64
    exact = NetworkAnalysis(ds).network_measures()
    assert (exact["distance_weighted_fragmentation_method"], exact["distance_weighted_fragmentation_standard_error"]
            ) == ("exact", 0.0)
    assert exact["distance_weighted_fragmentation_sources"] == exact["n_practitioners"]
    sampled = NetworkAnalysis(ds, max_work=1000).network_measures()
    assert sampled["distance_weighted_fragmentation_method"] == "sampled"
    assert 32 <= sampled["distance_weighted_fragmentation_sources"] < sampled["n_practitioners"]
    se = sampled["distance_weighted_fragmentation_standard_error"]
    assert 0 < se < 0.05
    assert abs(sampled["distance_weighted_fragmentation"] - exact["distance_weighted_fragmentation"]) < 4 * se


def test_empty_period_gives_none_not_nan(ds):
    from netdash.periods import parse_period

    a = NetworkAnalysis(ds, parse_period("1990-01-01:1990-02-01"))
    net = a.network_measures()
    assert net["n_practitioners"] == 0 and net["agency_nmi"] is None and net["cross_agency_share"] is None


def test_distance_weighted_fragmentation_matches_fragmentation_module():
    G = nx.gnp_random_graph(70, 0.04, seed=4)
    G.add_nodes_from(["lonely"])
    G.add_edges_from([("x", "y"), ("y", "z")])
    nx.set_node_attributes(G, "A", "agency")
    a = NetworkAnalysis(None)
    a.__dict__["G"], a.__dict__["matrix"] = G, GraphMatrix.from_graph(G)  # measures from a given graph
    a.__dict__["_trust_pairs"] = pd.DataFrame({"a": [], "b": []})
    a.__dict__["betweenness_directed"] = None  # no contact log behind the given graph
    ours = a.network_measures()["distance_weighted_fragmentation"]
    assert ours == pytest.approx(fragmentation.distance_weighted_fragmentation(G), rel=1e-12)
    assert 0 < ours < 1


def test_large_graphs_switch_louvain_implementation(ds, monkeypatch):
    monkeypatch.setattr(communities, "LOUVAIN_NETWORKX_MAX_TIES", 10**9)
    a = NetworkAnalysis(ds)
    networkx_nmi = a.network_measures()["agency_nmi"]
    assert networkx_nmi == communities.agency_alignment(a.G, "agency", seed=0)["nmi"]
    monkeypatch.setattr(communities, "LOUVAIN_NETWORKX_MAX_TIES", 0)
    plm_nmi = NetworkAnalysis(ds).network_measures()["agency_nmi"]
    # The median over seeds 0 to 9 of PLM's NMI, each computed here from NetworKit's partition.
    agency = [a.G.nodes[v]["agency"] for v in a.G]
    runs = sorted(communities.normalized_mutual_info(agency, communities._plm_labels(a.G, seed))
                  for seed in range(10))
    assert plm_nmi == pytest.approx((runs[4] + runs[5]) / 2, abs=1e-15)


def test_tables_are_built_only_when_used(ds):
    a = NetworkAnalysis(ds)
    a.G
    assert {"_nodes", "_edges"} <= set(vars(a)) and not {"_trust", "_counts", "_direct"} & set(vars(a))
    a.practitioner_table()
    assert {"_trust", "_counts", "contact_matrix"} <= set(vars(a))
    # The contact matrix comes from the coded pairs: the contact table (ids, dicts of types) is not built.
    assert "_direct" not in vars(a)
    a.D
    assert "_direct" in vars(a)


class _Analysis:
    """What betweenness_table reads of a NetworkAnalysis, around any graph."""

    def __init__(self, G, max_work):
        self.G, self.max_work, self.matrix = G, max_work, GraphMatrix.from_graph(G)
        from netdash.metrics import centrality

        self.betweenness = centrality.betweenness_estimate(self.matrix, normalized=True, max_work=max_work, seed=0)


def test_betweenness_table_weighted_is_networkx_betweenness_with_distance_one_over_contacts():
    from netdash.analysis import betweenness_table

    G = nx.florentine_families_graph()
    for k, (u, v) in enumerate(sorted(G.edges())):
        G.edges[u, v]["weight"] = 1 + k % 3
        G.edges[u, v]["distance"] = 1 / G.edges[u, v]["weight"]  # more contacts, a shorter path
    table = betweenness_table(_Analysis(G, max_work=1e9), weighted=True)
    expected = nx.betweenness_centrality(G, weight="distance", normalized=True)
    assert table["betweenness"].to_dict() == pytest.approx(expected)
    assert table.attrs["note"] is None and "betweenness_se" not in table
    unweighted = betweenness_table(_Analysis(G, max_work=1e9))["betweenness"]
    assert unweighted.to_dict() == pytest.approx(nx.betweenness_centrality(G, normalized=True))
    assert unweighted["Medici"] == pytest.approx(0.521978, abs=1e-6)  # the Medici as brokers (Padgett & Ansell)


def test_betweenness_table_above_the_budget_is_the_estimate_and_says_so():
    from netdash.analysis import betweenness_table

    G = nx.florentine_families_graph()
    table = betweenness_table(_Analysis(G, max_work=50), weighted=True)
    assert "Weighted betweenness would need every shortest path of 15 practitioners and 20 ties" in table.attrs["note"]
    assert "estimated from" in table.attrs["note"] and (table["betweenness_se"] >= 0).all()


# The fixture's graph: 90 practitioners, 1,506 ties and 1,682 contact arcs, so 140,000 steps make the
# undirected betweenness exact (135,540) and the directed one sampled (151,380).
@pytest.mark.parametrize("max_work, weighted, methods, threads", [
    (1000, False, ("sampled", "sampled"), ["betweenness", "_reach", "_ei_test"]),
    (140_000, False, ("exact", "sampled"), ["betweenness", "betweenness_directed", "_reach", "_ei_test"]),
    (5e8, False, ("exact", "exact"), ["betweenness_directed", "betweenness", "agency_nmi", "_reach", "_ei_test"]),
    (5e8, True, ("exact", "exact"), ["betweenness", "betweenness_directed", "_reach", "_ei_test"]),
])
def test_background_threads_give_the_same_outputs(ds, max_work, weighted, methods, threads, monkeypatch):
    """start_background overlaps betweenness, PLM, fragmentation and the E-I test: same values, sampled or exact.

    Threads are named for their first computation. An exact betweenness draws nothing from NetworKit's
    generator and runs outside the seeded chain (the first thread, then the chain, second, starts with
    whatever draws: a sampled betweenness, or agency_nmi); an exact directed one starts first and an
    exact undirected one in a thread of its own beside it; a weighted directed one stays in the chain.
    """
    monkeypatch.setattr(communities, "LOUVAIN_NETWORKX_MAX_TIES", 0)  # PLM, NetworKit's seeded generator
    plain = NetworkAnalysis(ds, max_work=max_work, permutations=50, weighted=weighted)
    plain_table, plain_net = plain.practitioner_table(), plain.network_measures()
    for _ in range(3):  # thread timing differs run to run; the values must not
        a = NetworkAnalysis(ds, max_work=max_work, permutations=50, weighted=weighted)
        started = a.start_background()
        assert [thread.name.removeprefix("netdash-") for thread in started] == threads
        table, net = a.practitioner_table(), a.network_measures()
        for thread in started:
            thread.join()
        pd.testing.assert_frame_equal(table, plain_table)
        assert net == plain_net
    assert (plain_net["betweenness_method"], plain_net["betweenness_directed_method"]) == methods


def test_background_error_is_raised_by_the_call_that_needs_it(ds, monkeypatch):
    from netdash.metrics import centrality

    def broken(*args, **kwargs):
        raise RuntimeError("betweenness failed")

    monkeypatch.setattr(centrality, "betweenness_estimate", broken)
    a = NetworkAnalysis(ds)
    for thread in a.start_background():
        thread.join()
    assert "betweenness" not in a.__dict__
    with pytest.raises(RuntimeError, match="betweenness failed"):
        a.practitioner_table()


def _same_matrix(a, b):
    return (a.nodes == b.nodes and a.directed == b.directed and a.source.tolist() == b.source.tolist()
            and a.target.tolist() == b.target.tolist() and a.node_attrs == b.node_attrs
            and set(a.weights) == set(b.weights)
            and all(a.weights[k].tobytes() == b.weights[k].tobytes() for k in a.weights))


@pytest.mark.parametrize("ties", ["all", "working", "direct", "coworking", "cop"])
@pytest.mark.parametrize("kept", ["own", "wider", "none"])
def test_matrix_from_kept_coded_pairs_is_the_edge_tables(ds, ties, kept, monkeypatch):
    """NetworkAnalysis.matrix is made from the memo's coded pairs when they are kept (under their own key, or in
    a wider union), from the edge table's ids otherwise: the same matrix, weights to the bit, every tie choice."""
    from netdash.networks import counts
    from netdash.periods import Period

    first, last = ds.date_range
    period = Period(pd.Timestamp(first.date()) + pd.Timedelta(days=30), pd.Timestamp(last.date()))
    ds.memo.clear()
    if kept == "wider":
        NetworkAnalysis(ds, period, ties="all").edge_table
    a = NetworkAnalysis(ds, period, ties=ties)
    edges, nodes = a.edge_table, a.node_table
    if kept == "none":
        ds.memo.clear()
    expected = GraphMatrix.from_edges(nodes["practitioner_id"], edges["source"], edges["target"],
                                      weights={"weight": edges["weight"]}, node_attrs={"agency": nodes["agency"]})
    used = []
    real = GraphMatrix.from_codes.__func__
    monkeypatch.setattr(GraphMatrix, "from_codes", classmethod(lambda cls, *args, **kw: used.append(1) or real(cls, *args, **kw)))
    got = a.matrix
    assert _same_matrix(got, expected) and len(got.source) > 0
    assert bool(used) == (kept != "none")
    assert (counts.kept_union_counts(ds, period, ties, 90) is None) == (kept == "none")
