"""The coded edge tables behind :mod:`netdash.networks.graphs`, and the store that keeps them.

:mod:`netdash.networks.graphs` builds its public tables (ids, data frames) from the
integer arrays made here, and :mod:`netdash.metrics.trust` and
:mod:`netdash.metrics.basic` count on the same arrays. Each function returns
codes of :attr:`netdash.networks.codes.CodedLog.ids` (sorted ids, so tables
sorted by code are sorted by id). The coded log, its period views and each
coded table are computed once per dataset object and kept in its
:attr:`netdash.dataset.Dataset.memo`; the arrays served are shared, not
copied, so callers must not modify them.
"""

import functools

import numpy as np

from netdash.networks.codes import coded_log, distinct_rows, overlap_pairs, run_starts, spans
from netdash.errors import InvalidInputError
from netdash.periods import Period

__all__ = [
    "TIE_TYPES",
    "reused",
    "stored",
    "period_log",
    "dataset_log",
    "tie_types",
    "check_window",
    "direct_counts",
    "coworking_counts",
    "cop_counts",
    "union_counts",
    "kept_union_counts",
    "whole_or_float",
]

TIE_TYPES = {
    "direct": ("direct",),
    "coworking": ("coworking",),
    "cop": ("cop",),
    "working": ("coworking", "direct"),
    "all": ("cop", "coworking", "direct"),
}
"""Allowed ``ties`` values and the tie types each one unions."""


def reused(func):
    """Serve ``func(ds, period, **options)`` from ``ds.memo``, as a copy the caller may modify.

    The key is the function, the period and the options; options that
    cannot be hashed (e.g. ``include`` given as a Series) are computed
    every time.
    """

    @functools.wraps(func)
    def wrapper(ds, period=None, **options):
        key = (func.__module__, func.__qualname__, _period(period), tuple(sorted(options.items())))
        try:
            hash(key)
        except TypeError:  # not worth keeping
            return func(ds, period, **options)
        return stored(key, ds, lambda: func(ds, period, **options)).copy()

    return wrapper


def stored(key, ds, compute):
    """``compute()`` once per ``key`` for the dataset ``ds``, kept in ``ds.memo``.

    For values shared by several tables (arrays, the coded log); they are not
    copied, so callers must not modify them. An object without a ``memo``
    (not a :class:`netdash.dataset.Dataset`) gets ``compute()`` every time.
    """
    memo = getattr(ds, "memo", None)
    if memo is None:
        return compute()
    return memo.get((_MEMO_SPACE, key), compute)


def peek_stored(key, ds):
    """``(value,)`` when :func:`stored` keeps a value under ``key`` for ``ds``, else None: nothing is computed."""
    memo = getattr(ds, "memo", None)
    return None if memo is None else memo.peek((_MEMO_SPACE, key))


_MEMO_SPACE = "netdash.networks"  # the part of ds.memo that stored and peek_stored use


def period_log(ds, period=None):
    """:class:`netdash.networks.codes.CodedLog` of the contacts and attendance in ``period``."""
    period = _period(period)
    whole = dataset_log(ds)
    if period == Period():
        return whole
    return stored(("coded_log", period), ds, lambda: whole.rows(
        _contact_rows(ds, period), period.mask(ds.cop_attendance["date"]).to_numpy()))


def _contact_rows(ds, period):
    """The contact rows in ``period``: ``period.mask`` of the dates, or the same rows as a slice.

    When the contacts are in date order (as the demo's and most exports are)
    the period's rows are one run, found by two binary searches instead of
    comparing every date twice: Over time asks for 8 to 24 windows of
    millions of contacts. The comparisons are the mask's (Timestamps), so the
    rows are the same.
    """
    dates = ds.contacts["date"]
    if not stored(("contacts_in_date_order",), ds, lambda: bool(dates.notna().all() and dates.is_monotonic_increasing)):
        return period.mask(dates).to_numpy()
    return slice(_first_not_before(dates, period.start, 0), _first_not_before(dates, period.end, len(dates)))


def _first_not_before(dates, bound, default):
    """The first row of the sorted ``dates`` on or after ``bound`` (``default`` for no bound)."""
    if bound is None:
        return default
    low, high = 0, len(dates)
    while low < high:
        middle = (low + high) // 2
        if (dates.iloc[middle:middle + 1] < bound).iloc[0]:  # the mask's comparison (a bound may be a string)
            low = middle + 1
        else:
            high = middle
    return low


def dataset_log(ds):
    """:func:`netdash.networks.codes.coded_log` of ``ds``, coded once per dataset object and kept in ``ds.memo``.

    Coding is costly at scale (``docs/benchmarks.md``, "dataset_log"), so every
    graph and analysis of the same dataset (the app shares one read-only
    Dataset per version) reuses the one log.
    """
    return stored(("coded_log",), ds, lambda: coded_log(ds))


def direct_counts(ds, period):
    """Coded :func:`contact_edges`: pairs and weights, and the rows per (pair, type).

    Keys ``source``, ``target``, ``weight`` (one entry per pair, sorted:
    the sum of the rows' ``weight``, i.e. the number of rows when no weights
    were given) and ``pair``, ``type``, ``count`` (one entry per pair and
    contact type used, sorted by pair, then type name; rows). For a dataset
    with ``directed=False`` every row also counts from colleague to author.
    """
    def compute():
        log = period_log(ds, period)
        keep = (log.colleague >= 0) & (log.author >= 0) & (log.author != log.colleague)
        author, colleague, kind = log.author[keep], log.colleague[keep], log.contact_type[keep]
        strength = log.weight[keep] if log.weight is not None else np.ones(len(author))
        if not getattr(ds, "directed", True):
            # Undirected data: each row counts in both directions.
            author, colleague = np.r_[author, colleague], np.r_[colleague, author]
            kind, strength = np.r_[kind, kind], np.r_[strength, strength]
        source, target, kind, counts = distinct_rows(author, colleague, kind, counts=True)
        new = run_starts(source, target)
        starts = np.flatnonzero(new)
        if np.all(strength == 1):  # the usual case: the strength of a pair is its number of rows
            weight = np.add.reduceat(counts, starts) if len(starts) else np.zeros(0, dtype=np.int64)
        else:  # rows sorted by pair, as distinct_rows sorts the pairs: sum each pair's strengths
            order = np.lexsort((colleague, author))
            a, c = author[order], colleague[order]
            first = np.flatnonzero(np.r_[True, (a[1:] != a[:-1]) | (c[1:] != c[:-1])])
            weight = whole_or_float(np.add.reduceat(strength[order], first))
        return {"source": source[starts], "target": target[starts], "weight": weight,
                "pair": np.cumsum(new) - 1, "type": kind, "count": counts}

    return stored(("direct", _period(period)), ds, compute)


def check_window(window_days):
    if isinstance(window_days, bool) or not isinstance(window_days, (int, np.integer)) or window_days < 0:
        raise InvalidInputError(
            f"window_days must be a whole number of days, 0 or more; got {window_days!r}. "
            "Use e.g. window_days=90.")


def coworking_counts(ds, period, window_days):
    """Coded :func:`coworking_edges`: ``source``, ``target`` codes (sorted) and ``weight``."""
    def compute():
        log = period_log(ds, period)
        keep = (log.client >= 0) & (log.author >= 0)
        rows = distinct_rows(log.client[keep], log.author[keep], log.day[keep])
        _, low, high = distinct_rows(*overlap_pairs(*spans(*rows, window=int(window_days))))
        return tuple(distinct_rows(low, high, counts=True))

    return stored(("coworking", _period(period), int(window_days)), ds, compute)


def cop_counts(ds, period):
    """Coded :func:`cop_edges`: ``source``, ``target`` codes (sorted) and ``weight``."""
    def compute():
        log = period_log(ds, period)
        keep = log.person >= 0
        session, person = distinct_rows(log.session[keep], log.person[keep])
        # Every two attendees of a session: spans that all overlap.
        _, low, high = overlap_pairs(session, person, np.zeros_like(session), np.zeros_like(session))
        return tuple(distinct_rows(low, high, counts=True))

    return stored(("cop", _period(period)), ds, compute)


def tie_types(ties):
    if ties not in TIE_TYPES:
        raise InvalidInputError(
            f"ties={ties!r} is not a tie choice. Use one of: {', '.join(map(repr, TIE_TYPES))} "
            "('working' = direct + coworking; 'all' = direct + coworking + cop).")
    return TIE_TYPES[ties]


def union_counts(ds, period, ties, window_days):
    """Coded :func:`practitioner_edges`: ``source``, ``target`` codes and a dict of counts per type.

    None when no chosen table has a row.
    """
    found = kept_union_counts(ds, period, ties, window_days)
    if found is not None:
        return found[0]
    chosen = tie_types(ties)
    window = int(window_days) if "coworking" in chosen else None
    key = _union_key(period, chosen, window)

    def compute():
        tables = {}
        if "direct" in chosen:
            found = direct_counts(ds, period)
            # Undirected data has each row both ways in direct_counts: count it once per pair here.
            halve = 1 if getattr(ds, "directed", True) else 2
            tables["direct"] = (found["source"], found["target"], found["weight"] / halve)
        if "coworking" in chosen:
            tables["coworking"] = coworking_counts(ds, period, window_days)
        if "cop" in chosen:
            tables["cop"] = cop_counts(ds, period)
        if not any(len(w) for _, _, w in tables.values()):
            return None
        n = len(period_log(ds, period).ids)
        # Direct contacts are directed: both directions of a pair sum into one unordered pair.
        keys = [np.minimum(s, t) * n + np.maximum(s, t) for s, t, _ in tables.values()]
        pairs, where = np.unique(np.concatenate(keys), return_inverse=True)
        where = np.split(where, np.cumsum([len(k) for k in keys])[:-1])
        counts = {name: np.zeros(len(pairs), dtype=np.int64) for name in ("direct", "coworking", "cop")}
        for (name, (_, _, weight)), rows in zip(tables.items(), where):
            counts[name] = whole_or_float(np.bincount(rows, weights=weight, minlength=len(pairs)))
        return pairs // n, pairs % n, counts

    return stored(key, ds, compute)


def kept_union_counts(ds, period, ties, window_days):
    """``(union_counts(ds, period, ties, window_days),)`` when ``ds.memo`` keeps it, else None: nothing is counted.

    Kept means kept under its own key, or taken from a wider union still kept
    (milliseconds) and not kept a second time: the copy pushed other tables out
    of the memo (20 MB for the large demo's direct contacts). Asking keeps the
    wider union recently used. For a caller that has a cheaper way than
    counting again when the pairs are gone (:attr:`netdash.analysis.NetworkAnalysis.matrix`).

    Raises
    ------
    InvalidInputError
        As :func:`union_counts`, for an unknown tie choice or co-working window.
    """
    chosen = tie_types(ties)
    if "coworking" in chosen:
        check_window(window_days)
    window = int(window_days) if "coworking" in chosen else None
    found = peek_stored(_union_key(period, chosen, window), ds)
    if found is not None:
        return found
    return _from_kept_union(ds, period, chosen, window_days)


def _union_key(period, chosen, window):
    return ("union", _period(period), chosen, window)


def _from_kept_union(ds, period, chosen, window_days):
    """``(union,)`` of the ``chosen`` tie types taken from a union of more types already kept in ``ds.memo``.

    None when no such union is kept. Its pairs with a row of a chosen type are
    exactly the chosen union's pairs, in the same (sorted) order, and their
    counts per chosen type are the same sums: ingest only accepts positive
    weights, so a pair has a row of a type exactly when its count of that type
    is above zero. This spares the sort of every pair key when a page asks
    for direct contacts after working ties (COP impact's ties choice).
    """
    try:
        check_window(window_days)
        window = int(window_days)
    except InvalidInputError:  # direct contacts or COP sessions alone take no window: look only for wider ones
        window = None        # without co-working
    for wider in TIE_TYPES.values():
        if not set(chosen) < set(wider) or ("coworking" in wider and window is None):
            continue
        # Direct and COP counts do not depend on the co-working window, so a wider union of any valid window
        # would do; the caller's is the one kept when a page changes only its ties.
        found = peek_stored(_union_key(period, wider, window if "coworking" in wider else None), ds)
        if found is None:
            continue
        if found[0] is None:  # no wider table has a row
            return (None,)
        source, target, counts = found[0]
        keep = np.zeros(len(source), dtype=bool)
        for name in chosen:
            keep |= counts[name] > 0
        if not keep.any():
            return (None,)
        kept = {name: (counts[name][keep] if name in chosen else np.zeros(int(keep.sum()), dtype=np.int64))
                for name in ("direct", "coworking", "cop")}
        return (source[keep], target[keep], kept),
    return None


def whole_or_float(values):
    """``values`` as int64 when every one is a whole number (counts), else as float64 (tie strengths).

    Examples
    --------
    >>> whole_or_float(np.array([2.0, 3.0])).dtype.name, whole_or_float(np.array([0.5])).dtype.name
    ('int64', 'float64')
    """
    values = np.asarray(values, dtype=np.float64)
    whole = np.round(values)
    return whole.astype(np.int64) if np.all(np.abs(values - whole) <= 1e-9 * np.maximum(1, whole)) else values


def _period(period):
    return Period() if period is None else period
