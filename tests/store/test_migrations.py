"""Workspaces written before issue 18 lose their raw client IDs when first opened for writing.

``tests/data/old_workspaces`` holds database files written by the netdash of
two older commits (``make.py`` there says how): the first workspace format
(0452c72) and the last one before the fix (9b69e56's parent). Both store
warnings that quote raw client IDs; the older one also keeps a deleted
dataset's rows, warnings included, in free blocks of the file. Opening them
must leave no raw ID in any byte of the workspace (the search of
``tests/ingest/test_raw_client_ids.py``), reword only those warnings, and
record schema version 2.
"""

import contextlib
import gzip
import hashlib
import io
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.raw_ids_support import find_raw_ids, old_warning_dataset, warning_dataset
from netdash import cli
from netdash.store import Workspace
from netdash.store.migrations import SCHEMA_TABLE, SCHEMA_VERSION, without_raw_ids

OLD = Path(__file__).resolve().parents[1] / "data" / "old_workspaces"
GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
RAW_IDS = old_warning_dataset()[1] + warning_dataset()[1]
NAME = "before issue 18"

# What the migration makes of the seven warnings both old versions stored (they were worded alike).
REWORDED = [
    "contacts.csv, rows 7 and 15: 1 client_id value is not in clients.csv. The rows were kept. The ID is not shown "
    "because it identifies a client.",
    "contacts.csv, rows 8 and 16: 1 client_id value is not in clients.csv. The rows were kept. The ID is not shown "
    "because it identifies a client.",
    "contacts.csv, row 9: 1 client_id value is not in clients.csv. It differs from an ID in clients.csv only in "
    "upper/lower case; IDs are compared exactly. The rows were kept. The ID is not shown because it identifies a "
    "client.",
    "contacts.csv, row 10: 1 client_id value is not in clients.csv. The rows were kept. The ID is not shown because "
    "it identifies a client.",
    "contacts.csv, row 11: 1 client_id value is not in clients.csv. The rows were kept. The ID is not shown because "
    "it identifies a client.",
    "contacts.csv, row 12: 1 client_id value is not in clients.csv. The rows were kept. The ID is not shown because "
    "it identifies a client.",
    "contacts.csv, row 14: 1 client_id value is not in clients.csv. It looks like a word for none (such as unknown "
    "or n/a): where there is no client, leave the cell empty. The rows were kept. The ID is not shown because it "
    "identifies a client.",
]


def _old_workspace(tmp_path, label):
    ws = Workspace(tmp_path / "ws")
    ws.path.mkdir(mode=0o700, parents=True)
    ws.db_path.write_bytes(gzip.decompress((OLD / f"{label}.duckdb.gz").read_bytes()))
    return ws


def _files(ws):
    return {p.name: p.read_bytes() for p in ws.path.iterdir() if p.is_file()}


def _leaks(ws):
    found = {name: find_raw_ids(blob, RAW_IDS) for name, blob in _files(ws).items()}
    return {name: ids for name, ids in found.items() if ids}


def _tables(path, columns=None):
    """Every row of every table (but the schema versions) read straight from a database file, with its columns.

    ``columns`` ({table: names}) reads only those: the columns an older file had
    (opening it adds the columns of newer contracts, empty, as it always has).
    """
    with duckdb.connect(str(path), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                                           "ORDER BY table_name").fetchall()]
        out = {}
        for n in names:
            if n == SCHEMA_TABLE or (columns is not None and n not in columns):
                continue
            cols = columns[n] if columns is not None else [r[0] for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [n]).fetchall()]
            rows = con.execute(f"SELECT {', '.join(repr(c).replace(chr(39), chr(34)) for c in cols)} FROM \"{n}\"")
            out[n] = (cols, sorted(map(repr, rows.fetchall())))
        return out


def _datasets(path):
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SELECT * FROM datasets")
        columns = [d[0] for d in con.description]
        return [dict(zip(columns, row)) for row in con.fetchall()]


@pytest.mark.parametrize("label", ["netdash-0452c72", "netdash-9b69e56-parent"])
def test_an_old_workspace_keeps_no_raw_client_id_once_opened(tmp_path, label):
    ws = _old_workspace(tmp_path, label)
    before_tables, before = _tables(ws.db_path), _datasets(ws.db_path)
    # The probe finds what the old netdash stored (and, in the oldest, what its delete left in free blocks).
    assert set(_leaks(ws)["netdash.duckdb"]) >= set(old_warning_dataset()[1]) - {old_warning_dataset()[1][1]}
    if label == "netdash-0452c72":
        assert set(_leaks(ws)["netdash.duckdb"]) & set(warning_dataset()[1])  # the deleted dataset's warnings

    assert [i.name for i in ws.list()] == [NAME]  # the first open for writing migrates

    assert _leaks(ws) == {}
    assert ws.warnings(NAME) == REWORDED
    after = _datasets(ws.db_path)
    assert len(after) == len(before) == 1
    assert after[0]["n_warnings"] == before[0]["n_warnings"] == len(REWORDED)
    # Nothing else changed: every other column of datasets, and every other table, row for row.
    assert {k: v for k, v in after[0].items() if k != "warnings"} == {
        **{k: v for k, v in before[0].items() if k != "warnings"}, **({"options": None} if "options" not in before[0]
                                                                      else {})}
    after_tables = _tables(ws.db_path, {t: cols for t, (cols, _) in before_tables.items()})
    assert after_tables.keys() == before_tables.keys()
    assert {t for t in after_tables if after_tables[t] != before_tables[t]} == {"datasets"}
    with duckdb.connect(str(ws.db_path), read_only=True) as con:
        versions = con.execute(f"SELECT version, note FROM {SCHEMA_TABLE}").fetchall()
    assert [v for v, _ in versions] == [SCHEMA_VERSION] and "7 warnings of 1 datasets reworded" in versions[0][1]
    # The dataset still opens whole, and with the same pseudonyms.
    assert len(ws.open(NAME).contacts) == json.loads(before[0]["row_counts"])["contacts"]


def test_a_migrated_workspace_is_not_rewritten_again(tmp_path):
    ws = _old_workspace(tmp_path, "netdash-9b69e56-parent")
    ws.list()
    stamp = ws.stamp()
    assert Workspace(ws.path).list() and ws.warnings(NAME) == REWORDED
    assert ws.stamp() == stamp and ws.migration_pending is None


def test_a_new_workspace_starts_at_the_current_version(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small", today="2024-06-30")
    with duckdb.connect(str(ws.db_path), read_only=True) as con:
        assert con.execute(f"SELECT version, note FROM {SCHEMA_TABLE}").fetchall() == [(SCHEMA_VERSION, "created")]
    stamp = ws.stamp()
    ws.delete("small")  # the rewrite keeps the versions, and the delete does not touch them
    with duckdb.connect(str(ws.db_path), read_only=True) as con:
        assert con.execute(f"SELECT version FROM {SCHEMA_TABLE}").fetchall() == [(SCHEMA_VERSION,)]
    assert ws.stamp() != stamp


def test_an_old_workspace_with_a_write_ahead_log_loses_the_ids_in_both(tmp_path):
    """A workspace in the first format, written the way its netdash did, with the last write still in the WAL."""
    old = _datasets(_old_workspace(tmp_path / "src", "netdash-9b69e56-parent").db_path)[0]
    ws = Workspace(tmp_path / "ws")
    ws.path.mkdir(mode=0o700)
    con = duckdb.connect(str(ws.db_path))
    # datasets as netdash.store created it at commit 0452c72, and its INSERT of an import's row
    con.execute("""CREATE TABLE IF NOT EXISTS datasets (
        dataset_id VARCHAR PRIMARY KEY, name VARCHAR UNIQUE NOT NULL, imported_at TIMESTAMP,
        version VARCHAR, source VARCHAR, n_warnings INTEGER, warnings VARCHAR, row_counts VARCHAR)""")
    con.execute("CHECKPOINT")
    con.execute("INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [old["dataset_id"], NAME, old["imported_at"], old["version"], old["source"], old["n_warnings"],
                 old["warnings"], old["row_counts"]])
    con.execute("PRAGMA disable_checkpoint_on_shutdown")  # as if the process was killed before its checkpoint
    con.close()
    wal = ws.db_path.with_name("netdash.duckdb.wal")
    assert find_raw_ids(wal.read_bytes(), RAW_IDS)

    assert ws.warnings(NAME) == REWORDED
    assert _leaks(ws) == {} and not wal.exists()
    assert [i.n_warnings for i in ws.list()] == [7]


@pytest.mark.parametrize("label", ["netdash-0452c72", "netdash-9b69e56-parent"])
def test_a_read_only_old_workspace_is_not_written_and_says_so(tmp_path, monkeypatch, label):
    writable = _old_workspace(tmp_path / "writable", label)
    expected = writable.open(NAME)  # migrated, with the columns newer contracts added
    ws = _old_workspace(tmp_path, label)
    digest = hashlib.sha256(ws.db_path.read_bytes()).hexdigest()
    monkeypatch.setattr(Workspace, "read_only", property(lambda self: f"netdash cannot write to {self.db_path}"))
    assert "older netdash" in ws.migration_pending and "raw client IDs" in ws.migration_pending
    assert ws.warnings(NAME) == REWORDED  # shown without the IDs, as they are read
    # Older files lack newer tables and columns (the record of changes, contacts' weight): still readable.
    assert ws.log() == []
    opened = ws.open(NAME)
    for table in ("contacts", "clients", "practitioners", "agencies"):
        pd.testing.assert_frame_equal(opened.table(table), expected.table(table))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        assert cli.main(["--workspace", str(ws.path), "list"]) == 0
    assert "written by an older netdash" in out.getvalue() and NAME in out.getvalue()
    assert sorted(_files(ws)) == ["netdash.duckdb"]
    assert hashlib.sha256(ws.db_path.read_bytes()).hexdigest() == digest


def test_a_migration_that_finds_no_room_leaves_the_workspace_usable(tmp_path, monkeypatch):
    from netdash.store import workspace

    ws = _old_workspace(tmp_path, "netdash-9b69e56-parent")

    def full(self, con, **_):
        raise workspace._RewriteFailed("no space", full=True)

    monkeypatch.setattr(Workspace, "_rewrite", full)
    assert [i.name for i in ws.list()] == [NAME]
    assert ws.warnings(NAME) == REWORDED
    assert "older netdash" in ws.migration_pending
    monkeypatch.undo()
    fresh = Workspace(ws.path)  # the next program to open it migrates it
    assert fresh.migration_pending is None and _leaks(fresh) == {}


def test_rewording_changes_only_messages_that_quote_a_client_id():
    vocabulary = "contacts.csv, row 3: contact_type 'Visit' is not one of the suggested values. Did you mean 'visit'?"
    summary = ("contacts.csv, rows 27, 28, 29, 30, 31 and 3 more: 8 more client_id values have the same problem: not "
               "in clients.csv. Add them or correct the IDs.")
    odd = "contacts.csv, row 4: client_id \"O'Neil-7\" looks odd. Did you mean 'ONEIL-7'?"
    new, changed = without_raw_ids([vocabulary, summary, odd, *REWORDED])
    assert changed == 1
    assert new[:2] == [vocabulary, summary] and new[3:] == REWORDED
    assert new[2] == ("contacts.csv, row 4: client_id [a client ID, not shown] looks odd. Did you mean "
                      "[a client ID, not shown]?")
    assert without_raw_ids(new) == (new, 0)


def test_the_data_page_says_a_read_only_old_workspace_was_not_migrated(own_app_workspace, monkeypatch):
    from streamlit.testing.v1 import AppTest

    ws = own_app_workspace
    ws.path.mkdir(mode=0o700)
    ws.db_path.write_bytes(gzip.decompress((OLD / "netdash-9b69e56-parent.duckdb.gz").read_bytes()))
    digest = hashlib.sha256(ws.db_path.read_bytes()).hexdigest()
    monkeypatch.setattr(Workspace, "read_only", property(lambda self: f"netdash cannot write to {self.db_path}"))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "streamlit_app.py"), default_timeout=180)
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, at.exception
    shown = " ".join(w.value for w in at.warning)
    assert "is read-only" in shown and "written by an older netdash" in shown
    assert find_raw_ids(shown.encode(), RAW_IDS) == []
    assert hashlib.sha256(ws.db_path.read_bytes()).hexdigest() == digest
