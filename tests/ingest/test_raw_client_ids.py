"""No raw client ID is ever stored, shown or exported (issue 18, item 1).

Datasets whose client IDs are distinctive strings (unknown to clients.csv,
duplicated, differing only in case or spaces, with HTML or non-ASCII
letters; in warning and in error paths) go through both doors: the
``netdash`` command (validate, import, list, report, metrics, export) and the
Data page (AppTest: upload, validate, import, then the Overview). Every byte
written is then searched for each raw ID: every workspace file (the DuckDB
file and its WAL included), the outputs, everything printed, every log record
and every element of the pages. None is found. The messages still say how
many IDs and which rows.
"""

import contextlib
import io
import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from netdash import cli
from netdash.errors import InvalidInputError
from netdash.store import Workspace
from raw_ids_support import error_dataset, find_raw_ids, mixed_error_dataset, warning_dataset, write_folder

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


@contextlib.contextmanager
def _captured_logs():
    records = []
    handler = logging.Handler(level=logging.DEBUG)
    handler.emit = lambda record: records.append(f"{record.name}: {record.getMessage()}")
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


def _workspace_bytes(path):
    return {str(p.relative_to(path)): p.read_bytes() for p in Path(path).rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def through_the_cli(tmp_path_factory):
    """Run every command on the three datasets; return (workspace, {label: bytes}, raw IDs, exit codes)."""
    root = tmp_path_factory.mktemp("rawids")
    ws_path, out = root / "ws", root / "out"
    ok, ok_ids = warning_dataset()
    bad, bad_ids = error_dataset()
    mixed, mixed_ids = mixed_error_dataset()
    sources = {"ok": write_folder(ok, root / "in" / "ok"), "bad": write_folder(bad, root / "in" / "bad"),
               "mixed": write_folder(mixed, root / "in" / "mixed")}
    commands = [
        ["validate", str(sources["ok"])], ["validate", str(sources["bad"])], ["validate", str(sources["mixed"])],
        ["import", str(sources["ok"]), "--name", "ok"],
        ["import", str(sources["bad"]), "--name", "bad"],
        ["import", str(sources["mixed"]), "--name", "mixed"],
        ["import", str(sources["ok"]), "--name", "ok", "--replace"],
        ["list"],
        ["report", "ok", "--out", str(out / "report" / "report.html"), "--min-count", "1"],
        ["metrics", "ok", "--out", str(out / "metrics")],
        ["export", "ok", "--out", str(out / "network.graphml")],
        ["metrics", str(sources["ok"]), "--out", str(out / "metrics_from_folder")],  # warnings printed
    ]
    printed, codes = [], {}
    with _captured_logs() as records:
        for argv in commands:
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
                codes[" ".join(argv[:2])] = cli.main(["--workspace", str(ws_path), *argv])
            printed.append(buffer.getvalue())
    blobs = {f"workspace/{k}": v for k, v in _workspace_bytes(ws_path).items()}
    blobs.update({f"out/{p.relative_to(out)}": p.read_bytes() for p in out.rglob("*") if p.is_file()})
    blobs["printed output"] = "\n".join(printed).encode()
    blobs["log records"] = "\n".join(records).encode()
    return Workspace(ws_path), blobs, ok_ids + bad_ids + mixed_ids, codes, "\n".join(printed)


def test_the_commands_did_what_they_should(through_the_cli):
    ws, blobs, _, codes, printed = through_the_cli
    assert codes[f"validate {ws.path.parent / 'in' / 'ok'}"] == 0
    assert codes[f"validate {ws.path.parent / 'in' / 'bad'}"] == 1
    assert codes["import " + str(ws.path.parent / "in" / "bad")] == 2
    assert [i.name for i in ws.list()] == ["ok"]
    assert {"out/report/report.html", "out/network.graphml"} <= set(blobs), (codes, printed)
    assert any(name.startswith("workspace/netdash.duckdb") for name in blobs)


def test_no_raw_client_id_in_any_byte_the_cli_wrote(through_the_cli):
    _, blobs, ids, _, _ = through_the_cli
    # The probe finds them in the inputs, so it would find a leak.
    ok, _ = warning_dataset()
    assert len(find_raw_ids(b"".join(ok.values()), ids)) == len(warning_dataset()[1])
    leaks = {name: find_raw_ids(blob, ids) for name, blob in blobs.items()}
    assert {name: found for name, found in leaks.items() if found} == {}


def test_messages_give_counts_and_rows_instead_of_the_ids(through_the_cli):
    ws, _, _, _, printed = through_the_cli
    stored = ws.warnings("ok")
    unknown = [w for w in stored if "client_id" in w]
    # 25 unknown IDs, one differing from a known ID only in case, one with HTML, one with a non-ASCII letter:
    # one message, with the count, the rows, and the case hint.
    assert len(unknown) == 1, stored
    assert unknown[0].startswith("contacts.csv, rows 7, 8, 9, 10, 11 and ")
    assert "28 client_id values are not in clients.csv. 1 of them differs from an ID in clients.csv only in " \
           "upper/lower case" in unknown[0]
    assert "The rows were kept." in unknown[0]
    assert "these rows hold the same client_id; each client must be listed once" in printed
    assert "once surrounding spaces are removed" in printed
    assert "client_id values that differ only in upper/lower case" in printed
    assert "4 more client_id values appear more than once." in printed


def test_a_failed_import_names_rows_not_ids():
    files, ids = error_dataset()
    from netdash.ingest import load_dataset, read_uploads

    with pytest.raises(InvalidInputError) as err:
        load_dataset(read_uploads(files), secret=b"k" * 32, today="2030-01-01")
    assert "clients.csv, rows 5 and 6: these rows hold the same client_id" in str(err.value)
    assert find_raw_ids(str(err.value).encode(), ids) == []


def _page_bytes(at):
    """Every element AppTest holds for the page, serialised: all the text the browser would get."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            out.append(proto.SerializeToString())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return b"\n".join(out)


def test_no_raw_client_id_through_the_data_page(own_app_workspace, give_uploads):
    ok, ok_ids = warning_dataset()
    bad, bad_ids = error_dataset()
    ids = ok_ids + bad_ids
    shown = []
    with _captured_logs() as records:
        at = AppTest.from_file(APP, default_timeout=180)
        at.run()
        at.switch_page("pages/data.py")
        give_uploads(bad)
        at.run()
        assert not at.exception, at.exception
        shown.append(_page_bytes(at))
        errors = " ".join(t.value for t in at.text)
        assert "these rows hold the same client_id" in errors
        give_uploads(ok)
        at.run()
        shown.append(_page_bytes(at))
        at.text_input(key="import_name").set_value("uploaded")
        at.button[0].click()  # Import (the first button on the page)
        at.run()
        assert not at.exception, at.exception
        assert "uploaded" in [i.name for i in own_app_workspace.list()]
        give_uploads({})
        at.session_state["dataset"] = "uploaded"
        at.switch_page("pages/overview.py")
        at.run()
        assert not at.exception, at.exception
        overview = _page_bytes(at)
        assert b"client_id values are not in clients.csv" in overview  # the stored warning is shown
        shown.append(overview)
    blobs = {f"page {i}": b for i, b in enumerate(shown)}
    blobs.update({f"workspace/{k}": v for k, v in _workspace_bytes(own_app_workspace.path).items()})
    blobs["log records"] = "\n".join(records).encode()
    assert find_raw_ids(b"".join(ok.values()), ids)  # the probe works
    leaks = {name: find_raw_ids(blob, ids) for name, blob in blobs.items()}
    assert {name: found for name, found in leaks.items() if found} == {}
