"""Time to first draw of a standalone netdash map file (netdash.viz.network_html) in headless Chromium (median of 3).

Run: .venv/bin/python bench/map_draw.py   (needs Debian's chromium)
"""
import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from map_graphs import agency_graph
from test_viz_browser import _Visit, ARGS, CHROMIUM
from playwright.sync_api import sync_playwright
from netdash.viz import layout_positions, network_html
with sync_playwright() as pw:
    b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    for n, m in [(200, 4600), (2000, 73000)]:
        G = agency_graph(n, m, n_ag=7)
        t = time.perf_counter(); pos = layout_positions(G); tl = time.perf_counter() - t
        t = time.perf_counter(); html = network_html(G, pos); th = time.perf_counter() - t
        path = pathlib.Path(tempfile.gettempdir()) / f"netdash_map_{n}.html"; path.write_text(html)
        draws, walls = [], []
        for _ in range(3):
            t = time.perf_counter(); v = _Visit(b, path); walls.append(time.perf_counter() - t)
            v.page.wait_for_function("window.netdashMaps && window.netdashMaps.drawn", timeout=60000)
            draws.append(v.page.evaluate("window.netdashMaps.drawn"))
            assert not v.errors and not v.requests and not v.dialogs, (v.errors, v.requests)
            v.page.close()
        print(f"{n} nodes / {G.number_of_edges()} edges: layout {tl:.2f}s, html {th:.2f}s, {len(html)/1e6:.1f} MB; "
              f"first draw (performance.now in the frame after drawing) median {statistics.median(draws):.0f} ms {[round(d) for d in draws]}; "
              f"wall incl. load {statistics.median(walls):.2f}s")
    b.close()
