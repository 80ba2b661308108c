"""COP impact's caseload covariate (distinct clients before the COP), counted on the coded log."""

import pandas as pd
import pytest

from netdash.change.impact import impact_design
from netdash.change.impact.design import _caseload
from netdash.dataset import Dataset


def _by_pandas(ds, period):
    contacts = ds.contacts[period.mask(ds.contacts["date"]) & ds.contacts["client_id"].notna()]
    return contacts.groupby("practitioner_id")["client_id"].nunique()


def test_caseload_counts_distinct_clients_in_the_period():
    prac = [{"practitioner_id": p, "agency_id": "A"} for p in ("p1", "p2", "p3")]
    rows = [("2024-01-02", "p1", "c1"), ("2024-01-09", "p1", "c1"), ("2024-01-10", "p1", "c2"),
            ("2024-01-11", "p2", None), ("2024-03-01", "p2", "c1"), ("2024-01-12", "p3", "c9")]
    ds = Dataset.from_records(agencies=[{"agency_id": "A", "name": "A"}], practitioners=prac,
                              contacts=[{"date": d, "practitioner_id": p, "client_id": c} for d, p, c in rows])
    from netdash.periods import Period

    got = _caseload(ds, Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")))
    assert got.to_dict() == {"p1": 2, "p3": 1}  # p2's January contact names no client; its client is in March


@pytest.mark.parametrize("which", ["bundled demo", "generated"])
def test_caseload_equals_counting_the_contacts_with_pandas(which, demo_source, tmp_path):
    from netdash.demo import DemoScale, generate_demo
    from netdash.ingest import load_dataset

    folder = demo_source if which == "bundled demo" else generate_demo(tmp_path, seed=6, scale=DemoScale(90, 250, 9))
    ds = load_dataset(folder, secret=b"caseload")[0]
    design = impact_design(ds)
    for period in (design.before, design.after):
        got, want = _caseload(ds, period), _by_pandas(ds, period)
        assert got.to_dict() == want.to_dict() and len(got) > 10
        assert got.dtype == want.dtype == "int64"
