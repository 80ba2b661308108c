"""netdash.memory: freed blocks of a few MiB go back to the system (glibc only)."""

import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                                reason="glibc's mallopt")

# Frees one 30 MiB array (glibc's default then serves blocks up to 30 MiB from its heap), builds twenty arrays
# of 6 MiB, and prints the MiB glibc holds in blocks mapped on their own (mallinfo2's hblkhd) while they live,
# and how far resident memory falls when they are freed.
_PATTERN = """
import ctypes, sys
import numpy as np
from netdash.memory import return_freed_memory
if sys.argv[1] == "set":
    assert return_freed_memory()
class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                      "fsmblks", "uordblks", "fordblks", "keepcost")]
mallinfo2 = ctypes.CDLL(None).mallinfo2
mallinfo2.restype = Info
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS")) / 1024
big = np.ones(30 * 2**20 // 8); del big
mapped = mallinfo2().hblkhd
blocks = [np.ones(6 * 2**20 // 8) for _ in range(20)]
mapped = (mallinfo2().hblkhd - mapped) / 2**20
held = rss()
del blocks
print(mapped, held - rss())
"""


def _mapped_and_freed_mib(mode):
    done = subprocess.run([sys.executable, "-c", _PATTERN, mode], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [float(x) for x in done.stdout.split()[-2:]]


def test_blocks_of_a_few_mib_get_their_own_mapping_and_leave_when_freed():
    mapped, freed = _mapped_and_freed_mib("set")
    assert mapped >= 120 and freed > 100  # all twenty mapped; their 120 MiB leave resident memory when freed


def test_without_it_glibc_serves_them_from_its_heap():
    # The control, showing that the first test measures the setting: glibc's default raised its threshold to
    # 30 MiB when the first array was freed, so the 6 MiB blocks came from the heap, which shrinks only from its
    # top and keeps what is freed below anything still in use.
    mapped, _ = _mapped_and_freed_mib("default")
    assert mapped < 10


def test_a_setting_in_the_environment_is_kept(monkeypatch):
    from netdash.memory import return_freed_memory

    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    return_freed_memory.cache_clear()
    try:
        assert return_freed_memory() is False
    finally:
        return_freed_memory.cache_clear()


def test_resident_memory_counts_what_the_process_touches():
    import numpy as np

    from netdash.memory import resident_bytes, trim

    before = resident_bytes()
    block = np.ones(40 * 2**20 // 8)  # 40 MiB, written
    assert resident_bytes() - before >= 35 * 2**20
    del block
    trim()
    assert resident_bytes() - before < 20 * 2**20
