"""CPU seconds of one page interaction, browser and server apart, two checkouts alternated (issue 14 item 3).

Wall times on this shared 2-core machine follow the load; CPU seconds much less. For each tree given (e.g. a
worktree of main's commit and this branch), in turn, ``--rounds`` times: start the dashboard from that tree on
the medium demo's workspace, warm the server cache with one pass (a fresh browser context: open the page, make
the interaction; its figures are printed as ``cold``), then ``--passes`` fresh contexts that open the page and
make the interaction against the warm server (issue 14's "warm interaction"). For each interaction it prints
the wall time as ``bench/page_timings.py`` counts it (click to the last busy moment), the CPU seconds of the
server process and of this script's own Chromium processes (browser, renderer, GPU and utility processes: not
other users' browsers) from the click until the page has been quiet for ``QUIET_MS`` (so the Chromium figure
includes about one idle second), and the Vega renderer seen (``svg`` or ``canvas``). Medians per tree at the end.

    .venv/bin/python bench/interaction_cpu.py /work/wt-NAME-base /work/wt-NAME --rounds 2 --passes 3

Each tree is run with ``PYTHONPATH`` set to it, so a base worktree can use this tree's virtual environment.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tools"))
import page_timings as pt  # noqa: E402
import screenshots  # noqa: E402

HZ = os.sysconf("SC_CLK_TCK")
VEGA_JS = ("(() => { const v = document.querySelector('[data-testid=stVegaLiteChart]');"
           " return v ? (v.querySelector('canvas') ? 'canvas' : 'svg') : null })()")


def _cpu(pid):
    """utime + stime of process ``pid`` in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def _chromium_cpu():
    """CPU seconds of the Chromium processes this script started (its descendants)."""
    children = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(proc.name))
    total, todo = 0.0, list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            if b"chrom" in Path(f"/proc/{pid}/cmdline").read_bytes()[:200]:
                total += _cpu(pid)
        except OSError:
            pass
    return total


def _one_tree(tree, args):
    screenshots.ROOT = tree  # start_app runs this tree's streamlit_app.py
    server, url = screenshots.start_app(args.workspace, screenshots.free_port(), env={"PYTHONPATH": str(tree)})
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=pt.CHROMIUM, args=pt.ARGS)
            for k in range(args.passes + 1):  # pass 0 fills the server cache
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                context.add_init_script(pt.RECORDER_JS)
                page = context.new_page()
                page.goto(url + "/")
                pt.wait_for_page(page, quiet_ms=pt.QUIET_MS)
                chooser = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(
                    has_text="Dataset").first
                if args.dataset not in chooser.inner_text():
                    pt._timed(page, lambda: (chooser.click(),
                                             page.get_by_role("option", name=args.dataset).click()))
                pt._timed(page, pt._nav(page, args.page))
                server0, chromium0 = _cpu(server.pid), _chromium_cpu()
                wall, _ = pt._timed(page, pt._interaction(page, args.kind, args.label))
                row = {"tree": str(tree), "pass": "cold" if k == 0 else "warm", "wall": round(wall, 3),
                       "server_cpu": round(_cpu(server.pid) - server0, 3),
                       "chromium_cpu": round(_chromium_cpu() - chromium0, 3), "vega": page.evaluate(VEGA_JS)}
                print(json.dumps(row), flush=True)
                rows.append(row)
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+", type=lambda s: Path(s).resolve())
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--workspace", default="/tmp/nd_pt_ws_medium")
    parser.add_argument("--dataset", default="medium")
    parser.add_argument("--page", default="Before & after")
    parser.add_argument("--kind", default="selectbox")
    parser.add_argument("--label", default="Ties")
    args = parser.parse_args(argv)
    rows = []
    for r in range(args.rounds):
        for tree in args.trees:
            print(f"== {tree} round {r + 1}, {time.strftime('%H:%M:%S', time.gmtime())} UTC, loadavg "
                  f"{Path('/proc/loadavg').read_text().split()[:3]}", flush=True)
            rows += _one_tree(tree, args)
    for tree in args.trees:
        for kind in ("cold", "warm"):
            mine = [r for r in rows if r["tree"] == str(tree) and r["pass"] == kind]
            print(f"{tree} {kind} ({len(mine)}): " + ", ".join(
                f"{key} median {statistics.median(r[key] for r in mine):.3f}"
                for key in ("wall", "server_cpu", "chromium_cpu")))


if __name__ == "__main__":
    main()
