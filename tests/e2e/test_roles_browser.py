"""Roles and the record of changes in a real browser, signed in through a fake OpenID Connect provider.

The dashboard runs with an ``[auth]`` section pointing at :class:`FakeOIDC`
on 127.0.0.1 and ``[netdash.roles]`` making ``editor@example.org`` an editor
and everyone else a viewer. Each person signs in with Streamlit's own
``st.login`` (Authlib: discovery, authorisation code with PKCE and a nonce,
token, ID token checked against the provider's keys), as in a deployment.
The editor uploads and imports the demo on the Data page; the record of
changes says who. A viewer then sees that record but none of the write
controls (uploader, Import, Delete, Restore).
"""

import subprocess
import time
from urllib.parse import urlsplit

import pytest

from e2e_support import DEMO, App, Session
from e2e_support import shots
from oidc_support import FakeOIDC

pytestmark = pytest.mark.e2e

DEMO_TABLES = ("agencies.csv", "practitioners.csv", "contacts.csv", "cop_attendance.csv", "clients.csv",
               "trust_survey.csv")
EDITOR, VIEWER = "editor@example.org", "visitor@elsewhere.org"


class SignInApp(App):
    """The app, whose sessions may also reach the fake provider (every other request is still aborted)."""

    def __init__(self, proc, url, workspace, provider):
        super().__init__(proc, url, workspace)
        self.provider = provider

    def is_local(self, url):
        parts = urlsplit(url)
        return super().is_local(url) or (parts.hostname == "127.0.0.1" and parts.port == self.provider.port)


@pytest.fixture(scope="module")
def provider():
    with FakeOIDC() as running:
        yield running


@pytest.fixture(scope="module")
def signin_app(provider, tmp_path_factory):
    from netdash.store import Workspace

    folder = tmp_path_factory.mktemp("roles")
    ws = Workspace(folder / "ws")
    ws.ensure_demo()
    port = shots.free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "0123456789abcdef0123456789abcdef"
client_id = "{provider.client_id}"
client_secret = "{provider.client_secret}"
server_metadata_url = "{provider.issuer}/.well-known/openid-configuration"

[netdash.roles]
"{EDITOR}" = "editor"
default = "viewer"
""")
    proc, url = shots.start_app(ws.path, port, extra_args=["--secrets.files", str(secrets_file)],
                                env={"TMPDIR": str(folder)})
    app = SignInApp(proc, url, ws, provider)
    yield app
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def _sign_in(browser, app, email):
    """A new browser session signed in as ``email`` through the provider, on the Data page."""
    app.provider.next_email = email
    session = Session(browser, app)
    session.page.goto(app.url + "/")
    session.page.get_by_text("Sign in to continue").wait_for(timeout=120_000)
    session.page.get_by_role("button", name="Sign in").click()
    session.page.wait_for_selector("[data-testid='stSidebar'] [data-testid='stSelectbox']", timeout=120_000)
    session.settle()
    session.go("data")
    return session


def _tab(session, name):
    session.act(session.page.get_by_role("tab", name=name).click)


def _record(session):
    """The text of the record of changes: its table's cells (the grid's accessible table) and the caption."""
    panel = session.page.get_by_role("tabpanel", name="Record of changes")
    cells = panel.locator("[data-testid='stDataFrame'] table[role='grid']")
    cells.first.wait_for(state="attached", timeout=30_000)
    return panel.inner_text() + "\n" + " ".join(cells.all_text_contents())


@pytest.fixture(scope="module")
def editor_import(browser, signin_app):
    """The editor signs in, uploads the demo's CSV files, names the dataset and imports it."""
    session = _sign_in(browser, signin_app, EDITOR)
    seen = {"sidebar": session.sidebar().inner_text()}
    files = [str(DEMO / name) for name in DEMO_TABLES]
    session.act(lambda: session.page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(files))
    session.page.get_by_text("No errors: this dataset can be imported.").wait_for(timeout=120_000)
    name_box = session.page.get_by_label("Name for this dataset")
    name_box.fill("by-editor")
    session.act(lambda: name_box.press("Enter"))
    session.click_button("Import")
    deadline = time.monotonic() + 60
    while "by-editor" not in [i.name for i in signin_app.workspace.list()] and time.monotonic() < deadline:
        session.page.wait_for_timeout(500)
    session.settle()
    _tab(session, "Record of changes")
    seen["record"] = _record(session)
    seen["errors"], seen["outside"], seen["exceptions"] = session.errors, session.outside, session.exceptions()
    session.screenshot("roles_editor_record")
    session.close()
    return seen


def test_sign_in_goes_through_the_provider_and_names_the_role(editor_import, signin_app):
    assert EDITOR in signin_app.provider.signed_in
    assert f"Signed in as {EDITOR} (editor)" in editor_import["sidebar"]


def test_an_editor_imports_and_the_record_says_who(editor_import, signin_app):
    info = signin_app.workspace.info("by-editor")
    assert info.row_counts["contacts"] == 53_503
    last = signin_app.workspace.log()[-1]
    assert (last.who, last.action, last.dataset) == (EDITOR, "import", "by-editor")
    record = editor_import["record"]
    assert EDITOR in record and "by-editor" in record and "53503" in record.replace(",", "")
    assert editor_import["exceptions"] == 0 and editor_import["outside"] == []


def test_a_viewer_never_sees_the_write_controls_but_sees_the_record(editor_import, browser, signin_app):
    session = _sign_in(browser, signin_app, VIEWER)
    try:
        page = session.page
        assert f"Signed in as {VIEWER} (viewer)" in session.sidebar().inner_text()
        assert "Your role is viewer" in session.main_text()
        assert page.locator("[data-testid='stFileUploader']").count() == 0
        assert page.locator("[data-testid='stFileUploaderDropzoneInput']").count() == 0
        _tab(session, "Datasets in this workspace")
        buttons = page.locator("[data-testid='stButton'] button").all_inner_texts()
        assert "Open in the dashboard" in buttons  # the tab did render its controls
        assert not [b for b in buttons if b.strip() in ("Import", "Delete dataset", "Restore the demo dataset")]
        assert page.get_by_text("and all of its rows").count() == 0  # the delete confirmation
        _tab(session, "Record of changes")
        record = _record(session)
        assert EDITOR in record and "by-editor" in record  # the viewer sees who changed what
        session.screenshot("roles_viewer_data")
        assert session.exceptions() == 0 and session.outside == [] and session.errors == []
    finally:
        session.close()
    assert VIEWER in signin_app.provider.signed_in
    assert signin_app.workspace.log()[-1].who == EDITOR  # the viewer changed nothing
