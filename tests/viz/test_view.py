"""netdash.viz.map_view: which part of a network a map shows (karate club: the two clubs as agencies)."""

import networkx as nx
import pytest

from netdash.errors import InvalidInputError
from netdash.viz import map_view


@pytest.fixture
def karate():
    G = nx.karate_club_graph()
    nx.set_node_attributes(G, {n: club for n, club in G.nodes(data="club")}, "agency")
    return G


def test_no_filter_is_the_graph_itself(karate):
    assert map_view(karate) is karate


def test_agency_filter_keeps_that_agency_and_its_ties(karate):
    view = map_view(karate, agencies={"Mr. Hi"})
    assert view.number_of_nodes() == 17  # Zachary's split: 17 with Mr. Hi, 17 with the Officer
    assert all(club == "Mr. Hi" for _, club in view.nodes(data="agency"))
    assert view.number_of_edges() == 35  # ties inside Mr. Hi's club (67 inside the clubs, 11 across)


def test_focus_shows_colleagues_across_the_whole_network_whatever_the_filter(karate):
    one = map_view(karate, agencies={"Officer"}, focus=0, radius=1)
    assert set(one) == {0, *karate[0]} and len(one) == 17  # node 0 (Mr. Hi) has 16 colleagues
    assert len(map_view(karate, focus=0, radius=2)) == len(nx.ego_graph(karate, 0, radius=2))


def test_tied_only_drops_practitioners_left_without_a_tie():
    G = nx.Graph([("a", "b"), ("b", "c")])
    G.add_node("d")
    nx.set_node_attributes(G, {"a": "A", "b": "B", "c": "A", "d": "A"}, "agency")
    assert sorted(map_view(G, tied_only=True)) == ["a", "b", "c"]
    assert sorted(map_view(G, agencies={"A"}, tied_only=True)) == []  # a and c are tied only through b


def test_focus_not_in_the_network_says_so(karate):
    with pytest.raises(InvalidInputError, match="'p-9' is not in this network for the chosen period"):
        map_view(karate, focus="p-9")
