"""Maps drawn in a host page (netdash.viz.inpage): the module in Chromium, inside a shadow root as Streamlit mounts it.

The host page is a file with the network cut off; the module is imported from
a blob URL, as Streamlit's components v2 import it. Hostile names must stay
text in the title, legend and tooltips, nothing may be fetched, and a redraw
must replace the maps rather than add to them.
"""

import json
import re

import networkx as nx
import pytest

from netdash.viz import layout_positions
from netdash.viz.inpage import maps_css, maps_module, maps_payload
from netdash.viz.maps import agency_maps, network_map
from netdash.viz.spec import network_spec
from hostile import HREF, IMG, SCRIPT
from test_viz_browser import _hostile_graph

pytestmark = pytest.mark.e2e  # the module's tests need Chromium; the first two do not, and are quick

HOST = """<!DOCTYPE html><html><head><meta charset="utf-8"></head>
<body style="margin:0"><div id="host" style="width:900px"></div><div style="height:2500px"></div></body></html>"""

MOUNT_JS = """async ([source, css]) => {
  const host = document.getElementById('host');
  const root = host.shadowRoot || host.attachShadow({mode: 'open'});
  if (!root.querySelector('style')) root.appendChild(Object.assign(document.createElement('style'), {textContent: css}));
  const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
  window.drawMaps = (await import(url)).default;
  window.netdashMaps = null;
}"""
DRAW_JS = """(bytes) => {
  if (window.cleanMaps) window.cleanMaps();
  window.netdashMaps = null;
  window.cleanMaps = window.drawMaps({data: new Uint8Array(bytes), parentElement: document.getElementById('host').shadowRoot});
}"""
MAPS_JS = "(name) => document.getElementById('host').shadowRoot.querySelector('.nd-maps')"
RECORD_LABELS_JS = """() => {
    window.labelsDrawn = [];
    if (window.fillTextRecorded) return;
    window.fillTextRecorded = true;
    const fill = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
        window.labelsDrawn.push(text);
        return fill.call(this, text, ...rest);
    };
}"""
INK_JS = """(c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
  return n;
}"""


def test_the_module_exports_a_draw_function_and_never_builds_html_from_text():
    module = maps_module()
    assert "export default function draw" in module
    code = re.sub(r"//[^\n]*", "", module)  # comments may name what the code avoids
    # the SVG namespace is a name the image export gives its elements, not a URL anything fetches
    code = code.replace('const SVG_NS = "http:', "const SVG_NS = ", 1)
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(",
                  "import(", "fetch(", "XMLHttpRequest", "WebSocket", "://"):
        assert risky not in code, risky
    assert ".nd-maps" in maps_css() and "url(" not in maps_css() and "@import" not in maps_css()


def test_the_payload_is_the_specs_as_utf8_json():
    G = _hostile_graph()
    specs = [network_spec(G, layout_positions(G), title=IMG), network_spec(G, layout_positions(G), title=SCRIPT)]
    decoded = json.loads(maps_payload(specs).decode("utf-8"))
    assert decoded == {"panels": specs}
    assert decoded["panels"][0]["title"] == IMG  # data, not HTML: nothing escaped, nothing lost


def _specs(G, positions, **options):
    lost = {("P1", "P2"): {"color": "rgba(40,40,40,0.75)", "dashes": True, "width": 1.2, "label": HREF}}
    return [network_spec(G, positions, title=IMG, labels="name", **options),
            network_spec(G, positions, title=SCRIPT, edge_styles=lost, faded_nodes=["P3"], **options)]


@pytest.fixture(scope="module")
def host(browser, tmp_path_factory):
    path = tmp_path_factory.mktemp("host") / "host.html"
    path.write_text(HOST, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    seen = {"requests": [], "dialogs": [], "errors": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file://", "blob:"))
               else (seen["requests"].append(r.request.url), r.abort()))
    page.goto(path.as_uri())
    page.evaluate(MOUNT_JS, [maps_module(), maps_css()])
    G = _hostile_graph()
    page.evaluate(DRAW_JS, list(maps_payload(_specs(G, layout_positions(G)))))
    page.wait_for_function("window.netdashMaps && window.netdashMaps.count === 2", timeout=30000)
    yield page, seen
    page.close()


def test_both_maps_draw_side_by_side_and_nothing_runs_or_is_fetched(host):
    page, seen = host
    page.wait_for_timeout(300)
    assert seen == {"requests": [], "dialogs": [], "errors": []}
    root = page.locator("#host .nd-maps")
    assert root.get_attribute("data-drawn") == "true"
    assert page.evaluate("() => window.vis") is None  # vis-network stays out of the page's globals
    canvases = page.locator("#host .nd-map canvas")
    assert canvases.count() == 2
    inks = [canvases.nth(i).evaluate(INK_JS) for i in range(2)]
    assert all(ink > 500 for ink in inks), inks
    boxes = [canvases.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"]  # side by side
    assert page.evaluate("""() => [document, document.getElementById('host').shadowRoot]
        .reduce((n, r) => n + r.querySelectorAll('img, a, iframe, object, embed, script').length, 0)""") == 0


def test_titles_legend_and_counts_are_text(host):
    page, _ = host
    assert page.locator("#host h2.nd-title").all_inner_texts() == [IMG, SCRIPT]
    legends = page.locator("#host .nd-legend").all_inner_texts()
    assert all(name in legends[0] for name in (IMG, SCRIPT, HREF))
    assert HREF in legends[1]  # the edge style's label
    # what the lines mean comes first, above the agencies (which may need scrolling)
    assert page.locator("#host .nd-legend").nth(1).locator("h3").first.inner_text() == "Ties"
    panels = page.locator("#host .nd-panel")
    G = _hostile_graph()
    assert panels.first.get_attribute("data-nodes") == str(len(G))
    assert panels.first.get_attribute("data-edges") == str(G.number_of_edges())


def test_a_tooltip_shows_the_name_literally(host):
    page, seen = host
    x, y = page.evaluate(MAPS_JS + ".netdashMaps[0].clientPosition(name)", IMG)
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y, steps=5)
    tip = page.locator("#host .nd-tooltip").first
    tip.wait_for(state="visible", timeout=5000)
    lines = tip.evaluate("t => Array.from(t.querySelectorAll('.nd-tip > div'), d => d.textContent)")
    assert lines[0] == IMG and "ID: P1" in lines and f"Role: {HREF}" in lines
    assert tip.evaluate("t => t.querySelectorAll('*').length") == 1 + len(lines)
    assert seen["dialogs"] == []


def test_an_agency_link_tooltip_is_written_from_its_count_and_the_agencies_names(host):
    # agency_maps sends a count per link (the spec's tie_count_words), not a sentence: the module writes it.
    page, seen = host
    before = nx.Graph()
    before.add_nodes_from([("a1", {"agency": "A", "agency_name": IMG, "sector": "housing"}),
                           ("a2", {"agency": "A", "agency_name": IMG, "sector": "housing"}),
                           ("b1", {"agency": "B", "agency_name": "Beta", "sector": "health"}),
                           ("c1", {"agency": "C", "agency_name": "Gamma", "sector": "health"})])
    after = before.copy()
    before.add_edges_from([("a1", "b1"), ("b1", "c1")])
    after.add_edges_from([("a1", "b1"), ("a2", "b1"), ("b1", "c1")])
    page.evaluate(DRAW_JS, list(maps_payload(agency_maps(before, after))))
    page.wait_for_function("window.netdashMaps && window.netdashMaps.count === 2", timeout=30000)
    tip = page.locator("#host .nd-tooltip")
    for panel, (one, other, text) in ((1, (IMG, "Beta", f"{IMG} – Beta: 2 working ties")),
                                      (0, ("Gamma", "Beta", "Beta – Gamma: 1 working tie"))):
        ends = [page.evaluate(MAPS_JS + f".netdashMaps[{panel}].clientPosition(name)", name) for name in (one, other)]
        x, y = (ends[0][0] + ends[1][0]) / 2, (ends[0][1] + ends[1][1]) / 2  # the middle of the link
        page.mouse.move(x - 30, y - 30)
        page.mouse.move(x, y, steps=5)
        tip.nth(panel).wait_for(state="visible", timeout=5000)
        assert tip.nth(panel).evaluate("t => Array.from(t.querySelectorAll('.nd-tip > div'), d => d.textContent)") \
            == [text]
        page.mouse.move(0, 0)
    assert seen["errors"] == [] and seen["dialogs"] == []


def test_a_redraw_replaces_the_maps(host):
    page, seen = host
    G = nx.path_graph(["P1", "P2", "P3", "P4"])
    nx.set_node_attributes(G, "X1", "agency")
    page.evaluate(DRAW_JS, list(maps_payload([network_spec(G, layout_positions(G), title="One")])))
    page.wait_for_function("window.netdashMaps && window.netdashMaps.count === 1", timeout=30000)
    assert page.locator("#host .nd-panel").count() == 1
    assert page.locator("#host .nd-map canvas").count() == 1
    assert page.locator("#host h2.nd-title").all_inner_texts() == ["One"]
    assert page.locator("#host .nd-panel").first.get_attribute("data-edges") == "3"
    assert seen["errors"] == [] and seen["dialogs"] == []


def test_each_dot_is_drawn_where_its_position_puts_it(host):
    page, _ = host
    G = _hostile_graph()
    positions = layout_positions(G)
    page.evaluate(DRAW_JS, list(maps_payload([{**spec, "label_cap": 0} for spec in _specs(G, positions)])))
    page.wait_for_function("window.netdashMaps && window.netdashMaps.count === 2", timeout=30000)
    spec = _specs(G, positions)[0]
    colour = {n["label"]: n["colour"] for n in spec["nodes"]}
    for name in (IMG, SCRIPT, "Worker 7", "Worker 21"):
        x, y = page.evaluate(MAPS_JS + ".netdashMaps[0].clientPosition(name)", name)
        pixel = page.evaluate("""([x, y]) => {
            const c = document.getElementById('host').shadowRoot.querySelector('.nd-map canvas');
            const r = c.getBoundingClientRect(), k = c.width / r.width;
            return Array.from(c.getContext('2d').getImageData(Math.round((x - r.left) * k), Math.round((y - r.top) * k), 1, 1).data);
        }""", [x, y])
        want = [int(colour[name][i:i + 2], 16) for i in (1, 3, 5)]
        assert pixel[3] == 255 and all(abs(a - b) <= 2 for a, b in zip(pixel[:3], want)), (name, pixel, want)


def _redraw(page, specs):
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.evaluate(DRAW_JS, list(maps_payload(specs)))
    page.wait_for_function(f"window.netdashMaps && window.netdashMaps.count === {len(specs)}", timeout=30000)


def _map(page, expression):
    return page.evaluate(MAPS_JS + ".netdashMaps[0]" + expression)


def test_the_wheel_scrolls_the_page_until_the_map_has_focus_or_ctrl_is_held(host):
    page, seen = host
    G = _hostile_graph()
    _redraw(page, _specs(G, layout_positions(G)))
    scale = _map(page, ".scale")
    x, y = page.evaluate(MAPS_JS + ".netdashMaps[0].clientPosition(name)", IMG)
    page.mouse.move(x, y)
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(300)
    assert _map(page, ".scale") == scale  # no zoom ...
    assert page.evaluate("window.scrollY") > 100  # ... the page scrolled instead,
    assert page.locator("#host .nd-hint").first.is_visible()  # and the map says how to zoom
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(100)
    for key in ("Control", "Meta"):  # Ctrl, or Cmd on a Mac: zoom about the pointer, the page stays
        before = page.evaluate(MAPS_JS + ".netdashMaps[0].clientPosition(name)", IMG)
        zoom = _map(page, ".scale")
        page.mouse.move(*before)
        page.keyboard.down(key)
        page.mouse.wheel(0, -200)
        page.keyboard.up(key)
        page.wait_for_timeout(200)
        assert _map(page, ".scale") > 1.3 * zoom, key
        assert page.evaluate("window.scrollY") == 0
        after = page.evaluate(MAPS_JS + ".netdashMaps[0].clientPosition(name)", IMG)
        assert abs(after[0] - before[0]) < 1 and abs(after[1] - before[1]) < 1  # the dot under the pointer stays
    assert seen["errors"] == []


def test_a_map_with_focus_zooms_on_the_wheel_a_drag_pans_and_reset_shows_it_all(host):
    page, _ = host
    G = _hostile_graph()
    _redraw(page, _specs(G, layout_positions(G)))
    fitted = [_map(page, e) for e in (".scale", ".cx", ".cy")]
    box = page.locator("#host .nd-map canvas").first.bounding_box()
    page.mouse.click(box["x"] + 3, box["y"] + 3)  # a click on the map gives it focus
    assert page.evaluate("() => document.getElementById('host').shadowRoot.activeElement.tagName") == "CANVAS"
    before = page.evaluate(MAPS_JS + ".netdashMaps[0].clientPosition(name)", IMG)
    page.mouse.move(*before)
    page.mouse.wheel(0, -400)
    page.wait_for_timeout(200)
    assert _map(page, ".scale") > 1.5 * fitted[0] and page.evaluate("window.scrollY") == 0
    after = page.evaluate(MAPS_JS + ".netdashMaps[0].clientPosition(name)", IMG)
    assert abs(after[0] - before[0]) < 1 and abs(after[1] - before[1]) < 1
    page.mouse.move(after[0] + 5, after[1] + 60)
    page.mouse.down()
    page.mouse.move(after[0] + 45, after[1] + 90, steps=4)
    page.mouse.up()
    moved = page.evaluate(MAPS_JS + ".netdashMaps[0].clientPosition(name)", IMG)
    assert abs(moved[0] - after[0] - 40) < 1 and abs(moved[1] - after[1] - 30) < 1
    page.locator("#host .nd-toolbar button.nd-reset").first.click()
    page.wait_for_timeout(100)
    assert [_map(page, e) for e in (".scale", ".cx", ".cy")] == pytest.approx(fitted)
    assert page.evaluate(MAPS_JS + ".netdashMaps[0].clientPosition(name)", IMG) == pytest.approx(before, abs=0.5)


def test_a_map_with_focus_zooms_with_plus_and_minus_and_resets_with_0(host):
    page, _ = host
    G = _hostile_graph()
    _redraw(page, _specs(G, layout_positions(G)))
    fitted = _map(page, ".scale")
    box = page.locator("#host .nd-map canvas").first.bounding_box()
    page.mouse.click(box["x"] + 3, box["y"] + 3)
    page.keyboard.press("+")
    page.keyboard.press("+")
    page.wait_for_timeout(100)
    assert _map(page, ".scale") == pytest.approx(fitted * 1.25 ** 2)
    page.keyboard.press("-")
    assert _map(page, ".scale") == pytest.approx(fitted * 1.25)
    page.keyboard.press("0")
    assert _map(page, ".scale") == pytest.approx(fitted)


def test_a_click_picks_out_a_practitioner_and_a_click_on_nothing_lets_go(host):
    page, _ = host
    G = _hostile_graph()
    page.evaluate(DRAW_JS, list(maps_payload(_specs(G, layout_positions(G)))))
    page.wait_for_function("window.netdashMaps && window.netdashMaps.count === 2", timeout=30000)
    x, y = page.evaluate(MAPS_JS + ".netdashMaps[0].clientPosition(name)", "Worker 7")
    page.mouse.click(x, y)
    assert page.evaluate(MAPS_JS + ".netdashMaps[0].selected.label") == "Worker 7"
    box = page.locator("#host .nd-map canvas").first.bounding_box()
    page.mouse.click(box["x"] + 3, box["y"] + 3)
    assert page.evaluate(MAPS_JS + ".netdashMaps[0].selected") is None


def test_labels_are_canvas_text(host):
    page, _ = host
    G = _hostile_graph()
    page.evaluate(DRAW_JS, list(maps_payload(_specs(G, layout_positions(G)))))
    page.wait_for_function("window.netdashMaps && window.netdashMaps.count === 2", timeout=30000)
    page.evaluate(RECORD_LABELS_JS)
    page.evaluate(f"() => ({MAPS_JS})().netdashMaps[0].draw()")
    drawn = page.evaluate("window.labelsDrawn.splice(0)")
    placed = page.evaluate(MAPS_JS + ".netdashMaps[0].shownLabels.map(l => [l.text, l.lines])")
    lines = {text: parts for text, parts in placed}
    # drawn as text on the canvas, nothing in the DOM; a long one on two lines split at a space
    assert lines[IMG] == ["<img src=x", "onerror=alert(1)>"] and len(lines) > 5
    assert all(part in drawn for parts in lines.values() for part in parts)
    assert page.evaluate("""() => document.getElementById('host').shadowRoot.querySelectorAll('img, script').length""") == 0


# --- maps a person can read (issue 16) ------------------------------------------------------------------------

LABELS_JS = MAPS_JS + """.netdashMaps[0].shownLabels.map(l => ({text: l.text, box: l.box, size: l.node.size,
    focus: l.node.focus, steps: l.node.steps}))"""


def _crowd(n=200, seed=4):
    """A crowded practitioner network: ``n`` named practitioners in 12 agencies, hubs and a long tail."""
    G = nx.barabasi_albert_graph(n, 3, seed=seed)
    G = nx.relabel_nodes(G, {i: f"P{i:03d}" for i in G})
    for i, node in enumerate(sorted(G)):
        G.nodes[node].update(name=f"Practitioner number {i}", agency=f"A{i % 12:02d}",
                             cop_attendee=i % 5 == 0)
    return G


def _overlaps(labels):
    boxes = [label["box"] for label in labels]
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[:i]
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]


def test_labels_come_largest_first_never_overlap_and_stop_at_the_cap(host):
    page, seen = host
    G = _crowd()
    spec = network_spec(G, layout_positions(G), node_size_by="degree")
    _redraw(page, [spec])
    fitted = page.evaluate(LABELS_JS)
    assert 3 <= len(fitted) <= spec["label_cap"] == 40
    assert _overlaps(fitted) == []
    sizes = [label["size"] for label in fitted]
    assert sizes == sorted(sizes, reverse=True)  # placed largest first
    biggest = max(spec["nodes"], key=lambda n: n["size"])
    assert fitted[0]["text"] == biggest["label"]
    # zoomed in, the view has room for the labels of smaller dots, still without overlap
    page.evaluate(f"() => {{ const m = ({MAPS_JS})().netdashMaps[0]; m.zoom(6, m.width / 2, m.height / 2); m.draw(); }}")
    zoomed = page.evaluate(LABELS_JS)
    assert _overlaps(zoomed) == [] and len(zoomed) <= 40
    assert {label["text"] for label in zoomed} - {label["text"] for label in fitted}  # names hidden until then
    # a lower cap is kept, and labels drawn are exactly those placed
    _redraw(page, [{**spec, "label_cap": 5}])
    page.wait_for_timeout(100)
    page.evaluate(RECORD_LABELS_JS)
    page.evaluate(f"() => ({MAPS_JS})().netdashMaps[0].draw()")
    placed = page.evaluate(LABELS_JS)
    assert len(placed) == 5 and sorted(page.evaluate("window.labelsDrawn.splice(0)")) == sorted(
        label["text"] for label in placed)
    assert seen["errors"] == []


def test_a_redraw_of_the_same_names_measures_none_and_places_the_same_labels(host, browser, tmp_path):
    # Labels' shapes are kept for the module's life (labelShapes): a map of the same practitioners with other ties
    # and sizes measures only names the first map did not reach (labels stop at the cap), the same map again none,
    # new names are measured, and the labels placed are those a fresh copy of the module places in a new page.
    page, seen = host
    G = _crowd(seed=5)
    nx.set_node_attributes(G, {v: f"Redrawn practitioner {v}" for v in G}, "name")  # names no other test drew
    positions = layout_positions(G)
    fewer = G.copy()
    fewer.remove_edges_from(list(G.edges)[::3])
    page.evaluate("""() => {
        window.measured = [];
        if (window.measureRecorded) return;
        window.measureRecorded = true;
        const measure = CanvasRenderingContext2D.prototype.measureText;
        CanvasRenderingContext2D.prototype.measureText = function (text) {
            window.measured.push(text);
            return measure.call(this, text);
        };
    }""")
    _redraw(page, [network_spec(fewer, positions, node_size_by="degree")])
    before = set(page.evaluate("window.measured.splice(0)"))
    assert before
    spec = network_spec(G, positions, node_size_by="degree")
    _redraw(page, [spec])
    assert not before & set(page.evaluate("window.measured.splice(0)"))  # only names the first map did not reach
    _redraw(page, [spec])
    assert page.evaluate("window.measured.splice(0)") == []
    cached = page.evaluate(LABELS_JS)
    assert len(cached) >= 3
    renamed = G.copy()
    nx.set_node_attributes(renamed, {v: f"Someone else {v}" for v in renamed}, "name")
    _redraw(page, [network_spec(renamed, positions, node_size_by="degree")])
    assert page.evaluate("window.measured.splice(0)")
    path = tmp_path / "fresh.html"
    path.write_text(HOST, encoding="utf-8")
    fresh = browser.new_page(viewport={"width": 1000, "height": 900})
    try:
        fresh.goto(path.as_uri())
        fresh.evaluate(MOUNT_JS, [maps_module(), maps_css()])
        _redraw(fresh, [spec])
        assert fresh.evaluate(LABELS_JS) == cached
    finally:
        fresh.close()
    assert seen["errors"] == []


def test_a_practitioner_in_focus_is_named_with_the_nearest_colleagues_first(host):
    page, _ = host
    G = _crowd()
    focus = min(G, key=G.degree)  # a practitioner with few ties, whose label would lose to the hubs' labels
    drawn = network_map(G, layout_positions(G), focus=focus, steps=2, size_by="Ties")
    _redraw(page, [drawn.spec])
    labels = page.evaluate(LABELS_JS)
    assert labels[0]["text"] == G.nodes[focus]["name"] and labels[0]["focus"] is True
    steps = [label["steps"] for label in labels]
    assert steps == sorted(steps) and steps[1] == 1  # their own colleagues before those two steps out
    assert _overlaps(labels[1:]) == []
    # the dot in focus is drawn 1.6 times its size
    node = next(n for n in drawn.spec["nodes"] if "focus" in n["flags"])
    radius = page.evaluate(f"() => {{ const m = ({MAPS_JS})(); const map = m.netdashMaps[0];"
                           " return map.radius(map.nodes.find(n => n.focus)) * map.fitted; }")
    assert radius == pytest.approx(1.6 * node["size"])


def _pixel(page, x, y, which=0):
    return page.evaluate("""([x, y, which]) => {
        const c = document.getElementById('host').shadowRoot.querySelectorAll('.nd-map canvas')[which];
        const r = c.getBoundingClientRect(), k = c.width / r.width;
        return Array.from(c.getContext('2d').getImageData(Math.round((x - r.left) * k), Math.round((y - r.top) * k), 1, 1).data);
    }""", [x, y, which])


def test_cop_attendees_are_ringed_and_size_by_resizes_the_dots(host):
    page, _ = host
    G = nx.Graph()
    G.add_node("p1", name="Attends", agency="A", cop_attendee=True)
    G.add_node("p2", name="Does not", agency="A", cop_attendee=False)
    G.add_node("p3", name="Hub", agency="B")
    G.add_edges_from([("p3", "p1"), ("p3", "p2")])
    positions = {"p1": (-100.0, -100.0), "p2": (100.0, -100.0), "p3": (0.0, 100.0)}
    spec = network_spec(G, positions, measures={"Score": {"p1": 10.0, "p2": 0.0, "p3": 5.0}})
    assert spec["legend"]["marks"] == [{"label": "COP attendee", "mark": "ring"}]
    _redraw(page, [spec])
    for name, ringed in (("Attends", True), ("Does not", False)):
        x, y = page.evaluate(MAPS_JS + ".netdashMaps[0].clientPosition(name)", name)
        gap = page.evaluate(MAPS_JS + ".netdashMaps[0].nodes.find(n => n.label === name).size", name) + 2.2
        ring = _pixel(page, x - gap, y)  # left of the dot, where the ring is and no tie goes
        assert (ring[3] > 200 and max(ring[:3]) < 120) == ringed, (name, ring)
    assert page.locator("#host .nd-legend .nd-ring").count() == 1
    # the Size by menu: Score makes p1 the largest dot, "Same size" makes them equal again
    select = page.locator("#host .nd-toolbar select").first
    assert select.evaluate("s => Array.from(s.options, o => o.value)") == ["Same size", "Ties", "Score"]
    select.select_option("Score")
    sizes = page.evaluate(MAPS_JS + ".netdashMaps[0].nodes.map(n => n.size)")
    assert sizes == spec["sizes"]["Score"] and sizes[0] == max(sizes)
    select.select_option("Same size")
    assert set(page.evaluate(MAPS_JS + ".netdashMaps[0].nodes.map(n => n.size)")) == {spec["node_px"]}


def test_png_and_svg_images_show_the_current_view_with_names_as_text(host, tmp_path):
    page, seen = host
    G = _hostile_graph()
    spec = network_spec(G, layout_positions(G), title=IMG)
    _redraw(page, [spec])
    page.evaluate(f"() => {{ const m = ({MAPS_JS})().netdashMaps[0]; m.zoom(2.5, m.width / 2, m.height / 2); m.draw(); }}")
    scene = page.evaluate(MAPS_JS + ".netdashMaps[0].scene()")
    assert 0 < len(scene["dots"]) < len(spec["nodes"])  # zoomed in: the view shows part of the map
    files = {}
    for kind in ("png", "svg"):
        with page.expect_download(timeout=10000) as download:
            page.locator(f"#host .nd-toolbar button.nd-{kind}").first.click()
        assert download.value.suggested_filename == f"network-map.{kind}"
        files[kind] = tmp_path / f"view.{kind}"
        download.value.save_as(files[kind])
    png = files["png"].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert abs(width - 2 * (scene["width"] + 240)) <= 1 and abs(height - 2 * (scene["height"] + 28)) <= 1
    import xml.etree.ElementTree as ET

    svg = ET.parse(files["svg"]).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.tag == f"{ns}svg" and not list(svg.iter(f"{ns}script")) and not list(svg.iter(f"{ns}image"))
    view = svg.find(f"{ns}g")
    assert len(list(view.iter(f"{ns}circle"))) == sum(1 + bool(d["ring"]) + bool(d["halo"]) for d in scene["dots"])
    assert len(list(view.iter(f"{ns}line"))) == len(scene["ties"])
    texts = [" ".join(t.itertext()) for t in svg.iter(f"{ns}text")]
    assert texts[0] == IMG  # the title, as text
    assert [label["text"] for label in scene["labels"]] == [" ".join(t.itertext()) for t in view.iter(f"{ns}text")]
    assert SCRIPT in texts and HREF in texts  # agency names in the legend, as text
    assert seen["dialogs"] == [] and seen["requests"] == [] and seen["errors"] == []
