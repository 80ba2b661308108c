"""Size limits that agree between the doors, and archives that cannot exhaust memory (issue 18, items 2 and 6)."""

import io
import tomllib
import warnings
import zipfile
from pathlib import Path

import pytest

import netdash.ingest.read as read_module
from netdash.errors import InvalidInputError
from netdash.ingest import MAX_FILE_MB, MAX_UPLOAD_MB, read_source, read_uploads

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "data" / "good"


def test_streamlit_upload_limit_is_netdash_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB == MAX_FILE_MB


@pytest.mark.parametrize(("size", "refused"), [(200_000_000, False), (200_000_001, True)])
def test_the_limit_counts_megabytes_as_streamlit_does(monkeypatch, size, refused):
    # 1 MB = 1,000,000 bytes, as Streamlit's uploader counts it: a file just over 200,000,000 bytes is refused
    # by netdash too (it used to accept up to 209,715,200).
    class Sized(bytes):
        def __len__(self):
            return size

    files = {p.name: p.read_bytes() for p in GOOD.glob("*.csv")}
    files["contacts.csv"] = Sized(files["contacts.csv"])
    if refused:
        with pytest.raises(InvalidInputError, match=r"contacts.csv: the file is 200 MB; the limit is 200 MB"):
            read_uploads(files)
    else:
        read_uploads(files)


def _zip(members, *, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression, compresslevel=9) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_inside_a_zip_is_refused_with_a_message():
    inner = _zip({p.name: p.read_bytes() for p in GOOD.glob("*.csv")})
    with pytest.raises(InvalidInputError, match=r"outer.zip: the zip holds another archive, 'data.zip'; netdash "
                                                r"does not open archives inside archives. Unpack it"):
        read_uploads({"outer.zip": _zip({"data.zip": inner})})


def test_a_table_on_a_hidden_excel_sheet_is_refused_with_a_message():
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "agencies"
    wb.active.append(["agency_id", "name"])
    hidden = wb.create_sheet("contacts")
    hidden.append(["date", "practitioner_id", "client_id"])
    hidden.sheet_state = "hidden"
    notes = wb.create_sheet("lookup lists")  # a hidden sheet that is not a table is ignored as before
    notes.sheet_state = "veryHidden"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(InvalidInputError, match=r"book.xlsx: the sheet 'contacts' is hidden in Excel. netdash does "
                                                r"not import a table nobody can see: unhide it"):
        read_uploads({"book.xlsx": out.getvalue()})


def test_an_extreme_compression_ratio_is_refused_before_unpacking():
    bomb = _zip({"contacts.csv": b"2024-01-01,P1,C1\n" * 1_000_000})  # 17 MB of one line repeated
    info = zipfile.ZipFile(io.BytesIO(bomb)).infolist()[0]
    ratio = info.file_size / info.compress_size
    assert ratio > 100
    with pytest.raises(InvalidInputError, match=rf"upload.zip: contacts.csv is compressed {ratio:,.0f} times "
                                                r"\(0.0 MB unpack to 17 MB\).*a zip bomb"):
        read_uploads({"upload.zip": bomb})


def test_a_zip_unpacks_to_at_most_the_file_limit_per_table(monkeypatch):
    """Each table file may be as large as one upload, and no more goes in: a name repeated counts once."""
    monkeypatch.setattr(read_module, "MAX_FILE_MB", 0.001)  # 1,000 bytes per table file
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as zf:
        warnings.simplefilter("ignore", UserWarning)  # the duplicate name is the point
        for data in (b"x" * 900, b"y" * 900, b"z" * 900):
            zf.writestr("contacts.csv", data)
        zf.writestr("agencies.csv", b"a" * 900)
    with pytest.raises(InvalidInputError, match=r"the zip unpacks to 0 MB; the limit is 0 MB \(0.001 MB for each "
                                                r"of its 2 table files\)"):
        read_uploads({"a.zip": buffer.getvalue()})


def test_the_demo_zipped_at_the_highest_level_still_imports(tmp_path, demo_source):
    data = _zip({p.name: p.read_bytes() for p in demo_source.glob("*.csv")})
    (tmp_path / "demo.zip").write_bytes(data)
    zipped, folder = read_source(tmp_path / "demo.zip"), read_source(demo_source)
    assert len(zipped["contacts"].frame) == len(folder["contacts"].frame) > 50_000
