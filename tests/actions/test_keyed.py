"""netdash.actions._keyed: each key's first and last date by one sort, equal to reduce_by_key's."""

import numpy as np
import pandas as pd
import pytest

from netdash.actions import _keyed
from netdash.actions._keyed import first_last_by_key
from netdash.networks import reduce_by_key


def _reference(keys, stamps):
    found, rows, (low, high) = reduce_by_key(np.asarray(keys, dtype=np.int64),
                                             [(np.minimum, stamps.view(np.int64)), (np.maximum, stamps.view(np.int64))])
    return found, rows, low, high


def _days(rng, n, span=800):
    return (np.datetime64("2023-01-01") + rng.integers(0, span, n)).astype("datetime64[ns]")


@pytest.mark.parametrize("seed", range(6))
def test_whole_days_are_packed_and_give_reduce_by_keys_arrays(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    keys, stamps = rng.integers(0, int(rng.choice([3, 200, 10**9])), n), _days(rng, n)
    packed = []
    monkeypatch.setattr(_keyed, "_packed", lambda k, s, real=_keyed._packed: packed.append(real(k, s)) or packed[-1])
    got = first_last_by_key(keys, stamps)
    assert packed[0] is not None  # the sort of packed numbers was taken
    for a, b in zip(got, _reference(keys, stamps)):
        assert a.dtype == b.dtype == np.int64 and np.array_equal(a, b)


@pytest.mark.parametrize("case", ["time of day", "missing date", "wide keys", "one day", "empty", "seconds"])
def test_other_inputs_give_the_same_arrays(case):
    rng = np.random.default_rng(3)
    keys, stamps = rng.integers(0, 50, 500), _days(rng, 500)
    if case == "time of day":
        stamps = stamps + rng.integers(0, 86_400, 500).astype("timedelta64[s]")
    elif case == "missing date":
        stamps[[3, 40]] = np.datetime64("NaT")
        keys[3] = 10**6  # a key whose only date is missing keeps NaT, as max() over int64 does
    elif case == "wide keys":
        keys = keys * 2**55
    elif case == "one day":
        stamps[:] = np.datetime64("2024-02-29")
    elif case == "empty":
        keys, stamps = keys[:0], stamps[:0]
    elif case == "seconds":
        stamps = stamps.astype("datetime64[s]").astype("datetime64[ns]")
    got = first_last_by_key(keys, stamps)
    for a, b in zip(got, _reference(keys, stamps)):
        assert np.array_equal(a, b)
    if case == "missing date":
        assert got[3][-1] == np.datetime64("NaT").astype("datetime64[ns]").view(np.int64)


def test_the_dates_are_those_of_pandas_groupby():
    rng = np.random.default_rng(9)
    keys, stamps = rng.integers(0, 40, 1000), _days(rng, 1000)
    found, rows, first, last = first_last_by_key(keys, stamps)
    expected = pd.Series(stamps).groupby(keys).agg(["size", "min", "max"])
    assert found.tolist() == expected.index.tolist() and rows.tolist() == expected["size"].tolist()
    assert (first.view(stamps.dtype) == expected["min"].to_numpy()).all()
    assert (last.view(stamps.dtype) == expected["max"].to_numpy()).all()
