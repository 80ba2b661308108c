"""Seconds to import each module the pages import on first use, in a fresh process, in the order the app does.

    .venv/bin/python bench/warm_imports.py    # run it three times: the machine's load moves every figure

NetworKit first (as ``pages._shared._import_all``), then ``pages._shared.WARM_IMPORTS`` in order; each figure is
what that module adds to what was imported before it. A page that imports a module no earlier page has pays its
figure on its first load, unless the server's import thread got there first (docs/architecture.md, "Caching").
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main():
    started = time.perf_counter()
    import streamlit  # noqa: F401 - the router has imported it before any page runs

    from netdash.metrics.backends import import_module, networkit
    from pages._shared import WARM_IMPORTS

    figures = [("streamlit and pages._shared", time.perf_counter() - started)]
    t = time.perf_counter()
    networkit()
    figures.append(("networkit", time.perf_counter() - t))
    for name in WARM_IMPORTS:
        t = time.perf_counter()
        import_module(name)
        figures.append((name, time.perf_counter() - t))
    print("  ".join(f"{name} {seconds:.2f}" for name, seconds in figures))


if __name__ == "__main__":
    main()
