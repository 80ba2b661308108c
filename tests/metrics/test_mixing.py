"""Tests for the E-I index and mixing matrix (netdash.metrics.mixing)."""

import math

import networkx as nx
import numpy as np
import pytest

from netdash.errors import InvalidInputError
from netdash.metrics import mixing
from netdash.metrics.mixing import (
    EXPLANATIONS,
    ei_by_group,
    ei_by_node,
    ei_index,
    ei_permutation_test,
    collapse_mixing,
    mixing_matrix,
)


@pytest.fixture
def karate():
    return nx.karate_club_graph()


def test_karate_club_ei_index(karate):
    # 11 ties cross the two clubs, 67 stay inside: (11 - 67) / 78.
    assert round(ei_index(karate, "club"), 3) == -0.718
    table = ei_by_group(karate, "club")
    assert table["internal"].sum() == 67
    assert table["external"].sum() == 2 * 11
    assert table.loc["Mr. Hi", "ei_index"] == pytest.approx((11 - 35) / 46)


def test_karate_mixing_matrix(karate):
    M = mixing_matrix(karate, "club")
    assert M.loc["Mr. Hi", "Officer"] == M.loc["Officer", "Mr. Hi"] == 11
    assert M.loc["Mr. Hi", "Mr. Hi"] + M.loc["Officer", "Officer"] == 67


def test_karate_permutation_test_is_significant(karate):
    result = ei_permutation_test(karate, "club", permutations=500, seed=42)
    assert result["observed"] == pytest.approx(-56 / 78)
    assert result["p_value"] < 0.05
    # Chance level: 1 - 2 * (2 * 17 * 16) / (34 * 33) = 0.030.
    assert result["expected"] == pytest.approx(0.030, abs=0.02)
    assert result["permutations"] == 500


def test_permutation_test_is_reproducible_with_a_seed(karate):
    a = ei_permutation_test(karate, "club", permutations=200, seed=7)
    b = ei_permutation_test(karate, "club", permutations=200, seed=7)
    assert a == b


def test_complete_graph_every_relabelling_ties_so_p_is_one():
    G = nx.complete_graph(6)
    result = ei_permutation_test(G, {v: v % 2 for v in G}, permutations=50, seed=0)
    assert result["p_value"] == 1.0
    assert result["expected"] == pytest.approx(result["observed"])  # (9 - 6) / 15 every time


def test_permutation_mean_matches_the_analytic_chance_level():
    G = nx.gnp_random_graph(60, 0.1, seed=1)
    groups = {v: v % 3 for v in G}
    # P(tie internal) = sum n_g (n_g - 1) / (n (n - 1)) = 3 * 20 * 19 / (60 * 59).
    chance = 1 - 2 * (3 * 20 * 19) / (60 * 59)
    result = ei_permutation_test(G, groups, permutations=4000, seed=3)
    assert result["expected"] == pytest.approx(chance, abs=0.01)


@pytest.mark.parametrize("bad", [0, -5, 2.5, True])
def test_permutations_must_be_positive_integer(karate, bad):
    with pytest.raises(InvalidInputError, match="permutations must be a positive whole number"):
        ei_permutation_test(karate, "club", permutations=bad)


def test_single_agency_is_minus_one():
    G = nx.cycle_graph(5)
    assert ei_index(G, dict.fromkeys(G, "Housing")) == -1.0


def test_groups_of_one_make_every_tie_external():
    G = nx.path_graph(4)
    groups = {v: f"solo{v}" for v in G}
    assert ei_index(G, groups) == 1.0
    table = ei_by_group(G, groups)
    assert table["internal"].sum() == 0
    assert table.loc["solo0", "ei_index"] == 1.0


def test_directed_counts_each_arc():
    D = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c")])
    groups = {"a": "X", "b": "X", "c": "Y"}
    assert ei_index(D, groups) == pytest.approx((1 - 2) / 3)
    M = mixing_matrix(D, groups)
    assert M.loc["X", "X"] == 2 and M.loc["X", "Y"] == 1 and M.loc["Y", "X"] == 0


def test_by_node_with_isolate():
    G = nx.Graph([("a", "b"), ("b", "c")])
    G.add_node("d")
    scores = ei_by_node(G, {"a": "X", "b": "X", "c": "Y", "d": "Y"})
    assert scores["a"] == -1.0 and scores["b"] == 0.0 and scores["c"] == 1.0
    assert math.isnan(scores["d"])


def test_no_ties_is_nan():
    G = nx.empty_graph(3)
    groups = dict.fromkeys(G, "X")
    assert math.isnan(ei_index(G, groups))
    assert math.isnan(ei_permutation_test(G, groups, seed=0)["p_value"])
    assert math.isnan(ei_by_group(G, groups).loc["X", "ei_index"])


def test_self_loops_ignored():
    G = nx.Graph([("a", "b"), ("a", "a")])
    assert ei_index(G, {"a": "X", "b": "Y"}) == 1.0


def test_missing_attribute_lists_nodes():
    G = nx.path_graph(["a", "b"])
    with pytest.raises(InvalidInputError, match=r"node attribute 'agency': 'a', 'b'.*Set 'agency'"):
        ei_index(G)


def test_mapping_missing_node():
    G = nx.path_graph(["a", "b"])
    with pytest.raises(InvalidInputError, match=r"the groups mapping: 'b'\. Add the missing"):
        ei_index(G, {"a": "X"})


def test_groups_of_wrong_type():
    with pytest.raises(InvalidInputError, match="received int"):
        ei_index(nx.path_graph(2), 3)


def test_explanations():
    assert set(EXPLANATIONS) == {"ei_index"}


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_collapse_mixing_equals_mixing_of_the_coarser_groups(directed, seed):
    # Eight "agencies" in three "sectors": summing the agency matrix must give exactly the matrix of the
    # graph labelled by sector (undirected: a tie between two agencies of one sector counts once).
    G = nx.gnp_random_graph(40, 0.15, seed=seed, directed=directed)
    agency = {v: f"a{v % 8}" for v in G}
    sector = {f"a{k}": ("housing", "health", "outreach")[k % 3] for k in range(8)}
    collapsed = collapse_mixing(mixing_matrix(G, agency), sector, directed=directed)
    expected = mixing_matrix(G, {v: sector[agency[v]] for v in G})
    assert collapsed.values.tolist() == expected.values.tolist()
    assert list(collapsed.index) == list(expected.index) == ["health", "housing", "outreach"]


def test_collapse_mixing_of_a_difference_is_the_difference_of_the_collapsed():
    G1, G2 = nx.gnp_random_graph(30, 0.2, seed=1), nx.gnp_random_graph(30, 0.2, seed=2)
    agency = {v: f"a{v % 6}" for v in G1}
    sector = {f"a{k}": "s" + str(k % 2) for k in range(6)}
    m1, m2 = mixing_matrix(G1, agency), mixing_matrix(G2, agency)
    assert (collapse_mixing(m2 - m1, sector).values.tolist()
            == (collapse_mixing(m2, sector) - collapse_mixing(m1, sector)).values.tolist())


def test_collapse_mixing_names_a_label_without_group():
    G = nx.Graph([("a", "b")])
    matrix = mixing_matrix(G, {"a": "A01", "b": "A02"})
    with pytest.raises(InvalidInputError, match=r"1 label\(s\).*'A02'.*sector"):
        collapse_mixing(matrix, {"A01": "housing"})


def test_group_mixing_sums_agencies_into_sectors_with_the_same_ties(karate):
    import pandas as pd

    from netdash.metrics.mixing import group_mixing

    by_club = mixing_matrix(karate, "club")
    agencies = pd.DataFrame({"agency_id": ["Mr. Hi", "Officer"], "name": ["Hi's club", "Officer's club"],
                             "sector": ["karate", "karate"]})
    same, names = group_mixing(by_club, agencies, "agency")
    assert same is by_club and names == {"Mr. Hi": "Hi's club", "Officer": "Officer's club"}
    sectors, names = group_mixing(by_club, agencies, "sector")
    assert names == {"karate": "Karate"}
    assert sectors.loc["karate", "karate"] == karate.number_of_edges() == 78  # one sector: every tie on its diagonal
    with pytest.raises(InvalidInputError, match="level must be 'agency' or 'sector'; got 'club'"):
        group_mixing(by_club, agencies, "club")


@pytest.mark.parametrize("seed", [0, 7])
def test_ei_permutation_test_relabels_as_with_int64_codes(seed):
    # The codes are cast to the smallest integer type before the relabellings: the same draws and the same
    # answer as the int64 loop it replaced, drawn in other batches (300 nodes: one batch of 3,000 relabellings
    # against 2,857 and 143 here).
    G = nx.relabel_nodes(nx.gnm_random_graph(300, 700, seed=seed), str)
    nx.set_node_attributes(G, {v: f"A{int(v) % 7}" for v in G}, "agency")
    got = mixing.ei_permutation_test(G, "agency", permutations=3000, seed=seed)
    codes, _ = mixing._group_codes(G, "agency")
    u, v = mixing._tie_endpoints(G)
    rng = np.random.default_rng(seed)
    simulated = np.concatenate([
        (len(u) - 2 * (labels[:, u] == labels[:, v]).sum(axis=1)) / len(u)
        for labels in (rng.permuted(np.broadcast_to(codes.astype(np.int64), (k, len(codes))), axis=1)
                       for k in (2857, 143))])
    expected = simulated.mean()
    extreme = np.abs(simulated - expected) >= abs(got["observed"] - expected) - 1e-12
    assert got["expected"] == expected
    assert got["p_value"] == (1 + extreme.sum()) / 3001


def test_ei_permutation_test_with_two_byte_labels_and_many_ties_draws_as_one_at_a_time():
    # More than 256 groups (two-byte labels, as the large demo's 1,200 agencies) and many ties (400,000: 196
    # chunks of 2,048): the same draws and counts as the int64 codes relabelled one at a time.
    from netdash.metrics.matrix import GraphMatrix

    rng = np.random.default_rng(5)
    n = 2000
    M = GraphMatrix([f"P{i}" for i in range(n)], rng.integers(0, n, 400_000), rng.integers(0, n, 400_000),
                    node_attrs={"agency": [f"A{i % 300}" for i in range(n)]})
    got = mixing.ei_permutation_test(M, "agency", permutations=13, seed=1)
    codes, _ = mixing._group_codes(M, "agency")
    u, v = mixing._tie_endpoints(M)
    draws = np.random.default_rng(1)
    simulated = np.array([(len(u) - 2 * np.count_nonzero(labels[u] == labels[v])) / len(u)
                          for labels in (draws.permuted(codes.astype(np.int64)) for _ in range(13))])
    expected = simulated.mean()
    extreme = np.abs(simulated - expected) >= abs(got["observed"] - expected) - 1e-12
    assert got["expected"] == expected
    assert got["p_value"] == (1 + extreme.sum()) / 14


@pytest.mark.parametrize("rows, ties, groups, n", [(1, 10, 2, 200), (8, 255, 3, 200), (13, 510, 256, 200),
                                                    (19, 70_000, 40, 200), (5, 300, 300, 400), (11, 70_000, 1200, 1200),
                                                    (61, 4097, 1200, 1300), (7, 2048, 2048, 2048),
                                                    (9, 2049, 2049, 2100), (180, 6000, 1200, 1500),
                                                    (6, 1000, 65_536, 65_536), (3, 1000, 65_537, 65_537)])
def test_internal_ties_count_each_relabelling_as_one_at_a_time(rows, ties, groups, n):
    # Several relabellings read as the lanes of one 64-bit word per node (five lanes of 12 bits for labels below
    # 2,048, as the large demo's 1,200 agencies; four of 16 bits from 2,048 (12-bit labels); three from 32,768),
    # counted 2,048 ties at a time: the same counts as comparing each relabelling's ends one at a time, for a
    # last word only partly used (61 rows, 13, 19), ties over one chunk and not a whole number of chunks (4,097,
    # 2,049, 70,000), exactly one chunk (2,048), the largest label of a lane width (2,047, 65,535) and the next,
    # and a batch of 180 relabellings (the large demo's).
    rng = np.random.default_rng(rows)
    codes = (np.arange(n) % groups).astype(np.min_scalar_type(groups - 1))
    labels = rng.permuted(np.broadcast_to(codes, (rows, n)), axis=1)
    u, v = rng.integers(0, n, ties), rng.integers(0, n, ties)
    v[:5] = u[:5]  # some ties inside one group whatever the labels
    expected = [int(np.count_nonzero(row[u] == row[v])) for row in labels]
    got = mixing._internal_ties(labels, u, v)
    assert got.tolist() == expected and got.dtype == np.int64
    assert all(count >= 5 for count in expected)


def test_internal_ties_with_wide_labels_and_ties_that_all_or_never_match():
    # Labels of 40 and 63 bits (one lane a word), every tie inside a group (u == v), and none.
    rng = np.random.default_rng(4)
    for top in (2**40, 2**63 - 1):
        labels = rng.integers(0, top, (7, 500), dtype=np.int64)
        labels[:, :250] = labels[:, 250:]  # nodes i and i + 250 share a label in every relabelling
        u = rng.integers(0, 250, 5000)
        v = np.where(np.arange(5000) % 2, u + 250, rng.integers(0, 500, 5000))
        expected = [int(np.count_nonzero(row[u] == row[v])) for row in labels]
        assert mixing._internal_ties(labels, u, v).tolist() == expected
        assert min(expected) >= 2500
    labels = np.zeros((3, 10), dtype=np.uint16)
    assert mixing._internal_ties(labels, np.arange(9), np.arange(1, 10)).tolist() == [9, 9, 9]
    assert mixing._internal_ties(np.arange(30, dtype=np.uint16).reshape(3, 10), np.arange(9),
                                 np.arange(1, 10)).tolist() == [0, 0, 0]
    assert mixing._internal_ties(labels, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)).tolist() == [0] * 3


@pytest.mark.parametrize("kind", [nx.Graph, nx.DiGraph, nx.MultiGraph])
def test_tie_endpoints_are_every_edge_but_self_loops_in_edge_order(kind):
    # The flat read of both ends (one pass, no tuple per edge) against the list of position pairs it replaced.
    from netdash.metrics.mixing import _tie_endpoints

    G = kind(nx.gnm_random_graph(60, 400, seed=3, directed=kind is nx.DiGraph))
    G = nx.relabel_nodes(G, lambda v: f"P{v:02d}" if v % 2 else v)  # mixed ids, as nothing assumes their type
    G.add_edges_from([("P01", "P01"), (4, 4), ("P03", 8)])
    position = {v: i for i, v in enumerate(G)}
    expected = [(position[a], position[b]) for a, b in G.edges() if a != b]
    u, v = _tie_endpoints(G)
    assert list(zip(u.tolist(), v.tolist())) == expected and u.dtype == v.dtype == np.int64
    assert len(expected) == G.number_of_edges() - 2
    empty = _tie_endpoints(kind())
    assert empty[0].shape == empty[1].shape == (0,) and empty[0].dtype == np.int64
