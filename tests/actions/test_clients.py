import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from netdash.actions.clients import TEAM_COLUMNS, client_team_summary, client_team_trend, client_teams, team_trend
from netdash.dataset import Dataset
from netdash.errors import InvalidInputError
from netdash.periods import Period

AGENCIES = [{"agency_id": a, "name": a} for a in ("H", "M", "P")]
PRACTITIONERS = [{"practitioner_id": p, "agency_id": p[0].upper()}
                 for p in ("h1", "h2", "m1", "m2", "p1")]


def _visit(day, p, client, kind="visit"):
    return {"date": day, "practitioner_id": p, "client_id": client, "contact_type": kind}


def _call(day, a, b):
    return {"date": day, "practitioner_id": a, "with_practitioner_id": b, "contact_type": "phone"}


def _teams(contacts, period=None, **kw):
    ds = Dataset.from_records(agencies=AGENCIES, practitioners=PRACTITIONERS, contacts=contacts)
    return client_teams(ds, period, **kw).set_index("client_id")


def test_cohesion_one_tie_among_three_pairs():
    contacts = [_visit("2024-01-01", "h1", "c1"), _visit("2024-01-02", "m1", "c1"),
                _visit("2024-01-03", "p1", "c1"), _call("2024-01-04", "m1", "h1")]
    row = _teams(contacts).loc["c1"]
    assert row["cohesion"] == pytest.approx(1 / 3)
    assert (row["n_agencies"], row["n_practitioners"], row["agencies"]) == (3, 3, ("H", "M", "P"))


def test_cohesion_by_trust_graph_replaces_contacts():
    contacts = [_visit("2024-01-01", "h1", "c1"), _visit("2024-01-02", "m1", "c1"),
                _visit("2024-01-03", "p1", "c1"), _call("2024-01-04", "m1", "h1")]
    trust = nx.DiGraph([("h1", "p1"), ("p1", "h1"), ("m1", "p1")])
    assert _teams(contacts, trust=trust).loc["c1", "cohesion"] == pytest.approx(2 / 3)


def test_ids_in_any_order_and_a_trust_graph_naming_strangers():
    # client_teams numbers ids in sorted order: appearance order, agency order and client order must not leak.
    contacts = [_visit("2024-01-05", "p1", "z9"), _visit("2024-01-01", "m2", "z9"), _visit("2024-01-03", "h2", "a1"),
                _visit("2024-01-02", "m1", "a1"), _visit("2024-01-04", "h1", "a1")]
    trust = nx.Graph([("h2", "m1"), ("h1", "nobody"), ("ghost", "m1")])
    teams = _teams(contacts, trust=trust)
    assert list(teams.index) == ["a1", "z9"]
    assert teams.loc["a1", "agencies"] == ("H", "M") and teams.loc["z9", "agencies"] == ("M", "P")
    assert (teams.loc["a1", "n_practitioners"], teams.loc["z9", "n_practitioners"]) == (3, 2)
    assert teams.loc["a1", "cohesion"] == pytest.approx(1 / 3)  # h2-m1 of h1-h2, h1-m1, h2-m1
    assert teams.loc["z9", "cohesion"] == 0


def test_same_agency_pairs_count_in_cohesion_and_single_agency_clients_are_left_out():
    contacts = [_visit("2024-01-01", "h1", "c1"), _visit("2024-01-01", "h2", "c1"),
                _visit("2024-01-02", "m1", "c1"), _call("2024-01-04", "h1", "h2"),
                _visit("2024-01-01", "h1", "solo"), _visit("2024-01-05", "h2", "solo")]
    teams = _teams(contacts)
    assert list(teams.index) == ["c1"]
    assert teams.loc["c1", "cohesion"] == pytest.approx(1 / 3)
    assert teams.loc["c1", "n_agencies"] == 2 and teams.loc["c1", "n_practitioners"] == 3


def test_contact_ties_outside_period_do_not_count():
    contacts = [_visit("2024-02-01", "h1", "c1"), _visit("2024-02-02", "m1", "c1"),
                _call("2023-12-01", "h1", "m1")]
    period = Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-03-01"))
    assert _teams(contacts, period).loc["c1", "cohesion"] == 0.0
    assert _teams(contacts).loc["c1", "cohesion"] == 1.0


@pytest.mark.parametrize("spans, pattern", [
    # partial overlap: H Jan 1-20, M Jan 10-Feb 1
    ({"h1": ["2024-01-01", "2024-01-20"], "m1": ["2024-01-10", "2024-02-01"]}, "concurrent"),
    # M starts the day after H ends
    ({"h1": ["2024-01-01", "2024-01-10"], "m1": ["2024-01-11", "2024-02-01"]}, "sequential"),
    # a shared day is an overlap
    ({"h1": ["2024-01-01", "2024-01-10"], "m1": ["2024-01-10"]}, "concurrent"),
    # P overlaps H although M, which started between them, had ended
    ({"h1": ["2024-01-01", "2024-03-01"], "m1": ["2024-01-05", "2024-01-06"], "p1": ["2024-02-01"]},
     "concurrent"),
    # three agencies one after another
    ({"h1": ["2024-01-01", "2024-01-02"], "m1": ["2024-01-03", "2024-01-04"], "p1": ["2024-01-05"]},
     "sequential"),
])
def test_concurrent_and_sequential(spans, pattern):
    contacts = [_visit(day, p, "c1") for p, days in spans.items() for day in days]
    assert _teams(contacts).loc["c1", "pattern"] == pattern


def test_handover_lag_21_days():
    contacts = [
        _visit("2023-12-20", "m1", "c1"),                         # before the placement: ignored
        _visit("2024-01-01", "h1", "c1", "housing_placement"),    # day 0
        _visit("2024-01-05", "h2", "c1"),                         # same agency: ignored
        _visit("2024-01-22", "m1", "c1"), _visit("2024-02-10", "p1", "c1"),  # day 21, day 40
        _visit("2024-01-01", "h1", "c2"), _visit("2024-01-03", "m1", "c2"),  # no placement
        _visit("2024-01-01", "h1", "c3", "housing_placement"), _visit("2023-11-01", "m1", "c3"),
    ]
    teams = _teams(contacts)
    assert teams.loc["c1", "handover_lag_days"] == 21
    assert math.isnan(teams.loc["c2", "handover_lag_days"])
    assert math.isnan(teams.loc["c3", "handover_lag_days"])  # nobody else after the placement


def test_contacts_by_someone_not_in_practitioners_join_no_team():
    # Dataset.from_records does not check references (ingest does): "zz" has no agency, so c1 is seen by one
    # agency only, and c2's team is H and M with two members, not three.
    contacts = [_visit("2024-01-01", "h1", "c1"), _visit("2024-01-02", "zz", "c1"),
                _visit("2024-01-01", "h1", "c2"), _visit("2024-01-02", "zz", "c2"), _visit("2024-01-03", "m1", "c2")]
    teams = _teams(contacts)
    assert list(teams.index) == ["c2"]
    assert (teams.loc["c2", "agencies"], teams.loc["c2", "n_practitioners"]) == (("H", "M"), 2)


def test_empty_result_has_the_columns():
    teams = client_teams(Dataset.from_records(agencies=AGENCIES, practitioners=PRACTITIONERS))
    assert list(teams.columns) == TEAM_COLUMNS and teams.empty


def test_bad_trust_argument():
    ds = Dataset.from_records(agencies=AGENCIES, practitioners=PRACTITIONERS)
    with pytest.raises(InvalidInputError, match="trust should be a networkx graph"):
        client_teams(ds, trust=[("h1", "m1")])


def _team_table(n, concurrent, lags, cohesion=0.5):
    return pd.DataFrame({
        "client_id": [f"x{i}" for i in range(n)], "n_agencies": 2, "n_practitioners": 3,
        "agencies": [("H", "M")] * n, "cohesion": cohesion,
        "pattern": ["concurrent"] * concurrent + ["sequential"] * (n - concurrent),
        "handover_lag_days": list(lags) + [np.nan] * (n - len(lags)),
    })


def test_summary_shows_large_counts():
    s = client_team_summary(_team_table(10, 5, [10, 20, 30, 40, 50]))
    assert s["clients_with_team"] == 10 and s["concurrent"] == 5 and s["sequential"] == 5
    assert s["share_concurrent"] == 0.5 and s["mean_cohesion"] == 0.5 and s["mean_practitioners"] == 3
    assert s["clients_with_handover"] == 5 and s["median_handover_lag_days"] == 30
    assert s["suppressed"] == []


def test_summary_suppresses_small_counts_and_their_complements():
    s = client_team_summary(_team_table(9, 5, [10, 20, 30, 40]))
    assert s["sequential"] is None  # 4
    assert s["share_concurrent"] is None  # 5/9 would give the 4 back
    assert s["concurrent"] == 5 and s["clients_with_team"] == 9
    assert s["clients_with_handover"] is None and s["median_handover_lag_days"] is None
    assert s["suppressed"] == ["clients_with_handover", "median_handover_lag_days", "sequential",
                               "share_concurrent"]


def test_summary_of_few_clients_hides_means():
    s = client_team_summary(_team_table(4, 4, []))
    assert s["clients_with_team"] is None and s["mean_cohesion"] is None
    assert s["sequential"] == 0  # zero is shown


def test_summary_errors():
    missing = r"columns \['n_agencies', .*'handover_lag_days'\] are missing"
    with pytest.raises(InvalidInputError, match=missing):
        client_team_summary(pd.DataFrame({"client_id": []}))
    with pytest.raises(InvalidInputError, match="min_count should be a whole number"):
        client_team_summary(_team_table(1, 1, []), min_count=0)


def test_trend_before_and_after():
    before = Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"))
    after = Period(pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-01"))
    contacts = [  # before: one sequential team without ties; after: one concurrent team with a tie
        _visit("2024-01-02", "h1", "c1"), _visit("2024-01-09", "m1", "c1"),
        _visit("2024-02-02", "h1", "c2"), _visit("2024-02-02", "m1", "c2"), _call("2024-02-03", "h1", "m1"),
    ]
    ds = Dataset.from_records(agencies=AGENCIES, practitioners=PRACTITIONERS, contacts=contacts)
    trend = client_team_trend(ds, before, after, min_count=1)
    assert trend.loc["mean_cohesion"].tolist() == [0.0, 1.0, 1.0]
    assert trend.loc["share_concurrent"].tolist() == [0.0, 1.0, 1.0]
    hidden = client_team_trend(ds, before, after)
    assert hidden.loc["clients_with_team"].tolist() == [None, None, None]
    # From kept tables (the page's way): the same trend.
    kept = team_trend(client_teams(ds, before), client_teams(ds, after), min_count=1)
    assert kept.loc["mean_cohesion"].tolist() == [0.0, 1.0, 1.0]
    assert kept.equals(trend)


def test_team_trend_rejects_a_bad_min_count():
    empty = client_teams(Dataset.from_records(agencies=AGENCIES, practitioners=PRACTITIONERS))
    with pytest.raises(InvalidInputError, match="min_count"):
        team_trend(empty, empty, min_count=0)


def _reference_cohesion(ds, period, trust=None):
    """Cohesion of each client team from the id strings, as client_teams computed it until session 13."""
    contacts = ds.contacts[(period or Period()).mask(ds.contacts["date"])]
    if trust is None:
        calls = contacts[contacts["with_practitioner_id"].notna()]
        ends = zip(calls["practitioner_id"], calls["with_practitioner_id"])
    else:
        ends = trust.edges()
    tied = {tuple(sorted((str(a), str(b)))) for a, b in ends if a != b}
    seen = contacts[contacts["client_id"].notna()]
    agency = ds.practitioners.set_index("practitioner_id")["agency_id"]
    out = {}
    for client, rows in seen.groupby("client_id"):
        people = sorted(set(rows["practitioner_id"]) & set(agency.index))
        if agency.reindex(people).nunique() < 2:
            continue
        pairs = [(a, b) for i, a in enumerate(people) for b in people[i + 1:]]
        out[client] = sum(pair in tied for pair in pairs) / len(pairs)
    return pd.Series(out, dtype=float)


@pytest.fixture(scope="module")
def bundled_demo(demo_source):
    from netdash.ingest import load_dataset

    return load_dataset(demo_source, secret=b"test-client-teams")[0]


@pytest.mark.parametrize("with_trust", [False, True])
def test_cohesion_from_coded_ties_equals_the_id_strings_on_the_demo(bundled_demo, with_trust):
    first, last = bundled_demo.date_range
    staff = sorted(bundled_demo.practitioners["practitioner_id"])
    # A trust graph that also names someone the dataset does not have.
    trust = nx.Graph([(staff[k], staff[(7 * k + 3) % len(staff)]) for k in range(len(staff))] + [(staff[0], "stranger")])
    for period in (None, Period(first, first + pd.Timedelta(days=90))):
        got = client_teams(bundled_demo, period, trust=trust if with_trust else None).set_index("client_id")["cohesion"]
        expected = _reference_cohesion(bundled_demo, period, trust if with_trust else None)
        assert len(got) > 100 and got.gt(0).sum() >= 10  # not a comparison of zeros
        pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False,
                                       check_index_type=False, rtol=1e-12)


def _reference_teams(ds, period):
    """Every column but cohesion, client by client in plain Python, from the id strings and the dates."""
    contacts = ds.contacts[(period or Period()).mask(ds.contacts["date"]) & ds.contacts["client_id"].notna()]
    agency = ds.practitioners.set_index("practitioner_id")["agency_id"]
    rows = {}
    for client, seen in contacts.groupby("client_id"):
        seen = seen.assign(agency=seen["practitioner_id"].map(agency))
        if seen["agency"].nunique() < 2:
            continue
        spans = sorted(seen.groupby("agency")["date"].agg(["min", "max"]).itertuples(index=False))
        overlap = any(later[0] <= max(s[1] for s in spans[:k]) for k, later in enumerate(spans) if k)
        placed = seen[seen["contact_type"] == "housing_placement"].sort_values(["date", "agency"])
        lag = float("nan")
        if len(placed):
            day, by = placed.iloc[0][["date", "agency"]]
            after = seen[(seen["agency"] != by) & (seen["date"] >= day)]
            lag = float((after["date"] - day).dt.days.min()) if len(after) else float("nan")
        rows[client] = {"n_agencies": seen["agency"].nunique(), "n_practitioners": seen["practitioner_id"].nunique(),
                        "agencies": tuple(sorted(seen["agency"].unique())),
                        "pattern": "concurrent" if overlap else "sequential", "handover_lag_days": lag}
    return pd.DataFrame.from_dict(rows, orient="index")


def test_every_column_equals_a_plain_reading_of_the_demo(bundled_demo):
    first, _ = bundled_demo.date_range
    for period in (Period(first + pd.Timedelta(days=60), first + pd.Timedelta(days=150)),):
        got = client_teams(bundled_demo, period).set_index("client_id")
        expected = _reference_teams(bundled_demo, period)
        assert list(got.index) == sorted(expected.index) and got["handover_lag_days"].notna().sum() > 20
        for column in ("n_agencies", "n_practitioners", "agencies", "pattern"):
            assert got[column].tolist() == expected.loc[got.index, column].tolist(), column
        pd.testing.assert_series_equal(got["handover_lag_days"], expected.loc[got.index, "handover_lag_days"],
                                       check_names=False, check_index_type=False)


def test_spans_are_each_client_and_agency_first_and_last_date_as_groupby_gives():
    # Codes in any order, an unknown agency (-1) beside the last agency code, repeated days: the rows and dates of
    # groupby(["client_id", "agency"]).agg(min, max), in its order.
    import numpy as np

    from netdash.actions.clients import _spans

    rng = np.random.default_rng(5)
    client, agency = rng.integers(0, 30, 2000), rng.integers(-1, 6, 2000)
    date = (np.datetime64("2024-01-01") + rng.integers(0, 400, 2000)).astype("datetime64[ns]")
    expected = (pd.DataFrame({"client_id": client, "agency": agency, "date": date})
                .groupby(["client_id", "agency"])["date"].agg(first="min", last="max").reset_index())
    pd.testing.assert_frame_equal(_spans(client, agency, date), expected, check_exact=True)
    assert (expected["agency"] == -1).any() and (expected["first"] < expected["last"]).any()


def _pandas_handover_lag(seen):
    # The merge it replaced (netdash before session 17), kept as the reference.
    placements = seen[seen["placement"]]
    first = (placements.sort_values(["date", "agency"]).groupby("client_id", as_index=False)
             .first()[["client_id", "date", "agency"]]
             .rename(columns={"date": "placed", "agency": "placing_agency"}))
    later = seen[["client_id", "date", "agency"]].merge(first, on="client_id")
    later = later[(later["agency"] != later["placing_agency"]) & (later["date"] >= later["placed"])]
    lag = (later["date"] - later["placed"]).dt.days.groupby(later["client_id"]).min()
    return lag.astype("float64")


@pytest.mark.parametrize("seed", range(8))
def test_handover_lag_equals_the_merge_it_replaced(seed):
    # Random rows: several placements a client (same day by two agencies, the lower agency code places), an
    # unknown agency (-1), times of day (a lag under 24 hours is 0 days), clients with no later agency.
    from netdash.actions.clients import _handover_lag

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 4000))
    client, agency = rng.integers(0, int(rng.integers(1, 300)), n), rng.integers(-1, 5, n)
    seconds = rng.integers(0, 200 * 86_400, n) if seed % 2 else rng.integers(0, 200, n) * 86_400  # odd: times of day
    date = (np.datetime64("2024-01-01T00:00", "s") + seconds).astype("datetime64[ns]")
    placement = rng.random(n) < rng.choice([0.0, 0.05, 0.5])
    got = _handover_lag(client, date, placement, agency)
    expected = _pandas_handover_lag(pd.DataFrame({"client_id": client, "date": date, "placement": placement,
                                                  "agency": agency}))
    pd.testing.assert_series_equal(got, expected, check_names=False, check_index_type=False, check_exact=True)
    assert got.index.tolist() == expected.index.tolist() and got.dtype == np.float64
    if placement.sum() > 50:
        assert len(got) > 3
