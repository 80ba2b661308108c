"""Draw time of Before & after's two maps in the page, and of one map in a standalone map file.

Run: .venv/bin/python bench/inpage_maps.py   (needs Debian's chromium; a minute)

One graph the size of a Before & after panel at medium scale (750
practitioners, about 1,500 ties, 12 agencies), drawn two ways in headless
Chromium, alternating, seven times each after one warm-up:

* ``map file``: the standalone file of one map (:func:`netdash.viz.map_html`,
  the Network map's download and ``netdash export --out map.html``): ms from
  the document's start to the frame after the map is drawn
  (``window.netdashMaps.drawn``). Until December 2026 this was a vis-network
  page (547 ms in docs/browser_timings.md); it now holds the same canvas
  module as the dashboard;
* ``canvas, two maps``: ``netdash.viz.inpage`` mounted in a shadow root of
  a page, as Streamlit mounts it: ms from the module's ``draw`` call, with
  two panels, until it returns (``built``: the DOM made and both maps drawn
  on their canvases) and until the next animation frame (``painted``).

Prints the medians and every value.
"""

import pathlib
import statistics
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from map_graphs import agency_graph  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from test_viz_browser import ARGS, CHROMIUM, _Visit  # noqa: E402
from test_viz_inpage import DRAW_JS, HOST, MOUNT_JS  # noqa: E402

from netdash.viz import layout_positions  # noqa: E402
from netdash.viz.inpage import maps_css, maps_module, maps_payload  # noqa: E402
from netdash.viz.network_html import map_html  # noqa: E402
from netdash.viz.spec import network_spec  # noqa: E402

REPEATS = 7


def main():
    G = agency_graph(750, 1500, n_ag=12)
    spec = network_spec(G, layout_positions(G), height_px=470, title="Before")
    folder = pathlib.Path(tempfile.mkdtemp(prefix="netdash_inpage_"))
    page_path, host_path = folder / "map.html", folder / "host.html"
    page_path.write_text(map_html(spec), encoding="utf-8")
    host_path.write_text(HOST, encoding="utf-8")
    payload = list(maps_payload([spec, spec]))
    times = {"map file (one map)": [], "canvas, two maps, built": [], "canvas, two maps, painted": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        host = browser.new_page(viewport={"width": 1400, "height": 1000})
        host.goto(host_path.as_uri())
        host.evaluate(MOUNT_JS, [maps_module(), maps_css()])
        for i in range(REPEATS + 1):
            visit = _Visit(browser, page_path, width=700, height=560)
            visit.page.wait_for_function("window.netdashMaps && window.netdashMaps.drawn", timeout=30000)
            drawn = visit.page.evaluate("window.netdashMaps.drawn")
            visit.page.close()
            host.evaluate("window.netdashMaps = null")
            built = host.evaluate(f"(bytes) => {{ const t0 = performance.now(); ({DRAW_JS})(bytes); "
                                  "return performance.now() - t0; }", payload)
            host.wait_for_function("window.netdashMaps && window.netdashMaps.count === 2", timeout=30000)
            maps = host.evaluate("window.netdashMaps")
            if i:  # the first round warms both up
                times["map file (one map)"].append(drawn)
                times["canvas, two maps, built"].append(built)
                times["canvas, two maps, painted"].append(maps["drawn"] - maps["start"])
        browser.close()
    print(f"{len(G)} practitioners, {G.number_of_edges()} ties; median ms (every value):")
    for name, values in times.items():
        print(f"  {name:26s} {statistics.median(values):7.1f}  {[round(v, 1) for v in values]}")


if __name__ == "__main__":
    main()
