"""The workspace: a folder holding imported datasets in DuckDB, and the pseudonym key.

Layout::

    <workspace>/netdash.duckdb   one table per contract table, each with a dataset_id column,
                                 plus ``datasets`` (name, id, version, warnings, ...), ``audit_log``
                                 (the record of changes) and ``netdash_schema`` (schema versions)
    <workspace>/secret.key       32-byte HMAC key for client pseudonyms (mode 0600)

Every operation opens its own short-lived DuckDB connection, so the dashboard
and the CLI can share a workspace. An import is one transaction: a failure,
or a killed process, leaves the workspace as it was. Client IDs are stored
only as pseudonyms and the key is never written to the database.

Deleting or replacing a dataset rewrites the database: DuckDB marks deleted
rows but keeps their bytes in freed blocks of the file (even after
``CHECKPOINT`` and ``VACUUM``), so the other datasets are copied into a new
file, which then replaces ``netdash.duckdb`` in one ``os.replace``. The old
file is never modified, so a failure or a killed process leaves either the
old workspace or the new one; a half-written new file is removed on next open.

A workspace written by an older netdash is brought to the current schema
version (:mod:`netdash.store.migrations`) the first time it is opened for
writing: stored warnings that quote raw client IDs are reworded, and the
file is rewritten the same way. A read-only one is left as it is
(:attr:`Workspace.migration_pending` says so) and its warnings are reworded
as they are read.
"""

import contextlib
import json
import os
import stat
import time
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from netdash.dataset import Dataset, conform, keep_log_codes
from netdash.store.audit import AUDIT_TABLE, audit_entries, ensure_audit_table, record_change
from netdash.store.migrations import (MIGRATIONS, SCHEMA_TABLE, SCHEMA_VERSION, record_version, stored_version,
                                      without_raw_ids)
from netdash.store._files import (IMPORT_SPACE_FACTOR, _disk_full, _drop_reserve, _free_bytes, _fsync,
                                   _make_reserve, _not_writable, _process_lock, _source_bytes)
from netdash.errors import DatasetNotFoundError, InvalidInputError, NetdashError
from netdash.ingest import load_dataset, load_or_create_secret
from netdash.ingest.coded import coded_from_arrow
from netdash.schema import TABLES
from netdash.deferred import deferred

# Imported on first use: `netdash metrics DIR` only reads the workspace's key, and a workspace without a
# database file (nothing imported yet) needs no DuckDB for that (docs/benchmarks.md, session 12).
duckdb = deferred("duckdb")

__all__ = ["Workspace", "DatasetInfo", "default_workspace", "DB_FILE", "DEMO_NAME"]

DB_FILE = "netdash.duckdb"
DEMO_NAME = "demo"
_REPO_ROOT = Path(__file__).resolve().parents[2]
_SQL_TYPE = {"id": "VARCHAR", "text": "VARCHAR", "date": "TIMESTAMP", "int": "DOUBLE", "number": "DOUBLE"}
_LOCK_WAIT_SECONDS = 60.0
"""How long a connection waits for another process's DuckDB lock before giving up with a message.

Another netdash process holds the lock while it imports, deletes or loads a dataset: opening the large demo
(5.2 M contacts) took over 10 s on a busy machine (docs/benchmarks.md, Session 17), and an import longer."""
_REWRITE_SUFFIX = ".rewrite.tmp"  # netdash.duckdb.rewrite.tmp (and its .wal): the file being written
_IMPORTING_SUFFIX = ".importing"  # netdash.duckdb.importing: an import's rows may be in the file, uncommitted


def default_workspace():
    """``$NETDASH_WORKSPACE``, else ``$XDG_DATA_HOME/netdash``, else ``~/.local/share/netdash``."""
    if os.environ.get("NETDASH_WORKSPACE"):
        return Path(os.environ["NETDASH_WORKSPACE"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base).expanduser() / "netdash"


@dataclass(frozen=True)
class DatasetInfo:
    """What the workspace knows about one imported dataset.

    ``version`` changes on every import (including ``replace``): use it in cache keys.
    """

    name: str
    dataset_id: str
    imported_at: datetime
    version: str
    row_counts: dict = field(default_factory=dict)
    n_warnings: int = 0
    source: str = ""
    directed: bool = True
    #: The import's notes (e.g. the evidence for direction); only on the info an import returns, not stored.
    notes: tuple = ()


def _arrow_table(frame, table):
    """A canonical frame as an Arrow table for DuckDB, plus ``_row`` (its order).

    ID and text columns go as dictionaries (codes + each distinct string once):
    handing DuckDB millions of Python string objects is several times slower.
    """
    import pyarrow as pa  # noqa: PLC0415 - pyarrow is a dependency of duckdb's Arrow path

    kinds = {c.name: c.kind for c in TABLES[table].columns}
    columns = {"_row": pa.array(np.arange(len(frame), dtype=np.int64))}
    for name in frame.columns:  # every column: one the store does not know is an error in DuckDB
        values = frame[name]
        if kinds.get(name, "text" if values.dtype == object else None) in ("id", "text"):
            codes, uniques = pd.factorize(values.to_numpy(dtype=object, na_value=None))
            columns[name] = pa.DictionaryArray.from_arrays(
                pa.array(codes.astype(np.int32), mask=codes < 0), pa.array(list(uniques), type=pa.string()))
        else:
            columns[name] = pa.array(values.to_numpy(), from_pandas=True)
    return pa.table(columns)


def _frame_from_arrow(arrow, table, codes):
    """A stored table read through Arrow, text columns sharing one Python string per distinct value.

    ``codes`` receives ``{(table, column): (codes, values)}`` of the text
    columns, ``values[codes]`` the column (see :func:`netdash.dataset.keep_log_codes`).
    Rows come in ``_row`` order: the query asks for ``_row`` without sorting
    (DuckDB keeps the order rows were inserted in, which is ``_row``'s), and
    they are sorted here only if that did not hold.
    """
    row = arrow.column("_row").to_numpy()
    if len(row) > 1 and not (row[1:] > row[:-1]).all():
        arrow = arrow.take(np.argsort(row, kind="stable"))
    data = {}
    for col in TABLES[table].columns:
        if col.name not in arrow.column_names:
            continue  # a read-only workspace of an older contract: conform() adds the column empty
        column = arrow.column(col.name)
        if col.kind in ("id", "text"):
            column_codes, values = codes[(table, col.name)] = coded_from_arrow(column)
            data[col.name] = pd.Series(values[column_codes], dtype=object, copy=False)
        else:
            data[col.name] = column.to_pandas()
    return pd.DataFrame(data, copy=False)


def _source_label(source):
    if isinstance(source, Mapping):
        return ", ".join(sorted(getattr(t, "label", str(k)) for k, t in source.items()))
    return Path(source).name


def _checked_name(name):
    """A dataset name, stripped; refused when empty, over 100 characters or holding a control character."""
    name = str(name).strip() if name is not None else ""
    if not name or len(name) > 100:
        raise InvalidInputError(f"dataset name {name!r} must be 1 to 100 characters.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise InvalidInputError(f"dataset name {name!r} holds a line break, tab or other invisible control "
                                "character; names are shown on one line in lists and reports. Use letters, "
                                "digits, spaces and punctuation.")
    return name


class _RewriteFailed(NetdashError):
    """The new database file could not be written (``full``: for lack of disk space)."""

    def __init__(self, message, *, full):
        super().__init__(message)
        self.full = full


class Workspace:
    """A folder of imported datasets.

    Parameters
    ----------
    path : str or Path, optional
        Defaults to :func:`default_workspace`.

    Examples
    --------
    >>> import tempfile
    >>> ws = Workspace(tempfile.mkdtemp())
    >>> ws.list()
    []
    """

    def __init__(self, path=None):
        self.path = Path(path).expanduser() if path is not None else default_workspace()

    @property
    def read_only(self):
        """Why netdash can only read this workspace (a phrase), or None when it can write to it.

        A workspace on a read-only disk, or whose folder or database file this
        user cannot write, is opened read-only: datasets can be listed and
        opened, not imported or deleted.
        """
        folder = self.path
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent  # a missing workspace is writable if it can be created
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"netdash cannot write to the folder {folder}"
        if self.db_path.exists() and not os.access(self.db_path, os.W_OK):
            return f"netdash cannot write to {self.db_path}"
        return None

    def _refuse_if_read_only(self, what):
        reason = self.read_only
        if reason:
            raise NetdashError(f"the workspace {self.path} is read-only ({reason}), so {what}. Its datasets can "
                               "still be listed, opened and analysed. To change them, run netdash as the user who "
                               "owns the workspace, or make the folder and netdash.duckdb writable.")

    def __repr__(self):
        return f"Workspace({str(self.path)!r})"

    @property
    def db_path(self):
        return self.path / DB_FILE

    def stamp(self):
        """Identity of the database file and its write-ahead log as they are now.

        Every import, replacement and delete changes it (a rewrite swaps in a
        new file: a new inode), also when another process made it, so a
        reader can keep what it read while the stamp is unchanged. Reading
        it opens no database connection: two ``stat`` calls.
        """
        stamp = []
        for path in (self.db_path, self.db_path.with_name(DB_FILE + ".wal")):
            try:
                info = os.stat(path)
            except OSError:
                stamp.append(None)
            else:
                stamp.append((info.st_ino, info.st_mtime_ns, info.st_size))
        return tuple(stamp)

    # ---- connection --------------------------------------------------------

    def _make_private(self):
        """Create the folder at 0700, or take group and other users' rights off an existing one."""
        try:
            self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise NetdashError(f"cannot create the workspace folder {self.path} ({exc.strerror or exc}). Set "
                               "NETDASH_WORKSPACE to a writable folder.") from None
        mode = stat.S_IMODE(self.path.stat().st_mode)
        if mode & 0o077:
            try:
                os.chmod(self.path, mode & 0o700)
            except OSError as exc:
                raise NetdashError(f"the workspace folder {self.path} is open to other users (mode {mode:04o}) and "
                                   f"netdash cannot change that ({exc.strerror or exc}). Run: chmod 700 "
                                   f"{self.path}") from None

    def _make_files_private(self):
        for path in (self.db_path, self.db_path.with_name(DB_FILE + ".wal")):
            with contextlib.suppress(OSError):  # absent, or not ours: the folder is private anyway
                mode = stat.S_IMODE(os.lstat(path).st_mode)
                if mode & 0o077:
                    os.chmod(path, mode & 0o600)

    def secret(self):
        """The pseudonym key, checked (see :func:`netdash.ingest.load_or_create_secret`).

        A new key is made only while the workspace holds no dataset: with
        datasets stored, a missing key is an error that says how to restore it.
        """
        self._make_private()
        names = [i.name for i in self.list()] if self.db_path.exists() else []
        return load_or_create_secret(self.path, create=not names, datasets=names)

    def _connect(self):
        read_only = self.read_only is not None
        if read_only and not self.db_path.exists():
            con = duckdb.connect(":memory:")  # nothing imported yet: an empty workspace
            self._ensure_schema(con)
            return con
        if not read_only:
            self._make_private()
        deadline = time.monotonic() + _LOCK_WAIT_SECONDS
        while True:
            try:
                con = duckdb.connect(str(self.db_path), read_only=read_only)
                break
            except duckdb.IOException as exc:
                locked = "lock" in str(exc).lower()
                if locked and time.monotonic() < deadline:
                    # Another process (e.g. the CLI while the dashboard runs) holds the write lock.
                    time.sleep(0.1)
                    continue
                hint = (" Another netdash command is using the workspace: wait for it and try again." if locked
                        else self._io_hint(exc))
                raise NetdashError(f"the workspace database {self.db_path} cannot be opened ({exc}).{hint}") from None
            except duckdb.Error as exc:
                raise NetdashError(f"the workspace database {self.db_path} cannot be opened ({exc}).") from None
        if read_only:
            return con  # nothing can be created, tightened or removed
        self._make_files_private()
        try:
            self._ensure_schema(con)
        except duckdb.Error as exc:
            con.close()
            raise NetdashError(f"the workspace database {self.db_path} is not a netdash workspace ({exc}).") from None
        self._remove_rewrite_files()  # left by a killed rewrite; we hold the file lock, so none is running
        return con

    @property
    def _rewrite_path(self):
        return self.path / (DB_FILE + _REWRITE_SUFFIX)

    @property
    def _importing_marker(self):
        return self.path / (DB_FILE + _IMPORTING_SUFFIX)

    def _remove_rewrite_files(self):
        for path in (self._rewrite_path, self._rewrite_path.with_name(self._rewrite_path.name + ".wal")):
            path.unlink(missing_ok=True)

    @staticmethod
    def _ensure_schema(con):
        if stored_version(con) is None:  # a new workspace starts at the current version: nothing to migrate
            record_version(con, SCHEMA_VERSION, at=datetime.now(timezone.utc).replace(tzinfo=None),
                           note="created")
        con.execute("""CREATE TABLE IF NOT EXISTS datasets (
            dataset_id VARCHAR PRIMARY KEY, name VARCHAR UNIQUE NOT NULL, imported_at TIMESTAMP,
            version VARCHAR, source VARCHAR, n_warnings INTEGER, warnings VARCHAR, row_counts VARCHAR)""")
        # Dataset-level options (JSON, e.g. {"directed": false}); workspaces made before it gain the column.
        con.execute("ALTER TABLE datasets ADD COLUMN IF NOT EXISTS options VARCHAR")
        ensure_audit_table(con)
        for name, spec in TABLES.items():
            cols = ", ".join(f'"{c.name}" {_SQL_TYPE[c.kind]}' for c in spec.columns)
            con.execute(f'CREATE TABLE IF NOT EXISTS "{name}" (dataset_id VARCHAR NOT NULL, _row BIGINT, {cols})')
            for c in spec.columns:  # tables created by an older contract gain new columns
                con.execute(f'ALTER TABLE "{name}" ADD COLUMN IF NOT EXISTS "{c.name}" {_SQL_TYPE[c.kind]}')

    def _io_hint(self, exc):
        if _disk_full(exc):
            return (f" The disk holding the workspace is full ({_free_bytes(self.path) / 1e6:.0f} MB free). Free "
                    "some space (netdash delete works on a full disk) and try again.")
        if _not_writable(exc):
            return (" netdash cannot write there: check the folder's permissions, or whether the disk is mounted "
                    "read-only.")
        return ""

    def _run(self, fn, *, exclusive=False):
        with _process_lock(self.db_path).hold(exclusive=exclusive):
            con = self._connect()
            try:
                if self._migration_due(con):
                    if not exclusive:
                        con.close()
                        con = None  # the migration rewrites the file: it needs the exclusive lock (below)
                    else:
                        con = self._migrated(con)
                if con is not None:
                    return fn(con)
            except (duckdb.Error, OSError) as exc:
                if isinstance(exc, OSError) and not (_disk_full(exc) or _not_writable(exc)):
                    raise
                raise NetdashError(f"workspace database error in {self.db_path}: {exc}.{self._io_hint(exc)} "
                                   "Nothing was changed.") from None
            finally:
                if con is not None:
                    con.close()
        self._run(lambda con: None, exclusive=True)  # migrates (once: then it is no longer due)
        return self._run(fn, exclusive=exclusive)

    # ---- schema versions ---------------------------------------------------

    def _migration_due(self, con):
        return (not self._migration_failed and self.read_only is None
                and (stored_version(con) or SCHEMA_VERSION) < SCHEMA_VERSION)

    _migration_failed = False  # set on an instance whose migration found no room on the disk: not retried by it

    def _migrated(self, con):
        """Bring the workspace to :data:`SCHEMA_VERSION`; a connection to the result (``con`` is closed).

        Called with the exclusive lock held. The rows go into a new file
        (:meth:`_rewrite`), so neither the reworded text's old bytes nor
        those of datasets an older netdash deleted in place survive, and a
        failure or a killed process leaves the old file as it was. Every
        other row is copied as it is. On a full disk the workspace is used
        unmigrated (warnings are reworded as they are read) and the
        migration is tried again by the next program that opens it.
        """
        from_version = stored_version(con)
        rows = con.execute("SELECT dataset_id, warnings FROM datasets").fetchall()
        reworded = {}
        for dataset_id, stored in rows:
            messages, changed = without_raw_ids(json.loads(stored or "[]"))
            if changed:
                reworded[dataset_id] = (json.dumps(messages), changed)
        at = datetime.now(timezone.utc).replace(tzinfo=None)

        def fill(fresh):
            for dataset_id, (stored, _) in reworded.items():
                fresh.execute("UPDATE datasets SET warnings = ? WHERE dataset_id = ?", [stored, dataset_id])
            for version in range(from_version + 1, SCHEMA_VERSION + 1):
                changed = sum(n for _, n in reworded.values())
                note = MIGRATIONS[version] + (f" ({changed} warnings of {len(reworded)} datasets reworded)"
                                              if version == 2 else "")
                record_version(fresh, version, at=at, note=note)

        try:
            self._rewrite(con, drop=None, fill=fill)
        except _RewriteFailed:
            self._migration_failed = True
        con.close()  # a failed checkpoint leaves DuckDB's instance unusable, and a rewrite a new file: reconnect
        con = self._connect()
        if (stored_version(con) or SCHEMA_VERSION) < SCHEMA_VERSION:
            self._migration_failed = True  # never loop on a migration that did not take
        return con

    @property
    def migration_pending(self):
        """Why the workspace needs migrating (a phrase), or None when it is at the current schema version.

        Only a workspace netdash cannot write to stays pending (or one on a
        full disk): any writable open migrates it.
        """
        if not self.db_path.exists():
            return None
        version = self._run(stored_version)
        if version is None or version >= SCHEMA_VERSION:
            return None
        return (f"it was written by an older netdash (schema version {version}; this netdash writes version "
                f"{SCHEMA_VERSION}), whose stored import warnings may quote raw client IDs. netdash shows those "
                "warnings without the IDs but leaves the file as it is until it can write to it")

    def _rewrite(self, con, *, drop, fill=None):
        """Copy every row not of dataset ``drop`` into a new file and swap it in for ``netdash.duckdb``.

        ``fill(con)``, if given, then adds rows to the new file in the same
        transaction (unqualified table names refer to the new file). Until
        the final ``os.replace`` the old file is untouched; ``con`` keeps its
        lock on it throughout, so no other process can write to it meanwhile.
        """
        old = con.execute("SELECT current_database()").fetchone()[0]
        new = self._rewrite_path
        self._remove_rewrite_files()
        try:
            con.execute("CHECKPOINT")  # nothing of the old file may stay in a WAL that would pair with the new one
            con.execute("ATTACH '{}' AS _fresh".format(str(new).replace("'", "''")))
            con.execute(f'COPY FROM DATABASE "{old}" TO _fresh (SCHEMA)')
            tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
                                                "AND schema_name = 'main' ORDER BY table_name", [old]).fetchall()]
            con.begin()
            for table in tables:
                if table in (AUDIT_TABLE, SCHEMA_TABLE):  # the record of changes and versions are kept whole
                    con.execute(f'INSERT INTO _fresh.main."{table}" SELECT * FROM "{old}".main."{table}"')
                    continue
                con.execute(f'INSERT INTO _fresh.main."{table}" SELECT * FROM "{old}".main."{table}" '
                            "WHERE dataset_id IS DISTINCT FROM ?", [drop])
            if fill is not None:
                con.execute("USE _fresh")
                fill(con)
                con.execute(f'USE "{old}"')
            con.commit()
            con.execute("DETACH _fresh")  # checkpoints the new file: no WAL is left beside it
            os.chmod(new, stat.S_IMODE(os.stat(self.db_path).st_mode))  # as private as the old file
            _fsync(new)
            os.replace(new, self.db_path)
        except BaseException as exc:
            with contextlib.suppress(duckdb.Error):
                con.rollback()
            with contextlib.suppress(duckdb.Error):
                con.execute(f'USE "{old}"')
                con.execute("DETACH DATABASE IF EXISTS _fresh")
            self._remove_rewrite_files()
            if isinstance(exc, OSError) or _disk_full(exc) or _not_writable(exc):
                raise _RewriteFailed(f"cannot write the new workspace database beside {self.db_path} ({exc}); "
                                     f"the workspace is unchanged.{self._io_hint(exc)}", full=_disk_full(exc)) from None
            raise
        _fsync(self.path, directory=True)

    # ---- queries -----------------------------------------------------------

    @staticmethod
    def _info(row):
        dataset_id, name, imported_at, version, source, n_warnings, _, row_counts = row[:8]
        options = json.loads((row[8] if len(row) > 8 else None) or "{}")
        return DatasetInfo(name=name, dataset_id=dataset_id, imported_at=imported_at, version=version,
                           row_counts=json.loads(row_counts or "{}"), n_warnings=int(n_warnings or 0), source=source or "",
                           directed=bool(options.get("directed", True)))

    def list(self):
        """Imported datasets, oldest first, as :class:`DatasetInfo`."""
        rows = self._run(lambda con: con.execute("SELECT * FROM datasets ORDER BY imported_at, name").fetchall())
        return [self._info(r) for r in rows]

    def _find(self, con, name_or_id):
        rows = con.execute("SELECT * FROM datasets WHERE name = ? OR dataset_id = ? ORDER BY name = ? DESC LIMIT 1",
                           [str(name_or_id)] * 3).fetchall()
        row = rows[0] if rows else None
        if row is None:
            names = [r[0] for r in con.execute("SELECT name FROM datasets ORDER BY name").fetchall()]
            available = ", ".join(repr(n) for n in names) if names else "none yet"
            raise DatasetNotFoundError(f"no dataset called {str(name_or_id)!r} in the workspace {self.path}. "
                                       f"Available: {available}. Import one with `netdash import` or the "
                                       "Data page.")
        return row

    def info(self, name_or_id):
        """:class:`DatasetInfo` of one dataset; raises :class:`DatasetNotFoundError`."""
        return self._info(self._run(lambda con: self._find(con, name_or_id)))

    def open(self, name_or_id):
        """Load a dataset by name or id.

        Raises
        ------
        DatasetNotFoundError
            Naming the datasets that are available.
        """
        def load(con):
            row = self._find(con, name_or_id)
            stored = {}  # a read-only workspace written by an older netdash may lack newer tables and columns
            for table, column in con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE "
                                             "database_name = current_database() AND schema_name = 'main'").fetchall():
                stored.setdefault(table, set()).add(column)
            frames, codes = {}, {}
            for table in TABLES:
                names = [c for c in TABLES[table].column_names() if c in stored.get(table, ())]
                if not names:
                    frames[table] = conform(None, table)
                    continue
                cols = ", ".join(f'"{c}"' for c in names)
                # Arrow is several times faster than .df() for a few hundred thousand rows; sorting 5 M rows
                # on _row in DuckDB was half the query (issue 19): _frame_from_arrow checks the order instead.
                arrow = con.sql(f'SELECT _row, {cols} FROM "{table}" WHERE dataset_id = $id',
                                params={"id": row[0]}).to_arrow_table()
                # Text columns hold strings and None only (coded_from_arrow): conform need not look for NaN.
                text = [c.name for c in TABLES[table].columns if c.kind in ("id", "text")]
                frames[table] = conform(_frame_from_arrow(arrow, table, codes), table, clean=text)
                del arrow
            return row, frames, codes

        row, frames, codes = self._run(load)
        info = self._info(row)
        ds = Dataset(**frames, name=info.name, version=info.version, directed=info.directed)
        # The analysis codes the log's IDs (netdash.networks.codes): from these codes, as after an import.
        keep_log_codes(ds, codes)
        return ds

    def log(self):
        """The record of changes: every import, replacement and delete, oldest first (:class:`AuditEntry`)."""
        return self._run(audit_entries)

    def warnings(self, name_or_id):
        """The import warnings stored with a dataset, as messages.

        Reworded without raw client IDs (:func:`netdash.store.migrations.without_raw_ids`)
        when a read-only workspace written by an older netdash still holds some.
        """
        row = self._run(lambda con: self._find(con, name_or_id))
        return without_raw_ids(json.loads(row[6] or "[]"))[0]

    # ---- changes -----------------------------------------------------------

    def import_dataset(self, source, *, name, mapping=None, dayfirst=False, replace=False, today=None,
                       directed=None, min_date=None, who=None):
        """Validate ``source`` and store it as dataset ``name``, all or nothing.

        Parameters
        ----------
        source : str, Path or dict
            As for :func:`netdash.ingest.load_dataset`.
        name : str
            Dataset name shown in the dashboard and CLI.
        replace : bool
            Replace an existing dataset of that name (its id is kept, its version changes).
            The database file is rewritten without the old rows, as in :meth:`delete`.
        directed, min_date
            As for :func:`netdash.ingest.load_dataset`; ``directed`` is kept
            with the dataset and given back by :meth:`open`.
        who : str, optional
            Who imports, for the record of changes (:meth:`log`).

        Returns
        -------
        DatasetInfo

        Raises
        ------
        InvalidInputError
            When the data has errors (nothing is stored) or the name is taken.
        """
        name = _checked_name(name)
        self._refuse_if_read_only("nothing can be imported")
        if not replace:
            self._check_free(name)
        # The version being replaced: if another import replaces it meanwhile, this one must not go on.
        expected = self._version_of(name) if replace else None
        self._check_space(source, rewrite=replace or self._importing_marker.exists())
        secret = self.secret()
        dataset, report = load_dataset(source, secret=secret, mapping=mapping, dayfirst=dayfirst, today=today,
                                       name=name, directed=directed, min_date=min_date)
        # The importer's column codes are kept for an analysis of this object (netdash.dataset.keep_column_codes);
        # here the tables are only stored, so they are let go before the write (issue 18's peak).
        dataset.memo.clear()
        messages = [str(p) for p in report.warnings]
        counts = {t: int(len(dataset.table(t))) for t in TABLES}
        version = uuid.uuid4().hex
        imported_at = datetime.now(timezone.utc).replace(tzinfo=None)
        label = _source_label(source)

        def insert(con, dataset_id, action):
            record_change(con, at=imported_at, who=who, action=action, dataset=name, version=version,
                          row_counts=counts)
            con.execute("INSERT INTO datasets (dataset_id, name, imported_at, version, source, n_warnings, warnings, "
                        "row_counts, options) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [dataset_id, name, imported_at, version, label, len(messages), json.dumps(messages),
                         json.dumps(counts), json.dumps({"directed": bool(dataset.directed)})])
            for table in TABLES:
                con.register("_incoming", _arrow_table(dataset.table(table), table))
                con.execute(f'INSERT INTO "{table}" BY NAME SELECT ? AS dataset_id, * FROM _incoming', [dataset_id])
                con.unregister("_incoming")

        def write(con):
            old = con.execute("SELECT dataset_id, version FROM datasets WHERE name = ?", [name]).fetchone()
            if old is not None and not replace:
                raise self._name_taken(name)
            if replace and (old[1] if old else None) != expected:
                raise InvalidInputError(
                    f"the dataset {name!r} was changed by another import or delete while this one was being "
                    "validated, so this import stopped and nothing was imported. Check the dataset as it is now "
                    "(netdash list, or the Data page), and import again if it should still be replaced.")
            marker = self._importing_marker
            if old is not None or marker.exists():
                # A replacement, or an earlier import was killed and may have left its rows' bytes:
                # the new rows go into a rewritten file that holds neither.
                dataset_id = old[0] if old is not None else uuid.uuid4().hex
                self._rewrite(con, drop=dataset_id if old is not None else None,
                              fill=lambda fresh: insert(fresh, dataset_id, "replace" if old else "import"))
                marker.unlink(missing_ok=True)
                return dataset_id
            dataset_id = uuid.uuid4().hex
            con.execute("CHECKPOINT")  # an empty write-ahead log: afterwards it holds only this import
            # DuckDB writes a large insert's rows to the file before the commit. If the import fails,
            # the rollback only marks them free, so the file is rewritten without them; if the
            # process is killed, this marker makes the next import or delete rewrite it.
            marker.touch(mode=0o600)
            _fsync(self.path, directory=True)
            con.begin()
            try:
                insert(con, dataset_id, "import")
                con.commit()
            except BaseException as exc:
                with contextlib.suppress(duckdb.Error):
                    con.rollback()
                if not _disk_full(exc):  # on a full disk there is no room to rewrite: recover() does it later
                    try:
                        self._rewrite(con, drop=None)
                    except Exception:  # the import's own error is the one to report; the marker stays
                        pass
                    else:
                        marker.unlink(missing_ok=True)
                raise
            try:
                con.execute("CHECKPOINT")
            except duckdb.Error as exc:
                # Committed to the write-ahead log, which cannot be moved into the full file: drop it, so the
                # workspace is as it was before (the main file's header never pointed at the new rows).
                with contextlib.suppress(duckdb.Error):  # closing must not try the checkpoint again
                    con.execute("PRAGMA disable_checkpoint_on_shutdown")
                con.close()
                self.db_path.with_name(DB_FILE + ".wal").unlink(missing_ok=True)
                raise NetdashError(f"the import of {name!r} could not be written to {self.db_path} ({exc}); nothing "
                                   f"was imported.{self._io_hint(exc)}") from None
            marker.unlink(missing_ok=True)
            return dataset_id

        dataset_id = self._run(write, exclusive=True)  # a rewrite may be needed: see write()
        return DatasetInfo(name=name, dataset_id=dataset_id, imported_at=imported_at, version=version,
                           row_counts=counts, n_warnings=len(messages), source=label, directed=dataset.directed,
                           notes=tuple(str(p) for p in report.notes))

    def _name_taken(self, name):
        return InvalidInputError(f"a dataset called {name!r} already exists in {self.path}. Choose another name, "
                                 "or replace it (--replace, or tick 'replace' when uploading).")

    def _check_space(self, source, *, rewrite):
        """Refuse an import the disk has no room for: about 3 times its input, plus a copy for a rewrite."""
        self._make_private()
        size = _source_bytes(source)
        need = IMPORT_SPACE_FACTOR * size + (self.db_path.stat().st_size if rewrite and self.db_path.exists() else 0)
        free = _free_bytes(self.path)
        if need > free:
            copy = " plus a copy of the workspace database" if rewrite else ""
            raise NetdashError(f"not enough free disk space for this import: it needs about {need / 1e6:,.0f} MB in "
                               f"{self.path} ({IMPORT_SPACE_FACTOR} times the {size / 1e6:,.1f} MB of input{copy}) "
                               f"and {free / 1e6:,.0f} MB are free. Free some space (deleting a dataset you no "
                               "longer need frees its share), or set NETDASH_WORKSPACE to a folder on a bigger "
                               "disk. Nothing was imported.")

    def _version_of(self, name):
        row = self._run(lambda con: con.execute("SELECT version FROM datasets WHERE name = ?", [name]).fetchone())
        return row[0] if row else None

    def _check_free(self, name):
        taken = self._run(lambda con: con.execute("SELECT 1 FROM datasets WHERE name = ?", [name]).fetchall())
        if taken:
            raise self._name_taken(name)

    def delete(self, name_or_id, *, who=None):
        """Remove a dataset, leaving none of its bytes in the workspace files.

        The other datasets are copied into a new database file that replaces
        the old one, so they keep their ids, versions and content. Taking
        about as long as reading them, this waits for the workspace's other
        readers in this process to finish. ``who`` (who deletes) goes into
        the record of changes (:meth:`log`) in the same transaction.

        Returns
        -------
        bool
            True; False when the disk was full, so the rows were deleted in
            place and their bytes stay in free blocks of the file until
            :meth:`recover` (or the next import or delete) can rewrite it.

        Raises
        ------
        DatasetNotFoundError
            Naming the datasets that are available; nothing is changed.
        """
        self._refuse_if_read_only("nothing can be deleted")

        def remove(con):
            info = self._info(self._find(con, name_or_id))

            def record(target):
                record_change(target, at=datetime.now(timezone.utc).replace(tzinfo=None), who=who, action="delete",
                              dataset=info.name, version=info.version, row_counts=info.row_counts)

            try:
                self._rewrite(con, drop=info.dataset_id, fill=record)
            except _RewriteFailed as exc:
                if not exc.full:
                    raise
                con.close()  # a failed checkpoint leaves DuckDB's instance unusable: start a new one
                return self._delete_in_place(info.dataset_id, record)
            self._importing_marker.unlink(missing_ok=True)  # the rewrite also dropped a killed import's bytes
            return True

        return self._run(remove, exclusive=True)

    def _delete_in_place(self, dataset_id, record):
        """Delete on a full disk: rows deleted in the file itself, then a rewrite if the room allows.

        Called with the exclusive lock held. The reserve file makes room for
        the write-ahead log; the ``.importing`` marker makes the next start,
        import or delete rewrite the file, because the deleted rows' bytes stay
        in its free blocks until then. Returns whether that rewrite was done now.
        """
        _drop_reserve(self.path)
        self._importing_marker.touch(mode=0o600)
        con = self._connect()
        try:
            tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'")
                      .fetchall()]
            con.begin()
            for table in tables:
                if table not in (AUDIT_TABLE, SCHEMA_TABLE):
                    con.execute(f'DELETE FROM "{table}" WHERE dataset_id = ?', [dataset_id])
            record(con)
            con.commit()
            con.execute("CHECKPOINT")  # DuckDB drops emptied row groups and truncates the file's free tail
            try:
                self._rewrite(con, drop=None)
            except _RewriteFailed:
                return False
            self._importing_marker.unlink(missing_ok=True)
            return True
        finally:
            con.close()

    def recover(self):
        """Tidy what a failed or killed write left behind; call it when a program starts.

        Removes a half-written ``netdash.duckdb.rewrite.tmp``; if a
        ``netdash.duckdb.importing`` marker says rows of a failed import or of
        an in-place delete may remain in free blocks, rewrites the file without
        them (left for later when the disk has no room); and keeps a small
        reserve file so that a delete can work on a full disk. Does nothing on
        a read-only workspace or one without a database.
        """
        if self.read_only is not None or not self.db_path.exists():
            return

        def tidy(con):  # connecting removed the rewrite's leftovers
            if self._importing_marker.exists():
                with contextlib.suppress(_RewriteFailed):
                    self._rewrite(con, drop=None)
                    self._importing_marker.unlink(missing_ok=True)

        self._run(tidy, exclusive=True)
        _make_reserve(self.path)

    def ensure_demo(self, source=None):
        """Import the bundled demo (``data/demo``) as dataset ``"demo"`` unless it is already there."""
        for info in self.list():
            if info.name == DEMO_NAME:
                return info
        source = Path(source) if source is not None else _REPO_ROOT / "data" / "demo"
        if not source.exists():
            raise NetdashError(f"the demo data is missing ({source}). Reinstall netdash or import your own data.")
        return self.import_dataset(source, name=DEMO_NAME, who="netdash (bundled demo)")
