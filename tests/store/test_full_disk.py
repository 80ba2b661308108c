"""A full disk and a read-only workspace (issue 18, item 5).

Where the tests run as root and may mount, the disk is a real small tmpfs
(``mount -t tmpfs -o size=...``), filled with a file of zeros, and a
read-only workspace is a tmpfs remounted read-only. The same behaviour is
also checked without root by replacing the write path (monkeypatch), so CI
on an ordinary account covers it too.
"""

import contextlib
import io
import os
import subprocess
import uuid
from pathlib import Path

import duckdb
import pytest

import netdash.store.workspace as workspace_module
from netdash import cli
from netdash.errors import NetdashError
from netdash.store import Workspace
from netdash.store._files import RESERVE_FILE, RESERVE_BYTES

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "data" / "good"
DEMO = ROOT / "data" / "demo"
TODAY = "2030-01-01"


def _mount(point, options):
    point.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True)
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    """A 48 MB tmpfs (root only; skipped elsewhere: the monkeypatched tests below cover the logic)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; see the monkeypatched tests")
    point = tmp_path / "disk"
    if not _mount(point, "size=48m,mode=0700"):
        pytest.skip("this machine does not allow mounting a tmpfs")
    yield point
    subprocess.run(["umount", "-l", str(point)], check=False)


def _fill(disk):
    """Fill ``disk`` to the last byte with a file of zeros; return it (delete it to free the space)."""
    filler = disk / f"filler-{uuid.uuid4().hex}"
    with open(filler, "wb", buffering=0) as fh:
        for chunk in (65536, 512):
            with contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * chunk)
    return filler


def _cli(*argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli.main(list(argv))
    return code, out.getvalue()


def _pseudonyms(ws, name, n=30):
    return [p.encode() for p in ws.open(name).clients["client_id"].head(n)]


def _in_files(ws, values):
    blob = b"".join(p.read_bytes() for p in ws.path.glob("netdash.duckdb*"))
    return [v for v in values if v in blob]


# ---- free space is checked before an import ------------------------------------------------------------


def test_an_import_the_disk_has_no_room_for_is_refused_before_it_starts(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small", today=TODAY)
    size = sum(p.stat().st_size for p in DEMO.glob("*.csv"))
    monkeypatch.setattr(workspace_module, "_free_bytes", lambda path: 2 * size)
    with pytest.raises(NetdashError, match=rf"not enough free disk space for this import: it needs about "
                                           rf"{3 * size / 1e6:,.0f} MB .*\(3 times the {size / 1e6:,.1f} MB of "
                                           rf"input\) and {2 * size / 1e6:,.0f} MB are free.*Nothing was imported"):
        ws.import_dataset(DEMO, name="demo")
    assert [i.name for i in ws.list()] == ["small"]


def test_a_replacement_also_needs_room_for_a_copy_of_the_database(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small", today=TODAY)
    size = sum(p.stat().st_size for p in GOOD.glob("*.csv"))
    monkeypatch.setattr(workspace_module, "_free_bytes", lambda path: 3 * size + 1)
    ws.import_dataset(GOOD, name="other", today=TODAY)  # room for a plain import
    with pytest.raises(NetdashError, match="plus a copy of the workspace database"):
        ws.import_dataset(GOOD, name="small", today=TODAY, replace=True)


def test_uploaded_tables_carry_their_size_for_the_check(tmp_path, monkeypatch):
    from netdash.ingest import read_uploads

    files = {p.name: p.read_bytes() for p in GOOD.glob("*.csv")}
    tables = read_uploads(files)
    assert tables.nbytes == sum(len(b) for b in files.values())
    monkeypatch.setattr(workspace_module, "_free_bytes", lambda path: tables.nbytes)
    with pytest.raises(NetdashError, match="not enough free disk space"):
        Workspace(tmp_path / "ws").import_dataset(tables, name="up", today=TODAY)


def test_on_a_real_full_disk_the_cli_refuses_the_import_and_exits_2(small_disk, tmp_path):
    ws = small_disk / "ws"
    assert _cli("--workspace", str(ws), "import", str(DEMO), "--name", "demo")[0] == 0
    medium = tmp_path / "medium"
    assert _cli("demo", "--out", str(medium), "--scale", "medium")[0] == 0
    code, out = _cli("--workspace", str(ws), "import", str(medium), "--name", "medium")
    assert code == 2 and "not enough free disk space for this import" in out
    assert [i.name for i in Workspace(ws).list()] == ["demo"]


# ---- an import that fills the disk fails, changes nothing, and leaves nothing behind ----------------------


def test_an_import_that_fills_a_real_disk_fails_and_changes_nothing(small_disk, monkeypatch):
    ws = Workspace(small_disk / "ws")
    ws.import_dataset(GOOD, name="small", today=TODAY)
    before = ws.list()
    monkeypatch.setattr(Workspace, "_check_space", lambda self, source, rewrite: None)  # let it fill the disk
    filler = _fill(small_disk)
    filler.unlink()
    keep = small_disk / "keep"  # leave about 2 MB: the demo (53,504 contacts) needs more than that
    keep.write_bytes(b"\0" * (os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize - 2_000_000))
    with pytest.raises(NetdashError) as err:
        ws.import_dataset(DEMO, name="demo")
    message = str(err.value)
    assert "No space left on device" in message and "The disk holding the workspace is full" in message
    assert "Nothing was changed" in message or "nothing was imported" in message or "unchanged" in message
    keep.unlink()
    assert ws.list() == before
    ws.recover()  # the next start tidies: no marker, no temporary file
    assert sorted(p.name for p in ws.path.iterdir() if p.name != RESERVE_FILE) == ["netdash.duckdb", "secret.key"]
    ws.import_dataset(DEMO, name="demo")  # and the same import then works
    assert [i.name for i in ws.list()] == ["small", "demo"]


def test_a_failed_checkpoint_after_the_commit_undoes_the_import(tmp_path, monkeypatch):
    """The case where DuckDB had reported success: the rows sat in the write-ahead log of a full disk."""
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small", today=TODAY)
    real_connect = duckdb.connect

    class Failing:
        def __init__(self, con):
            self._con, self._commits = con, 0

        def __getattr__(self, name):
            return getattr(self._con, name)

        def commit(self):
            self._commits += 1
            return self._con.commit()

        def execute(self, sql, *args):
            if sql == "CHECKPOINT" and self._commits:
                raise duckdb.IOException('Could not write file "netdash.duckdb": No space left on device')
            return self._con.execute(sql, *args)

    monkeypatch.setattr(workspace_module.duckdb, "connect", lambda *a, **k: Failing(real_connect(*a, **k)))
    with pytest.raises(NetdashError, match=r"could not be written .*No space left on device.*nothing was imported"):
        ws.import_dataset(GOOD, name="second", today=TODAY)
    monkeypatch.setattr(workspace_module.duckdb, "connect", real_connect)
    assert [i.name for i in ws.list()] == ["small"]
    assert not ws.db_path.with_name("netdash.duckdb.wal").exists()


def test_a_duckdb_io_error_gets_the_friendly_message(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small", today=TODAY)

    def full(con):
        raise duckdb.IOException('Could not write file "x": No space left on device')

    with pytest.raises(NetdashError, match=r"No space left on device.*The disk holding the workspace is full "
                                           r"\(\d+ MB free\).*netdash delete works on a full disk.*Nothing was "
                                           r"changed"):
        ws._run(full)


# ---- delete works on a full disk --------------------------------------------------------------------------


def test_delete_works_on_a_real_full_disk_and_scrubs_once_there_is_room(small_disk):
    ws = Workspace(small_disk / "ws")
    ws.import_dataset(GOOD, name="small", today=TODAY)
    ws.import_dataset(DEMO, name="demo")
    ws.recover()  # as at a start: makes the reserve
    assert (ws.path / RESERVE_FILE).stat().st_size == RESERVE_BYTES
    traces = _pseudonyms(ws, "demo")
    filler = _fill(small_disk)
    assert os.statvfs(small_disk).f_bavail == 0
    code, out = _cli("--workspace", str(ws.path), "delete", "demo")
    assert code == 0, out
    assert "Deleted 'demo' and all its rows." in out
    assert [i.name for i in ws.list()] == ["small"]
    filler.unlink()
    ws.recover()
    assert not (ws.path / "netdash.duckdb.importing").exists()
    assert _in_files(ws, traces) == []
    assert ws.open("small").contacts.shape[0] == 5


def test_delete_falls_back_to_deleting_in_place_when_the_copy_does_not_fit(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small", today=TODAY)
    ws.import_dataset(DEMO, name="demo")
    traces = _pseudonyms(ws, "demo")
    real = Workspace._rewrite
    calls = []

    def rewrite(self, con, *, drop, fill=None):
        calls.append(drop)
        if len(calls) <= 2:  # the delete's copy, then the scrub right after it: no room
            raise workspace_module._RewriteFailed("no room: No space left on device", full=True)
        return real(self, con, drop=drop, fill=fill)

    monkeypatch.setattr(Workspace, "_rewrite", rewrite)
    assert ws.delete("demo") is False
    assert [i.name for i in ws.list()] == ["small"]
    assert (ws.path / "netdash.duckdb.importing").exists()  # the bytes may remain: the next start rewrites
    ws.recover()
    assert not (ws.path / "netdash.duckdb.importing").exists()
    assert _in_files(ws, traces) == []
    assert ws.open("small").contacts.shape[0] == 5


# ---- leftovers of a killed write are cleaned at the next start -------------------------------------------


def test_leftovers_are_cleaned_up_at_the_next_start(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small", today=TODAY)
    for name in ("netdash.duckdb.rewrite.tmp", "netdash.duckdb.rewrite.tmp.wal", "netdash.duckdb.importing"):
        (ws.path / name).write_bytes(b"left by a killed process")
    code, out = _cli("--workspace", str(ws.path), "list")
    assert code == 0 and out.startswith("small\t")
    assert sorted(p.name for p in ws.path.iterdir()) == ["netdash.duckdb", RESERVE_FILE, "secret.key"]


# ---- a read-only workspace is opened read-only, and says so -----------------------------------------------


@pytest.fixture
def read_only_workspace(tmp_path):
    """A workspace holding "small" that this process cannot write: a read-only tmpfs as root, else chmod."""
    if os.geteuid() == 0:
        point = tmp_path / "ro"
        if not _mount(point, "size=8m,mode=0700"):
            pytest.skip("this machine does not allow mounting a tmpfs")
        ws = Workspace(point / "ws")
        ws.import_dataset(GOOD, name="small", today=TODAY)
        subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)
        yield ws
        subprocess.run(["umount", "-l", str(point)], check=False)
    else:
        ws = Workspace(tmp_path / "ws")
        ws.import_dataset(GOOD, name="small", today=TODAY)
        os.chmod(ws.db_path, 0o400)
        os.chmod(ws.path, 0o500)
        yield ws
        os.chmod(ws.path, 0o700)
        os.chmod(ws.db_path, 0o600)


def test_a_read_only_workspace_can_be_listed_and_analysed_and_says_so(read_only_workspace, tmp_path):
    ws = read_only_workspace
    assert ws.read_only and "cannot write" in ws.read_only
    code, out = _cli("--workspace", str(ws.path), "list")
    assert code == 0
    assert "note: the workspace" in out and "is read-only" in out and "netdash opened it read-only" in out
    assert "small\t" in out
    assert "another netdash command" not in out
    code, out = _cli("--workspace", str(ws.path), "metrics", "small", "--out", str(tmp_path / "m"))
    assert code == 0 and (tmp_path / "m" / "network.json").exists()
    assert ws.open("small").contacts.shape[0] == 5


def test_a_read_only_workspace_refuses_changes_with_the_reason(read_only_workspace):
    ws = read_only_workspace
    code, out = _cli("--workspace", str(ws.path), "import", str(GOOD), "--name", "second")
    assert code == 2 and "is read-only" in out and "nothing can be imported" in out
    code, out = _cli("--workspace", str(ws.path), "delete", "small")
    assert code == 2 and "nothing can be deleted" in out
    assert [i.name for i in ws.list()] == ["small"]


def test_a_missing_read_only_workspace_lists_nothing(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "ro" / "ws")
    (tmp_path / "ro").mkdir()
    monkeypatch.setattr(Workspace, "read_only", property(lambda self: "netdash cannot write to the folder"))
    assert ws.list() == []
    assert not ws.path.exists()
