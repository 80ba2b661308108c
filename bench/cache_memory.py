"""The dashboard's memory at large scale, page by page, and what each cache holds (issue 19).

Opens every page once in one process (AppTest, the server's caches), in the sidebar's order, on the dataset
``large`` of a workspace (default ``/tmp/nd_pt_ws_large``, made by ``bench/page_timings.py --scale large``).
After each page it collects garbage, trims the C heap and prints the resident memory and the ``st.cache_resource``
functions holding the most, each with its entries and an estimate of their size (numpy arrays and pandas
frames by their buffers, other objects by ``sys.getsizeof`` walked through containers and attributes; an
object shared by two entries is counted once)::

    .venv/bin/python bench/cache_memory.py [WORKSPACE]

docs/benchmarks.md, "Session 15", has the figures.
"""

import ctypes
import gc
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["overview", "network_map", "trust", "brokerage", "fragmentation", "before_after", "over_time", "cop_impact",
         "isolation", "clients"]


def _rss_gib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 2**20


def _size(obj, seen):
    import numpy as np
    import pandas as pd

    stack, total = [obj], 0
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        if isinstance(o, np.ndarray):
            if o.base is None:
                total += o.nbytes
            else:
                stack.append(o.base)
        elif isinstance(o, pd.DataFrame):
            total += int(o.memory_usage(deep=False).sum())
        elif isinstance(o, (pd.Series, pd.Index)):
            total += int(o.memory_usage(deep=False))
        else:
            total += sys.getsizeof(o)
            if isinstance(o, dict):
                stack.extend(o.keys())
                stack.extend(o.values())
            elif isinstance(o, (list, tuple, set, frozenset)):
                stack.extend(o)
            elif hasattr(o, "__dict__") and not isinstance(o, type):
                stack.append(o.__dict__)
    return total


def _caches():
    """{function name: (entries, estimated bytes)} of every st.cache_resource function."""
    from streamlit.runtime.caching.cache_resource_api import _resource_caches

    out, seen = {}, set()
    for per_session in list(_resource_caches._function_caches.values()):
        for cache in list(per_session.values()):
            entries = list(cache._mem_cache.values())
            out[cache.display_name.split(".")[-1]] = (len(entries), sum(_size(e.value, seen) for e in entries))
    return out


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    os.environ["NETDASH_WORKSPACE"] = argv[0] if argv else "/tmp/nd_pt_ws_large"
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=1800)
    at.session_state["dataset"] = "large"
    at.run()
    libc = ctypes.CDLL(None)
    print(f"after opening the dataset: {_rss_gib():.2f} GiB resident", flush=True)
    for page in PAGES:
        start = time.monotonic()
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, at.exception
        gc.collect()
        libc.malloc_trim(0)
        caches = _caches()
        top = sorted(caches.items(), key=lambda kv: -kv[1][1])[:8]
        print(f"{page}: {time.monotonic() - start:.0f} s; {_rss_gib():.2f} GiB resident; caches "
              f"{sum(size for _, size in caches.values()) / 2**30:.2f} GiB: "
              + ", ".join(f"{name}[{n}] {size / 2**20:.0f} MB" for name, (n, size) in top), flush=True)


if __name__ == "__main__":
    main()
