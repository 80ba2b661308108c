"""Cell-level and cross-table checks used by :func:`netdash.ingest.validate`.

Each check adds :class:`~netdash.ingest.problems.Problem` objects to a
report and never raises on odd cell text. Rows are spreadsheet row numbers
(the frame's index).
"""

import numpy as np
import pandas as pd

from netdash.ingest.coded import as_categorical, lookup, rows_by_value, strip, value_mask
from netdash.ingest.dates import parse_dates
from netdash.ingest.problems import Problem, format_rows

__all__ = ["TableCheck", "MAX_MESSAGES_PER_CHECK", "EARLIEST_YEAR", "PRIVATE_COLUMNS", "unknown_ids_message"]

MAX_MESSAGES_PER_CHECK = 20
"""Distinct values reported one by one before the rest are summarised."""
EARLIEST_YEAR = 1990
PRIVATE_COLUMNS = frozenset({"client_id"})
"""Columns whose values identify a person: messages give counts and rows, never the values.

Problems are shown on the Data page, printed by the CLI and stored with the
dataset (``datasets.warnings``, shown on the Overview and in the report), so a
raw client ID quoted in one would outlive its pseudonymisation (issue 18).
"""
_NOT_SHOWN = "The IDs are not shown because they identify clients."
_PLACEHOLDERS = {"na", "n/a", "null", "none", "nil", "-", "0", "?", "unknown", "nan"}


def unknown_ids_message(n, column, target_label, noun, *, severity, cased=0, placeholders=0):
    """The message for ``n`` values of a private ``column`` missing from ``target_label``, quoting none.

    ``cased`` of them differ from a listed ID only in upper/lower case and
    ``placeholders`` of them are words for "none" such as ``unknown``. The
    workspace's migration (:mod:`netdash.store.migrations`) words the
    warnings stored before issue 18 with it too, so old and new read alike.

    Examples
    --------
    >>> print(unknown_ids_message(3, "client_id", "clients.csv", "client", severity="warning", cased=1))
    ... # doctest: +NORMALIZE_WHITESPACE
    3 client_id values are not in clients.csv. 1 of them differs from an ID in clients.csv only in upper/lower
    case; IDs are compared exactly. The rows were kept. The IDs are not shown because they identify clients.
    """
    one = n == 1
    if severity == "error":
        action = f"Add the {noun} or correct the ID." if one else f"Add the {noun}s or correct the IDs."
    else:
        action = "The rows were kept."
    hint = ""
    if cased:
        who = "It differs" if one else f"{cased} of them differ{'s' if cased == 1 else ''}"
        hint += f" {who} from an ID in {target_label} only in upper/lower case; IDs are compared exactly."
    if placeholders:
        who = "It looks" if one else f"{placeholders} of them look{'s' if placeholders == 1 else ''}"
        hint += f" {who} like a word for none (such as unknown or n/a): where there is no {noun}, leave the cell empty."
    shown = (f"The ID is not shown because it identifies a {noun}." if one
             else f"The IDs are not shown because they identify {noun}s.")
    return f"{n} {column} value{' is' if one else 's are'} not in {target_label}.{hint} {action} {shown}"


def quoted_examples(values, *, cap=3):
    """``'a'``, ``'a' and 'b'`` or ``'a', 'b', 'c' and 4 more`` from distinct values."""
    values = list(dict.fromkeys(str(v) for v in values))
    shown = [repr(v) for v in values[:cap]]
    rest = len(values) - len(shown)
    if rest:
        return ", ".join(shown) + f" and {rest} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _plural(values, one, many):
    return one if len(set(map(str, values))) == 1 else many


class TableCheck:
    """One table's frame of stripped strings plus its parsed columns.

    Attributes
    ----------
    name, label : str
    raw : DataFrame
        Cells as read (for messages about surrounding spaces).
    text : DataFrame
        Cells stripped of surrounding whitespace.
    values : dict
        Parsed columns: dates as datetime64, numbers as float, text with None for blank.
    """

    def __init__(self, name, label, frame, report):
        self.name, self.label, self.report = name, label, report
        # Categorical columns (netdash.ingest.coded): every check works on distinct values.
        self.raw = pd.DataFrame({c: as_categorical(frame[c]) for c in frame.columns}, index=frame.index)
        self.text = pd.DataFrame({c: strip(self.raw[c]) for c in frame.columns}, index=frame.index)
        self.values = {}

    def add(self, rows, column, message, severity="error"):
        rows = tuple(np.unique(np.asarray(rows, dtype=np.int64)).tolist())
        self.report.add(Problem(self.label, rows, column, message, severity))

    def add_mask(self, mask, column, message, severity="error"):
        if mask.any():
            self.add(self.text.index[mask.to_numpy()], column, message, severity)

    def by_value(self, mask, column, make_message, *, severity="error", summary=None, private=None):
        """One problem per distinct offending value of ``column``, then a summary after the cap.

        For a column in :data:`PRIVATE_COLUMNS` there is one problem for all
        values instead: ``private(n_values)`` gives its message, which must not
        quote them.
        """
        if not mask.any():
            return
        items = rows_by_value(self.text.index, self.text[column], mask.to_numpy())
        if column in PRIVATE_COLUMNS:
            self.add([r for _, rs in items for r in rs], column, private(len(items)), severity)
            return
        for value, rows in items[:MAX_MESSAGES_PER_CHECK]:
            self.add(rows, column, make_message(value), severity)
        rest = items[MAX_MESSAGES_PER_CHECK:]
        if rest:
            rows = [r for _, rs in rest for r in rs]
            self.add(rows, column, f"{len(rest)} more {column} values have the same problem"
                     + (f": {summary}" if summary else "."), severity)

    def blank(self, column):
        if column not in self.text.columns:
            return pd.Series(True, index=self.text.index)
        return self.text[column] == ""

    # ---- per-column checks -------------------------------------------------

    def required_blanks(self, columns):
        for col in columns:
            self.add_mask(self.blank(col), col, f"{col} is blank. Every row needs a {col}; fill it in or delete "
                          "the row.")

    def dates(self, column, *, dayfirst, today, future, required, earliest=None):
        """Parse a date column; ``future`` is "error", "warning" or None (allowed).

        Dates before ``earliest`` (default 1 January :data:`EARLIEST_YEAR`) are errors.
        """
        earliest = pd.Timestamp(EARLIEST_YEAR, 1, 1) if earliest is None else earliest
        if column not in self.text.columns:
            self.values[column] = pd.Series(pd.NaT, index=self.text.index, dtype="datetime64[ns]")
            return
        parsed = parse_dates(self.text[column], dayfirst=dayfirst)
        fix = "Write dates as YYYY-MM-DD" + (" or DD/MM/YYYY" if dayfirst else "")
        # (one value, several values)
        texts = {
            "ambiguous": ("is ambiguous: it is not YYYY-MM-DD and could be day-first or month-first",
                          "are ambiguous: they are not YYYY-MM-DD and could be day-first or month-first"),
            "short_year": ("has a two-digit year", "have two-digit years"),
            "serial": ("looks like an Excel date serial number", "look like Excel date serial numbers"),
            "not_real": ("is not a real calendar day", "are not real calendar days"),
            "out_of_range": ("is outside the years netdash can hold (1678 to 2261)",
                             "are outside the years netdash can hold (1678 to 2261)"),
            "bad_time": ("has a time of day that does not exist", "have times of day that do not exist"),
            "wide_digits": ("is written with full-width or other non-ASCII digits",
                            "are written with full-width or other non-ASCII digits"),
            "not_a_date": ("is not a date", "are not dates"),
        }
        fixes = {
            "ambiguous": ("Write dates as YYYY-MM-DD, or, if they are DD/MM/YYYY, choose \"day-first (UK) "
                          "dates\" (--dayfirst)."),
            "short_year": fix + " with the full year.",
            "serial": "Format the column as dates (YYYY-MM-DD) in Excel before saving.",
            "not_real": "Correct the day or month.",
            "out_of_range": "Correct the year; leave the cell empty where there is no date (e.g. no end date).",
            "bad_time": "Correct the time (00:00 to 23:59) or leave only the date, e.g. 2024-03-14.",
            "wide_digits": fix + " with the digits 0-9 (switch off full-width input, or save the file again).",
            "not_a_date": fix + ".",
        }
        for reason, mask in parsed.bad.items():
            if mask.any():
                # Distinct values in order of appearance: the same examples and plural as all rows.
                bad_values = self.text.loc[mask.to_numpy(), column].unique()
                one, many = texts[reason]
                self.add_mask(mask, column, f"{column} {quoted_examples(bad_values)} "
                              f"{_plural(bad_values, one, many)}. {fixes[reason]}")
        dates = parsed.dates
        early = dates < earliest
        if early.any():
            ex = quoted_examples(dates[early].drop_duplicates().dt.strftime("%Y-%m-%d"))
            self.add_mask(early, column, f"{column} {ex} {_plural(dates[early].unique(), 'is', 'are')} before "
                          f"{earliest.date().isoformat()}; probably a typo or a placeholder such as 1900-01-01. "
                          "Correct " + ("it" if required else "it or leave the cell empty")
                          + ". If the data really are that old (a historical study), allow earlier dates with "
                          "--min-date (e.g. --min-date 1900-01-01) or \"min_date\" in dataset.json.")
        late = dates > today
        if future and late.any():
            ex = quoted_examples(dates[late].drop_duplicates().dt.strftime("%Y-%m-%d"))
            self.add_mask(late, column, f"{column} {ex} {_plural(dates[late].unique(), 'is', 'are')} after today "
                          f"({today.date().isoformat()}). Correct the date"
                          + ("; netdash imports only what has happened." if future == "error" else
                             "; it was kept."), future)
        self.values[column] = dates.where(~early & ~(late & (future == "error")))

    def numbers(self, column, *, whole_1_to_4=False, positive=False):
        if column not in self.text.columns:
            self.values[column] = pd.Series(float("nan"), index=self.text.index)
            return
        text = self.text[column]
        # Parse each distinct text once, then spread to rows.
        cats = pd.Series(text.cat.categories.to_numpy(dtype=object))
        per_value = pd.to_numeric(cats.where(cats != "", None), errors="coerce").astype("float64").to_numpy()
        per_value = np.where(np.isfinite(per_value), per_value, np.nan)
        nums = pd.Series(lookup(text, per_value), index=text.index)
        not_number = (text != "") & nums.isna()
        if whole_1_to_4:
            wrong = not_number | (nums.notna() & ((nums % 1 != 0) | (nums < 1) | (nums > 4)))
            self.by_value(wrong, column, lambda v: f"{column} {v!r} is not a whole number from 1 to 4. Ratings "
                          "are 1 (low) to 4 (high); correct it" + (" or leave it empty." if column != "trust"
                                                                   else "."))
        elif positive:
            self.by_value(not_number | (nums <= 0), column, lambda v: f"{column} {v!r} is not a positive number. "
                          "A tie strength is a number above 0 such as 1, 2 or 0.5; leave it empty for 1, or "
                          "delete the row if there is no tie.")
        else:
            self.by_value(not_number, column, lambda v: f"{column} {v!r} is not a number. Write a number of "
                          "minutes such as 30, or leave it empty.")
            self.by_value(nums < 0, column, lambda v: f"{column} {v!r} is negative. Write the length of the "
                          "contact in minutes, or leave it empty.")
        self.values[column] = nums

    def vocabulary(self, column, allowed):
        if column not in self.text.columns:
            return
        text = self.text[column]
        unknown = (text != "") & ~text.isin(allowed)

        def message(value):
            close = str(value).strip().casefold().replace(" ", "_").replace("-", "_")
            hint = f" Did you mean {close!r}?" if close in allowed else ""
            return (f"{column} {value!r} is not one of the suggested values ({', '.join(allowed)}). It was kept "
                    f"as written.{hint}")

        self.by_value(unknown, column, message, severity="warning")

    # ---- keys and references -----------------------------------------------

    def unique_key(self, column, noun):
        if column not in self.text.columns:
            return
        ids, raw = self.text[column], self.raw[column].astype(str)
        present = ids != ""
        dup = present & ids.duplicated(keep=False)
        groups = list(self.text.index[dup.to_numpy()].to_series().groupby(ids[dup].to_numpy(), sort=False))
        private = column in PRIVATE_COLUMNS
        for value, rows in groups[:MAX_MESSAGES_PER_CHECK]:
            spellings = raw.loc[rows].unique()
            if private:
                how = " once surrounding spaces are removed" if len(spellings) > 1 else ""
                self.add(rows, column, f"these rows hold the same {column}{how}; each {noun} must be listed once. "
                         f"Remove or merge the duplicate rows. {_NOT_SHOWN}")
            elif len(spellings) > 1:
                self.add(rows, column, f"{column} {quoted_examples(spellings)} are the same ID once surrounding "
                         f"spaces are removed; each {noun} must be listed once. Remove the duplicate or give it "
                         "its own ID.")
            else:
                self.add(rows, column, f"{column} {value!r} appears {len(rows)} times; each {noun} must be listed "
                         "once. Remove or merge the duplicate rows.")
        if len(groups) > MAX_MESSAGES_PER_CHECK:
            rows = [r for _, rs in groups[MAX_MESSAGES_PER_CHECK:] for r in rs]
            self.add(rows, column, f"{len(groups) - MAX_MESSAGES_PER_CHECK} more {column} values appear more "
                     "than once.")
        distinct = pd.Series(ids[present].unique().astype(object), dtype=object)
        folded = distinct.str.casefold()
        clash = folded.duplicated(keep=False).to_numpy()  # only these groups can have several spellings
        for _, spellings in distinct[clash].groupby(folded[clash].to_numpy()):
            if len(spellings) > 1 and private:
                rows = self.text.index[ids.isin(spellings)]
                self.add(rows, column, f"these rows hold {len(spellings)} {column} values that differ only in "
                         "upper/lower case. IDs are compared exactly, so they would count as different IDs; use "
                         f"one spelling. {_NOT_SHOWN}")
            elif len(spellings) > 1:
                where = " and ".join(f"{s!r} ({format_rows(self.text.index[ids == s])})" for s in spellings)
                rows = self.text.index[ids.isin(spellings)]
                self.add(rows, column, f"{column} {where} differ only in upper/lower case. IDs are compared "
                         f"exactly, so these would count as two different IDs; use one spelling.")

    def references(self, column, target_ids, target_label, noun, *, severity="error"):
        if column not in self.text.columns or target_ids is None:
            return
        known = set(target_ids)
        text = self.text[column]
        given = np.asarray(text.cat.categories, dtype=object) != ""
        bad = pd.Series(~value_mask(text, known.__contains__) & lookup(text, given), index=text.index)
        if not bad.any():
            return bad
        folded = {}  # only when some ID is unknown: a clients table has 200,000 IDs (issue 19)
        for k in known:
            folded.setdefault(k.casefold(), k)

        def message(value):
            hint = ""
            if value.casefold() in folded:
                hint = f" Did you mean {folded[value.casefold()]!r}?"
            elif value.casefold() in _PLACEHOLDERS:
                hint = " If there is none, leave the cell empty."
            action = (f"Add the {noun} or correct the ID." if severity == "error"
                      else "The rows were kept.")
            return f"{column} {value!r} is not in {target_label}.{hint} {action}"

        def private(n):
            values = [str(v) for v in text[bad.to_numpy()].unique()]
            return unknown_ids_message(
                n, column, target_label, noun, severity=severity,
                cased=sum(1 for v in values if v.casefold() in folded),
                placeholders=sum(1 for v in values if v.casefold() not in folded and v.casefold() in _PLACEHOLDERS))

        self.by_value(bad, column, message, severity=severity, private=private,
                      summary=f"not in {target_label}. Add them or correct the IDs.")
        return bad
