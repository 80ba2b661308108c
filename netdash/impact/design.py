"""The design of the COP impact evaluation: windows, sample and outcomes.

Everything here is descriptive; the estimators live in
:mod:`netdash.impact.estimators` and :mod:`netdash.impact.matching`.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from netdash import graphs
from netdash.errors import AnalysisError, InvalidInputError
from netdash.periods import Period, parse_day

__all__ = ["OUTCOME_TIES", "ImpactDesign", "impact_design", "impact_table"]

#: Tie choices allowed for the outcome. COP co-attendance is the treatment,
#: so a tie made of it can never be part of the outcome.
OUTCOME_TIES = ("working", "direct", "coworking")

_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class ImpactDesign:
    """Windows, sample and per-practitioner outcomes of one evaluation.

    Attributes
    ----------
    cop_start : Timestamp
    before, after : Period
        Equal-length windows ``[cop_start - L, cop_start)`` and
        ``[cop_start, cop_start + L)``.
    window_length_days : int
        ``L``, the shorter of the data available before and after.
    table : DataFrame
        One row per practitioner in the sample (see :func:`impact_table`).
    excluded : dict
        Practitioners in post at some time in the windows but not throughout:
        ``joined`` (started after the before window began), ``left`` (left
        before the after window ended).
    ties : str
    sessions_before_start : int
        COP attendances dated before ``cop_start`` (contamination of the
        before window when ``cop_start`` was set later than the first session).
    """

    cop_start: pd.Timestamp
    before: Period
    after: Period
    window_length_days: int
    table: pd.DataFrame
    excluded: dict
    ties: str
    sessions_before_start: int


def _windows(ds, cop_start):
    first, last = ds.date_range
    if first is None:
        raise AnalysisError("The dataset has no dated contacts or COP sessions, so there is nothing to compare.")
    if cop_start is None:
        cop_start = ds.first_cop_session
        if cop_start is None:
            raise AnalysisError(
                "Nobody attended a COP session, so there is no one whose ties could have changed "
                "because of the COP. Add cop_attendance.csv rows, or check the import mapping.")
    else:
        cop_start = parse_day(cop_start, what="COP start")
    before_days = (cop_start - first).days
    after_days = (last + _DAY - cop_start).days
    if before_days <= 0 or after_days <= 0:
        side = "before" if before_days <= 0 else "after"
        raise AnalysisError(
            f"COP start {cop_start.date()} leaves an empty {side} window: the data run from "
            f"{first.date()} to {last.date()}. Choose a COP start strictly inside that range "
            "so there are days both before and after it.")
    length = min(before_days, after_days)
    before = Period(cop_start - pd.Timedelta(days=length), cop_start)
    after = Period(cop_start, cop_start + pd.Timedelta(days=length))
    return cop_start, before, after, length


def _in_post_throughout(prac, before, after):
    started = prac["start_date"].isna() | (prac["start_date"] <= before.start)
    stayed = prac["end_date"].isna() | (prac["end_date"] >= after.end - _DAY)
    return started, stayed


def _neighbour_counts(a, b, agency):
    """Distinct neighbours in another agency, and all distinct neighbours, of every node with a tie.

    ``a``, ``b`` are the two ends of each tie (either order, repeats allowed;
    self-ties are ignored). An agency missing from ``agency`` counts as one
    more agency (``None``), as ``agency.get`` did on the networkx graph this
    replaces. Returns two Series indexed by practitioner id.
    """
    a = pd.Series(np.asarray(a, dtype=object))
    b = pd.Series(np.asarray(b, dtype=object))
    pairs = pd.DataFrame({"u": a, "v": b})[a.to_numpy() != b.to_numpy()]
    swap = pairs["u"].astype(str) > pairs["v"].astype(str)
    pairs = pd.DataFrame({"u": pairs["u"].where(~swap, pairs["v"]),
                          "v": pairs["v"].where(~swap, pairs["u"])}).drop_duplicates()
    ag_u = np.asarray([agency.get(x) for x in pairs["u"]], dtype=object)
    ag_v = np.asarray([agency.get(x) for x in pairs["v"]], dtype=object)
    cross = ag_u != ag_v
    ends = pd.concat([pairs["u"], pairs["v"]], ignore_index=True)
    return ends[np.r_[cross, cross]].value_counts(), ends.value_counts()


def _trust_pairs(ds, period):
    from netdash.metrics.trust import trust_edges

    edges = trust_edges(ds, period)
    edges = edges[edges["is_trust_tie"].astype(bool)]
    return edges["a"], edges["b"]


def impact_design(ds, *, cop_start=None, window_days=90, ties="working"):
    """Fix the windows and sample and compute every practitioner's outcomes.

    Parameters
    ----------
    ds : Dataset
    cop_start : date-like, optional
        First day of the COP; defaults to the first COP session.
    window_days : int, default 90
        Co-working window of :func:`netdash.graphs.coworking_edges`.
    ties : {"working", "direct", "coworking"}, default "working"
        Ties that make the outcome. ``"cop"`` and ``"all"`` are refused:
        sitting in the same session is the treatment, not an outcome.

    Returns
    -------
    ImpactDesign

    Raises
    ------
    AnalysisError
        No dated rows; nobody attended a COP; the COP start leaves an empty
        before or after window; no practitioner in post throughout.
    InvalidInputError
        If ``ties`` is not an outcome tie choice.
    """
    if ties not in OUTCOME_TIES:
        raise InvalidInputError(
            f"ties={ties!r} cannot be an impact outcome. Use one of {', '.join(map(repr, OUTCOME_TIES))}: "
            "COP co-attendance is the treatment, so it is never counted as a tie gained.")
    if ds.cop_attendance.empty:
        raise AnalysisError(
            "Nobody attended a COP session, so there is no one whose ties could have changed "
            "because of the COP. Add cop_attendance.csv rows, or check the import mapping.")
    cop_start, before, after, length = _windows(ds, cop_start)

    prac = ds.practitioners
    started, stayed = _in_post_throughout(prac, before, after)
    in_any = prac["practitioner_id"].isin(graphs.practitioners_in_post(ds, Period(before.start, after.end))
                                          ["practitioner_id"])
    keep = started & stayed
    excluded = {"joined": int((in_any & ~started).sum()),
                "left": int((in_any & started & ~stayed).sum())}
    sample = prac.loc[keep, ["practitioner_id", "agency_id", "role"]].copy()
    if sample.empty:
        raise AnalysisError(
            f"No practitioner was in post throughout {before.label()} and {after.label()}. "
            "Check start_date/end_date in practitioners.csv, or choose a COP start nearer the middle of the data.")
    agency = dict(zip(prac["practitioner_id"], prac["agency_id"]))

    table = sample.sort_values("practitioner_id").reset_index(drop=True)
    attendance = ds.cop_attendance[after.mask(ds.cop_attendance["date"])]
    sessions = attendance.groupby("practitioner_id")["session_id"].nunique()
    table["sessions"] = table["practitioner_id"].map(sessions).fillna(0).astype("int64")
    table["attendee"] = table["sessions"] > 0
    for label, period in (("before", before), ("after", after)):
        # Counted on the edge tables: the same neighbours as the graphs, without building them.
        edges = graphs.practitioner_edges(ds, period, ties=ties, window_days=window_days)
        cross, degree = _neighbour_counts(edges["source"], edges["target"], agency)
        table[label] = table["practitioner_id"].map(cross).fillna(0).astype("int64")
        trust, _ = _neighbour_counts(*_trust_pairs(ds, period), agency)
        table[f"trust_{label}"] = table["practitioner_id"].map(trust).fillna(0).astype("int64")
        if label == "before":
            table["baseline_degree"] = table["practitioner_id"].map(degree).fillna(0).astype("int64")
    table["change"] = table["after"] - table["before"]
    table["trust_change"] = table["trust_after"] - table["trust_before"]
    contacts = ds.contacts[before.mask(ds.contacts["date"]) & ds.contacts["client_id"].notna()]
    caseload = contacts.groupby("practitioner_id")["client_id"].nunique()
    table["caseload"] = table["practitioner_id"].map(caseload).fillna(0).astype("int64")
    early = int((ds.cop_attendance["date"] < cop_start).sum())
    return ImpactDesign(cop_start, before, after, length, table, excluded, ties, early)


def impact_table(ds, *, cop_start=None, window_days=90, ties="working"):
    """Per-practitioner outcomes of the impact evaluation, for the page.

    Sample: practitioners in post throughout both windows (``start_date``
    missing or on/before the first day of the before window, ``end_date``
    missing or on/after the last day of the after window). Outcome: distinct
    colleagues in another agency with a working tie (direct contact either
    way, or co-working on a client within ``window_days``) in the window;
    COP co-attendance never counts.

    Parameters
    ----------
    ds : Dataset
    cop_start : date-like, optional
    window_days : int, default 90
    ties : {"working", "direct", "coworking"}, default "working"

    Returns
    -------
    DataFrame
        ``practitioner_id``, ``agency_id``, ``attendee`` (attended at least
        one session in the after window), ``sessions`` (distinct sessions in
        the after window), ``before``, ``after``, ``change``, then
        ``trust_before``, ``trust_after``, ``trust_change`` (cross-agency
        trust ties), ``role``, ``baseline_degree`` and ``caseload``
        (distinct clients in the before window).

    Raises
    ------
    AnalysisError, InvalidInputError
        As :func:`impact_design`.
    """
    design = impact_design(ds, cop_start=cop_start, window_days=window_days, ties=ties)
    cols = ["practitioner_id", "agency_id", "attendee", "sessions", "before", "after", "change",
            "trust_before", "trust_after", "trust_change", "role", "baseline_degree", "caseload"]
    return design.table[cols]

