"""How the process gives freed memory back to the system: set once, at start-up.

glibc's allocator serves a large block (a numpy array of a million ties) from
its own mapping only while the block is larger than a threshold that it raises
each time such a block is freed, up to 32 MiB. After the first few large
temporaries, blocks of a few MiB come from the heap instead, and a heap freed
in the middle cannot shrink: the dashboard's resident memory then keeps every
page's peak, however much of it the caches still hold. Each Python thread
that allocates may also open its own heap (an arena; up to eight per core),
and Streamlit runs every script run in a thread of its own.

:func:`return_freed_memory` fixes the threshold, so every block of at least
:data:`MMAP_THRESHOLD` bytes is mapped on its own and unmapped when freed, and
caps the arenas at :data:`ARENAS`. It changes no value, only where memory
comes from. Measured on the large demo in docs/benchmarks.md.

:func:`resident_bytes` and :func:`trim` let the dashboard keep its caches
within a memory budget (``pages/_cached.py`` ``keep_within``).
"""

import ctypes
import functools
import os

__all__ = ["return_freed_memory", "resident_bytes", "trim", "MMAP_THRESHOLD", "ARENAS"]

#: Blocks of at least this many bytes get a mapping of their own (glibc ``M_MMAP_THRESHOLD``).
MMAP_THRESHOLD = 4 * 1024 * 1024
#: At most this many malloc heaps (glibc ``M_ARENA_MAX``).
ARENAS = 2
_M_MMAP_THRESHOLD, _M_ARENA_MAX = -3, -8


@functools.cache
def return_freed_memory():
    """Set glibc's mapping threshold and arena cap, once per process; True when both were set.

    Does nothing (False) where the C library is not glibc, or when the user
    set ``MALLOC_MMAP_THRESHOLD_`` or ``MALLOC_ARENA_MAX`` in the environment
    (their values are kept). The dashboard's script calls it on every run:
    only the first call does anything.
    """
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_ARENA_MAX" in os.environ:
        return False
    mallopt = _glibc("mallopt", (ctypes.c_int, ctypes.c_int))
    return mallopt is not None and bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_ARENA_MAX, ARENAS))


@functools.cache
def _glibc(name, argtypes):
    """glibc's function ``name`` (returning an int) through ctypes, or None where the C library is not glibc."""
    try:
        os.confstr("CS_GNU_LIBC_VERSION")  # glibc only
        function = getattr(ctypes.CDLL(None), name)
    except (ValueError, OSError, AttributeError):
        return None
    function.argtypes, function.restype = list(argtypes), ctypes.c_int
    return function


def resident_bytes():
    """This process's resident memory in bytes (``/proc/self/statm``), or None where that file does not exist.

    Examples
    --------
    >>> import sys
    >>> sys.platform != "linux" or resident_bytes() > 0
    True
    """
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def trim():
    """Give the free memory at the top of each malloc heap back to the system (glibc ``malloc_trim``).

    True when glibc released something; False when it did not or the C
    library is not glibc. Changes no value.
    """
    malloc_trim = _glibc("malloc_trim", (ctypes.c_size_t,))
    return malloc_trim is not None and bool(malloc_trim(0))
