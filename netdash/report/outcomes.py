"""Report sections about people: the COP impact estimate, isolation and client teams.

Like :mod:`netdash.report.sections`, these only format what library
functions compute, hiding small counts (:mod:`netdash.privacy`). Nobody is
listed: isolation is reported as counts per category, client teams as
:func:`netdash.actions.clients.client_team_summary` aggregates.
"""

import pandas as pd

from netdash.actions.clients import client_team_summary, client_teams
from netdash.change.impact import evaluate_impact
from netdash.actions.isolation import CATEGORIES, NOT_COMPUTABLE, fading_unavailable, isolation_report
from netdash.privacy import suppress_small_counts
from netdash.report.cells import (Cell, blank_cell, count_cell, hidden_cell, number_cell, percent_cell,
                                  redact_small_counts)

__all__ = ["impact_section", "isolation_section", "clients_section", "ISOLATION_LABELS"]

#: Category -> (heading, what it means), in the order of :data:`netdash.actions.isolation.CATEGORIES`.
ISOLATION_LABELS = {
    "isolated": ("Isolated", "no working tie with any colleague recorded in the period"),
    "boundary_isolated": ("Within own agency only", "working ties, but all with colleagues in their own agency"),
    "drifting": ("Drifting", "lost at least half of the cross-agency colleagues they had in the previous period"),
    "connected": ("Connected across agencies", "working ties with colleagues in other agencies"),
}


def _interval(d, key="estimate", digits=2):
    est = number_cell(d.get(key), digits, signed=True)
    if d.get("ci_low") is None or d.get("ci_high") is None:
        return est, blank_cell()
    low, high = number_cell(d["ci_low"], digits, signed=True), number_cell(d["ci_high"], digits, signed=True)
    return est, Cell(f"{low.text} to {high.text}")


def impact_section(ds, *, cop_start, ties, min_count, bootstrap, seed):
    """The COP impact verdict, the met-at-COP pairs and the difference-in-differences (:func:`evaluate_impact`).

    The verdict is ``evaluate_impact``'s own, the one ``netdash evaluate``
    writes to impact.json.

    When either group has fewer than ``min_count`` practitioners the
    estimates are withheld: a mean over two or three people is close to
    their individual figures.
    """
    r = evaluate_impact(ds, cop_start=cop_start, bootstrap=bootstrap, seed=seed, ties=ties)
    n_t, n_c = r["n_attendees"], r["n_non_attendees"]
    if min(n_t, n_c) < min_count:
        return {"error": (
            f"The impact estimate is not shown: {'attendees' if n_t < min_count else 'non-attendees'} "
            f"number fewer than {min_count}, and an average over so few practitioners is close to "
            "their individual figures (small-number protection). Use the dashboard's impact page "
            "for an internal look, or a lower minimum count for a report that stays inside the team.")}
    dose = r["dose_response"]
    m = r["met_at_cop"]
    person = r["person_level"] or {}
    adjusted = person.get("trend_adjusted") or {"estimate": None, "ci_low": None, "ci_high": None}
    head_label = ("Extra cross-agency colleagues per attendee in the after window, with attendees' earlier trend "
                  "removed (the headline: the size the verdict states)"
                  if r["headline"]["estimator"].endswith("trend_adjusted") else
                  "Extra cross-agency colleagues per attendee in the after window (the headline: the size the "
                  "verdict states; its interval allows for attendees' earlier trend to continue)"
                  if r["headline"].get("interval") == "trend_robust" else
                  "Extra cross-agency colleagues per attendee in the after window (the headline: the size the "
                  "verdict states)")
    parallel = person.get("callaway_santanna") or {"estimate": None, "ci_low": None, "ci_high": None}
    estimates = [
        (head_label, *_interval(r["headline"])),
        ("The same, with the interval if attendees and non-attendees would otherwise have moved in parallel",
         *_interval(parallel)),
        ("Trend-adjusted: the same with attendees' earlier linear trend removed", *_interval(adjusted)),
        ("Met at the COP (second line of evidence; an effect is claimed only when it excludes zero and the "
         "headline points the same way): extra colleagues per attendee from ties between pairs who met",
         *_interval(m, "excess_per_attendee", 2)),
        ("Difference-in-differences: cross-agency colleagues (dyadic-robust interval)", *_interval(r["did_dyadic"])),
        ("Difference-in-differences: cross-agency colleagues (bootstrap interval, as before)",
         *_interval(r["did_cross_agency_ties"])),
        ("Matched difference-in-differences (robustness check)", *_interval(r["matched_did_cross_agency_ties"])),
        ("Difference-in-differences: cross-agency trust ties (tie-aware interval, as the verdict states it)",
         *_interval(r["did_trust_dyadic"] or {"estimate": None, "ci_low": None, "ci_high": None})),
        ("Difference-in-differences: cross-agency trust ties (bootstrap interval)", *_interval(r["did_trust_ties"])),
        ("Dose-response: change per COP session attended (attendees)", *_interval(dose, "slope", 3)),
    ]
    headline = estimates[0]
    pre = r["pre_trend"]
    groups = [
        ("COP attendees", count_cell(n_t, min_count), number_cell(r["mean_change"]["attendees"], 2, signed=True)),
        ("Non-attendees", count_cell(n_c, min_count), number_cell(r["mean_change"]["non_attendees"], 2, signed=True)),
    ]
    p = r["periods"]
    return {"estimate": headline[1], "interval": headline[2], "estimates": estimates, "groups": groups,
            "verdict": r["verdict"], "claims_effect": r["claims_effect"],
            "pre_trend": ("not run" if pre["p_value"] is None else
                          f"p = {pre['p_value']:.3f}" + (" (parallel trends doubtful)"
                                                         if pre["parallel_trends_doubtful"] else "")),
            "pairs": {"pairs": count_cell(m["pairs"], min_count), "new_ties": count_cell(m["new_ties"], min_count),
                      "expected": number_cell(m["expected_new_ties"], 1),
                      "horizon": m["horizon_months"], "min_follow_up": m["min_follow_up_months"],
                      "short": m["short_follow_up_pairs"] > 0},
            "caveats": [redact_small_counts(c, min_count) for c in r["caveats"]],
            "rules": [redact_small_counts(c, min_count) for c in r["rules"]],
            "bootstrap": r["bootstrap"], "cop_start": p["cop_start"],
            "before": f"{p['before']['start']} to {p['before']['end']}",
            "after": f"{p['after']['start']} to {p['after']['end']}",
            "window_days": p["window_length_days"]}


def isolation_section(ds, period, previous, *, ties, min_count):
    """How many practitioners fall in each isolation category (:func:`isolation_report`).

    The categories are parts of one published total, so a single hidden
    category also hides the next smallest (complementary suppression).
    """
    report = isolation_report(ds, period, previous=previous, ties=ties)
    counts = report["category"].value_counts().reindex(list(CATEGORIES), fill_value=0)
    frame = pd.DataFrame([counts.to_numpy()], columns=list(CATEGORIES))
    shown = suppress_small_counts(frame, list(CATEGORIES), threshold=min_count).iloc[0]
    # "Drifting" that could not be computed reads so, never 0 (the page's rule: fading_unavailable).
    reason = fading_unavailable(ds, period, previous)
    rows = [(*ISOLATION_LABELS[c], Cell(NOT_COMPUTABLE) if c == "drifting" and reason is not None else
             hidden_cell(min_count) if pd.isna(shown[c]) else count_cell(shown[c], min_count))
            for c in CATEGORIES]
    return {"rows": rows, "total": count_cell(len(report), min_count), "period": period.describe(ds.date_range),
            "previous": previous.label() if previous is not None else None, "drifting_assessed": reason is None,
            "drifting_reason": reason}


_TEAM_LABELS = {
    "clients_with_team": ("Clients with a multi-agency team", "count"),
    "mean_agencies": ("Mean agencies per team", "number"),
    "mean_practitioners": ("Mean practitioners per team", "number"),
    "mean_cohesion": ("Mean cohesion (share of team members in touch)", "number"),
    "concurrent": ("Teams working at the same time", "count"),
    "sequential": ("Teams working one after another", "count"),
    "share_concurrent": ("Share working at the same time", "share"),
    "clients_with_handover": ("Housing placements followed by another agency", "count"),
    "median_handover_lag_days": ("Median days from placement to the next agency", "days"),
}


def _team_cell(summary, key, kind, min_count):
    value = summary[key]
    if key in summary["suppressed"]:
        return hidden_cell(min_count)
    if kind == "count":
        return count_cell(value, min_count)
    if kind == "share":
        return percent_cell(value)
    return number_cell(value, 0 if kind == "days" else 2)


def _team_change(a, b, key, kind):
    if a[key] is None or b[key] is None or key in a["suppressed"] or key in b["suppressed"]:
        return blank_cell()
    change = b[key] - a[key]
    if kind == "count":
        return count_cell(change, 1, signed=True)  # both counts are shown: the change reveals nothing more
    if kind == "share":
        return percent_cell(change, signed=True)
    return number_cell(change, 0 if kind == "days" else 2, signed=True)


def clients_section(ds, periods, *, min_count):
    """The team around each client, aggregated (:func:`client_team_summary`), per period.

    ``periods`` is ``[(label, Period)]``: one period, or before and after.
    With two, a change column is added where both values are shown.
    """
    summaries = [client_team_summary(client_teams(ds, p), min_count=min_count) for _, p in periods]
    rows = []
    for key, (label, kind) in _TEAM_LABELS.items():
        cells = [_team_cell(s, key, kind, min_count) for s in summaries]
        if len(summaries) == 2:
            cells.append(_team_change(*summaries, key, kind))
        rows.append((label, cells))
    headings = [label for label, _ in periods] + (["Change"] if len(periods) == 2 else [])
    return {"headings": headings, "rows": rows}
