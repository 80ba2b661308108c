"""Integer-coded contact log and the pair counts behind the edge tables.

:mod:`netdash.networks.graphs`, :mod:`netdash.metrics.trust` and
:mod:`netdash.metrics.basic` aggregate the same contact log. Grouping on id
strings is slow (every row is hashed and compared as a Python object), so the
log is turned into integer arrays once per dataset (:func:`coded_log`) and
every table is counted on those arrays with sorts; ids come back only in the
finished tables.

Conventions
-----------
- Practitioner codes index :attr:`CodedLog.ids`, every practitioner id of the
  dataset (practitioners, contacts, attendance, survey) in sorted order, so
  a smaller code is a smaller id and a table sorted by code is sorted by id.
  A missing id is code -1.
- Days are whole days since 1970-01-01 (dates are midnights); months are
  months since January 1970 (``datetime64[M]``).
- The coded log and its period views are made once per dataset object and
  kept in its :attr:`netdash.dataset.Dataset.memo` (see :mod:`netdash.networks.counts`).
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from netdash.dataset import factorized_column

__all__ = ["CodedLog", "coded_log", "sorted_counts", "isin_sorted", "unique_sorted", "reduce_by_key",
           "distinct_rows", "run_starts", "spans", "overlap_pairs"]


@dataclass(frozen=True)
class CodedLog:
    """The contact log and COP attendance of a dataset (or of one period) as integer arrays.

    Attributes
    ----------
    ids : ndarray of object
        Every practitioner id, sorted; codes index it.
    types : ndarray of object
        Types of the contacts between colleagues, sorted; a missing type is
        ``"unspecified"``.
    author, colleague, client, day, month, contact_type : ndarray
        One entry per contact row: ``practitioner_id`` and
        ``with_practitioner_id`` codes, a client code (any order; -1 when
        missing), day, month and the index of the type in ``types`` (0 on
        rows without a colleague).
    person, session, session_day : ndarray
        One entry per attendance row: ``practitioner_id`` code, session code,
        day.
    weight : ndarray of float
        One entry per contact row: the row's tie strength (``contacts.csv``'s
        ``weight``, 1 when not given).
    client_ids : ndarray of object
        The client pseudonyms that ``client`` codes index (any order).
    """

    ids: np.ndarray
    types: np.ndarray
    author: np.ndarray
    colleague: np.ndarray
    client: np.ndarray
    day: np.ndarray
    month: np.ndarray
    contact_type: np.ndarray
    person: np.ndarray
    session: np.ndarray
    session_day: np.ndarray
    weight: np.ndarray = None
    client_ids: np.ndarray = None

    @cached_property
    def index(self):
        """``ids`` as a pandas Index, to look codes up."""
        return pd.Index(self.ids, dtype=object)

    def rows(self, contacts, attendance):
        """The same log keeping only the contact and attendance rows selected by two boolean masks (or slices).

        Where a mask selects one unbroken run of rows (a period of a log in
        date order, as the demo's and most exports are), the arrays are
        views of this log's, not copies: a period's log then costs no memory
        of its own.
        """
        contacts, attendance = _as_slice(contacts), _as_slice(attendance)
        kept = {name: getattr(self, name)[contacts] for name in _CONTACT_FIELDS}
        kept.update({name: getattr(self, name)[attendance] for name in _ATTENDANCE_FIELDS})
        return CodedLog(ids=self.ids, types=self.types, client_ids=self.client_ids, **kept)


def _as_slice(mask):
    """The boolean ``mask`` as a slice when its true entries are one unbroken run, else ``mask`` itself.

    Examples
    --------
    >>> _as_slice(np.array([False, True, True, False]))
    slice(1, 3, None)
    >>> _as_slice(np.array([True, False, True])).tolist()
    [True, False, True]
    """
    if isinstance(mask, slice):
        return mask
    mask = np.asarray(mask, dtype=bool)
    first = int(mask.argmax()) if len(mask) else 0
    if not len(mask) or not mask[first]:
        return slice(0, 0)
    end = len(mask) - int(mask[::-1].argmax())
    return slice(first, end) if np.count_nonzero(mask) == end - first else mask


_CONTACT_FIELDS = ("author", "colleague", "client", "day", "month", "contact_type", "weight")
_ATTENDANCE_FIELDS = ("person", "session", "session_day")


def _recode(codes, uniques, index):
    """Codes into ``uniques`` turned into codes into the pandas Index ``index`` (-1 stays -1)."""
    remap = np.r_[index.get_indexer(pd.Index(uniques, dtype=object)), -1].astype(np.int32)
    return remap[codes]


def coded_log(ds):
    """:class:`CodedLog` of the whole dataset ``ds``.

    Examples
    --------
    >>> from netdash.dataset import Dataset
    >>> ds = Dataset.from_records(
    ...     agencies=[{"agency_id": "A", "name": "Housing"}],
    ...     practitioners=[{"practitioner_id": p, "agency_id": "A"} for p in ("p2", "p1")],
    ...     contacts=[{"date": "1970-01-03", "practitioner_id": "p2", "with_practitioner_id": "p1"}])
    >>> log = coded_log(ds)
    >>> log.ids.tolist(), log.author.tolist(), log.colleague.tolist(), log.day.tolist(), log.types.tolist()
    (['p1', 'p2'], [1], [0], [2], ['unspecified'])
    """
    contacts, attendance, survey = ds.contacts, ds.cop_attendance, ds.trust_survey
    # The importer's codes when it left them (netdash.dataset.factorized_column): millions of rows not hashed again.
    author, author_ids = factorized_column(ds, "contacts", "practitioner_id")
    colleague, colleague_ids = factorized_column(ds, "contacts", "with_practitioner_id")
    person, person_ids = factorized_column(ds, "cop_attendance", "practitioner_id")
    known = [ds.practitioners["practitioner_id"], author_ids, colleague_ids, person_ids,
             survey["rater_id"], survey["ratee_id"]]
    everyone = pd.unique(np.concatenate([np.asarray(k, dtype=object) for k in known]))
    ids = np.asarray(sorted(everyone[pd.notna(everyone)]), dtype=object)
    index = pd.Index(ids, dtype=object)
    colleague = _recode(colleague, colleague_ids, index)
    # Types only matter for contacts between colleagues: factorize those rows only.
    between = colleague >= 0
    type_codes, type_names = factorized_column(ds, "contacts", "contact_type", rows=between)
    missing = bool((type_codes < 0).any())
    types = pd.Index(sorted(set(type_names.tolist()) | ({"unspecified"} if missing else set())), dtype=object)
    # Code -1 (a missing type) picks the last entry: "unspecified", as fillna("unspecified") did.
    contact_type = np.zeros(len(colleague), dtype=np.int16)
    contact_type[between] = np.r_[types.get_indexer(type_names), types.get_indexer(["unspecified"])][type_codes]
    day = contacts["date"].to_numpy().astype("datetime64[D]")
    client, client_ids = factorized_column(ds, "contacts", "client_id")
    return CodedLog(
        ids=ids, types=np.asarray(types, dtype=object),
        author=_recode(author, author_ids, index), colleague=colleague,
        client=client, client_ids=client_ids, day=day.astype(np.int64).astype(np.int32),
        month=day.astype("datetime64[M]").astype(np.int64).astype(np.int32), contact_type=contact_type,
        person=_recode(person, person_ids, index), session=factorized_column(ds, "cop_attendance", "session_id")[0],
        session_day=attendance["date"].to_numpy().astype("datetime64[D]").astype(np.int64).astype(np.int32),
        weight=(contacts["weight"].fillna(1.0).to_numpy(dtype=np.float64) if "weight" in contacts
                else np.ones(len(contacts))),
    )


def run_starts(*columns):
    """Boolean mask of the rows that start a run: the first row, and each row differing from the one before.

    For rows sorted by ``columns`` it marks the first row of each distinct
    combination (``rows[run_starts(...)]`` are the distinct rows, in order).

    Examples
    --------
    >>> run_starts(np.array([1, 1, 2, 2]), np.array([5, 5, 5, 6])).tolist()
    [True, False, True, True]
    >>> run_starts(np.zeros(0, dtype=int)).tolist()
    []
    """
    n = len(columns[0])
    new = np.zeros(n, dtype=bool)
    if n:
        new[0] = True
        for c in columns:
            new[1:] |= c[1:] != c[:-1]
    return new


def sorted_counts(keys):
    """Distinct values of the int64 array ``keys`` in increasing order, and how often each occurs.

    A sort and a scan: ``numpy.unique`` without ``return_*`` uses a hash
    table in numpy 2.4, which is slower on these keys (``docs/benchmarks.md``,
    "sorted_counts").

    Examples
    --------
    >>> values, counts = sorted_counts(np.array([5, 1, 5, 3, 5]))
    >>> values.tolist(), counts.tolist()
    ([1, 3, 5], [1, 1, 3])
    """
    keys = np.sort(keys)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.zeros(0, np.intp)
    return keys[starts], np.diff(np.r_[starts, len(keys)]).astype(np.int64)


def isin_sorted(values, keys):
    """``numpy.isin(values, keys)`` for integer arrays, by a sort of ``keys`` and a binary search.

    ``numpy.isin`` hashes in numpy 2.4, whatever its ``kind``: on the large
    demo's 11,471 colleague pairs against 2,949,300 pairs in touch it took
    2.19 CPU s, this 0.05 s (docs/benchmarks.md, "isin_sorted").

    Examples
    --------
    >>> isin_sorted(np.array([4, 1, 7, 4]), np.array([7, 4, 4, 2])).tolist()
    [True, False, True, True]
    """
    values = np.asarray(values, dtype=np.int64)
    keys = np.sort(np.asarray(keys, dtype=np.int64))
    if not len(keys):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(keys, values), len(keys) - 1)
    return keys[at] == values


def unique_sorted(values):
    """``numpy.unique(values)`` for an integer array, by one sort.

    ``numpy.unique`` without ``return_index``, ``return_inverse`` or
    ``return_counts`` hashes in numpy 2.4 and then sorts the distinct values
    (as :func:`isin_sorted` works around for ``numpy.isin``); a sort and a
    comparison of neighbours give the same array.

    Examples
    --------
    >>> unique_sorted(np.array([5, 1, 5, 3, 1])).tolist()
    [1, 3, 5]
    """
    values = np.asarray(values).ravel()
    if values.dtype.kind not in "iub":
        raise TypeError(f"unique_sorted needs an integer or boolean array; got {values.dtype}.")
    return sorted_counts(values)[0]


def pairs_listed_once(n, lo, hi):
    """Whether no pair ``(lo[k], hi[k])`` of positions below ``n`` is listed twice.

    By their keys ``lo * n + hi``: when those increase, as an edge table
    sorted by its ends lists them, no sort is needed; otherwise
    :func:`unique_sorted` counts the distinct keys.

    Examples
    --------
    >>> pairs_listed_once(3, np.array([0, 0, 1]), np.array([1, 2, 2]))
    True
    >>> pairs_listed_once(3, np.array([1, 0, 1]), np.array([2, 1, 2]))  # (1, 2) twice
    False
    """
    keys = np.asarray(lo, dtype=np.int64) * max(int(n), 1) + np.asarray(hi, dtype=np.int64)
    if (keys[1:] > keys[:-1]).all():
        return True
    return len(unique_sorted(keys)) == len(keys)


def reduce_by_key(keys, reductions):
    """Each distinct value of the integer array ``keys`` (sorted), its rows, and reductions of columns over them.

    ``reductions`` is a list of ``(ufunc, column)``, e.g. ``[(np.maximum,
    days)]`` for each key's latest day: ``ufunc.reduceat`` of the column's
    rows of each key. One sort of ``keys``, in no particular order within a
    key, so use it for reductions whose result does not depend on the order
    (minimum, maximum, integer sums).

    Examples
    --------
    >>> keys, rows, (latest,) = reduce_by_key(np.array([3, 1, 3, 2]), [(np.maximum, np.array([10, 20, 30, 40]))])
    >>> keys.tolist(), rows.tolist(), latest.tolist()
    ([1, 2, 3], [1, 1, 2], [20, 40, 30])
    """
    keys = np.asarray(keys)
    if not len(keys):
        return keys, np.zeros(0, dtype=np.int64), [np.asarray(column)[:0] for _, column in reductions]
    order = np.argsort(keys)
    keys = keys[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    rows = np.diff(np.r_[starts, len(keys)]).astype(np.int64)
    return keys[starts], rows, [ufunc.reduceat(np.asarray(column)[order], starts) for ufunc, column in reductions]


def distinct_rows(*columns, counts=False):
    """The distinct rows of integer ``columns``, sorted by the first column, then the next.

    One sort of a single int64 key when the columns' ranges allow it, a
    lexicographic sort otherwise. With ``counts=True`` the last array
    returned is how many times each row occurs.

    Examples
    --------
    >>> [c.tolist() for c in distinct_rows(np.array([1, 0, 1, 1]), np.array([2, 5, 2, 0]), counts=True)]
    [[0, 1, 1], [5, 0, 2], [1, 1, 2]]
    """
    columns = [np.asarray(c, dtype=np.int64) for c in columns]
    if not len(columns[0]):
        return columns + [np.zeros(0, dtype=np.int64)] * counts
    lows = [int(c.min()) for c in columns]
    sizes = [int(c.max()) - low + 1 for c, low in zip(columns, lows)]
    if np.prod([float(n) for n in sizes]) < 2.0 ** 62:
        key = columns[0] - lows[0]
        for c, low, n in zip(columns[1:], lows[1:], sizes[1:]):
            key = key * n + (c - low)
        key, times = sorted_counts(key)
        out = []
        for low, n in zip(lows[:0:-1], sizes[:0:-1]):
            out.append(key % n + low)
            key = key // n
        return [key + lows[0], *reversed(out)] + [times] * counts
    order = np.lexsort(columns[::-1])
    columns = [c[order] for c in columns]
    starts = np.flatnonzero(run_starts(*columns))
    times = np.diff(np.r_[starts, len(order)]).astype(np.int64)
    return [c[starts] for c in columns] + [times] * counts


def spans(group, person, day, *, window):
    """Each person's days in a group merged into spans ``[first day, last day + window]``.

    Two people co-work in a group when some of their days are at most
    ``window`` apart, i.e. when some ``[d, d + window]`` of one overlaps some
    of the other. A person's overlapping ``[d, d + window]`` merge into one
    span without changing which others they overlap, and a client seen by
    the same practitioner every few weeks for a year becomes one span
    instead of dozens of days.

    Parameters
    ----------
    group, person, day : ndarray of int
        Distinct rows sorted by group, person, then day.
    window : int
        Days.

    Returns
    -------
    tuple of ndarray
        ``group``, ``person``, ``start``, ``end`` of each span, sorted by
        group, then start.

    Examples
    --------
    >>> g, p, start, end = spans(np.array([0, 0, 0]), np.array([4, 4, 4]), np.array([1, 5, 30]), window=10)
    >>> start.tolist(), end.tolist()
    ([1, 30], [15, 40])
    """
    if not len(day):
        return group, person, day, day
    new = np.r_[True, (group[1:] != group[:-1]) | (person[1:] != person[:-1]) | (day[1:] - day[:-1] > window)]
    first = np.flatnonzero(new)
    last = np.r_[first[1:], len(day)] - 1
    group, person, start, end = group[first], person[first], day[first], day[last] + window
    order = _stable_order(group, start)
    return group[order], person[order], start[order], end[order]


def _stable_order(major, minor):
    """``numpy.lexsort((minor, major))`` of two integer columns: the same permutation, by one stable sort if it can.

    Rows tied on both keep their order, as in a lexsort. When the two fit one
    int64 key (``major`` then ``minor``), a stable argsort of the key gives the
    same permutation; on :func:`spans`' rows (sorted by group, each person's
    spans in order of start) it finds runs already in order, and takes a
    tenth of the lexsort's time at large (docs/benchmarks.md, "Session 20").

    Examples
    --------
    >>> _stable_order(np.array([1, 0, 1, 0]), np.array([5, 7, 2, 7])).tolist()
    [1, 3, 2, 0]
    """
    if not len(major):
        return np.zeros(0, dtype=np.intp)
    low_major, low_minor = int(major.min()), int(minor.min())
    size_major, size_minor = int(major.max()) - low_major + 1, int(minor.max()) - low_minor + 1
    if float(size_major) * float(size_minor) >= 2.0 ** 62:
        return np.lexsort((minor, major))
    key = (np.asarray(major, dtype=np.int64) - low_major) * size_minor + (np.asarray(minor, dtype=np.int64) - low_minor)
    return np.argsort(key, kind="stable")


def overlap_pairs(group, person, start, end):
    """Every (group, person pair) of two spans in one group that overlap.

    Spans must be sorted by group, then start. Each span is compared with the
    next spans of its group in turn until one starts after it ends (every
    later one does too), so the work is the number of overlapping span pairs
    (a band join), done one offset at a time over all spans at once.

    Returns
    -------
    tuple of ndarray
        ``group``, ``low``, ``high`` with ``low < high`` the two people's
        codes, once per overlapping pair of spans (not distinct).

    Examples
    --------
    >>> g, low, high = overlap_pairs(np.array([0, 0, 0, 1]), np.array([2, 0, 1, 0]),
    ...                              np.array([1, 5, 20, 1]), np.array([11, 15, 30, 11]))
    >>> g.tolist(), low.tolist(), high.tolist()  # group 0: people 2 and 0 overlap on days 5 to 11
    ([0], [0], [2])
    """
    n = len(group)
    active = np.arange(max(n - 1, 0))
    found = []
    offset = 1
    while len(active):
        later = active + offset
        inside = later < n
        active, later = active[inside], later[inside]
        near = (group[later] == group[active]) & (start[later] <= end[active])
        active, later = active[near], later[near]
        a, b = person[active], person[later]
        other = a != b
        found.append((group[active][other], np.minimum(a, b)[other], np.maximum(a, b)[other]))
        offset += 1
    if not found:
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(3))
    return tuple(np.concatenate(part) for part in zip(*found))
