"""The maps pages and files draw (netdash.viz.maps): a practitioner in focus, node sizes, agency-level maps."""

from pathlib import Path

import networkx as nx
import pytest

from netdash.analysis import NetworkAnalysis
from netdash.errors import InvalidInputError
from netdash.ingest import load_dataset
from netdash.networks import agency_tie_counts
from netdash.viz.maps import BETWEENNESS, PRACTITIONERS, TRUST_TIES, agency_maps, map_measures, network_map

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"


def _path():
    """a - b - c - d - e - f, agencies X (a, b, c) and Y (d, e, f)."""
    G = nx.path_graph(list("abcdef"))
    nx.set_node_attributes(G, {n: "X" if n in "abc" else "Y" for n in G}, "agency")
    return G, {n: (10.0 * i, 0.0) for i, n in enumerate(G)}


@pytest.mark.parametrize(("steps", "shown"), [(1, "bcd"), (2, "abcde"), (3, "abcdef")])
def test_focus_shows_the_practitioner_and_everyone_n_steps_out(steps, shown):
    G, positions = _path()
    drawn = network_map(G, positions, focus="c", steps=steps, agencies=["Y"])  # focus overrides the filter
    assert sorted(drawn.graph) == list(shown)
    nodes = {n["label"]: n for n in drawn.spec["nodes"]}
    assert nodes["c"]["flags"] == ["focus"] and nodes["c"]["steps"] == 0
    assert {label: n["steps"] for label, n in nodes.items()} == {
        label: abs("abcdef".index(label) - 2) for label in shown}
    if "e" in nodes:
        assert nodes["e"]["tip"][-1] == "2 ties away from the practitioner in focus"
    # each practitioner's ties in the whole network, not only those drawn: b has 2 (a and c) even when a is left out
    assert "Ties: 2" in nodes["b"]["tip"] and "Ties: 1" in nodes.get("a", {"tip": ["Ties: 1"]})["tip"]


def test_agency_filter_and_no_focus():
    G, positions = _path()
    drawn = network_map(G, positions, agencies=["Y"])
    assert sorted(drawn.graph) == ["d", "e", "f"] and drawn.message is None
    assert all("steps" not in n and n["flags"] == [] for n in drawn.spec["nodes"])


def test_a_big_map_is_cut_to_its_backbone_and_says_so():
    G = nx.star_graph(30)
    nx.set_node_attributes(G, "X", "agency")
    drawn = network_map(G, nx.circular_layout(G), max_nodes=10, to_see_more=None)
    assert drawn.graph.number_of_nodes() <= 10 and "too large to draw whole" in drawn.message


@pytest.mark.parametrize(("kw", "message"), [({"focus": "zz"}, "practitioner 'zz' is not in this network"),
                                             ({"focus": "a", "steps": 4}, "steps must be 1, 2 or 3")])
def test_network_map_rejects_bad_choices(kw, message):
    G, positions = _path()
    with pytest.raises(InvalidInputError, match=message):
        network_map(G, positions, **kw)


@pytest.fixture(scope="module")
def good_analysis():
    ds, _ = load_dataset(GOOD, secret=b"k" * 32)
    return NetworkAnalysis(ds, None, ties="all")


def test_nodes_are_sized_by_the_analysis_measures(good_analysis):
    a = good_analysis
    measures = map_measures(a)
    # Freeman betweenness of the whole network, as the Brokerage page shows it: networkx's on the same graph
    assert measures[BETWEENNESS] == pytest.approx(nx.betweenness_centrality(a.G, normalized=True))
    assert measures[TRUST_TIES] == {n: a.T.degree(n) for n in a.T}
    positions = {n: (i, i % 3) for i, n in enumerate(sorted(a.G))}
    for name in (BETWEENNESS, TRUST_TIES):
        drawn = network_map(a.G, positions, size_by=name, measures=measures)
        sizes = {n["tip"][1][4:] if n["tip"][1].startswith("ID: ") else n["tip"][0]: n["size"]
                 for n in drawn.spec["nodes"]}
        top = max(measures[name], key=measures[name].get)
        assert drawn.spec["size_by"] == name and sizes[top] == max(sizes.values())
        assert list(drawn.spec["sizes"]) == ["Ties", BETWEENNESS, TRUST_TIES]
    with pytest.raises(InvalidInputError, match="unknown measure 'PageRank'"):
        map_measures(a, ["PageRank"])


def _agency_graphs():
    before = nx.Graph()
    before.add_nodes_from([("a1", {"agency": "A", "agency_name": "Alpha", "sector": "housing"}),
                           ("a2", {"agency": "A", "agency_name": "Alpha", "sector": "housing"}),
                           ("b1", {"agency": "B", "agency_name": "Beta", "sector": "mental_health"})])
    after = before.copy()
    after.add_node("c1", agency="C", agency_name="Gamma", sector="housing")
    before.add_edges_from([("a1", "a2"), ("a1", "b1")])
    after.add_edges_from([("a1", "b1"), ("a2", "b1"), ("b1", "c1")])
    return before, after


def test_agency_maps_draw_agencies_and_their_cross_agency_ties_on_one_layout():
    before, after = _agency_graphs()
    b, a = agency_maps(before, after, titles=("Before", "After"))
    assert [n["label"] for n in b["nodes"]] == [n["label"] for n in a["nodes"]] == ["Alpha", "Beta", "Gamma"]
    assert [(n["x"], n["y"]) for n in b["nodes"]] == [(n["x"], n["y"]) for n in a["nodes"]]
    # counts as netdash.networks counts them: practitioner pairs tied across two agencies
    counts = agency_tie_counts(after).set_index(["agency_a", "agency_b"])["ties"]
    assert counts["A", "B"] == 2 and counts["B", "C"] == 1
    # each link sends its count; the renderer writes "Alpha – Beta: 2 working ties" (tests/e2e/test_viz_inpage.py)
    label = {n["id"]: n["label"] for n in a["nodes"]}
    assert {(label[t["from"]], label[t["to"]], t["count"]) for t in a["ties"]} == {("Alpha", "Beta", 2),
                                                                                   ("Beta", "Gamma", 1)}
    assert [(label[t["from"]], label[t["to"]], t["count"]) for t in b["ties"]] == [("Alpha", "Beta", 1)]  # a1 - a2
    assert b["tie_count_words"] == a["tie_count_words"] == ["working tie", "working ties"]
    assert not any("tip" in t for t in a["ties"] + b["ties"])
    # one scale for both maps: the largest count (2) is drawn widest, 1 at half way (weights 2**5 and 2**2.5)
    assert sorted(t["weight"] for t in a["ties"]) == [round(2 ** 2.5, 3), 32]  # 3 decimals: < 0.001 px of width
    assert b["ties"][0]["weight"] == round(2 ** 2.5, 3)
    # Gamma has nobody in post before: pale there; dot sizes follow the practitioners in post, on one scale
    assert [n["flags"] for n in b["nodes"]] == [[], [], ["faded"]]
    assert b["size_by"] == a["size_by"] == PRACTITIONERS
    assert b["nodes"][0]["size"] == a["nodes"][0]["size"] > a["nodes"][1]["size"] == a["nodes"][2]["size"]
    assert "Practitioners in post: 2" in a["nodes"][0]["tip"]
    assert "Working ties within the agency: 1" in b["nodes"][0]["tip"]
    # coloured by sector, named as people read them, agencies on the side away from the centre
    assert [item["label"] for item in a["legend"]["nodes"]] == ["Housing", "Mental health"]
    assert a["nodes"][0]["colour"] == a["nodes"][2]["colour"] != a["nodes"][1]["colour"]
    assert a["label_place"] == "outward" and a["tie_scale"] == 2.0


@pytest.mark.parametrize("ties", ["working", "direct"])
def test_agency_maps_of_the_analyses_tables_equal_those_of_their_graphs(demo_source, ties):
    # Before & after (pages/_cached.py) collapses the analyses' node and edge tables, not their networkx graphs.
    from netdash.networks import agency_graph, agency_graph_from_tables
    from netdash.periods import parse_period

    ds, _ = load_dataset(demo_source, secret=b"k" * 32)
    shared = [NetworkAnalysis(ds, parse_period(p), ties=ties)
              for p in ("2024-01-01:2024-07-01", "2024-07-01:2025-01-01")]
    collapsed = [agency_graph_from_tables(a.node_table, a.edge_table) for a in shared]
    for H, a in zip(collapsed, shared):
        assert list(H.edges(data=True)) == list(agency_graph(a.G).edges(data=True))
    from_graphs = agency_maps(*(a.G for a in shared), titles=("B", "A"), max_links=40)
    from_tables = agency_maps(*collapsed, collapsed=True, titles=("B", "A"), max_links=40)
    assert from_tables == from_graphs
    # and from the links of the tables, without the agency graphs (Before & after since session 18)
    from netdash.networks import agency_links_from_tables

    links = [agency_links_from_tables(a.node_table, a.edge_table) for a in shared]
    assert agency_maps(*links, collapsed=True, titles=("B", "A"), max_links=40) == from_graphs
    assert agency_maps(links[0], collapsed[1], collapsed=True, titles=("B", "A")) == agency_maps(
        *(a.G for a in shared), titles=("B", "A"))
    assert sum(len(spec["ties"]) for spec in from_tables) > 40  # links drawn, and the 40-link cut made in one
    assert "the 40 most tied of" in from_tables[0]["title"] + from_tables[1]["title"]


def test_agency_maps_reject_an_unknown_colouring():
    with pytest.raises(InvalidInputError, match="colour_by must be 'sector' or 'agency'"):
        agency_maps(*_agency_graphs(), colour_by="role")


def test_network_map_draws_a_layer_without_counting_it():
    import networkx as nx

    from netdash.viz.maps import COP_LAYER_STYLE, network_map

    G = nx.Graph([("a", "b"), ("b", "c")])
    G.add_node("d")
    layer = nx.Graph([("a", "b"), ("a", "d"), ("c", "e")])  # a-b is tied already; e is not on the map
    positions = {n: (i, 0) for i, n in enumerate("abcd")}
    drawn = network_map(G, positions, layer=layer)
    assert sorted(drawn.graph.edges()) == sorted(G.edges())  # the map's graph: G's ties only
    spec = drawn.spec
    styled = [t for t in spec["ties"] if t["style"] not in ("tie", "faded")]
    ids = {n["label"]: n["id"] for n in spec["nodes"]}
    assert [(t["from"], t["to"]) for t in styled] == [(ids["a"], ids["d"])]
    assert spec["tie_styles"][styled[0]["style"]]["dashes"] is True
    assert spec["legend"]["edges"][0]["label"] == COP_LAYER_STYLE["label"]
    assert {n["label"]: n["tip"][-1] for n in spec["nodes"]}["d"] == "Ties: 0"  # not counted as a tie
    assert network_map(G, positions).spec["ties"] == [t for t in spec["ties"] if t not in styled]


def test_agency_maps_draw_the_most_tied_pairs_when_there_are_too_many():
    """Agencies A, B, C, D: A-B tied by 3 practitioner pairs, B-C and A-D by 2, A-C by 1. With room for two
    links, A-B and then A-D (the tie at 2 broken by agency id: A before B); the title says so, and A's
    tooltip still counts all of its 6 ties with other agencies."""
    from netdash.viz.maps import agency_maps

    G = nx.Graph()
    agency = {}
    for pair, n in ((("A", "B"), 3), (("B", "C"), 2), (("A", "D"), 2), (("A", "C"), 1)):
        for k in range(n):
            u, v = f"{pair[0]}{pair[1]}{k}{pair[0]}", f"{pair[0]}{pair[1]}{k}{pair[1]}"
            G.add_edge(u, v)
            agency[u], agency[v] = pair
    nx.set_node_attributes(G, agency, "agency")
    before, after = agency_maps(G, G, max_links=2, titles=("Before", "After"))
    assert before["title"] == "Before (the 2 most tied of 4 agency pairs)"
    label = {n["id"]: n["label"] for n in before["nodes"]}
    assert {tuple(sorted((label[t["from"]], label[t["to"]]))) for t in before["ties"]} == {("A", "B"), ("A", "D")}
    assert "Working ties with other agencies: 6" in next(n["tip"] for n in before["nodes"] if n["label"] == "A")
    everything = agency_maps(G, G, titles=("Before", "After"))[0]
    assert everything["title"] == "Before" and len(everything["ties"]) == 4


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("ids", ["text", "mixed"])
def test_agency_maps_rank_links_and_count_ties_as_the_link_by_link_reading(seed, ids):
    # agency_maps reads each agency graph's links once (docs/benchmarks.md, "Session 17"): the links drawn, their
    # order of choice and each agency's ties with other agencies are those of sorting every link by (-ties, the
    # ids of its ends) and summing H.edges(a, data="ties") per agency.
    import random

    from netdash.viz.colours import sorted_ids
    from netdash.viz.maps import _most_tied

    rng = random.Random(seed)
    agencies = [f"A{k}" for k in range(12)] if ids == "text" else [*range(6), *(f"A{k}" for k in range(6))]
    H = nx.Graph()
    for a in agencies:
        H.add_node(a, name=None, sector=rng.choice(["housing", "health"]), n_practitioners=rng.randrange(1, 5),
                   internal_ties=0, internal_weight=0)
    for u, v in rng.sample([(u, v) for i, u in enumerate(agencies) for v in agencies[i + 1:]], 40):
        H.add_edge(*((u, v) if rng.random() < 0.5 else (v, u)), ties=rng.randrange(1, 4), weight=1)
    rank = {a: k for k, a in enumerate(sorted_ids(agencies))}
    links = list(H.edges(data="ties"))
    want = sorted(((n, sorted_ids((u, v))) for u, v, n in links), key=lambda l: (-l[0], rank[l[1][0]], rank[l[1][1]]))
    for keep in (1, 7, 40):
        got = _most_tied(links, rank, keep)
        assert [(links[k][2], sorted_ids(links[k][:2])) for k in got] == want[:keep]
    spec = agency_maps(H, H, collapsed=True, max_links=7)[0]
    label = {n["id"]: n["label"] for n in spec["nodes"]}
    assert {frozenset((label[t["from"]], label[t["to"]])) for t in spec["ties"]} == {
        frozenset(str(a) for a in pair) for _, pair in want[:7]}
    for node in spec["nodes"]:
        a = next(a for a in agencies if str(a) == node["label"])
        assert f"Working ties with other agencies: {sum(n for _, _, n in H.edges(a, data='ties'))}" in node["tip"]


def test_agency_graph_from_tables_puts_ties_in_as_add_edge_does():
    # _collapsed writes new agency pairs straight into the adjacency: the same graph, edge order and data as
    # add_edge, each pair's data one dict shared by both ends.
    from netdash.networks.graphs import _collapsed

    people = [("A", "Alpha", "housing"), ("B", None, "health"), ("C", "Gamma", None), ("A", "Alpha", "housing")]
    summary = [("A", "A", 2, 3), ("A", "B", 1, 4), ("B", "C", 2, 2), ("A", "C", 1, 1), ("C", "D", 1, 1)]
    H = _collapsed(people, summary)
    want = nx.Graph()
    for a, name, sector in people:
        if a not in want:
            want.add_node(a, name=name, sector=sector, n_practitioners=0, internal_ties=0, internal_weight=0)
        want.nodes[a]["n_practitioners"] += 1
    want.nodes["A"].update(internal_ties=2, internal_weight=3)
    for a, b, n, w in summary[1:]:
        want.add_edge(a, b, ties=n, weight=w)
    assert list(H.nodes(data=True)) == list(want.nodes(data=True))
    assert list(H.edges(data=True)) == list(want.edges(data=True))  # D, not a practitioner's agency: add_edge's way
    assert {k: list(v) for k, v in H.adj.items()} == {k: list(v) for k, v in want.adj.items()}
    assert H.adj["A"]["B"] is H.adj["B"]["A"]


@pytest.mark.parametrize("ties", ["working", "direct"])
@pytest.mark.parametrize("changes_only", [False, True])
def test_before_after_maps_given_the_coded_tie_changes_equal_those_that_compute_them(demo_source, ties, changes_only):
    # Before & after (pages/_cached.py) hands the maps period_tie_changes of the periods instead of letting them
    # walk both graphs' ties: the same panels, notes and sets of changed ties.
    from netdash.change.dynamics import period_tie_changes
    from netdash.periods import parse_period
    from netdash.viz.panels import before_after_maps

    ds, _ = load_dataset(demo_source, secret=b"k" * 32)
    periods = [parse_period(p) for p in ("2024-01-01:2024-07-01", "2024-07-01:2025-01-01")]
    graphs = [NetworkAnalysis(ds, p, ties=ties).G for p in periods]
    options = dict(changes_only=changes_only, max_nodes=60, to_see_more="more", seed=1)
    want = before_after_maps(*graphs, **options)
    got = before_after_maps(*graphs, changes=period_tie_changes(ds, *periods, ties=ties), **options)
    assert got == want
    assert want.lost and want.new_cross_agency and want.before.message  # drawn from a backbone, with changes


def _same_panels(got, want):
    """before_after_table_maps' result against before_after_maps': panels equal, changed ties counted alike."""
    assert (got.before, got.after) == (want.before, want.after)
    assert (got.n_new_cross_agency, got.n_lost) == (len(want.new_cross_agency), len(want.lost))


@pytest.mark.parametrize("ties", ["working", "direct"])
@pytest.mark.parametrize("changes_only", [False, True])
@pytest.mark.parametrize("max_nodes", [60, 5000])
def test_before_after_maps_of_the_tables_equal_those_of_the_graphs(demo_source, ties, changes_only, max_nodes):
    # Before & after (pages/_cached.py) draws its maps from the analyses' node and edge tables: the same panels as
    # from their graphs, cut to a backbone (60) or drawn whole (5000: from the graphs, as before).
    from netdash.change.dynamics import period_tie_changes
    from netdash.networks.graphs import PRACTITIONER_EDGE_ATTRS
    from netdash.periods import parse_period
    from netdash.viz.layout import stable_positions
    from netdash.viz.panels import before_after_maps, before_after_table_maps

    ds, _ = load_dataset(demo_source, secret=b"k" * 32)
    periods = [parse_period(p) for p in ("2024-01-01:2024-07-01", "2024-07-01:2025-01-01")]
    analyses = [NetworkAnalysis(ds, p, ties=ties) for p in periods]
    graphs = [a.G for a in analyses]
    changes = period_tie_changes(ds, *periods, ties=ties)
    options = dict(changes_only=changes_only, max_nodes=max_nodes, to_see_more="more", titles=("B", "A"),
                   height_px=470, agency_names={"A001": "Housing first"}, positions=stable_positions(graphs))
    want = before_after_maps(*graphs, changes=changes, **options)
    got = before_after_table_maps(*((a.node_table, a.edge_table) for a in analyses), changes=changes,
                                  attrs=PRACTITIONER_EDGE_ATTRS, **options)
    _same_panels(got, want)
    # without a change table: the changed ties found from the tables, as period_tie_changes finds them
    _same_panels(before_after_table_maps(*((a.node_table, a.edge_table) for a in analyses), changes=None,
                                         attrs=PRACTITIONER_EDGE_ATTRS, **options), want)
    assert want.lost and want.new_cross_agency
    assert bool(want.before.message) == (max_nodes == 60)
    styled = [{t["style"] for t in p.spec["ties"]} - {"tie", "faded"} for p in (want.before, want.after)]
    assert all(styled) or max_nodes == 5000  # some lost and new cross-agency ties are on the backbones


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("changes_only", [False, True])
def test_before_after_maps_of_random_tables_equal_those_of_their_graphs(seed, changes_only):
    # Two periods sharing some practitioners, with agencies that change, weights and self-loops.
    import random

    import pandas as pd

    from netdash.change.dynamics import tie_changes
    from netdash.networks import graph_from_tables
    from netdash.viz.layout import stable_positions
    from netdash.viz.panels import before_after_maps, before_after_table_maps

    rng = random.Random(seed)
    everyone = [f"P{i:03d}" for i in rng.sample(range(500), rng.randint(4, 50))]
    tables = []
    for _ in range(2):
        ids = rng.sample(everyone, rng.randint(2, len(everyone)))
        nodes = pd.DataFrame({"practitioner_id": ids, "agency": [rng.choice("ABC") for _ in ids],
                              "name": [f"name {i}" for i in ids]})
        pairs = {frozenset(rng.sample(ids, 2)) for _ in range(rng.randint(0, 4 * len(ids)))}
        pairs = [tuple(p) for p in pairs] + ([(ids[0], ids[0])] if seed % 3 == 0 else [])
        rng.shuffle(pairs)
        edges = pd.DataFrame({"source": [p[0] for p in pairs], "target": [p[1] for p in pairs],
                              "weight": [rng.randint(1, 4) for _ in pairs]}, columns=["source", "target", "weight"])
        tables.append((nodes, edges.astype({"weight": int})))
    graphs = [graph_from_tables(*t, attrs=("weight",)) for t in tables]
    changes = tie_changes(*graphs, weight=None)
    options = dict(changes_only=changes_only, max_nodes=rng.choice([3, 8, 100]), positions=stable_positions(graphs))
    want = before_after_maps(*graphs, changes=changes, **options)
    _same_panels(before_after_table_maps(*tables, changes=changes, attrs=("weight",), **options), want)
    _same_panels(before_after_table_maps(*tables, changes=None, attrs=("weight",), **options), want)


def _map_tables(seed):
    """A random node table and edge table of one simple graph, ends either way round, with agencies and weights."""
    import random

    import pandas as pd

    rng = random.Random(seed)
    n = rng.randint(2, 70)
    ids = [f"P{i:03d}" for i in rng.sample(range(1000), n)]
    nodes = pd.DataFrame({"practitioner_id": ids, "agency": [rng.choice(["A", "B", "C", "D", None]) for _ in ids],
                          "cop_attendee": [rng.random() < 0.3 for _ in ids]})
    pairs = {tuple(rng.sample(ids, 2)) if rng.random() < 0.95 else (ids[0], ids[0])
             for _ in range(rng.randint(0, 5 * n))}
    pairs = list({frozenset(p): p for p in pairs}.values())  # one row per pair, as practitioner_edges has
    rng.shuffle(pairs)
    edges = pd.DataFrame({"source": [p[0] for p in pairs], "target": [p[1] for p in pairs],
                          "weight": [rng.randint(1, 5) for _ in pairs],
                          "tie_types": [rng.choice([("direct",), ("coworking", "direct")]) for _ in pairs]},
                         columns=["source", "target", "weight", "tie_types"])
    layer = [tuple(rng.sample(ids, 2)) for _ in range(rng.randint(0, 2 * n))]
    positions = {p: (rng.uniform(-100, 100), rng.uniform(-100, 100)) for p in ids}
    return nodes, edges, layer, positions


def _same_maps(got, want):
    assert got.spec == want.spec and got.message == want.message
    assert list(got.graph.nodes(data=True)) == list(want.graph.nodes(data=True))
    assert sorted(map(sorted, got.graph.edges)) == sorted(map(sorted, want.graph.edges))
    assert {frozenset(e[:2]): e[2] for e in got.graph.edges(data=True)} == {
        frozenset(e[:2]): e[2] for e in want.graph.edges(data=True)}


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("agencies, focus", [((), None), (("A",), None), (("A", "B", "C"), None),
                                             (("A", "B", "C", "D"), None), ((), 1), (("A",), 2), ((), 3)])
@pytest.mark.parametrize("max_nodes", [6, 1500])
def test_network_map_of_tables_equals_the_map_of_their_graph(seed, agencies, focus, max_nodes):
    # The Network map draws from the analysis's tables (pages/_cached.py), not from the graph built from them.
    from netdash.networks import graph_from_tables
    from netdash.viz.maps import network_map_of_tables

    nodes, edges, layer, positions = _map_tables(seed)
    attrs = ("weight", "tie_types")
    for with_layer in (False, True):
        options = dict(agencies=agencies, max_nodes=max_nodes, colour_by="agency", palette=None, height_px=500)
        if focus is not None:  # someone with ties, when there are any, and everyone ``focus`` steps out
            options.update(focus=edges["source"].iloc[0] if len(edges) else nodes["practitioner_id"].iloc[-1],
                           steps=focus)
        want = network_map(graph_from_tables(nodes, edges, attrs=attrs), positions,
                           layer=nx.Graph(layer) if with_layer else None, **options)
        got = network_map_of_tables(nodes, edges, positions, attrs=attrs, layer=layer if with_layer else None,
                                    **options)
        _same_maps(got, want)


def test_network_map_of_tables_by_hand_and_when_the_tables_are_not_one_simple_graph():
    import pandas as pd

    from netdash.viz.maps import network_map_of_tables

    nodes = pd.DataFrame({"practitioner_id": ["a", "b", "c", "d"], "agency": ["A", "A", "B", "A"]})
    edges = pd.DataFrame({"source": ["a", "b", "c"], "target": ["b", "c", "c"], "weight": [1, 2, 1]})
    positions = {n: (i, 0) for i, n in enumerate("abcd")}
    drawn = network_map_of_tables(nodes, edges, positions, agencies={"A"}, layer=[("a", "d"), ("c", "d")])
    assert sorted(drawn.graph) == ["a", "b", "d"] and list(drawn.graph.edges) == [("a", "b")]
    # b's tie to c counts although c is not shown; c's self-loop is no colleague; the layer's a-d is drawn, not counted
    assert {n["label"]: n["tip"][-1] for n in drawn.spec["nodes"]} == {"a": "Ties: 1", "b": "Ties: 2", "d": "Ties: 0"}
    assert len(drawn.spec["ties"]) == 2
    twice = pd.concat([edges, pd.DataFrame({"source": ["b"], "target": ["a"], "weight": [1]})])
    stranger = pd.concat([edges, pd.DataFrame({"source": ["a"], "target": ["q"], "weight": [1]})])
    for n, e in ((nodes, twice), (nodes, stranger), (pd.concat([nodes, nodes.iloc[[0]]]), edges)):
        assert network_map_of_tables(n, e, positions) is None  # the caller builds the graph instead
    with pytest.raises(InvalidInputError, match="practitioner 'q' is not in this network"):
        network_map_of_tables(nodes, edges, positions, focus="q")
    with pytest.raises(InvalidInputError, match="steps must be 1, 2 or 3"):
        network_map_of_tables(nodes, edges, positions, focus="a", steps=4)


@pytest.mark.parametrize("ties", ["working", "cop", "direct"])
def test_network_map_of_an_analysis_tables_equals_the_map_of_its_graph(demo_source, ties):
    from netdash.networks.graphs import PRACTITIONER_EDGE_ATTRS
    from netdash.periods import parse_period
    from netdash.viz.layout import period_layout
    from netdash.viz.maps import network_map_of_tables

    ds, _ = load_dataset(demo_source, secret=b"k" * 32)
    period = parse_period("2024-01-01:2025-01-01")
    shared, cop = NetworkAnalysis(ds, period, ties=ties), NetworkAnalysis(ds, period, ties="cop")
    positions = period_layout(ds, period)
    agencies = sorted(set(shared.node_table["agency"]))
    pairs = list(zip(cop.edge_table["source"], cop.edge_table["target"]))
    assert shared.number_of_nodes() > 0 and shared.coded is not None
    sizes = (shared.number_of_nodes(), shared.number_of_edges(), shared.has_node(shared.coded.ids[3]),
             shared.has_node("nobody"))
    assert not shared.graph_built  # the sizes came from the tables
    someone = shared.edge_table["source"].iloc[len(shared.edge_table) // 2]
    views = [dict(agencies=chosen) for chosen in ((), agencies[:1], agencies[:3], agencies[: len(agencies) // 2 + 1])]
    views += [dict(focus=someone, steps=k, agencies=agencies[:1]) for k in (1, 2, 3)]
    for view in views:
        for max_nodes, layer in ((1500, False), (40, False), (40, True)):
            options = dict(**view, max_nodes=max_nodes, size_by=BETWEENNESS,
                           measures=map_measures(shared, [BETWEENNESS]), colour_by="agency")
            got = network_map_of_tables(shared.node_table, shared.edge_table, positions,
                                        attrs=PRACTITIONER_EDGE_ATTRS, coded=shared.coded,
                                        layer=pairs if layer else None, **options)
            want = network_map(shared.G, positions, layer=cop.G if layer else None, **options)
            _same_maps(got, want)
    G = shared.G
    assert shared.graph_built
    assert sizes == (G.number_of_nodes(), G.number_of_edges(), shared.coded.ids[3] in G, False)
    assert (shared.number_of_nodes(), shared.number_of_edges()) == sizes[:2]  # and from G once it is built
