"""Staggered COP impact: event study, dyadic-robust variances, met-at-COP pairs, verdict — worked by hand."""

import numpy as np
import pandas as pd
import pytest

from netdash.change.impact import impact_design
from netdash.change.impact.dyads import met_at_cop
from netdash.change.impact.panel import TiePanel, prior_new_tie_rate, tie_panel
from netdash.change.impact.staggered import did_dyadic, event_study, pre_trend_test, window_outcomes
from netdash.change.impact.verdict import impact_verdict
from netdash.dataset import Dataset


def test_event_study_uses_not_yet_treated_comparisons():
    """Unit 0 joins in month 2, unit 1 in month 3, units 2 and 3 never.

    Cohort 2 (base month 1): in month 2 unit 1 has not joined yet and is a comparison (its change
    1 gives a comparison mean of 1/3), so ATT(2, 2) = 2 - 1/3 = 5/3; in month 3 it has joined and
    only 2 and 3 remain: ATT(2, 3) = 2; ATT(2, 4) = 2 - 1 = 1; ATT(2, 0) = 0.
    Cohort 3 (base month 2): ATT(3, 0) = ATT(3, 1) = -1, ATT(3, 3) = 3, ATT(3, 4) = 3 - 1 = 2.
    Event times, cohort-size weighted (one unit each): e=-3: -1; e=-2: (0 - 1) / 2; e=-1: 0;
    e=0: (5/3 + 3) / 2 = 7/3; e=1: (2 + 2) / 2; e=2: 1.
    """
    Y = np.array([[0, 0, 2, 2, 2], [0, 0, 1, 4, 4], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1]], dtype=float)
    out = event_study(Y, [2, 3, -1, -1])
    assert out["event_time"].tolist() == [-3, -2, -1, 0, 1, 2]
    assert out["att"] == pytest.approx([-1, -0.5, 0, 7 / 3, 2, 1])
    assert out["cohorts"] == [2, 3] and out["cohort_size"] == [1, 1]


def test_event_study_drops_cohorts_without_a_complete_base_window():
    Y = np.zeros((3, 6))
    out = event_study(Y, [1, 4, -1], first_valid=2)  # cohort 1's base month 0 is before the first full window
    assert out["cohorts"] == [4] and out["dropped_cohorts"] == [1]


def test_window_outcomes_count_distinct_colleagues_in_the_rolling_window():
    # 0-1 tied in months 0 and 1 (one colleague, not two), 0-2 in month 3.
    Y = window_outcomes([0, 0, 0], [1, 1, 2], [0, 1, 3], 3, 5, [0, 1], window=2)
    assert Y.tolist() == [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]


def test_did_dyadic_variance_by_hand():
    """Changes 2, 3 (attendees), 0, 1: DiD 2; psi = -1/4, 1/4, -1/4, 1/4, psi'psi = 1/4.

    A new tie between attendee 0 and non-attendee 2 adds 2 x (1/2)(-1/2) x 1 = -1/2, which would
    make the variance negative: it is floored at psi'psi. A new tie between the attendees adds
    2 x (1/2)(1/2) = +1/2.
    """
    base = ([0, 0, 0, 0], [2, 3, 0, 1], [True, True, False, False])
    assert did_dyadic(*base)["se"] ** 2 == pytest.approx(0.25)
    assert did_dyadic(*base, [0], [2], [1])["se"] ** 2 == pytest.approx(0.25)
    assert did_dyadic(*base, [0], [1], [1])["se"] ** 2 == pytest.approx(0.75)
    out = did_dyadic(*base, [0], [1], [1])
    assert out["ci_low"] == pytest.approx(2 - 1.959964 * 0.75 ** 0.5, rel=1e-6)


def test_pre_trend_test_is_a_wald_test_on_the_pre_period():
    att = np.array([2.0, 1.0, 0.0, 5.0])  # e = -3, -2, -1, 0; the post coefficient is not tested
    V = np.diag([1.0, 1.0, 1.0, 1.0])
    out = pre_trend_test(att, V, np.array([-3, -2, -1, 0]), first=-3, last=-2)
    assert out["statistic"] == pytest.approx(5.0) and out["df"] == 2
    assert out["p_value"] == pytest.approx(np.exp(-2.5))  # chi-squared(2) survival = exp(-x / 2)


def test_met_at_cop_with_a_coarser_stratum_by_hand():
    """Agencies 0, 1, 0, 1, 2, 2 for nodes 0..5; horizon 2 (months 1 and 2 after meeting in month 1).

    Met pairs: (0, 1) ties in month 2 (agencies 0-1); (1, 4) never ties (agencies 1-2).
    Not yet met: (2, 3) ties in month 2 and (0, 3) never (both 0-1); (2, 5) ties in month 3, too late.
    (0, 1) is compared with its agency pair: rate 1/2. (1, 4) has no 1-2 comparison and falls back
    to the month's three pairs: rate 1/3. Expected 5/6, observed 1, excess 1/6 tie, and with 6
    attendees 2 x (1/6) / 6 = 1/18 colleagues per attendee.
    """
    out = met_at_cop([0, 1, 2, 0, 2], [1, 4, 3, 3, 5], met=[1, 1, -1, -1, -1], first_tie=[2, -1, 2, -1, 3],
                     first_shared=[-1] * 5, agency=np.array([0, 1, 0, 1, 2, 2]),
                     rate_tercile=np.zeros(6, int), n_months=4, n_attendees=6, horizon=2)
    assert (out["pairs"], out["new_ties"], out["fallback"], out["comparison_pairs"]) == (2, 1, 1, 3)
    assert out["expected_new_ties"] == pytest.approx(5 / 6)
    assert out["excess_per_attendee"] == pytest.approx(1 / 18)
    assert out["ci_low"] < 1 / 18 < out["ci_high"]


def test_met_at_cop_leaves_out_pairs_tied_before_they_met():
    # Pair (0, 1) had a tie in month 0, before meeting in month 1: it is not a met pair.
    out = met_at_cop([0, 2], [1, 3], met=[1, -1], first_tie=[0, 2], first_shared=[-1, -1],
                     agency=np.array([0, 1, 0, 1]), rate_tercile=np.zeros(4, int), n_months=4, n_attendees=4,
                     horizon=2)
    assert out["pairs"] == 0 and np.isnan(out["excess_per_attendee"])


_PAIRS = {"pairs": 400, "new_ties": 60, "expected_new_ties": 30.0, "horizon": 6,
          "excess_per_attendee": 0.86, "ci_low": 0.3, "ci_high": 1.4}


def test_verdict_says_parallel_trends_are_doubtful_in_words():
    v = impact_verdict({"estimate": 1.6, "ci_low": 0.8, "ci_high": 2.5}, {"p_value": 0.02},
                       {**_PAIRS, "excess_per_attendee": 0.1, "ci_low": -0.4, "ci_high": 0.6})
    assert v["pre_trend"] == {"p_value": 0.02, "parallel_trends_doubtful": True}
    assert "Parallel trends are doubtful" in v["verdict"] and "not relied on" in v["verdict"]
    # The person-level interval excludes 0 but the pairs show nothing: no claim (scenario b).
    assert v["claims_effect"] is False and v["verdict"].startswith("No clear effect")


def test_verdict_claims_only_when_pairs_are_clear_and_both_lines_agree():
    did = {"estimate": 0.9, "ci_low": -0.2, "ci_high": 2.0}
    v = impact_verdict(did, {"p_value": 0.6}, _PAIRS)
    assert v["claims_effect"] is True
    assert v["headline"] == {"estimator": "met_at_cop", "estimate": 0.86, "ci_low": 0.3, "ci_high": 1.4}
    assert "+0.86 cross-agency colleagues per attendee (95% CI 0.30 to 1.40)" in v["verdict"]
    against = impact_verdict({**did, "estimate": -0.9}, {"p_value": 0.6}, _PAIRS)
    assert against["claims_effect"] is False and "disagree" in against["verdict"]


def test_tie_panel_from_a_dataset():
    """a1, b1 attend from July 2024 (month 6); a1-b1 contact in Aug, a2-b2 in Feb and Aug."""
    prac = [{"practitioner_id": p, "agency_id": p[0].upper(), "role": "worker"} for p in ("a1", "a2", "b1", "b2")]
    contacts = [{"date": d, "practitioner_id": a, "with_practitioner_id": b, "contact_type": "phone"}
                for d, a, b in (("2024-01-03", "a2", "a1"), ("2024-02-01", "a2", "b2"), ("2024-08-01", "a1", "b1"),
                                ("2024-08-02", "a2", "b2"), ("2024-12-20", "a2", "b2"))]
    att = [{"session_id": "S1", "date": "2024-07-01", "practitioner_id": p, "cop_name": "COP"} for p in ("a1", "b1")]
    ds = Dataset.from_records(agencies=[{"agency_id": a, "name": a} for a in "AB"], practitioners=prac,
                              contacts=contacts, cop_attendance=att)
    panel = tie_panel(ds, impact_design(ds))
    assert panel.months[0] == "2024-01" and len(panel.months) == 12 and panel.cop_start_month == 6
    ids = list(ds.practitioners["practitioner_id"])
    got = sorted((ids[a], ids[b], m) for a, b, m in zip(panel.tie_a, panel.tie_b, panel.tie_month))
    assert got == [("a1", "b1", 7), ("a2", "b2", 1), ("a2", "b2", 7), ("a2", "b2", 11)]  # a2-a1 is within agency
    cohort = dict(zip((ids[u] for u in panel.units), panel.cohort))
    assert cohort == {"a1": 6, "a2": -1, "b1": 6, "b2": -1}
    assert pd.Series(panel.treated).sum() == 2


def test_prior_new_tie_rate_counts_ties_that_start_before_the_cop():
    """0-1 tied in months 1 and 2 (new in 1 only), 0-2 new in month 3, 1-2 in month 4 (the COP start).

    Months 1..3 can show a new tie: node 0 has 2, nodes 1 and 2 one each, per 3 months.
    """
    empty = np.zeros(0, dtype=np.int64)
    panel = TiePanel(n_nodes=3, agency=np.arange(3), months=list("abcdef"), tie_a=np.array([0, 0, 0, 1]),
                     tie_b=np.array([1, 1, 2, 2]), tie_month=np.array([1, 2, 3, 4]), before_a=empty,
                     before_b=empty, after_a=empty, after_b=empty, units=np.arange(3), treated=np.zeros(3, bool),
                     cohort=np.full(3, -1), attend_node=empty, attend_session=empty, attend_month=empty,
                     shared_a=empty, shared_b=empty, shared_month=empty, cop_start_month=4)
    assert prior_new_tie_rate(panel) == pytest.approx([2 / 3, 1 / 3, 1 / 3])
