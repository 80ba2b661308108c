"""Tests for betweenness centrality (netdash.metrics.centrality)."""

import networkx as nx
import pytest

from netdash.errors import InvalidInputError
from netdash.metrics.centrality import EXPLANATIONS, betweenness


def test_florentine_medici_normalised_betweenness():
    scores = betweenness(nx.florentine_families_graph())
    assert round(scores["Medici"], 3) == 0.522


def test_unnormalised_star_centre_counts_pairs():
    G = nx.star_graph(["hub", "a", "b", "c"])
    assert betweenness(G, normalized=False) == {"hub": 3.0, "a": 0.0, "b": 0.0, "c": 0.0}


def test_directed_follows_arc_direction():
    G = nx.DiGraph([("a", "b"), ("b", "c")])
    # Only the pair (a, c) of 2 * 1 ordered pairs passes through b.
    assert betweenness(G)["b"] == pytest.approx(0.5)


def test_weight_is_strength_so_distance_is_its_inverse():
    # a-c direct with strength 1 (distance 1); a-b-c with strength 4 each (distance 0.5).
    G = nx.Graph()
    G.add_edge("a", "c", contacts=1)
    G.add_edge("a", "b", contacts=4)
    G.add_edge("b", "c", contacts=4)
    assert betweenness(G)["b"] == 0.0
    assert betweenness(G, weight="contacts")["b"] == pytest.approx(1.0)


def test_isolate_scores_zero():
    G = nx.path_graph(["a", "b", "c"])
    G.add_node("alone")
    assert betweenness(G)["alone"] == 0.0


@pytest.mark.parametrize("bad", [0, -2])
def test_non_positive_weight_is_rejected(bad):
    G = nx.Graph()
    G.add_edge("a", "b", contacts=bad)
    with pytest.raises(InvalidInputError, match=r"'contacts' must be positive.*'a'-'b'"):
        betweenness(G, weight="contacts")


def test_explanation_present():
    assert set(EXPLANATIONS) == {"betweenness"}
