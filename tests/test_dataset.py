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


def test_memo_computes_once_and_drops_least_recently_used_beyond_its_size():
    import numpy as np

    from netdash.dataset import Memo

    calls = []

    def array(n):
        def compute():
            calls.append(n)
            return np.zeros(n, dtype=np.int8)
        return compute

    memo = Memo(max_bytes=250)
    assert memo.get("a", array(100)) is memo.get("a", array(100))
    memo.get("b", array(100))
    memo.get("a", array(100))  # "a" is now the most recently used
    memo.get("c", array(100))  # 300 bytes: "b" goes
    assert calls == [100, 100, 100] and memo.keys() == ["a", "c"] and memo.nbytes == 200
    memo.get("b", array(100))
    assert calls == [100, 100, 100, 100]


def test_memo_computes_a_value_once_when_threads_ask_together():
    import threading
    import time

    from netdash.dataset import Memo

    memo, calls = Memo(), []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return "value"

    found = []
    threads = [threading.Thread(target=lambda: found.append(memo.get("k", slow))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert found == ["value"] * 4 and calls == [1]


def test_memo_keeps_nothing_when_the_computation_fails():
    from netdash.dataset import Memo

    memo = Memo()
    for _ in range(2):
        try:
            memo.get("k", lambda: 1 / 0)
        except ZeroDivisionError:
            pass
    assert len(memo) == 0 and memo.get("k", lambda: 2) == 2


def test_memo_belongs_to_the_dataset_object_and_is_not_pickled():
    import copy
    import pickle

    ds = _dataset(["2024-03-05"])
    ds.memo.get("x", lambda: 1)
    assert ds.memo is ds.memo and ds.memo.keys() == ["x"]
    for other in (pickle.loads(pickle.dumps(ds)), copy.copy(ds), copy.deepcopy(ds)):
        assert len(other.memo) == 0 and other.date_range == ds.date_range
    assert len(_dataset(["2024-03-05"]).memo) == 0  # an equal dataset is another object


def test_coded_log_is_kept_per_dataset_object_not_per_id():
    """The log was kept by id(ds) before: a new dataset at a reused id must not get an old log."""
    from netdash.networks.counts import dataset_log

    for day in range(1, 30):
        ds = _dataset([f"2024-01-{day:02d}"])
        log = dataset_log(ds)
        assert log is dataset_log(ds)  # kept
        assert log.day.tolist() == [(pd.Timestamp(f"2024-01-{day:02d}") - pd.Timestamp("1970-01-01")).days]
        del ds, log  # the next dataset may well get this id


def test_factorized_column_from_kept_codes_is_pandas_factorize():
    """Codes into values with repeats, None and unused values give exactly pandas.factorize of the rows."""
    import numpy as np

    from netdash.dataset import factorized_column, keep_column_codes

    rng = np.random.default_rng(3)
    values = np.array(["b", None, "a", "b", "unused", "c", "a"], dtype=object)
    codes = rng.integers(0, 4, 500).astype(np.int8)  # "unused" (4) is in no row
    codes[[7, 300]] = [5, 6]
    rows = values[codes]
    ds = Dataset.from_records(agencies=[{"agency_id": "A"}],
                              practitioners=[{"practitioner_id": "p", "agency_id": "A"}],
                              contacts=[{"date": "2024-01-01", "practitioner_id": "p", "client_id": c}
                                        for c in rows])
    assert ds.contacts["client_id"].tolist() == rows.tolist()
    for mask in (None, rng.random(500) < 0.3):
        keep_column_codes(ds, "contacts", "client_id", codes, values)
        got = factorized_column(ds, "contacts", "client_id", rows=mask)
        want_codes, want_uniques = pd.factorize(rows if mask is None else rows[mask])
        assert got[0].dtype == np.int32 and got[0].tolist() == want_codes.tolist()
        assert got[1].tolist() == list(want_uniques) and "unused" not in got[1].tolist()
        # Used once: the next call hashes the column (same answer).
        assert ("netdash.dataset column codes", "contacts", "client_id") not in ds.memo.keys()
        again = factorized_column(ds, "contacts", "client_id", rows=mask)
        assert again[0].tolist() == want_codes.tolist() and again[1].tolist() == list(want_uniques)


def test_memo_put_and_pop_keep_the_size_right():
    import numpy as np

    from netdash.dataset import Memo

    memo = Memo()
    memo.put("a", np.zeros(10))
    memo.put("a", np.zeros(20))
    assert memo.nbytes == 160
    assert memo.pop("a").size == 20 and memo.pop("a", "none") == "none" and memo.nbytes == 0


def test_an_import_into_a_workspace_keeps_no_column_codes(tmp_path, monkeypatch):
    """The importer's codes are for analysing the loaded object; a stored import lets them go (issue 18's peak)."""
    from pathlib import Path

    from netdash.ingest import load_dataset
    from netdash.store import Workspace

    demo = Path(__file__).resolve().parents[1] / "data" / "demo"
    ds, _ = load_dataset(demo, secret=b"k" * 32)
    assert any(key[0] == "netdash.dataset column codes" for key in ds.memo.keys())
    seen = []
    import netdash.store.workspace as workspace

    original = workspace.load_dataset

    def spy(*args, **kwargs):
        found = original(*args, **kwargs)
        seen.append(found[0])
        return found

    monkeypatch.setattr(workspace, "load_dataset", spy)
    Workspace(tmp_path / "ws").import_dataset(demo, name="demo")
    assert len(seen) == 1 and len(seen[0].memo) == 0


def _counts_by_rows(ds, period):
    """dataset_summary's contact counts and monthly_activity, written out with pandas on the period's rows."""
    contacts = ds.contacts if period is None else ds.contacts[period.mask(ds.contacts["date"])]
    agency = ds.agency_of()
    colleague = contacts["with_practitioner_id"].notna()
    same = contacts["practitioner_id"].map(agency) == contacts["with_practitioner_id"].map(agency)
    kind = pd.Series("client", index=contacts.index)
    kind[colleague & same] = "within agency"
    kind[colleague & ~same] = "cross agency"
    monthly = (pd.DataFrame({"month": contacts["date"].dt.to_period("M").dt.to_timestamp(), "kind": kind})
               .groupby(["month", "kind"], observed=True).size().rename("contacts").reset_index())
    counts = {"clients": contacts["client_id"].dropna().nunique(), "contacts": len(contacts),
              "colleague_contacts": int(colleague.sum()), "cross_agency_contacts": int((colleague & ~same).sum())}
    return counts, monthly


def test_period_counts_and_months_agree_with_the_rows_counted_one_by_one():
    """A row naming a client and a colleague is a colleague contact; a colleague not in the practitioners table is
    in another agency; an empty period has no months."""
    from netdash.dataset import dataset_summary, monthly_activity
    from netdash.periods import Period

    ds = Dataset.from_records(
        agencies=[{"agency_id": "A", "name": "Housing"}, {"agency_id": "B", "name": "Mind"}],
        practitioners=[{"practitioner_id": p, "agency_id": a} for p, a in (("p1", "A"), ("p2", "A"), ("p3", "B"))],
        contacts=[{"date": "2024-01-05", "practitioner_id": "p1", "client_id": "c1"},
                  {"date": "2024-01-20", "practitioner_id": "p1", "with_practitioner_id": "p2", "client_id": "c2"},
                  {"date": "2024-02-01", "practitioner_id": "p1", "with_practitioner_id": "p3"},
                  {"date": "2024-02-03", "practitioner_id": "p2", "with_practitioner_id": "gone"},
                  {"date": "2024-02-04", "practitioner_id": "left", "with_practitioner_id": "gone"},
                  {"date": "2024-04-30", "practitioner_id": "p3", "client_id": "c1"}])
    for period in (None, Period(pd.Timestamp("2024-01-20"), pd.Timestamp("2024-02-02")),
                   Period(pd.Timestamp("2024-03-01"), pd.Timestamp("2024-04-01"))):
        counts, monthly = _counts_by_rows(ds, period)
        summary = dataset_summary(ds, period)
        assert {k: summary[k] for k in counts} == counts
        pd.testing.assert_frame_equal(monthly_activity(ds, period), monthly, check_dtype=False)
    # Two colleagues neither of whom is in the practitioners table are not "within" one (unknown) agency.
    assert dataset_summary(ds)["cross_agency_contacts"] == 3 and dataset_summary(ds)["colleague_contacts"] == 4
    assert monthly_activity(ds).values.tolist() == [
        [pd.Timestamp("2024-01-01"), "client", 1], [pd.Timestamp("2024-01-01"), "within agency", 1],
        [pd.Timestamp("2024-02-01"), "cross agency", 3], [pd.Timestamp("2024-04-01"), "client", 1]]


def test_period_counts_and_months_agree_on_the_demo(demo_source):
    from netdash.dataset import dataset_summary, monthly_activity
    from netdash.ingest import load_dataset
    from netdash.periods import Period

    ds, _ = load_dataset(demo_source, secret=b"t", name="demo")
    for period in (None, Period(pd.Timestamp("2024-03-01"), pd.Timestamp("2024-09-17"))):
        counts, monthly = _counts_by_rows(ds, period)
        summary = dataset_summary(ds, period)
        assert {k: summary[k] for k in counts} == counts and counts["cross_agency_contacts"] > 100
        pd.testing.assert_frame_equal(monthly_activity(ds, period), monthly)
