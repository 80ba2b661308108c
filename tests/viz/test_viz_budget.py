"""The fast read of a plain ``nx.Graph`` (pair_table, used by the map budget and the layout) gives what the
general path gives (issue 7)."""

import random

import networkx as nx
import numpy as np
import pytest

from netdash.viz.budget import _pairs, map_budget
from netdash.viz._pairs import _general_pair_table, pair_table


NAN = float("nan")  # one object, so edge data holding it compare equal across the two graphs


class _Subclass(nx.Graph):
    """Same graph, but not exactly ``nx.Graph``: map_budget then takes its general path."""


def _graph(seed, cls=nx.Graph):
    rng = random.Random(seed)
    n = rng.randint(2, 60)
    G = cls(name=f"random {seed}")
    for i in rng.sample(range(1000), n):  # nodes in no particular id order
        G.add_node(f"P{i:03d}" if seed % 2 else i, agency=rng.choice("ABC"))
    nodes = list(G)
    for _ in range(rng.randint(0, 5 * n)):
        u, v = rng.choice(nodes), rng.choice(nodes + [None])
        w = rng.choice((1, 2, 3.5, "x", None, NAN, "missing"))
        G.add_edge(u, u if v is None else v, **({} if w == "missing" else {"weight": w, "types": ("direct",)}))
    return G


def test_pairs_by_hand():
    # Node order c, a, b. G.edges reports (c, a), (c, b), (a, b), then the loop (b, b).
    G = nx.Graph()
    G.add_edge("c", "a", weight=2)
    G.add_edge("a", "b", weight=1)
    G.add_edge("b", "b", weight=9)
    G.add_edge("b", "c", weight="x")  # not a number: counts 1
    lo, hi, w, edge_pair = _pairs(G, "weight")
    assert (lo.tolist(), hi.tolist(), w.tolist(), edge_pair.tolist()) == ([0, 0, 1], [1, 2, 2], [2.0, 1.0, 1.0],
                                                                         [0, 1, 2, -1])
    assert _pairs(G, None)[2].tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("weight", ["weight", None])
@pytest.mark.parametrize("order", ["graph", "sorted"])
def test_pairs_of_a_plain_graph_equal_the_general_pair_table(seed, weight, order):
    # Indexed in the graph's order (the map budget) or by sorted id (the layout).
    G = _graph(seed)
    nodes = list(G) if order == "graph" else sorted(G, key=str)
    index = {n: i for i, n in enumerate(nodes)}
    fast = pair_table(G, weight, index)
    general = _general_pair_table(G, weight, index)
    for a, b in zip(fast, general):
        assert a.dtype.kind == b.dtype.kind
        np.testing.assert_array_equal(a, b)
    if order == "graph":
        for a, b in zip(_pairs(G, weight), general):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("max_nodes, ties_per_node", [(4, 1), (10, 2), (25, 3)])
def test_backbone_of_a_plain_graph_equals_the_general_path(seed, max_nodes, ties_per_node):
    G, K = _graph(seed), _graph(seed, _Subclass)
    fast = map_budget(G, max_nodes=max_nodes, ties_per_node=ties_per_node, max_edges=5)
    general = map_budget(K, max_nodes=max_nodes, ties_per_node=ties_per_node, max_edges=5)
    assert fast.reduced == general.reduced and fast.message == general.message
    assert type(fast.graph) is nx.Graph and fast.graph.graph == general.graph.graph
    assert list(fast.graph.nodes(data=True)) == list(general.graph.nodes(data=True))
    assert list(fast.graph.edges(data=True)) == list(general.graph.edges(data=True))


def test_backbone_keeps_each_hubs_strongest_ties_by_hand():
    # Hub h has ties of weight 5, 4, 1 to x, y, z; x-y weighs 2. Keeping 3 people (h, x, y: strengths 10, 7, 6)
    # and one tie each: h keeps h-x, x keeps x-h, y keeps y-h (4 > 2).
    G = nx.Graph()
    G.add_weighted_edges_from([("h", "x", 5), ("h", "y", 4), ("h", "z", 1), ("x", "y", 2)])
    budget = map_budget(G, max_nodes=3, ties_per_node=1)
    assert sorted(budget.graph.nodes) == ["h", "x", "y"]
    assert sorted(map(sorted, budget.graph.edges)) == [["h", "x"], ["h", "y"]]
    assert budget.graph.edges["h", "y"]["weight"] == 4
    assert "Showing the 3 most connected practitioners' strongest ties (up to 1 each; 2 ties)" in budget.message
