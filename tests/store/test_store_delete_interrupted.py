"""A delete killed at any moment leaves either the old workspace or the new one, never a broken one.

``Workspace.delete`` copies the datasets it keeps into a new file and swaps
it in with ``os.replace``. A child process deletes a small dataset from a
workspace that also holds a large one (``scale="medium"``, 527k contacts,
so the copy takes a while) and is killed with SIGKILL at chosen moments: as
the new file is attached, in the middle of copying the contacts, as the new
file is checkpointed, and just after the swap. The child is instrumented
only to *say* where it is; the library code runs unchanged. Killed before
the swap, the workspace must hold both datasets exactly as before; after
it, only the large one, exactly as before, and none of the small one's
bytes. Either way it opens, leaves no temporary file, and takes a delete.
"""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from kill_support import run_and_kill

from netdash.schema import TABLES
from netdash.store import Workspace

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "data" / "good"

CHILD = r"""
import os
import sys
import duckdb
import netdash.store.workspace as store

class _Announcing:
    # Wraps the connection only to print the start of each statement before running it.
    def __init__(self, con):
        self._con = con
    def execute(self, sql, *args, **kwargs):
        print("SQL", " ".join(sql.split()[:3]), flush=True)
        return self._con.execute(sql, *args, **kwargs)
    def __getattr__(self, name):
        return getattr(self._con, name)

def _replace(src, dst, _real=os.replace):
    _real(src, dst)
    print("REPLACED", flush=True)

_connect = duckdb.connect
store.duckdb.connect = lambda *a, **k: _Announcing(_connect(*a, **k))
store.os.replace = _replace
store.Workspace(sys.argv[1]).delete(sys.argv[2])
print("DONE", flush=True)
"""

KILL_AT = {
    "attaching the new file": lambda line: line.startswith("SQL ATTACH"),
    "copying the contacts": lambda line: line == 'SQL INSERT INTO _fresh.main."contacts"',
    "checkpointing the new file": lambda line: line == "SQL DETACH _fresh",
    "after the swap": lambda line: line == "REPLACED",
}


@pytest.fixture(scope="module")
def two_datasets(tmp_path_factory):
    """A workspace holding "small" (tests/data/good) and "big" (the medium demo)."""
    from netdash.demo import generate_demo

    root = tmp_path_factory.mktemp("delete")
    ws = Workspace(root / "ws")
    ws.import_dataset(GOOD, name="small")
    ws.import_dataset(generate_demo(root / "big", scale="medium"), name="big")
    return ws


def _snapshot(ws):
    infos = {i.name: i for i in ws.list()}
    return infos, {name: {t: ws.open(name).table(t) for t in TABLES} for name in infos}


def _assert_same(before, after, names):
    assert sorted(after[0]) == sorted(names)
    for name in names:
        assert after[0][name] == before[0][name]
        for table, frame in before[1][name].items():
            pd.testing.assert_frame_equal(after[1][name][table], frame, check_exact=True, obj=f"{name}.{table}")


@pytest.mark.slow
@pytest.mark.parametrize("when", list(KILL_AT))
def test_killed_delete_leaves_the_old_or_the_new_workspace(two_datasets, tmp_path, when):
    ws = Workspace(tmp_path / "ws")
    shutil.copytree(two_datasets.path, ws.path)
    before = _snapshot(ws)
    traces = [p.encode() for p in before[1]["small"]["clients"]["client_id"]]
    lines = run_and_kill(CHILD, [ws.path, "small"], KILL_AT[when])
    swapped = "REPLACED" in lines
    assert swapped == (when == "after the swap"), lines  # each moment was reached, and no later one
    _assert_same(before, _snapshot(ws), ["big"] if swapped else ["small", "big"])
    assert sorted(p.name for p in ws.path.iterdir()) == ["netdash.duckdb", "secret.key"]
    if swapped:
        blob = b"".join(p.read_bytes() for p in ws.path.glob("netdash.duckdb*"))
        assert [t for t in traces if t in blob] == []
    else:  # the workspace is not locked or damaged: the same delete now succeeds
        ws.delete("small")
        _assert_same(before, _snapshot(ws), ["big"])
