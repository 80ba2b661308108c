"""COP impact's tie panel from one pass over the contacts: the same ties as counting each window's contacts.

``tie_panel`` finds the ties of every month, and of every window of months that the person-level headline
asks for, from :func:`netdash.change.impact.panel._month_evidence` instead of counting the contacts of each
period (:func:`netdash.networks.counts.union_counts`, through ``panel._cross``). These tests hold the two to
the same arrays, in the same order, on hand-made contacts, the bundled demo and generated demos.
"""

import numpy as np
import pandas as pd
import pytest

from netdash.change.impact import impact_design
from netdash.change.impact.panel import _cross, tie_panel
from netdash.change.impact.person import pair_windows
from netdash.dataset import Dataset
from netdash.periods import Period


def _reference(ds, design, panel, first, last):
    """``panel._cross`` of the months ``first .. last``: the ties counted on that period's own contacts."""
    start = pd.Timestamp(panel.months[0] + "-01")
    period = Period(start + pd.DateOffset(months=first), start + pd.DateOffset(months=last + 1))
    prac = ds.practitioners
    code = pd.Index(prac["practitioner_id"].astype(object))
    agency = pd.factorize(prac["agency_id"].astype(object).where(prac["agency_id"].notna(), None),
                          use_na_sentinel=True)[0]
    agency = np.where(agency < 0, np.arange(agency.size) + agency.max() + 1, agency)
    return _cross(ds, period, design, code, agency)


def _assert_same_as_counting(ds, design, *, longest=None):
    panel = tie_panel(ds, design)
    n = len(panel.months)
    # The months' ties one month after another, each month's as counted on its own contacts (all months' at once
    # since session 18: the same arrays as concatenating each month's).
    months = [_reference(ds, design, panel, t, t) for t in range(n)]
    want = [np.concatenate([m[k] for m in months]) for k in (0, 1)]
    want.append(np.concatenate([np.full(m[0].size, t) for t, m in enumerate(months)]))
    for got, expected in zip((panel.tie_a, panel.tie_b, panel.tie_month), want):
        assert got.dtype == expected.dtype and np.array_equal(got, expected)
    windows = []
    for first in range(n):
        for last in range(first, n if longest is None else min(n, first + longest)):
            got, want = panel.window_ties(first, last), _reference(ds, design, panel, first, last)
            assert all(g.dtype == w.dtype and np.array_equal(g, w) for g, w in zip(got, want)), (first, last)
            windows.append((first, last))
    # The person-level headline's table of pairs by window, found from the evidence at once (session 18), is the
    # one made from each window's ties: for all windows, some, one, and none that holds a tie.
    rng = np.random.default_rng(n)
    for chosen in (windows, [windows[i] for i in rng.choice(len(windows), min(25, len(windows)), replace=False)],
                   windows[-1:], [(n, n + 3)]):
        keys, inside = panel.windows_of(chosen)
        want_keys, want_inside = pair_windows([panel.window_ties(f, l) for f, l in chosen], panel.n_nodes)
        assert keys.dtype == want_keys.dtype and np.array_equal(keys, want_keys)
        assert inside.dtype == want_inside.dtype and np.array_equal(inside, want_inside)
    assert panel.windows_of(windows)[0].size > 0 or not panel.tie_a.size
    return panel, len(windows)


def _hand_made():
    """Agencies A and B; a1, a2 in A, b1, b2 in B; client c1 seen across the January/February boundary."""
    prac = [{"practitioner_id": p, "agency_id": p[0].upper(), "role": "worker"} for p in ("a1", "a2", "b1", "b2")]
    rows = [
        ("2024-01-30 17:45", "a1", None, "c1"),  # a1 and b1 see c1 three days apart, in two months
        ("2024-02-02 09:00", "b1", None, "c1"),
        ("2024-01-05", "a2", None, "c2"),  # a2 and b2 see c2 five months apart: no tie in any window
        ("2024-06-20", "b2", None, "c2"),
        ("2024-03-01", "a2", "b2", None),  # a direct contact in March
        ("2024-03-31 23:59", "b1", None, "c3"),  # b1 alone with c3, across March and April: no tie with itself
        ("2024-04-01", "b1", None, "c3"),
        ("2024-05-10", "a1", "a2", None),  # within agency A: never a cross-agency tie
        ("2024-12-20", "a1", "b2", None),
    ]
    contacts = [{"date": d, "practitioner_id": p, "with_practitioner_id": w, "client_id": c, "contact_type": "visit"}
                for d, p, w, c in rows]
    att = [{"session_id": "S1", "date": "2024-07-01", "practitioner_id": p, "cop_name": "COP"} for p in ("a1", "b1")]
    return Dataset.from_records(agencies=[{"agency_id": a, "name": a} for a in "AB"], practitioners=prac,
                                contacts=contacts, cop_attendance=att)


def test_co_working_across_a_month_boundary_is_a_tie_of_the_window_not_of_either_month():
    ds = _hand_made()
    panel, windows = _assert_same_as_counting(ds, impact_design(ds, ties="working", window_days=30))
    assert windows == 12 * 13 // 2
    ids = list(ds.practitioners["practitioner_id"])

    def named(a, b):
        return sorted((ids[x], ids[y]) for x, y in zip(a, b))

    months = sorted((ids[a], ids[b], m) for a, b, m in zip(panel.tie_a, panel.tie_b, panel.tie_month))
    assert months == [("a1", "b2", 11), ("a2", "b2", 2)]  # a1-b1 is in neither January nor February alone
    assert named(*panel.window_ties(0, 1)) == [("a1", "b1")]
    assert named(*panel.window_ties(0, 0)) == [] and named(*panel.window_ties(1, 1)) == []
    assert named(*panel.window_ties(0, 5)) == [("a1", "b1"), ("a2", "b2")]  # c2's visits are 167 days apart


def test_co_working_days_further_apart_than_the_window_are_no_tie():
    ds = _hand_made()
    panel, _ = _assert_same_as_counting(ds, impact_design(ds, ties="coworking", window_days=2))
    assert len(panel.window_ties(0, 1)[0]) == 0  # three days apart, window two days


@pytest.mark.parametrize("ties", ["working", "direct", "coworking"])
def test_the_bundled_demo_has_the_same_ties_in_every_month_and_window(ties, demo_source):
    from netdash.ingest import load_dataset

    ds = load_dataset(demo_source, secret=b"month-evidence")[0]
    _, windows = _assert_same_as_counting(ds, impact_design(ds, ties=ties), longest=13)
    assert windows > 200


@pytest.mark.parametrize("seed, window_days", [(2, 7), (3, 45)])
def test_generated_demos_have_the_same_ties_with_short_and_long_co_working_windows(seed, window_days, tmp_path):
    from netdash.demo import DemoScale, generate_demo
    from netdash.ingest import load_dataset

    folder = generate_demo(tmp_path, seed=seed, scale=DemoScale(80, 300, 9), months=14, cop_start_month=7)
    ds = load_dataset(folder, secret=b"month-evidence")[0]
    for ties in ("working", "coworking"):
        panel, _ = _assert_same_as_counting(ds, impact_design(ds, ties=ties, window_days=window_days))
        assert len(panel.tie_a) > 0


def _first_shared_by_pandas(ds, code, first, nodes):
    """The pairs of ``nodes`` and the first month both saw one client, by pandas (the code before session 17)."""
    from netdash.networks.codes import isin_sorted

    c = ds.contacts[ds.contacts["client_id"].notna()]
    node = code.get_indexer(c["practitioner_id"])
    keep = isin_sorted(node, nodes)
    d = pd.DatetimeIndex(c["date"].to_numpy()[keep])
    frame = pd.DataFrame({"client": c["client_id"].to_numpy()[keep], "node": node[keep],
                          "month": ((d.year - first.year) * 12 + (d.month - first.month)).to_numpy(dtype=np.int64)})
    frame = frame.groupby(["client", "node"], as_index=False)["month"].min()
    pairs = frame.merge(frame, on="client")
    pairs = pairs[pairs["node_x"] < pairs["node_y"]]
    pairs = pairs.assign(month=np.maximum(pairs["month_x"], pairs["month_y"]))
    out = pairs.groupby(["node_x", "node_y"], as_index=False)["month"].min()
    return out["node_x"].to_numpy(np.int64), out["node_y"].to_numpy(np.int64), out["month"].to_numpy(np.int64)


@pytest.mark.parametrize("which", ["hand-made", "bundled demo", "generated"])
def test_first_shared_client_months_equal_the_pandas_merge(which, demo_source, tmp_path):
    from netdash.change.impact.panel import _first_shared
    from netdash.demo import DemoScale, generate_demo
    from netdash.ingest import load_dataset

    if which == "hand-made":
        ds = _hand_made()
    else:
        scale = DemoScale(90, 250, 9)
        folder = demo_source if which == "bundled demo" else generate_demo(tmp_path, seed=5, scale=scale)
        ds = load_dataset(folder, secret=b"month-evidence")[0]
    code = pd.Index(ds.practitioners["practitioner_id"].astype(object))
    first = pd.Timestamp(ds.date_range[0].year, ds.date_range[0].month, 1)
    everyone = np.arange(len(code))
    for nodes in (everyone, everyone[::2], everyone[:3], everyone[:1], everyone[:0]):  # one node: no pair
        got, want = _first_shared(ds, code, first, nodes), _first_shared_by_pandas(ds, code, first, nodes)
        assert all(g.dtype == w.dtype and np.array_equal(g, w) for g, w in zip(got, want))
    if which == "hand-made":  # c1: a1 in January, b1 in February; c2: a2 in January, b2 in June
        ids = list(code)
        got = _first_shared(ds, code, first, everyone)
        assert [(ids[a], ids[b], m) for a, b, m in zip(*got)] == [("a1", "b1", 1), ("a2", "b2", 5)]


@pytest.mark.parametrize("seed", range(4))
def test_distinct_evidence_is_distinct_rows_of_the_parts(seed):
    from netdash.change.impact.panel import _distinct_evidence
    from netdash.networks.codes import distinct_rows

    rng = np.random.default_rng(seed)
    n_ids, n_months = [(5, 3), (40, 24), (3000, 7), (2, 1)][seed]
    parts = []
    for size in (0, 300, 2000):
        lo, hi = np.sort(rng.integers(0, n_ids, (2, size)), axis=0)
        since = rng.integers(0, n_months, size)
        parts.append((lo, hi, since, np.minimum(since + rng.integers(0, 3, size), n_months - 1)))
    want = distinct_rows(*(np.concatenate(column) for column in zip(*parts)))
    got = _distinct_evidence(parts, n_ids, n_months)
    assert len(got) == 4 and all(g.dtype == w.dtype and np.array_equal(g, w) for g, w in zip(got, want))
    # Ranges too wide for one int64 key: distinct_rows itself.
    wide = _distinct_evidence(parts, 2**31, 2**16)
    assert all(np.array_equal(g, w) for g, w in zip(wide, want))
