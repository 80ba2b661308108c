"""The DuckDB workspace: import/list/open/delete, atomicity and privacy."""

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from netdash.errors import DatasetNotFoundError, InvalidInputError, NetdashError
from netdash.ingest import load_dataset, load_or_create_secret
from netdash.schema import TABLES
from netdash.store import Workspace, default_workspace

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
DEMO_SOURCE = Path(__file__).resolve().parents[2] / "data" / "demo"
TODAY = "2024-06-30"
RAW_CLIENT_IDS = ("C001", "C002", "C003")


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "ws")


def counts(ws):
    """Rows per stored table, read straight from the DuckDB file."""
    with duckdb.connect(str(ws.db_path)) as con:
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in [*TABLES, "datasets"]}


def bad_source(tmp_path):
    dest = tmp_path / "bad"
    shutil.copytree(GOOD, dest)
    (dest / "contacts.csv").write_text("date,practitioner_id,client_id\n2024-01-10,P9,C001\n")
    return dest


def test_default_workspace_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("NETDASH_WORKSPACE", str(tmp_path / "w"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_workspace() == tmp_path / "w"
    monkeypatch.delenv("NETDASH_WORKSPACE")
    assert default_workspace() == tmp_path / "xdg" / "netdash"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_workspace() == tmp_path / "home" / ".local" / "share" / "netdash"


def test_import_then_open_round_trips_the_pseudonymised_dataset(ws):
    info = ws.import_dataset(GOOD, name="pilot", today=TODAY)
    assert info.row_counts == {"agencies": 2, "practitioners": 4, "contacts": 5, "cop_attendance": 3, "clients": 3,
                         "trust_survey": 2}
    assert info.source == "good" and info.n_warnings == 0
    stored = ws.open("pilot")
    expected, _ = load_dataset(GOOD, secret=load_or_create_secret(ws.path), today=TODAY)
    for table in TABLES:
        pd.testing.assert_frame_equal(stored.table(table), expected.table(table))
    assert stored.name == "pilot" and stored.version == info.version
    assert ws.open(info.dataset_id).version == info.version
    assert [i.name for i in ws.list()] == ["pilot"]


def test_raw_client_ids_and_secret_never_stored(ws):
    ws.import_dataset(GOOD, name="pilot", today=TODAY)
    secret = (ws.path / "secret.key").read_bytes()
    blob = b"".join(p.read_bytes() for p in ws.path.glob("netdash.duckdb*"))
    for raw in RAW_CLIENT_IDS:
        assert raw.encode() not in blob
    assert secret not in blob and secret.hex().encode() not in blob
    with duckdb.connect(str(ws.db_path)) as con:
        for table in [*TABLES, "datasets"]:
            text = con.execute(f'SELECT * FROM "{table}"').df().astype(str).to_string()
            assert not any(raw in text for raw in RAW_CLIENT_IDS), table
            assert secret.hex() not in text
        pseudonyms = {r[0] for r in con.execute("SELECT client_id FROM clients").fetchall()}
    assert len(pseudonyms) == 3 and all(p.startswith("c_") for p in pseudonyms)


def test_failed_validation_changes_nothing(ws, tmp_path):
    ws.import_dataset(GOOD, name="pilot", today=TODAY)
    before, listed = counts(ws), ws.list()
    with pytest.raises(InvalidInputError, match="contacts.csv, row 2: practitioner_id 'P9' is not in"):
        ws.import_dataset(bad_source(tmp_path), name="pilot", replace=True, today=TODAY)
    assert counts(ws) == before and ws.list() == listed


def test_failure_during_the_write_rolls_back(ws, monkeypatch):
    ws.import_dataset(GOOD, name="pilot", today=TODAY)
    before, listed = counts(ws), ws.list()
    import netdash.store.workspace as store

    real = store.load_dataset

    def broken(*args, **kwargs):  # the last table cannot be inserted, after the others were
        ds, report = real(*args, **kwargs)
        ds.trust_survey["not_a_column"] = 1
        return ds, report

    monkeypatch.setattr(store, "load_dataset", broken)
    with pytest.raises(NetdashError, match="workspace database error"):
        ws.import_dataset(GOOD, name="pilot", replace=True, today=TODAY)
    with pytest.raises(NetdashError, match="workspace database error"):
        ws.import_dataset(GOOD, name="second", today=TODAY)
    assert counts(ws) == before and ws.list() == listed


def test_name_in_use_and_replace(ws):
    first = ws.import_dataset(GOOD, name="pilot", today=TODAY)
    with pytest.raises(InvalidInputError, match="a dataset called 'pilot' already exists .* replace it"):
        ws.import_dataset(GOOD, name="pilot", today=TODAY)
    second = ws.import_dataset(GOOD, name="pilot", replace=True, today=TODAY)
    assert second.dataset_id == first.dataset_id and second.version != first.version
    assert counts(ws)["contacts"] == 5 and len(ws.list()) == 1


def test_delete_removes_every_row_of_that_dataset_only(ws):
    ws.import_dataset(GOOD, name="a", today=TODAY)
    ws.import_dataset(GOOD, name="b", today=TODAY)
    ws.delete("a")
    assert [i.name for i in ws.list()] == ["b"]
    assert counts(ws) == {"agencies": 2, "practitioners": 4, "contacts": 5, "cop_attendance": 3, "clients": 3,
                          "trust_survey": 2, "datasets": 1}
    with pytest.raises(DatasetNotFoundError, match="no dataset called 'a'"):
        ws.delete("a")


def test_open_unknown_lists_available(ws):
    with pytest.raises(DatasetNotFoundError, match="Available: none yet"):
        ws.open("x")
    ws.import_dataset(GOOD, name="b", today=TODAY)
    ws.import_dataset(GOOD, name="a", today=TODAY)
    with pytest.raises(DatasetNotFoundError, match=r"no dataset called 'x' in the workspace .*Available: 'a', 'b'\."):
        ws.open("x")


def test_warnings_are_stored_with_the_dataset(ws, tmp_path):
    src = tmp_path / "warn"
    shutil.copytree(GOOD, src)
    (src / "notes.csv").write_text("x\n1\n")
    info = ws.import_dataset(src, name="w", today=TODAY)
    assert info.n_warnings == 1 and ws.list()[0].n_warnings == 1
    assert ws.warnings("w") == ["notes.csv: not a netdash table, so it was ignored. Table files are named "
                                "agencies.csv, practitioners.csv, contacts.csv, cop_attendance.csv, clients.csv, "
                                "trust_survey.csv."]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_dataset_name_must_be_given(ws, name):
    with pytest.raises(InvalidInputError, match="must be 1 to 100 characters"):
        ws.import_dataset(GOOD, name=name, today=TODAY)


def test_ensure_demo_imports_once(ws, tmp_path):
    demo = tmp_path / "demo"
    shutil.copytree(GOOD, demo)
    (demo / "contacts.csv").write_text((GOOD / "contacts.csv").read_text().replace("2024-", "2020-"))
    first = ws.ensure_demo(source=demo)
    assert first.name == "demo" and first.row_counts["contacts"] == 5
    assert ws.ensure_demo(source=demo).version == first.version
    assert len(ws.list()) == 1


def test_ensure_demo_reports_missing_data(ws, tmp_path):
    with pytest.raises(NetdashError, match="the demo data is missing"):
        ws.ensure_demo(source=tmp_path / "nowhere")


def test_not_a_database_is_reported(tmp_path):
    (tmp_path / "netdash.duckdb").write_bytes(b"this is not duckdb" * 500)
    with pytest.raises(NetdashError, match="cannot be opened|not a netdash workspace"):
        Workspace(tmp_path).list()


def test_stamp_changes_with_every_write_and_not_with_reads(tmp_path):
    ws = Workspace(tmp_path / "ws")
    empty = ws.stamp()
    assert empty == (None, None)  # no database file yet
    ws.import_dataset(GOOD, name="small")
    imported = ws.stamp()
    assert imported != empty
    ws.list(), ws.open("small")
    assert ws.stamp() == imported
    ws.import_dataset(GOOD, name="small", replace=True)
    replaced = ws.stamp()
    assert replaced != imported
    ws.delete("small")
    assert ws.stamp() not in (imported, replaced)


# ---- issue 18, item 6: names on one line; concurrent replacements -------------------------------------------

@pytest.mark.parametrize("name", ["two\nlines", "tab\there", "bidi\u202eeman", "line\u2028sep"])
def test_a_dataset_name_with_a_control_character_is_refused(tmp_path, name):
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(InvalidInputError, match="holds a line break, tab or other invisible control character"):
        ws.import_dataset(GOOD, name=name, today=TODAY)
    assert ws.list() == []


def test_a_replacement_that_was_overtaken_does_not_also_say_imported(tmp_path, monkeypatch):
    """Two ``--replace`` imports at once: the second to write finds the version it meant to replace gone."""
    import netdash.store.workspace as workspace_module

    ws = Workspace(tmp_path / "ws")
    first = ws.import_dataset(GOOD, name="x", today=TODAY)
    real = workspace_module.load_dataset
    overtaken = []

    def validating(*args, **kwargs):  # while this import validates, another one replaces "x"
        if not overtaken:
            overtaken.append(None)
            overtaken[0] = Workspace(ws.path).import_dataset(GOOD, name="x", today=TODAY, replace=True)
        return real(*args, **kwargs)

    monkeypatch.setattr(workspace_module, "load_dataset", validating)
    with pytest.raises(InvalidInputError, match=r"the dataset 'x' was changed by another import or delete while "
                                                r"this one was being validated.*nothing was imported"):
        ws.import_dataset(GOOD, name="x", today=TODAY, replace=True)
    assert ws.info("x").version == overtaken[0].version != first.version
    monkeypatch.setattr(workspace_module, "load_dataset", real)
    assert ws.import_dataset(GOOD, name="x", today=TODAY, replace=True).version != overtaken[0].version


def test_two_replacing_processes_at_once_print_imported_once(tmp_path):
    """The same race between two real ``netdash import --replace`` processes, started together."""
    import subprocess
    import sys

    ws = tmp_path / "ws"
    Workspace(ws).import_dataset(DEMO_SOURCE, name="x")
    command = [sys.executable, "-m", "netdash.cli", "--workspace", str(ws), "import", str(DEMO_SOURCE), "--name",
               "x", "--replace"]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    said = [out for out, _ in outs]
    codes = sorted(p.returncode for p in procs)
    # Either they ran one after the other (both fine), or one was overtaken and said so; never two
    # "Imported" lines for one overtaken import.
    if codes == [0, 2]:
        assert sum("Imported" in s for s in said) == 1
        assert any("was changed by another import" in err for _, err in outs)
    else:
        assert codes == [0, 0] and len({Workspace(ws).info("x").version}) == 1


def _log_fields(log):
    return {name: getattr(log, name).tolist() for name in log.__dataclass_fields__}


def test_an_opened_dataset_gives_the_measures_of_the_imported_one(tmp_path):
    """The workspace hands its column codes to the coded log (issue 19): same log, same measures as the CSV path."""
    from netdash.analysis import NetworkAnalysis
    from netdash.networks.codes import coded_log

    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(DEMO_SOURCE, name="demo")
    stored = ws.open("demo")
    expected, _ = load_dataset(DEMO_SOURCE, secret=load_or_create_secret(ws.path))
    for table in TABLES:
        pd.testing.assert_frame_equal(stored.table(table), expected.table(table))
    kept = {key[1:] for key in stored.memo.keys() if key[0] == "netdash.dataset column codes"}
    assert ("contacts", "practitioner_id") in kept and ("cop_attendance", "session_id") in kept
    assert _log_fields(coded_log(stored)) == _log_fields(coded_log(expected))
    # The codes were used (each is used once), not the rows hashed again.
    assert not any(key[0] == "netdash.dataset column codes" and key[2] in ("practitioner_id", "client_id")
                   for key in stored.memo.keys())
    for ties in ("all", "working"):
        got, want = NetworkAnalysis(stored, ties=ties), NetworkAnalysis(expected, ties=ties)
        pd.testing.assert_frame_equal(got.edge_table, want.edge_table)
        pd.testing.assert_frame_equal(got.practitioner_table(), want.practitioner_table())


def test_rows_stored_out_of_order_are_opened_in_row_order(ws):
    """Open reads without ORDER BY (issue 19); rows the database returns in another order are sorted on _row."""
    from netdash.networks.codes import coded_log

    ws.import_dataset(GOOD, name="pilot", today=TODAY)
    before = ws.open("pilot")
    with duckdb.connect(str(ws.db_path)) as con:
        con.execute("CREATE TEMP TABLE backwards AS SELECT * FROM contacts ORDER BY _row DESC")
        con.execute("DELETE FROM contacts")
        con.execute("INSERT INTO contacts SELECT * FROM backwards")
        assert [r[0] for r in con.execute("SELECT _row FROM contacts").fetchall()] == [4, 3, 2, 1, 0]
    after = ws.open("pilot")
    pd.testing.assert_frame_equal(after.contacts, before.contacts)
    assert _log_fields(coded_log(after)) == _log_fields(coded_log(before))
