"""The standalone map file (``netdash export --out map.html``, the Network map's download) in headless Chromium.

Loads the generated HTML from a file:// URL with the network cut off, aborts
(and records) every other request, and checks that hostile names never run,
nothing is fetched, the map draws under the file's Content-Security-Policy,
a tooltip shows the name as plain text, and the file's images download.
"""

import networkx as nx
import pytest

from hostile import HREF, IMG, SCRIPT
from netdash.viz import layout_positions, network_html

pytestmark = pytest.mark.e2e


def _hostile_graph():
    G = nx.Graph()
    G.add_node("P1", name=IMG, agency="X1", agency_name=SCRIPT, role=HREF, tooltip=f"Note: {HREF}")
    G.add_node("P2", name=SCRIPT, agency="X2", agency_name=IMG, role="GP")
    G.add_node("P3", name=HREF, agency="X3", agency_name=HREF, role=IMG)
    for i in range(4, 30):
        G.add_node(f"P{i}", name=f"Worker {i}", agency=f"X{i % 3 + 1}", role="Support worker")
    G.add_edges_from([("P1", "P2"), ("P2", "P3"), ("P3", "P1")])
    G.add_edges_from((f"P{i}", f"P{(i * 7) % 29 + 1}") for i in range(4, 30) if i != (i * 7) % 29 + 1)
    return G


class _Visit:
    """A page load with every outside request aborted and every sign of trouble recorded."""

    def __init__(self, browser, path, *, width=1000, height=700):
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.requests, self.dialogs, self.errors = [], [], []
        self.page.on("dialog", self._dialog)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: None if r.url.startswith("file://") else self.requests.append(r.url))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())
        self.page.wait_for_selector(".nd-maps[data-drawn]", timeout=30000)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()


@pytest.fixture(scope="module")
def hostile_visit(browser, tmp_path_factory):
    G = _hostile_graph()
    path = tmp_path_factory.mktemp("map") / "map.html"
    path.write_text(network_html(G, layout_positions(G), title=IMG, labels="name"), encoding="utf-8")
    visit = _Visit(browser, path)
    yield visit
    visit.page.close()


def test_nothing_runs_and_nothing_is_fetched(hostile_visit):
    page = hostile_visit.page
    page.wait_for_timeout(300)
    assert hostile_visit.dialogs == []
    assert hostile_visit.requests == []
    assert hostile_visit.errors == []
    assert page.evaluate("document.querySelectorAll('img, a, iframe, object, embed').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 2  # the data block and the renderer
    assert page.evaluate("document.querySelector('.nd-maps').dataset.drawn") == "true"


def test_map_is_drawn_on_the_canvas(hostile_visit):
    painted = hostile_visit.page.evaluate(
        """() => {
            const c = document.querySelector('.nd-map canvas');
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
            return [n, c.width * c.height];
        }"""
    )
    assert painted[0] > 500 and painted[0] < painted[1] / 2


def test_title_and_legend_show_names_as_text(hostile_visit):
    page = hostile_visit.page
    assert page.inner_text("h2.nd-title") == IMG
    legend = page.inner_text(".nd-legend")
    for text in (IMG, SCRIPT, HREF):
        assert text in legend


@pytest.mark.parametrize(("name", "expected"), [(IMG, ["ID: P1", f"Role: {HREF}", f"Note: {HREF}"]),
                                                (HREF, ["ID: P3", f"Agency: {HREF}"])])
def test_tooltip_shows_the_name_literally(hostile_visit, name, expected):
    page = hostile_visit.page
    x, y = page.evaluate("(name) => document.querySelector('.nd-maps').netdashMaps[0].clientPosition(name)", name)
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y, steps=5)
    page.wait_for_function(
        "(n) => { const t = document.querySelector('.nd-tooltip');"
        " return t && !t.hidden && t.textContent.includes(n); }",
        arg=name,
        timeout=5000,
    )
    tip = page.locator(".nd-tooltip")
    lines = tip.evaluate("t => Array.from(t.querySelectorAll('.nd-tip > div'), d => d.textContent)")
    assert lines[0] == name
    assert all(line in lines for line in expected)
    assert tip.evaluate("t => t.querySelectorAll('*').length") == 1 + len(lines)  # a box and its text rows
    assert hostile_visit.dialogs == [] and hostile_visit.requests == []


@pytest.mark.parametrize(("button", "kind"), [("PNG", "png"), ("SVG", "svg")])
def test_the_file_saves_images_of_its_view(hostile_visit, tmp_path, button, kind):
    page = hostile_visit.page
    with page.expect_download(timeout=10000) as download:
        page.locator(".nd-toolbar button").filter(has_text=button).click()
    saved = tmp_path / f"map.{kind}"
    download.value.save_as(saved)
    assert download.value.suggested_filename == f"network-map.{kind}"
    data = saved.read_bytes()
    if kind == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    else:
        text = data.decode("utf-8")
        assert text.startswith("<svg") and "<script" not in text and "<img" not in text.lower()
        assert "&lt;img src=x onerror=alert(1)&gt;" in text  # the name, as text
    assert hostile_visit.dialogs == [] and hostile_visit.requests == [] and hostile_visit.errors == []
