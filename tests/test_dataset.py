"""The Dataset container: derived values that are remembered."""

import pandas as pd

from netdash.dataset import Dataset


def _dataset(contact_days, session_days=()):
    return Dataset.from_records(
        agencies=[{"agency_id": "A", "name": "Housing"}],
        practitioners=[{"practitioner_id": "p1", "agency_id": "A"}],
        contacts=[{"date": d, "practitioner_id": "p1", "client_id": "c1"} for d in contact_days],
        cop_attendance=[{"session_id": "s", "date": d, "practitioner_id": "p1", "cop_name": "C"} for d in session_days],
    )


def test_date_range_spans_contacts_and_sessions_and_follows_replaced_tables():
    ds = _dataset(["2024-03-05", "2024-01-10"], ["2024-06-01"])
    assert ds.date_range == (pd.Timestamp("2024-01-10"), pd.Timestamp("2024-06-01"))
    assert ds.date_range == (pd.Timestamp("2024-01-10"), pd.Timestamp("2024-06-01"))  # the remembered answer
    # A table swapped in (as the frozen dataclass allows only through object.__setattr__) is seen.
    object.__setattr__(ds, "contacts", _dataset(["2023-12-31"]).contacts)
    assert ds.date_range == (pd.Timestamp("2023-12-31"), pd.Timestamp("2024-06-01"))
    assert _dataset([]).date_range == (None, None)
