"""Half-open periods [start, end) of days."""

from dataclasses import dataclass

import pandas as pd

from netdash.errors import InvalidInputError

__all__ = ["Period", "parse_period", "parse_day"]


def parse_day(text, *, what="date"):
    """Parse an ISO 8601 day (``YYYY-MM-DD``) given on the command line or in a setting.

    Uses the importer's date parser, so the same rules apply everywhere: a
    day-first date such as ``01/02/2024`` is refused, never guessed.

    Examples
    --------
    >>> parse_day("2024-06-01").isoformat()
    '2024-06-01T00:00:00'
    """
    from netdash.ingest.dates import parse_day as _parse_day  # the importer's rules, imported on use

    return _parse_day(text, what=what)


@dataclass(frozen=True)
class Period:
    """Days ``start <= d < end``; either bound may be None (open)."""

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None

    def __post_init__(self):
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise InvalidInputError(
                f"period start {self.start.date()} is not before its end {self.end.date()}. "
                "A period is [start, end): give an end after the start."
            )

    def mask(self, dates):
        """Boolean mask of ``dates`` (a datetime Series) inside the period."""
        keep = pd.Series(True, index=dates.index)
        if self.start is not None:
            keep &= dates >= self.start
        if self.end is not None:
            keep &= dates < self.end
        return keep

    def label(self):
        """``"START to END"`` (END excluded); an open side is ``start`` or ``end`` (``network.json``'s ``period``)."""
        a = self.start.date().isoformat() if self.start is not None else "start"
        b = self.end.date().isoformat() if self.end is not None else "end"
        return f"{a} to {b}"

    def describe(self, date_range=(None, None)):
        """The period in words for a reader, its open sides filled from ``date_range`` where known.

        Parameters
        ----------
        date_range : (Timestamp or None, Timestamp or None)
            First and last day of the data (``Dataset.date_range``).

        Examples
        --------
        >>> days = (pd.Timestamp("2023-01-01"), pd.Timestamp("2024-12-31"))
        >>> Period().describe(days)
        'the whole record (2023-01-01 to 2024-12-31, the first to the last dated record)'
        >>> Period().describe()
        'the whole record'
        >>> Period(end=pd.Timestamp("2024-01-01")).describe(days)
        'from the first record (2023-01-01) to 2024-01-01'
        >>> Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-07-01")).describe(days)
        '2024-01-01 to 2024-07-01'
        """
        first, last = date_range
        day = lambda t: t.date().isoformat()  # noqa: E731
        if self.start is None and self.end is None:
            known = first is not None and last is not None
            return "the whole record" + (f" ({day(first)} to {day(last)}, the first to the last dated record)"
                                         if known else "")
        a = day(self.start) if self.start is not None else (
            "the first record" + (f" ({day(first)})" if first is not None else ""))
        b = day(self.end) if self.end is not None else (
            "the end of the record" + (f" ({day(last)})" if last is not None else ""))
        return f"from {a} to {b}" if self.start is None else f"{a} to {b}"


def parse_period(text):
    """Parse ``START:END`` (either side may be empty) into a :class:`Period`.

    Examples
    --------
    >>> parse_period("2024-01-01:2024-07-01").label()
    '2024-01-01 to 2024-07-01'
    >>> parse_period(":2024-07-01").start is None
    True
    """
    if text is None or ":" not in str(text):
        raise InvalidInputError(f"period {text!r} should be START:END, e.g. 2024-01-01:2024-07-01.")
    a, b = str(text).split(":", 1)
    start = parse_day(a, what="period start") if a.strip() else None
    end = parse_day(b, what="period end") if b.strip() else None
    return Period(start, end)
