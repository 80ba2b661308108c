"""Tie changes between periods and the over-time series, against hand-worked answers."""

import networkx as nx
import pandas as pd
import pytest

from netdash.dataset import Dataset
from netdash.change.headline import headline_measures
from netdash.change.windows import (ATTENDEE_GROUPS, attendee_series, cop_session_dates, headline_series,
                                    window_trust_rule, windows)
from netdash.change.dynamics import tie_change_summary, tie_changes, trust_tie_changes
from netdash.errors import InvalidInputError
from netdash.periods import Period


def _graph(edges, agency):
    G = nx.Graph()
    G.add_nodes_from((v, {"agency": a}) for v, a in agency.items())
    G.add_weighted_edges_from(edges)
    return G


AGENCY = {"h1": "H", "h2": "H", "p1": "P", "p2": "P", "m1": "M"}


@pytest.fixture
def changes():
    # Hand-worked: h1-p1 1 -> 3 (x3 >= 1.5: strengthened), h1-h2 2 -> 2 (kept),
    # p1-p2 4 -> 5 (x1.25 < 1.5: kept), h2-m1 only before (lost), p2-m1 only after (new),
    # h2-p1 only after (new).
    before = _graph([("h1", "p1", 1), ("h1", "h2", 2), ("p1", "p2", 4), ("m1", "h2", 1)], AGENCY)
    after = _graph([("p1", "h1", 3), ("h1", "h2", 2), ("p2", "p1", 5), ("p2", "m1", 1), ("h2", "p1", 1)],
                   AGENCY)
    return tie_changes(before, after)


def test_tie_changes_statuses_and_cross_flags(changes):
    got = {(r.a, r.b): (r.status, r.cross_agency, r.weight_before, r.weight_after)
           for r in changes.itertuples()}
    assert got == {
        ("m1", "p2"): ("new", True, 0.0, 1.0),
        ("h2", "p1"): ("new", True, 0.0, 1.0),
        ("h2", "m1"): ("lost", True, 1.0, 0.0),
        ("h1", "h2"): ("kept", False, 2.0, 2.0),
        ("p1", "p2"): ("kept", False, 4.0, 5.0),
        ("h1", "p1"): ("strengthened", True, 1.0, 3.0),
    }
    assert list(changes["status"]) == ["new", "new", "lost", "kept", "kept", "strengthened"]
    assert list(changes[["agency_a", "agency_b"]].iloc[0]) == ["H", "P"]


def test_strengthen_ratio_boundary_is_inclusive():
    before = _graph([("h1", "p1", 2)], AGENCY)
    after = _graph([("h1", "p1", 3)], AGENCY)
    assert tie_changes(before, after, strengthen_ratio=1.5)["status"].tolist() == ["strengthened"]
    assert tie_changes(before, after, strengthen_ratio=1.51)["status"].tolist() == ["kept"]


def test_unweighted_comparison_never_strengthens():
    before = _graph([("h1", "p1", 1)], AGENCY)
    after = _graph([("h1", "p1", 9)], AGENCY)
    assert tie_changes(before, after, weight=None)["status"].tolist() == ["kept"]


def test_directed_graphs_compare_arcs():
    before, after = nx.DiGraph([("a", "b")]), nx.DiGraph([("b", "a")])
    got = tie_changes(before, after)
    assert sorted(zip(got["a"], got["b"], got["status"])) == [("a", "b", "lost"), ("b", "a", "new")]
    # No agencies known: never counted as cross-agency.
    assert not got["cross_agency"].any()


def test_summary_counts(changes):
    summary = tie_change_summary(changes)
    assert summary.to_dict("index") == {
        "new": {"within_agency": 0, "cross_agency": 2, "total": 2},
        "lost": {"within_agency": 0, "cross_agency": 1, "total": 1},
        "kept": {"within_agency": 2, "cross_agency": 0, "total": 2},
        "strengthened": {"within_agency": 0, "cross_agency": 1, "total": 1},
        "still_tied": {"within_agency": 2, "cross_agency": 1, "total": 3},
    }


def test_summary_of_no_changes_is_all_zero():
    empty = tie_changes(nx.Graph(), nx.Graph())
    assert tie_change_summary(empty).to_numpy().sum() == 0
    assert list(tie_change_summary(empty).index) == ["new", "lost", "kept", "strengthened", "still_tied"]


def test_mixed_directedness_is_refused():
    with pytest.raises(InvalidInputError, match="two directed or two undirected"):
        tie_changes(nx.Graph(), nx.DiGraph())


def test_bad_strengthen_ratio_is_refused():
    with pytest.raises(InvalidInputError, match="strengthen_ratio must be positive"):
        tie_changes(nx.Graph(), nx.Graph(), strengthen_ratio=0)


def test_windows_quarters_and_months():
    q = windows(pd.Timestamp("2024-02-10"), pd.Timestamp("2024-07-01"), freq="quarter")
    assert [(w.start.date().isoformat(), w.end.date().isoformat()) for w in q] == [
        ("2024-01-01", "2024-04-01"), ("2024-04-01", "2024-07-01"), ("2024-07-01", "2024-10-01")]
    m = windows("2024-01-31", "2024-03-01", freq="month")
    assert [w.label() for w in m] == ["2024-01-01 to 2024-02-01", "2024-02-01 to 2024-03-01",
                                      "2024-03-01 to 2024-04-01"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(start="2024-01-01", end="2024-02-01", freq="week"), "freq must be 'month' or 'quarter'"),
    (dict(start=None, end="2024-02-01"), "need a first and a last day"),
    (dict(start="2024-03-01", end="2024-02-01"), "is before first day"),
])
def test_windows_errors(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        windows(kwargs.pop("start"), kwargs.pop("end"), **kwargs)


def _contact(day, a, b):
    return {"date": day, "practitioner_id": a, "with_practitioner_id": b, "contact_type": "phone"}


@pytest.fixture
def small_ds():
    return Dataset.from_records(
        agencies=[{"agency_id": "H", "name": "Housing"}, {"agency_id": "P", "name": "Probation"}],
        practitioners=[{"practitioner_id": p, "agency_id": p[0].upper()} for p in ("h1", "h2", "p1")],
        contacts=[
            _contact("2024-01-10", "h1", "h2"),
            _contact("2024-02-10", "h1", "p1"),
            # Reciprocated, 3 contacts in 2 months: a trust tie in Q2 only.
            _contact("2024-04-03", "h2", "p1"), _contact("2024-04-20", "p1", "h2"),
            _contact("2024-05-02", "h2", "p1"),
        ],
        cop_attendance=[{"session_id": "S2", "date": "2024-05-08", "practitioner_id": "h2", "cop_name": "East"},
                        {"session_id": "S1", "date": "2024-04-10", "practitioner_id": "h2", "cop_name": "East"},
                        {"session_id": "S1", "date": "2024-04-10", "practitioner_id": "p1", "cop_name": "East"}],
    )


def test_headline_series_one_row_per_quarter(small_ds):
    series = headline_series(small_ds, freq="quarter")
    assert series["label"].tolist() == ["2024-01-01 to 2024-04-01", "2024-04-01 to 2024-07-01"]
    # Q1: ties h1-h2 (within) and h1-p1 (cross); Q2: only h2-p1 (cross); the data stop on 8 May.
    assert series["n_ties"].tolist() == [2, 1]
    assert series["cross_agency_share"].tolist() == [0.5, 1.0]
    assert series["isolates"].tolist() == [0, 1]
    assert series["trust_ties"].tolist() == [0, 1]
    assert series["partial"].tolist() == [True, True]


def test_monthly_trust_ties_use_a_rule_that_can_hold_inside_a_month(small_ds):
    # Issue 16: the default rule asks for contacts in 2 calendar months, so no month could ever have a trust tie.
    months = headline_series(small_ds, freq="month")
    assert months["trust_min_months"].tolist() == [1] * 5
    assert months["trust_ties"].tolist() == [0] * 5  # h2-p1 has only 2 contacts in April and 1 in May
    # A third April contact: a trust tie inside April (reciprocated, 3 contacts), not under the default rule.
    records = small_ds.contacts.assign(date=small_ds.contacts["date"].dt.strftime("%Y-%m-%d"))
    ds = Dataset.from_records(agencies=small_ds.agencies, practitioners=small_ds.practitioners,
                              contacts=pd.concat([records, pd.DataFrame([_contact("2024-04-25", "p1", "h2")])]),
                              cop_attendance=small_ds.cop_attendance)
    months = headline_series(ds, freq="month")
    assert months["trust_ties"].tolist() == [0, 0, 0, 1, 0]
    april = windows("2024-04-01", "2024-04-30", freq="month")[0]
    assert window_trust_rule(april) == {"min_months": 1}
    assert headline_measures(ds, april)["trust_ties"] == 0  # the default rule in one month
    quarters = headline_series(ds, freq="quarter")
    assert quarters["trust_min_months"].tolist() == [2, 2] and quarters["trust_ties"].tolist() == [0, 1]


def test_attendee_series_hand_worked(small_ds):
    """Attendees (ever): h2, p1; non-attendee: h1.

    Q1 ties h1-h2 (within) and h1-p1 (across): attendees' colleagues (1 + 1) / 2 = 1, across (0 + 1) / 2 = 0.5;
    h1: 2 and 1. Q2 tie h2-p1 (across): attendees 1 and 1; h1 0 and 0.
    """
    got = attendee_series(small_ds, freq="quarter", min_count=1)
    assert got["group"].tolist() == list(ATTENDEE_GROUPS) * 2
    assert got["practitioners"].tolist() == [2, 1, 2, 1]
    assert got["mean_colleagues"].tolist() == [1.0, 2.0, 1.0, 0.0]
    assert got["mean_cross_agency_colleagues"].tolist() == [0.5, 1.0, 1.0, 0.0]
    assert got["partial"].tolist() == [True] * 4
    # Groups smaller than the threshold (5 by default) are hidden, not shown as means of one or two people.
    hidden = attendee_series(small_ds, freq="quarter")
    assert hidden[["practitioners", "mean_colleagues", "mean_cross_agency_colleagues"]].isna().all().all()
    # The ties setting is followed: no co-working in this data, so "coworking" leaves nobody a colleague.
    assert attendee_series(small_ds, freq="quarter", ties="coworking", min_count=1)["mean_colleagues"].eq(0).all()


def test_trust_tie_changes_gains_the_q2_trust_tie(small_ds):
    q1 = Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-04-01"))
    q2 = Period(pd.Timestamp("2024-04-01"), pd.Timestamp("2024-07-01"))
    got = trust_tie_changes(small_ds, q1, q2)
    assert list(zip(got["a"], got["b"], got["status"], got["cross_agency"])) == [("h2", "p1", "new", True)]


def test_cop_session_dates(small_ds):
    sessions = cop_session_dates(small_ds)
    assert sessions["session_id"].tolist() == ["S1", "S2"]
    assert sessions["attendees"].tolist() == [2, 1]
    assert sessions["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-04-10", "2024-05-08"]


def _tie_changes_reference(G_before, G_after, weight="weight", strengthen_ratio=1.5):
    """tie_changes as it was, one Python row per pair (kept as the reference)."""
    from netdash.change.dynamics import _CHANGE_COLUMNS, TIE_STATUSES, _edge_weights

    wb, wa = _edge_weights(G_before, weight), _edge_weights(G_after, weight)
    agency = {n: d.get("agency") for n, d in G_before.nodes(data=True)}
    agency.update({n: d.get("agency") for n, d in G_after.nodes(data=True) if d.get("agency") is not None})
    rows = []
    for a, b in set(wb) | set(wa):
        before, after = wb.get((a, b), 0.0), wa.get((a, b), 0.0)
        if (a, b) not in wb:
            status = "new"
        elif (a, b) not in wa:
            status = "lost"
        elif after >= strengthen_ratio * before:
            status = "strengthened"
        else:
            status = "kept"
        ag_a, ag_b = agency.get(a), agency.get(b)
        rows.append((a, b, ag_a, ag_b, ag_a is not None and ag_b is not None and ag_a != ag_b, before, after, status))
    out = pd.DataFrame(rows, columns=_CHANGE_COLUMNS)
    out["cross_agency"] = out["cross_agency"].astype(bool)
    out["status"] = pd.Categorical(out["status"], categories=TIE_STATUSES, ordered=True)
    out = out.sort_values(["status", "a", "b"], kind="stable").reset_index(drop=True)
    out["status"] = out["status"].astype(str)
    return out


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_tie_changes_equal_the_row_by_row_reference(directed, seed):
    # Random weights (some missing), an agency missing for some practitioners, ids compared as strings.
    import random

    rng = random.Random(seed)
    graphs_ = []
    for k in range(2):
        G = nx.gnp_random_graph(30, 0.15, seed=10 * seed + k, directed=directed)
        G = nx.relabel_nodes(G, {v: f"P{v:02d}" for v in G})
        for u, v, d in G.edges(data=True):
            if rng.random() < 0.8:
                d["weight"] = rng.choice([1, 2, 3, 4.5])
        nx.set_node_attributes(G, {v: rng.choice(["A", "B", "C", None]) for v in G}, "agency")
        graphs_.append(G)
    for ratio in (1.5, 1.0):
        got = tie_changes(*graphs_, strengthen_ratio=ratio)
        pd.testing.assert_frame_equal(got, _tie_changes_reference(*graphs_, strengthen_ratio=ratio))
    assert set(got["status"]) == {"new", "lost", "kept", "strengthened"} or len(got) < 20
    empty = tie_changes(nx.DiGraph() if directed else nx.Graph(), nx.DiGraph() if directed else nx.Graph())
    # Empty: the same columns, no rows (weights are float64 now where the row-by-row frame had object).
    pd.testing.assert_frame_equal(empty, _tie_changes_reference(*(2 * [nx.DiGraph() if directed else nx.Graph()])),
                                  check_dtype=False, check_index_type=False)
    assert empty["weight_before"].dtype == float


def test_named_tie_changes_puts_both_networks_in_one_table_with_names():
    from netdash.change.dynamics import named_tie_changes

    before = nx.Graph([("p1", "p2"), ("p2", "p3")])
    after = nx.Graph([("p1", "p3"), ("p2", "p3")])
    for G in (before, after):
        nx.set_node_attributes(G, {"p1": "A", "p2": "B", "p3": "A"}, "agency")
    changes = tie_changes(before, after)
    trust = changes.iloc[:1]
    named = named_tie_changes(changes, trust, {"p1": "Ann (p1)", "p2": "Bo (p2)", "p3": "p3"}, {"A": "Shelter"})
    assert len(named) == len(changes) + 1 and named["tie"].tolist().count("trust") == 1
    assert set(named["agency_a"]) | set(named["agency_b"]) == {"Shelter", "B"}  # an unnamed agency keeps its id
    row = named[(named["tie"] == "network") & (named["status"] == "lost")].iloc[0]
    assert {row["practitioner_a"], row["practitioner_b"]} == {"Ann (p1)", "Bo (p2)"}


def test_split_period_says_when_the_cop_start_leaves_no_before_period():
    from netdash.change.windows import split_period
    from netdash.errors import AnalysisError

    days = (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    before, after = split_period(Period(), pd.Timestamp("2024-04-01"), days)
    assert (before.start, before.end, after.end) == (days[0], pd.Timestamp("2024-04-01"), pd.Timestamp("2025-01-01"))
    with pytest.raises(AnalysisError, match="is the first day of the data shown .* so there is no before period"):
        split_period(Period(), pd.Timestamp("2024-01-01"), days)


@pytest.mark.parametrize("agencies", [{}, {"P3": "B"}, {"P1": "A", "P3": "B"}, {"P1": 1, "P2": "A"}])
def test_tie_changes_columns_have_the_dtypes_pandas_infers_from_their_values(agencies):
    # Each column's dtype follows the values it holds (str, or object when all are unknown or not strings),
    # as the row-by-row frame's: agency_a can hold no agency while agency_b holds one (P3 is only ever a 'b').
    G_before, G_after = nx.Graph([("P1", "P3"), ("P2", "P3")]), nx.Graph([("P1", "P3")])
    for G in (G_before, G_after):
        nx.set_node_attributes(G, {v: agencies.get(v) for v in G}, "agency")
    got = tie_changes(G_before, G_after)
    want = _tie_changes_reference(G_before, G_after)
    pd.testing.assert_frame_equal(got, want)
    assert list(got.dtypes) == list(want.dtypes)
    assert [type(v) for v in got["agency_a"]] == [type(v) for v in want["agency_a"]]


def _random_dataset(seed):
    """Thirty practitioners in three agencies (one leaving, one joining), random contacts, clients and COP."""
    import random

    rng = random.Random(seed)
    people = [f"P{k:02d}" for k in range(30)]
    agency = {p: rng.choice(["A", "B", "C"]) for p in people}
    days = pd.date_range("2024-01-01", "2024-12-31").strftime("%Y-%m-%d").tolist()
    contacts = []
    for _ in range(400):
        a, b = rng.sample(people, 2)
        row = {"date": rng.choice(days), "practitioner_id": a, "contact_type": rng.choice(["phone", "meeting"])}
        if rng.random() < 0.5:
            row["with_practitioner_id"] = b
        else:
            row["client_id"] = f"C{rng.randrange(25)}"
        contacts.append(row)
    sessions = [(f"S{k}", rng.choice(days)) for k in range(6)]
    cop = [{"session_id": s, "date": d, "practitioner_id": p, "cop_name": "East"}
           for s, d in sessions for p in rng.sample(people, 5)]
    return Dataset.from_records(
        agencies=[{"agency_id": a, "name": a} for a in "ABC"],
        practitioners=[{"practitioner_id": p, "agency_id": agency[p],
                        **({"end_date": "2024-05-01"} if p == "P05" else {}),
                        **({"start_date": "2024-08-01"} if p == "P06" else {})} for p in people],
        contacts=contacts, cop_attendance=cop)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("ties", ["working", "direct", "coworking", "cop", "all"])
def test_period_tie_changes_equal_tie_changes_of_the_two_graphs(seed, ties):
    # Before & after's maps read the tie changes from the coded tie tables (pages/_cached.py): the same table as
    # tie_changes of the two periods' practitioner graphs, strength ignored, order and dtypes included.
    from netdash.change.dynamics import period_tie_changes
    from netdash.networks.graphs import practitioner_graph

    ds = _random_dataset(seed)
    seen = set()
    for before, after in [(Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-07-01")),
                           Period(pd.Timestamp("2024-07-01"), pd.Timestamp("2025-01-01"))),
                          (Period(pd.Timestamp("2024-03-01"), pd.Timestamp("2024-04-01")),
                           Period(pd.Timestamp("2024-10-01"), pd.Timestamp("2024-10-15")))]:
        want = tie_changes(practitioner_graph(ds, before, ties=ties), practitioner_graph(ds, after, ties=ties),
                           weight=None)
        got = period_tie_changes(ds, before, after, ties=ties)
        pd.testing.assert_frame_equal(got, want)
        assert list(got.dtypes) == list(want.dtypes)
        seen |= set(got["status"])
    assert seen == {"new", "lost", "kept"} or (ties == "cop" and seen <= {"new", "lost", "kept"})  # all but strengthened


def test_period_tie_changes_of_periods_without_ties_is_empty(small_ds):
    from netdash.change.dynamics import period_tie_changes

    quiet = Period(pd.Timestamp("2023-01-01"), pd.Timestamp("2023-02-01"))
    got = period_tie_changes(small_ds, quiet, quiet)
    assert got.empty and list(got.columns) == list(tie_changes(nx.Graph(), nx.Graph()).columns)
    got = period_tie_changes(small_ds, quiet, Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-03-01")))
    assert got[["a", "b", "status", "cross_agency"]].values.tolist() == [["h1", "h2", "new", False],
                                                                        ["h1", "p1", "new", True]]


def _attendee_means_from_edge_tables(ds, freq, ties):
    """attendee_series' colleague counts as they were made: from each window's edge table of ids (the reference)."""
    import numpy as np

    from netdash.networks import graphs

    attendees = set(ds.cop_attendance["practitioner_id"])
    rows = []
    for w in windows(*ds.date_range, freq=freq):
        nodes = graphs.practitioner_nodes(ds, w)
        edges = graphs.practitioner_edges(ds, w, ties=ties)
        ids = pd.Index(nodes["practitioner_id"], dtype=object)
        u, v = ids.get_indexer(edges["source"]), ids.get_indexer(edges["target"])
        agency = pd.factorize(nodes["agency"].to_numpy(dtype=object), use_na_sentinel=True)[0]
        cross = agency[u] != agency[v]
        degree = np.bincount(np.r_[u, v], minlength=len(ids))
        across = np.bincount(np.r_[u[cross], v[cross]], minlength=len(ids))
        attended = nodes["practitioner_id"].isin(attendees).to_numpy()
        for members in (attended, ~attended):
            rows.append((int(members.sum()), degree[members].mean(), across[members].mean()))
    return rows


@pytest.mark.parametrize("freq", ["quarter", "month"])
@pytest.mark.parametrize("ties", ["working", "direct", "coworking", "all"])
def test_attendee_series_equal_the_edge_table_reference_on_the_demo(demo_source, freq, ties, monkeypatch):
    # The colleague counts come from the coded ties (a GraphMatrix of codes), or, when a tie end is not a node,
    # from the edge table: both the values of the edge table of ids, to the bit.
    from netdash.ingest import load_dataset
    from netdash.metrics.matrix import GraphMatrix

    demo = load_dataset(demo_source, secret=b"test-attendees")[0]
    expected = _attendee_means_from_edge_tables(demo, freq, ties)
    got = attendee_series(demo, freq=freq, ties=ties, min_count=1)
    assert list(zip(got["practitioners"], got["mean_colleagues"], got["mean_cross_agency_colleagues"])) == expected
    assert got["mean_colleagues"].gt(0).any()
    monkeypatch.setattr(GraphMatrix, "from_codes", classmethod(lambda cls, *args, **kwargs: None))
    fallback = attendee_series(demo, freq=freq, ties=ties, min_count=1)
    pd.testing.assert_frame_equal(fallback, got, check_exact=True)


def _summary_reference(changes):
    """tie_change_summary as it was written before it counted by codes (crosstab of status and kind)."""
    import numpy as np

    from netdash.change.dynamics import TIE_STATUSES

    kind = np.where(changes["cross_agency"].astype(bool), "cross_agency", "within_agency")
    table = pd.crosstab(changes["status"], kind) if len(changes) else pd.DataFrame()
    table = table.reindex(index=list(TIE_STATUSES), columns=["within_agency", "cross_agency"], fill_value=0)
    table = table.fillna(0).astype(int)
    table.loc["still_tied"] = table.loc["kept"] + table.loc["strengthened"]
    table["total"] = table["within_agency"] + table["cross_agency"]
    table.index.name = "status"
    table.columns.name = None
    return table


@pytest.mark.parametrize("seed", range(6))
def test_coded_tie_changes_give_the_table_and_counts_of_the_pairs_of_ids(seed):
    # One matching of pairs across periods serves the comparison's tables, their counts (CodedTieChanges.summary)
    # and Before & after's lost and new ties (CodedTieChanges.pairs): each equal to the table of the pairs of ids.
    import numpy as np

    from netdash.change.dynamics import coded_tie_changes, tie_changes_from_pairs

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    ids = np.array(sorted(f"P{k}" for k in range(n)), dtype=object)
    agency = np.array([rng.choice(np.array(["A", "B", None], dtype=object)) for _ in ids], dtype=object)
    periods = []
    for _ in range(2):  # pairs listed more than once (the last strength counts) and self-loops included
        i, j = rng.integers(0, n, 3 * n), rng.integers(0, n, 3 * n)
        periods.append((np.minimum(i, j), np.maximum(i, j), rng.choice([1.0, 2.0, 4.0, np.nan], 3 * n)))
    frames = [pd.DataFrame({"a": ids[i], "b": ids[j], "weight": w}).drop_duplicates(["a", "b"], keep="last")
              for i, j, w in periods]
    want = tie_changes_from_pairs(*frames, dict(zip(ids.tolist(), agency.tolist())))
    coded = coded_tie_changes(n, *periods, agency)
    pd.testing.assert_frame_equal(coded.table(ids, agency), want, check_exact=True)
    pd.testing.assert_frame_equal(coded.summary(), _summary_reference(want), check_exact=True)
    pd.testing.assert_frame_equal(tie_change_summary(want), _summary_reference(want), check_exact=True)
    position = {v: k for k, v in enumerate(ids.tolist())}
    for status, cross in [("new", False), ("lost", False), ("kept", False), ("new", True)]:
        rows = want[(want["status"] == status) & (want["cross_agency"] | (not cross))]
        keys = sorted(position[a] * n + position[b] for a, b in zip(rows["a"], rows["b"]))
        assert coded.pairs(status, cross_agency=cross).tolist() == keys


def test_tie_change_summary_counts_only_the_known_statuses():
    odd = pd.DataFrame({"status": ["new", "weird", None, "kept", "new"], "cross_agency": [True, False, True, None, 1]})
    got = tie_change_summary(odd)
    pd.testing.assert_frame_equal(got, _summary_reference(odd), check_exact=True)
    assert got.loc["new"].tolist() == [0, 2, 2] and got.loc["still_tied"].tolist() == [1, 0, 1]
    pd.testing.assert_frame_equal(tie_change_summary(odd.iloc[:0]), _summary_reference(odd.iloc[:0]))
