"""The pseudonymisation secret and raw client IDs never leave ``secret.key``; deleting removes every row.

The demo is imported and every output netdash can make is produced through
the ``netdash`` command (metrics, compare, evaluate, report, GraphML, GEXF),
with every logger at DEBUG. The secret is then looked for, raw and encoded
(hex, base64, base64url), in all of it: each output file, the command's
printed output, the log records, and every workspace file except the key.
"""

import base64
import contextlib
import io
import logging
import re
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import netdash.store.workspace as store
from netdash import cli
from netdash.errors import DatasetNotFoundError, NetdashError
from netdash.schema import TABLES
from netdash.store import Workspace

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"

RAW_CLIENT_ID = re.compile(rb"\bC\d{6}\b")  # the demo's raw client IDs look like C000123


def _encodings(secret):
    return {
        "raw": secret,
        "hex": secret.hex().encode(),
        "HEX": secret.hex().upper().encode(),
        "base64": base64.b64encode(secret).rstrip(b"="),
        "base64url": base64.urlsafe_b64encode(secret).rstrip(b"="),
    }


def _leaks(blob, secret):
    return [name for name, form in _encodings(secret).items() if form in blob]


@pytest.fixture(scope="module")
def produced(tmp_path_factory):
    """Import the demo and make every output; return (workspace, {label: bytes}) with logs and prints.

    Runs every CLI command on the demo, bootstraps included, so the tests that use it are marked slow.
    """
    root = tmp_path_factory.mktemp("privacy")
    ws_path, out = root / "ws", root / "out"
    records = []
    handler = logging.Handler(level=logging.DEBUG)
    handler.emit = lambda record: records.append(f"{record.name}: {record.getMessage()}")
    logger = logging.getLogger()
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    prints = []
    commands = [
        ["import", str(DEMO), "--name", "demo"],
        ["list"],
        ["metrics", "demo", "--out", str(out / "metrics")],
        ["compare", "demo", "--before", "2023-01-01:2024-01-01", "--after", "2024-01-01:2025-01-01",
         "--out", str(out / "compare"), "--bootstrap", "20", "--permutations", "20"],
        ["evaluate", "demo", "--out", str(out / "evaluate"), "--bootstrap", "50"],
        ["report", "demo", "--out", str(out / "report.html")],
        ["export", "demo", "--out", str(out / "network.graphml")],
        ["export", "demo", "--out", str(out / "network.gexf")],
    ]
    try:
        for argv in commands:
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
                code = cli.main(["--workspace", str(ws_path), *argv])
            prints.append(buffer.getvalue())
            assert code in (0, None), (argv, buffer.getvalue())
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    files = {str(p.relative_to(root)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    files["printed output"] = "\n".join(prints).encode()
    files["log records"] = "\n".join(records).encode()
    return Workspace(ws_path), files


@pytest.mark.slow
def test_every_kind_of_output_was_made(produced):
    _, files = produced
    names = set(files)
    assert {"out/report.html", "out/network.graphml", "out/network.gexf"} <= names
    assert any(n.startswith("out/metrics/") for n in names) and any(n.startswith("out/compare/") for n in names)
    assert any(n.startswith("out/evaluate/") for n in names)
    assert len(files["out/report.html"]) > 10_000


@pytest.mark.slow
def test_secret_never_appears_in_exports_prints_or_logs(produced):
    ws, files = produced
    secret = (ws.path / "secret.key").read_bytes()
    assert len(secret) == 32
    leaks = {name: _leaks(blob, secret) for name, blob in files.items()}
    assert {name: found for name, found in leaks.items() if found} == {}


@pytest.mark.slow
def test_secret_never_appears_in_the_workspace_files(produced):
    ws, _ = produced
    secret = (ws.path / "secret.key").read_bytes()
    others = [p for p in ws.path.rglob("*") if p.is_file() and p.name != "secret.key"]
    assert any(p.name == "netdash.duckdb" for p in others)
    assert {p.name: _leaks(p.read_bytes(), secret) for p in others if _leaks(p.read_bytes(), secret)} == {}


@pytest.mark.slow
def test_key_file_is_private(produced):
    ws, _ = produced
    assert (ws.path / "secret.key").stat().st_mode & 0o777 == 0o600


@pytest.mark.slow
def test_raw_client_ids_appear_in_no_output_and_not_in_the_database(produced):
    ws, files = produced
    assert RAW_CLIENT_ID.search((DEMO / "clients.csv").read_bytes())  # the pattern does find the raw IDs
    assert {name: RAW_CLIENT_ID.search(blob).group() for name, blob in files.items() if RAW_CLIENT_ID.search(blob)} == {}
    assert not RAW_CLIENT_ID.search(ws.db_path.read_bytes())


def _rows_per_dataset(ws):
    with duckdb.connect(str(ws.db_path), read_only=True) as con:
        return {table: dict(con.execute(f'SELECT dataset_id, count(*) FROM "{table}" GROUP BY 1').fetchall())
                for table in TABLES}


def test_delete_removes_every_row_of_the_dataset_and_nothing_else(tmp_path):
    ws = Workspace(tmp_path / "ws")
    small = ws.import_dataset(Path(__file__).parent / "data" / "good", name="small")
    demo = ws.import_dataset(DEMO, name="demo")
    before = _rows_per_dataset(ws)
    assert before["contacts"] == {small.dataset_id: 5, demo.dataset_id: 53_503}
    ws.delete("demo")
    after = _rows_per_dataset(ws)
    for table in TABLES:
        assert demo.dataset_id not in after[table], table
        assert after[table].get(small.dataset_id) == before[table].get(small.dataset_id), table
    assert [i.name for i in ws.list()] == ["small"]
    with duckdb.connect(str(ws.db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM datasets WHERE dataset_id = ?", [demo.dataset_id]).fetchone() == (0,)


def test_deleted_rows_do_not_remain_in_the_database_file(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(Path(__file__).parent / "data" / "good", name="small")
    ws.import_dataset(DEMO, name="demo")
    demo = ws.open("demo")
    pseudonyms = demo.clients["client_id"].head(50).tolist()
    ws.delete("demo")
    blob = b"".join(p.read_bytes() for p in ws.path.glob("netdash.duckdb*"))
    assert [p for p in pseudonyms if p.encode() in blob] == []


GOOD = Path(__file__).parent / "data" / "good"


def _traces(ws, name):
    """Values only dataset ``name`` holds: 50 client pseudonyms and 20 practitioner names, as bytes."""
    ds = ws.open(name)
    names = ds.practitioners["name"].dropna()
    return [v.encode() for v in [*ds.clients["client_id"].head(50), *names[names.str.len() > 8].head(20)]]


def _found_in_files(ws, values):
    blob = b"".join(p.read_bytes() for p in ws.path.glob("netdash.duckdb*"))
    return [v for v in values if v in blob]


def _contents(ws):
    return {i.name: (i, ws.warnings(i.name), {t: ws.open(i.name).table(t) for t in TABLES}) for i in ws.list()}


def _assert_kept(before, after, names):
    for name in names:
        info, warnings, tables = before[name]
        assert after[name][:2] == (info, warnings)  # same id, version, imported_at, row counts, warnings
        for table, frame in tables.items():
            pd.testing.assert_frame_equal(after[name][2][table], frame, check_exact=True, obj=f"{name}.{table}")


@pytest.mark.slow
def test_delete_leaves_the_other_datasets_exactly_as_they_were(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small")
    ws.import_dataset(DEMO, name="demo")
    ws.import_dataset(GOOD, name="pilot", today="2024-06-30")
    traces, before = _traces(ws, "demo"), _contents(ws)
    mode, key = ws.db_path.stat().st_mode, (ws.path / "secret.key").read_bytes()
    assert len(_found_in_files(ws, traces)) == 70  # the probe does find the demo's values while it is stored
    ws.delete("demo")
    after = _contents(ws)
    assert list(after) == ["small", "pilot"]
    _assert_kept(before, after, ["small", "pilot"])
    assert _found_in_files(ws, traces) == []
    assert sorted(p.name for p in ws.path.iterdir()) == ["netdash.duckdb", "secret.key"]  # no WAL, no temp file
    assert ws.db_path.stat().st_mode == mode and (ws.path / "secret.key").read_bytes() == key
    assert ws.path.stat().st_mode & 0o777 == 0o700


@pytest.mark.slow
def test_replace_leaves_no_bytes_of_the_replaced_dataset(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small")
    first = ws.import_dataset(DEMO, name="x")
    traces, before = _traces(ws, "x"), _contents(ws)
    second = ws.import_dataset(GOOD, name="x", replace=True)
    assert (second.dataset_id, second.row_counts["contacts"]) == (first.dataset_id, 5)
    assert second.version != first.version and ws.info("x").version == second.version
    assert _found_in_files(ws, traces) == []
    _assert_kept(before, _contents(ws), ["small"])
    for table in TABLES:  # the replacement holds exactly what the same source gives under another name
        pd.testing.assert_frame_equal(ws.open("x").table(table), ws.open("small").table(table), obj=table)
    assert sorted(p.name for p in ws.path.iterdir()) == ["netdash.duckdb", "secret.key"]


@pytest.mark.slow
def test_a_failed_swap_leaves_the_old_workspace(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small")
    ws.import_dataset(DEMO, name="demo")
    before, inode = _contents(ws), ws.db_path.stat().st_ino

    def refused(*args):  # a full disk instead makes delete fall back to deleting in place: tests/store/test_full_disk.py
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(store.os, "replace", refused)
    with pytest.raises(NetdashError, match=r"cannot write the new workspace database beside .*netdash.duckdb "
                                           r"\(\[Errno 13\] Permission denied\); the workspace is unchanged"):
        ws.delete("demo")
    monkeypatch.undo()
    assert ws.db_path.stat().st_ino == inode
    after = _contents(ws)
    assert list(after) == ["small", "demo"]
    _assert_kept(before, after, ["small", "demo"])
    assert sorted(p.name for p in ws.path.iterdir()) == ["netdash.duckdb", "secret.key"]


def test_deleting_an_unknown_dataset_leaves_the_file_alone(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small")
    inode = ws.db_path.stat().st_ino
    with pytest.raises(DatasetNotFoundError, match=r"no dataset called 'demo' .*Available: 'small'\."):
        ws.delete("demo")
    assert ws.db_path.stat().st_ino == inode and [i.name for i in ws.list()] == ["small"]


def test_files_left_by_a_killed_rewrite_are_removed_on_next_open(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small")
    for leftover in ("netdash.duckdb.rewrite.tmp", "netdash.duckdb.rewrite.tmp.wal"):
        (ws.path / leftover).write_bytes(b"half a database" * 100)
    assert [i.name for i in ws.list()] == ["small"]
    assert sorted(p.name for p in ws.path.iterdir()) == ["netdash.duckdb", "secret.key"]


def test_a_delete_waits_for_this_process_s_open_connections(tmp_path):
    # DuckDB shares one database instance between a process's connections to a file: a reader that
    # stayed connected across the swap would keep reading the replaced file.
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small")
    ws.import_dataset(GOOD, name="other")
    inode = ws.db_path.stat().st_ino
    entered, release = threading.Event(), threading.Event()

    def slow_reader(con):
        entered.set()
        release.wait(10)
        return con.execute("SELECT count(*) FROM datasets").fetchone()[0]

    seen = []
    reader = threading.Thread(target=lambda: seen.append(ws._run(slow_reader)))
    reader.start()
    entered.wait(10)
    deleter = threading.Thread(target=ws.delete, args=("other",))
    deleter.start()
    deleter.join(0.5)
    assert deleter.is_alive() and ws.db_path.stat().st_ino == inode and not seen
    release.set()
    reader.join(10)
    deleter.join(10)
    assert seen == [2] and not deleter.is_alive()  # the reader saw the file it connected to, whole
    assert ws.db_path.stat().st_ino != inode and [i.name for i in ws.list()] == ["small"]


@pytest.fixture(scope="module")
def city_demo(tmp_path_factory):
    """The medium demo: large enough that DuckDB writes an insert's rows to the file before the commit."""
    from netdash.demo import generate_demo

    return generate_demo(tmp_path_factory.mktemp("city") / "demo", seed=0, scale="medium")


def _pseudonyms_of(ws, source, n=200):
    from netdash.ingest import load_dataset, load_or_create_secret

    ds, _ = load_dataset(source, secret=load_or_create_secret(ws.path))
    # The last clients: the bundled demo has the first 2,000 client ids, with the same pseudonyms.
    return ds.clients["client_id"].tail(n).tolist()


def _readable(ws, values):
    blob = b"".join(p.read_bytes() for p in ws.path.glob("netdash.duckdb*"))
    return [v for v in values if v.encode() in blob]


def _fail_at_last_table(monkeypatch):
    last, real = list(TABLES)[-1], store._arrow_table

    def failing(frame, table):
        if table == last:
            raise duckdb.ConversionException("simulated failure while writing the last table")
        return real(frame, table)

    monkeypatch.setattr(store, "_arrow_table", failing)


@pytest.mark.slow
def test_a_failed_import_leaves_none_of_its_rows_in_the_file(tmp_path, monkeypatch, city_demo):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(DEMO, name="demo")
    before = ws.open("demo")
    _fail_at_last_table(monkeypatch)
    with pytest.raises(NetdashError, match="simulated failure"):
        ws.import_dataset(city_demo, name="city")
    assert _readable(ws, _pseudonyms_of(ws, city_demo)) == []
    assert [i.name for i in ws.list()] == ["demo"]
    pd.testing.assert_frame_equal(ws.open("demo").contacts, before.contacts)
    assert not (ws.path / "netdash.duckdb.importing").exists()


@pytest.mark.slow
def test_a_killed_import_is_scrubbed_by_the_next_import(tmp_path, monkeypatch, city_demo):
    # A killed import cannot clean up: its marker stays, and the next import rewrites the file.
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(DEMO, name="demo")
    _fail_at_last_table(monkeypatch)
    monkeypatch.setattr(Workspace, "_rewrite", lambda self, con, **kw: (_ for _ in ()).throw(OSError("killed")))
    with pytest.raises(NetdashError):
        ws.import_dataset(city_demo, name="city")
    leftover = _readable(ws, _pseudonyms_of(ws, city_demo))
    assert leftover and (ws.path / "netdash.duckdb.importing").exists()  # as after a kill
    monkeypatch.undo()
    ws.import_dataset(Path(__file__).parent / "data" / "good", name="small")
    assert _readable(ws, leftover) == []
    assert sorted(i.name for i in ws.list()) == ["demo", "small"]
    assert not (ws.path / "netdash.duckdb.importing").exists()
