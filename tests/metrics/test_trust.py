"""Tests for netdash.metrics.trust: each rule condition, survey precedence, summaries."""

import pytest

from netdash.dataset import Dataset
from netdash.errors import InvalidInputError
from netdash.metrics.trust import describe_trust_rule, trust_edges, trust_graph, trust_summary
from netdash.periods import parse_period

H1 = parse_period("2024-01-01:2024-07-01")


def _c(date, who, colleague):
    return {"date": date, "practitioner_id": who, "with_practitioner_id": colleague}


def _r(date, rater, ratee, trust):
    return {"date": date, "rater_id": rater, "ratee_id": ratee, "trust": trust}


@pytest.fixture
def ds():
    """A = {p1, p2}, B = {p3, p4, p5}; each pair isolates one condition of the rule."""
    return Dataset.from_records(
        agencies=[{"agency_id": "A", "name": "Housing"}, {"agency_id": "B", "name": "Probation"}],
        practitioners=[{"practitioner_id": p, "agency_id": a} for p, a in
                       [("p1", "A"), ("p2", "A"), ("p3", "B"), ("p4", "B"), ("p5", "B")]],
        contacts=[
            # p1-p3 meets every condition: 3 contacts, 2 months, both ways
            _c("2024-01-05", "p1", "p3"), _c("2024-02-05", "p3", "p1"), _c("2024-02-06", "p1", "p3"),
            # p1-p2 not reciprocated
            _c("2024-01-05", "p1", "p2"), _c("2024-02-05", "p1", "p2"), _c("2024-03-05", "p1", "p2"),
            # p2-p3 too few
            _c("2024-01-03", "p2", "p3"), _c("2024-02-03", "p3", "p2"),
            # p2-p4 one month only
            _c("2024-03-01", "p2", "p4"), _c("2024-03-02", "p4", "p2"), _c("2024-03-31", "p2", "p4"),
            # p3-p4 would be inferred, but the survey says no
            _c("2024-01-10", "p3", "p4"), _c("2024-02-10", "p4", "p3"), _c("2024-03-10", "p3", "p4"),
            # p1-p4: only one contact inside the period
            _c("2023-12-31", "p1", "p4"), _c("2024-03-01", "p1", "p4"), _c("2024-07-01", "p4", "p1"),
            _c("2024-03-01", "p1", "p1"),
        ],
        trust_survey=[
            _r("2024-04-01", "p3", "p4", 2), _r("2024-04-01", "p4", "p3", 3),   # mean 2.5: no tie
            _r("2024-04-01", "p1", "p5", 4),                                   # no contacts: tie
            _r("2024-02-01", "p4", "p5", 1), _r("2024-05-01", "p4", "p5", 3),  # latest (3) counts
            _r("2024-08-01", "p4", "p5", 1),                                   # after the period
            _r("2024-04-01", "p2", "p2", 4),                                   # self-rating ignored
        ],
    )


def _table(edges):
    return {(r.a, r.b): (r.interactions, r.months, r.reciprocated, r.source, r.strength, r.is_trust_tie)
            for r in edges.itertuples(index=False)}


def test_trust_edges_default_rule(ds):
    got = _table(trust_edges(ds, H1))
    assert got == {
        ("p1", "p2"): (3, 3, False, "inferred", 3.0, False),
        ("p1", "p3"): (3, 2, True, "inferred", 3.0, True),
        ("p1", "p4"): (1, 1, False, "inferred", 1.0, False),
        ("p1", "p5"): (0, 0, False, "survey", 4.0, True),
        ("p2", "p3"): (2, 2, True, "inferred", 2.0, False),
        ("p2", "p4"): (3, 1, True, "inferred", 3.0, False),
        ("p3", "p4"): (3, 3, True, "survey", 2.5, False),
        ("p4", "p5"): (0, 0, False, "survey", 3.0, True),
    }
    survey = trust_edges(ds, H1).set_index(["a", "b"])["survey_trust"]
    assert survey[("p3", "p4")] == 2.5 and survey.isna().sum() == 5


@pytest.mark.parametrize("option, pair", [
    ({"require_reciprocity": False}, ("p1", "p2")),
    ({"min_interactions": 2}, ("p2", "p3")),
    ({"min_months": 1}, ("p2", "p4")),
    ({"survey_threshold": 2.5}, ("p3", "p4")),
])
def test_relaxing_each_condition_makes_exactly_that_tie(ds, option, pair):
    before = set(trust_edges(ds, H1).query("is_trust_tie").set_index(["a", "b"]).index)
    after = set(trust_edges(ds, H1, **option).query("is_trust_tie").set_index(["a", "b"]).index)
    assert pair not in before and after - before == {pair}


def test_survey_overrides_inference_both_ways(ds):
    inferred = _table(trust_edges(ds, H1, use_survey=False))
    assert inferred[("p3", "p4")][3:] == ("inferred", 3.0, True)      # logs alone: tie
    assert ("p1", "p5") not in inferred                              # no contact, no row
    surveyed = _table(trust_edges(ds, H1))
    assert surveyed[("p3", "p4")][5] is False                         # survey: no tie
    assert surveyed[("p1", "p5")][5] is True                          # survey: tie


def test_survey_outside_period_ignored(ds):
    late = trust_edges(ds, parse_period("2024-06-01:2024-09-01")).set_index(["a", "b"])
    assert late.loc[("p4", "p5"), "survey_trust"] == 1.0
    assert not late.loc[("p4", "p5"), "is_trust_tie"]


def test_trust_graph_and_summary(ds):
    G = trust_graph(ds, H1)
    assert sorted(G) == ["p1", "p2", "p3", "p4", "p5"]
    assert {frozenset(e) for e in G.edges} == {frozenset(p) for p in [("p1", "p3"), ("p1", "p5"), ("p4", "p5")]}
    assert G.edges["p1", "p3"] == {"strength": 3.0, "source": "inferred", "interactions": 3, "months": 2,
                                   "reciprocated": True, "survey_trust": None}
    assert (G.edges["p5", "p1"]["source"], G.edges["p5", "p1"]["strength"]) == ("survey", 4.0)
    assert G.nodes["p1"]["agency"] == "A"
    assert trust_summary(G) == {
        "n_trust_ties": 3, "cross_agency_ties": 2, "cross_agency_share": 2 / 3,
        "by_source": {"inferred": 1, "survey": 2},
        "per_agency": {"A": {"within": 0, "cross": 2}, "B": {"within": 1, "cross": 2}},
    }


def test_trust_graph_from_a_table_already_computed_is_the_same_graph(ds):
    rule = {"min_interactions": 2, "use_survey": False}
    edges = trust_edges(ds, H1, **rule)
    G, H = trust_graph(ds, H1, **rule), trust_graph(ds, H1, edges=edges)
    assert sorted(G.nodes(data=True)) == sorted(H.nodes(data=True))
    assert {frozenset(e): d for *e, d in G.edges(data=True)} == {frozenset(e): d for *e, d in H.edges(data=True)}
    assert G.edges != trust_graph(ds, H1).edges  # the rule matters, so the table's rule is the one used


def test_survey_rated_practitioner_out_of_post_is_a_node(ds):
    left = Dataset.from_records(
        agencies=ds.agencies,
        practitioners=[{"practitioner_id": "p1", "agency_id": "A"},
                       {"practitioner_id": "p9", "agency_id": "B", "end_date": "2023-06-30"}],
        trust_survey=[_r("2024-02-01", "p1", "p9", 4)])
    G = trust_graph(left, H1)
    assert G.has_edge("p1", "p9") and G.nodes["p9"]["agency"] == "B"


def test_empty_period(ds):
    assert trust_edges(ds, parse_period("2030-01-01:2031-01-01")).empty
    assert trust_summary(trust_graph(ds, parse_period("2030-01-01:2031-01-01")))["cross_agency_share"] is None


def test_invalid_options_are_all_reported(ds):
    with pytest.raises(InvalidInputError, match=r"min_interactions must be a whole number, 1 or more; got 0\."
                                                r".*survey_threshold must be a rating between 1 and 4; got 5\."):
        trust_edges(ds, H1, min_interactions=0, survey_threshold=5)
    with pytest.raises(InvalidInputError, match=r"min_months must be a whole number, 1 or more; got 1\.5"):
        trust_graph(ds, H1, min_months=1.5)
    with pytest.raises(InvalidInputError, match=r"require_reciprocity must be True or False; got 'yes'"):
        describe_trust_rule(require_reciprocity="yes")


def test_describe_trust_rule():
    assert describe_trust_rule() == (
        "Two practitioners have a trust tie when, in the period, each contacted the other at least once, "
        "they had at least 3 contacts in all, and those contacts fell in at least 2 different calendar "
        "months. Where either rated the other in the trust survey during the period, the survey decides "
        "instead: a tie when their mean trust rating is at least 3 on the 1 to 4 scale.")
    assert describe_trust_rule(min_interactions=1, min_months=1, require_reciprocity=False,
                               use_survey=False) == (
        "Two practitioners have a trust tie when, in the period, they had at least 1 contact in all "
        "and those contacts fell in at least 1 calendar month.")
    assert "at least 3.5 on the 1 to 4 scale" in describe_trust_rule(survey_threshold=3.5)


def _graph_one_tie_at_a_time(ds, period, edges):
    """The trust graph as built before it was made from columns: a record dict and an add_edge per tie."""
    import networkx as nx
    import pandas as pd

    from netdash.networks.graphs import practitioner_nodes

    edges = edges[edges["is_trust_tie"].astype(bool)]
    G = nx.Graph()
    nodes = practitioner_nodes(ds, period, include=pd.concat([edges["a"], edges["b"]]))
    G.add_nodes_from((r.pop("practitioner_id"), r) for r in nodes.to_dict("records"))
    for r in edges.to_dict("records"):
        G.add_edge(r["a"], r["b"], strength=float(r["strength"]), source=r["source"],
                   interactions=int(r["interactions"]), months=int(r["months"]), reciprocated=bool(r["reciprocated"]),
                   survey_trust=None if pd.isna(r["survey_trust"]) else float(r["survey_trust"]))
    return G


@pytest.mark.parametrize("rule", [{}, {"use_survey": False}, {"min_months": 1, "require_reciprocity": False}])
@pytest.mark.parametrize("whole", [True, False])
def test_trust_graph_is_the_one_built_tie_by_tie_on_the_demo(demo_source, rule, whole):
    # Built from columns: the same nodes, ties, attribute values and types, and the same orders (node, tie,
    # neighbour, attribute key) as one add_edge per tie, on the bundled demo with and without survey ratings.
    from netdash.ingest import load_dataset

    demo, _ = load_dataset(demo_source, secret=b"test")
    period = None if whole else parse_period("2024-01-01:2024-07-01")
    edges = trust_edges(demo, period, **rule)
    got, expected = trust_graph(demo, period, edges=edges), _graph_one_tie_at_a_time(demo, period, edges)
    assert got.number_of_edges() > 100
    assert list(got.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(got.edges(data=True)) == list(expected.edges(data=True))
    assert all(list(got.adj[v]) == list(expected.adj[v]) for v in expected)
    for (*_, d), (*_, e) in zip(got.edges(data=True), expected.edges(data=True)):
        assert list(d) == list(e) and [type(x) for x in d.values()] == [type(x) for x in e.values()]
    for (_, d), (_, e) in zip(got.nodes(data=True), expected.nodes(data=True)):
        assert [type(x) for x in d.values()] == [type(x) for x in e.values()]


def test_trust_tie_count_is_the_tables_count(ds):
    # Each condition of the rule on its own, the survey both ways, self-ratings, an empty period.
    from netdash.metrics.trust import trust_tie_count

    rules = [{}, {"use_survey": False}, {"min_interactions": 2}, {"min_months": 1}, {"require_reciprocity": False},
             {"survey_threshold": 2.5}, {"survey_threshold": 4}, {"min_months": 1, "require_reciprocity": False,
                                                                    "min_interactions": 1, "use_survey": False}]
    counts = set()
    for period in (H1, None, parse_period("2030-01-01:2031-01-01")):
        for rule in rules:
            expected = int(trust_edges(ds, period, **rule)["is_trust_tie"].astype(bool).sum())
            assert trust_tie_count(ds, period, **rule) == expected
            counts.add(expected)
    assert len(counts) >= 4  # the rules above give different answers: the test can tell them apart
    with pytest.raises(InvalidInputError, match=r"min_interactions must be a whole number, 1 or more; got 0\."):
        trust_tie_count(ds, H1, min_interactions=0)


@pytest.mark.parametrize("rule", [{}, {"use_survey": False}, {"min_months": 1}])
def test_trust_tie_count_on_the_demo_windows(demo_source, rule):
    from netdash.change.windows import windows
    from netdash.ingest import load_dataset
    from netdash.metrics.trust import trust_tie_count

    demo, _ = load_dataset(demo_source, secret=b"test")
    for w in windows(*demo.date_range, freq="quarter"):
        assert trust_tie_count(demo, w, **rule) == int(trust_edges(demo, w, **rule)["is_trust_tie"].sum())
