"""The one verdict of the COP impact evaluation, shared by the page, the report and the CLI.

Rule (docs/impact.md; measured in ``bench/impact_scenarios.py``, where a
verdict resting on the person-level difference-in-differences, even gated by
the pre-trend test, claimed an effect in about half the worlds where
attendees were only on a steeper trend):

1. The claim rests on the met-at-COP pairs
   (:func:`netdash.change.impact.dyads.met_at_cop`): attendee pairs who met
   compared with attendee pairs who had not yet met, in the same months, so a
   trend that all attendees share cannot create it. Its excess, in
   colleagues per attendee, is the ``headline``.
2. An effect is claimed only when that 95% interval excludes 0 *and* the
   person-level difference-in-differences (today's estimand, dyadic-robust
   interval) points the same way.
3. The joint pre-trend test of the event study is always reported; when it
   rejects at :data:`PRE_TREND_ALPHA` the verdict says in words that parallel
   trends are doubtful and that the person-level figure is not relied on.
"""

import math

__all__ = ["PRE_TREND_ALPHA", "impact_verdict"]

#: Pre-trend p-value below which parallel trends are called doubtful.
PRE_TREND_ALPHA = 0.10

_ESTIMATOR = "difference_in_differences"


def _finite(x):
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _sentence_pairs(m):
    return (f"of {m['pairs']} pairs from different agencies who first sat in the same session, {m['new_ties']} "
            f"formed a working tie within {m['horizon']} months, where comparable pairs who had not yet met "
            f"suggest {m['expected_new_ties']:.0f}: {m['excess_per_attendee']:+.2f} cross-agency colleagues per "
            f"attendee (95% CI {m['ci_low']:.2f} to {m['ci_high']:.2f})")


def impact_verdict(did, pre_trend, met_at_cop, *, alpha=PRE_TREND_ALPHA):
    """The verdict, the estimate it rests on, and whether it claims an effect.

    Parameters
    ----------
    did : dict
        ``estimate``, ``ci_low``, ``ci_high`` of the person-level difference-in-differences.
    pre_trend : dict
        ``p_value`` of the joint pre-trend test (NaN or None when it could not be run).
    met_at_cop : dict
        From :func:`netdash.change.impact.dyads.met_at_cop`.
    alpha : float, default 0.10

    Returns
    -------
    dict
        ``verdict`` (text), ``claims_effect``, ``headline`` ({estimator,
        estimate, ci_low, ci_high}), ``pre_trend`` ({p_value,
        parallel_trends_doubtful}).

    Examples
    --------
    >>> pairs = {"pairs": 400, "new_ties": 60, "expected_new_ties": 30.0, "horizon": 6,
    ...          "excess_per_attendee": 0.86, "ci_low": 0.3, "ci_high": 1.4}
    >>> v = impact_verdict({"estimate": 0.9, "ci_low": -0.2, "ci_high": 2.0}, {"p_value": 0.5}, pairs)
    >>> v["claims_effect"], v["headline"]["estimator"]
    (True, 'met_at_cop')
    >>> impact_verdict({"estimate": -0.9, "ci_low": -2, "ci_high": 0.2}, {"p_value": 0.5}, pairs)["claims_effect"]
    False
    """
    est, low, high = did["estimate"], did.get("ci_low"), did.get("ci_high")
    p = pre_trend.get("p_value")
    p = float(p) if _finite(p) else None
    doubtful = p is not None and p < alpha
    m = met_at_cop
    m_low, m_high, m_est = m.get("ci_low"), m.get("ci_high"), m.get("excess_per_attendee")
    has_pairs = _finite(m_low) and _finite(m_high)
    headline = {"estimator": "met_at_cop", "estimate": m_est if _finite(m_est) else None,
                "ci_low": m_low if has_pairs else None, "ci_high": m_high if has_pairs else None}
    pairs_clear = has_pairs and (m_low > 0 or m_high < 0)
    same_way = has_pairs and _finite(est) and (est > 0) == (m_est > 0) and est != 0
    claims = bool(pairs_clear and same_way)
    did_text = (f"{est:+.1f} (95% CI {low:.1f} to {high:.1f})" if _finite(low) and _finite(high)
                else f"{est:+.1f} (no interval)")
    if claims:
        more = "more" if m_est > 0 else "fewer"
        text = (f"People who met at the COP went on to work together {more} often than comparable pairs: "
                f"{_sentence_pairs(m)}. Person-level, attendees' change in cross-agency colleagues relative to "
                f"non-attendees points the same way: {did_text}.")
    elif not has_pairs:
        text = (f"No conclusion: there are no pairs who met at a session with {m.get('horizon', 6)} months of "
                f"data after it to compare with pairs who had not yet met. Person-level, attendees' change in "
                f"cross-agency colleagues relative to non-attendees was {did_text}.")
    elif not pairs_clear:
        text = (f"No clear effect: {_sentence_pairs(m)}, an interval that includes zero. Person-level, "
                f"attendees' change in cross-agency colleagues relative to non-attendees was {did_text}.")
    else:
        text = (f"No clear effect: {_sentence_pairs(m)}, but person-level attendees' change in cross-agency "
                f"colleagues relative to non-attendees points the other way ({did_text}), so the two lines of "
                "evidence disagree.")
    if doubtful:
        text += (f" Parallel trends are doubtful: before joining the COP, attendees' numbers of cross-agency "
                 f"colleagues were already moving differently from non-attendees' (joint pre-trend test "
                 f"p = {p:.3f}), so the person-level figure may be an earlier trend continuing and is not "
                 "relied on.")
    elif p is not None:
        text += f" The months before each attendee joined show no clear diverging trend (pre-trend test p = {p:.2f})."
    else:
        text += " The pre-trend test could not be run."
    text += " This is an observational comparison, not proof that the COP caused it."
    return {"verdict": text, "claims_effect": claims, "headline": headline,
            "pre_trend": {"p_value": p, "parallel_trends_doubtful": bool(doubtful)}}
