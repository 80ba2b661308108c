"""compare_periods on the networks a page already holds (``analyses=``): the same answers, nothing built twice."""

import math

import networkx as nx
import pandas as pd
import pytest

from netdash.analysis import NetworkAnalysis
from netdash.change.compare import compare_periods
from netdash.change.headline import network_headline
from netdash.change._replicates import _snapshot
from netdash.dataset import Dataset
from netdash.change.windows import split_at
from netdash.errors import InvalidInputError
from netdash.periods import Period

H1 = Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-07-01"))
H2 = Period(pd.Timestamp("2024-07-01"), pd.Timestamp("2025-01-01"))


def _contact(day, a, b):
    return {"date": day, "practitioner_id": a, "with_practitioner_id": b, "contact_type": "phone"}


@pytest.fixture(scope="module")
def tiny():
    """Five practitioners in post all year (h1, h2: H; p1, p2: P; m1: M) and x1 (H), who joined in October.

    First half: h1-h2 once; h1-p1 three times in three months, both ways (a trust tie).
    Second half: h1-p1 once; h2-p2 three times in three months, both ways (a trust tie);
    m1-p2 once; x1-h1 once (x1 is left out of the comparison).
    """
    prac = [{"practitioner_id": p, "agency_id": p[0].upper()} for p in ("h1", "h2", "p1", "p2", "m1")]
    prac.append({"practitioner_id": "x1", "agency_id": "H", "start_date": "2024-10-01"})
    return Dataset.from_records(
        agencies=[{"agency_id": a, "name": a} for a in ("H", "P", "M")],
        practitioners=prac,
        contacts=[_contact("2024-02-01", "h1", "h2"), _contact("2024-01-10", "h1", "p1"),
                  _contact("2024-02-10", "p1", "h1"), _contact("2024-03-10", "h1", "p1"),
                  _contact("2024-08-01", "h1", "p1"), _contact("2024-08-02", "h2", "p2"),
                  _contact("2024-09-02", "p2", "h2"), _contact("2024-10-02", "h2", "p2"),
                  _contact("2024-09-01", "m1", "p2"), _contact("2024-11-01", "x1", "h1")],
        name="tiny", version="1",
    )


@pytest.fixture(scope="module")
def demo(demo_source):
    from netdash.ingest import load_dataset

    return load_dataset(demo_source, secret=b"test-compare-reuse")[0]


def _analyses(ds, before, after, **options):
    return NetworkAnalysis(ds, before, **options), NetworkAnalysis(ds, after, **options)


def _assert_same(got, expected):
    for name in ("measures", "tie_changes", "trust_tie_changes"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name), check_exact=True, obj=name)
    assert got.practitioners == expected.practitioners
    assert got.qap.keys() == expected.qap.keys()
    for key, value in expected.qap.items():
        assert got.qap[key] == value or (math.isnan(got.qap[key]) and math.isnan(value)), key
    assert got.settings == expected.settings


def _state(G):
    return sorted(G.nodes(data=True), key=str), sorted(G.edges(data=True), key=str)


def test_tiny_dataset_by_hand_with_and_without_analyses(tiny):
    analyses = _analyses(tiny, H1, H2, ties="working")
    got = compare_periods(tiny, H1, H2, permutations=0, bootstrap=0, analyses=analyses)
    _assert_same(got, compare_periods(tiny, H1, H2, permutations=0, bootstrap=0))
    m = got.measures
    assert (m.loc["n_ties", "before"], m.loc["n_ties", "after"]) == (2, 3)
    assert (m.loc["cross_agency_share", "before"], m.loc["cross_agency_share", "after"]) == (0.5, 1.0)
    assert (m.loc["isolates", "before"], m.loc["isolates", "after"]) == (2, 0)          # m1 and p2, then nobody
    assert (m.loc["trust_ties", "before"], m.loc["trust_ties", "after"]) == (1, 1)      # h1-p1, then h2-p2
    assert m.loc["mean_constraint", "before"] == pytest.approx(2.5 / 3)                  # path h2-h1-p1 (Burt 1992)
    status = dict(zip(zip(got.tie_changes["a"], got.tie_changes["b"]), got.tie_changes["status"]))
    assert status == {("h1", "h2"): "lost", ("h1", "p1"): "kept", ("h2", "p2"): "new", ("m1", "p2"): "new"}
    trust = dict(zip(zip(got.trust_tie_changes["a"], got.trust_tie_changes["b"]), got.trust_tie_changes["status"]))
    assert trust == {("h1", "p1"): "lost", ("h2", "p2"): "new"}
    # 10 pairs; before 2 ties, after 3, 1 in both: r = (10*1 - 2*3) / sqrt((10*2 - 4) (10*3 - 9)) = 1/sqrt(21).
    assert got.qap["correlation"] == pytest.approx(1 / math.sqrt(21))
    assert got.practitioners["compared"] == 5 and got.practitioners["after_only"] == 1


def test_without_permutations_qap_has_no_p_value(tiny):
    # One permutation could only ever give p = 0.5 or 1; with none asked for, p is NaN like the measures'.
    got = compare_periods(tiny, H1, H2, permutations=0, bootstrap=0)
    assert math.isnan(got.qap["p_value"]) and got.qap["permutations"] == 0
    assert got.measures["p_value"].isna().all()
    assert got.to_json()["qap"]["p_value"] is None


@pytest.mark.slow  # two sets of bootstrap replicates
def test_replicates_are_the_same_with_and_without_analyses(tiny):
    analyses = _analyses(tiny, H1, H2, ties="working")
    got = compare_periods(tiny, H1, H2, permutations=30, bootstrap=30, seed=4, analyses=analyses)
    expected = compare_periods(tiny, H1, H2, permutations=30, bootstrap=30, seed=4)
    _assert_same(got, expected)
    assert got.qap["permutations"] == 30 and 0 < got.qap["p_value"] <= 1
    assert got.measures["ci_low"].notna().any()


def test_passed_graphs_are_not_changed(tiny):
    analyses = _analyses(tiny, H1, H2, ties="working")
    before = [_state(a.G) for a in analyses] + [_state(a.T) for a in analyses]
    compare_periods(tiny, H1, H2, permutations=5, bootstrap=5, analyses=analyses)
    assert [_state(a.G) for a in analyses] + [_state(a.T) for a in analyses] == before


def test_same_period_twice_uses_the_whole_graph(tiny):
    # Everyone in the graph is compared, so the graph itself is read (not copied); still no change.
    analyses = _analyses(tiny, H1, H1, ties="working")
    got = compare_periods(tiny, H1, H1, permutations=0, bootstrap=0, analyses=analyses)
    _assert_same(got, compare_periods(tiny, H1, H1, permutations=0, bootstrap=0))
    assert (got.measures["change"].dropna() == 0).all() and got.qap["correlation"] == pytest.approx(1.0)


@pytest.mark.parametrize("ties", ["working", "direct", "all"])
@pytest.mark.parametrize("replicates", [0, 3])
def test_demo_with_and_without_analyses(demo, ties, replicates):
    first, last = demo.date_range
    before, after = split_at(first, last, demo.first_cop_session)
    got = compare_periods(demo, before, after, ties=ties, permutations=replicates, bootstrap=replicates,
                          analyses=_analyses(demo, before, after, ties=ties))
    expected = compare_periods(demo, before, after, ties=ties, permutations=replicates, bootstrap=replicates)
    _assert_same(got, expected)
    assert got.measures.loc["n_ties", "after"] > 1000 and len(got.trust_tie_changes) > 100


@pytest.mark.parametrize("ties", ["working", "coworking"])
def test_observed_measures_are_those_of_the_compared_networks(demo, ties):
    # The observed measures come from the compared practitioners' snapshot, numbered 0, 1, ... in index
    # order; every value must be what the networkx graphs among the same practitioners give.
    from test_compare import networkx_headline

    from netdash.networks import graphs
    from netdash.metrics.trust import trust_edges, trust_graph

    G, T = graphs.practitioner_graph(demo, H2, ties=ties), trust_graph(demo, H2)
    index = sorted(G)[5:]   # leave a few practitioners out, as joiners and leavers are
    tables = (graphs.practitioner_nodes(demo, H2), graphs.practitioner_edges(demo, H2, ties=ties),
              trust_edges(demo, H2))
    got = network_headline(*_snapshot(*tables, index).matrix(), seed=2)
    expected = networkx_headline(G.subgraph(index).copy(), T.subgraph(index).copy(), seed=2)
    assert got == pytest.approx(expected, rel=1e-12) and got["n_ties"] > 1000


@pytest.mark.parametrize("change, message", [
    ({"ties": "all"}, r"before analysis has ties 'all', expected 'working'.*after analysis has ties 'all'"),
    ({"window_days": 30}, r"before analysis has window_days 30, expected 90"),
    ({"trust_options": {"min_months": 1}}, r"before analysis has trust rule .*'min_months': 1"),
])
def test_analyses_with_other_settings_are_refused(tiny, change, message):
    options = {"ties": "working", **change}
    with pytest.raises(InvalidInputError, match=message + r".*or leave analyses out"):
        compare_periods(tiny, H1, H2, permutations=0, bootstrap=0, analyses=_analyses(tiny, H1, H2, **options))


def test_default_trust_rule_spelled_out_is_accepted(tiny):
    analyses = _analyses(tiny, H1, H2, ties="working", trust_options={"min_interactions": 3, "use_survey": True})
    got = compare_periods(tiny, H1, H2, permutations=0, bootstrap=0, analyses=analyses)
    assert got.measures.loc["trust_ties", "before"] == 1


def test_analyses_of_other_periods_or_data_are_refused(tiny):
    with pytest.raises(InvalidInputError, match=r"after analysis is of 2024-01-01 to 2024-07-01, expected "
                                                r"2024-07-01 to 2025-01-01"):
        compare_periods(tiny, H1, H2, analyses=_analyses(tiny, H1, H1, ties="working"))
    other = Dataset.from_records(agencies=tiny.agencies, practitioners=tiny.practitioners, contacts=tiny.contacts,
                                 name="other", version="7")
    with pytest.raises(InvalidInputError, match=r"before analysis is of dataset 'other' version '7', "
                                                r"expected 'tiny' version '1'"):
        compare_periods(tiny, H1, H2, analyses=_analyses(other, H1, H2, ties="working"))


def test_analyses_must_be_a_pair_of_analyses(tiny):
    analysis = NetworkAnalysis(tiny, H1, ties="working")
    with pytest.raises(InvalidInputError, match=r"pair \(before, after\).*got tuple of length 1"):
        compare_periods(tiny, H1, H2, analyses=(analysis,))
    with pytest.raises(InvalidInputError, match=r"after analysis is a Graph, not a NetworkAnalysis"):
        compare_periods(tiny, H1, H2, analyses=(analysis, nx.Graph()))
