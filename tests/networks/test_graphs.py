"""Tests for netdash.networks.graphs on a hand-checked dataset and Davis Southern Women."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from networkx.algorithms import bipartite

from netdash.networks import graphs
from netdash.dataset import Dataset
from netdash.errors import InvalidInputError
from netdash.periods import Period, parse_period

H1 = parse_period("2024-01-01:2024-07-01")


def _c(date, who, client=None, colleague=None, kind=None):
    return {"date": date, "practitioner_id": who, "client_id": client,
            "with_practitioner_id": colleague, "contact_type": kind}


@pytest.fixture
def ds():
    """Agencies A = {p1, p2, p6, p7}, B = {p3, p4, p5}; period H1 2024.

    p5 starts on the period's end (not in post); p6 left before the period
    but made a contact in it; p7 is in post and idle (an isolate).
    """
    return Dataset.from_records(
        agencies=[{"agency_id": "A", "name": "Housing", "sector": "housing"},
                  {"agency_id": "B", "name": "Mental Health", "sector": "mental_health"}],
        practitioners=[
            {"practitioner_id": "p1", "agency_id": "A", "name": "Ann", "role": "support worker"},
            {"practitioner_id": "p2", "agency_id": "A"},
            {"practitioner_id": "p3", "agency_id": "B"},
            {"practitioner_id": "p4", "agency_id": "B"},
            {"practitioner_id": "p5", "agency_id": "B", "start_date": "2024-07-01"},
            {"practitioner_id": "p6", "agency_id": "A", "end_date": "2023-12-31"},
            {"practitioner_id": "p7", "agency_id": "A"},
        ],
        contacts=[
            _c("2024-01-01", "p1", colleague="p3", kind="phone"),   # start: inside
            _c("2024-02-10", "p1", colleague="p3", kind="email"),
            _c("2024-03-05", "p3", colleague="p1", kind="phone"),
            _c("2024-03-06", "p2", colleague="p4", kind="referral"),
            _c("2024-07-01", "p1", colleague="p2", kind="phone"),   # end: outside
            _c("2023-12-31", "p2", colleague="p1", kind="phone"),   # before
            _c("2024-05-01", "p6", colleague="p2", kind="referral"),
            _c("2024-04-01", "p1", colleague="p1", kind="phone"),   # self: ignored
            _c("2024-01-10", "p1", client="c1"),
            _c("2024-04-09", "p3", client="c1"),                    # 90 days later: tie
            _c("2024-01-10", "p2", client="c2"),
            _c("2024-04-10", "p4", client="c2"),                    # 91 days: no tie
            _c("2024-06-30", "p2", client="c3"),
            _c("2024-07-01", "p4", client="c3"),                    # outside period
            _c("2024-02-01", "p1", client="c4"),
            _c("2024-02-20", "p2", client="c4"),
            _c("2024-02-21", "p1", client="c4"),
            _c("2024-05-01", "p1", client="c5"),
            _c("2024-05-02", "p3", client="c5"),
        ],
        cop_attendance=[
            {"session_id": "s0", "date": "2023-11-01", "practitioner_id": "p2"},
            {"session_id": "s1", "date": "2024-02-01", "practitioner_id": "p1"},
            {"session_id": "s1", "date": "2024-02-01", "practitioner_id": "p3"},
            {"session_id": "s1", "date": "2024-02-01", "practitioner_id": "p4"},
            {"session_id": "s2", "date": "2024-03-01", "practitioner_id": "p1"},
            {"session_id": "s2", "date": "2024-03-01", "practitioner_id": "p3"},
            {"session_id": "s3", "date": "2024-08-01", "practitioner_id": "p7"},
        ],
    )


def _weights(edges):
    return {(s, t): w for s, t, w in edges[["source", "target", "weight"]].itertuples(index=False)}


def _graph_weights(G, attr="weight"):
    return {tuple(sorted((u, v))) if not G.is_directed() else (u, v): d[attr]
            for u, v, d in G.edges(data=True)}


def test_practitioners_in_post_boundaries(ds):
    assert sorted(graphs.practitioners_in_post(ds, H1)["practitioner_id"]) == ["p1", "p2", "p3", "p4", "p7"]
    # end_date is the last day in post, so it overlaps a period starting that day
    assert "p6" in set(graphs.practitioners_in_post(ds, parse_period("2023-12-31:2024-01-01"))["practitioner_id"])
    # start_date on the period's end is outside [start, end)
    assert "p5" in set(graphs.practitioners_in_post(ds, parse_period("2024-07-01:"))["practitioner_id"])
    assert len(graphs.practitioners_in_post(ds, None)) == 7


def test_node_set_and_attributes(ds):
    G = graphs.practitioner_graph(ds, H1)
    assert sorted(G) == ["p1", "p2", "p3", "p4", "p6", "p7"]  # p6 active though out of post
    assert G.nodes["p1"] == {"agency": "A", "agency_name": "Housing", "sector": "housing",
                             "role": "support worker", "name": "Ann", "cop_sessions": 2,
                             "cop_attendee": True}
    assert G.nodes["p2"]["name"] is None and G.nodes["p2"]["role"] is None
    assert (G.nodes["p2"]["cop_sessions"], G.nodes["p2"]["cop_attendee"]) == (0, True)  # s0 before
    assert (G.nodes["p7"]["cop_sessions"], G.nodes["p7"]["cop_attendee"]) == (0, False)  # s3 after
    assert G.degree("p7") == 0
    assert graphs.practitioner_nodes(ds, H1, include=["p5"])["practitioner_id"].tolist()[4] == "p5"


def test_contact_edges_and_directed_graph(ds):
    edges = graphs.contact_edges(ds, H1)
    assert _weights(edges) == {("p1", "p3"): 2, ("p3", "p1"): 1, ("p2", "p4"): 1, ("p6", "p2"): 1}
    G = graphs.contact_graph(ds, H1)
    assert G.is_directed() and set(G) == {"p1", "p2", "p3", "p4", "p6", "p7"}
    assert G.edges["p1", "p3"]["types"] == {"phone": 1, "email": 1}
    assert G.edges["p6", "p2"]["types"] == {"referral": 1}
    assert not G.has_edge("p1", "p1") and not G.has_edge("p1", "p2")
    assert (G.out_degree("p2"), G.in_degree("p2")) == (1, 1)
    assert (G.out_degree("p4"), G.in_degree("p4")) == (0, 1)


def test_contact_edges_missing_type_counted_as_unspecified(ds):
    edges = graphs.contact_edges(Dataset.from_records(
        agencies=ds.agencies, practitioners=ds.practitioners,
        contacts=[_c("2024-01-01", "p1", colleague="p2"), _c("2024-01-02", "p1", colleague="p2", kind="email")]))
    assert edges["types"].tolist() == [{"unspecified": 1, "email": 1}]


def test_coworking_window_and_period(ds):
    assert _weights(graphs.coworking_edges(ds, H1)) == {("p1", "p2"): 1, ("p1", "p3"): 2}
    # c1 is exactly 90 days apart: gone at 89
    assert _weights(graphs.coworking_edges(ds, H1, window_days=89)) == {("p1", "p2"): 1, ("p1", "p3"): 1}
    # c2 is 91 days apart: appears at 91; c3 straddles the period end and never counts
    assert _weights(graphs.coworking_edges(ds, H1, window_days=91))[("p2", "p4")] == 1
    assert ("p2", "p4") not in _weights(graphs.coworking_edges(ds, parse_period("2024-06-01:2024-07-01"), window_days=5))
    assert ("p2", "p4") in _weights(graphs.coworking_edges(ds, parse_period("2024-06-01:2024-07-02"), window_days=5))
    G = graphs.coworking_graph(ds, H1)
    assert _graph_weights(G) == {("p1", "p2"): 1, ("p1", "p3"): 2} and "p7" in G


def test_coworking_uses_minimum_distance_between_date_sets():
    ds = Dataset.from_records(
        agencies=[{"agency_id": "A", "name": "A"}],
        practitioners=[{"practitioner_id": p, "agency_id": "A"} for p in ("p1", "p2")],
        contacts=[_c("2024-01-01", "p1", client="c"), _c("2024-06-01", "p1", client="c"),
                  _c("2024-03-15", "p2", client="c"), _c("2024-06-20", "p2", client="c")])
    assert _weights(graphs.coworking_edges(ds, window_days=19)) == {("p1", "p2"): 1}
    assert graphs.coworking_edges(ds, window_days=18).empty


def test_coworking_repeated_visits_count_one_client():
    days = pd.date_range("2024-01-01", periods=200).strftime("%Y-%m-%d")
    ds = Dataset.from_records(
        agencies=[{"agency_id": "A", "name": "A"}],
        practitioners=[{"practitioner_id": p, "agency_id": "A"} for p in ("p1", "p2")],
        contacts=[_c(d, p, client="c") for d in days for p in ("p1", "p2")] * 2)
    assert _weights(graphs.coworking_edges(ds, window_days=0)) == {("p1", "p2"): 1}


@pytest.mark.parametrize("bad", [-1, 1.5, "90", True])
def test_coworking_window_must_be_whole_days(ds, bad):
    with pytest.raises(InvalidInputError, match=r"window_days must be a whole number of days, 0 or more"):
        graphs.coworking_edges(ds, H1, window_days=bad)


def test_cop_edges(ds):
    assert _weights(graphs.cop_edges(ds, H1)) == {("p1", "p3"): 2, ("p1", "p4"): 1, ("p3", "p4"): 1}
    assert _weights(graphs.cop_edges(ds, None)) == {("p1", "p3"): 2, ("p1", "p4"): 1, ("p3", "p4"): 1}
    assert graphs.cop_edges(ds, parse_period("2024-03-02:2024-08-02")).empty


def test_cop_graph_equals_networkx_projection_on_davis_southern_women():
    B = nx.davis_southern_women_graph()
    women = [n for n, d in B.nodes(data=True) if d["bipartite"] == 0]
    events = sorted(n for n, d in B.nodes(data=True) if d["bipartite"] == 1)
    day = {e: (pd.Timestamp("2024-01-01") + pd.Timedelta(days=i)).strftime("%Y-%m-%d")
           for i, e in enumerate(events)}
    ds = Dataset.from_records(
        agencies=[{"agency_id": "A", "name": "Society"}],
        practitioners=[{"practitioner_id": w, "agency_id": "A"} for w in women],
        cop_attendance=[{"session_id": e, "date": day[e], "practitioner_id": w}
                        for w in women for e in B[w]])
    G = graphs.cop_graph(ds)
    P = bipartite.weighted_projected_graph(B, women)
    assert set(G) == set(P)
    assert {frozenset(e) for e in G.edges} == {frozenset(e) for e in P.edges}
    assert all(G.edges[u, v]["weight"] == d["weight"] for u, v, d in P.edges(data=True))
    # Breiger (1974): Evelyn and Theresa co-attended 7 events
    assert G.edges["Evelyn Jefferson", "Theresa Anderson"]["weight"] == 7
    assert G.nodes["Evelyn Jefferson"]["cop_sessions"] == 8


def test_practitioner_graph_all(ds):
    edges = graphs.practitioner_edges(ds, H1)
    got = {(r.source, r.target): (r.weight, r.direct, r.coworking, r.cop, r.tie_types)
           for r in edges.itertuples(index=False)}
    assert got == {
        ("p1", "p2"): (1, 0, 1, 0, ("coworking",)),
        ("p1", "p3"): (7, 3, 2, 2, ("cop", "coworking", "direct")),
        ("p1", "p4"): (1, 0, 0, 1, ("cop",)),
        ("p2", "p4"): (1, 1, 0, 0, ("direct",)),
        ("p2", "p6"): (1, 1, 0, 0, ("direct",)),
        ("p3", "p4"): (1, 0, 0, 1, ("cop",)),
    }
    G = graphs.practitioner_graph(ds, H1)
    assert G.edges["p3", "p1"] == {"weight": 7, "tie_types": ("cop", "coworking", "direct"),
                                   "direct": 3, "coworking": 2, "cop": 2}


@pytest.mark.parametrize("ties, expected", [
    ("direct", {("p1", "p3"): 3, ("p2", "p4"): 1, ("p2", "p6"): 1}),
    ("coworking", {("p1", "p2"): 1, ("p1", "p3"): 2}),
    ("cop", {("p1", "p3"): 2, ("p1", "p4"): 1, ("p3", "p4"): 1}),
    ("working", {("p1", "p2"): 1, ("p1", "p3"): 5, ("p2", "p4"): 1, ("p2", "p6"): 1}),
])
def test_practitioner_graph_tie_choices(ds, ties, expected):
    G = graphs.practitioner_graph(ds, H1, ties=ties)
    assert _graph_weights(G) == expected
    assert len(G) == 6
    if ties == "direct":
        assert G.edges["p1", "p3"]["cop"] == 0 and G.edges["p1", "p3"]["tie_types"] == ("direct",)


def test_practitioner_graph_unknown_ties(ds):
    with pytest.raises(InvalidInputError, match=r"ties='both' is not a tie choice\. Use one of: "
                                                r"'direct', 'coworking', 'cop', 'working', 'all'"):
        graphs.practitioner_graph(ds, H1, ties="both")


def test_empty_period_gives_isolates_only(ds):
    G = graphs.practitioner_graph(ds, parse_period("2030-01-01:2030-02-01"))
    assert sorted(G) == ["p1", "p2", "p3", "p4", "p5", "p7"] and G.number_of_edges() == 0


def test_bipartite_graph(ds):
    G = graphs.bipartite_graph(ds, H1)
    clients = {n for n, d in G.nodes(data=True) if d["kind"] == "client"}
    assert clients == {"c1", "c2", "c3", "c4", "c5"}
    assert all(G.nodes[c]["bipartite"] == 1 for c in clients)
    assert G.nodes["p1"]["bipartite"] == 0 and G.nodes["p1"]["kind"] == "practitioner"
    assert _graph_weights(G) == {("c1", "p1"): 1, ("c1", "p3"): 1, ("c2", "p2"): 1, ("c2", "p4"): 1,
                                 ("c3", "p2"): 1, ("c4", "p1"): 2, ("c4", "p2"): 1, ("c5", "p1"): 1,
                                 ("c5", "p3"): 1}


def test_bipartite_graph_rejects_client_id_equal_to_practitioner_id(ds):
    clash = Dataset.from_records(agencies=ds.agencies, practitioners=ds.practitioners,
                                 contacts=[_c("2024-01-01", "p1", client="p2")])
    with pytest.raises(InvalidInputError, match=r"client id\(s\) 'p2' are also practitioner ids"):
        graphs.bipartite_graph(clash)


def test_agency_tie_counts_and_graph(ds):
    G = graphs.practitioner_graph(ds, H1)
    counts = graphs.agency_tie_counts(G)
    assert list(counts.itertuples(index=False, name=None)) == [("A", "A", 2), ("A", "B", 3), ("B", "B", 1)]
    H = graphs.agency_graph(G)
    assert H.nodes["A"] == {"name": "Housing", "sector": "housing", "n_practitioners": 4,
                            "internal_ties": 2, "internal_weight": 2}
    assert (H.nodes["B"]["internal_ties"], H.nodes["B"]["n_practitioners"]) == (1, 2)
    assert H.edges["A", "B"] == {"ties": 3, "weight": 9}
    # a directed graph counts p1<->p3 once, summing both directions' weights
    D = graphs.agency_graph(graphs.contact_graph(ds, H1))
    assert D.edges["A", "B"] == {"ties": 2, "weight": 4}


def test_ego_graph(ds):
    G = graphs.practitioner_graph(ds, H1)
    assert set(graphs.ego_graph(G, "p6")) == {"p6", "p2"}
    assert set(graphs.ego_graph(G, "p6", radius=2)) == {"p6", "p2", "p1", "p4"}
    assert set(graphs.ego_graph(graphs.contact_graph(ds, H1), "p2")) == {"p2", "p4", "p6"}
    with pytest.raises(InvalidInputError, match=r"practitioner 'p9' is not in this network"):
        graphs.ego_graph(G, "p9")


def test_open_period_is_all_time(ds):
    assert _weights(graphs.contact_edges(ds, Period()))[("p1", "p2")] == 1
    assert _weights(graphs.contact_edges(ds))[("p2", "p1")] == 1


def _graph_by_networkx(nodes, edges, *, directed, attrs):
    """graph_from_tables as it was: records and add_edges_from."""
    import networkx as nx

    G = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from((r.pop("practitioner_id"), r) for r in nodes.to_dict("records"))
    G.add_edges_from((u, v, dict(zip(attrs, values))) for u, v, *values in
                     zip(edges["source"].tolist(), edges["target"].tolist(), *(edges[a].tolist() for a in attrs)))
    return G


def _same_graph(a, b):
    assert type(a) is type(b)
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    for u in a:  # neighbours in the same order, the same data of the same types
        assert list(a.adj[u].items()) == list(b.adj[u].items())
        assert [type(x) for d in a.adj[u].values() for x in d.values()] == \
            [type(x) for d in b.adj[u].values() for x in d.values()]
    if a.is_directed():
        for u in a:
            assert list(a.pred[u].items()) == list(b.pred[u].items())
    a_data = {id(d) for _, _, d in a.edges(data=True)}
    assert len(a_data) == a.number_of_edges()  # each tie has its own attribute dict


@pytest.fixture(scope="module")
def demo(demo_source):
    from netdash.ingest import load_dataset

    return load_dataset(demo_source, secret=b"test-graphs")[0]


@pytest.mark.parametrize("period", [None, Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-07-01"))])
def test_graph_from_tables_equals_add_edges_from_on_the_demo(demo, period):
    from netdash.networks.graphs import PRACTITIONER_EDGE_ATTRS, graph_from_tables

    nodes = graphs.practitioner_nodes(demo, period)
    for edges, directed, attrs in ((graphs.practitioner_edges(demo, period, ties="all"), False,
                                    PRACTITIONER_EDGE_ATTRS),
                                   (graphs.contact_edges(demo, period), True, ("weight", "types"))):
        got = graph_from_tables(nodes, edges, directed=directed, attrs=attrs)
        assert got.number_of_edges() == len(edges) > 100
        _same_graph(got, _graph_by_networkx(nodes, edges, directed=directed, attrs=attrs))


def test_graph_from_tables_with_unknown_ends_or_repeated_pairs_is_what_add_edges_from_makes():
    from netdash.networks.graphs import graph_from_tables

    nodes = pd.DataFrame({"practitioner_id": ["a", "b", "c"], "agency": ["A", None, "B"]})
    for edges in (pd.DataFrame({"source": ["a", "x"], "target": ["b", "a"], "weight": [1, 2]}),   # x: no node
                  pd.DataFrame({"source": ["a", "b", "a"], "target": ["b", "a", "c"], "weight": [1, 5, 2]})):
        for directed in (False, True):
            got = graph_from_tables(nodes, edges, directed=directed)
            _same_graph(got, _graph_by_networkx(nodes, edges, directed=directed, attrs=("weight",)))
    assert graph_from_tables(nodes, edges)["a"]["b"] == {"weight": 5}  # the later row, as add_edges_from


@pytest.mark.parametrize("seed", range(4))
def test_agency_graph_counted_by_codes_equals_the_pair_table_grouping(seed, monkeypatch):
    # The integer-code count of an undirected graph against the pair-table grouping it replaces (kept for
    # directed graphs, float weights and non-string agencies): same nodes, edges, attributes and edge order.
    import random

    rng = random.Random(seed)
    G = nx.relabel_nodes(nx.gnp_random_graph(40, 0.2, seed=seed), lambda v: f"P{v:02d}")
    G.add_edge("P00", "P00", weight=7)  # a self-loop is not a pair
    for _, _, d in G.edges(data=True):
        if rng.random() < 0.7:
            d["weight"] = rng.choice([1, 2, 5])
    nx.set_node_attributes(G, {v: rng.choice(["H", "GP", "Probation", "DA"]) for v in G}, "agency")
    fast = graphs.agency_graph(G)
    assert graphs._agency_pair_sums(G, "weight") is not None
    monkeypatch.setattr(graphs, "_agency_pair_sums", lambda G, weight: None)
    slow = graphs.agency_graph(G)
    assert list(fast.nodes(data=True)) == list(slow.nodes(data=True))
    assert list(fast.edges(data=True)) == list(slow.edges(data=True))
    assert sum(n for _, _, n in fast.edges(data="ties")) + sum(d["internal_ties"] for _, d in fast.nodes(data=True)) \
        == G.number_of_edges() - 1


def test_periods_population_is_every_windows_nodes_without_ties(ds):
    """Over time's faded population (netdash.viz.panels, built from node tables): the nodes of each window's
    network, whatever its ties, each with its attributes in the last window it is in (COP sessions are counted
    per window)."""
    from netdash.viz.panels import periods_population, population_graph

    second = parse_period("2024-04-01:2024-07-01")
    everyone = periods_population(ds, [H1, second])
    assert everyone.number_of_edges() == 0
    for ties in ("working", "direct"):
        windows = [graphs.practitioner_graph(ds, w, ties=ties) for w in (H1, second)]
        assert set(everyone) == set(windows[0]) | set(windows[1])
        last = {**dict(windows[0].nodes(data=True)), **dict(windows[1].nodes(data=True))}
        assert dict(everyone.nodes(data=True)) == last
        # One graph from the stacked node tables: the order and attributes population_graph gives the windows'.
        assert list(everyone.nodes(data=True)) == list(population_graph(windows).nodes(data=True))
        assert list(periods_population(ds, [second, H1]).nodes(data=True)) \
            == list(population_graph(windows[::-1]).nodes(data=True))
    assert everyone.nodes["p1"]["cop_sessions"] == 0  # both of p1's sessions were in the first quarter
    assert len(periods_population(ds, [])) == 0


def _same_agency_graph(got, expected):
    """Same nodes, edges, attributes and order (agency_maps reads both orders)."""
    assert list(got.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(got.edges(data=True)) == list(expected.edges(data=True))


@pytest.mark.parametrize("ties", ["all", "working", "direct", "coworking"])
@pytest.mark.parametrize("period", [None, Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-07-01"))])
def test_agency_graph_from_tables_equals_collapsing_the_graph_on_the_demo(demo, period, ties):
    # Before & after's agency maps collapse the analyses' tables instead of walking their networkx graphs.
    from netdash.networks.graphs import PRACTITIONER_EDGE_ATTRS, graph_from_tables

    nodes, edges = graphs.practitioner_nodes(demo, period), graphs.practitioner_edges(demo, period, ties=ties)
    got = graphs.agency_graph_from_tables(nodes, edges)
    assert graphs._agency_pair_sums_of_tables(nodes, edges, "weight") is not None  # counted from the tables
    _same_agency_graph(got, graphs.agency_graph(graph_from_tables(nodes, edges, attrs=PRACTITIONER_EDGE_ATTRS)))
    assert got.number_of_edges() > 10
    assert sum(n for _, _, n in got.edges(data="ties")) + sum(d["internal_ties"] for _, d in got.nodes(data=True)) \
        == len(edges)


def test_agency_graph_from_tables_on_a_hand_worked_table():
    # A: a, b; B: c, d; e (agency C) tied to nobody. a-b twice (the last row, weight 4, is the graph's), a-a a
    # self-loop, c-a listed from the B end: A internal 1 tie (weight 4), A-B 2 ties (a-c 2, b-d 3: weight 5).
    nodes = pd.DataFrame({"practitioner_id": ["a", "b", "c", "d", "e"], "agency": ["A", "A", "B", "B", "C"],
                          "agency_name": ["Housing", "Housing", "GP", "GP", "Probation"],
                          "sector": ["housing", "housing", "health", "health", "justice"]})
    edges = pd.DataFrame({"source": ["a", "a", "c", "b", "b"], "target": ["b", "a", "a", "d", "a"],
                          "weight": [9, 7, 2, 3, 4]})
    H = graphs.agency_graph_from_tables(nodes, edges)
    assert list(H.nodes(data=True)) == [
        ("A", {"name": "Housing", "sector": "housing", "n_practitioners": 2, "internal_ties": 1, "internal_weight": 4}),
        ("B", {"name": "GP", "sector": "health", "n_practitioners": 2, "internal_ties": 0, "internal_weight": 0}),
        ("C", {"name": "Probation", "sector": "justice", "n_practitioners": 1, "internal_ties": 0,
               "internal_weight": 0})]
    assert list(H.edges(data=True)) == [("A", "B", {"ties": 2, "weight": 5})]
    _same_agency_graph(H, graphs.agency_graph(graphs.graph_from_tables(nodes, edges)))
    # no weight column: each tie weighs 1; no agency_name or sector column: None, as the graph's d.get gives
    bare = nodes[["practitioner_id", "agency"]]
    unweighted = graphs.agency_graph_from_tables(bare, edges[["source", "target"]])
    assert unweighted.edges["A", "B"] == {"ties": 2, "weight": 2} and unweighted.nodes["A"]["name"] is None
    _same_agency_graph(unweighted, graphs.agency_graph(graphs.graph_from_tables(bare, edges[["source", "target"]],
                                                                               attrs=())))


@pytest.mark.parametrize("case", ["float weights", "agency not a string", "end not a node", "repeated id"])
def test_agency_graph_from_tables_collapses_the_graph_where_the_codes_cannot_count(case):
    nodes = pd.DataFrame({"practitioner_id": ["a", "b", "c"], "agency": ["A", "A", "B"]})
    edges = pd.DataFrame({"source": ["a", "b"], "target": ["c", "c"], "weight": [1, 2]})
    if case == "float weights":
        edges["weight"] = [0.1, 0.2]
    elif case == "agency not a string":
        nodes["agency"] = [1, 1, 2]
    elif case == "end not a node":
        edges["target"] = ["c", "x"]
    else:
        nodes = pd.concat([nodes, nodes.iloc[[2]]], ignore_index=True)
    assert graphs._agency_pair_sums_of_tables(nodes, edges, "weight") is None
    if case == "end not a node":  # the graph gets a node without an agency, and says so as before
        with pytest.raises(KeyError):
            graphs.agency_graph(graphs.graph_from_tables(nodes, edges))
        with pytest.raises(KeyError):
            graphs.agency_graph_from_tables(nodes, edges)
        return
    _same_agency_graph(graphs.agency_graph_from_tables(nodes, edges),
                       graphs.agency_graph(graphs.graph_from_tables(nodes, edges)))


def _same_links(found, H):
    """agency_links_from_tables' result is what agency_maps reads of the agency graph H, in H's order."""
    assert list(found.agencies.items()) == list(H.nodes(data=True))
    assert found.links == list(H.edges(data="ties"))
    assert [type(n) for _, _, n in found.links] == [type(n) for _, _, n in H.edges(data="ties")]


@pytest.mark.parametrize("ties", ["all", "working", "direct", "coworking"])
@pytest.mark.parametrize("period", [None, Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-07-01"))])
def test_agency_links_from_tables_are_what_the_agency_graph_holds_on_the_demo(demo, period, ties):
    nodes, edges = graphs.practitioner_nodes(demo, period), graphs.practitioner_edges(demo, period, ties=ties)
    found = graphs.agency_links_from_tables(nodes, edges)
    _same_links(found, graphs.agency_graph_from_tables(nodes, edges))
    assert len(found.links) > 10


@pytest.mark.parametrize("seed", range(30))
def test_agency_links_from_tables_on_random_tables(seed):
    # Agencies met in no particular order, pairs listed twice or both ways round, self-loops, lone agencies.
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    ids = [f"p{i}" for i in rng.permutation(n)]
    nodes = pd.DataFrame({"practitioner_id": ids, "agency": [f"A{k}" for k in rng.integers(0, 9, n)],
                          "agency_name": [f"name {k}" for k in rng.integers(0, 3, n)]})
    ends = rng.choice(ids, size=(int(rng.integers(0, 4 * n)), 2))
    edges = pd.DataFrame({"source": ends[:, 0], "target": ends[:, 1], "weight": rng.integers(1, 5, len(ends))})
    _same_links(graphs.agency_links_from_tables(nodes, edges), graphs.agency_graph_from_tables(nodes, edges))


def test_agency_links_from_tables_by_hand_and_where_the_graph_is_needed():
    # As test_agency_graph_from_tables_on_a_hand_worked_table; nodes listed with agency B first, so the pair is B-A.
    nodes = pd.DataFrame({"practitioner_id": ["c", "a", "b", "d"], "agency": ["B", "A", "A", "B"]})
    edges = pd.DataFrame({"source": ["a", "a", "c", "b", "b"], "target": ["b", "a", "a", "d", "a"],
                          "weight": [9, 7, 2, 3, 4]})
    found = graphs.agency_links_from_tables(nodes, edges)
    assert found.links == [("B", "A", 2)]
    assert found.agencies["A"] == {"name": None, "sector": None, "n_practitioners": 2, "internal_ties": 1,
                                   "internal_weight": 4}
    assert graphs.agency_links_from_tables(nodes, edges.iloc[[1]]) == ({**found.agencies, "A": {
        **found.agencies["A"], "internal_ties": 0, "internal_weight": 0}}, [])  # only a self-loop: no pair
    edges["weight"] = edges["weight"] * 0.5
    assert graphs.agency_links_from_tables(nodes, edges) is None  # float weights: collapse the graph instead


def _practitioner_nodes_reference(ds, period, include=()):
    """practitioner_nodes as it was: every attribute written for the period's practitioners, then sorted."""
    import numpy as np

    from netdash.networks.codes import distinct_rows
    from netdash.networks.counts import period_log

    period = period or Period()
    log = period_log(ds, period)
    present = np.zeros(len(log.ids) + 1, dtype=bool)
    for codes in (log.author, log.colleague, log.person,
                  log.index.get_indexer(graphs.practitioners_in_post(ds, period)["practitioner_id"]),
                  log.index.get_indexer(pd.Index(list(include), dtype=object))):
        present[codes] = True
    present[-1] = False
    code = log.index.get_indexer(ds.practitioners["practitioner_id"])
    prac = ds.practitioners[present[code]]
    code = code[present[code]]
    agencies = ds.agencies.set_index("agency_id")
    nodes = pd.DataFrame({"practitioner_id": prac["practitioner_id"].astype(object),
                          "agency": prac["agency_id"].astype(object),
                          "agency_name": prac["agency_id"].map(agencies["name"]),
                          "sector": prac["agency_id"].map(agencies["sector"]), "role": prac["role"],
                          "name": prac["name"]})
    for col in ("agency", "agency_name", "sector", "role", "name"):
        nodes[col] = nodes[col].astype(object).where(nodes[col].notna(), None)
    attended = distinct_rows(log.person[log.person >= 0], log.session[log.person >= 0])[0]
    sessions = np.bincount(attended, minlength=len(log.ids)).astype("int64")
    nodes["cop_sessions"] = sessions[code] if len(code) else np.zeros(0, dtype="int64")
    attendance = ds.cop_attendance
    before_end = attendance if period.end is None else attendance[attendance["date"] < period.end]
    nodes["cop_attendee"] = nodes["practitioner_id"].isin(before_end["practitioner_id"])
    return nodes.sort_values("practitioner_id").reset_index(drop=True)


def test_practitioner_nodes_equal_the_reference_on_the_demo_and_by_hand(demo, ds):
    # The node table is taken from one table of every practitioner per dataset: the same rows, values, dtypes and
    # order as writing the attributes for each period.
    from netdash.change.windows import windows

    first, last = demo.date_range
    periods = [None, Period(first, None), Period(None, last), *windows(first, last, freq="quarter"),
               *windows(first, last, freq="month")[::5], Period(pd.Timestamp("2030-01-01"), pd.Timestamp("2030-02-01"))]
    include = demo.practitioners["practitioner_id"].iloc[::7].tolist()
    for period in periods:
        for extra in ((), include):
            expected = _practitioner_nodes_reference(demo, period, extra)
            pd.testing.assert_frame_equal(graphs.practitioner_nodes(demo, period, include=extra), expected,
                                          check_exact=True)
    assert len(graphs.practitioner_nodes(demo, periods[-1])) < len(graphs.practitioner_nodes(demo)) > 100
    for period in (None, H1, parse_period("2024-07-01:2025-01-01")):
        pd.testing.assert_frame_equal(graphs.practitioner_nodes(ds, period, include=["p5"]),
                                      _practitioner_nodes_reference(ds, period, ["p5"]), check_exact=True)


@pytest.mark.parametrize("seed", range(30))
def test_coded_steps_from_lists_what_steps_from_lists_in_its_order(seed):
    # The Network map finds a practitioner's colleagues from the tables (netdash.viz.maps.network_map_of_tables).
    import random

    import pandas as pd

    from netdash.networks.graphs import coded_steps_from, coded_tables, graph_from_tables, steps_from

    rng = random.Random(seed)
    ids = [f"P{i:03d}" for i in rng.sample(range(1000), rng.randint(1, 50))]
    pairs = {tuple(rng.choice(ids) for _ in range(2)) for _ in range(rng.randint(0, 3 * len(ids)))}
    pairs = list({frozenset(p): p for p in pairs}.values())
    nodes = pd.DataFrame({"practitioner_id": ids})
    edges = pd.DataFrame({"source": [p[0] for p in pairs], "target": [p[1] for p in pairs]}, dtype=object)
    G, coded = graph_from_tables(nodes, edges, attrs=()), coded_tables(nodes, edges)
    for node in rng.sample(ids, min(5, len(ids))):
        for radius in (1, 2, 3):
            rows, steps = coded_steps_from(coded, node, radius=radius)
            assert list(zip([ids[k] for k in rows.tolist()], steps.tolist())) == list(
                steps_from(G, node, radius=radius).items())
