"""Did COP attendees gain more cross-agency colleagues than non-attendees?

A practitioner-level difference-in-differences of working ties across agency
boundaries, with a propensity-score matched version and a dose-response
slope. See ``docs/impact.md`` for the definitions, rules and caveats.

Modules: :mod:`~netdash.change.impact.design` (windows, sample, outcomes),
:mod:`~netdash.change.impact.estimators` (difference-in-differences, dose-response,
bootstrap), :mod:`~netdash.change.impact.matching` (propensity scores, matching,
balance).
"""

import math

import numpy as np

from netdash.errors import AnalysisError
from netdash.change.impact.design import OUTCOME_TIES, ImpactDesign, impact_design, impact_table
from netdash.change.impact.estimators import did_estimate, dose_response
from netdash.change.impact.matching import (balance_table, baseline_covariates, caliper_width,
                                     matched_did, propensity_logit)

__all__ = ["OUTCOME_TIES", "ImpactDesign", "evaluate_impact", "impact_design", "impact_estimates", "impact_table"]

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
        "Trust: the same difference-in-differences for distinct cross-agency trust ties.",
        "Matching: logistic propensity score on baseline agency, role, degree, cross-agency ties and "
        f"caseload (distinct clients before); 1:1 nearest neighbour on the logit, with replacement, "
        f"within {caliper} SD of the logit.",
        "Dose-response: least-squares slope of change on sessions attended, among attendees only.",
    ]


def _verdict(did):
    low, high, est = did["ci_low"], did["ci_high"], did["estimate"]
    if low is None or high is None:
        text = (f"Attendees' change in cross-agency colleagues differed from non-attendees' by {est:+.1f}, "
                "but there is no interval to judge it by, so no conclusion can be drawn.")
    elif low > 0 or high < 0:
        more = "more" if est > 0 else "fewer"
        text = (f"Attendees gained about {abs(est):.1f} {more} cross-agency colleagues than non-attendees "
                f"(95% CI {low:.1f} to {high:.1f}).")
    else:
        text = (f"No clear difference: attendees' change in cross-agency colleagues was {est:+.1f} relative "
                f"to non-attendees, and the 95% CI ({low:.1f} to {high:.1f}) includes zero.")
    return text + " This is an observational comparison, not proof that the COP caused it."


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
        ``rules``.

    Raises
    ------
    AnalysisError
        Nobody attended a COP; everyone attended; the COP start leaves an
        empty before or after window; fewer than 2 practitioners in a group.
    InvalidInputError
        ``ties`` is not an outcome tie choice, or ``cop_start`` is not a date.
    """
    design = impact_design(ds, cop_start=cop_start, window_days=window_days, ties=ties)
    return impact_estimates(design, bootstrap=bootstrap, seed=seed, caliper=caliper)


def impact_estimates(design, *, bootstrap=2000, seed=0, caliper=0.2):
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

    change = table["change"].to_numpy(dtype=float)
    did = did_estimate(change, treated, bootstrap=bootstrap, seed=seed)
    trust = did_estimate(table["trust_change"].to_numpy(dtype=float), treated, bootstrap=bootstrap, seed=seed + 1)
    X = baseline_covariates(table)
    logit = propensity_logit(X, treated)
    width = caliper_width(logit, treated, caliper=caliper)
    matched = matched_did(change, logit, treated, width=width, bootstrap=bootstrap, seed=seed + 2)
    balance = balance_table(X.assign(propensity_logit=logit), treated, matched["matches"])
    dose = dose_response(table.loc[treated, "sessions"], change[treated], bootstrap=bootstrap, seed=seed + 3)

    did_out, matched_out = _interval(did), _interval(matched)
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
        "verdict": _verdict(did_out),
        "caveats": _caveats(design, n_t, n_c, matched, balance),
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
