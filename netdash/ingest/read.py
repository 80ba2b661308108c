"""Read a source (folder, workbook or zip) into raw string tables.

Every cell is read as text: no NA guessing, no type inference. Validation
(:mod:`netdash.ingest.validate`) decides what the text means. Whatever the
input bytes, the only exception that leaves this module is
:class:`~netdash.errors.InvalidInputError`, listing every file-level problem
found (bad encoding, not really a CSV, too big, unsafe zip, ...).
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from netdash.errors import InvalidInputError
from netdash.ingest.mapping import apply_mapping, check_mapping, normalise_header
from netdash.ingest.parse import FileInput, FileProblem, parse_csv, parse_parquet, parse_xlsx
from netdash.ingest.problems import Problem, join_names, summary_message
from netdash.schema import TABLES

__all__ = [
    "RawTable",
    "SourceTables",
    "read_source",
    "read_uploads",
    "MAX_FILE_MB",
    "MAX_UPLOAD_MB",
    "MAX_UNZIPPED_MB",
]

MAX_FILE_MB = 200
"""Largest single file (or zip member) read, in MB of 1,000,000 bytes.

.streamlit/config.toml sets ``server.maxUploadSize`` to the same number. Streamlit's uploader refuses a
larger file in the browser, counting 1,000,000 bytes to the MB (1,048,576 on Windows); its server allows
up to that many MiB. Both doors therefore accept the same files, and a file that gets past the browser
is refused here with netdash's message (tests/ingest/test_limits.py)."""
MAX_UPLOAD_MB = MAX_FILE_MB
MAX_UNZIPPED_MB = 1000
"""Largest total uncompressed size of an xlsx or parquet file, in MB (zip-bomb guard). A zip's table files
may unpack to at most MAX_FILE_MB each."""
MAX_COMPRESSION_RATIO = 100
"""A zip member compressed more than this many times is refused as a likely zip bomb. Table exports
compress 3 to 30 times (the demo's files: 4.7 to 23 with zip -9)."""
_RATIO_FLOOR = 10_000_000  # smaller members cannot hurt, whatever their ratio
_MAX_MEMBERS = 1000
_TABLE_SUFFIXES = (".csv", ".parquet")


@dataclass
class RawTable:
    """One table as read from the source: every cell a string.

    Attributes
    ----------
    frame : DataFrame
        String cells; columns renamed to canonical names where the mapping or
        an unambiguous header normalisation allowed. ``frame.index`` holds
        spreadsheet row numbers (the header is row 1, the first data row 2).
    label : str
        Name to show in messages, e.g. ``contacts.csv`` or ``data.xlsx:contacts``.
    columns_found : tuple of str
        The headers exactly as found in the file.
    header_row : int
        Row number of the header (1 unless blank rows precede it in a sheet).
    """

    frame: object
    label: str
    columns_found: tuple = ()
    header_row: int = 1


class SourceTables(dict):
    """``{table: RawTable}``, plus the names of files that were not tables (``ignored``).

    ``nbytes`` is the size of the files read, before unpacking (the store
    checks free disk space against it).
    """

    def __init__(self, *args, ignored=(), nbytes=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.ignored = list(ignored)
        self.nbytes = nbytes


def _limit_bytes(mb):
    return int(mb * 1_000_000)


def _too_big(label, size):
    return FileProblem(f"the file is {size / 1e6:.0f} MB; the limit is {MAX_FILE_MB} MB. Split the "
                       "data by period and import each part as its own dataset, or remove unused columns.",
                       label=label)


def _table_for(filename):
    """Table name for a file or sheet name, or None."""
    stem = PurePosixPath(filename).stem if "." in filename else filename
    key = normalise_header(stem)
    return key if key in TABLES else None


def _read_zip_members(data, label):
    """``{member_name: FileInput}`` of the table files in a zip, with size guards.

    Each member is unpacked once here, in blocks, to check that it unpacks
    and is no larger than the limit whatever its header says; the CSV reader
    then unpacks it again as a stream, so no member is held whole.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise FileProblem(f"not a readable zip file ({exc}). Create it again from the folder.", label=label)
    if len(infos) > _MAX_MEMBERS:
        raise FileProblem(f"the zip holds {len(infos)} files; a dataset needs only a few. Zip only the "
                          "folder with the table files.", label=label)
    wanted = []
    for info in infos:
        name = info.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
            raise FileProblem(f"the zip contains an unsafe path {info.filename!r}; nothing was read. Zip the "
                              "folder with the table files again.", label=label)
        if not parts or info.is_dir() or parts[0] == "__MACOSX" or parts[-1].startswith("."):
            continue
        if name.lower().endswith(_TABLE_SUFFIXES + (".xlsx",)):
            wanted.append((parts, info))
        elif name.lower().endswith((".zip", ".7z", ".gz", ".tar", ".rar")):
            raise FileProblem(f"the zip holds another archive, {info.filename!r}; netdash does not open archives "
                              "inside archives. Unpack it and zip the table files themselves (or upload them).",
                              label=label)
    total = sum(info.file_size for _, info in wanted)
    cap = min(_limit_bytes(MAX_UNZIPPED_MB), _limit_bytes(MAX_FILE_MB) * len({parts[-1] for parts, _ in wanted}))
    if total > cap:
        raise FileProblem(f"the zip unpacks to {total / 1e6:.0f} MB; the limit is {cap / 1e6:.0f} MB "
                          f"({MAX_FILE_MB} MB for each of its {len({p[-1] for p, _ in wanted})} table files). "
                          "Import a smaller period at a time.", label=label)
    for parts, info in wanted:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > MAX_COMPRESSION_RATIO:
            raise FileProblem(f"{parts[-1]} is compressed {ratio:,.0f} times ({info.compress_size / 1e6:,.1f} MB "
                              f"unpack to {info.file_size / 1e6:,.0f} MB). Real table exports compress 3 to 30 "
                              f"times, so above {MAX_COMPRESSION_RATIO} netdash does not unpack it: it could fill "
                              "the server's memory (a zip bomb). Upload the files themselves, or zip them again.",
                              label=label)
    parents = {parts[:-1] for parts, _ in wanted}
    if len(parents) > 1 or any(len(p) > 1 for p in parents):
        shown = ", ".join(sorted("/".join(p) or "(top level)" for p in parents))
        raise FileProblem(f"table files are in several folders ({shown}). Put all table files in one "
                          "folder and zip that folder.", label=label)
    members = {}
    for parts, info in wanted:
        shown = f"{label}:{parts[-1]}"
        if info.flag_bits & 0x1:
            raise FileProblem("the file is password-protected. Zip the files without a password.", label=shown)
        if info.file_size > _limit_bytes(MAX_FILE_MB):
            raise _too_big(shown, info.file_size)
        size = _unpacked_size(zf, info, shown)
        members[parts[-1]] = FileInput(lambda info=info: zf.open(info), size)
    return members


def _unpacked_size(zf, info, label):
    """Bytes a zip member really unpacks to, reading at most the limit plus one (its header's size may lie)."""
    limit, size = _limit_bytes(MAX_FILE_MB), 0
    try:
        with zf.open(info) as fh:
            while size <= limit and (block := fh.read(min(1 << 24, limit + 1 - size))):
                size += len(block)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise FileProblem(f"the file cannot be unpacked ({exc}). Create the zip again.", label=label)
    if size > limit:
        raise _too_big(label, size)
    return size


def read_uploads(files, *, mapping=None):
    """Read tables from in-memory files, e.g. Streamlit uploads.

    Parameters
    ----------
    files : dict
        ``{file_name: bytes}``: table files (``contacts.csv``,
        ``contacts.parquet``), or one ``.xlsx`` workbook, or one ``.zip``.
        A value may also be a path or a :class:`~netdash.ingest.parse.FileInput`,
        so that a large CSV is read as a stream (:func:`read_source` does this).
    mapping : dict, optional
        ``{table: {their_column: canonical_column}}``.

    Returns
    -------
    SourceTables
        ``{table: RawTable}`` for each table found; ``.ignored`` lists other files.

    Raises
    ------
    InvalidInputError
        Listing every file that cannot be read (and missing required tables
        when some file could not be read).
    """
    mapping = check_mapping(mapping)
    problems, tables, ignored = [], SourceTables(), []
    parsed = []  # (table, label, frame, header_row)
    files = {fname: FileInput.of(data) for fname, data in files.items()}
    for fname, data in files.items():
        label = PurePosixPath(str(fname).replace("\\", "/")).name
        lower = label.lower()
        try:
            if data.size > _limit_bytes(MAX_FILE_MB) and not lower.endswith(".zip"):
                raise _too_big(label, data.size)
            if lower.endswith(".zip"):
                inner = _read_zip_members(data.read(), label)
                xlsx = [n for n in inner if n.lower().endswith(".xlsx")]
                if xlsx and len(inner) == 1:
                    parsed += [(t, f"{label}:{xlsx[0]}:{s}", f, h)
                               for t, s, f, h in _sheets(inner[xlsx[0]], f"{label}:{xlsx[0]}", ignored)]
                else:
                    for name, content in inner.items():
                        if name.lower().endswith(".xlsx"):
                            ignored.append(f"{label}:{name}")
                            continue
                        parsed += _one_file(name, content, f"{label}:{name}", ignored)
            elif lower.endswith(".xlsx"):
                parsed += [(t, f"{label}:{s}", f, h) for t, s, f, h in _sheets(data, label, ignored)]
            else:
                parsed += _one_file(label, data, label, ignored)
        except FileProblem as exc:
            problems.append(Problem(exc.label or label, exc.rows, None, exc.message))
        except MemoryError:
            problems.append(Problem(label, (), None, "the file is too large to load in memory. Import a smaller period."))
    for table, label, frame, header_row in parsed:
        if table in tables:
            problems.append(Problem(label, (), None, f"{table} appears twice ({tables[table].label} and {label}). "
                                    "Keep one of them."))
            continue
        found = tuple(str(c) for c in frame.columns)
        frame, mapping_problems = apply_mapping(frame, table, label, mapping.get(table))
        problems += mapping_problems
        tables[table] = RawTable(frame, label, found, header_row)
    tables.ignored = ignored
    tables.nbytes = sum(data.size for data in files.values())
    if problems:
        for name, spec in TABLES.items():
            if spec.required and name not in tables and not any(p.file.endswith(spec.filename) for p in problems):
                problems.append(Problem(spec.filename, (), None, "the file is missing; every dataset needs "
                                        + join_names(t.filename for t in TABLES.values() if t.required) + "."))
        raise InvalidInputError(summary_message(problems), problems=problems)
    return tables


def _one_file(name, data, label, ignored):
    table = _table_for(name)
    lower = name.lower()
    if table is None or not lower.endswith(_TABLE_SUFFIXES):
        ignored.append(label)
        return []
    if lower.endswith(".parquet"):
        frame = parse_parquet(data, label, max_unzipped=_limit_bytes(MAX_UNZIPPED_MB))
    else:
        frame = parse_csv(data, label)
    return [(table, label, frame, 1)]


def _sheets(data, label, ignored):
    out = []
    for sheet, frame, header_row in parse_xlsx(data, label, max_unzipped=_limit_bytes(MAX_UNZIPPED_MB),
                                               is_table=lambda name: _table_for(name) is not None):
        table = _table_for(sheet)
        if table is None:
            ignored.append(f"{label}:{sheet}")
        else:
            out.append((table, sheet, frame, header_row))
    return out


def read_source(path, *, mapping=None):
    """Read a source into raw string tables.

    Parameters
    ----------
    path : str or Path
        A folder of ``<table>.csv`` / ``<table>.parquet`` files, an ``.xlsx``
        workbook whose sheet names are table names, or a ``.zip`` of such a
        folder (the files may sit inside one top-level folder).
    mapping : dict, optional
        ``{table: {their_column: canonical_column}}``; see :mod:`netdash.ingest.mapping`.

    Returns
    -------
    SourceTables
        ``{table: RawTable}``. Missing tables are reported by
        :func:`netdash.ingest.validate`, together with every other problem.

    Raises
    ------
    InvalidInputError
        When the source does not exist or any file cannot be read.
    """
    path = Path(path)
    try:
        if path.is_dir():
            files = {}
            for child in sorted(path.iterdir()):
                if child.is_file() and not child.name.startswith("."):
                    lower = child.name.lower()
                    if not lower.endswith(_TABLE_SUFFIXES):
                        continue
                    if child.stat().st_size > _limit_bytes(MAX_FILE_MB):
                        problem = _too_big(child.name, child.stat().st_size)
                        raise InvalidInputError(f"{child.name}: {problem.message}")
                    with open(child, "rb"):  # unreadable files are reported here, as before
                        pass
                    files[child.name] = FileInput.of(child)  # read as a stream when parsed
            return read_uploads(files, mapping=mapping)
        if not path.is_file():
            raise InvalidInputError(f"{path} does not exist. Give a folder of CSV files, an .xlsx workbook or a .zip.")
        if path.suffix.lower() not in (".xlsx", ".zip"):
            raise InvalidInputError(f"{path.name}: a source is a folder of table files, an .xlsx workbook or a "
                                    f".zip, not a single {path.suffix or 'file'}. Give the folder that holds it.")
        limit = _limit_bytes(MAX_FILE_MB)
        if path.stat().st_size > limit:
            raise InvalidInputError(f"{path.name}: {_too_big(path.name, path.stat().st_size).message}")
        return read_uploads({path.name: path.read_bytes()}, mapping=mapping)
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot be read ({exc.strerror or exc}). Check the path and permissions.")
