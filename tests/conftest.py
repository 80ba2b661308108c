"""Fixtures shared across the test suite."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"


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
