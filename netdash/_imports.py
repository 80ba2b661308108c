"""Importing a compiled library without the optional dependencies it would load and netdash never uses."""

import contextlib
import sys

__all__ = ["imports_blocked"]


@contextlib.contextmanager
def imports_blocked(*names):
    """Inside the block, ``import name`` fails for each of ``names`` not already imported.

    A ``None`` entry in ``sys.modules`` makes an import raise ``ImportError``
    (Python's documented way); libraries that import an optional dependency
    inside ``try``/``except ImportError`` then go on without it. Modules
    already loaded are left alone, and the entries are removed afterwards,
    so a later ``import name`` works as usual.

    Examples
    --------
    >>> with imports_blocked("netdash_no_such_module"):
    ...     try:
    ...         import netdash_no_such_module
    ...     except ImportError:
    ...         print("blocked")
    blocked
    >>> "netdash_no_such_module" in sys.modules
    False
    """
    blocked = [name for name in names if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None
    try:
        yield
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
