"""Per-key first and last dates of the coded contact log, by one sort of plain integers.

:func:`netdash.networks.codes.reduce_by_key` sorts the keys with ``argsort``
and then gathers each column in that order. The contact log's dates are
whole days (the importer reads ISO dates), so a key and its row's day fit in
one int64, and a plain sort of those numbers puts each key's earliest day
first and its latest last: at the large demo's 5.2 M contacts that is about
half the CPU of the argsort and the gathers (``docs/benchmarks.md``,
"Session 17: Isolation and Clients"). Dates with a time of day, missing
dates or keys too wide to share 62 bits with the days take
:func:`~netdash.networks.codes.reduce_by_key`, with the same results.
"""

import numpy as np

from netdash.networks.codes import reduce_by_key

__all__ = []

_DAY_NS = 86_400 * 10**9


def first_last_by_key(keys, stamps):
    """Each distinct key (sorted), its rows, and its earliest and latest stamp.

    The same arrays as ``reduce_by_key(keys, [(np.minimum, stamps), (np.maximum, stamps)])``.

    Parameters
    ----------
    keys : ndarray of int
        Non-negative keys, one per row.
    stamps : ndarray of datetime64[ns]
        One date per row.

    Returns
    -------
    keys : ndarray of int64
    rows : ndarray of int64
    first, last : ndarray of int64
        Nanoseconds since 1970 (``.view(stamps.dtype)`` gives the dates).

    Examples
    --------
    >>> days = np.array(["2024-01-03", "2024-01-01", "2024-01-02", "2024-01-05"], dtype="datetime64[ns]")
    >>> keys, rows, first, last = first_last_by_key(np.array([7, 2, 7, 7]), days)
    >>> keys.tolist(), rows.tolist(), first.view(days.dtype).astype(str).tolist()
    ([2, 7], [1, 3], ['2024-01-01T00:00:00.000000000', '2024-01-02T00:00:00.000000000'])
    >>> str(last.view(days.dtype)[1])[:10]
    '2024-01-05'
    """
    keys = np.asarray(keys).astype(np.int64, copy=False)
    stamps = np.asarray(stamps)
    packed = _packed(keys, stamps)
    if packed is None:
        found, rows, (first, last) = reduce_by_key(keys, [(np.minimum, stamps.view(np.int64)),
                                                          (np.maximum, stamps.view(np.int64))])
        return found, rows, first, last
    values, bits, low = packed
    values.sort()
    group = values >> bits
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(values)]
    day = (1 << bits) - 1
    first = ((values[starts] & day) + low) * _DAY_NS
    last = ((values[ends - 1] & day) + low) * _DAY_NS
    return group[starts], (ends - starts).astype(np.int64), first, last


def _packed(keys, stamps):
    """``(key << bits | day - low, bits, low)`` for every row, or None when the rows do not fit in one int64."""
    if not len(keys) or stamps.dtype != np.dtype("datetime64[ns]") or keys.min() < 0:
        return None
    ns = stamps.view(np.int64)
    if np.isnat(stamps).any():
        return None
    days, rest = np.divmod(ns, _DAY_NS)
    if rest.any():  # a time of day
        return None
    low = int(days.min())
    bits = int(days.max() - low).bit_length()
    if int(keys.max()).bit_length() + bits > 62:
        return None
    return (keys << bits) | (days - low), bits, low
