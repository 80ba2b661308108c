"""The coded log of a period: the same rows as the masked log, as views where the rows are one run."""

import numpy as np
import pandas as pd
import pytest

from netdash.dataset import Dataset
from netdash.networks.codes import _CONTACT_FIELDS, _ATTENDANCE_FIELDS, coded_log
from netdash.networks.counts import period_log
from netdash.periods import Period


def _dataset(dates):
    people = [{"practitioner_id": f"p{k}", "agency_id": "A" if k % 2 else "B"} for k in range(4)]
    contacts = [{"date": d, "practitioner_id": f"p{k % 4}", "with_practitioner_id": f"p{(k + 1) % 4}",
                 "client_id": f"c{k % 3}"} for k, d in enumerate(dates)]
    attendance = [{"session_id": f"s{k}", "date": d, "practitioner_id": f"p{k % 4}"} for k, d in enumerate(dates)]
    return Dataset.from_records(agencies=[{"agency_id": "A", "name": "A"}, {"agency_id": "B", "name": "B"}],
                                practitioners=people, contacts=contacts, cop_attendance=attendance)


IN_ORDER = ["2024-01-05", "2024-02-01", "2024-02-10", "2024-03-03", "2024-04-20"]
SHUFFLED = ["2024-02-10", "2024-01-05", "2024-04-20", "2024-02-01", "2024-03-03"]
# In date order with repeated days: its periods' rows are found by binary search (counts._contact_rows).
REPEATED = ["2024-01-05", "2024-01-05", "2024-02-01", "2024-02-01", "2024-02-01", "2024-02-10", "2024-03-03",
            "2024-03-03", "2024-04-20"]
DAY = pd.Timestamp


@pytest.mark.parametrize("dates", [IN_ORDER, SHUFFLED, REPEATED])
@pytest.mark.parametrize("period", [Period("2024-02-01", "2024-03-04"), Period("2024-01-01", "2024-02-01"),
                                    Period("2025-01-01", "2025-02-01"), Period("2024-01-01", "2025-01-01"),
                                    Period(DAY("2024-02-01"), DAY("2024-03-03")), Period(None, DAY("2024-02-01")),
                                    Period(DAY("2024-02-10"), None), Period(DAY("2024-02-01 12:00"), None),
                                    Period(DAY("2023-01-01"), DAY("2024-01-05")), Period()])
def test_a_periods_log_holds_exactly_the_rows_of_its_period(dates, period):
    ds = _dataset(dates)
    whole = coded_log(ds)
    contacts = period.mask(ds.contacts["date"]).to_numpy()
    attendance = period.mask(ds.cop_attendance["date"]).to_numpy()
    log = period_log(ds, period)
    for name in _CONTACT_FIELDS:
        assert getattr(log, name).tolist() == getattr(whole, name)[contacts].tolist(), name
    for name in _ATTENDANCE_FIELDS:
        assert getattr(log, name).tolist() == getattr(whole, name)[attendance].tolist(), name


def test_a_period_of_a_log_in_date_order_shares_the_whole_logs_memory():
    ds = _dataset(IN_ORDER)
    whole = period_log(ds)
    log = period_log(ds, Period("2024-02-01", "2024-03-04"))
    assert log.day.tolist() == [int(np.datetime64(d, "D").astype(int)) for d in IN_ORDER[1:4]]
    for name in _CONTACT_FIELDS + _ATTENDANCE_FIELDS:
        assert np.shares_memory(getattr(log, name), getattr(whole, name)), name
    # Out of order, the same period is a copy (a mask picks rows 0 and 3).
    shuffled = _dataset(SHUFFLED)
    log = period_log(shuffled, Period("2024-02-01", "2024-03-04"))
    assert not np.shares_memory(log.day, period_log(shuffled).day)
    assert sorted(log.day.tolist()) == [int(np.datetime64(d, "D").astype(int)) for d in IN_ORDER[1:4]]


@pytest.mark.parametrize("seed", range(5))
def test_isin_sorted_is_numpys_isin(seed):
    from netdash.networks import isin_sorted

    rng = np.random.default_rng(seed)
    values = rng.integers(-50, 50, 400) * (10 ** seed)
    keys = rng.integers(-50, 50, rng.integers(0, 60)) * (10 ** seed)
    assert isin_sorted(values, keys).tolist() == np.isin(values, keys).tolist()
    assert isin_sorted(values[:0], keys).tolist() == []


@pytest.mark.parametrize("seed", range(5))
def test_unique_sorted_is_numpys_unique(seed):
    from netdash.networks import unique_sorted

    rng = np.random.default_rng(seed)
    values = rng.integers(-50, 50, rng.integers(0, 400)) * (10 ** seed)
    got = unique_sorted(values)
    assert got.dtype == np.unique(values).dtype and got.tolist() == np.unique(values).tolist()
    assert unique_sorted(values.reshape(-1, 1)).tolist() == np.unique(values).tolist()


def test_unique_sorted_refuses_floats():
    from netdash.networks import unique_sorted

    with pytest.raises(TypeError, match="unique_sorted needs an integer or boolean array; got float64"):
        unique_sorted(np.array([1.0, np.nan]))


@pytest.mark.parametrize("seed", range(8))
def test_pairs_listed_once_is_a_set_of_the_pairs(seed):
    from netdash.networks.codes import pairs_listed_once

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    lo, hi = rng.integers(0, n, (2, int(rng.integers(0, 40))))
    if seed % 2:  # sorted and distinct, as an edge table lists its pairs: the path without a sort
        pairs = sorted(set(zip(lo.tolist(), hi.tolist())))
        lo, hi = np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64)
    assert pairs_listed_once(n, lo, hi) == (len(set(zip(lo.tolist(), hi.tolist()))) == len(lo))
    assert pairs_listed_once(n, np.r_[lo, lo[:1]], np.r_[hi, hi[:1]]) == (len(lo) == 0)  # one pair again


@pytest.mark.parametrize("seed", range(5))
def test_reduce_by_key_is_a_groupby(seed):
    # Each key's rows, smallest and largest value, against pandas' groupby; keys in any order, negative ones too.
    from netdash.networks import reduce_by_key

    rng = np.random.default_rng(seed)
    keys, values = rng.integers(-20, 20, rng.integers(0, 300)), rng.integers(-10**12, 10**12, 300)
    values = values[:len(keys)]
    got, rows, (low, high) = reduce_by_key(keys, [(np.minimum, values), (np.maximum, values)])
    expected = pd.Series(values).groupby(keys).agg(["size", "min", "max"])
    assert got.tolist() == expected.index.tolist() and rows.tolist() == expected["size"].tolist()
    assert low.tolist() == expected["min"].tolist() and high.tolist() == expected["max"].tolist()
    assert rows.dtype == np.int64 and low.dtype == values.dtype


def test_a_period_found_by_binary_search_is_the_masks_rows():
    from netdash.networks.counts import _contact_rows

    ds = _dataset(REPEATED)
    for start in [None, *REPEATED, "2023-12-31", "2024-04-21"]:
        for end in [None, *REPEATED, "2024-12-31"]:
            if start is not None and end is not None and DAY(start) >= DAY(end):
                continue
            period = Period(start and DAY(start), end and DAY(end))
            rows = _contact_rows(ds, period)
            assert isinstance(rows, slice)
            assert np.flatnonzero(period.mask(ds.contacts["date"]).to_numpy()).tolist() == list(
                range(len(REPEATED)))[rows]
    # Out of date order, or with a missing date, the mask itself.
    assert not isinstance(_contact_rows(_dataset(SHUFFLED), Period(DAY("2024-02-01"), None)), slice)


# spans() orders its spans by group, then start, ties in row order: one stable sort of a combined key where the two
# columns fit in int64, numpy.lexsort otherwise. Either way the permutation is numpy.lexsort's.

@pytest.mark.parametrize("seed", range(6))
def test_stable_order_is_lexsorts_permutation(seed):
    from netdash.networks.codes import _stable_order

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    major = rng.integers(-5, 8, n)
    minor = rng.integers(-3, 4, n) * [1, 1000, 10**9, 1, 2**40, 3][seed]  # many ties; wide ranges
    assert np.array_equal(_stable_order(major, minor), np.lexsort((minor, major)))


def test_stable_order_falls_back_to_lexsort_when_the_key_would_overflow():
    from netdash.networks.codes import _stable_order

    major = np.array([2**40, 0, 2**40, 0], dtype=np.int64)
    minor = np.array([3, 2**40, -(2**40), 2**40], dtype=np.int64)
    assert _stable_order(major, minor).tolist() == np.lexsort((minor, major)).tolist() == [1, 3, 2, 0]
    assert _stable_order(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)).tolist() == []


def _spans_with_lexsort(group, person, day, window):
    new = np.r_[True, (group[1:] != group[:-1]) | (person[1:] != person[:-1]) | (day[1:] - day[:-1] > window)]
    first = np.flatnonzero(new)
    last = np.r_[first[1:], len(day)] - 1
    group, person, start, end = group[first], person[first], day[first], day[last] + window
    order = np.lexsort((start, group))
    return group[order], person[order], start[order], end[order]


@pytest.mark.parametrize("seed", range(5))
def test_spans_are_those_ordered_by_lexsort(seed):
    from netdash.networks.codes import distinct_rows, spans

    rng = np.random.default_rng(seed)
    n = 2000
    rows = distinct_rows(rng.integers(0, 30, n), rng.integers(0, 12, n), rng.integers(0, 400, n))
    for window in (0, 5, 90):
        got, want = spans(*rows, window=window), _spans_with_lexsort(*rows, window)
        assert all(np.array_equal(g, w) for g, w in zip(got, want))
