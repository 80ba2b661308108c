"""Tests for Borgatti fragmentation and key players (netdash.metrics.fragmentation)."""

import math

import networkx as nx
import numpy as np
import pytest

from netdash.errors import InvalidInputError
from netdash.metrics import fragmentation as frag_module
from netdash.metrics.fragmentation import (
    EXPLANATIONS,
    components_summary,
    distance_weighted_fragmentation,
    fragmentation,
    key_players,
)


def _brute_fragmentation(G):
    n = len(G)
    if n < 2:
        return 0.0
    U = G.to_undirected()
    pairs = sum(len(c) * (len(c) - 1) for c in nx.connected_components(U))
    return 1 - pairs / (n * (n - 1))


def _brute_distance_weighted(G):
    n = len(G)
    if n < 2:
        return 0.0
    reach = sum(
        1 / d
        for u, dist in nx.all_pairs_shortest_path_length(G.to_undirected())
        for v, d in dist.items()
        if v != u
    )
    return 1 - reach / (n * (n - 1))


def test_krackhardt_kite_removing_node_7():
    kp = key_players(nx.krackhardt_kite_graph())
    assert round(kp.loc[7, "fragmentation_after_removal"], 4) == 0.3889  # 1 - (7*6 + 2*1)/(9*8)
    assert kp.index[0] == 7  # the biggest key player
    # The kite is connected, so F(G) = 0 and the gain is F(G - 7) itself.
    assert kp.loc[7, "key_player_fragmentation_gain"] == pytest.approx(1 - 44 / 72)


def test_path_of_three_removing_the_middle_disconnects_the_rest():
    kp = key_players(nx.path_graph(["a", "b", "c"]))
    assert kp.loc["b", "fragmentation_after_removal"] == 1.0
    assert kp.loc["a", "fragmentation_after_removal"] == 0.0
    assert kp.loc["b", "key_player_fragmentation_gain"] == 1.0
    # Distance-weighted: before 1 - (1+1+1/2)*2/6 = 1/6; after removing b, 1.
    assert kp.loc["b", "key_player_distance_weighted_gain"] == pytest.approx(1 - 1 / 6)


def test_fragmentation_of_components():
    G = nx.Graph([("a", "b")])
    G.add_node("c")
    assert fragmentation(G) == pytest.approx(1 - 2 / 6)
    assert fragmentation(nx.complete_graph(5)) == 0.0
    assert fragmentation(nx.empty_graph(4)) == 1.0


def test_directed_uses_weak_components():
    D = nx.DiGraph([("a", "b"), ("c", "b")])
    assert fragmentation(D) == 0.0


def test_distance_weighted_by_hand():
    assert distance_weighted_fragmentation(nx.path_graph(3)) == pytest.approx(1 / 6)
    assert distance_weighted_fragmentation(nx.complete_graph(4)) == 0.0
    assert distance_weighted_fragmentation(nx.empty_graph(3)) == 1.0


@pytest.mark.parametrize("G", [nx.Graph(), nx.empty_graph(1)], ids=["empty", "single"])
def test_fewer_than_two_nodes_is_zero_by_convention(G):
    assert fragmentation(G) == 0.0
    assert distance_weighted_fragmentation(G) == 0.0


def test_key_players_on_empty_and_single_node_graphs():
    assert key_players(nx.Graph()).empty
    single = key_players(nx.empty_graph(1))
    assert single.loc[0, "fragmentation_after_removal"] == 0.0


@pytest.mark.parametrize("seed", range(6))
def test_key_players_match_recomputing_from_scratch(seed):
    G = nx.gnp_random_graph(22, 0.1, seed=seed, directed=seed % 2 == 0)
    G.add_edge(0, 0)
    kp = key_players(G)
    for v in G:
        H = G.copy()
        H.remove_node(v)
        assert kp.loc[v, "fragmentation_after_removal"] == pytest.approx(_brute_fragmentation(H))
        assert kp.loc[v, "distance_weighted_fragmentation_after_removal"] == pytest.approx(
            _brute_distance_weighted(H)
        )
    assert fragmentation(G) == pytest.approx(_brute_fragmentation(G))
    assert distance_weighted_fragmentation(G) == pytest.approx(_brute_distance_weighted(G))


def test_key_players_sorted_and_top():
    kp = key_players(nx.krackhardt_kite_graph(), top=3)
    assert len(kp) == 3
    gains = kp["key_player_fragmentation_gain"].to_numpy()
    assert np.all(np.diff(gains) <= 0)


def test_large_graph_skips_distance_weighted_with_note():
    kp = key_players(nx.path_graph(6), max_nodes=5)
    assert kp["key_player_distance_weighted_gain"].isna().all()
    assert "max_nodes=5" in kp.attrs["note"]
    assert kp.loc[[2, 3], "key_player_fragmentation_gain"].gt(0).all()


@pytest.mark.parametrize("option", ["top", "max_nodes"])
def test_negative_options_are_rejected(option):
    with pytest.raises(InvalidInputError, match=f"{option} must be 0 or more"):
        key_players(nx.path_graph(3), **{option: -1})


def test_components_summary():
    G = nx.Graph([("a", "b"), ("b", "c"), ("d", "e")])
    G.add_nodes_from(["f", "g"])
    G.add_edge("g", "g")
    assert components_summary(G) == {
        "n_components": 4,
        "largest_component_size": 3,
        "largest_component_share": 3 / 7,
        "n_isolates": 2,
    }


def test_components_summary_empty_graph():
    summary = components_summary(nx.Graph())
    assert summary["n_components"] == 0
    assert math.isnan(summary["largest_component_share"])


def test_explanations_cover_fields():
    assert {"fragmentation", "distance_weighted_fragmentation", "n_components",
            "key_player_fragmentation_gain"} <= set(EXPLANATIONS)


def _graphs_with_cut_nodes():
    """Trees, joined cliques, random graphs with isolates, one component or many: many articulation points."""
    rng = np.random.default_rng(7)
    graphs = [nx.path_graph(5), nx.star_graph(6), nx.barbell_graph(4, 2), nx.krackhardt_kite_graph(),
              nx.connected_caveman_graph(4, 3), nx.lollipop_graph(5, 4)]
    for seed in range(30):
        n = int(rng.integers(2, 70))
        G = (nx.random_labeled_tree(n, seed=seed) if seed % 3 == 0
             else nx.gnp_random_graph(n, float(rng.uniform(0.02, 0.12)), seed=seed))
        G.add_nodes_from(range(n, n + seed % 3))  # isolates
        graphs.append(G)
    return graphs


@pytest.mark.parametrize("G", _graphs_with_cut_nodes())
def test_key_players_of_a_graph_matrix_equal_the_networkx_path(G):
    # A GraphMatrix's articulation points and pieces come from NetworKit's blocks (_pieces_from_blocks), a networkx
    # graph's from rustworkx and a recount of each cut node's component: the same table, to the bit.
    from netdash.metrics.matrix import GraphMatrix

    M = GraphMatrix.from_graph(G)
    assert (frag_module._blocks(M) is None) == (G.number_of_edges() == 0)
    expected = key_players(G, max_nodes=0)
    got = key_players(M, max_nodes=0)
    assert got.index.tolist() == expected.index.tolist()
    assert np.array_equal(got.to_numpy(), expected.to_numpy(), equal_nan=True)
    A = frag_module._adjacency(G)
    labels = frag_module._component_labels(G, A)
    sizes = np.bincount(labels)
    if G.number_of_edges():
        old = frag_module._pieces_after_removal(A, labels, sizes, frag_module._cut_nodes(G, A))
        new = frag_module._pieces_from_blocks(frag_module._blocks(M), labels, sizes)
        assert np.array_equal(old[0], new[0]) and np.array_equal(old[1], new[1])


def test_pieces_from_blocks_by_hand():
    # a-b-c-d-e path plus triangle c-x-y. The pieces' t(t - 1) summed: removing c leaves {a, b}, {d, e} and
    # {x, y}: 2 + 2 + 2.
    from netdash.metrics.matrix import GraphMatrix

    G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("c", "x"), ("x", "y"), ("y", "c")])
    M = GraphMatrix.from_graph(G)
    labels = frag_module._component_labels(M, frag_module._adjacency(M))
    comp_size, pieces = frag_module._pieces_from_blocks(frag_module._blocks(M), labels, np.bincount(labels))
    at = dict(zip(M.nodes, pieces.tolist()))
    assert at["c"] == 6
    assert at["b"] == 0 + 5 * 4  # {a} and {c, d, e, x, y}
    assert at["d"] == 5 * 4 + 0  # {a, b, c, x, y} and {e}
    assert at["x"] == 6 * 5  # not a cut node: the other 6 stay together
    assert comp_size.tolist() == [7] * 7


def test_blocks_only_for_undirected_graph_matrices_with_ties():
    from netdash.metrics.matrix import GraphMatrix

    assert frag_module._blocks(nx.path_graph(3)) is None
    assert frag_module._blocks(GraphMatrix([0, 1, 2], [0], [1], directed=True)) is None
    assert frag_module._blocks(GraphMatrix([0, 1, 2], [], [])) is None
    assert key_players(GraphMatrix([0, 1, 2], [], []))["fragmentation_after_removal"].tolist() == [1.0] * 3
