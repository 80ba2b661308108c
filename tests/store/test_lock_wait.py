"""Two processes on one workspace: the second waits for the first's DuckDB lock, then says why it gave up."""

import subprocess
import sys
import time

import pytest

import netdash.store.workspace as workspace_module
from netdash.errors import NetdashError
from netdash.store import Workspace

_HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # read-write: DuckDB's file lock, as another netdash process holds it
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def _held_by_another_process(db_path, seconds):
    child = subprocess.Popen([sys.executable, "-c", _HOLD, str(db_path), str(seconds)], stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout.readline().strip() == "holding"
    return child


@pytest.fixture
def workspace(tmp_path, demo_source):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(demo_source, name="demo")
    return ws


def test_a_workspace_held_by_another_process_is_opened_once_it_is_free(workspace):
    child = _held_by_another_process(workspace.db_path, 1.5)
    try:
        start = time.monotonic()
        ds = workspace.open("demo")
        waited = time.monotonic() - start
    finally:
        child.wait(timeout=30)
    assert len(ds.contacts) > 0 and waited > 0.5  # it waited for the other process rather than failing


def test_a_workspace_held_too_long_gives_a_message_that_says_what_to_do(workspace, monkeypatch):
    monkeypatch.setattr(workspace_module, "_LOCK_WAIT_SECONDS", 0.3)
    child = _held_by_another_process(workspace.db_path, 20)
    try:
        with pytest.raises(NetdashError, match="Another netdash command is using the workspace: wait for it"):
            workspace.open("demo")
    finally:
        child.kill()
        child.wait(timeout=30)
    assert len(workspace.open("demo").contacts) > 0  # and nothing was changed by the attempt

