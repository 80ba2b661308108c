"""One cold run of a dashboard page in a fresh process (AppTest): its time, and what the process settings change.

Measures the two process-wide settings docs/architecture.md keeps ("Caching"):

- ``--imports``: ``none`` switches the server's import thread off, so the page
  imports what it needs itself; ``before`` imports ``pages._shared.WARM_IMPORTS``
  (and NetworKit) before the page runs, as the thread does while a user reads
  the first page; ``thread`` leaves the app as it is;
- ``--gc default|raised``: Python's collector thresholds or the app's
  ``GC_THRESHOLDS``; prints the collections made during the run and the time
  spent in them (``gc.callbacks``).

The app runs first on the Overview (as a user's first page), then switches to
``PAGE``; only that second run is timed. Run it several times, alternating
settings, and compare medians: the machine's load moves every figure.

    NETDASH_WORKSPACE=/tmp/ws .venv/bin/python bench/cold_page_run.py pages/cop_impact.py --dataset demo --imports none
    NETDASH_WORKSPACE=/tmp/ws .venv/bin/python bench/cold_page_run.py pages/over_time.py --dataset medium --gc default
"""

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _app_thresholds():
    """``GC_THRESHOLDS`` as streamlit_app.py sets them (read from its source: importing it would run the app)."""
    import ast

    for node in ast.parse((ROOT / "streamlit_app.py").read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "GC_THRESHOLDS" for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit("GC_THRESHOLDS not found in streamlit_app.py")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="e.g. pages/cop_impact.py")
    parser.add_argument("--dataset", default="demo")
    parser.add_argument("--imports", choices=["none", "before", "thread"], default="thread")
    parser.add_argument("--gc", choices=["default", "raised"], default="raised")
    args = parser.parse_args(argv)

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    original = PagesManager.__init__

    def init(self, *a, **k):  # as tests/conftest.py: every run routed, as on a server after its first run
        original(self, *a, **k)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    if args.imports != "thread":
        from pages import _shared

        _shared.warm_imports = lambda: None
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=900)
    at.session_state["dataset"] = args.dataset
    at.run()
    if args.imports == "before":
        _shared._import_all()
    gc.set_threshold(*((700, 10, 10) if args.gc == "default" else _app_thresholds()))
    gc.set_threshold = lambda *a: None  # the app sets its own on every run
    stats = {"n": 0, "t": 0.0, "start": 0.0}

    def watch(phase, info):
        if phase == "start":
            stats["start"] = time.perf_counter()
        else:
            stats["n"] += 1
            stats["t"] += time.perf_counter() - stats["start"]

    gc.callbacks.append(watch)
    at.switch_page(args.page)
    started = time.perf_counter()
    at.run()
    took = time.perf_counter() - started
    gc.callbacks.remove(watch)
    print(f"{args.page} imports={args.imports} gc={args.gc}: run {took:.2f} s, "
          f"{stats['n']} collections {stats['t']:.2f} s" + (" (the page raised)" if at.exception else ""))


if __name__ == "__main__":
    main()
