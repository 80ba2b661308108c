"""Staggered COP impact: event study, dyadic-robust variances, met-at-COP pairs, verdict — worked by hand."""

import numpy as np
import pandas as pd
import pytest

from netdash.change.impact import impact_design
from netdash.change.impact.dyads import MIN_COMPARISON_PAIRS, met_at_cop
from netdash.change.impact.panel import TiePanel, prior_new_tie_rate, tie_panel
from netdash.change.impact.person import (after_window_weights, linear_dyadic, monthly_union, person_level,
                                         window_counts)
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
                     rate_tercile=np.zeros(6, int), n_months=4, n_attendees=6, horizon=2, min_comparison=1)
    assert (out["pairs"], out["new_ties"], out["fallback"], out["comparison_pairs"]) == (2, 1, 1, 3)
    assert out["expected_new_ties"] == pytest.approx(5 / 6)
    assert out["excess_per_attendee"] == pytest.approx(1 / 18)
    assert out["ci_low"] < 1 / 18 < out["ci_high"]


def test_met_at_cop_needs_enough_comparison_pairs_in_a_stratum():
    """The same pairs with the default minimum of 5 comparison pairs: the agency pair's two are too few,
    so both met pairs fall back to the month's three (rate 1/3): expected 2/3, excess 1/3 tie, 1/9 per attendee.
    """
    assert MIN_COMPARISON_PAIRS == 5
    out = met_at_cop([0, 1, 2, 0, 2], [1, 4, 3, 3, 5], met=[1, 1, -1, -1, -1], first_tie=[2, -1, 2, -1, 3],
                     first_shared=[-1] * 5, agency=np.array([0, 1, 0, 1, 2, 2]),
                     rate_tercile=np.zeros(6, int), n_months=4, n_attendees=6, horizon=2)
    assert out["fallback"] == 2 and out["expected_new_ties"] == pytest.approx(2 / 3)
    assert out["excess_per_attendee"] == pytest.approx(1 / 9)


def test_met_at_cop_variance_by_hand():
    """Three pairs of distinct people, agencies 0-1: met pair (0, 1) ties; comparisons (2, 3) tie, (4, 5) do not.

    Rate 1/2; the met pair's influence 1 - 1/2 = 1/2; each comparison pair's -(1/2)(y - 1/2) = -/+ 1/4, scaled
    by sqrt(2 / (2 - 1)) (a residual from a rate it helped estimate). No person is in two pairs, so
    V = 1/4 + 2 x 2/16 = 1/2 ties^2 (3/8 without the correction), and per attendee (6): (2/6)^2 x 1/2 = 1/18.
    """
    out = met_at_cop([0, 2, 4], [1, 3, 5], met=[1, -1, -1], first_tie=[2, 2, -1], first_shared=[-1] * 3,
                     agency=np.array([0, 1, 0, 1, 0, 1]), rate_tercile=np.zeros(6, int), n_months=4,
                     n_attendees=6, horizon=2, min_comparison=1)
    assert out["excess_per_attendee"] == pytest.approx(1 / 6)
    assert out["ci_high"] - 1 / 6 == pytest.approx(1.959964 * (1 / 18) ** 0.5, rel=1e-6)


def test_met_at_cop_variance_is_never_below_independent_pairs_by_hand():
    """Agencies 0, 1, 1, 0, 1; met pair (0, 1) ties; comparisons (0, 2) ties, (3, 4) does not; rate 1/2.

    Influences: the met pair 1/2; the comparisons -/+ (1/2)(1/2) sqrt(2) = -/+ sqrt(2)/4. Per person:
    S_0 = 1/2 - sqrt(2)/4, S_1 = 1/2, S_2 = -sqrt(2)/4, S_3 = S_4 = sqrt(2)/4, so sum S^2 = 1 - sqrt(2)/4 and
    the dyadic variance 1 - sqrt(2)/4 - 1/2 = 0.146 is below the 1/2 of independent pairs, which is used:
    per attendee (5) the variance is (2/5)^2 / 2 = 0.08.
    """
    out = met_at_cop([0, 0, 3], [1, 2, 4], met=[1, -1, -1], first_tie=[2, 2, -1], first_shared=[-1] * 3,
                     agency=np.array([0, 1, 1, 0, 1]), rate_tercile=np.zeros(5, int), n_months=4,
                     n_attendees=5, horizon=2, min_comparison=1)
    assert out["excess_per_attendee"] == pytest.approx(0.2)
    assert out["ci_high"] - 0.2 == pytest.approx(1.959964 * 0.08 ** 0.5, rel=1e-6)


def test_met_at_cop_follows_late_meetings_to_the_data_end_by_hand():
    """Horizon 4 in 6 months (0..5); agencies 0-1 throughout, minimum 1 comparison pair.

    Met pairs: (0, 1) in month 1, ties in month 3; (6, 7) in month 3, ties in month 5. Never meet: (2, 3) ties
    in month 2, (4, 5) never, (8, 9) ties in month 4.
    Month 1 has the full follow-up, months 1-4: (0, 1) against (2, 3), (4, 5) and (8, 9), rate 2/3 ((6, 7)
    meets inside it, so it is no comparison). Month 3 has 3 months of data left (3-5), so its pair and its
    comparisons are followed for 3 months: (4, 5) and (8, 9), untied before month 3, rate 1/2.
    Expected 2/3 + 1/2 = 7/6, observed 2, excess 5/6 tie; per attendee (10) 2 x (5/6) / 10 = 1/6.
    Requiring 4 months of follow-up drops month 3: expected 2/3, observed 1, 2 x (1/3) / 10 = 1/15.
    """
    args = dict(met=[1, -1, -1, 3, -1], first_tie=[3, 2, -1, 5, 4], first_shared=[-1] * 5,
                agency=np.array([0, 1] * 5), rate_tercile=np.zeros(10, int), n_months=6, n_attendees=10,
                horizon=4, min_comparison=1)
    pairs = ([0, 2, 4, 6, 8], [1, 3, 5, 7, 9])
    out = met_at_cop(*pairs, **args, min_follow_up=3)
    assert (out["pairs"], out["new_ties"], out["short_follow_up"]) == (2, 2, 1)
    assert out["expected_new_ties"] == pytest.approx(7 / 6) and out["excess_per_attendee"] == pytest.approx(1 / 6)
    out = met_at_cop(*pairs, **args, min_follow_up=4)
    assert (out["pairs"], out["new_ties"], out["short_follow_up"]) == (1, 1, 0)
    assert out["expected_new_ties"] == pytest.approx(2 / 3) and out["excess_per_attendee"] == pytest.approx(1 / 15)


def test_met_at_cop_leaves_out_pairs_tied_before_they_met():
    # Pair (0, 1) had a tie in month 0, before meeting in month 1: it is not a met pair.
    out = met_at_cop([0, 2], [1, 3], met=[1, -1], first_tie=[0, 2], first_shared=[-1, -1],
                     agency=np.array([0, 1, 0, 1]), rate_tercile=np.zeros(4, int), n_months=4, n_attendees=4,
                     horizon=2)
    assert out["pairs"] == 0 and np.isnan(out["excess_per_attendee"])


def test_met_at_cop_keeps_shared_client_and_tercile_strata_apart_by_hand():
    """Horizon 2 in 4 months, one agency pair, minimum 1 comparison pair.

    Met in month 1, untied: pair (0, 1), whose people are in rate terciles 2 and 2, no client shared; it
    ties in month 2. Comparisons, never meeting: (2, 3), terciles 0 and 2, had shared a client in month 0, ties
    in month 2; (4, 5) and (6, 7), terciles 2 and 2, no shared client, never tie. The met pair's stratum is
    the last two only (rate 0): expected 0, excess 1 tie. (Numbered as month x 12 + shared x 6 + 3 x low
    tercile + high tercile, as before session 11, the strata (no shared, 2, 2) and (shared, 0, 2) were both
    8: rate 1/3, expected 1/3.)
    """
    out = met_at_cop([0, 2, 4, 6], [1, 3, 5, 7], met=[1, -1, -1, -1], first_tie=[2, 2, -1, -1],
                     first_shared=[-1, 0, -1, -1], agency=np.array([0, 1] * 4),
                     rate_tercile=np.array([2, 2, 0, 2, 2, 2, 2, 2]), n_months=4, n_attendees=8, horizon=2,
                     min_comparison=1)
    assert (out["pairs"], out["comparison_pairs"], out["fallback"]) == (1, 3, 0)
    assert out["expected_new_ties"] == 0.0 and out["excess"] == 1.0


def _met_at_cop_row_by_row(a, b, met, first_tie, first_shared, agency, tercile, n_months, n_attendees,
                           horizon, min_comparison, min_follow_up, level=0.95):
    """The pairs' estimate written out row by row, as the module docstring states it (slow; small inputs)."""
    from netdash.change.impact.dyads import follow_up
    from netdash.change.impact.staggered import normal_interval

    never = 10 ** 9
    met, first_tie, first_shared = ([never if v < 0 else v for v in x] for x in (met, first_tie, first_shared))
    months = sorted({m for m in met if m < never})
    rows = []  # (pair, treated, y, strata from fine to coarse)
    for m in months:
        h = int(follow_up([m], n_months, horizon, min_follow_up)[0])
        if h == 0:
            continue
        for p in range(len(a)):
            if first_tie[p] < m or not (met[p] == m or met[p] > m + h - 1):
                continue
            ts = tuple(sorted((tercile[a[p]], tercile[b[p]])))
            coarse = (m, first_shared[p] < m, ts)
            rows.append((p, met[p] == m, first_tie[p] <= m + h - 1, h,
                         [coarse + tuple(sorted((agency[a[p]], agency[b[p]]))), coarse, (m,)]))
    control = [r for r in rows if not r[1]]
    met_rows = [r for r in rows if r[1]]
    n = [{} for _ in range(3)]
    ysum = [{} for _ in range(3)]
    for r in control:
        for k in range(3):
            n[k][r[4][k]] = n[k].get(r[4][k], 0) + 1
            ysum[k][r[4][k]] = ysum[k].get(r[4][k], 0) + r[2]
    level_of = [next((k for k in range(2) if n[k].get(r[4][k], 0) >= min_comparison), 2) for r in met_rows]
    rate = [{s: ysum[k][s] / n[k][s] for s in n[k]} for k in range(3)]
    used = [{} for _ in range(3)]
    for r, k in zip(met_rows, level_of):
        used[k][r[4][k]] = used[k].get(r[4][k], 0) + 1
    u = {}
    expected = 0.0
    for r, k in zip(met_rows, level_of):
        expected += rate[k].get(r[4][k], 0.0)
        u[r[0]] = u.get(r[0], 0.0) + r[2] - rate[k].get(r[4][k], 0.0)
    for r in control:
        for k in range(3):
            c = n[k][r[4][k]]
            share = used[k].get(r[4][k], 0) / c * (np.sqrt(c / (c - 1)) if c > 1 else 1.0)
            u[r[0]] = u.get(r[0], 0.0) - share * (r[2] - rate[k][r[4][k]])
    S = {}
    for p, v in u.items():
        S[a[p]] = S.get(a[p], 0.0) + v
        S[b[p]] = S.get(b[p], 0.0) + v
    independent = sum(v * v for v in u.values())
    var = max(sum(v * v for v in S.values()) - independent, independent)
    observed = sum(r[2] for r in met_rows)
    scale = 2.0 / n_attendees
    low, high = normal_interval(scale * (observed - expected), scale ** 2 * var, level=level)
    return {"pairs": len(met_rows), "new_ties": observed, "comparison_pairs": len(control),
            "fallback": sum(k > 0 for k in level_of), "short_follow_up": sum(r[3] < horizon for r in met_rows),
            "expected_new_ties": expected, "excess_per_attendee": scale * (observed - expected),
            "ci_low": low, "ci_high": high}


@pytest.mark.parametrize("seed", range(12))
def test_met_at_cop_agrees_with_the_estimate_written_row_by_row(seed):
    """Random pairs, meetings, ties and shared clients; every field equal to the row-by-row statement."""
    rng = np.random.default_rng(seed)
    n_nodes, n_months = int(rng.integers(8, 30)), int(rng.integers(4, 14))
    a, b = np.triu_indices(n_nodes, 1)
    keep = rng.random(a.size) < 0.6
    a, b = a[keep], b[keep]

    def month_or_never(p_never):
        return np.where(rng.random(a.size) < p_never, -1, rng.integers(0, n_months, a.size))

    args = dict(met=month_or_never(0.6), first_tie=month_or_never(0.5), first_shared=month_or_never(0.7),
                agency=rng.integers(0, 4, n_nodes), n_months=n_months, n_attendees=n_nodes,
                horizon=int(rng.integers(1, 7)), min_comparison=int(rng.integers(1, 6)),
                min_follow_up=int(rng.integers(1, 4)))
    tercile = rng.integers(0, 3, n_nodes)
    out = met_at_cop(a, b, rate_tercile=tercile, **args)
    want = _met_at_cop_row_by_row(a, b, tercile=tercile, **args)
    if want["pairs"] == 0 or want["comparison_pairs"] == 0:
        assert out["pairs"] == want["pairs"] and np.isnan(out["excess_per_attendee"])
        return
    for key, value in want.items():
        assert out[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key


_PAIRS = {"pairs": 400, "new_ties": 60, "expected_new_ties": 30.0, "horizon": 6,
          "excess_per_attendee": 0.86, "ci_low": 0.3, "ci_high": 1.4}
_NO_PAIRS = {**_PAIRS, "excess_per_attendee": 0.1, "ci_low": -0.4, "ci_high": 0.6}


def _person(att, adjusted):
    return {"att": dict(zip(("estimate", "ci_low", "ci_high"), att)),
            "trend_adjusted": dict(zip(("estimate", "ci_low", "ci_high"), adjusted))}


def test_verdict_says_parallel_trends_are_doubtful_and_rests_on_the_trend_adjusted_estimate():
    person = _person((1.6, 0.8, 2.5), (0.3, -1.5, 2.1))
    v = impact_verdict(person, {"p_value": 0.02}, _NO_PAIRS)
    assert v["pre_trend"] == {"p_value": 0.02, "parallel_trends_doubtful": True}
    assert v["headline"] == {"estimator": "callaway_santanna_trend_adjusted", "estimate": 0.3, "ci_low": -1.5,
                             "ci_high": 2.1, "interval": "trend_adjusted"}
    assert "Parallel trends are doubtful" in v["verdict"] and "(+1.6) may be an earlier trend" in v["verdict"]
    assert v["claims_effect"] is False and v["verdict"].startswith("No clear difference: with attendees' earlier")
    # Clear pairs and a trend-adjusted headline pointing the same way: the claim rests on the pairs.
    with_pairs = impact_verdict(person, {"p_value": 0.02}, _PAIRS)
    assert with_pairs["claims_effect"] is True and with_pairs["corroborated_by"] == "met_at_cop"
    assert with_pairs["verdict"].startswith("People who met at the COP went on to work together more often")
    assert ("Person-level, with attendees' earlier linear trend removed, attendees gained +0.3" in
            with_pairs["verdict"])
    # Once the earlier trend is removed the person-level estimate points the other way: nothing is claimed.
    against = impact_verdict(_person((1.6, 0.8, 2.5), (-0.4, -2.2, 1.4)), {"p_value": 0.02}, _PAIRS)
    assert against["claims_effect"] is False and "points the other way" in against["verdict"]


def test_verdict_needs_a_check_that_an_earlier_trend_cannot_pass():
    """Scenario (b): the person-level interval excludes 0 but the pairs do not confirm it: no claim.

    Not even when the trend-adjusted interval also excludes 0: its linear extrapolation under-corrects a
    trend that accelerates, and that check let through 5% of the simulated worlds of scenario (b).
    """
    v = impact_verdict(_person((1.6, 0.8, 2.5), (0.3, -1.5, 2.1)), {"p_value": 0.6}, _NO_PAIRS)
    assert v["headline"]["estimator"] == "callaway_santanna" and v["headline"]["estimate"] == 1.6
    # The headline's interval allows for the earlier trend: from the lower to the higher end of the two.
    assert (v["headline"]["ci_low"], v["headline"]["ci_high"], v["headline"]["interval"]) == (-1.5, 2.5,
                                                                                              "trend_robust")
    assert v["claims_effect"] is False and v["verdict"].startswith("No clear effect")
    assert ("(95% CI -1.5 to 2.5 allowing for attendees' earlier trend to continue, 95% CI 0.8 to 2.5 if both "
            "groups would otherwise have moved in parallel;") in v["verdict"]
    by_trend = impact_verdict(_person((1.3, 0.4, 2.2), (2.1, 0.1, 4.1)), {"p_value": 0.6}, _NO_PAIRS)
    assert by_trend["claims_effect"] is False and by_trend["corroborated_by"] is None
    assert (by_trend["headline"]["ci_low"], by_trend["headline"]["ci_high"]) == (0.1, 4.1)
    assert [(e["key"], e["in_rule"]) for e in by_trend["estimates"]] == [
        ("headline", True), ("parallel_trends", False), ("met_at_cop", True)]
    # Too few months before the COP for a trend: the parallel-trends interval, and said so in the field.
    short = impact_verdict(_person((1.6, 0.8, 2.5), (float("nan"),) * 3), {"p_value": 0.6}, _NO_PAIRS)
    assert (short["headline"]["ci_low"], short["headline"]["interval"]) == (0.8, "parallel_trends")


def test_verdict_claims_when_the_pairs_exclude_zero_and_the_headline_agrees():
    v = impact_verdict(_person((1.3, 0.4, 2.2), (1.1, 0.2, 2.9)), {"p_value": 0.6}, _PAIRS)
    assert v["claims_effect"] is True and v["corroborated_by"] == "met_at_cop"
    assert v["headline"] == {"estimator": "callaway_santanna", "estimate": 1.3, "ci_low": 0.2, "ci_high": 2.9,
                             "interval": "trend_robust"}
    assert v["verdict"].startswith("Attendees gained +1.3 cross-agency colleagues in the after window")
    assert "+0.86 cross-agency colleagues per attendee (95% CI 0.30 to 1.40)" in v["verdict"]
    # The headline's interval includes 0 but it points the pairs' way: claimed, resting on the pairs, and said so.
    small = impact_verdict(_person((0.5, -0.4, 1.4), (0.4, -1.5, 2.3)), {"p_value": 0.6}, _PAIRS)
    assert small["claims_effect"] is True and small["headline"]["estimate"] == 0.5
    assert small["verdict"].startswith("People who met at the COP went on to work together more often than "
                                       "comparable pairs, which an earlier trend of the attendees cannot explain")
    assert "the same direction, with an interval that on its own includes zero" in small["verdict"]
    # Pairs that point the other way do not confirm a gain, whatever the headline's interval.
    for att in ((1.3, 0.4, 2.2), (0.5, -0.4, 1.4)):
        against = impact_verdict(_person(att, (1.1, -0.7, 2.9)), {"p_value": 0.6},
                                 {**_PAIRS, "excess_per_attendee": -0.8, "ci_low": -1.4, "ci_high": -0.2})
        assert against["claims_effect"] is False
    # A loss in both: claimed, as fewer.
    loss = impact_verdict(_person((-0.9, -1.8, 0.1), (-1.0, -2.5, 0.5)), {"p_value": 0.6},
                          {**_PAIRS, "excess_per_attendee": -0.8, "ci_low": -1.4, "ci_high": -0.2})
    assert loss["claims_effect"] is True and "work together less often" in loss["verdict"]
    unclear = impact_verdict(_person((0.5, -0.4, 1.4), (0.4, -1.5, 2.3)), {"p_value": 0.6}, _NO_PAIRS)
    assert unclear["claims_effect"] is False and unclear["verdict"].startswith("No clear difference")


def test_person_level_after_window_att_by_hand():
    """Unit 0 joins in month 2, unit 1 in month 3; units 2 and 3 never. After window months 2-3.

    Colleagues: unit 0 has node 4 in month 0, 5 in month 2, 6 in month 3 (base months 0-1: 1, after: 2);
    unit 1 has 7 in month 1 and 8 in month 3 (base months 1-2: 1, after: 1); unit 2 has 9 every month;
    unit 3 has 10 in month 2 (base 0-1: 0, base 1-2: 1, after 1).
    Cohort 2: (2 - 1) - mean(1 - 1, 1 - 0) = 1/2. Cohort 3: (1 - 1) - mean(1 - 1, 1 - 1) = 0.
    Equal cohort sizes: ATT = 1/4.
    """
    ties = [(0, 4, 0), (0, 5, 2), (0, 6, 3), (1, 7, 1), (1, 8, 3), (3, 10, 2)] + [(2, 9, m) for m in range(4)]
    a, b, m = (np.array(x) for x in zip(*ties))
    out = person_level(monthly_union(a, b, m), 11, [0, 1, 2, 3], [True, True, False, False], [2, 3, -1, -1],
                       start=2, length=2, trend_window=1)
    assert out["att"]["estimate"] == pytest.approx(0.25)
    assert np.isnan(out["trend_adjusted"]["estimate"])  # two months before the COP: no trend fitted
    windows, K, _, distance = after_window_weights([2, 3, -1, -1], [True, True, False, False], start=2, length=2)
    Y = window_counts([monthly_union(a, b, m)(*w) for w in windows], 11, [0, 1, 2, 3])[0]
    assert Y.tolist() == [[2, 1, 1], [1, 1, 1], [1, 1, 1], [1, 0, 1]]
    assert distance == pytest.approx((2 + 1) / 2)  # cohort 2: 2 months; cohort 3: 1 month


def test_trend_adjusted_estimate_by_hand():
    """The attendee gains a colleague a month before the COP; the non-attendee keeps one.

    Monthly counts (trend window 1) in months 0-2: attendee 1, 2, 3; non-attendee 1, 1, 1: the gap's
    slope is 1 a month. 3-month counts: before 3 and 1, after (months 3-5) 4 and 1: ATT = 1.
    Ratio of mean 3-month to mean monthly count before: 2 / 1.5 = 4/3; 3 months extrapolated:
    trend-adjusted = 1 - 4/3 x 3 x 1 = -3.
    """
    ties = [(0, 2, 0), (0, 2, 1), (0, 3, 1), (0, 2, 2), (0, 3, 2), (0, 4, 2),
            (0, 2, 3), (0, 3, 3), (0, 4, 3), (0, 5, 3)] + [(1, 6, m) for m in range(6)]
    a, b, m = (np.array(x) for x in zip(*ties))
    out = person_level(monthly_union(a, b, m), 7, [0, 1], [True, False], [3, -1], start=3, length=3,
                       trend_window=1)
    assert out["att"]["estimate"] == pytest.approx(1.0)
    assert out["trend"]["slope"] == pytest.approx(1.0) and out["trend"]["ratio"] == pytest.approx(4 / 3)
    assert out["trend"]["distance"] == 3 and out["trend"]["months"] == 3
    assert out["trend_adjusted"]["estimate"] == pytest.approx(-3.0)


def test_linear_dyadic_pairs_across_groups_never_narrow_below_independent_units():
    K = np.array([[-0.5, 0.5], [-0.5, 0.5], [0.5, -0.5], [0.5, -0.5]])
    Y = np.array([[0, 2], [0, 3], [0, 0], [0, 1]], dtype=float)
    # A new tie between attendee 0 and non-attendee 2: 2 x (1/2)(-1/2) x 1 = -1/2, floored at psi'psi = 1/2.
    out = linear_dyadic(K, Y, [1, 1, 0, 0], [0], [2], np.array([[0.0, 1.0]]))
    assert out["variance"] == pytest.approx(0.5)
    # A one-person group is centred on its pool's mean: unit 0 alone, pool {0, 1}: Y mean (0, 2.5).
    single = linear_dyadic(K, Y, [2, 1, 0, 0], pool=[1, 1, 0, 0])
    assert single["psi"][0] == pytest.approx(0.5 * (2 - 2.5))


def test_event_study_variance_is_the_unbiased_one_for_a_small_cohort():
    """Cohort of two with changes 0 and 2 (sample variance 2, so 2/2 = 1 for its mean); controls all 0."""
    Y = np.array([[0, 0, 0], [0, 0, 2], [0, 0, 0], [0, 0, 0], [0, 0, 0]], dtype=float)
    out = event_study(Y, [2, 2, -1, -1, -1])
    assert out["att"][-1] == pytest.approx(1.0)
    assert out["V"][-1, -1] == pytest.approx(1.0)


@pytest.mark.parametrize("trust, where", [({"estimate": 2.15, "ci_low": 1.38, "ci_high": 2.94}, "excludes zero"),
                                          ({"estimate": 0.4, "ci_low": -0.5, "ci_high": 1.3}, "includes zero")])
def test_verdict_states_the_trust_tie_estimate_but_never_claims_on_it(trust, where):
    # Issue 16: a trust-tie estimate whose interval excluded zero went unmentioned.
    person = {"att": {"estimate": 1.3, "ci_low": 0.4, "ci_high": 2.2},
              "trend_adjusted": {"estimate": 1.1, "ci_low": -0.7, "ci_high": 2.9}}
    pairs = {"pairs": 400, "new_ties": 60, "expected_new_ties": 30.0, "horizon": 6,
             "excess_per_attendee": 0.86, "ci_low": 0.3, "ci_high": 1.4}
    unclear = {**pairs, "excess_per_attendee": 0.1, "ci_low": -0.4, "ci_high": 0.6}
    for m, claims in ((pairs, True), (unclear, False)):
        v = impact_verdict(person, {"p_value": 0.6}, m, trust=trust)
        assert v["claims_effect"] is claims  # the same claim as without the trust figure
        assert v["claims_effect"] == impact_verdict(person, {"p_value": 0.6}, m)["claims_effect"]
        text = (f"{trust['estimate']:+.1f} (95% CI {trust['ci_low']:.1f} to {trust['ci_high']:.1f}), "
                f"an interval that {where}")
        assert text in v["verdict"]
        rows = {e["key"]: e for e in v["estimates"]}
        assert rows["did_trust_ties"]["in_rule"] is False and rows["did_trust_ties"]["estimate"] == trust["estimate"]
        assert rows["headline"]["ci_low"] == -0.7 and rows["parallel_trends"]["ci_low"] == 0.4
        assert rows["met_at_cop"]["ci_high"] == m["ci_high"]
        # every interval listed is in the sentence
        for row in v["estimates"]:
            assert f"95% CI {row['ci_low']:.{row['digits']}f} to {row['ci_high']:.{row['digits']}f}" in v["verdict"]
    # Without it the verdict says nothing about trust and does not list it.
    v = impact_verdict(person, {"p_value": 0.6}, pairs)
    assert "trust" not in v["verdict"] and "did_trust_ties" not in [e["key"] for e in v["estimates"]]


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


def test_verdict_writes_large_counts_with_thousands_separators():
    # A regional COP (the large demo: 107,149 pairs who met) read "of 107149 pairs" before.
    large = {**_PAIRS, "pairs": 107_149, "new_ties": 5_971, "expected_new_ties": 1_192.5, "short_follow_up": 11_440}
    text = impact_verdict(_person((1.6, 0.8, 2.5), (0.3, -1.5, 2.1)), {"p_value": 0.6}, large)["verdict"]
    assert "of 107,149 pairs from different agencies who first sat in the same session, 5,971 formed" in text
    assert "for the 11,440 who met in its last 5 months" in text and "had not yet met suggest 1,192:" in text
