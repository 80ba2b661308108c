"""Fixtures shared across the test suite."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"


@pytest.fixture(scope="session", autouse=True)
def _apptest_runs_like_a_warm_server():
    """Make every AppTest run behave like a server that has routed once.

    A real server decides once per process whether the app is in Streamlit's
    version-1 "pages/ folder" mode; pages/__init__.py switches that off on
    the first run (tests/e2e/test_routing_browser.py checks it on a fresh
    server). AppTest instead resets the flag to None before every run
    (``AppTest._run``), so each run would start in that mode, and once the
    ``pages`` package is imported in the test process nothing switches it
    off again: a run after ``switch_page`` would execute the page file on
    its own, without the router's sidebar. Patching ``PagesManager`` to
    switch the mode off when AppTest creates it gives every run what a
    real server does after its first run.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    yield
    PagesManager.__init__ = original


@pytest.fixture(scope="session")
def demo_source():
    """The bundled demo dataset folder (raw CSVs)."""
    return DEMO


@pytest.fixture(scope="session")
def app_workspace(tmp_path_factory):
    """A throw-away workspace for the app tests, with the demo imported.

    The dashboard finds its workspace through NETDASH_WORKSPACE; it is set
    for the whole session because Streamlit caches the workspace handle.
    """
    from netdash.store import Workspace

    path = tmp_path_factory.mktemp("workspace")
    old = os.environ.get("NETDASH_WORKSPACE")
    os.environ["NETDASH_WORKSPACE"] = str(path)
    ws = Workspace(path)
    ws.ensure_demo()
    yield ws
    if old is None:
        os.environ.pop("NETDASH_WORKSPACE", None)
    else:
        os.environ["NETDASH_WORKSPACE"] = old


class _Upload:
    """What ``st.file_uploader`` returns for one file: name, size, file_id and getvalue()."""

    def __init__(self, name, data, n):
        self.name, self._data, self.size, self.file_id = name, data, len(data), f"test-{n}"

    def getvalue(self):
        return self._data


@pytest.fixture
def give_uploads(monkeypatch):
    """``give(files)`` makes every ``st.file_uploader`` return ``{name: bytes}`` (AppTest has no uploader).

    Returns the list of the uploader's calls, so a test can check the widget was not shown at all.
    """
    import streamlit

    calls = []

    def give(files):
        uploads = [_Upload(name, data, i) for i, (name, data) in enumerate(sorted((files or {}).items()))]

        def uploader(*args, **kwargs):
            calls.append(args)
            return uploads

        monkeypatch.setattr(streamlit, "file_uploader", uploader)
        return calls

    return give


@pytest.fixture
def own_app_workspace(tmp_path, monkeypatch):
    """Point the dashboard at a fresh workspace; its cached handle is cleared before and after."""
    import streamlit

    from netdash.store import Workspace

    monkeypatch.setenv("NETDASH_WORKSPACE", str(tmp_path / "app_ws"))
    streamlit.cache_resource.clear()
    streamlit.cache_data.clear()
    yield Workspace(tmp_path / "app_ws")
    streamlit.cache_resource.clear()
    streamlit.cache_data.clear()
