"""File-level helpers of :mod:`netdash.store.workspace`: the in-process lock, fsync, disk space and the reserve."""

import contextlib
import errno
import os
import shutil
import threading
from collections.abc import Mapping
from pathlib import Path

class _SharedLock:
    """Many holders at once, or one ``exclusive`` holder; a waiting exclusive holder goes first.

    DuckDB gives every connection to a file in one process the same database
    instance while any is open, so a thread that connected during a rewrite
    would go on reading, or writing, the replaced file. Within a process a
    rewrite therefore waits for the other connections to close and holds back
    new ones; other processes are kept out by DuckDB's own file lock.
    """

    def __init__(self):
        self._cond, self._readers, self._writer = threading.Condition(), 0, False

    @contextlib.contextmanager
    def hold(self, *, exclusive):
        with self._cond:
            self._cond.wait_for(lambda: not self._writer)
            if exclusive:
                self._writer = True
                self._cond.wait_for(lambda: self._readers == 0)
            else:
                self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                if exclusive:
                    self._writer = False
                else:
                    self._readers -= 1
                self._cond.notify_all()


_LOCKS = {}
_LOCKS_GUARD = threading.Lock()


def _process_lock(db_path):
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(os.path.abspath(db_path), _SharedLock())


def _fsync(path, *, directory=False):
    fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_NO_SPACE = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
RESERVE_FILE = "netdash.reserve"
"""A file of zeros kept in the workspace, removed to make room for a delete when the disk is full."""
RESERVE_BYTES = 16 * 1024 * 1024
IMPORT_SPACE_FACTOR = 3
"""An import needs about this many times its input's size free (rows, write-ahead log and checkpoint)."""


def _disk_full(exc):
    """True for an error caused by a full disk or quota: an OSError, or DuckDB's text for one."""
    if isinstance(exc, OSError) and exc.errno in _NO_SPACE:
        return True
    text = str(exc)
    return "No space left on device" in text or "Disk quota exceeded" in text


def _not_writable(exc):
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return True
    text = str(exc)
    return "Read-only file system" in text or "Permission denied" in text


def _free_bytes(path):
    return shutil.disk_usage(path).free


def _source_bytes(source):
    """Bytes of a source's table files (a folder, a file, or read tables that know their size)."""
    if isinstance(source, Mapping):
        return int(getattr(source, "nbytes", 0) or 0)
    path = Path(source)
    try:
        if path.is_dir():
            return sum(p.stat().st_size for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        return path.stat().st_size
    except OSError:
        return 0  # read_source reports the problem


def _make_reserve(folder):
    """Write the reserve file if there is room for it and more; a reserve that cannot be written is skipped."""
    path = Path(folder) / RESERVE_FILE
    try:
        if path.exists() or _free_bytes(folder) < 2 * RESERVE_BYTES:
            return
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            # Allocates the blocks without writing them (the C library writes zeros where the file system
            # cannot), so the space is really taken, and given back by unlinking the file.
            os.posix_fallocate(fd, 0, RESERVE_BYTES)
        finally:
            os.close(fd)
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink()


def _drop_reserve(folder):
    """Remove the reserve file; True if there was one."""
    try:
        (Path(folder) / RESERVE_FILE).unlink()
    except OSError:
        return False
    return True
