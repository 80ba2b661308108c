"""Did COP attendees gain more cross-agency colleagues than non-attendees?

A practitioner-level difference-in-differences of working ties across agency
boundaries, with a propensity-score matched version and a dose-response
slope. See ``docs/impact.md`` for the definitions, rules and caveats.

Modules: :mod:`~netdash.change.impact.design` (windows, sample, outcomes),
:mod:`~netdash.change.impact.estimators` (difference-in-differences, dose-response,
bootstrap), :mod:`~netdash.change.impact.matching` (propensity scores, matching,
balance), :mod:`~netdash.change.impact.panel` (the practitioner-month tie panel),
:mod:`~netdash.change.impact.staggered` (event study, pre-trend test),
:mod:`~netdash.change.impact.person` (the person-level headline and its
trend-adjusted variant), :mod:`~netdash.change.impact.dyads` (met-at-COP pairs),
:mod:`~netdash.change.impact.verdict` (the one verdict).
"""

import math

import numpy as np

from netdash.errors import AnalysisError
from netdash.networks.counts import stored
from netdash.change.impact.design import (OUTCOME_TIES, ImpactDesign, impact_design, impact_table,
                                          trust_pair_changes)
from netdash.change.impact.estimators import did_estimate, dose_response
from netdash.change.impact.dyads import MIN_COMPARISON_PAIRS
from netdash.change.impact.matching import (balance_table, baseline_covariates, caliper_width,
                                     matched_did, propensity_logit)
from netdash.change.impact.panel import (HORIZON_MONTHS, PRE_TREND_MONTHS, ROLLING_MONTHS, TREND_MONTHS,
                                        panel_estimates, tie_panel)
from netdash.change.impact.staggered import did_dyadic, one_blas_thread
from netdash.change.impact.verdict import PRE_TREND_ALPHA, impact_verdict

__all__ = ["OUTCOME_TIES", "ImpactDesign", "evaluate_impact", "impact_design", "impact_estimates", "impact_table",
           "staggered_estimates"]

#: Below this many practitioners in a group, results get a small-numbers caveat.
SMALL_GROUP = 20


def _num(x):
    """JSON-friendly float: None for NaN."""
    x = float(x)
    return None if math.isnan(x) else x


def _interval(d, key="estimate"):
    return {key: _num(d[key]), "ci_low": _num(d["ci_low"]), "ci_high": _num(d["ci_high"])}


def _rules(design, window_days, caliper):
    ties = {"working": f"a direct contact either way or co-working on a client within {window_days} days",
            "direct": "a direct contact either way",
            "coworking": f"co-working on a client within {window_days} days"}[design.ties]
    return [
        f"Outcome: the number of distinct colleagues in another agency with whom the practitioner had "
        f"a working tie ({ties}) in the window. Sitting in the same COP session is the treatment and "
        "is never counted as a tie.",
        f"Windows: before = {design.before.label()}, after = {design.after.label()} (end exclusive); "
        f"both {design.window_length_days} days, the shorter of the data available before and after "
        "the COP start, so the two are comparable.",
        "Attendee: attended at least one COP session in the after window; non-attendee: attended none.",
        "Sample: practitioners in post throughout both windows (start_date missing or on/before the first "
        "day of the before window; end_date missing or on/after the last day of the after window). "
        f"Excluded: {design.excluded['joined']} who joined and {design.excluded['left']} who left during the windows.",
        "Difference-in-differences: mean change (after minus before) of attendees minus that of "
        "non-attendees. 95% intervals: percentile bootstrap, resampling practitioners within attendees "
        "and within non-attendees separately.",
        "Trust: the same difference-in-differences for distinct cross-agency trust ties (default trust rule: "
        "reciprocated, at least 3 direct contacts in at least 2 calendar months of the window, or the trust "
        "survey). The verdict states it with a dyadic-robust interval but does not use it to claim an effect.",
        "Matching: logistic propensity score on baseline agency, role, degree, cross-agency ties and "
        f"caseload (distinct clients before); 1:1 nearest neighbour on the logit, with replacement, "
        f"within {caliper} SD of the logit.",
        "Dose-response: least-squares slope of change on sessions attended, among attendees only.",
        f"Event study (Callaway & Sant'Anna 2021): each attendee's clock starts at their own first session; the "
        f"outcome is distinct cross-agency colleagues with a working tie in the last {ROLLING_MONTHS} months, month "
        "by month; each cohort is compared with never-attendees and attendees who had not joined yet, from the "
        "month before joining. Intervals are dyadic-robust (a tie counts for both of its people).",
        f"Pre-trend test: joint Wald test that the event-study coefficients {-PRE_TREND_MONTHS} to -2 months "
        f"before joining are all zero; p < {PRE_TREND_ALPHA} means parallel trends are doubtful.",
        f"Met at the COP: pairs of attendees from different agencies, with no working tie before the month they "
        f"first sat in the same session; a tie within {HORIZON_MONTHS} months from that month counts. Expected: "
        "the rate among attendee pairs who had not yet met, in the same month, agency pair, shared-client flag "
        f"and terciles of each person's prior rate of new ties (a stratum needs at least {MIN_COMPARISON_PAIRS} "
        "such pairs, else the next coarser one is used). Excess x 2 / attendees = colleagues per attendee.",
        "Headline (the size the verdict states): extra cross-agency colleagues per attendee in the after window, "
        "person-level, in whole calendar months: each cohort of attendees (month of first session) is compared "
        "from the same number of months before joining to the after window, against non-attendees, weighted by "
        "cohort size (Callaway & Sant'Anna 2021). When parallel trends are doubtful it is the trend-adjusted "
        f"estimate: minus the attendee/non-attendee gap's linear trend over the months before the COP (counts "
        f"over {TREND_MONTHS} months, scaled to the after window's length), extrapolated (Rambachan & Roth 2023, "
        "smoothness bound M = 0). Intervals are dyadic-robust. Unless the pre-trend test rejects, the headline's "
        "interval runs from the lower to the higher end of the two estimates' intervals, so it also holds if "
        "attendees' earlier trend continues; the interval assuming parallel trends is reported beside it.",
        "Verdict: an effect is claimed when the met-at-COP interval excludes zero and the headline points the "
        "same way. The pairs compare attendees with attendees in the same months, so an earlier trend of the "
        "attendees cannot create them; the pre-trend test alone misses most attendees who were already widening "
        "their networks, and the trend-adjusted estimate under-corrects a trend that speeds up (docs/impact.md, "
        "with measurements).",
    ]


def _person_json(person):
    """impact.json's ``person_level``: both person-level estimates, the pre-COP trend and the months counted."""
    if person is None:
        return None
    t = person["trend"]
    return {"callaway_santanna": _interval(person["att"]), "trend_adjusted": _interval(person["trend_adjusted"]),
            "trend": {"slope_per_month": _num(t["slope"]), "p_value": _num(t["p_value"]),
                      "window_months": TREND_MONTHS, "months_fitted": t["months"], "ratio": _num(t["ratio"]),
                      "months_extrapolated": _num(t["distance"])},
            "after_months": person["after_months"]}


def _staggered_caveats(staggered, verdict):
    out = []
    if verdict["pre_trend"]["parallel_trends_doubtful"]:
        out.append("Parallel trends are doubtful (joint pre-trend test of the event study): the headline is the "
                   "trend-adjusted estimate, which assumes the attendees' earlier trend is linear; the "
                   "difference-in-differences may be an earlier trend continuing.")
    if staggered["dropped_cohorts"]:
        out.append(f"{len(staggered['dropped_cohorts'])} cohort(s) of attendees joined too early for a complete "
                   f"{staggered['window']}-month window before joining and are left out of the event study.")
    m = staggered["met_at_cop"]
    if m["fallback"]:
        out.append(f"{m['fallback']} of the {m['pairs']} pairs who met had fewer than {MIN_COMPARISON_PAIRS} "
                   "not-yet-met pairs in their exact stratum (agency pair, shared client, new-tie-rate terciles) "
                   "and were compared with a coarser one.")
    person = staggered.get("person")
    if person and person["after_months"]:
        out.append(f"The headline counts whole calendar months ({person['after_months'][0]} to "
                   f"{person['after_months'][1]} after the COP), so it can differ slightly from the "
                   "difference-in-differences, whose windows start on the COP start day.")
    out.append("The pair-level evidence counts only ties between attendees who sat in the same session; a COP "
               "that works through introductions to non-attendees is not seen there, and since the verdict claims "
               "an effect only when the pairs show one, it does not claim such an effect (docs/impact.md, "
               "scenario d).")
    return out


def _caveats(design, n_t, n_c, matched, balance):
    out = [
        "Observational data: attendance was not randomised, so the comparison shows an association.",
        "Selection into the COP: people who choose to attend may already be widening their networks. "
        "Difference-in-differences removes fixed differences between the groups, but not different trends.",
        "Ties are shared: a new tie between two practitioners counts for both, so practitioners are not "
        "independent and the bootstrap intervals may be too narrow.",
        "Only logged work is seen: contacts that were never recorded are missing from both windows.",
    ]
    if min(n_t, n_c) < SMALL_GROUP:
        out.append(f"Small numbers: {n_t} attendees and {n_c} non-attendees; with fewer than "
                   f"{SMALL_GROUP} in a group, estimates and intervals are unstable.")
    if design.excluded["joined"] or design.excluded["left"]:
        out.append(f"{design.excluded['joined'] + design.excluded['left']} practitioners who joined or left "
                   "during the windows are not in the comparison.")
    if design.sessions_before_start:
        out.append(f"{design.sessions_before_start} COP attendances are dated before the COP start, so the "
                   "before window is not free of the COP.")
    if matched["n_unmatched"]:
        out.append(f"{matched['n_unmatched']} attendees had no non-attendee within the caliper and are "
                   "left out of the matched estimate.")
    worst = np.nanmax(np.abs(balance["smd_after"].to_numpy(dtype=float))) if balance["smd_after"].notna().any() else np.nan
    if np.isfinite(worst) and worst > 0.1:
        out.append(f"After matching some covariates are still imbalanced (largest |SMD| {worst:.2f} > 0.1).")
    out.append("The matched estimate is a robustness check, not the headline: matching on the before-window "
               "outcome invites regression to the mean (Daw & Hatfield 2018), and on the demo data it "
               "overstated the effect (docs/impact.md). Its interval re-matches on fixed propensity scores "
               "and is approximate (Abadie & Imbens 2008).")
    return out


def _check_groups(design):
    """Attendee and non-attendee counts; AnalysisError when either group is too small to compare."""
    table = design.table
    treated = table["attendee"].to_numpy()
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    where = f"among the {len(table)} practitioners in post throughout {design.before.label()} and {design.after.label()}"
    if n_t == 0:
        raise AnalysisError(f"Nobody attended a COP session in the after window {where}, so there is no one "
                            "to compare. Check the COP start date and cop_attendance.csv.")
    if n_c == 0:
        raise AnalysisError(f"Everyone attended a COP session {where}, so there is no comparison group of "
                            "non-attendees. The difference-in-differences needs both groups.")
    if min(n_t, n_c) < 2:
        raise AnalysisError(f"Too few practitioners to compare {where}: {n_t} attendee(s) and {n_c} "
                            "non-attendee(s); each group needs at least 2. Widen the data or the sample.")

    return n_t, n_c


def evaluate_impact(ds, *, cop_start=None, window_days=90, bootstrap=2000, seed=0, caliper=0.2,
                    ties="working"):
    """Difference-in-differences of cross-agency working ties, COP attendees vs non-attendees.

    Parameters
    ----------
    ds : Dataset
    cop_start : date-like, optional
        First day of the COP; defaults to the first COP session.
    window_days : int, default 90
        Co-working window.
    bootstrap : int, default 2000
        Bootstrap replicates for every interval.
    seed : int, default 0
    caliper : float, default 0.2
        Matching caliper in SDs of the propensity logit (Austin 2011).
    ties : {"working", "direct", "coworking"}, default "working"
        Ties making the outcome; COP co-attendance is never allowed.

    Returns
    -------
    dict
        JSON-serialisable (None where a value cannot be computed):
        ``did_cross_agency_ties``, ``matched_did_cross_agency_ties``,
        ``did_trust_ties`` ({estimate, ci_low, ci_high}),
        ``dose_response`` ({slope, ci_low, ci_high, n}), ``n_attendees``,
        ``n_non_attendees``, ``mean_change`` ({attendees, non_attendees}),
        ``matching`` ({n_matched, n_unmatched, n_controls_used,
        caliper_width}), ``balance`` (list of {covariate, smd_before,
        smd_after}), ``verdict``, ``caveats``, ``periods``, ``excluded``,
        ``rules``; and from the staggered analysis (docs/impact.md):
        ``headline`` ({estimator, estimate, ci_low, ci_high}: what the
        verdict rests on; estimator ``"callaway_santanna"`` or
        ``"callaway_santanna_trend_adjusted"``), ``claims_effect``,
        ``corroborated_by`` (``"met_at_cop"`` when an effect is claimed, else None),
        ``person_level`` ({callaway_santanna, trend_adjusted: {estimate, ci_low,
        ci_high}, trend: {slope_per_month, p_value, window_months,
        months_fitted, ratio, months_extrapolated}, after_months}), ``pre_trend`` ({p_value,
        parallel_trends_doubtful, statistic, df, event_times, alpha}),
        ``event_study`` (list of {event_month, estimate, ci_low, ci_high}),
        ``met_at_cop`` ({pairs, new_ties, expected_new_ties,
        excess_per_attendee, ci_low, ci_high, ...}), ``did_dyadic`` (the
        difference-in-differences with a dyadic-robust interval),
        ``did_trust_dyadic`` (the trust-tie difference-in-differences with a
        dyadic-robust interval), ``verdict_estimates`` (every estimate the
        verdict states with an interval, in its order: list of {key, label,
        short_label, unit, estimate, ci_low, ci_high, digits, in_rule}),
        ``series`` (monthly mean outcome of attendees and non-attendees),
        ``event_study_window_months``. Cohort sizes are not exported (small numbers).

    Raises
    ------
    AnalysisError
        Nobody attended a COP; everyone attended; the COP start leaves an
        empty before or after window; fewer than 2 practitioners in a group.
    InvalidInputError
        ``ties`` is not an outcome tie choice, or ``cop_start`` is not a date.
    """
    design = impact_design(ds, cop_start=cop_start, window_days=window_days, ties=ties)
    _check_groups(design)
    return impact_estimates(design, bootstrap=bootstrap, seed=seed, caliper=caliper,
                            staggered=staggered_estimates(ds, design))


def staggered_estimates(ds, design, *, progress=None):
    """The staggered-adoption analysis of a design: event study, pre-trend test, met-at-COP pairs.

    :func:`netdash.change.impact.panel.panel_estimates` on
    :func:`netdash.change.impact.panel.tie_panel`, and ``did_trust``: the
    difference-in-differences of cross-agency trust ties with a
    dyadic-robust interval (:func:`netdash.change.impact.staggered.did_dyadic`
    on :func:`netdash.change.impact.design.trust_pair_changes`). No
    resampling, so it does not depend on ``bootstrap`` or ``seed``.
    ``progress(label)``, if given, is called with a sentence naming each stage
    as it starts (at regional scale this takes tens of seconds).

    Raises
    ------
    AnalysisError
        As :func:`impact_estimates`: a group is empty or has fewer than 2 practitioners.
    """
    _check_groups(design)
    if progress:
        progress(f"Following every practitioner month by month through {len(ds.contacts):,} contacts")
    out = panel_estimates(tie_panel(ds, design), progress=progress)
    table = design.table
    # The trust-tie difference-in-differences with a tie-aware interval: no resampling, so the verdict that
    # mentions it reads the same whatever the bootstrap replicates of the page, the report or the CLI.
    # It does not depend on the ties chosen (nor do the sample and the attendees): computed once per pair of
    # windows and kept in ds.memo.
    out["did_trust"] = dict(stored(("impact_did_trust", design.before, design.after), ds, lambda: did_dyadic(
        table["trust_before"].to_numpy(dtype=float), table["trust_after"].to_numpy(dtype=float),
        table["attendee"].to_numpy(), *trust_pair_changes(ds, design))))
    return out


@one_blas_thread
def impact_estimates(design, *, bootstrap=2000, seed=0, caliper=0.2, staggered=None):
    """:func:`evaluate_impact` of an :class:`~netdash.change.impact.design.ImpactDesign` already made.

    The page makes the design once per COP start and ties, and re-estimates
    from it when only ``bootstrap`` changes; ``evaluate_impact(ds, **options)``
    equals ``impact_estimates(impact_design(ds, ...), ...)``.

    Parameters
    ----------
    design : ImpactDesign
        From :func:`netdash.change.impact.design.impact_design`.
    bootstrap, seed, caliper
        As :func:`evaluate_impact`.
    staggered : dict
        :func:`staggered_estimates` of the same design (required: the verdict rests on it).

    Returns
    -------
    dict
        As :func:`evaluate_impact`.

    Raises
    ------
    AnalysisError
        Nobody attended a COP in the after window; everyone attended; fewer
        than 2 practitioners in a group.
    """
    window_days = design.window_days
    table = design.table
    treated = table["attendee"].to_numpy()
    n_t, n_c = _check_groups(design)

    change = table["change"].to_numpy(dtype=float)
    did = did_estimate(change, treated, bootstrap=bootstrap, seed=seed)
    trust = did_estimate(table["trust_change"].to_numpy(dtype=float), treated, bootstrap=bootstrap, seed=seed + 1)
    # The covariates are made again for the balance table rather than held while the propensity model makes its
    # own copy of them (at large 164 MB each: docs/benchmarks.md, Session 17).
    logit = propensity_logit(baseline_covariates(table), treated)
    width = caliper_width(logit, treated, caliper=caliper)
    matched = matched_did(change, logit, treated, width=width, bootstrap=bootstrap, seed=seed + 2)
    X = baseline_covariates(table, propensity_logit=logit)  # one block: the balance table reads it without a copy
    balance = balance_table(X, treated, matched["matches"])
    del X
    dose = dose_response(table.loc[treated, "sessions"], change[treated], bootstrap=bootstrap, seed=seed + 3)

    if staggered is None:
        raise TypeError("impact_estimates needs staggered=staggered_estimates(ds, design): the verdict rests on it.")
    did_out, matched_out = _interval(did), _interval(matched)
    verdict = impact_verdict(staggered["person"], staggered["pre_trend"], staggered["met_at_cop"],
                             trust=staggered.get("did_trust"))
    pre = staggered["pre_trend"]
    m = staggered["met_at_cop"]
    return {
        "did_cross_agency_ties": did_out,
        "matched_did_cross_agency_ties": matched_out,
        "did_trust_ties": _interval(trust),
        "dose_response": {"slope": _num(dose["slope"]), "ci_low": _num(dose["ci_low"]),
                          "ci_high": _num(dose["ci_high"]), "n": dose["n"]},
        "n_attendees": n_t,
        "n_non_attendees": n_c,
        "mean_change": {"attendees": did["treated_mean_change"], "non_attendees": did["control_mean_change"]},
        "matching": {k: matched[k] for k in ("n_matched", "n_unmatched", "n_controls_used")}
        | {"caliper_width": _num(matched["caliper_width"]), "caliper_sd": caliper},
        "balance": [{"covariate": r.covariate, "smd_before": _num(r.smd_before), "smd_after": _num(r.smd_after)}
                    for r in balance.itertuples(index=False)],
        "verdict": verdict["verdict"],
        "claims_effect": verdict["claims_effect"],
        "headline": {k: _num(v) if k not in ("estimator", "interval") and v is not None else v
                     for k, v in verdict["headline"].items()},
        "corroborated_by": verdict["corroborated_by"],
        "person_level": _person_json(staggered["person"]),
        "did_dyadic": _interval(staggered["did"]),
        "did_trust_dyadic": _interval(staggered["did_trust"]) if "did_trust" in staggered else None,
        "verdict_estimates": verdict["estimates"],
        "pre_trend": {"p_value": _num(pre["p_value"]) if pre["p_value"] is not None else None,
                      "parallel_trends_doubtful": verdict["pre_trend"]["parallel_trends_doubtful"],
                      "statistic": _num(pre["statistic"]), "df": pre["df"], "event_times": pre["event_times"],
                      "alpha": PRE_TREND_ALPHA},
        "event_study": [{k: (_num(v) if k != "event_month" else v) for k, v in row.items()}
                        for row in staggered["event_study"]],
        "event_study_window_months": staggered["window"],
        "met_at_cop": {"pairs": m["pairs"], "new_ties": m["new_ties"],
                       "expected_new_ties": _num(m["expected_new_ties"]),
                       "excess_per_attendee": _num(m["excess_per_attendee"]), "ci_low": _num(m["ci_low"]),
                       "ci_high": _num(m["ci_high"]), "comparison_pairs": m["comparison_pairs"],
                       "fallback_pairs": m["fallback"], "horizon_months": m["horizon"],
                       "min_follow_up_months": m["min_follow_up"],
                       "short_follow_up_pairs": m["short_follow_up"]},
        "series": staggered["series"],
        "caveats": _caveats(design, n_t, n_c, matched, balance) + _staggered_caveats(staggered, verdict),
        "periods": {"cop_start": design.cop_start.date().isoformat(),
                    "before": {"start": design.before.start.date().isoformat(),
                               "end": design.before.end.date().isoformat()},
                    "after": {"start": design.after.start.date().isoformat(),
                              "end": design.after.end.date().isoformat()},
                    "window_length_days": design.window_length_days,
                    "end_exclusive": True},
        "excluded": dict(design.excluded),
        "rules": _rules(design, window_days, caliper),
        "bootstrap": bootstrap,
        "seed": seed,
    }
