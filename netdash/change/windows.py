"""Calendar windows, the headline measures over time, and where the COP splits a period.

- :func:`windows`, :func:`headline_series` and :func:`attendee_series`: the
  Over time charts;
- :func:`cop_session_dates`: the chart markers;
- :func:`equal_windows`: THE before and after windows of every comparison
  with the COP start (Before & after, COP impact, the report, the client
  teams): equal lengths either side of the COP start;
- :func:`split_at`: a period cut in two at a day (unequal lengths; for a
  custom comparison only);
- :func:`period_notes` and :func:`per_30_days`: what to say, and what rates
  to show, when two compared periods are not equal.
"""

import numpy as np
import pandas as pd

from netdash.change.headline import headline_measures
from netdash.dataset import NO_COP_DATA
from netdash.errors import AnalysisError, InvalidInputError
from netdash.metrics.matrix import GraphMatrix
from netdash.networks import graphs, period_log, union_counts
from netdash.periods import Period, parse_day
from netdash.privacy import DEFAULT_THRESHOLD

__all__ = ["windows", "headline_series", "attendee_series", "window_trust_rule", "cop_session_dates",
           "equal_windows", "split_at", "split_period", "period_notes", "period_days", "per_30_days",
           "RATE_MEASURES", "ATTENDEE_GROUPS"]

#: Headline measures that count ties, so grow with a period's length: shown per 30 days beside the counts
#: when two compared periods differ in length (``isolates`` counts people, not events, and is not scaled).
RATE_MEASURES = ("n_ties", "trust_ties")

#: The two groups of :func:`attendee_series`, in display order.
ATTENDEE_GROUPS = ("COP attendees (ever)", "Non-attendees")

_DAY = pd.Timedelta(days=1)


_FREQS = {"month": "M", "quarter": "Q"}


def windows(start, end, *, freq="quarter"):
    """Calendar months or quarters covering the days ``start`` to ``end`` inclusive.

    Parameters
    ----------
    start, end : Timestamp or str
        First and last day to cover (``end`` is included, as in
        ``Dataset.date_range``).
    freq : {"month", "quarter"}, default "quarter"

    Returns
    -------
    list of Period
        Half-open calendar periods ``[first day, first day of the next)``.
        The first and last windows may reach outside ``[start, end]``; they
        are then only partly observed (see :func:`headline_series`).

    Raises
    ------
    InvalidInputError
        If ``freq`` is unknown, a day is missing or ``end`` is before ``start``.

    Examples
    --------
    >>> [w.label() for w in windows("2024-02-10", "2024-07-01")]
    ['2024-01-01 to 2024-04-01', '2024-04-01 to 2024-07-01', '2024-07-01 to 2024-10-01']
    """
    if freq not in _FREQS:
        raise InvalidInputError(f"freq must be 'month' or 'quarter'; got {freq!r}.")
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        raise InvalidInputError("windows need a first and a last day; the dataset has no dated rows.")
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if end < start:
        raise InvalidInputError(f"last day {end.date()} is before first day {start.date()}.")
    spans = pd.period_range(start, end, freq=_FREQS[freq])
    return [Period(p.start_time.normalize(), (p + 1).start_time.normalize()) for p in spans]


def window_trust_rule(window):
    """The trust rule of a calendar window: the default rule, its months asked for capped at the window's.

    The default rule (:mod:`netdash.metrics.trust`) asks for contacts in at
    least 2 calendar months, which can never hold inside a one-month window:
    every month would show 0 trust ties from the logs. In a window of one
    calendar month a trust tie therefore needs contacts in that month only
    (still reciprocated and at least 3 of them); in a quarter the default rule
    applies unchanged. Survey ratings decide as always.

    Returns
    -------
    dict
        Keyword options of :func:`netdash.metrics.trust.trust_edges`:
        ``{"min_months": 1 or 2}``.

    Examples
    --------
    >>> window_trust_rule(windows("2024-02-10", "2024-02-20", freq="month")[0])
    {'min_months': 1}
    >>> window_trust_rule(windows("2024-02-10", "2024-02-20", freq="quarter")[0])
    {'min_months': 2}
    """
    months = len(pd.period_range(window.start, window.end - _DAY, freq="M"))
    return {"min_months": min(2, months)}


def headline_series(ds, *, freq="quarter", ties="working", window_days=90, seed=0):
    """The headline measures for each calendar window, for "Over time" charts.

    Parameters
    ----------
    ds : Dataset
    freq : {"month", "quarter"}, default "quarter"
    ties : str, default "working"
        Which ties make the practitioner network (see
        :func:`netdash.networks.graphs.practitioner_graph`).
    window_days : int, default 90
        Co-working window.
    seed : int, default 0
        Seed of the community detection behind ``agency_nmi``.

    Returns
    -------
    DataFrame
        One row per window: ``start``, ``end`` (exclusive), ``label``,
        ``partial`` (True when the window reaches outside the dataset's
        dates, so counts in it are not comparable with full windows), then the
        fields of :func:`netdash.change.headline.headline_measures`, then
        ``trust_min_months``: the months a trust tie needed in that window
        (:func:`window_trust_rule`: 1 in months, 2 in quarters). Empty when
        the dataset has no dated rows. COP session dates for chart markers
        come from :func:`cop_session_dates`.
    """
    first, last = ds.date_range
    if first is None:
        return pd.DataFrame(columns=["start", "end", "label", "partial"])
    rows = []
    for w in windows(first, last, freq=freq):
        row = {"start": w.start, "end": w.end, "label": w.label(),
               "partial": bool(w.start < first or w.end - pd.Timedelta(days=1) > last)}
        rule = window_trust_rule(w)
        row.update(headline_measures(ds, w, ties=ties, window_days=window_days, seed=seed, trust_rule=rule))
        row["trust_min_months"] = rule["min_months"]
        rows.append(row)
    return pd.DataFrame(rows)


def _tie_ends(ds, period, nodes, ties, window_days):
    """Both ends of each tie of :func:`netdash.networks.graphs.practitioner_edges` as positions in ``nodes``.

    Read from the coded union of tie types (a GraphMatrix made from codes,
    as the headline measures make theirs), without writing the edge table's
    ids and looking them up again; from the edge table when a tie end is not
    a node (then left out, as :func:`_colleagues` leaves it).
    """
    found = union_counts(ds, period, ties, window_days)
    source, target = (np.zeros(0, dtype=np.int64),) * 2 if found is None else found[:2]
    codes = period_log(ds, period).index.get_indexer(pd.Index(nodes["practitioner_id"], dtype=object))
    M = GraphMatrix.from_codes(range(len(nodes)), codes, source, target)  # codes increasing: both sorted by id
    if M is not None:
        return M.source, M.target
    edges = graphs.practitioner_edges(ds, period, ties=ties, window_days=window_days)
    ids = pd.Index(nodes["practitioner_id"], dtype=object)
    return ids.get_indexer(edges["source"]), ids.get_indexer(edges["target"])


def _colleagues(nodes, u, v):
    """Distinct colleagues, and distinct colleagues in another agency, of every node (aligned with ``nodes``).

    ``u``, ``v``: the two ends of each tie, one row per pair, as positions in ``nodes`` (-1 for an end that is
    not a node: the tie is left out)."""
    keep = (u >= 0) & (v >= 0) & (u != v)
    u, v = u[keep], v[keep]
    # A missing agency is one more agency, the same for everyone (as the headline's cross-agency share).
    agency = pd.factorize(nodes["agency"].to_numpy(dtype=object), use_na_sentinel=True)[0]
    cross = agency[u] != agency[v]
    n = len(nodes)
    return (np.bincount(np.r_[u, v], minlength=n),
            np.bincount(np.r_[u[cross], v[cross]], minlength=n))


def attendee_series(ds, *, freq="quarter", ties="working", window_days=90, min_count=DEFAULT_THRESHOLD):
    """Colleagues per practitioner window by window, COP attendees against non-attendees.

    Parameters
    ----------
    ds : Dataset
    freq : {"month", "quarter"}, default "quarter"
    ties : str, default "working"
        Tie choice of :func:`netdash.networks.graphs.practitioner_edges`.
    window_days : int, default 90
        Co-working window.
    min_count : int, default 5
        A group with fewer practitioners in a window has its count and means
        hidden (NaN): a mean over so few is close to their own figures
        (:mod:`netdash.privacy`).

    Returns
    -------
    DataFrame
        Two rows per window (:data:`ATTENDEE_GROUPS`: practitioners who
        attended any COP session in the dataset, and everyone else), with
        ``start``, ``end``, ``label``, ``partial`` as :func:`headline_series`,
        ``group``, ``practitioners`` (the window's practitioner nodes in the
        group: in post or active in it, isolates included), ``mean_colleagues``
        and ``mean_cross_agency_colleagues`` (distinct colleagues with a tie,
        and those in another agency, averaged over the group's practitioners).
        Group membership is fixed over time ("ever"), so the attendees' line
        before the COP shows where they started. Undirected; weights ignored.
        Empty when the dataset has no dated rows.
    """
    first, last = ds.date_range
    columns = ["start", "end", "label", "partial", "group", "practitioners", "mean_colleagues",
               "mean_cross_agency_colleagues"]
    if first is None:
        return pd.DataFrame(columns=columns)
    attendees = set(ds.cop_attendance["practitioner_id"])
    rows = []
    for w in windows(first, last, freq=freq):
        nodes = graphs.practitioner_nodes(ds, w)
        degree, cross = _colleagues(nodes, *_tie_ends(ds, w, nodes, ties, window_days))
        attended = nodes["practitioner_id"].isin(attendees).to_numpy()
        for group, members in zip(ATTENDEE_GROUPS, (attended, ~attended)):
            n = int(members.sum())
            shown = n >= min_count
            rows.append({"start": w.start, "end": w.end, "label": w.label(),
                         "partial": bool(w.start < first or w.end - _DAY > last), "group": group,
                         "practitioners": n if shown else np.nan,
                         "mean_colleagues": degree[members].mean() if shown else np.nan,
                         "mean_cross_agency_colleagues": cross[members].mean() if shown else np.nan})
    return pd.DataFrame(rows, columns=columns)


def cop_session_dates(ds):
    """One row per COP session: ``session_id``, ``date``, ``cop_name``, ``attendees``.

    ``attendees`` counts distinct practitioners. Sorted by date; empty (with
    those columns) when nobody attended a session.
    """
    att = ds.cop_attendance
    cols = ["session_id", "date", "cop_name", "attendees"]
    if att.empty:
        return pd.DataFrame(columns=cols)
    out = (
        att.groupby("session_id", sort=False)
        .agg(date=("date", "min"), cop_name=("cop_name", "first"),
             attendees=("practitioner_id", "nunique"))
        .reset_index()
        .sort_values(["date", "session_id"], kind="stable")
        .reset_index(drop=True)
    )
    return out[cols]


def equal_windows(ds, cop_start=None, *, period=None):
    """Equal-length windows before and after the COP start: the one rule for every before/after comparison.

    The window length ``L`` is the shorter of the data available before and
    after ``cop_start`` (within ``period``), so the two windows compare like
    with like: ``[cop_start - L, cop_start)`` and ``[cop_start, cop_start + L)``.
    COP impact (:func:`netdash.change.impact.impact_design`), the report,
    Before & after and the client-team trend all take their windows from here.

    Parameters
    ----------
    ds : Dataset
    cop_start : date-like, optional
        First day of the after window; default the first COP session.
    period : Period, optional
        Only data dated inside it count (the sidebar period); default all.

    Returns
    -------
    (Period, Period)

    Raises
    ------
    AnalysisError
        No dated data in ``period``; no COP session and no ``cop_start``; a
        COP start that leaves no days on one side.
    InvalidInputError
        ``cop_start`` is not a date.

    Examples
    --------
    >>> from netdash.dataset import Dataset
    >>> ds = Dataset.from_records(
    ...     agencies=[{"agency_id": "A", "name": "A"}],
    ...     practitioners=[{"practitioner_id": "p", "agency_id": "A"}],
    ...     contacts=[{"date": "2024-01-01", "practitioner_id": "p", "client_id": "c"},
    ...               {"date": "2024-12-31", "practitioner_id": "p", "client_id": "c"}])
    >>> [w.label() for w in equal_windows(ds, "2024-10-01")]
    ['2024-07-01 to 2024-10-01', '2024-10-01 to 2025-01-01']
    """
    period = period or Period()
    if period.start is None and period.end is None:
        first, last = ds.date_range  # kept in ds.memo
    else:
        dates = pd.concat([ds.contacts["date"], ds.cop_attendance["date"]]).dropna()
        dates = dates[period.mask(dates)]
        first, last = (None, None) if dates.empty else (dates.min(), dates.max())
    where = "" if period.start is None and period.end is None else f" in {period.describe(ds.date_range)}"
    if first is None:
        raise AnalysisError(f"There are no dated contacts or COP sessions{where}, so there is nothing to "
                            "compare. Choose another period, or import dated contacts.")
    if cop_start is None:
        cop_start = ds.first_cop_session
        if cop_start is None:
            raise AnalysisError(f"Nobody attended a COP session ({NO_COP_DATA}), so there is no COP start to "
                                "compare before and after. Add cop_attendance.csv rows (or check the import "
                                "mapping), or give a COP start date.")
    else:
        cop_start = parse_day(cop_start, what="COP start")
    first, last = first.normalize(), last.normalize()
    before_days, after_days = (cop_start - first).days, (last + _DAY - cop_start).days
    if before_days <= 0 or after_days <= 0:
        side = "before" if before_days <= 0 else "after"
        raise AnalysisError(
            f"COP start {cop_start.date()} leaves nothing {side} it, an empty {side} window: the data{where} "
            f"run from {first.date()} to {last.date()}. Choose a COP start strictly inside that range, so "
            "there are days both before and after it.")
    length = pd.Timedelta(days=min(before_days, after_days))
    return Period(cop_start - length, cop_start), Period(cop_start, cop_start + length)


def split_at(first, last, cop_start):
    """The periods before and after ``cop_start``, within the days ``first`` to ``last``.

    Parameters
    ----------
    first, last : date-like
        First and last day to cover, both included (e.g. the sidebar period).
    cop_start : date-like or None
        First day of the after period.

    Returns
    -------
    (Period, Period)
        ``[first, cop_start)`` and ``[cop_start, last + 1 day)``.

    Raises
    ------
    AnalysisError
        If ``cop_start`` is missing, or on/before ``first`` (no before
        period), or after ``last`` (no after period).

    Examples
    --------
    >>> [p.label() for p in split_at("2024-01-01", "2024-12-31", "2024-06-01")]
    ['2024-01-01 to 2024-06-01', '2024-06-01 to 2025-01-01']
    """
    if cop_start is None or pd.isna(cop_start):
        raise AnalysisError("There is no COP start to split at: nobody attended a COP session. "
                            "Set a COP start date in the sidebar, or compare two custom periods.")
    first, last, cop_start = (pd.Timestamp(d).normalize() for d in (first, last, cop_start))
    if cop_start <= first:
        raise AnalysisError(
            f"The COP start {cop_start.date()} is the first day of the data shown ({first.date()} to "
            f"{last.date()}), or earlier, so there is no before period. Choose a later COP start in the "
            "sidebar, or compare two custom periods.")
    if cop_start > last:
        raise AnalysisError(
            f"The COP start {cop_start.date()} is after the last day of the data shown ({last.date()}), "
            "so there is no after period. Choose an earlier COP start in the sidebar.")
    return Period(first, cop_start), Period(cop_start, last + _DAY)


def split_period(period, cop_start, date_range):
    """``period`` split at ``cop_start``, its open ends taken from ``date_range``.

    The two parts are usually of unequal length: comparisons with the COP
    start use :func:`equal_windows` instead.

    Parameters
    ----------
    period : Period
        Half-open; a ``None`` bound is open.
    cop_start : date-like or None
    date_range : (Timestamp, Timestamp)
        First and last day of the data (``Dataset.date_range``), used where
        ``period`` is open.

    Returns
    -------
    (Period, Period)
        :func:`split_at` of the period's first and last day.

    Raises
    ------
    AnalysisError
        As :func:`split_at`.

    Examples
    --------
    >>> days = (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    >>> [p.label() for p in split_period(Period(), "2024-06-01", days)]
    ['2024-01-01 to 2024-06-01', '2024-06-01 to 2025-01-01']
    >>> march_to_august = Period(pd.Timestamp("2024-03-01"), pd.Timestamp("2024-09-01"))
    >>> [p.label() for p in split_period(march_to_august, "2024-06-01", days)]
    ['2024-03-01 to 2024-06-01', '2024-06-01 to 2024-09-01']
    """
    first, last = date_range
    start = period.start if period.start is not None else first
    end = period.end - _DAY if period.end is not None else last
    return split_at(start, end, cop_start)


def period_notes(before, after):
    """Plain warnings about two periods that make a comparison hard to read.

    Returns a list (empty when nothing to say) noting periods that overlap,
    and periods of unequal length: counts of ties grow with a period's
    length, so a page shows them per 30 days too (:func:`per_30_days`). Both
    periods must have both bounds. :func:`equal_windows` never needs a note.

    Examples
    --------
    >>> period_notes(*split_at("2024-01-01", "2024-12-31", "2024-12-31"))[0][:46]
    'The before period is 365 days long and the aft'
    """
    notes = []
    if before.start < after.end and after.start < before.end:
        notes.append("The two periods overlap, so ties in the overlap count in both; "
                     "a change between them is understated.")
    days = {"before": period_days(before), "after": period_days(after)}
    if days["before"] != days["after"]:
        far = 2 * min(days.values()) < max(days.values())
        notes.append(f"The before period is {days['before']} day{'s' if days['before'] != 1 else ''} long and "
                     f"the after period {days['after']} day{'s' if days['after'] != 1 else ''}: counts such as ties "
                     "and trust ties grow with a period's length, so compare them per 30 days (shown beside "
                     "them)" + (", and even then with care: the periods are very unequal" if far else "")
                     + ". Shares and indices (the share of working ties across agencies, the E-I index) are less "
                     "affected. Equal windows either side of the COP start avoid this (Before & after's "
                     "default).")
    return notes



def period_days(period):
    """Days in a period with both bounds: ``(end - start).days``."""
    return int((period.end - period.start).days)


def per_30_days(measures, before, after, *, names=RATE_MEASURES):
    """Counts of ties per 30 days in each period, for comparing periods of unequal length.

    Parameters
    ----------
    measures : DataFrame
        Indexed by measure with ``before`` and ``after`` columns, e.g.
        :attr:`netdash.change.compare.Comparison.measures`.
    before, after : Period
        The compared periods (both bounds given).
    names : sequence of str, default :data:`RATE_MEASURES`

    Returns
    -------
    DataFrame
        Indexed by those of ``names`` in ``measures``: ``before_per_30_days``,
        ``after_per_30_days`` (count / days * 30) and ``change_per_30_days``.

    Examples
    --------
    >>> m = pd.DataFrame({"before": [60, 5], "after": [60, 5]}, index=["n_ties", "isolates"])
    >>> day = pd.Timestamp
    >>> before = Period(day("2024-01-01"), day("2024-03-01"))  # 60 days
    >>> after = Period(day("2024-03-01"), day("2024-03-31"))  # 30 days
    >>> per_30_days(m, before, after).round(1).to_dict("index")
    {'n_ties': {'before_per_30_days': 30.0, 'after_per_30_days': 60.0, 'change_per_30_days': 30.0}}
    """
    keep = [k for k in names if k in measures.index]
    rows = measures.loc[keep, ["before", "after"]].astype(float)
    out = pd.DataFrame({"before_per_30_days": rows["before"] / period_days(before) * 30,
                        "after_per_30_days": rows["after"] / period_days(after) * 30}, index=rows.index)
    out["change_per_30_days"] = out["after_per_30_days"] - out["before_per_30_days"]
    return out
