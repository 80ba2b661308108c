"""A failed or killed import leaves the workspace exactly as it was.

A child process imports a large generated dataset (``scale="medium"``, 19 MB
of contacts) into a workspace that already holds a small one, and is killed
with SIGKILL at chosen moments: while it is still validating, as the write
transaction starts, in the middle of the biggest table, and after the last
table. The child is instrumented only to *say* where it is (it prints a line
as each table is handed to DuckDB); the library code runs unchanged.
Afterwards the workspace must list exactly the same datasets, with the same
ids, versions and row counts, the small dataset's content must be identical,
the key file unchanged, and the workspace must accept the same import again.
"""

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from kill_support import run_and_kill

from netdash.errors import InvalidInputError
from netdash.schema import TABLES
from netdash.store import Workspace

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "data" / "good"

CHILD = r"""
import sys
import duckdb
import netdash.store.workspace as store

class _Announcing:
    # Wraps the connection only to print which table is about to be written.
    def __init__(self, con):
        self._con = con
    def register(self, name, frame):
        print("TABLE", len(frame), flush=True)
        return self._con.register(name, frame)
    def begin(self):
        print("BEGIN", flush=True)
        return self._con.begin()
    def __getattr__(self, name):
        return getattr(self._con, name)

_connect = duckdb.connect
store.duckdb.connect = lambda *a, **k: _Announcing(_connect(*a, **k))
print("VALIDATING", flush=True)
store.Workspace(sys.argv[1]).import_dataset(sys.argv[2], name=sys.argv[3], replace=sys.argv[4] == "1")
print("DONE", flush=True)
"""


@pytest.fixture(scope="module")
def big_source(tmp_path_factory):
    from netdash.demo import generate_demo

    return generate_demo(tmp_path_factory.mktemp("big"), scale="medium")


@pytest.fixture
def ws(tmp_path):
    workspace = Workspace(tmp_path / "ws")
    workspace.import_dataset(GOOD, name="small")
    return workspace


def _snapshot(ws):
    """Everything a user could see in the workspace: datasets, their rows, and the key file."""
    infos = [(i.name, i.dataset_id, i.version, i.imported_at, tuple(sorted(i.row_counts.items())), i.n_warnings)
             for i in ws.list()]
    content = {i[0]: {t: ws.open(i[0]).table(t).reset_index(drop=True) for t in TABLES} for i in infos}
    return infos, content, (ws.path / "secret.key").read_bytes()


def _assert_same(before, after):
    infos, content, key = before
    assert after[0] == infos
    assert after[2] == key
    for name, tables in content.items():
        for table, frame in tables.items():
            pd.testing.assert_frame_equal(after[1][name][table], frame, obj=f"{name}.{table}")


def _run_and_kill(ws, source, *, name, replace, when):
    """Start the import in a child; SIGKILL it at ``when``; return the lines it printed."""
    tables = 0

    def hit(line):
        nonlocal tables
        tables += line.startswith("TABLE")
        if when == "validating" and line == "VALIDATING":
            time.sleep(0.5)  # reading and checking 19 MB takes longer than this
        return ((when == "validating" and line == "VALIDATING")
                or (when == "begin" and line == "BEGIN")
                or (when == "contacts" and line.startswith("TABLE") and int(line.split()[1]) > 100_000)
                or (when == "last table" and tables == len(TABLES)))

    return run_and_kill(CHILD, [ws.path, source, name, "1" if replace else "0"], hit)


@pytest.mark.slow
@pytest.mark.parametrize("when", ["validating", "begin", "contacts", "last table"])
@pytest.mark.parametrize("replace", [False, True], ids=["new dataset", "replacing the existing one"])
def test_killed_import_leaves_the_workspace_exactly_as_it_was(ws, big_source, when, replace):
    before = _snapshot(ws)
    lines = _run_and_kill(ws, big_source, name="small" if replace else "big", replace=replace, when=when)
    if when != "validating":
        assert "BEGIN" in lines  # it was killed inside the write transaction
    _assert_same(before, _snapshot(ws))
    assert not any(ws.path.glob("*.tmp"))
    # The workspace is not locked or damaged: the same import now succeeds.
    info = ws.import_dataset(big_source, name="big")
    assert info.row_counts["contacts"] == sum(1 for _ in open(big_source / "contacts.csv", encoding="utf-8")) - 1
    assert [i.name for i in ws.list()] == ["small", "big"]


def test_failed_import_leaves_the_workspace_exactly_as_it_was(ws, tmp_path):
    before = _snapshot(ws)
    broken = tmp_path / "broken"
    shutil.copytree(GOOD, broken)
    contacts = (broken / "contacts.csv").read_text(encoding="utf-8").replace("2024-01-11,P1", "2024-01-11,P-019")
    (broken / "contacts.csv").write_text(contacts, encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"contacts.csv, row 3: practitioner_id 'P-019' is not in "
                                                r"practitioners.csv"):
        ws.import_dataset(broken, name="small", replace=True)
    with pytest.raises(InvalidInputError, match="a dataset called 'small' already exists"):
        ws.import_dataset(GOOD, name="small")
    _assert_same(before, _snapshot(ws))
