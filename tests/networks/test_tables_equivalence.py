"""The coded edge tables give exactly the tables of the implementation they replaced.

The references below are netdash's code of 27 Nov 2026 before the tables
moved onto the integer-coded log (netdash.networks.codes): practitioner nodes and
contact edges by pandas on id strings, co-working (band join) and COP
co-attendance in DuckDB, the union on codes of the id strings, trust edges by
a pandas groupby, practitioner counts by index lookups. They are compared
(rows, order, dtypes, values) on the bundled demo and on messy random logs
whose days sit on and around the 90-day window's edge, with same-day and
self contacts, missing clients and types, a contact by someone missing from
practitioners.csv, repeated attendance and survey ratings, in several periods.
"""

import duckdb
import numpy as np
import pandas as pd
import pytest

from netdash.networks import counts as edge_counts, graphs
from netdash.dataset import Dataset
from netdash.metrics import basic, trust
from netdash.periods import Period, parse_period

# --- references: the previous implementation, copied -----------------------------------------------


def _ref_nodes(ds, period=None, *, include=()):
    period = graphs._period(period)
    contacts = graphs._in_period(ds.contacts, period)
    attendance = ds.cop_attendance
    in_period = graphs._in_period(attendance, period)
    ids = pd.concat([
        graphs.practitioners_in_post(ds, period)["practitioner_id"],
        contacts["practitioner_id"], contacts["with_practitioner_id"].dropna(),
        in_period["practitioner_id"], pd.Series(list(include), dtype=object),
    ])
    prac = ds.practitioners[ds.practitioners["practitioner_id"].isin(ids)]
    agencies = ds.agencies.set_index("agency_id")
    nodes = pd.DataFrame({
        "practitioner_id": prac["practitioner_id"].astype(object),
        "agency": prac["agency_id"].astype(object),
        "agency_name": prac["agency_id"].map(agencies["name"]),
        "sector": prac["agency_id"].map(agencies["sector"]),
        "role": prac["role"],
        "name": prac["name"],
    })
    for col in graphs._NODE_ATTRS:
        nodes[col] = graphs._none_for_missing(nodes[col])
    sessions = in_period.groupby("practitioner_id")["session_id"].nunique()
    nodes["cop_sessions"] = nodes["practitioner_id"].map(sessions).fillna(0).astype("int64")
    before_end = attendance if period.end is None else attendance[attendance["date"] < period.end]
    nodes["cop_attendee"] = nodes["practitioner_id"].isin(before_end["practitioner_id"])
    return nodes.sort_values("practitioner_id").reset_index(drop=True)


def _ref_contact_edges(ds, period=None):
    contacts = graphs._in_period(ds.contacts, period)
    contacts = contacts[contacts["with_practitioner_id"].notna()
                        & (contacts["practitioner_id"] != contacts["with_practitioner_id"])]
    if contacts.empty:
        return graphs._empty_edges().assign(types=pd.Series(dtype=object))
    frame = pd.DataFrame({"source": contacts["practitioner_id"],
                          "target": contacts["with_practitioner_id"],
                          "type": contacts["contact_type"].fillna("unspecified")})
    long = frame.groupby(["source", "target", "type"], sort=True).size()
    pair = long.index.droplevel("type")
    source_code, target_code = (np.asarray(c) for c in long.index.codes[:2])
    starts = np.flatnonzero(np.r_[True, (np.diff(source_code) != 0) | (np.diff(target_code) != 0)])
    counts, types = long.to_numpy(), long.index.get_level_values("type").tolist()
    bounds = np.r_[starts, len(long)].tolist()
    edges = pair[starts].to_frame(index=False).astype(object)
    edges["weight"] = np.add.reduceat(counts, starts).astype("int64") if len(long) else []
    edges["types"] = [dict(zip(types[a:b], counts[a:b].tolist())) for a, b in zip(bounds[:-1], bounds[1:])]
    return edges


def _codes(ids):
    codes, uniques = pd.factorize(ids, sort=True)
    return np.asarray(uniques, dtype=object), codes.astype(np.int32)


def _duckdb(sql, **frames):
    con = duckdb.connect()
    try:
        for name, frame in frames.items():
            con.register(name, frame)
        return con.execute(sql).df()
    finally:
        con.close()


def _coded_edges(ids, found):
    return pd.DataFrame({"source": ids[found["s"].to_numpy()], "target": ids[found["t"].to_numpy()],
                         "weight": found["w"].to_numpy().astype("int64")}).astype({"source": object,
                                                                                   "target": object})


def _ref_coworking_edges(ds, period=None, *, window_days=90):
    contacts = graphs._in_period(ds.contacts, period)
    contacts = contacts[contacts["client_id"].notna()]
    if contacts.empty:
        return graphs._empty_edges()
    people, person = _codes(contacts["practitioner_id"])
    _, client = _codes(contacts["client_id"])
    day = contacts["date"].to_numpy().astype("datetime64[D]").astype(np.int32)
    days = pd.DataFrame({"c": client, "p": person, "d": day})
    found = _duckdb(f"""
        WITH d AS (SELECT DISTINCT c, p, d FROM days)
        SELECT a.p AS s, b.p AS t, count(DISTINCT a.c) AS w
        FROM d a JOIN d b ON a.c = b.c AND a.p < b.p AND b.d BETWEEN a.d - {int(window_days)} AND a.d + {int(window_days)}
        GROUP BY a.p, b.p ORDER BY a.p, b.p""", days=days)
    return _coded_edges(people, found)


def _ref_cop_edges(ds, period=None):
    attendance = graphs._in_period(ds.cop_attendance, period)
    if attendance.empty:
        return graphs._empty_edges()
    people, person = _codes(attendance["practitioner_id"])
    _, session = _codes(attendance["session_id"])
    frame = pd.DataFrame({"s": session, "p": person})
    found = _duckdb("""
        WITH a AS (SELECT DISTINCT s, p FROM frame)
        SELECT x.p AS s, y.p AS t, count(*) AS w FROM a x JOIN a y ON x.s = y.s AND x.p < y.p
        GROUP BY x.p, y.p ORDER BY x.p, y.p""", frame=frame)
    return _coded_edges(people, found)


def _ref_practitioner_edges(ds, period=None, *, ties="all", window_days=90):
    chosen = edge_counts.tie_types(ties)
    tables = {}
    if "direct" in chosen:
        tables["direct"] = _ref_contact_edges(ds, period)
    if "coworking" in chosen:
        tables["coworking"] = _ref_coworking_edges(ds, period, window_days=window_days)
    if "cop" in chosen:
        tables["cop"] = _ref_cop_edges(ds, period)
    if all(t.empty for t in tables.values()):
        return graphs._empty_edges("direct", "coworking", "cop").assign(tie_types=pd.Series(dtype=object))
    names = ("cop", "coworking", "direct")
    ends = [np.asarray(t[c], dtype=object) for t in tables.values() for c in ("source", "target")]
    codes, ids = pd.factorize(np.concatenate(ends), sort=True)
    ends = np.split(codes.astype(np.int64), np.cumsum([len(e) for e in ends])[:-1])
    k = len(ids)
    keys = [np.minimum(u, v) * k + np.maximum(u, v) for u, v in zip(ends[0::2], ends[1::2])]
    pairs, where = np.unique(np.concatenate(keys), return_inverse=True)
    where = np.split(where, np.cumsum([len(key) for key in keys])[:-1])
    edges = pd.DataFrame({"source": ids[pairs // k], "target": ids[pairs % k]}).astype(object)
    for name in ("direct", "coworking", "cop"):
        edges[name] = np.zeros(len(pairs), dtype=np.int64)
    for (name, table), rows in zip(tables.items(), where):
        sums = np.bincount(rows, weights=table["weight"].to_numpy(dtype=float), minlength=len(pairs))
        edges[name] = np.rint(sums).astype(np.int64)
    edges["weight"] = edges[["direct", "coworking", "cop"]].sum(axis=1)
    flags = edges[list(names)].to_numpy() > 0
    combos = np.empty(8, dtype=object)
    combos[:] = [tuple(n for k, n in enumerate(names) if code >> k & 1) for code in range(8)]
    edges["tie_types"] = combos[flags @ np.array([1, 2, 4])]
    return edges[["source", "target", "weight", "direct", "coworking", "cop", "tie_types"]]


def _ref_inferred(ds, period):
    contacts = ds.contacts[period.mask(ds.contacts["date"])]
    contacts = contacts[contacts["with_practitioner_id"].notna()
                        & (contacts["practitioner_id"] != contacts["with_practitioner_id"])]
    a, b = trust._ordered(contacts["practitioner_id"], contacts["with_practitioner_id"])
    frame = pd.DataFrame({"a": a, "b": b, "forward": (contacts["practitioner_id"] == a).to_numpy(),
                          "month": contacts["date"].to_numpy().astype("datetime64[M]")})
    pairs = frame.groupby(["a", "b"]).agg(interactions=("forward", "size"),
                                         months=("month", "nunique"), forward=("forward", "sum"))
    pairs["reciprocated"] = (pairs["forward"] > 0) & (pairs["forward"] < pairs["interactions"])
    return pairs.drop(columns="forward")


def _ref_trust_edges(ds, period=None, *, min_interactions=3, min_months=2, require_reciprocity=True,
                     survey_threshold=3, use_survey=True):
    period = Period() if period is None else period
    pairs = _ref_inferred(ds, period)
    if use_survey:
        pairs = pairs.join(trust._survey(ds, period), how="outer")
    else:
        pairs["survey_trust"] = np.nan
    if pairs.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in trust._COLUMNS})
    pairs = pairs.reset_index()
    pairs["interactions"] = pairs["interactions"].fillna(0).astype("int64")
    pairs["months"] = pairs["months"].fillna(0).astype("int64")
    pairs["reciprocated"] = pairs["reciprocated"].fillna(False).astype(bool)
    rated = pairs["survey_trust"].notna()
    pairs["source"] = np.where(rated, "survey", "inferred")
    pairs["strength"] = pairs["survey_trust"].where(rated, pairs["interactions"]).astype(float)
    inferred_tie = ((pairs["interactions"] >= min_interactions) & (pairs["months"] >= min_months)
                    & (pairs["reciprocated"] | (not require_reciprocity)))
    pairs["is_trust_tie"] = np.where(rated, pairs["survey_trust"] >= survey_threshold, inferred_tie)
    pairs = pairs.astype({"a": object, "b": object, "source": object, "is_trust_tie": bool})
    return pairs[trust._COLUMNS].sort_values(["a", "b"]).reset_index(drop=True)


def _positions(index, ids):
    return index.get_indexer(pd.Index(ids)) if len(ids) else np.zeros(0, dtype=np.intp)


def _ref_practitioner_metrics(ds, period=None, *, ties="all", window_days=90):
    period = Period() if period is None else period
    nodes = _ref_nodes(ds, period)
    ids = pd.Index(nodes["practitioner_id"])
    n = len(ids)
    edges = _ref_practitioner_edges(ds, period, ties=ties, window_days=window_days)
    me = np.r_[_positions(ids, edges["source"]), _positions(ids, edges["target"])]
    other = np.r_[me[len(edges):], me[:len(edges)]]
    agency = np.r_[pd.factorize(nodes["agency"])[0], -1]
    cross = (agency[me] != agency[other]) | (agency[me] < 0)
    direct = _ref_contact_edges(ds, period)
    contacts = ds.contacts[period.mask(ds.contacts["date"])]
    author = _positions(ids, contacts["practitioner_id"])
    seen = contacts["client_id"].notna().to_numpy() & (author >= 0)
    client = pd.factorize(contacts["client_id"].to_numpy()[seen])[0]
    pairs = np.unique(author[seen].astype(np.int64) * (client.max(initial=0) + 1) + client)
    clients = np.bincount(pairs // (client.max(initial=0) + 1), minlength=n).astype("int64")
    out = pd.DataFrame({
        "practitioner_id": nodes["practitioner_id"], "agency_id": nodes["agency"],
        "agency_name": nodes["agency_name"], "sector": nodes["sector"], "role": nodes["role"],
        "degree": basic._count(me, n),
        "in_degree": basic._count(_positions(ids, direct["target"]), n),
        "out_degree": basic._count(_positions(ids, direct["source"]), n),
        "cross_agency_ties": basic._count(me[cross], n),
        "clients": clients, "contacts": basic._count(author, n),
        "cop_sessions": nodes["cop_sessions"], "cop_attendee": nodes["cop_attendee"],
    })
    return out[list(basic.PRACTITIONER_COLUMNS)]


# --- data -----------------------------------------------------------------------------------------

# Offsets in days that put pairs of visits exactly on, just inside and just outside the 90-day window.
_OFFSETS = np.array([0, 0, 1, 7, 89, 90, 91, 180, 181, 270, 361, 400])


def _messy_dataset(seed, *, n_prac=24, n_clients=12, n_rows=700, ghost=True):
    rng = np.random.default_rng(seed)
    pracs = [f"P{i:02d}" for i in range(n_prac)]
    day = (pd.Timestamp("2023-01-01")
           + pd.to_timedelta(rng.choice(_OFFSETS, n_rows) + 30 * rng.integers(0, 4, n_rows), unit="D"))
    author = rng.choice(pracs + ["Z99"] * ghost, n_rows)  # Z99: not in practitioners.csv
    has_client = rng.random(n_rows) < 0.6
    colleague = np.where(rng.random(n_rows) < 0.15, author, rng.choice(pracs, n_rows))  # self-contacts
    contacts = pd.DataFrame({
        "date": day.strftime("%Y-%m-%d"),
        "practitioner_id": author,
        "client_id": np.where(has_client, rng.choice([f"C{i}" for i in range(n_clients)], n_rows), None),
        # Some rows name both a client and a colleague, some neither.
        "with_practitioner_id": np.where(rng.random(n_rows) < 0.5, colleague, None),
        "contact_type": rng.choice(np.array(["phone", "email", "unspecified", None], dtype=object), n_rows),
    })
    sessions = [(f"S{k}", f"2023-{k + 1:02d}-15") for k in range(10)]
    attendance = [{"session_id": s, "date": d, "practitioner_id": p}
                  for s, d in sessions for p in rng.choice(pracs, 7)]  # repeats within a session
    survey = [{"date": f"2023-{m:02d}-01", "rater_id": r, "ratee_id": e, "trust": t}
              for m, r, e, t in zip(rng.integers(1, 13, 120), rng.choice(pracs, 120), rng.choice(pracs, 120),
                                    rng.choice([1.0, 2.0, 3.0, 4.0, np.nan], 120))]
    practitioners = [{"practitioner_id": p, "agency_id": "ABC"[i % 3],
                      "start_date": "2023-06-01" if i % 7 == 3 else None,
                      "end_date": "2023-02-28" if i % 5 == 4 else None} for i, p in enumerate(pracs)]
    return Dataset.from_records(
        agencies=[{"agency_id": a, "name": f"Agency {a}"} for a in "ABC"],
        practitioners=practitioners, contacts=contacts.to_dict("records"), cop_attendance=attendance,
        trust_survey=survey)


PERIODS = [None, parse_period("2023-03-01:2023-10-01"), parse_period("2023-05-01:"),
           parse_period("1990-01-01:1990-02-01")]


@pytest.fixture(scope="module")
def bundled_demo(demo_source):
    from netdash.ingest import load_dataset

    return load_dataset(demo_source, secret=b"test-tables")[0]


# The bundled demo in two periods (the references are slow on it), random logs in every period.
CASES = ([("demo", p) for p in PERIODS[:2]] + [(0, p) for p in PERIODS] + [(1, p) for p in PERIODS[:2]]
         + [(2, PERIODS[2])])


def _dataset(which, bundled_demo):
    return bundled_demo if which == "demo" else _messy_dataset(which)


def _compare(ours, reference, *args, **kwargs):
    got, ref = ours(*args, **kwargs), reference(*args, **kwargs)
    pd.testing.assert_frame_equal(got, ref, check_exact=True)
    return got


# --- tests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("which", "period"), CASES)
def test_node_and_edge_tables_equal_previous_version(which, period, bundled_demo):
    ds = _dataset(which, bundled_demo)
    nodes = _compare(graphs.practitioner_nodes, _ref_nodes, ds, period)
    assert len(nodes) > 0 or period is PERIODS[-1]  # 1990: nobody in post, nothing logged
    direct = _compare(graphs.contact_edges, _ref_contact_edges, ds, period)
    cop = _compare(graphs.cop_edges, _ref_cop_edges, ds, period)
    for window in (0, 1, 90):
        _compare(graphs.coworking_edges, _ref_coworking_edges, ds, period, window_days=window)
    for ties in graphs.TIE_TYPES:
        _compare(graphs.practitioner_edges, _ref_practitioner_edges, ds, period, ties=ties)
    if period is None:  # the data are not trivial
        assert len(direct) > 20 and len(cop) > 20
        assert len(graphs.coworking_edges(ds, window_days=0)) < len(graphs.coworking_edges(ds))


@pytest.mark.parametrize(("which", "period"), CASES)
def test_trust_and_counts_equal_previous_version(which, period, bundled_demo):
    ds = _dataset(which, bundled_demo)
    edges = _compare(trust.trust_edges, _ref_trust_edges, ds, period)
    _compare(trust.trust_edges, _ref_trust_edges, ds, period, use_survey=False, require_reciprocity=False,
             min_interactions=1, min_months=1)
    for ties in ("all", "direct", "working", "cop"):
        _compare(basic.practitioner_metrics, _ref_practitioner_metrics, ds, period, ties=ties)
    _compare(basic.practitioner_metrics, _ref_practitioner_metrics, ds, period, window_days=0)
    if period is None:
        assert set(edges["source"]) == {"inferred", "survey"} and edges["is_trust_tie"].any()


def test_the_window_edge_is_inclusive():
    """Visits 90 days apart co-work with window 90, not with 89; same-day visits with window 0."""
    ds = Dataset.from_records(
        agencies=[{"agency_id": "A", "name": "Housing"}],
        practitioners=[{"practitioner_id": p, "agency_id": "A"} for p in ("p1", "p2", "p3")],
        contacts=[{"date": d, "practitioner_id": p, "client_id": "c1"}
                  for d, p in [("2024-01-01", "p1"), ("2024-03-31", "p2"), ("2024-03-31", "p3")]])
    assert graphs.coworking_edges(ds, window_days=90)[["source", "target"]].values.tolist() == [
        ["p1", "p2"], ["p1", "p3"], ["p2", "p3"]]
    assert graphs.coworking_edges(ds, window_days=89)[["source", "target"]].values.tolist() == [["p2", "p3"]]
    assert graphs.coworking_edges(ds, window_days=0)[["source", "target"]].values.tolist() == [["p2", "p3"]]


def test_tables_from_the_memo_equal_tables_computed_afresh(bundled_demo):
    ds = _messy_dataset(2)
    period = PERIODS[1]

    def tables():
        return [graphs.practitioner_edges(ds, period), trust.trust_edges(ds, period),
                basic.practitioner_metrics(ds, period, ties="working"), graphs.practitioner_nodes(ds, period)]

    fresh = tables()
    graphs.coworking_edges(ds, period, window_days=7)  # another window is another table
    assert len(ds.memo) > 0
    for a, b in zip(tables(), fresh):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    ds.memo.clear()
    for a, b in zip(tables(), fresh):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_analysis_codes_the_log_once_and_pairs_each_table_once(monkeypatch):
    from netdash.analysis import NetworkAnalysis

    counted = {"coded_log": 0, "overlap_pairs": 0}
    for name in counted:
        real = getattr(edge_counts, name)

        def counting(*args, _real=real, _name=name, **kwargs):
            counted[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(edge_counts, name, counting)
    NetworkAnalysis(_messy_dataset(0, ghost=False)).practitioner_table()
    assert counted == {"coded_log": 1, "overlap_pairs": 2}  # co-working and COP co-attendance


def test_distinct_rows_falls_back_to_lexsort_for_wide_ranges():
    from netdash.networks.codes import distinct_rows

    a, b = np.array([2, 1, 2, 1, 2]), np.array([5, 2**40, 5, 7, -3])
    got = distinct_rows(a * 2**40, b, counts=True)  # ranges too wide for one int64 key
    assert [c.tolist() for c in got] == [[2**40, 2**40, 2**41, 2**41], [7, 2**40, -3, 5], [1, 1, 1, 2]]


def _weighted(seed):
    """:func:`_messy_dataset` with tie strengths on the contacts, some of them not whole."""
    ds = _messy_dataset(seed)
    contacts = ds.contacts.assign(weight=np.random.default_rng(seed).choice([1.0, 2.0, 0.5, 3.25], len(ds.contacts)))
    return Dataset(agencies=ds.agencies, practitioners=ds.practitioners, contacts=contacts,
                   cop_attendance=ds.cop_attendance, trust_survey=ds.trust_survey)


def _assert_same_union(got, want):
    assert (got is None) == (want is None)
    if want is None:
        return
    for a, b in zip(got[:2], want[:2]):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert got[2].keys() == want[2].keys()
    for name in want[2]:
        assert got[2][name].dtype == want[2][name].dtype and np.array_equal(got[2][name], want[2][name]), name


@pytest.mark.parametrize("make", [_messy_dataset, _weighted])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_union_taken_from_a_wider_kept_union_equals_one_computed_afresh(make, seed, monkeypatch):
    """union_counts of fewer tie types, once a union of more is kept, is the union computed on its own."""
    periods = [*PERIODS, parse_period("2023-02-01:2023-03-01")]
    fresh = {}
    for ties in edge_counts.TIE_TYPES:
        ds = make(seed)  # nothing kept: each union computed from its own tables
        fresh[ties] = [edge_counts.union_counts(ds, p, ties, 90) for p in periods]
    assert any(u is not None and len(u[0]) for u in fresh["direct"])
    calls = []
    real = edge_counts.direct_counts
    monkeypatch.setattr(edge_counts, "direct_counts", lambda *a: calls.append(a) or real(*a))
    for wider, narrower in [("all", ("working", "direct", "coworking", "cop")), ("working", ("direct", "coworking"))]:
        ds = make(seed)
        for p in periods:
            edge_counts.union_counts(ds, p, wider, 90)
        calls.clear()
        for ties in narrower:
            for p, want in zip(periods, fresh[ties]):
                _assert_same_union(edge_counts.union_counts(ds, p, ties, 90), want)
        assert calls == []  # taken from the wider union, not counted again


def test_a_union_taken_from_a_wider_kept_union_is_not_kept_twice():
    """The narrower union is served from the wider one without a copy in the memo, and the wider one is kept
    as recently used (session 18: the copies pushed out tables that Isolation counted again)."""
    ds = _messy_dataset(0)
    period = PERIODS[1]
    wider = edge_counts._union_key(period, edge_counts.TIE_TYPES["working"], 90)
    edge_counts.union_counts(ds, period, "working", 90)
    edge_counts.union_counts(ds, PERIODS[2], "working", 90)  # younger than the first period's
    assert ds.memo.keys()[-1] != (edge_counts._MEMO_SPACE, wider)
    first = edge_counts.union_counts(ds, period, "direct", 90)
    again = edge_counts.union_counts(ds, period, "direct", 90)
    _assert_same_union(first, again)
    _assert_same_union(first, edge_counts.union_counts(_messy_dataset(0), period, "direct", 90))
    assert (edge_counts._MEMO_SPACE, edge_counts._union_key(period, ("direct",), None)) not in ds.memo.keys()
    assert ds.memo.keys()[-1] == (edge_counts._MEMO_SPACE, wider)


def test_an_analysis_keeps_its_edge_table_out_of_the_memo():
    """NetworkAnalysis makes its edge table from the memo's coded pairs without keeping a copy there too."""
    from netdash.analysis import NetworkAnalysis

    ds = _messy_dataset(1)
    for ties in ("working", "direct", "all"):
        got = NetworkAnalysis(ds, PERIODS[1], ties=ties)._edges
        pd.testing.assert_frame_equal(got, graphs.practitioner_edges(_messy_dataset(1), PERIODS[1], ties=ties),
                                      check_exact=True)
    assert not [k for k in ds.memo.keys() if "practitioner_edges" in str(k)]
