"""Before/after windows (netdash.change.windows) and the shared definitions of the headline shares (issue 16)."""

import networkx as nx
import pandas as pd
import pytest

from netdash.change.headline import CROSS_AGENCY_SHARES, cross_agency_shares, network_headline
from netdash.change.windows import equal_windows, per_30_days, period_days, period_notes
from netdash.dataset import Dataset
from netdash.errors import AnalysisError, InvalidInputError
from netdash.metrics.basic import network_summary
from netdash.metrics.matrix import GraphMatrix
from netdash.periods import Period

DAY = pd.Timestamp


@pytest.fixture
def small():
    """Contacts on 2024-01-01 .. 2024-04-09 (100 days); a COP session on 2024-02-01 (31 days in)."""
    agencies = [{"agency_id": "A", "name": "A"}, {"agency_id": "B", "name": "B"}]
    people = [{"practitioner_id": p, "agency_id": a} for p, a in [("a1", "A"), ("a2", "A"), ("b1", "B")]]
    contacts = [{"date": d, "practitioner_id": "a1", "with_practitioner_id": w}
                for d, w in [("2024-01-01", "a2"), ("2024-01-20", "b1"), ("2024-03-01", "b1"), ("2024-04-09", "a2")]]
    cop = [{"session_id": "s1", "date": "2024-02-01", "practitioner_id": "a1", "cop_name": "COP"}]
    return Dataset.from_records(agencies=agencies, practitioners=people, contacts=contacts, cop_attendance=cop)


def test_equal_windows_take_the_shorter_side(small):
    before, after = equal_windows(small)  # default: the first COP session
    assert (before, after) == (Period(DAY("2024-01-01"), DAY("2024-02-01")), Period(DAY("2024-02-01"), DAY("2024-03-03")))
    assert period_days(before) == period_days(after) == 31
    assert period_notes(before, after) == []
    late = equal_windows(small, "2024-04-01")  # 91 days before, 9 after
    assert [period_days(p) for p in late] == [9, 9] and late[0].start == DAY("2024-03-23")


def test_equal_windows_keep_inside_the_period(small):
    # the period starts 2024-01-15: the first dated record in it is 2024-01-20, 12 days before the COP start
    before, after = equal_windows(small, period=Period(DAY("2024-01-15"), None))
    assert before == Period(DAY("2024-01-20"), DAY("2024-02-01")) and period_days(after) == 12


def test_every_before_after_comparison_uses_equal_windows(small):
    from netdash.change.impact import impact_design
    from netdash.report.sections import cop_windows

    design = impact_design(small)
    assert (design.before, design.after) == equal_windows(small) == cop_windows(small, None, None)
    assert design.window_length_days == 31


@pytest.mark.parametrize("cop_start, message", [
    ("2024-01-01", r"COP start 2024-01-01 leaves nothing before it, an empty before window: the data run from "
                   r"2024-01-01 to 2024-04-09\. Choose a COP start strictly inside that range"),
    ("2024-04-10", r"leaves nothing after it, an empty after window"),
])
def test_equal_windows_explain_a_cop_start_at_the_edge(small, cop_start, message):
    with pytest.raises(AnalysisError, match=message):
        equal_windows(small, cop_start)


def test_equal_windows_explain_missing_data(small):
    with pytest.raises(AnalysisError, match=r"no dated contacts or COP sessions in 2025-01-01 to 2025-02-01"):
        equal_windows(small, period=Period(DAY("2025-01-01"), DAY("2025-02-01")))
    nobody = Dataset.from_records(agencies=[{"agency_id": "A", "name": "A"}],
                                  practitioners=[{"practitioner_id": "p", "agency_id": "A"}],
                                  contacts=[{"date": "2024-01-01", "practitioner_id": "p", "client_id": "c"}])
    with pytest.raises(AnalysisError, match=r"Nobody attended a COP session .*or give a COP start date"):
        equal_windows(nobody)
    with pytest.raises(InvalidInputError, match="COP start"):
        equal_windows(small, "01/02/2024")


def test_per_30_days_rescales_tie_counts_only():
    measures = pd.DataFrame({"before": [62, 0.5, 3], "after": [30, 0.6, 3]}, index=["n_ties", "cross_agency_share",
                                                                                 "trust_ties"])
    rates = per_30_days(measures, Period(DAY("2024-01-01"), DAY("2024-03-03")),   # 62 days
                        Period(DAY("2024-03-03"), DAY("2024-03-18")))            # 15 days
    assert list(rates.index) == ["n_ties", "trust_ties"]
    assert rates.loc["n_ties"].tolist() == pytest.approx([30.0, 60.0, 30.0])
    assert rates.loc["trust_ties", "after_per_30_days"] == pytest.approx(6.0)


def test_period_describe_says_open_periods_in_words():
    days = (DAY("2023-01-01"), DAY("2024-12-31"))
    assert Period().describe(days) == "the whole record (2023-01-01 to 2024-12-31, the first to the last dated record)"
    assert Period(DAY("2024-01-01"), None).describe(days) == "2024-01-01 to the end of the record (2024-12-31)"
    assert Period(DAY("2024-01-01"), None).describe() == "2024-01-01 to the end of the record"
    assert "start" not in Period(None, DAY("2024-01-01")).describe().replace("first record", "")
    assert Period().label() == "start to end"  # network.json's period field is a contract: unchanged


# --- the shares: one definition ----------------------------------------------------------------------

def test_the_share_of_ties_is_the_same_in_the_headline_and_the_network_summary():
    # Zachary's karate club, the two clubs (networkx's "club" attribute) as agencies: 11 of its 78 ties join them.
    G = nx.karate_club_graph()
    nodes = list(G)
    index = {n: i for i, n in enumerate(nodes)}
    u, v = zip(*((index[a], index[b]) for a, b in G.edges()))
    M = GraphMatrix(nodes, list(u), list(v), node_attrs={"agency": [G.nodes[n]["club"] for n in nodes]})
    headline = network_headline(M, trust_ties=0)
    assert headline["cross_agency_share"] == network_summary(M)["cross_agency_share"] == 11 / 78
    nx.set_node_attributes(G, {n: G.nodes[n]["club"] for n in G}, "agency")
    assert network_summary(G)["cross_agency_share"] == 11 / 78


def test_cross_agency_shares_by_hand(small):
    shares = cross_agency_shares(small)
    # contacts: a1-b1 twice of four colleague contacts; working ties: a1-a2 and a1-b1, one across;
    # trust ties: none (no pair is reciprocated)
    assert shares == {"contacts": {"share": 0.5, "across": 2, "total": 4},
                      "working_ties": {"share": 0.5, "across": 1, "total": 2},
                      "trust_ties": {"share": None, "across": 0, "total": 0}}
    assert list(shares) == list(CROSS_AGENCY_SHARES)
    first_month = cross_agency_shares(small, Period(DAY("2024-01-01"), DAY("2024-02-01")), kinds=["contacts"])
    assert first_month == {"contacts": {"share": 0.5, "across": 1, "total": 2}}
