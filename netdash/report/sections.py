"""The content of each report section, as plain data for the template.

Each ``*_section`` function computes one section from library functions
(no formulas of its own) and returns a dict of already-formatted
:class:`~netdash.report.cells.Cell` values, small counts hidden. A section
that cannot be computed for this data (an :class:`~netdash.errors.AnalysisError`,
such as nobody having attended a COP) becomes ``{"error": message}`` and the
report shows the message in its place.
"""

import pandas as pd

from netdash.analysis import network_measures
from netdash.change.compare import compare_periods, mixing_change
from netdash.change.dynamics import TIE_STATUSES
from netdash.change.headline import CROSS_AGENCY_SHARES, cross_agency_shares, share_of_ties
from netdash.change.windows import equal_windows
from netdash.errors import AnalysisError
from netdash.metrics.communities import LOUVAIN_NETWORKX_MAX_TIES, searched_once
from netdash.privacy import is_small_count, suppress_small_counts
from netdash.report.cells import (Cell, blank_cell, count_cell, hidden_cell, number_cell,
                                  percent_cell, redact_small_counts)
from netdash.dataset import dataset_summary

__all__ = ["cop_windows", "guarded", "headline_section", "comparison_section", "mixing_section"]


def guarded(build, *args, min_count, **kw):
    """``build(*args, min_count=min_count, **kw)``, or ``{"error": message}`` when the data cannot support it.

    Small counts of people in the message are hidden too (:func:`redact_small_counts`).
    """
    try:
        return build(*args, min_count=min_count, **kw)
    except AnalysisError as err:
        return {"error": redact_small_counts(err, min_count)}


def cop_windows(ds, period, cop_start, *, min_count=None):
    """Equal-length windows before and after the COP start, inside ``period``.

    :func:`netdash.change.windows.equal_windows`, the one rule of every
    before/after comparison (COP impact, Before & after, this report), so
    the two maps and matrices compare like with like.

    ``min_count`` is accepted (and unused) so that :func:`guarded` can call it.

    Returns
    -------
    (Period, Period)

    Raises
    ------
    AnalysisError, InvalidInputError
        As :func:`netdash.change.windows.equal_windows`.
    """
    return equal_windows(ds, cop_start, period=period)


def _share(part, whole, min_count):
    """A ratio, hidden when its part or the rest would reveal a small count."""
    if whole is None or part is None:
        return blank_cell()
    if is_small_count(part, threshold=min_count) or is_small_count(whole - part, threshold=min_count):
        return hidden_cell(min_count)
    return percent_cell(part / whole if whole else None)


def headline_section(ds, period, *, ties, min_count, seed):
    """Counts of the data and whole-network measures of ``period``.

    The three cross-agency shares are :func:`netdash.change.headline.cross_agency_shares`,
    named and defined as on every page (:data:`netdash.change.headline.CROSS_AGENCY_SHARES`).
    """
    s = dataset_summary(ds, period)
    m = network_measures(ds, period, ties=ties, seed=seed)
    shares = cross_agency_shares(ds, period, ties=ties)
    c = lambda n: count_cell(n, min_count)  # noqa: E731

    def share(key):
        return _share(shares[key]["across"], shares[key]["total"], min_count)

    data = [
        ("Agencies", Cell(f"{s['agencies']:,}"), "in the dataset"),
        ("Practitioners", c(s["practitioners"]), "in the dataset"),
        ("Clients seen", c(s["clients"]), "distinct pseudonymised clients with a contact"),
        ("Contacts", c(s["contacts"]), "rows of the contact log"),
        ("Contacts between colleagues", c(s["colleague_contacts"]), "rows naming a colleague"),
        ("… of which across agencies", c(s["cross_agency_contacts"]), ""),
        ("COP sessions", Cell(f"{s['cop_sessions']:,}"), ""),
        ("COP attendees", c(s["cop_attendees"]), "practitioners who attended at least one session"),
        (CROSS_AGENCY_SHARES["contacts"][0], share("contacts"), CROSS_AGENCY_SHARES["contacts"][1]),
    ]
    tie_share = share_of_ties(ties)
    network = [
        ("Practitioners in the network", c(m["n_practitioners"]), "in post in the period, isolates included"),
        ("Working ties", c(m["n_ties"]), "pairs of practitioners tied"),
        ("Cross-agency ties", c(m["cross_agency_ties"]), "ties between two agencies"),
        (tie_share[0], share("working_ties"), tie_share[1]),
        ("E-I index", number_cell(m["ei_index"]), "−1 all ties within agencies, +1 all across (Krackhardt & Stern 1988)"),
        ("Isolates", c(m["n_isolates"]), "practitioners with no tie"),
        ("Density", number_cell(m["density"], 3), "ties / possible ties"),
        ("Mean degree", number_cell(m["mean_degree"], 1), "ties per practitioner"),
        ("Fragmentation", number_cell(m["fragmentation"], 3), "share of pairs that cannot reach each other (Borgatti 2006)"),
        ("Components", Cell(f"{m['n_components']:,}"), "separate parts of the network"),
        ("Agency alignment (NMI)", number_cell(m["agency_nmi"]), _nmi_note(m)),
        ("Trust ties", c(m["trust_ties"]), "inferred from the logs or from the survey"),
        (CROSS_AGENCY_SHARES["trust_ties"][0], share("trust_ties"), CROSS_AGENCY_SHARES["trust_ties"][1]),
    ]
    return {"data": data, "network": network, "first_date": s["first_date"], "last_date": s["last_date"]}


def _nmi_note(m):
    """The NMI row's note: the range over the Louvain seeds (``network.json``'s fields), then the reading."""
    if m.get("agency_nmi_min") is None:
        return "1: communities are exactly the agencies"
    if searched_once(m.get("n_ties", 0)):  # a range of 0 would mislead
        return (f"one search for communities (above {LOUVAIN_NETWORKX_MAX_TIES:,} ties every seed gives the same "
                "groups, so no range is shown); 1: communities are exactly the agencies")
    return (f"median of {len(m['agency_nmi_seeds'])} Louvain runs, range {m['agency_nmi_min']:.2f} to "
            f"{m['agency_nmi_max']:.2f}; 1: communities are exactly the agencies")


_HEADLINE_LABELS = {
    "n_ties": ("Working ties", "count"),
    "cross_agency_share": (CROSS_AGENCY_SHARES["working_ties"][0], "share"),
    "ei_index": ("E-I index", "number"),
    "fragmentation": ("Fragmentation", "number"),
    "isolates": ("Isolates", "count"),
    "trust_ties": ("Trust ties", "count"),
    "mean_constraint": ("Mean constraint (Burt 1992)", "number"),
    "agency_nmi": ("Agency alignment (NMI)", "number"),
}


def _compared_row(label, kind, row, min_count):
    if kind == "count":
        before, after = count_cell(row["before"], min_count), count_cell(row["after"], min_count)
        if before.hidden or after.hidden:
            return [label, before, after] + [hidden_cell(min_count)] * 3 + [blank_cell()]
        # both counts are shown, so their change reveals nothing more: no threshold on it
        cells = [count_cell(row["change"], 1, signed=True)]
        cells += [number_cell(row[k], 1, signed=True) for k in ("ci_low", "ci_high")]
    elif kind == "share":
        before, after = percent_cell(row["before"]), percent_cell(row["after"])
        cells = [percent_cell(row[k], signed=True) for k in ("change", "ci_low", "ci_high")]
    else:
        before, after = number_cell(row["before"], 3), number_cell(row["after"], 3)
        cells = [number_cell(row[k], 3, signed=True) for k in ("change", "ci_low", "ci_high")]
    p = row["p_value"]
    return [label, before, after] + cells + [number_cell(p, 3) if p == p else blank_cell()]


def comparison_section(ds, before, after, *, ties, min_count, replicates, seed):
    """Headline measures before and after, their change, interval and p-value (:func:`compare_periods`)."""
    cmp = compare_periods(ds, before, after, ties=ties, permutations=replicates, bootstrap=replicates,
                          seed=seed)
    labels = {**_HEADLINE_LABELS, "cross_agency_share": (share_of_ties(ties)[0], "share")}
    rows = [_compared_row(label, kind, cmp.measures.loc[key], min_count)
            for key, (label, kind) in labels.items()]
    summary = cmp.tie_change_summaries()[0][["within_agency", "cross_agency"]]  # counted, no table of changes
    # complementary suppression: a row's total (ties of that status) is easy to work out. The four
    # statuses only: the derived still_tied row would give away a hidden kept or strengthened count.
    summary = summary.loc[list(TIE_STATUSES)]
    shown = suppress_small_counts(summary, ["within_agency", "cross_agency"], threshold=min_count)
    changes = [[status] + [hidden_cell(min_count) if pd.isna(v) else count_cell(v, min_count)
                           for v in shown.loc[status]]
               for status in shown.index]
    people = cmp.practitioners
    return {"rows": rows, "tie_changes": changes, "replicates": replicates,
            "compared": count_cell(people["compared"], min_count),
            "left": count_cell(people["before_only"], min_count),
            "joined": count_cell(people["after_only"], min_count),
            "qap": number_cell(cmp.qap.get("correlation"), 2), "qap_p": number_cell(cmp.qap.get("p_value"), 3),
            "rule": people["rule"]}


def _colour(value, top, *, diverging):
    """Background colour: white to blue for counts; red (fewer) to blue (more) for differences."""
    if not top or value == 0:
        return "background:#ffffff"
    t = min(abs(value) / top, 1.0)
    r, g, b = (33, 102, 172) if value > 0 or not diverging else (178, 24, 43)
    mix = lambda c: round(255 + (c - 255) * 0.85 * t)  # noqa: E731
    ink = "#ffffff" if t > 0.6 else "#111111"
    return f"background:rgb({mix(r)},{mix(g)},{mix(b)});color:{ink}"


def _matrix(frame, names, min_count, *, diverging=False, hide=None):
    """Rows of cells with a colour scale; counts below ``min_count`` (or flagged in ``hide``) hidden."""
    top = float(frame.abs().to_numpy().max()) if frame.size else 0.0
    rows = []
    for a in frame.index:
        cells = []
        for b in frame.columns:
            v = int(frame.loc[a, b])
            if hide is not None and hide.loc[a, b]:
                cells.append(hidden_cell(min_count, text="·"))
                continue
            # a difference is printed only when both its counts are, and then reveals nothing more
            cell = count_cell(v, 1, signed=True) if diverging else count_cell(v, min_count)
            cells.append(cell if cell.hidden else cell._replace(style=_colour(v, top, diverging=diverging)))
        rows.append({"id": a, "name": names.get(a, a), "cells": cells})
    return {"columns": list(frame.columns), "rows": rows}


def mixing_section(G_before, G_after, agencies, *, min_count):
    """Agency-by-agency tie counts before, after and their difference (:func:`mixing_change`).

    A difference is hidden wherever either count is, since before + difference gives after back.
    """
    names = dict(zip(agencies["agency_id"], agencies["name"]))
    mb, ma, diff = mixing_change(G_before, G_after)
    small = lambda f: f.apply(lambda col: col.map(lambda v: is_small_count(v, threshold=min_count)))  # noqa: E731
    hide = small(mb) | small(ma)
    return {"before": _matrix(mb, names, min_count), "after": _matrix(ma, names, min_count),
            "difference": _matrix(diff, names, min_count, diverging=True, hide=hide)}
