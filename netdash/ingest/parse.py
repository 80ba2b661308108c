"""Turn the bytes of one file into a frame of strings, refusing anything odd.

Third-party parsers (pandas' C reader, openpyxl, pyarrow) raise many kinds of
exceptions on malformed bytes; each is caught at this boundary and turned
into a :class:`FileProblem` saying what the file seems to be and how to fix
it. The frame's index holds spreadsheet row numbers (header = row 1).
"""

import csv
import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from netdash.ingest.coded import as_categorical, blank_mask, blank_rows, coded_column, compact, lookup, read_csv_arrow

__all__ = ["FileProblem", "FileInput", "parse_csv", "parse_xlsx", "parse_parquet", "MAX_COLUMNS", "MAX_ROWS",
           "MAX_FIELD_CHARS"]

MAX_COLUMNS = 200
MAX_ROWS = 20_000_000
MAX_FIELD_CHARS = 10_000

_DELIMITERS = (",", ";", "\t", "|")
_DELIM_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SAVE_UTF8 = ("Re-save it as UTF-8: in Excel use File > Save As > 'CSV UTF-8 (Comma delimited)'; in LibreOffice "
              "tick 'Edit filter settings' and choose 'Unicode (UTF-8)'.")


class FileProblem(Exception):
    """A file cannot be read; ``message`` says why and how to fix it."""

    def __init__(self, message, *, label=None, rows=()):
        super().__init__(message)
        self.message = message
        self.label = label
        self.rows = tuple(rows)


class FileInput:
    """The bytes of one file, opened when needed rather than held: in memory, on disk or in a zip.

    A CSV is parsed from it as a stream (:func:`parse_csv`), so a folder's
    200 MB ``contacts.csv`` is never in memory whole (issue 18).

    Parameters
    ----------
    opener : callable
        Opens the bytes as a binary file, afresh at each call.
    size : int
        Size in bytes, as far as is known before reading (a zip header's
        claim; the reader checks it).

    Examples
    --------
    >>> FileInput.of(b"a,b").read(), FileInput.of(b"a,b").size
    (b'a,b', 3)
    """

    def __init__(self, opener, size):
        self.open = opener
        self.size = int(size)

    @classmethod
    def of(cls, data):
        """``data`` as a FileInput: bytes, a path, or a FileInput (returned as it is)."""
        if isinstance(data, cls):
            return data
        if isinstance(data, (str, os.PathLike)):
            path = Path(data)
            return cls(lambda: open(path, "rb"), path.stat().st_size)
        size = len(data)
        data = data if isinstance(data, bytes) else bytes(data)
        return cls(lambda: io.BytesIO(data), size)

    def read(self):
        """All the bytes (for the readers that need them whole: workbooks, Parquet, odd CSVs)."""
        with self.open() as fh:
            return fh.read()


_CHUNK = 1 << 24
_HEAD = 1 << 20
_QUIET = b" \t\r\n\xef\xbb\xbf\xff\xfe"


@dataclass
class _Scan:
    """What one pass over a file's bytes found, in blocks of :data:`_CHUNK` bytes."""

    size: int
    head: bytes  # the first _HEAD bytes
    nul: bool
    newlines: int
    quotes: int
    blank: bool  # only spaces, line ends and byte order marks


def _scan(source, label):
    head, size, newlines, quotes, nul, blank = b"", 0, 0, 0, False, True
    try:
        with source.open() as fh:
            while chunk := fh.read(_CHUNK):
                if len(head) < _HEAD:
                    head += chunk[: _HEAD - len(head)]
                size += len(chunk)
                newlines += chunk.count(b"\n")
                quotes += chunk.count(b'"')
                nul = nul or b"\x00" in chunk
                blank = blank and not chunk.strip(_QUIET)
    except (OSError, zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise FileProblem(f"the file cannot be read ({exc}). Export it again.", label=label) from None
    return _Scan(size, head, nul, newlines, quotes, blank)


def _not_a_csv(data):
    """What the bytes look like when they are not text, or None."""
    head = data[:2048]
    signatures = {
        b"PK\x03\x04": "a zip archive or an Excel .xlsx workbook renamed .csv. Upload the .xlsx or .zip itself, "
                       "or open it and save each table as 'CSV UTF-8'",
        b"%PDF": "a PDF document, not a CSV. Export the table from the source system as CSV",
        b"\xd0\xcf\x11\xe0": "an old Excel .xls (or other Office) file renamed .csv. Open it in Excel and save as "
                             "'CSV UTF-8' or .xlsx",
        b"PAR1": "a Parquet file renamed .csv. Name it <table>.parquet",
        b"\x1f\x8b": "a gzip archive renamed .csv. Unpack it first",
    }
    for magic, what in signatures.items():
        if head.startswith(magic):
            return what
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        return ("a web page (HTML/XML), not a CSV; this often happens when a download link returns a login page. "
                "Export the table again as CSV")
    if b"\x00" in data:
        return ("binary data (it contains NUL bytes), not a CSV. If it is UTF-16 text, save it with a byte order "
                "mark or, better, as 'CSV UTF-8'")
    return None


def _decode(data, label):
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        what = _not_a_csv(data)
        if what:
            raise FileProblem(f"the file looks like {what}.", label=label)
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start: exc.start + 1].hex()
        raise FileProblem(f"byte 0x{bad} on line {line} (byte {exc.start + 1}) is not {encoding.upper()} text; the "
                          "file was probably saved as Windows-1252/Latin-1. " + _SAVE_UTF8, label=label) from None
    if "\x00" in text:
        raise FileProblem("the file contains NUL characters, so it is not a text CSV. " + _SAVE_UTF8, label=label)
    return text


def _sniff_delimiter(header_line):
    """The most frequent of comma, semicolon, tab, pipe outside quotes in the header line."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: unquoted.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _finish(frame, header_cells, label, header_row=1):
    """Apply the header, drop blank rows and unnamed blank columns, check limits.

    Returns a frame of categorical text columns (see :mod:`netdash.ingest.coded`).
    """
    header = [str(h).strip() if h is not None else "" for h in header_cells]
    frame = frame.copy(deep=False)
    frame.columns = range(frame.shape[1])
    columns = {i: as_categorical(frame[i]) for i in range(frame.shape[1])}
    keep = []
    for i, name in enumerate(header):
        if name:
            keep.append(i)
        elif len(frame) and not blank_mask(columns[i]).all():
            raise FileProblem(f"column {i + 1} has values but no name in the header row. Give it a name or delete "
                              "it.", label=label, rows=(header_row,))
    if not keep:
        raise FileProblem("the first row is empty; it must hold the column names (see the template).",
                          label=label, rows=(header_row,))
    # Built by position: a repeated name must stay repeated (it is reported by mapping).
    frame = pd.DataFrame({k: columns[i] for k, i in enumerate(keep)}, index=frame.index)
    frame.columns = [header[i] for i in keep]
    if len(frame):
        blank = blank_rows([frame.iloc[:, i] for i in range(frame.shape[1])], len(frame))
        if blank.any():
            frame = frame[~blank]
        frame = pd.DataFrame({i: compact(frame.iloc[:, i]) for i in range(frame.shape[1])}, index=frame.index)
        frame.columns = [header[i] for i in keep]
    if len(frame) > MAX_ROWS:
        raise FileProblem(f"the file has {len(frame):,} rows; the limit is {MAX_ROWS:,}. Import a shorter period.",
                          label=label)
    for i, col in enumerate(frame.columns):
        values = frame.iloc[:, i]
        lengths = np.fromiter(map(len, values.cat.categories), dtype=np.int64, count=len(values.cat.categories))
        long_rows = frame.index[lookup(values, lengths > MAX_FIELD_CHARS)]
        if len(long_rows):
            raise FileProblem(f"a value in column {col!r} is longer than {MAX_FIELD_CHARS:,} characters. This "
                              "usually means a quote character (\") is not closed, so the rest of the file ran "
                              "into one cell. Fix or remove the quote.", label=label, rows=long_rows)
    return frame


def _parse_utf8_with_arrow(source, scan, label):
    """The frame of a plain UTF-8 CSV parsed by pyarrow into dictionary codes, or None.

    None whenever the reference reader in :func:`parse_csv` is needed: UTF-16, an Excel
    ``sep=`` line, anything not plainly valid (bad encoding, NUL bytes, an unclosed quote,
    too many columns or lines) or anything pyarrow cannot read exactly as pandas would.
    The reference reader then produces the same frame or the message. pyarrow checks the
    whole file is UTF-8. ``scan`` (:func:`_scan`) has looked at every byte once; the file
    is then parsed as a stream.
    """
    head = scan.head
    bom = head.startswith(b"\xef\xbb\xbf")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (not bom and _not_a_csv(head)) or scan.nul:
        return None
    body = head[3:] if bom else head
    end = body.find(b"\n")
    if end < 0 and len(head) < scan.size:  # a header line longer than the head: leave it to the reference reader
        return None
    try:
        first = (body if end < 0 else body[:end]).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if re.fullmatch(r'\s*"?sep=(.)"?\s*', first):
        return None
    delimiter = _sniff_delimiter(first)
    try:
        header_fields = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error:
        return None
    if len(header_fields) > MAX_COLUMNS or scan.newlines > MAX_ROWS + 1 or scan.quotes % 2:
        return None
    parsed = read_csv_arrow(source.open, delimiter=delimiter, n_columns=len(header_fields), quoted=scan.quotes > 0,
                            skip=3 if bom else 0)
    if parsed is None:
        return None
    header = [uniques[codes[0]] for codes, uniques in parsed]
    index = pd.RangeIndex(2, len(parsed[0][0]) + 1)
    frame = pd.DataFrame({i: coded_column(codes[1:], uniques, index) for i, (codes, uniques) in enumerate(parsed)},
                         index=index)
    del parsed
    return _finish(frame, header, label)


def parse_csv(data, label):
    """Parse a CSV (UTF-8, UTF-8 with BOM or UTF-16 with BOM) into a frame of strings.

    ``data`` is bytes, a path or a :class:`FileInput`. A plain UTF-8 file is
    read twice as a stream (a scan, then pyarrow's parse) and never held
    whole; anything else is read whole by the reference reader, which gives
    the messages.
    """
    source = FileInput.of(data)
    scan = _scan(source, label)
    if scan.blank:
        raise FileProblem("the file is empty. Export the table again; it needs a header row and data rows.",
                          label=label)
    fast = _parse_utf8_with_arrow(source, scan, label)
    if fast is not None:
        return fast
    data = _read_whole(source, label)
    text = _decode(data, label)
    first_line_end = text.find("\n")
    first = text if first_line_end < 0 else text[:first_line_end]
    skipped = 0
    explicit = re.fullmatch(r'\s*"?sep=(.)"?\s*', first)
    if explicit:  # Excel's "sep=;" hint line is not part of the table.
        delimiter = explicit.group(1)
        text = text[first_line_end + 1:] if first_line_end >= 0 else ""
        skipped = 1
    else:
        delimiter = _sniff_delimiter(first)
    try:
        header_fields = next(csv.reader([text.split("\n", 1)[0]], delimiter=delimiter), [])
    except csv.Error as exc:  # e.g. a lone carriage return inside the header line
        raise FileProblem(f"the header row cannot be read as CSV ({exc}). Save the file again as 'CSV UTF-8'.",
                          label=label, rows=(1,)) from None
    if len(header_fields) > MAX_COLUMNS:
        raise FileProblem(f"the header has {len(header_fields)} columns; the limit is {MAX_COLUMNS}. Keep only the "
                          "columns netdash uses (see the template).", label=label, rows=(1,))
    if text.count("\n") > MAX_ROWS + 1:
        raise FileProblem(f"the file has more than {MAX_ROWS:,} lines; import a shorter period.", label=label)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                            na_filter=False, skip_blank_lines=False, engine="c", quotechar='"',
                            index_col=False)
    except pd.errors.EmptyDataError:
        raise FileProblem("the file is empty. It needs a header row and data rows.", label=label) from None
    except pd.errors.ParserError as exc:
        msg = str(exc)
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
        if found:
            want, line, saw = found.groups()
            raise FileProblem(f"line {int(line) + skipped} has {saw} values but the header has {want} columns "
                              f"(separator: {_DELIM_NAMES.get(delimiter, delimiter)}). Quote values that contain "
                              "the separator, or remove the extra values.", label=label) from None
        unclosed = re.search(r"EOF inside string starting at row (\d+)", msg)
        if unclosed:
            row = int(unclosed.group(1)) + 1 + skipped
            raise FileProblem(f"a quote character (\") opened on row {row} is never closed, so the rest of the file "
                              "ran into one cell. Close or remove the quote.", label=label, rows=(row,)) from None
        raise FileProblem(f"cannot be read as CSV ({msg.strip()}). Check for a quote character (\") that is not "
                          "closed.", label=label) from None
    except (ValueError, OverflowError, IndexError) as exc:  # defensive: C-reader edge cases
        raise FileProblem(f"cannot be read as CSV ({exc}).", label=label) from None
    if frame.empty:
        raise FileProblem("the file is empty. It needs a header row and data rows.", label=label)
    header = frame.iloc[0].tolist()
    body = frame.iloc[1:].copy()
    body.index = range(2, len(frame) + 1)
    return _finish(body, header, label)


def _read_whole(source, label):
    try:
        return source.read()
    except (OSError, zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise FileProblem(f"the file cannot be read ({exc}). Export it again.", label=label) from None


def _cell_text(value):
    """A spreadsheet cell as the text a person would type."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def parse_xlsx(data, label, *, max_unzipped, is_table=None):
    """``[(sheet_name, frame, header_row)]`` for every visible sheet of an .xlsx workbook.

    A hidden sheet is skipped; one that ``is_table(name)`` says is a table
    is an error instead, because its rows would be imported unseen.
    """
    if not isinstance(data, bytes):
        data = _read_whole(FileInput.of(data), label)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FileProblem(f"not a readable .xlsx workbook ({exc}). Open it in Excel and save it again as .xlsx "
                          "(not .xls or .xlsb).", label=label) from None
    if total > max_unzipped:
        raise FileProblem(f"the workbook unpacks to {total / 1e6:.0f} MB, more than netdash reads. Save "
                          "each table as CSV and zip the folder.", label=label)
    import openpyxl  # noqa: PLC0415 - slow import, only needed for workbooks

    out = []
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                if getattr(ws, "sheet_state", "visible") != "visible":
                    if is_table is not None and is_table(ws.title):
                        raise FileProblem(f"the sheet {ws.title!r} is hidden in Excel. netdash does not import a "
                                          "table nobody can see: unhide it (right-click a sheet tab, Unhide), check "
                                          "it, save and import again.", label=label)
                    continue
                out.append(_sheet_frame(ws, f"{label}:{ws.title}"))
        finally:
            wb.close()
    except FileProblem:
        raise
    except MemoryError:
        raise FileProblem("the workbook is too large to load in memory; save each table as CSV.", label=label)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on malformed files
        raise FileProblem(f"cannot be read as an .xlsx workbook ({type(exc).__name__}: {exc}). Open it in Excel "
                          "and save it again as .xlsx.", label=label) from None
    return out


def _sheet_frame(ws, label):
    rows, header, header_row = [], None, 1
    for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
        cells = [_cell_text(v) for v in values]
        if header is None:
            if not any(c.strip() for c in cells):
                continue
            header, header_row = cells, number
            while header and not header[-1].strip():
                header.pop()
            if len(header) > MAX_COLUMNS:
                raise FileProblem(f"the header has {len(header)} columns; the limit is {MAX_COLUMNS}.",
                                  label=label, rows=(number,))
            continue
        if len(rows) >= MAX_ROWS:
            raise FileProblem(f"the sheet has more than {MAX_ROWS:,} rows; import a shorter period.", label=label)
        cells = (cells + [""] * len(header))[: max(len(header), len(cells))]
        rows.append((number, cells))
    if header is None:
        raise FileProblem("the sheet is empty; it needs a header row and data rows.", label=label)
    width = max([len(header)] + [len(c) for _, c in rows])
    if width > MAX_COLUMNS:
        raise FileProblem(f"the sheet has {width} columns; the limit is {MAX_COLUMNS}.", label=label)
    frame = pd.DataFrame([c + [""] * (width - len(c)) for _, c in rows], index=[n for n, _ in rows],
                         columns=range(width), dtype=object)
    return ws.title, _finish(frame, header + [""] * (width - len(header)), label, header_row), header_row


def _column_text(series):
    if pd.api.types.is_datetime64_any_dtype(series):
        tz_free = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) is not None else series
        midnight = tz_free.dt.normalize() == tz_free
        text = tz_free.dt.strftime("%Y-%m-%d").where(midnight, tz_free.astype(str))
        return text.where(series.notna(), "")
    return series.map(_cell_text_or_blank)


def _cell_text_or_blank(value):
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return _cell_text(value)


def parse_parquet(data, label, *, max_unzipped):
    """Parse a Parquet file (bytes, a path or a :class:`FileInput`) into a frame of strings (dates as ISO text)."""
    import pyarrow.parquet as pq  # noqa: PLC0415

    if not isinstance(data, bytes):
        data = _read_whole(FileInput.of(data), label)
    try:
        pf = pq.ParquetFile(io.BytesIO(data))
        meta = pf.metadata
        if meta.num_columns > MAX_COLUMNS:
            raise FileProblem(f"the file has {meta.num_columns} columns; the limit is {MAX_COLUMNS}.", label=label)
        if meta.num_rows > MAX_ROWS:
            raise FileProblem(f"the file has {meta.num_rows:,} rows; the limit is {MAX_ROWS:,}.", label=label)
        size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if size > max_unzipped:
            raise FileProblem(f"the file unpacks to {size / 1e6:.0f} MB, more than netdash reads.",
                              label=label)
        frame = pf.read().to_pandas()
    except FileProblem:
        raise
    except MemoryError:
        raise FileProblem("the file is too large to load in memory.", label=label) from None
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types on malformed files
        raise FileProblem(f"cannot be read as Parquet ({type(exc).__name__}: {exc}). Export it again, or save "
                          "the table as CSV.", label=label) from None
    header = [str(c) for c in frame.columns]
    body = pd.DataFrame({i: _column_text(frame.iloc[:, i]) for i in range(frame.shape[1])})
    body.index = range(2, len(frame) + 2)
    if not header:
        raise FileProblem("the file has no columns.", label=label)
    return _finish(body, header, label)
