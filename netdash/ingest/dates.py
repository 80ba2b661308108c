"""The one date parser: ISO 8601 always, DD/MM/YYYY only when asked. Never guesses.

Rules
-----
* ``YYYY-MM-DD``, optionally followed by a time (``T`` or a space), which is
  dropped: a contact on ``2024-03-14 16:30`` is a contact on 2024-03-14.
* With ``dayfirst=True`` also ``DD/MM/YYYY``, ``DD-MM-YYYY`` and
  ``DD.MM.YYYY`` (one- or two-digit day and month, four-digit year), as UK
  exports write them.
* Without ``dayfirst``, ``03/04/2024`` is refused as ambiguous (3 April or
  March 4?) rather than guessed. Two-digit years are always refused.
"""

import re

import numpy as np
import pandas as pd

__all__ = ["parse_dates", "parse_day", "DateParse"]

# [0-9], not \d: \d also matches full-width and other scripts' digits, which are reported instead.
_TIME = r"(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]+)?)?"
_ISO = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[T ]" + _TIME + r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?$")
_ISO_ANY_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{1,2}:[0-9]{2}"
_DAYFIRST = r"^([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})(?:[T ]" + _TIME + r")?$"
_SHORT_YEAR = r"^[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2}(?:\s.*)?$"
_SERIAL = r"^[0-9]{5}(?:\.[0-9]+)?$"
_WIDE_DIGITS = r"[^\x00-\x7f]"  # a digit outside 0-9 (e.g. full-width), or any other non-ASCII character


class DateParse:
    """Result of :func:`parse_dates`.

    Attributes
    ----------
    dates : Series of datetime64[ns]
        Midnight of each day; NaT where blank or bad.
    bad : dict
        ``{reason: boolean mask}`` with reasons ``"ambiguous"``,
        ``"short_year"``, ``"serial"``, ``"not_real"`` (e.g. 2024-02-30),
        ``"out_of_range"`` (a year before 1678 or after 2261, e.g. 9999-12-31),
        ``"bad_time"`` (a date whose time of day is not real, e.g. 25:99),
        ``"wide_digits"`` (full-width or other non-ASCII digits, e.g. ``２０２４-０３-１４``)
        and ``"not_a_date"``.
    """

    def __init__(self, dates, bad):
        self.dates = dates
        self.bad = bad


def parse_dates(values, *, dayfirst=False):
    """Parse a column of date text.

    Parameters
    ----------
    values : Series of str
        Blank strings are missing values, not errors.
    dayfirst : bool
        Accept day-first dates (``DD/MM/YYYY``) as well as ISO ones.

    Returns
    -------
    DateParse

    Examples
    --------
    >>> s = pd.Series(["2024-03-14", "2024-03-14T09:30", "03/04/2024", ""])
    >>> p = parse_dates(s)
    >>> [d.date().isoformat() if pd.notna(d) else None for d in p.dates]
    ['2024-03-14', '2024-03-14', None, None]
    >>> p.bad["ambiguous"].tolist()
    [False, False, True, False]
    >>> parse_dates(s, dayfirst=True).dates.iloc[2].date().isoformat()
    '2024-04-03'
    """
    # A date column has few distinct values: parse each once, then spread back.
    if isinstance(values.dtype, pd.CategoricalDtype):  # the importer's coded columns: no per-row work
        codes = values.cat.codes.to_numpy()
        uniques = np.array([str(c).strip() for c in values.cat.categories] + [""], dtype=object)
        codes = np.where(codes < 0, uniques.size - 1, codes)
    else:
        codes, uniques = pd.factorize(values.astype(str).str.strip().to_numpy(dtype=object))
    dates, bad = _parse_distinct(pd.Series(uniques, dtype=object), dayfirst=dayfirst)

    def spread(s, fill):
        out = s.to_numpy()[codes] if len(uniques) else np.full(len(codes), fill)
        return pd.Series(out, index=values.index)

    return DateParse(spread(dates, np.datetime64("NaT", "ns")).astype("datetime64[ns]"),
                     {k: spread(v, False).astype(bool) for k, v in bad.items()})


def parse_day(text, *, what="date"):
    """One ISO 8601 day (``YYYY-MM-DD``) given as a setting, by the rules of :func:`parse_dates`.

    Raises
    ------
    InvalidInputError
        Naming ``what`` when ``text`` is not a date.

    Examples
    --------
    >>> parse_day("2024-06-01").isoformat()
    '2024-06-01T00:00:00'
    """
    from netdash.errors import InvalidInputError

    if isinstance(text, pd.Timestamp):
        return text.normalize()
    day = parse_dates(pd.Series([str(text).strip()])).dates.iloc[0]
    if pd.isna(day):
        raise InvalidInputError(f"{what} {text!r} is not a date. Write it as YYYY-MM-DD, e.g. 2024-06-01.")
    return day


def _parse_distinct(text, *, dayfirst):
    blank = text == ""
    iso = text.str.extract(_ISO, expand=False)
    is_iso = iso.notna()
    iso_text = iso.where(is_iso, "")
    day_parts = text.str.extract(_DAYFIRST)
    is_dayfirst = day_parts[0].notna() & ~is_iso
    if dayfirst:
        as_iso = day_parts[3] + "-" + day_parts[2].str.zfill(2) + "-" + day_parts[0].str.zfill(2)
        iso_text = iso_text.where(~is_dayfirst, as_iso)
    candidate = iso_text.where(is_iso | (is_dayfirst & dayfirst), None)
    # pandas holds days from 1677-09-22 to 2262-04-11 only; outside that
    # (e.g. 9999-12-31 for "no end date") it raises rather than coercing.
    # Such days are not plausible here: report them as out of range.
    year = pd.to_numeric(candidate.str.slice(0, 4), errors="coerce")
    out_of_range = candidate.notna() & ~year.between(1678, 2261)
    candidate = candidate.where(~out_of_range, None)
    dates = pd.to_datetime(candidate, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    parsed_shape = is_iso | (is_dayfirst & dayfirst)
    bad = {
        "ambiguous": is_dayfirst & (not dayfirst),
        "short_year": ~blank & ~parsed_shape & text.str.match(_SHORT_YEAR),
        "serial": ~blank & ~parsed_shape & text.str.match(_SERIAL),
        "out_of_range": out_of_range,
        "not_real": parsed_shape & dates.isna() & ~out_of_range,
        "bad_time": ~blank & ~parsed_shape & text.str.match(_ISO_ANY_TIME),
    }
    bad["wide_digits"] = (~blank & ~parsed_shape & text.str.contains(r"\d") & text.str.contains(_WIDE_DIGITS)
                          & ~bad["bad_time"])
    flagged = bad["ambiguous"] | bad["short_year"] | bad["serial"] | bad["not_real"] | bad["out_of_range"]
    flagged |= bad["bad_time"] | bad["wide_digits"]
    bad["not_a_date"] = ~blank & ~parsed_shape & ~flagged
    return dates.where(~blank), {k: v.fillna(False).astype(bool) for k, v in bad.items()}
