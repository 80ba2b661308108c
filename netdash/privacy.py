"""Small-number suppression for aggregates and exports.

The data behind netdash is about vulnerable people. A published count of 1
to 4 clients (or practitioners) can let a reader who knows the service work
out who is meant, so such counts are hidden before anything leaves the
library in a table, a summary or a download.

Conventions (the same everywhere in netdash)
--------------------------------------------
* A count ``n`` is **suppressed** when ``1 <= n < threshold``. The default
  threshold is 5, so 4 is hidden and 5 is shown. This follows the common UK
  public-sector rule of suppressing counts under 5 (e.g. NHS Digital's
  small-number rules for HES and the ONS disclosure-control guidance).
* **Zero is shown.** A zero says that nobody has the property; it does not
  single anybody out by itself. (It can still contribute to *group*
  disclosure, e.g. "none of the 12 clients had a placement"; callers who
  publish such cross-tabulations should review zeros by hand.)
* A suppressed cell becomes ``NaN`` when ``marker`` is ``None`` (the column
  stays numeric: good for charts and further arithmetic), or the string
  ``marker`` (e.g. ``"<5"``) when one is given (the column becomes text:
  good for tables people read and for CSV downloads).
* Missing values (NaN) are left missing.
* In a CSV a hidden count is an **empty cell**, never text in a number
  column, with a ``note`` column saying which cells are hidden and why
  (:func:`suppression_notes`).

Secondary (complementary) suppression
-------------------------------------
Hiding one cell is not enough when a total is also published: if a row's
cells add up to a known total, the one hidden cell equals the total minus
the others. With ``complementary=True`` (the default) and two or more count
columns, a row with exactly one primarily suppressed cell also has its
smallest other non-zero shown cell hidden, so the row total no longer gives
either back. Limits, stated plainly: only rows are protected, not column
totals; a row whose other cells are all zero cannot be protected this way
(its total *is* the hidden cell, so the total itself must not be published);
and cells suppressed in different rows of the same column can still be
recovered from a published column total. Use this on counts that are parts
of one whole; turn it off for independent counts.
"""

import math
import numbers

import numpy as np
import pandas as pd

from netdash.errors import InvalidInputError

__all__ = ["DEFAULT_THRESHOLD", "suppress_small_counts", "suppress_value", "is_small_count", "hidden_cells",
           "suppression_notes"]

#: Counts from 1 to ``DEFAULT_THRESHOLD - 1`` are suppressed.
DEFAULT_THRESHOLD = 5


def _check_threshold(threshold):
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Integral) or threshold < 1:
        raise InvalidInputError(
            f"threshold should be a whole number of at least 1 (counts 1..threshold-1 are hidden); "
            f"got {threshold!r}. Use {DEFAULT_THRESHOLD}, the usual rule."
        )


def is_small_count(n, *, threshold=DEFAULT_THRESHOLD):
    """True when the count ``n`` must be hidden: ``1 <= n < threshold``.

    Zero and missing values are not small counts.

    Examples
    --------
    >>> [is_small_count(n) for n in (0, 1, 4, 5)]
    [False, True, True, False]
    """
    _check_threshold(threshold)
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return False
    return 1 <= n < threshold


def suppress_value(n, *, threshold=DEFAULT_THRESHOLD, marker=None):
    """Return ``n``, or ``marker`` when it is a small count (``1 <= n < threshold``).

    Used for single numbers in summaries (dicts, JSON). Zero is returned
    unchanged.

    Examples
    --------
    >>> suppress_value(4, marker="<5"), suppress_value(5), suppress_value(0)
    ('<5', 5, 0)
    >>> suppress_value(3) is None
    True
    """
    return marker if is_small_count(n, threshold=threshold) else n


def suppress_small_counts(frame, columns, *, threshold=DEFAULT_THRESHOLD, marker=None,
                          complementary=True):
    """Hide counts from 1 to ``threshold - 1`` in ``columns`` of ``frame``.

    Parameters
    ----------
    frame : DataFrame
        Aggregated counts, one row per group. Not modified.
    columns : str or list of str
        The count columns to check. Other columns are copied unchanged.
    threshold : int, default 5
        Counts ``1 <= n < threshold`` are hidden; ``n >= threshold`` and 0
        are shown (see the module notes).
    marker : str or None, default None
        ``None`` puts ``NaN`` in hidden cells (column stays numeric); a
        string such as ``"<5"`` puts that text there (column becomes text).
    complementary : bool, default True
        With two or more ``columns``, a row with exactly one hidden cell also
        hides its smallest other non-zero shown cell, so that a row total
        cannot reveal it. See the module notes for what this does not cover.

    Returns
    -------
    DataFrame
        A copy with the cells hidden. ``result.attrs["suppressed_cells"]``
        holds how many cells were hidden (primary plus complementary).

    Raises
    ------
    InvalidInputError
        A column is missing or not numeric, or the threshold is not a whole
        number of at least 1.

    Examples
    --------
    >>> df = pd.DataFrame({"agency": ["A", "B"], "clients": [4, 5]})
    >>> suppress_small_counts(df, "clients", marker="<5")["clients"].tolist()
    ['<5', 5]
    >>> rows = pd.DataFrame({"placed": [3, 10], "not_placed": [9, 8]})
    >>> suppress_small_counts(rows, ["placed", "not_placed"]).iloc[0].isna().tolist()
    [True, True]
    """
    _check_threshold(threshold)
    columns = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidInputError(
            f"cannot suppress small counts: column(s) {missing} are not in the table "
            f"(it has {list(frame.columns)}). Pass the names of the count columns."
        )
    not_numeric = [c for c in columns if not pd.api.types.is_numeric_dtype(frame[c])
                   or pd.api.types.is_bool_dtype(frame[c])]
    if not_numeric:
        raise InvalidInputError(
            f"cannot suppress small counts: column(s) {not_numeric} do not hold numbers. "
            "Suppress the counts before formatting them as text."
        )
    out = frame.copy()
    if not columns:
        out.attrs["suppressed_cells"] = 0
        return out
    values = frame[columns].astype("float64").to_numpy()
    hide = (values >= 1) & (values < threshold)
    if complementary and len(columns) >= 2:
        single = hide.sum(axis=1) == 1
        # candidates: shown, non-zero cells of rows with exactly one hidden cell; the smallest (the first of
        # equals) is hidden too
        candidates = ~hide & (values > 0) & single[:, None]
        rows = np.flatnonzero(candidates.any(axis=1))
        hide[rows, np.nanargmin(np.where(candidates, values, np.nan)[rows], axis=1)] = True
    for j, col in enumerate(columns):
        if marker is None:
            out[col] = np.where(hide[:, j], np.nan, values[:, j])
        else:
            out[col] = frame[col].astype("object").where(~hide[:, j], marker)
    out.attrs["suppressed_cells"] = int(hide.sum())
    return out


def hidden_cells(counts, shown, columns):
    """Which cells of ``columns`` were hidden: a count in ``counts`` that is missing in ``shown``.

    ``shown`` is :func:`suppress_small_counts` of ``counts`` with ``marker=None``
    (same index and columns). A cell missing in ``counts`` too was never a
    count, so it is not "hidden".

    Examples
    --------
    >>> counts = pd.DataFrame({"a": [3, 9], "b": [8, 9]})
    >>> hidden_cells(counts, suppress_small_counts(counts, ["a", "b"]), ["a", "b"]).values.tolist()
    [[True, True], [False, False]]
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    return shown[columns].isna() & counts[columns].notna()


def suppression_notes(hidden, *, threshold=DEFAULT_THRESHOLD, labels=None):
    """A note per row saying which counts are hidden and why, for the ``note`` column of a CSV.

    Parameters
    ----------
    hidden : DataFrame of bool
        True where a count is hidden (:func:`hidden_cells`).
    threshold : int, default 5
        The threshold the counts were suppressed with.
    labels : dict, optional
        Column -> name to use in the note (the column name otherwise).

    Returns
    -------
    Series of str
        Empty where nothing is hidden.

    Examples
    --------
    >>> hidden = pd.DataFrame({"placed": [True, False], "waiting": [True, False]})
    >>> suppression_notes(hidden).tolist()[0]
    'Hidden: placed, waiting. Counts from 1 to 4 are not shown (small-number protection), nor is one more count in a row whose total would give a hidden count away.'
    >>> suppression_notes(hidden).tolist()[1]
    ''
    """
    _check_threshold(threshold)
    labels = labels or {}
    why = (f"Counts from 1 to {threshold - 1} are not shown (small-number protection), nor is one more count in a "
           "row whose total would give a hidden count away.")
    notes = []
    for _, row in hidden.iterrows():
        names = [str(labels.get(c, c)) for c, h in row.items() if h]
        notes.append(f"Hidden: {', '.join(names)}. {why}" if names else "")
    return pd.Series(notes, index=hidden.index, dtype=object)
