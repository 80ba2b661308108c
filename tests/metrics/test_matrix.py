"""Tests for netdash.metrics.matrix.GraphMatrix and the measures that accept it.

Known answers on hand-checkable graphs, then: every measure given a
GraphMatrix equals the same measure given the networkx graph, on networkx's
classics (karate club, Florentine families, Davis Southern Women) and on
seeded random directed graphs.
"""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from netdash.errors import InvalidInputError
from netdash.metrics import basic, brokerage, centrality, communities, fragmentation, mixing, structural_holes
from netdash.metrics.matrix import GraphMatrix


def _with_groups(G, k=3):
    nx.set_node_attributes(G, {v: f"agency-{i % k}" for i, v in enumerate(G)}, "agency")
    return G


def _classics():
    return {"karate": _with_groups(nx.karate_club_graph()),
            "florentine": _with_groups(nx.florentine_families_graph()),
            "davis": _with_groups(nx.davis_southern_women_graph()),
            "two_pieces": _with_groups(nx.disjoint_union(nx.path_graph(5), nx.star_graph(4)))}


def _random_directed(seed):
    G = nx.gnp_random_graph(60, 0.06, seed=seed, directed=True)
    G.add_edge(3, 3)  # a self-loop, ignored by every measure
    G.add_nodes_from(["isolate"])
    return _with_groups(G, 4)


# --- GraphMatrix itself ---------------------------------------------------------------------------

def test_self_loops_dropped_and_undirected_repeats_merged_with_weights_summed():
    M = GraphMatrix(["a", "b", "c"], [1, 0, 1, 2], [0, 1, 2, 2], weights={"w": [2, 3, 5, 7]})
    assert (M.source.tolist(), M.target.tolist()) == ([0, 1], [1, 2])
    assert M.weights["w"].tolist() == [5.0, 5.0]
    assert M.mutual("w").toarray().tolist() == [[0, 5, 0], [5, 0, 5], [0, 5, 0]]
    assert M.components == (1, pytest.approx([0, 0, 0]))


def test_directed_keeps_both_arcs_and_mutual_weight_adds_them():
    M = GraphMatrix(["a", "b"], [0, 1, 0], [1, 0, 1], directed=True, weights={"w": [1, 2, 4]})
    assert M.number_of_edges() == 2
    assert M.binary.toarray().tolist() == [[0, 1], [1, 0]]
    assert M.mutual("w").toarray().tolist() == [[0, 7], [7, 0]]  # (1 + 4) one way, 2 back
    assert M.reverse().source.tolist() == [0, 1] and M.reverse().weights["w"].tolist() == [2.0, 5.0]


def test_from_edges_maps_ids_to_positions():
    M = GraphMatrix.from_edges(["p1", "p2", "p3"], pd.Series(["p3", "p1"]), pd.Series(["p2", "p2"]),
                               node_attrs={"agency": ["A", "A", "B"]})
    assert list(M) == ["p1", "p2", "p3"]
    assert M.symmetric.toarray().tolist() == [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    assert M.node_labels("agency") == {"p1": "A", "p2": "A", "p3": "B"}


def test_from_edges_rejects_an_unknown_tie_end():
    with pytest.raises(InvalidInputError, match=r"1 tie end\(s\) are not in the node table: 'p9'"):
        GraphMatrix.from_edges(["p1", "p2"], ["p1"], ["p9"])


@pytest.mark.parametrize("kwargs, message", [
    (dict(source=[0, 1], target=[1]), "one target and one weight per source"),
    (dict(source=[0], target=[1], weights={"w": [1, 2]}), "one target and one weight per source"),
    (dict(source=[0], target=[5]), "tie ends must be node positions 0 to 2"),
    (dict(source=[0], target=[1], node_attrs={"agency": ["A"]}), "has 1 values for 3 nodes"),
])
def test_constructor_errors(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        GraphMatrix(["a", "b", "c"], **kwargs)


def test_asking_for_a_weight_it_does_not_hold():
    M = GraphMatrix(["a", "b"], [0], [1])
    with pytest.raises(InvalidInputError, match="has no edge weight 'weight'"):
        structural_holes.constraint(M, weight="weight")


def test_negative_and_zero_weights_rejected_as_for_graphs():
    M = GraphMatrix(["a", "b", "c"], [0, 1], [1, 2], weights={"w": [1.0, -2.0]})
    with pytest.raises(InvalidInputError, match="negative values"):
        structural_holes.structural_holes(M, weight="w")
    with pytest.raises(InvalidInputError, match=r"1 tie\(s\) are zero, negative.*'b'-'c'"):
        centrality.betweenness(M, weight="w")


def test_known_answers_on_a_path():
    M = GraphMatrix.from_graph(_with_groups(nx.path_graph(["a", "b", "c"]), 2))
    assert structural_holes.constraint(M) == {"a": 1.0, "b": 0.5, "c": 1.0}
    assert centrality.betweenness(M) == {"a": 0.0, "b": 1.0, "c": 0.0}
    assert centrality.harmonic_centrality(M) == {"a": 1.5, "b": 2.0, "c": 1.5}
    assert mixing.ei_by_node(M, "agency") == {"a": 1.0, "b": 1.0, "c": 1.0}  # a, c in agency-0; b in agency-1
    assert fragmentation.key_players(M)["key_player_fragmentation_gain"].to_dict() == {"b": 1.0, "a": 0.0, "c": 0.0}


# --- every measure: GraphMatrix equals networkx graph ----------------------------------------------

def _graphs():
    return [*_classics().items(), *((f"random-{s}", _random_directed(s)) for s in range(3))]


@pytest.mark.parametrize("name, G", _graphs())
def test_measures_equal_on_graph_and_matrix(name, G):
    M = GraphMatrix.from_graph(G)
    pd.testing.assert_frame_equal(structural_holes.structural_holes(M), structural_holes.structural_holes(G))
    assert mixing.ei_by_node(M) == pytest.approx(mixing.ei_by_node(G), nan_ok=True)
    assert mixing.ei_index(M) == mixing.ei_index(G)
    pd.testing.assert_frame_equal(mixing.mixing_matrix(M), mixing.mixing_matrix(G))
    pd.testing.assert_frame_equal(brokerage.brokerage_roles(M), brokerage.brokerage_roles(G))
    assert fragmentation.fragmentation(M) == fragmentation.fragmentation(G)
    assert fragmentation.components_summary(M) == fragmentation.components_summary(G)
    pd.testing.assert_frame_equal(fragmentation.key_players(M), fragmentation.key_players(G))
    assert centrality.betweenness(M) == pytest.approx(centrality.betweenness(G), abs=1e-15)
    assert centrality.harmonic_centrality(M) == centrality.harmonic_centrality(G)
    assert basic.network_summary(M) == basic.network_summary(G)


def test_weighted_measures_equal_on_graph_and_matrix():
    G = nx.les_miserables_graph()
    M = GraphMatrix.from_graph(G, weight="weight")
    pd.testing.assert_frame_equal(structural_holes.structural_holes(M, weight="weight"),
                                  structural_holes.structural_holes(G, weight="weight"))
    assert centrality.betweenness(M, weight="weight") == pytest.approx(
        centrality.betweenness(G, weight="weight"), abs=1e-15)


def test_sampled_betweenness_is_the_same_for_graph_and_matrix():
    G = _with_groups(nx.karate_club_graph())
    ours = centrality.betweenness_estimate(GraphMatrix.from_graph(G), max_work=500, seed=3)
    ref = centrality.betweenness_estimate(G, max_work=500, seed=3)
    assert (ours.method, ours.sources) == (ref.method, ref.sources) == ("sampled", 64)
    assert ours.values == ref.values


# --- normalised mutual information ------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_nmi_equals_scikit_learn_to_the_last_bit(seed):
    rng = np.random.default_rng(seed)
    for n in (0, 1, 2, 30, 500):
        a, b = rng.integers(0, 4, n), rng.integers(0, 7, n)
        assert communities.normalized_mutual_info(a, b) == normalized_mutual_info_score(a, b)
        assert communities.normalized_mutual_info(a, a) == normalized_mutual_info_score(a, a)


@pytest.mark.parametrize("seed", range(5))
def test_ari_equals_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    for n in (0, 1, 2, 30, 500):
        a, b = rng.integers(0, 4, n), rng.integers(0, 7, n)
        assert communities.adjusted_rand(a, b) == pytest.approx(adjusted_rand_score(a, b), rel=1e-12, abs=1e-15)
        assert communities.adjusted_rand(a, a) == adjusted_rand_score(a, a) == 1.0


def test_ari_known_answer():
    # Hubert & Arabie's index by hand: U = {0,0,0 | 1,1,1}, V = {0,0 | 1,1,1,1}. Pairs together in U: 6, in V: 7,
    # in both: 1 + 3 = 4 of 15 pairs. Expected 6 * 7 / 15 = 2.8; ARI = (4 - 2.8) / ((6 + 7) / 2 - 2.8) = 1.2 / 3.7.
    value = communities.adjusted_rand([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1])
    assert value == pytest.approx(1.2 / 3.7, rel=1e-12)


def test_nmi_known_answers():
    # One labelling splits the other's two classes evenly: no information.
    assert communities.normalized_mutual_info(["x", "x", "y", "y"], [0, 1, 0, 1]) == 0.0
    assert communities.normalized_mutual_info(["x", "x", "y", "y"], [7, 7, 3, 3]) == 1.0
    # V refines U: I = H(U) = log 2, H(V) = 1.5 log 2, so NMI = log 2 / (2.5 log 2 / 2) = 0.8.
    value = communities.normalized_mutual_info([0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1, 2, 2])
    assert value == pytest.approx(0.8, rel=1e-15)


@pytest.mark.parametrize("G", [_with_groups(nx.karate_club_graph()),
                               _with_groups(nx.planted_partition_graph(3, 20, 0.5, 0.05, seed=2))])
def test_louvain_alignment_equal_on_graph_and_matrix(G):
    # Edges of these graphs are in sorted order, the order a GraphMatrix gives Louvain.
    ours = communities.agency_alignment(GraphMatrix.from_graph(G), seed=4)
    assert ours == communities.agency_alignment(G, seed=4)
    assert 1 < ours["n_communities"] < len(G)


@pytest.mark.parametrize("dtype", [object, "str", "int64", "float64", "datetime64[ns]"])
def test_nodes_and_attributes_from_pandas_are_the_values_iteration_gives(dtype):
    """A pandas Index or Series of nodes or attribute values is read by tolist: the same Python values (types
    included, missing values too) as list() of it gave."""
    raw = {"object": ["b", "a", None, 3], "str": ["b", "a", None, "c"], "int64": [3, 1, 2, 7],
           "float64": [0.5, float("nan"), 2.0, 1.0],
           "datetime64[ns]": pd.to_datetime(["2024-01-02", "2023-05-06", None, "2022-01-01"])}[str(np.dtype(dtype)) if dtype != "str" else "str"]
    index = pd.Index(raw, dtype=dtype)
    series = pd.Series(raw, dtype=dtype)
    M = GraphMatrix(index, [0, 1], [1, 2], node_attrs={"x": series, "y": index})
    for got, want in ((M.nodes, list(index)), (M.node_attrs["x"], list(series)), (M.node_attrs["y"], list(index))):
        assert [type(v) for v in got] == [type(v) for v in want]
        assert all(g == w or (g != g and w != w) or (g is None and w is None) for g, w in zip(got, want))
