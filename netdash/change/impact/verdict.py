"""The one verdict of the COP impact evaluation, shared by the page, the report and the CLI.

Rule (docs/impact.md; measured in ``bench/impact_scenarios.py``):

1. The ``headline`` is the issue's estimand, person-level: the extra
   cross-agency colleagues per attendee in the after window
   (:func:`netdash.change.impact.person.person_level`, Callaway & Sant'Anna
   aggregated over the after window; ``estimator: "callaway_santanna"``).
   When the joint pre-trend test rejects at :data:`PRE_TREND_ALPHA`, the
   verdict says parallel trends are doubtful and the headline is the
   trend-adjusted estimate instead (``"callaway_santanna_trend_adjusted"``).
   Otherwise its interval runs from the lower to the higher end of the two
   estimates' intervals (``interval: "trend_robust"``): it covers the truth
   when the groups would have moved in parallel and when the attendees'
   earlier linear trend continues, which the pre-trend test is too weak to
   tell apart (Rambachan & Roth 2023 make the same argument for their
   sets). On the simulated worlds it covered 92-98.5% in all four scenarios;
   the interval assuming parallel trends alone covered 23% where attendees
   were already widening their networks faster. Without a trend-adjusted
   estimate (too few months before the COP) it is the parallel-trends
   interval (``"parallel_trends"``).
2. An effect is claimed only when the met-at-COP pairs' 95% interval
   (:func:`netdash.change.impact.dyads.met_at_cop`) excludes 0 *and* the
   headline points the same way. The pairs compare attendees with attendees
   in the same months, so an earlier trend that all attendees share cannot
   make them tie more than pairs who had not yet met; the headline gives the
   size in the issue's unit and must not contradict them. The headline's own
   interval is always stated; on its own it cannot carry a claim, because
   the pre-trend test caught only a fifth of the simulated worlds in which
   attendees were already widening their networks faster (Roth 2022), and a
   check against the trend-adjusted estimate let through 5% of those worlds
   (its linear extrapolation under-corrects a trend that accelerates).
3. The pairs are the second line of evidence: always stated, never averaged
   into the headline.
4. Every estimate the sentence rests on is in it, with its interval, and is
   listed in ``estimates``. Since issue 16 that includes, when given, the
   person-level difference-in-differences of cross-agency trust ties
   (dyadic-robust interval): it is stated whether or not its interval
   excludes zero, and never used to claim an effect (it is person-level, open
   to the same earlier-trend explanation, and was not part of the measured
   rule). Before, a trust-tie estimate whose interval excluded zero went
   unmentioned.
"""

import math

__all__ = ["PRE_TREND_ALPHA", "HEADLINE_ESTIMATORS", "impact_verdict"]

#: Pre-trend p-value below which parallel trends are called doubtful.
PRE_TREND_ALPHA = 0.10

#: ``headline.estimator`` values: the person-level estimate, and the same with the earlier trend removed.
HEADLINE_ESTIMATORS = ("callaway_santanna", "callaway_santanna_trend_adjusted")


def _finite(x):
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _has_interval(d):
    return d is not None and _finite(d.get("estimate")) and _finite(d.get("ci_low")) and _finite(d.get("ci_high"))


def _excludes_zero(d, sign=None):
    if not _has_interval(d):
        return False
    if sign is None:
        return d["ci_low"] > 0 or d["ci_high"] < 0
    return d["ci_low"] > 0 if sign > 0 else d["ci_high"] < 0


def _ci(d, digits=1):
    return f"95% CI {d['ci_low']:.{digits}f} to {d['ci_high']:.{digits}f}" if _has_interval(d) else "no interval"


def _sentence_trust(trust):
    where = ("" if not _has_interval(trust) else
             ", an interval that excludes zero" if _excludes_zero(trust) else ", an interval that includes zero")
    return (f" Cross-agency trust ties, a second person-level outcome that is reported but not used to claim "
            f"an effect: attendees' change relative to non-attendees was {trust['estimate']:+.1f} "
            f"({_ci(trust)}){where}.")


def _row(key, label, short, unit, d, digits, in_rule):
    return {"key": key, "label": label, "short_label": short, "unit": unit,
            "estimate": d.get("estimate") if _finite(d.get("estimate")) else None,
            "ci_low": d["ci_low"] if _has_interval(d) else None,
            "ci_high": d["ci_high"] if _has_interval(d) else None, "digits": digits, "in_rule": in_rule}


def _estimates(headline, pairs, att, trust):
    """Every estimate the verdict states with an interval, in the order it states them."""
    adjusted_head = headline["estimator"] == HEADLINE_ESTIMATORS[1]
    robust = headline["interval"] == "trend_robust"
    out = [_row("headline", "Person-level: extra cross-agency colleagues per attendee in the after window"
                + (", earlier trend removed" if adjusted_head else "")
                + (" (interval allowing for attendees' earlier trend to continue)" if robust else ""),
                "Cross-agency colleagues", "extra per attendee, person-level", headline, 1, True)]
    if robust:
        out.append(_row("parallel_trends", "Person-level, the same estimate's interval if attendees and "
                        "non-attendees would otherwise have moved in parallel", "If trends were parallel",
                        "extra per attendee, person-level", att, 1, False))
    out.append(_row("met_at_cop", "Met at the COP: extra cross-agency colleagues per attendee",
                    "Pairs who met at the COP", "extra per attendee, from pairs who met", pairs, 2, True))
    if trust is not None:
        out.append(_row("did_trust_ties", "Attendees' change in cross-agency trust ties minus non-attendees'",
                        "Cross-agency trust ties", "attendees' change minus non-attendees'", trust, 1, False))
    return out


def _sentence_pairs(m):
    if not _finite(m.get("ci_low")):
        return (f"there are no pairs who met at a session with {m.get('min_follow_up', 3)} months of data from it "
                "to compare with pairs who had not yet met")
    short = m.get("short_follow_up", 0)
    within = f"within {m['horizon']} months" + (
        f" (by the data's end for the {short:,} who met in its last {m['horizon'] - 1} months)" if short else "")
    return (f"of {m['pairs']:,} pairs from different agencies who first sat in the same session, {m['new_ties']:,} "
            f"formed a working tie {within}, where comparable pairs who had not yet met "
            f"suggest {m['expected_new_ties']:,.0f}: {m['excess_per_attendee']:+.2f} cross-agency colleagues per "
            f"attendee (95% CI {m['ci_low']:.2f} to {m['ci_high']:.2f})")


def impact_verdict(person, pre_trend, met_at_cop, *, trust=None, alpha=PRE_TREND_ALPHA):
    """The verdict, the estimates it rests on, and whether it claims an effect.

    Parameters
    ----------
    person : dict or None
        :func:`netdash.change.impact.person.person_level`: ``att`` and
        ``trend_adjusted`` ({estimate, ci_low, ci_high}); None when the
        after window has no whole month.
    pre_trend : dict
        ``p_value`` of the joint pre-trend test (NaN or None when it could not be run).
    met_at_cop : dict
        From :func:`netdash.change.impact.dyads.met_at_cop`.
    trust : dict, optional
        ``estimate``, ``ci_low``, ``ci_high`` of the person-level
        difference-in-differences of cross-agency trust ties. Stated (rule
        4), never used to claim an effect.
    alpha : float, default 0.10

    Returns
    -------
    dict
        ``verdict`` (text), ``claims_effect``, ``headline`` ({estimator,
        estimate, ci_low, ci_high, interval}: ``interval`` is
        ``"trend_robust"``, ``"parallel_trends"`` or ``"trend_adjusted"``,
        rule 1), ``pre_trend`` ({p_value,
        parallel_trends_doubtful}), ``corroborated_by`` (``"met_at_cop"``
        when an effect is claimed, else None; ``"trend_adjusted"`` is no
        longer given, see rule 2), ``estimates`` (every estimate the
        verdict states with an interval, in its order: {key, label,
        short_label, unit, estimate, ci_low, ci_high, digits, in_rule};
        ``in_rule`` is False for the figures stated but never used to claim: the
        trust-tie estimate and the headline's parallel-trends interval).

    Examples
    --------
    >>> person = {"att": {"estimate": 1.3, "ci_low": 0.4, "ci_high": 2.2},
    ...           "trend_adjusted": {"estimate": 1.1, "ci_low": -0.7, "ci_high": 2.9}}
    >>> pairs = {"pairs": 400, "new_ties": 60, "expected_new_ties": 30.0, "horizon": 6,
    ...          "excess_per_attendee": 0.86, "ci_low": 0.3, "ci_high": 1.4}
    >>> v = impact_verdict(person, {"p_value": 0.5}, pairs)
    >>> v["claims_effect"], v["headline"]["estimator"], v["corroborated_by"]
    (True, 'callaway_santanna', 'met_at_cop')
    >>> v["headline"]["ci_low"], v["headline"]["ci_high"], v["headline"]["interval"]
    (-0.7, 2.9, 'trend_robust')
    >>> impact_verdict(person, {"p_value": 0.5}, {**pairs, "ci_low": -0.1})["claims_effect"]
    False
    >>> v = impact_verdict(person, {"p_value": 0.5}, pairs, trust={"estimate": 2.15, "ci_low": 1.38, "ci_high": 2.94})
    >>> "+2.1 (95% CI 1.4 to 2.9), an interval that excludes zero" in v["verdict"], v["claims_effect"]
    (True, True)
    >>> [e["key"] for e in v["estimates"]]
    ['headline', 'parallel_trends', 'met_at_cop', 'did_trust_ties']
    """
    p = pre_trend.get("p_value")
    p = float(p) if _finite(p) else None
    doubtful = p is not None and p < alpha
    person = person or {}
    att, adjusted = person.get("att"), person.get("trend_adjusted")
    head = adjusted if doubtful else att
    estimator = HEADLINE_ESTIMATORS[1] if doubtful else HEADLINE_ESTIMATORS[0]
    has_head = _has_interval(head)
    robust = not doubtful and has_head and _has_interval(adjusted)
    if robust:  # rule 1: the interval also covers the attendees' earlier linear trend continuing
        low, high = min(att["ci_low"], adjusted["ci_low"]), max(att["ci_high"], adjusted["ci_high"])
    else:
        low, high = (head["ci_low"], head["ci_high"]) if has_head else (None, None)
    interval = "trend_adjusted" if doubtful else "trend_robust" if robust else "parallel_trends"
    headline = {"estimator": estimator,
                "estimate": head["estimate"] if head is not None and _finite(head.get("estimate")) else None,
                "ci_low": low, "ci_high": high, "interval": interval}
    pairs = {"estimate": met_at_cop.get("excess_per_attendee"), "ci_low": met_at_cop.get("ci_low"),
             "ci_high": met_at_cop.get("ci_high")}
    pairs_sign = (1 if pairs["estimate"] > 0 else -1) if _excludes_zero(pairs) else None
    head_sign = (1 if head["estimate"] > 0 else -1 if head["estimate"] < 0 else 0) if has_head else None
    claims = pairs_sign is not None and head_sign == pairs_sign
    by = "met_at_cop" if claims else None
    clear = _excludes_zero(headline)
    parallel_only = robust and not clear and _excludes_zero(att)  # clear only if the groups moved in parallel

    what = ("with attendees' earlier linear trend removed, attendees" if doubtful else "Attendees")
    if has_head:
        where = (f"{_ci(headline)} allowing for attendees' earlier trend to continue, {_ci(att)} if both groups "
                 "would otherwise have moved in parallel" if robust else _ci(headline))
        person_text = (f"{what} gained {head['estimate']:+.1f} cross-agency colleagues in the after window "
                       f"compared with non-attendees ({where}; each attendee counted from their own first session)")
    else:
        person_text = None
    pairs_text = _sentence_pairs(met_at_cop)
    if person_text is None:
        text = ("No conclusion: the person-level estimate could not be made (too few whole months of data "
                f"{'before the COP to estimate a trend' if doubtful else 'after the COP'}). Pairs who met at the "
                f"COP: {pairs_text}.")
    elif claims:
        more = "more" if pairs_sign > 0 else "less"
        met_text = (f"people who met at the COP went on to work together {more} often than comparable pairs, "
                    f"which an earlier trend of the attendees cannot explain: {pairs_text}")
        if clear:
            text = f"{person_text[0].upper()}{person_text[1:]}. {met_text[0].upper()}{met_text[1:]}."
        else:
            text = (f"{met_text[0].upper()}{met_text[1:]}. Person-level, {person_text[0].lower()}{person_text[1:]}: "
                    "the same direction, with an interval that on its own includes zero.")
    elif clear or parallel_only:
        text = (f"No clear effect: {person_text[0].lower()}{person_text[1:]}, but the pairs who met at the COP do "
                f"not confirm it ({pairs_text}). Attendees who were already widening their networks faster would "
                "show the same gain, and the pre-trend test often misses that.")
    else:
        against = pairs_sign is not None and head_sign != pairs_sign
        text = (f"No clear difference: {person_text[0].lower()}{person_text[1:]}, an interval that includes zero. "
                f"Pairs who met at the COP: {pairs_text}"
                + (", but the person-level estimate points the other way." if against else "."))
    with_trust = trust is not None and _finite(trust.get("estimate"))
    if with_trust:
        text += _sentence_trust(trust)
    if doubtful:
        text += (f" Parallel trends are doubtful: before joining the COP, attendees' numbers of cross-agency "
                 f"colleagues were already moving differently from non-attendees' (joint pre-trend test "
                 f"p = {p:.3f}), so the figure without a trend adjustment "
                 f"({att['estimate']:+.1f}) may be an earlier trend continuing and is not relied on."
                 if att is not None and _finite(att.get("estimate")) else
                 f" Parallel trends are doubtful (joint pre-trend test p = {p:.3f}).")
    elif p is not None:
        text += f" The months before each attendee joined show no clear diverging trend (pre-trend test p = {p:.2f})."
    else:
        text += " The pre-trend test could not be run."
    text += " This is an observational comparison, not proof that the COP caused it."
    return {"verdict": text, "claims_effect": claims, "headline": headline, "corroborated_by": by,
            "pre_trend": {"p_value": p, "parallel_trends_doubtful": bool(doubtful)},
            "estimates": _estimates(headline, pairs, att or {}, trust if with_trust else None)}
