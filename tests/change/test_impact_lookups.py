"""The met-at-COP blocks' lookups: the same answers as the binary searches they replace (session 17)."""

import numpy as np
import pandas as pd
import pytest

from netdash.change.impact.design import _coded_neighbour_counts
from netdash.change.impact.dyads import _class_index
from netdash.change.impact.panel import _first_month_table, _first_months, _unit_pair_keys


def _searched(table, keys):
    uniq, first = table
    if uniq.size == 0 or keys.size == 0:
        return np.full(keys.size, -1, dtype=np.int64)
    pos = np.searchsorted(uniq, keys).clip(max=uniq.size - 1)
    return np.where(uniq[pos] == keys, first[pos], -1)


@pytest.mark.parametrize("seed", range(3))
def test_first_months_of_increasing_keys_equal_the_binary_search(seed):
    rng = np.random.default_rng(seed)
    for _ in range(200):
        n = int(rng.integers(2, 60))
        size = int(rng.integers(0, 200))
        table = _first_month_table(rng.integers(0, n, size), rng.integers(0, n, size), rng.integers(0, 24, size), n)
        keys = np.unique(rng.integers(0, n * n, int(rng.integers(0, 300))))  # increasing: the looked-up path
        keys = keys[: int(rng.integers(0, keys.size + 1))]
        for k in (keys, keys[::-1].copy()):  # and decreasing: the binary search itself
            got = _first_months(table, k)
            assert got.dtype == np.int64 and np.array_equal(got, _searched(table, k))


def test_first_months_finds_a_tie_at_either_end_of_the_keys():
    table = _first_month_table(np.array([0, 0, 2]), np.array([1, 3, 3]), np.array([5, 7, 2]), 4)  # keys 1, 3, 11
    assert _first_months(table, np.array([1, 2, 3, 11])).tolist() == [5, -1, 7, 2]
    assert _first_months(table, np.array([3, 4])).tolist() == [7, -1]


@pytest.mark.parametrize("max_table", [1 << 22, 0])  # the table by agency pair, and the binary search beyond it
def test_class_index_finds_the_classes_a_binary_search_finds(max_table):
    rng = np.random.default_rng(7)
    for _ in range(300):
        agencies = int(rng.integers(1, 40))
        values = np.unique(rng.integers(0, 9 * agencies * agencies, int(rng.integers(0, 50))))
        v = np.r_[rng.integers(0, 9 * agencies * agencies, 500), values[: values.size // 2]]
        i, found = _class_index(values, agencies, max_table=max_table)(v // agencies ** 2, v % agencies ** 2)
        if values.size:
            at = np.searchsorted(values, v).clip(max=values.size - 1)
            assert np.array_equal(found, values[at] == v) and np.array_equal(i[found], at[found])
            assert ((i >= 0) & (i < values.size)).all()  # an index of values even where not found
        else:
            assert not found.any() and (i == 0).all()


@pytest.mark.parametrize("seed", range(20))
def test_neighbour_counts_of_pairs_listed_once_in_order_equal_those_of_any_listing(seed):
    """The coded windows' pairs (each once, sorted, as union_counts gives them) skip np.unique (session 18): the
    same counts as the same pairs listed in any order, either way round, repeated, with self-pairs."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    ids = np.array([f"p{i}" for i in range(n)], dtype=object)
    agency = {p: f"A{rng.integers(0, 4)}" for p in ids if rng.random() < 0.9}  # some without an agency
    keys = np.unique(rng.integers(0, n * n, int(rng.integers(0, 3 * n))))
    u, v = keys // n, keys % n
    once = (u < v)
    u, v = u[once], v[once]
    messy = rng.permutation(np.r_[np.arange(u.size), np.arange(u.size)[: u.size // 2]])
    flip = rng.random(messy.size) < 0.5
    mu, mv = np.where(flip, v[messy], u[messy]), np.where(flip, u[messy], v[messy])
    mu, mv = np.r_[mu, [0, 1]], np.r_[mv, [0, 1]]  # self-pairs count for nobody
    for got, want in zip(_coded_neighbour_counts(u, v, ids, agency), _coded_neighbour_counts(mu, mv, ids, agency)):
        pd.testing.assert_series_equal(got, want)
    assert u.size == 0 or _coded_neighbour_counts(u, v, ids, agency)[1].sum() == 2 * u.size


@pytest.mark.parametrize("seed", range(10))
def test_unit_pair_keys_are_numpys_unique_of_the_pairs(seed):
    """The DiD's pairs of sample units by one sort (unique_sorted, session 18) instead of np.unique's hash table."""
    rng = np.random.default_rng(seed)
    n, size = int(rng.integers(1, 50)), int(rng.integers(0, 400))
    a, b = rng.integers(0, n, size), rng.integers(0, n, size)
    index = np.where(rng.random(n) < 0.8, rng.permutation(n), -1)  # some nodes are not sample units
    i, j = index[a], index[b]
    keep = (i >= 0) & (j >= 0) & (i != j)
    want = np.unique(np.minimum(i, j)[keep].astype(np.int64) * n + np.maximum(i, j)[keep])
    got = _unit_pair_keys(a, b, index, n)
    assert got.dtype == want.dtype and np.array_equal(got, want)


@pytest.mark.parametrize("seed", range(10))
def test_window_counts_are_each_units_distinct_colleagues_in_each_window(seed):
    """window_counts (from pair_windows since session 18) against sets of pairs, window by window."""
    from netdash.change.impact.person import window_counts

    rng = np.random.default_rng(seed)
    n, windows = int(rng.integers(2, 30)), int(rng.integers(1, 8))
    ties = [(rng.integers(0, n, s), rng.integers(0, n, s)) for s in rng.integers(0, 60, windows)]
    units = np.sort(rng.choice(n, int(rng.integers(1, n + 1)), replace=False))
    Y, pa, pb, inside = window_counts(ties, n, units)
    for w, (a, b) in enumerate(ties):
        pairs = {(min(x, y), max(x, y)) for x, y in zip(a.tolist(), b.tolist()) if x != y}
        want = [float(sum(u in p for p in pairs)) for u in units.tolist()]
        assert Y.dtype == np.float64 and Y[:, w].tolist() == want
        got = {(int(units[i]), int(units[j])) for i, j, hit in zip(pa, pb, inside[:, w]) if hit}
        assert got == {p for p in pairs if p[0] in set(units.tolist()) and p[1] in set(units.tolist())}
