"""Calendar windows, the headline measures over time, and where the COP splits a period.

- :func:`windows` and :func:`headline_series`: the Over time charts;
- :func:`cop_session_dates`: the chart markers;
- :func:`split_at` and :func:`period_notes`: equal before and after windows
  either side of the COP start, and what to say when they are not equal.
"""

import pandas as pd

from netdash.change.headline import headline_measures
from netdash.errors import AnalysisError, InvalidInputError
from netdash.periods import Period

__all__ = ["windows", "headline_series", "cop_session_dates", "split_at", "split_period", "period_notes"]

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
        fields of :func:`netdash.change.headline.headline_measures`. Empty when the
        dataset has no dated rows. COP session dates for chart markers come
        from :func:`cop_session_dates`.
    """
    first, last = ds.date_range
    if first is None:
        return pd.DataFrame(columns=["start", "end", "label", "partial"])
    rows = []
    for w in windows(first, last, freq=freq):
        row = {"start": w.start, "end": w.end, "label": w.label(),
               "partial": bool(w.start < first or w.end - pd.Timedelta(days=1) > last)}
        row.update(headline_measures(ds, w, ties=ties, window_days=window_days, seed=seed))
        rows.append(row)
    return pd.DataFrame(rows)


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
    """``period`` split at ``cop_start``, its open ends taken from ``date_range`` (Before & after's default).

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
    and lengths so different (the shorter less than half the longer) that
    counts of ties are not comparable. Both periods must have both bounds.

    Examples
    --------
    >>> period_notes(*split_at("2024-01-01", "2024-12-31", "2024-12-31"))[0][:36]
    'The after period is 1 day(s) long an'
    """
    notes = []
    if before.start < after.end and after.start < before.end:
        notes.append("The two periods overlap, so ties in the overlap count in both; "
                     "a change between them is understated.")
    days = {"before": (before.end - before.start).days, "after": (after.end - after.start).days}
    short, long_ = sorted(days, key=days.get)
    if days[short] * 2 < days[long_]:
        notes.append(f"The {short} period is {days[short]} day(s) long and the {long_} period {days[long_]} "
                     "days: counts such as ties and trust ties are not comparable between periods this "
                     "unequal. Shares and indices (cross-agency share, E-I index) are less affected.")
    return notes

