"""The fast edge aggregation in netdash.graphs gives exactly the tables of the plain pandas versions.

The references below are the pandas implementations that netdash.graphs used
before DuckDB took over (crosstab, self-merge with merge_asof, pivot_table);
they are compared on seeded random contact logs with repeats, self-contacts,
missing types and day gaps around the co-working window.
"""

import numpy as np
import pandas as pd
import pytest

from netdash import graphs
from netdash.dataset import Dataset
from netdash.errors import InvalidInputError
from netdash.periods import parse_period


def _random_dataset(seed, *, n_prac=25, n_clients=40, n_rows=600):
    rng = np.random.default_rng(seed)
    pracs = [f"P{i:03d}" for i in range(n_prac)]
    day = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 400, n_rows), unit="D")
    has_client = rng.random(n_rows) < 0.6
    colleague = rng.choice(pracs, n_rows).astype(object)
    contacts = pd.DataFrame({
        "date": day.strftime("%Y-%m-%d"),
        "practitioner_id": rng.choice(pracs, n_rows),
        "client_id": np.where(has_client, rng.choice([f"C{i}" for i in range(n_clients)], n_rows), None),
        "with_practitioner_id": np.where(has_client, None, colleague),
        "contact_type": rng.choice(np.array(["phone", "email", "referral", None], dtype=object), n_rows),
    })
    sessions = [(f"S{k}", f"2023-{k + 1:02d}-15") for k in range(8)]
    attendance = [{"session_id": s, "date": d, "practitioner_id": p}
                  for s, d in sessions for p in rng.choice(pracs, 6, replace=False)]
    return Dataset.from_records(
        agencies=[{"agency_id": "A", "name": "Housing"}, {"agency_id": "B", "name": "GP"}],
        practitioners=[{"practitioner_id": p, "agency_id": "AB"[i % 2]} for i, p in enumerate(pracs)],
        contacts=contacts.to_dict("records"), cop_attendance=attendance)


def _ref_contact_edges(ds, period):
    contacts = graphs._in_period(ds.contacts, period)
    contacts = contacts[contacts["with_practitioner_id"].notna()
                        & (contacts["practitioner_id"] != contacts["with_practitioner_id"])]
    frame = pd.DataFrame({"source": contacts["practitioner_id"], "target": contacts["with_practitioner_id"],
                          "type": contacts["contact_type"].fillna("unspecified")})
    wide = pd.crosstab([frame["source"], frame["target"]], frame["type"])
    edges = wide.index.to_frame(index=False).astype(object)
    edges["weight"] = wide.sum(axis=1).to_numpy().astype("int64")
    edges["types"] = [{k: int(v) for k, v in row.items() if v} for row in wide.to_dict("records")]
    return edges


def _ref_coworking_edges(ds, period, window_days):
    contacts = graphs._in_period(ds.contacts, period)
    days = contacts.loc[contacts["client_id"].notna(), ["client_id", "practitioner_id", "date"]].drop_duplicates()
    days["cp"] = days.groupby(["client_id", "practitioner_id"], sort=False).ngroup()
    spans = days[["client_id", "practitioner_id", "cp"]].drop_duplicates()
    pairs = spans.merge(spans, on="client_id", suffixes=("_1", "_2"))
    pairs = pairs[pairs["practitioner_id_1"] < pairs["practitioner_id_2"]]
    left = pairs.merge(days[["cp", "date"]].rename(columns={"cp": "cp_1", "date": "date_1"}), on="cp_1")
    right = days[["cp", "date"]].rename(columns={"cp": "cp_2", "date": "date_2"})
    near = pd.merge_asof(left.sort_values("date_1"), right.sort_values("date_2"), left_on="date_1",
                         right_on="date_2", by="cp_2", direction="nearest",
                         tolerance=pd.Timedelta(days=window_days))
    hits = near.loc[near["date_2"].notna(), ["client_id", "practitioner_id_1", "practitioner_id_2"]]
    edges = (hits.drop_duplicates().groupby(["practitioner_id_1", "practitioner_id_2"]).size()
             .rename("weight").reset_index()
             .rename(columns={"practitioner_id_1": "source", "practitioner_id_2": "target"}))
    return edges.astype({"source": object, "target": object, "weight": "int64"})


def _ref_cop_edges(ds, period):
    attendance = graphs._in_period(ds.cop_attendance, period)[["session_id", "practitioner_id"]].drop_duplicates()
    pairs = attendance.merge(attendance, on="session_id")
    pairs = pairs[pairs["practitioner_id_x"] < pairs["practitioner_id_y"]]
    edges = (pairs.groupby(["practitioner_id_x", "practitioner_id_y"]).size().rename("weight")
             .reset_index().rename(columns={"practitioner_id_x": "source", "practitioner_id_y": "target"}))
    return edges.astype({"source": object, "target": object, "weight": "int64"})


PERIODS = [None, parse_period("2023-03-01:2023-10-01")]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("period", PERIODS)
def test_contact_edges_equal_crosstab_version(seed, period):
    ds = _random_dataset(seed)
    pd.testing.assert_frame_equal(graphs.contact_edges(ds, period), _ref_contact_edges(ds, period))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("window", [0, 7, 90])
def test_coworking_edges_equal_merge_asof_version(seed, period, window):
    ds = _random_dataset(seed)
    got = graphs.coworking_edges(ds, period, window_days=window)
    assert len(got) > 0 or window == 0  # window 0 needs same-day visits, rare here
    pd.testing.assert_frame_equal(got, _ref_coworking_edges(ds, period, window))


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("period", PERIODS)
def test_cop_edges_equal_merge_version(seed, period):
    ds = _random_dataset(seed)
    pd.testing.assert_frame_equal(graphs.cop_edges(ds, period), _ref_cop_edges(ds, period))


@pytest.mark.parametrize("ties", list(graphs.TIE_TYPES))
def test_practitioner_edges_equal_pivot_table_version(ties):
    ds = _random_dataset(5)
    chosen = graphs.TIE_TYPES[ties]
    tables = []
    if "direct" in chosen:
        d = _ref_contact_edges(ds, None)
        d["source"], d["target"] = graphs._ordered(d["source"], d["target"])
        tables.append(d[["source", "target", "weight"]].assign(kind="direct"))
    if "coworking" in chosen:
        tables.append(_ref_coworking_edges(ds, None, 90).assign(kind="coworking"))
    if "cop" in chosen:
        tables.append(_ref_cop_edges(ds, None).assign(kind="cop"))
    wide = pd.concat(tables).pivot_table(index=["source", "target"], columns="kind", values="weight",
                                         aggfunc="sum", fill_value=0)
    ref = wide.reindex(columns=["direct", "coworking", "cop"], fill_value=0).astype("int64").reset_index()
    ref.columns.name = None
    got = graphs.practitioner_edges(ds, ties=ties)
    pd.testing.assert_frame_equal(got[["source", "target", "direct", "coworking", "cop"]],
                                  ref.astype({"source": object, "target": object}))
    assert (got["weight"] == ref[["direct", "coworking", "cop"]].sum(axis=1)).all()
    names = ("cop", "coworking", "direct")
    expected = [tuple(n for n in names if r[n] > 0) for r in ref.to_dict("records")]
    assert got["tie_types"].tolist() == expected


def test_reuse_tables_serves_copies_and_forgets_on_exit():
    ds = _random_dataset(0)
    with graphs.reuse_tables():
        first = graphs.coworking_edges(ds)
        first.loc[0, "weight"] = -1  # a caller modifying its copy...
        again = graphs.coworking_edges(ds)
        assert again.loc[0, "weight"] > 0  # ...does not change what others get
        other = graphs.coworking_edges(ds, window_days=7)
        assert len(other) < len(again)  # options are part of the key
    pd.testing.assert_frame_equal(graphs.coworking_edges(ds), _ref_coworking_edges(ds, None, 90))


def test_errors_still_raised_inside_reuse_tables():
    ds = _random_dataset(0)
    with graphs.reuse_tables(), pytest.raises(InvalidInputError, match="window_days must be a whole number"):
        graphs.coworking_edges(ds, window_days=-1)
