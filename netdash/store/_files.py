"""File-level helpers of :mod:`netdash.store.workspace`: the in-process read/rewrite lock and fsync."""

import contextlib
import os
import threading

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
