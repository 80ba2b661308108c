"""Fixtures that start the real dashboard and Debian's headless Chromium for the browser suite.

See ``e2e_support`` for what a watched session records. Never downloads a
browser: if ``/usr/bin/chromium`` is missing the tests fail with the command
that installs it (``tools/ensure_browser.py``, run by ``make test``, does).
"""

import os

import pytest

from e2e_support import App, BrowserMissing, Session, chromium, shots, write_hostile_dataset


@pytest.fixture(scope="module")
def e2e_workspace(tmp_path_factory):
    """A workspace with the demo and the hostile dataset, imported before the app starts."""
    from netdash.store import Workspace

    path = tmp_path_factory.mktemp("e2e_workspace")
    ws = Workspace(path)
    ws.ensure_demo()
    ws.import_dataset(write_hostile_dataset(tmp_path_factory.mktemp("hostile") / "hostile"), name="hostile")
    return ws


@pytest.fixture(scope="module")
def app(e2e_workspace, tmp_path_factory):
    """The dashboard on a free localhost port, with its own temp folder (``app.tmpdir``) to inspect."""
    tmpdir = tmp_path_factory.mktemp("app_tmp")
    # start_app passes our environment to the server.
    settings = {"TMPDIR": str(tmpdir)}
    old = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings)
    try:
        proc, url = shots.start_app(e2e_workspace.path, shots.free_port())
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k)
            else:
                os.environ[k] = v
    running = App(proc, url, e2e_workspace)
    running.tmpdir = tmpdir
    yield running
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except Exception:  # noqa: BLE001 - a hung server must not outlive the tests
        proc.kill()


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, launched once per test module: the one browser every browser test uses.

    Fails (never skips, never downloads) with the install command when
    ``/usr/bin/chromium`` or Python Playwright is missing.
    """
    try:
        with chromium() as b:
            yield b
    except BrowserMissing as exc:  # raised before the launch, never from a test
        pytest.fail(str(exc))


@pytest.fixture
def new_session(browser, app):
    """Factory of fresh, watched browser sessions (own cookies and Streamlit session)."""
    opened = []

    def make(**kwargs):
        session = Session(browser, app, **kwargs)
        opened.append(session)
        return session

    yield make
    for session in opened:
        session.close()
