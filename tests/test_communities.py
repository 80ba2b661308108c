"""Tests for Louvain communities vs agencies (netdash.metrics.communities)."""

import math

import networkx as nx
import pytest

from netdash.errors import InvalidInputError
from netdash.metrics.communities import EXPLANATIONS, agency_alignment


def test_two_cliques_joined_by_one_edge_match_their_agencies():
    G = nx.barbell_graph(5, 0)  # cliques 0-4 and 5-9, joined by 4-5
    groups = {v: "Housing" if v < 5 else "Probation" for v in G}
    result = agency_alignment(G, groups)
    assert result["nmi"] == pytest.approx(1.0)
    assert result["ari"] == pytest.approx(1.0)
    assert result["n_communities"] == 2
    assert result["communities"][0] == result["communities"][4] != result["communities"][9]


def test_karate_club_communities_follow_the_split():
    result = agency_alignment(nx.karate_club_graph(), "club", seed=0)
    # With seed 0 Louvain finds 4 communities; NMI 0.588, ARI 0.465 against the two clubs.
    assert result["n_communities"] == 4
    assert result["nmi"] == pytest.approx(0.588, abs=1e-3)
    assert result["ari"] == pytest.approx(0.465, abs=1e-3)


def test_same_seed_same_answer():
    G = nx.karate_club_graph()
    assert agency_alignment(G, "club", seed=5) == agency_alignment(G, "club", seed=5)


def test_isolates_are_their_own_communities():
    G = nx.barbell_graph(4, 0)
    G.add_nodes_from(["x", "y"])
    groups = {v: "A" if v in range(4) else "B" for v in G}
    result = agency_alignment(G, groups)
    assert result["n_communities"] == 4
    assert result["communities"]["x"] != result["communities"]["y"]
    # The largest communities get the smallest ids.
    assert sorted({result["communities"][v] for v in ("x", "y")}) == [2, 3]


def test_directed_graph_is_read_undirected():
    D = nx.DiGraph(nx.barbell_graph(4, 0))
    groups = {v: "A" if v < 4 else "B" for v in D}
    assert agency_alignment(D, groups)["nmi"] == pytest.approx(1.0)


def test_empty_graph_returns_nan():
    result = agency_alignment(nx.Graph(), {})
    assert math.isnan(result["nmi"]) and math.isnan(result["ari"])
    assert result["n_communities"] == 0 and result["communities"] == {}


def test_missing_group_raises():
    with pytest.raises(InvalidInputError, match="have no group"):
        agency_alignment(nx.path_graph(3), {0: "A"})


def test_explanations():
    assert set(EXPLANATIONS) == {"agency_nmi", "agency_ari"}
