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


def _tables(seed):
    """A random node table (ids in no particular order) and edge table of one simple graph, ends either way round."""
    import pandas as pd

    rng = random.Random(seed)
    n = rng.randint(2, 60)
    ids = [f"P{i:03d}" for i in rng.sample(range(1000), n)]
    nodes = pd.DataFrame({"practitioner_id": ids, "agency": [rng.choice(["A", "B", None]) for _ in ids],
                          "cop_attendee": [rng.random() < 0.3 for _ in ids]})
    pairs = {tuple(rng.sample(ids, 2)) if rng.random() < 0.95 else (ids[0], ids[0]) for _ in range(rng.randint(0, 4 * n))}
    pairs = list({frozenset(p): p for p in pairs}.values())  # one row per pair, as practitioner_edges has
    rng.shuffle(pairs)
    kind = seed % 3  # integer weights (the tables'), floats with NaN and inf, or anything
    weights = [rng.randint(1, 5) if kind == 0 else rng.choice((1.0, 2.5, NAN, float("inf"))) if kind == 1
               else rng.choice((1, 2.5, "x", None)) for _ in pairs]
    edges = pd.DataFrame({"source": [p[0] for p in pairs], "target": [p[1] for p in pairs], "weight": weights,
                          "tie_types": [rng.choice([("direct",), ("coworking", "direct")]) for _ in pairs]},
                         columns=["source", "target", "weight", "tie_types"])
    if kind != 2:
        edges["weight"] = edges["weight"].astype(int if kind == 0 else float)
    return nodes, edges


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("max_nodes, ties_per_node", [(4, 1), (10, 2), (25, 3)])
@pytest.mark.parametrize("weight, attrs", [("weight", ("weight", "tie_types")), (None, ("weight",)),
                                           ("weight", ("tie_types",))])
def test_backbone_of_tables_equals_the_backbone_of_their_graph(seed, max_nodes, ties_per_node, weight, attrs):
    # Before & after cuts its maps' backbones from the periods' tables, not from graphs built from them.
    from netdash.networks import graph_from_tables
    from netdash.viz.budget import _backbone, backbone_of_tables

    nodes, edges = _tables(seed)
    G = graph_from_tables(nodes, edges, attrs=attrs)
    want = _backbone(G, len(G) + 7, max_nodes=max_nodes, ties_per_node=ties_per_node, weight=weight,
                     to_see_more="more")
    got = backbone_of_tables(nodes, edges, len(G) + 7, max_nodes=max_nodes, ties_per_node=ties_per_node,
                             weight=weight, attrs=attrs, to_see_more="more")
    assert got.reduced and got.message == want.message and type(got.graph) is nx.Graph
    # repr: a NaN weight read from a float column is a new float each time, equal in every way but ==
    assert repr(list(got.graph.nodes(data=True))) == repr(list(want.graph.nodes(data=True)))
    assert repr(list(got.graph.edges(data=True))) == repr(list(want.graph.edges(data=True)))
    assert {k: list(v) for k, v in got.graph.adj.items()} == {k: list(v) for k, v in want.graph.adj.items()}


def test_backbone_of_tables_by_hand_and_when_the_tables_are_not_one_simple_graph():
    import pandas as pd

    from netdash.viz.budget import backbone_of_tables

    # Hub h: ties of weight 5, 4, 1 to x, y, z; x-y weighs 2 (as test_backbone_keeps_each_hubs_strongest_ties_by_hand).
    nodes = pd.DataFrame({"practitioner_id": ["z", "y", "x", "h"], "agency": ["A", "A", "B", "B"]})
    edges = pd.DataFrame({"source": ["h", "y", "h", "x"], "target": ["x", "h", "z", "y"], "weight": [5, 4, 1, 2]})
    small = backbone_of_tables(nodes, edges, 4, max_nodes=3, ties_per_node=1)
    assert sorted(map(sorted, small.graph.edges)) == [["h", "x"], ["h", "y"]]
    assert small.graph.nodes["x"] == {"agency": "B"} and small.graph.edges["h", "x"] == {"weight": 5}
    assert small.message.startswith("This network is too large to draw whole (4 practitioners, 4 ties). "
                                    "Showing the 3 most connected practitioners' strongest ties (up to 1 each; 2 ties)")
    twice = pd.concat([edges, edges.iloc[[0]].rename(columns={"source": "target", "target": "source"})])
    stranger = pd.concat([edges, pd.DataFrame({"source": ["h"], "target": ["q"], "weight": [1]})])
    for n, e in ((nodes, twice), (nodes, stranger), (pd.concat([nodes, nodes.iloc[[0]]]), edges)):
        assert backbone_of_tables(n, e, 4, max_nodes=3) is None  # the caller builds the graph instead
