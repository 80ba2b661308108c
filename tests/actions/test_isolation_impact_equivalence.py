"""Introductions and the impact outcomes give exactly the results of the code they replaced.

The references below are netdash's code of 27 Nov 2026 before
:func:`netdash.actions.isolation.suggest_introductions` moved onto the coded log
(pandas self-merge on id strings, ``contact_edges`` for pairs in touch, an
f-string per pair) and before :func:`netdash.change.impact.design._neighbour_counts`
lost its Python loops. They are compared (rows, order, dtypes, values) on
the bundled demo and on messy random logs: a contact by someone missing from
practitioners.csv, a practitioner with no agency in the lookup, self
contacts, missing clients, repeated visits, and periods open, closed and
empty. The page's way of calling the impact code (one design per COP start
and ties, a reuse store shared across ties, estimates from the design) is
compared with :func:`netdash.change.impact.evaluate_impact` called afresh.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from netdash.actions import isolation
from netdash.networks import graphs
from netdash.dataset import Dataset
from netdash.change.impact import (evaluate_impact, impact_design, impact_estimates, impact_table,
                                   staggered_estimates)
from netdash.change.impact.design import _neighbour_counts
from netdash.periods import Period, parse_period

# --- references: the previous implementation, copied -----------------------------------------------


def _ref_neighbours(ds, period, ties, window_days):
    edges = graphs.practitioner_edges(ds, period, ties=ties, window_days=window_days)
    edges = edges[edges["source"] != edges["target"]]
    long = pd.concat([
        pd.DataFrame({"practitioner_id": edges["source"], "colleague_id": edges["target"]}),
        pd.DataFrame({"practitioner_id": edges["target"], "colleague_id": edges["source"]}),
    ], ignore_index=True).drop_duplicates()
    agency = ds.practitioners.set_index("practitioner_id")["agency_id"]
    long["cross"] = (long["practitioner_id"].map(agency) != long["colleague_id"].map(agency)).to_numpy()
    return long


def _ref_common_neighbours(neighbours, a, b):
    ids = pd.Index(pd.concat([neighbours["practitioner_id"], neighbours["colleague_id"], a, b]).unique())
    n = len(ids)
    A = sparse.csr_matrix((np.ones(len(neighbours)), (ids.get_indexer(neighbours["practitioner_id"]),
                                                      ids.get_indexer(neighbours["colleague_id"]))),
                          shape=(n, n))
    A.data[:] = 1
    rows_a, rows_b = A[ids.get_indexer(a)], A[ids.get_indexer(b)]
    return np.asarray(rows_a.multiply(rows_b).sum(axis=1)).ravel().astype("int64")


def _ref_evidence(shared, day, common):
    clients = "the same client" if shared == 1 else f"{shared} of the same clients"
    colleagues = "no colleagues in common" if common == 0 else \
        f"{common} colleague{'' if common == 1 else 's'} in common"
    return f"Both worked with {clients}, most recently on {day.date().isoformat()}; {colleagues}."


def _ref_suggest_introductions(ds, period, *, ties="working", top=None, recency_half_life_days=90,
                               window_days=90):
    period = Period() if period is None else period
    neighbours = _ref_neighbours(ds, period, ties, window_days)
    contacts = ds.contacts[period.mask(ds.contacts["date"]) & ds.contacts["client_id"].notna()]
    seen = contacts.groupby(["client_id", "practitioner_id"], as_index=False)["date"].max()
    agency = ds.practitioners.set_index("practitioner_id")["agency_id"]
    seen["agency"] = seen["practitioner_id"].map(agency)
    pairs = seen.merge(seen, on="client_id", suffixes=("_a", "_b"))
    pairs = pairs[(pairs["practitioner_id_a"] < pairs["practitioner_id_b"])
                  & (pairs["agency_a"] != pairs["agency_b"])]
    columns = ["practitioner_a", "practitioner_b", "agency_a", "agency_b", "shared_clients",
               "last_shared_contact", "common_colleagues", "score", "evidence"]
    pairs = pairs.assign(last=np.maximum(pairs["date_a"], pairs["date_b"]))
    out = (pairs.groupby(["practitioner_id_a", "practitioner_id_b", "agency_a", "agency_b"], as_index=False)
           .agg(shared_clients=("client_id", "nunique"), last_shared_contact=("last", "max"))
           .rename(columns={"practitioner_id_a": "practitioner_a", "practitioner_id_b": "practitioner_b"}))
    direct = graphs.contact_edges(ds, period)
    tied = pd.concat([direct[["source", "target"]],
                      direct[["target", "source"]].set_axis(["source", "target"], axis=1)])
    tied = tied.rename(columns={"source": "practitioner_a", "target": "practitioner_b"})
    out = out.merge(tied.drop_duplicates(), how="left", indicator=True)
    out = out[out["_merge"] == "left_only"].drop(columns="_merge")
    if out.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    out["common_colleagues"] = _ref_common_neighbours(neighbours, out["practitioner_a"], out["practitioner_b"])
    reference = (period.end - pd.Timedelta(days=1)) if period.end is not None else contacts["date"].max()
    age = (reference - out["last_shared_contact"]).dt.days.clip(lower=0)
    recency = np.exp2(-age / recency_half_life_days)
    c = out["common_colleagues"]
    out["score"] = out["shared_clients"] + 0.5 * recency + 0.5 * c / (c + 1)
    out["evidence"] = [_ref_evidence(n, day, k) for n, day, k in
                       zip(out["shared_clients"], out["last_shared_contact"], c)]
    out = out.sort_values(["score", "practitioner_a", "practitioner_b"],
                          ascending=[False, True, True]).reset_index(drop=True)
    if top is not None:
        out = out.head(top)
    return out[columns]


def _ref_neighbour_counts(a, b, agency):
    a = pd.Series(np.asarray(a, dtype=object))
    b = pd.Series(np.asarray(b, dtype=object))
    pairs = pd.DataFrame({"u": a, "v": b})[a.to_numpy() != b.to_numpy()]
    swap = pairs["u"].astype(str) > pairs["v"].astype(str)
    pairs = pd.DataFrame({"u": pairs["u"].where(~swap, pairs["v"]),
                          "v": pairs["v"].where(~swap, pairs["u"])}).drop_duplicates()
    ag_u = np.asarray([agency.get(x) for x in pairs["u"]], dtype=object)
    ag_v = np.asarray([agency.get(x) for x in pairs["v"]], dtype=object)
    cross = ag_u != ag_v
    ends = pd.concat([pairs["u"], pairs["v"]], ignore_index=True)
    return ends[np.r_[cross, cross]].value_counts(), ends.value_counts()


# --- data -----------------------------------------------------------------------------------------


def _messy_dataset(seed, *, n_prac=24, n_clients=14, n_rows=600):
    rng = np.random.default_rng(seed)
    pracs = [f"P{i:02d}" for i in range(n_prac)]
    day = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 400, n_rows), unit="D")
    author = rng.choice(pracs + ["Z99"], n_rows)  # Z99: not in practitioners.csv
    colleague = np.where(rng.random(n_rows) < 0.1, author, rng.choice(pracs, n_rows))  # self contacts
    contacts = pd.DataFrame({
        "date": day.strftime("%Y-%m-%d"),
        "practitioner_id": author,
        "client_id": np.where(rng.random(n_rows) < 0.7, rng.choice([f"C{i}" for i in range(n_clients)], n_rows),
                              None),
        "with_practitioner_id": np.where(rng.random(n_rows) < 0.3, colleague, None),
        "contact_type": "phone",
    })
    attendance = [{"session_id": f"S{k}", "date": f"2023-{k + 3:02d}-15", "practitioner_id": p}
                  for k in range(8) for p in rng.choice(pracs[:12], 5)]
    practitioners = [{"practitioner_id": p, "agency_id": "ABCD"[i % 4],
                      "end_date": "2023-03-31" if i % 9 == 4 else None} for i, p in enumerate(pracs)]
    return Dataset.from_records(
        agencies=[{"agency_id": a, "name": f"Agency {a}"} for a in "ABCD"],
        practitioners=practitioners, contacts=contacts.to_dict("records"), cop_attendance=attendance)


@pytest.fixture(scope="module")
def bundled_demo(demo_source):
    from netdash.ingest import load_dataset

    return load_dataset(demo_source, secret=b"test-isolation-impact")[0]


PERIODS = [None, parse_period("2023-03-01:2023-10-01"), parse_period("2023-05-01:"),
           parse_period("1990-01-01:1990-02-01")]


# --- tests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("ties", ["working", "direct", "coworking"])
def test_introductions_equal_previous_version_on_messy_logs(seed, period, ties):
    ds = _messy_dataset(seed)
    got = isolation.suggest_introductions(ds, period, ties=ties)
    pd.testing.assert_frame_equal(got, _ref_suggest_introductions(ds, period, ties=ties), check_exact=True)
    if period is PERIODS[1] and seed == 0:
        assert len(got) > 20  # the comparison is not between two empty tables


@pytest.mark.parametrize("options", [{"top": 5}, {"recency_half_life_days": 7.5, "window_days": 10}])
def test_introductions_options_equal_previous_version(options):
    ds = _messy_dataset(3)
    got = isolation.suggest_introductions(ds, PERIODS[1], **options)
    pd.testing.assert_frame_equal(got, _ref_suggest_introductions(ds, PERIODS[1], **options), check_exact=True)


@pytest.mark.parametrize("ties", ["working", "direct"])
def test_introductions_equal_previous_version_on_demo(bundled_demo, ties):
    first, last = bundled_demo.date_range
    for period in (Period(first, last + pd.Timedelta(days=1)), Period(first, first + pd.Timedelta(days=120))):
        got = isolation.suggest_introductions(bundled_demo, period, ties=ties)
        assert len(got) > 100
        pd.testing.assert_frame_equal(got, _ref_suggest_introductions(bundled_demo, period, ties=ties),
                                      check_exact=True)


@pytest.mark.parametrize("seed", range(6))
def test_neighbour_counts_equal_previous_version(seed):
    rng = np.random.default_rng(seed)
    ids = np.array([f"p{i}" for i in range(15)], dtype=object)
    a, b = rng.choice(ids, 80), rng.choice(ids, 80)  # repeats, both orders and self ties
    agency = {p: "XYZ"[i % 3] for i, p in enumerate(ids[:12])}  # p12..p14: agency unknown (None)
    for got, ref in zip(_neighbour_counts(a, b, agency), _ref_neighbour_counts(a, b, agency)):
        pd.testing.assert_series_equal(got.sort_index(), ref.sort_index(), check_names=False,
                                       check_index_type=False)


def test_neighbour_counts_hand_worked():
    # a-b twice and b-a: one tie; b-c cross; c-c ignored; d has no agency, so d-e (no agency) is not cross.
    cross, degree = _neighbour_counts(["a", "a", "b", "b", "c", "d"], ["b", "b", "a", "c", "c", "e"],
                                      {"a": "H", "b": "H", "c": "M"})
    assert cross.sort_index().to_dict() == {"b": 1, "c": 1}
    assert degree.sort_index().to_dict() == {"a": 1, "b": 2, "c": 1, "d": 1, "e": 1}


def _ref_trust_counts(ds, period, agency):
    from netdash.metrics.trust import trust_edges

    edges = trust_edges(ds, period)
    edges = edges[edges["is_trust_tie"].astype(bool)]
    return _ref_neighbour_counts(edges["a"], edges["b"], agency)[0]


def _ref_impact_table(ds, monkeypatch, **options):
    """The table made with the previous neighbour and trust counting put back in impact_design."""
    from netdash.change.impact import design

    with monkeypatch.context() as patch:
        patch.setattr(design, "_neighbour_counts", _ref_neighbour_counts)
        patch.setattr(design, "_trust_counts", _ref_trust_counts)
        return impact_table(ds, **options)


@pytest.mark.parametrize("seed", [0, 1])
def test_page_way_equals_previous_version(seed, monkeypatch):
    ds, start = _messy_dataset(seed, n_rows=900), "2023-06-01"
    for ties in ("working", "direct", "coworking"):  # the later choices reuse the first one's tables (ds.memo)
        design = impact_design(ds, cop_start=start, ties=ties)
        table = design.practitioner_table()
        pd.testing.assert_frame_equal(table, _ref_impact_table(ds, monkeypatch, cop_start=start, ties=ties),
                                      check_exact=True)
        assert table["change"].abs().sum() > 0
        assert impact_estimates(design, bootstrap=200, staggered=staggered_estimates(ds, design)) == \
            evaluate_impact(ds, cop_start=start, ties=ties, bootstrap=200)


def test_page_way_equals_previous_version_on_demo(bundled_demo, monkeypatch):
    for ties in ("working", "direct"):
        design = impact_design(bundled_demo, ties=ties)
        table = design.practitioner_table()
        assert table["trust_after"].sum() > 0 and table["change"].abs().sum() > 0
        pd.testing.assert_frame_equal(table, _ref_impact_table(bundled_demo, monkeypatch, ties=ties),
                                      check_exact=True)
        assert impact_estimates(design, bootstrap=200, staggered=staggered_estimates(bundled_demo, design)) == \
            evaluate_impact(bundled_demo, ties=ties, bootstrap=200)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("ties", ["working", "direct", "coworking"])
def test_neighbours_from_coded_pairs_equal_previous_version(seed, period, ties):
    # Z99 (no agency) is cross-agency with everyone, as the pandas comparison of a missing agency made it.
    ds = _messy_dataset(seed)
    got = isolation._neighbours(ds, period, ties, 90)
    ref = _ref_neighbours(ds, period, ties, 90)
    order = ["practitioner_id", "colleague_id"]
    pd.testing.assert_frame_equal(got.sort_values(order).reset_index(drop=True),
                                  ref.sort_values(order).reset_index(drop=True).astype({c: object for c in order}),
                                  check_exact=True)
    if period is None:
        assert got["cross"].any() and not got["cross"].all()


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("period", PERIODS[1:3])
def test_isolation_report_equals_previous_version(seed, period, monkeypatch):
    ds = _messy_dataset(seed)
    for ties in ("working", "direct"):
        got = isolation.isolation_report(ds, period, ties=ties)
        with monkeypatch.context() as patch:
            patch.setattr(isolation, "_neighbours", _ref_neighbours)
            ref = isolation.isolation_report(ds, period, ties=ties)
        pd.testing.assert_frame_equal(got, ref, check_exact=True)
        assert got["degree"].gt(0).any() and got["cross_agency_ties"].gt(0).any()


def test_isolation_report_equals_previous_version_on_demo(bundled_demo, monkeypatch):
    first, last = bundled_demo.date_range
    period = Period(first + pd.Timedelta(days=180), last + pd.Timedelta(days=1))
    got = isolation.isolation_report(bundled_demo, period)
    with monkeypatch.context() as patch:
        patch.setattr(isolation, "_neighbours", _ref_neighbours)
        ref = isolation.isolation_report(bundled_demo, period)
    pd.testing.assert_frame_equal(got, ref, check_exact=True)
    assert (got["category"] == "drifting").any() or (got["category"] == "boundary_isolated").any()


@pytest.mark.parametrize("block", [1, 50, 10**9])
def test_introductions_do_not_depend_on_the_blocks_of_common_colleagues(monkeypatch, bundled_demo, block):
    """_common_neighbours reads the pairs' rows in blocks (their peak memory); the counts must not change."""
    from netdash.actions import _intro

    first, last = bundled_demo.date_range
    period = Period(first, last + pd.Timedelta(days=1))
    monkeypatch.setattr(_intro, "COMMON_BLOCK", block)
    got = isolation.suggest_introductions(bundled_demo, period, ties="working")
    assert got["common_colleagues"].gt(0).sum() > 100  # the counts compared are not all zero
    pd.testing.assert_frame_equal(got, _ref_suggest_introductions(bundled_demo, period, ties="working"),
                                  check_exact=True)


@pytest.mark.parametrize("ties", ["working", "direct", "coworking"])
def test_introductions_are_the_same_when_graphblas_counts_the_colleagues_in_common(monkeypatch, bundled_demo, ties):
    """Above COMMON_GRAPHBLAS_MIN_WORK a masked GraphBLAS product counts them: the same integers as scipy's."""
    from netdash.actions import _intro

    first, last = bundled_demo.date_range
    period = Period(first, last + pd.Timedelta(days=1))
    monkeypatch.setattr(_intro, "COMMON_GRAPHBLAS_MIN_WORK", -1.0)
    got = isolation.suggest_introductions(bundled_demo, period, ties=ties)
    monkeypatch.setattr(_intro, "COMMON_GRAPHBLAS_MIN_WORK", 1e30)
    expected = isolation.suggest_introductions(bundled_demo, period, ties=ties)
    assert got["common_colleagues"].gt(0).sum() > 100
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


@pytest.mark.parametrize("seed", range(4))
def test_graphblas_common_neighbours_on_random_pairs(seed):
    # Pairs in any order, repeated, a node with itself, nodes with no tie: (A @ A)[a, b] as scipy counts it.
    from netdash.actions import _intro

    rng = np.random.default_rng(seed)
    n, m = 60, int(rng.integers(0, 400))
    source, target = rng.integers(0, n, m), rng.integers(0, n, m)
    tied = (source, target, None)
    a, b = rng.integers(0, n, 300), rng.integers(0, n, 300)
    other = source != target
    A = sparse.csr_matrix((np.ones(2 * other.sum()), (np.r_[source[other], target[other]],
                                                     np.r_[target[other], source[other]])), shape=(n, n))
    A.data[:] = 1
    expected = np.asarray(A[a].multiply(A[b]).sum(axis=1)).ravel().astype(np.int64)
    got = _intro._common_neighbours_graphblas(A, a, b)
    assert got.dtype == np.int64 and got.tolist() == expected.tolist()
    assert _intro._common_neighbours(tied, n, a, b).tolist() == expected.tolist()
