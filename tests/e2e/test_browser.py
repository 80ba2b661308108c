"""The real dashboard in headless Chromium: every page, its main control, uploads, hostile names.

Checks made on every page visit (see docs/security.md for the list):

- the page runs to the end and shows its title, with no ``stException`` box;
- every network map draws (maps are drawn in the page itself):
  ``.nd-maps[data-drawn]`` and non-blank canvas pixels read back with
  ``getImageData``;
- the page's main control changes what is shown, and the page stays clean;
- the browser console logs no error and no uncaught exception occurs (any frame);
- no request or websocket goes anywhere but the app on 127.0.0.1 (others are
  aborted and recorded);
- no JavaScript dialog opens (the hostile payloads call ``alert``);
- the server log gains no ``Traceback``.

Pages are reached like a user reaches them: open ``/`` once, then click the
sidebar links.
"""

import re

import time

import pytest

from e2e_support import DEMO, ROOT, Session, pages_present, write_broken_dataset
from hostile import IMG, SCRIPT

pytestmark = pytest.mark.e2e

PAGES = pages_present()
DEMO_TABLES = ["agencies.csv", "practitioners.csv", "contacts.csv", "cop_attendance.csv", "clients.csv",
               "trust_survey.csv"]
MIN_INK = 500  # non-blank pixels: a drawn map has tens of thousands; a blank canvas has none

FINGERPRINT_JS = """() => [
  document.querySelector('[data-testid="stMain"]').innerText,
  ...[...document.querySelectorAll('iframe')].map(f => String((f.srcdoc || f.src || '').length)),
  ...[...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')].flatMap(c => c.shadowRoot
    ? [...c.shadowRoot.querySelectorAll('.nd-panel')].map(p => p.dataset.nodes + '/' + p.dataset.edges) : []),
  ...[...document.querySelectorAll('[role="grid"]')].map(g => g.getAttribute('aria-rowcount') + g.textContent),
].join('\\n')"""
# Elements that only exist if a payload was parsed as HTML rather than shown as text.
INJECTED_JS = """() => [document, ...[...document.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot)]
  .reduce((n, root) => n + root.querySelectorAll('img[src="x"], a[href^="javascript:"], [onerror]').length
    + [...root.querySelectorAll('script')].filter(s => /^\\s*alert\\(\\d\\)\\s*$/.test(s.textContent)).length, 0)"""


def page_title(name):
    """The ``st.title`` a page file sets, read from the file itself."""
    found = re.search(r'st\.title\(\s*"([^"]+)"', (ROOT / "pages" / f"{name}.py").read_text(encoding="utf-8"))
    return found.group(1) if found else None


# ---- the main control of each page --------------------------------------------------------------


def _segment(session, text):
    session.act(session.page.locator("[data-testid='stButtonGroup'] button").filter(has_text=text).first.click)


def _radio(session, label, option):
    group = session.page.locator("[data-testid='stRadio']").filter(has_text=label).first
    session.act(group.locator("label").filter(has_text=option).first.click)


def _tab(session, text):
    session.page.get_by_role("tab", name=text).first.click()
    session.page.wait_for_timeout(300)  # a tab switch runs no script; let the panel paint


def _build_report(session):
    session.choose("Replicates for the before/after intervals", "None (fastest)")
    session.click_button("Build the report")
    frame = session.page.frame_locator("[data-testid='stMain'] iframe").first
    frame.locator("svg").first.wait_for(timeout=60_000)


ACTIONS = {
    "overview": lambda s: s.choose("Dataset", "hostile", root=s.sidebar()),
    "data": lambda s: _tab(s, "Datasets in this workspace"),
    "network_map": lambda s: s.choose("Ties", "Direct contacts only"),
    "trust": lambda s: s.toggle("Only trust ties"),
    "brokerage": lambda s: s.choose("Ties for betweenness and structural holes", "All ties"),
    "fragmentation": lambda s: s.choose("Ties", "All ties"),
    "before_after": lambda s: s.toggle("Maps: only ties that changed"),
    "over_time": lambda s: _segment(s, "month"),
    "cop_impact": lambda s: s.choose("Ties that count as working together", "Direct contacts only"),
    "isolation": lambda s: _radio(s, "COP attendance", "ttended"),
    "clients": lambda s: s.toggle("Count trust ties instead of direct contacts"),
    "report": _build_report,
}


# Pages whose main control changes columns that sit right of a 1400-px-wide table.
WIDE_TABLES = {"brokerage"}
VIEWPORT = {"width": 1400, "height": 1000}


class Mark:
    """What a session and the server had recorded before a step, to check only what the step added."""

    def __init__(self, session):
        self.session = session
        self.errors, self.dialogs = len(session.errors), len(session.dialogs)
        self.outside, self.log = len(session.outside), len(session.app.log)

    def assert_clean(self):
        s = self.session
        new_log = "".join(s.app.log[self.log:])
        assert "Traceback" not in new_log, new_log[-4000:]
        assert s.exceptions() == 0, "the page shows a Streamlit exception"
        assert s.errors[self.errors:] == [], "browser console errors"
        assert s.dialogs[self.dialogs:] == [], "a JavaScript dialog opened: a payload ran"
        assert s.outside[self.outside:] == [], "requests to an address other than the app"


def _changes(session, before, *, timeout_ms=20_000):
    """Whether what the page shows differs from ``before`` within the timeout (grids redraw a moment late)."""
    try:
        session.page.wait_for_function(f"before => ({FINGERPRINT_JS})() !== before", arg=before,
                                       timeout=timeout_ms, polling=100)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: nothing changed
        return False
    return True


def _assert_maps_drawn(session, *, expected=False):
    inks = session.inpage_map_inks(expected=expected)
    assert all(ink > MIN_INK for ink in inks), f"blank map canvas: non-blank pixels {inks}"
    return inks


@pytest.fixture(scope="module")
def tour(browser, app):

    session = Session(browser, app)
    session.open_app()
    yield session
    session.close()


def test_app_starts_and_shows_the_demo_like_a_user_sees_it(tour):
    mark = Mark(tour)
    sidebar = tour.sidebar()
    assert tour.selected("Dataset", root=sidebar) == "demo"
    assert tour.options("Dataset", root=sidebar) == ["demo", "hostile"]
    links = [a.get_attribute("href").rsplit("/", 1)[-1] for a in sidebar.locator("[data-testid='stSidebarNav'] a").all()]
    assert links == ["" if p == "overview" else p for p in PAGES]
    mark.assert_clean()


@pytest.mark.parametrize("name", PAGES)
def test_every_page_opens_draws_and_answers_its_main_control(tour, name):
    mark = Mark(tour)
    if name == "overview":  # the overview changes the sidebar dataset; start each visit from the demo
        tour.choose("Dataset", "demo", root=tour.sidebar())
    tour.go(name)
    assert tour.page.locator("[data-testid='stMain'] h1").first.inner_text().strip() == page_title(name)
    _assert_maps_drawn(tour)
    tour.screenshot(name)
    wide = name in WIDE_TABLES
    if wide:  # show every column, so a change in the right-hand ones is on screen
        tour.page.set_viewport_size({"width": 3000, "height": 1000})
        tour.page.wait_for_timeout(500)
    before = tour.page.evaluate(FINGERPRINT_JS)
    ACTIONS[name](tour)
    assert _changes(tour, before), f"{name}: the main control changed nothing on the page"
    _assert_maps_drawn(tour)
    if wide:
        tour.page.set_viewport_size(VIEWPORT)
    mark.assert_clean()
    if name == "overview":
        tour.choose("Dataset", "demo", root=tour.sidebar())


def test_map_pages_really_draw_a_network(tour):
    mark = Mark(tour)
    tour.choose("Dataset", "demo", root=tour.sidebar())
    tour.go("network_map")
    inks = _assert_maps_drawn(tour, expected=True)
    assert len(inks) == 1 and inks[0] > 10_000
    mark.assert_clean()


def test_report_network_files_download_and_hold_the_network_the_page_counts(tour, tmp_path):
    # The Report counts the network from its tables and builds the networkx graph only when a file is clicked
    # (session 20): the click must still give a readable file of the whole network it counted.
    import networkx as nx

    mark = Mark(tour)
    tour.choose("Dataset", "demo", root=tour.sidebar())
    tour.go("report")
    caption = tour.page.locator("[data-testid='stCaptionContainer']").filter(has_text=" practitioners and ").first
    nodes, ties = map(int, re.fullmatch(r"(\d+) practitioners and (\d+) ties\.", caption.inner_text().strip()).groups())
    assert nodes > 100 and ties > 1000
    for label, read in (("Download GraphML", nx.read_graphml), ("Download GEXF (Gephi)", nx.read_gexf)):
        with tour.page.expect_download(timeout=60_000) as download:
            tour.page.get_by_role("button", name=label).click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.suffix in (".graphml", ".gexf") and saved.name.startswith("netdash_network_working_")
        G = read(saved)
        assert (G.number_of_nodes(), G.number_of_edges()) == (nodes, ties), label
    mark.assert_clean()


# ---- uploads through the Data page ----------------------------------------------------------------


def _upload(session, folder):
    session.open_app()
    session.go("data")
    files = [str(folder / name) for name in DEMO_TABLES]
    session.act(lambda: session.page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(files))
    session.page.get_by_text("Validation report").wait_for(timeout=120_000)


@pytest.fixture(scope="module")
def valid_upload(browser, app):
    """Upload the demo's CSV files on the Data page, name the dataset "uploaded" and press Import.

    Returns what was seen: the session, the validation message, and, right
    after the import, the Streamlit exception count, the sidebar dataset and
    the server log it added.
    """
    session = Session(browser, app)
    seen = {"session": session}
    _upload(session, DEMO)
    seen["valid"] = session.page.get_by_text("No errors: this dataset can be imported.").is_visible()
    seen["clean_before_import"] = Mark(session)
    session.screenshot("data_upload_valid")
    name_box = session.page.get_by_label("Name for this dataset")
    name_box.fill("uploaded")
    session.act(lambda: name_box.press("Enter"))
    seen["clean_before_import"].assert_clean()
    after = Mark(session)
    session.click_button("Import")
    # The import reruns the app to select the new dataset: allow that rerun to arrive.
    deadline = time.monotonic() + 30
    while session.selected("Dataset", root=session.sidebar()) != "uploaded" and time.monotonic() < deadline:
        session.page.wait_for_timeout(500)
    session.settle()
    seen["exceptions"] = session.exceptions()
    seen["selected"] = session.selected("Dataset", root=session.sidebar())
    seen["log"] = "".join(app.log[after.log:])
    yield seen
    session.close()


def test_upload_valid_dataset_validates_and_imports_every_row(valid_upload, app):
    assert valid_upload["valid"]
    demo, uploaded = app.workspace.info("demo"), app.workspace.info("uploaded")
    assert uploaded.row_counts == demo.row_counts and uploaded.row_counts["contacts"] == 53_503


def test_imported_upload_can_be_chosen_and_mapped(valid_upload):
    session = valid_upload["session"]
    session.page.reload()  # a fresh run, as after the user's next click
    session.settle()
    mark = Mark(session)
    session.choose("Dataset", "uploaded", root=session.sidebar())
    session.go("network_map")
    assert session.selected("Dataset", root=session.sidebar()) == "uploaded"
    _assert_maps_drawn(session)
    mark.assert_clean()


def test_import_selects_the_new_dataset_without_an_exception(valid_upload):
    assert "Traceback" not in valid_upload["log"], valid_upload["log"][-3000:]
    assert valid_upload["exceptions"] == 0
    assert valid_upload["selected"] == "uploaded"


def test_raw_uploads_do_not_outlive_the_import(valid_upload, app):
    raw_id = b"C000001"
    assert raw_id in (DEMO / "clients.csv").read_bytes()
    left = [p for p in app.tmpdir.rglob("*") if p.is_file() and raw_id in p.read_bytes()]
    assert left == []


def test_upload_broken_dataset_shows_the_row_and_column_and_blocks_import(new_session, app, tmp_path):
    session = new_session()
    mark = Mark(session)
    before = [(i.name, i.version) for i in app.workspace.list()]
    _upload(session, write_broken_dataset(tmp_path / "broken", row=14))
    page = session.page
    assert page.get_by_text("1 problem(s) must be fixed before this can be imported:").is_visible()
    assert page.get_by_text("contacts.csv, row 14: practitioner_id 'P-019' is not in practitioners.csv. Add the "
                            "practitioner or correct the ID.").is_visible()
    assert page.locator("[data-testid='stButton'] button").filter(has_text="Import").first.is_disabled()
    session.screenshot("data_upload_broken")
    assert [(i.name, i.version) for i in app.workspace.list()] == before
    mark.assert_clean()


# ---- hostile names on every page ------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_tour(browser, app):

    session = Session(browser, app)
    session.open_app()
    session.choose("Dataset", "hostile", root=session.sidebar())
    yield session
    session.close()


def _injected(session):
    return sum(frame.evaluate(INJECTED_JS) for frame in session.page.frames)


@pytest.mark.parametrize("name", PAGES)
def test_hostile_names_never_run_on_any_page(hostile_tour, name):
    session = hostile_tour
    mark = Mark(session)
    session.go(name)
    assert session.selected("Dataset", root=session.sidebar()) == "hostile"
    _assert_maps_drawn(session)
    if name == "report":
        _build_report(session)
    if name == "network_map":
        # Focus a practitioner whose name is a payload: it is offered, as text, in the selector.
        session.choose("Find a practitioner", IMG)
        _assert_maps_drawn(session)
        session.screenshot("hostile_network_map")
    session.page.wait_for_timeout(300)  # give an injected onerror handler time to fire
    assert _injected(session) == 0, "a payload was parsed as HTML"
    mark.assert_clean()


def test_hostile_payloads_are_shown_as_text(hostile_tour):
    session = hostile_tour
    session.go("network_map")
    _assert_maps_drawn(session)
    # The map is drawn in the page (pages/_mapview.py): its legend shows the hostile agency names as text.
    legend = session.page.locator("[data-testid='stMain'] .nd-legend").first.inner_text()
    assert IMG in legend or SCRIPT in legend
    assert _injected(session) == 0
    shown = session.options("Find a practitioner")
    assert any(IMG in text for text in shown)
    assert any('=HYPERLINK("http://x")' in text for text in shown)


def test_server_log_holds_no_traceback_and_no_secret(app):
    """Checked last: everything the server logged during the whole suite."""
    log = "".join(app.log)
    secret = (app.workspace.path / "secret.key").read_bytes()
    assert "Uvicorn server started" in log or "You can now view" in log  # the log really was collected
    assert secret.hex() not in log and secret.hex().upper() not in log
    tracebacks = [chunk[:1500] for chunk in log.split("Traceback")[1:]]
    assert tracebacks == []
