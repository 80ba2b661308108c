"""Page-interaction times of the running dashboard in headless Chromium (issue 7).

With ``--scale small|medium|large`` the script does the setup itself: it makes
the demo (seed 0) in ``/tmp/nd_pt_SCALE`` and a workspace holding it as dataset
SCALE in ``/tmp/nd_pt_ws_SCALE`` unless they exist (``--demo-dir``,
``--workspace`` to choose), starts the dashboard on a free port, times the
pages and prints the server's peak memory (``VmHWM`` of its process, read and
reset page by page, so each page's own peak is printed too) before stopping it; ``--servers 3`` does that three times and prints issue 14's table,
each figure the median over the three servers. Issue 19's large-scale table::

    .venv/bin/python bench/page_timings.py --scale large --repeats 2 --json large.json

Or start the app on a workspace holding the dataset first, e.g.::

    .venv/bin/python -c "from netdash.demo import generate_demo; generate_demo('/tmp/nd_pt_medium', seed=0, scale='medium')"
    .venv/bin/python -c "import netdash.store as s; s.Workspace('/tmp/nd_pt_ws').import_dataset('/tmp/nd_pt_medium', name='medium')"
    NETDASH_WORKSPACE=/tmp/nd_pt_ws .venv/bin/streamlit run streamlit_app.py --server.port 8590 --server.headless true &
    .venv/bin/python bench/page_timings.py --port 8590 --dataset medium --repeats 3 [--json out.json]

For every sidebar page: the first load (click on the nav link until the page is
idle), a second visit (the same link clicked again; caches warm) and one
interaction on the page. Each pass uses a fresh browser context against the
same server, so pass 1 sees a cold server cache ("cold") and later passes a
warm one. Medians over the warm passes are printed, cold pass separately.

"Idle" means no status widget, spinner, skeleton or stale element, and no
DOM change (outside aria-live regions: screen-reader announcements), for ``QUIET_MS``; a recorder in the page notes the last moment it saw any of them
every 20 ms (DOM changes through a MutationObserver), so the time reported is click -> last busy moment (the quiet wait
is not counted). The maps' draw time (Network map, Trust, Before & after, Over time: drawn in the page
itself by ``netdash/viz/templates/maps_module.js``) is read from ``window.netdashMaps``, which the
module sets at the first animation frame after it has drawn: ms from its data arriving to then, and
from the click to then. (Until session 7 the Network map was a vis-network iframe, timed by
``window.netdashDrawnAt`` inside it.)
"""

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from screenshots import ARGS, CHROMIUM, free_port, start_app, wait_for_page  # noqa: E402

QUIET_MS = 1000
START_TIMEOUT_MS = 4000
# The app root's script state counts as busy too: from the click until the server says the run has ended. The status
# widget alone missed a run that sent nothing for over a second (a page waiting for a value being computed in the
# background): the page looked idle and its time was counted in the next measurement.
BUSY_SELECTORS = ("[data-testid='stStatusWidget'], [data-testid='stSpinner'], "
                  "[data-testid='stSkeleton'], [data-stale='true'], "
                  "[data-testid='stApp'][data-test-script-state='running'], "
                  "[data-testid='stApp'][data-test-script-state='rerunRequested']")
RECORDER_JS = """
window.__nd = {last: -1, mut: -1, spin: []};
// The last DOM change counts as busy too: after a page change some pages show
// no status widget for over a second while the new page is still arriving.
// Changes inside an aria-live region do not: they are screen-reader
// announcements (the data grid's), emptied on a timer half a second or more
// after the page has finished, with nothing drawn.
new MutationObserver(ms => {
  for (const m of ms) {
    const e = m.target.nodeType === 1 ? m.target : m.target.parentElement;
    if (e && e.closest && e.closest('[aria-live]')) continue;
    window.__nd.mut = performance.now();
    return;
  }
}).observe(document, {childList: true, subtree: true, characterData: true});
setInterval(() => {
  if (!document.querySelector(%s)) return;
  window.__nd.last = performance.now();
  // Spinner texts and the stage lines of st.status boxes (pages/_shared.stages) seen while busy.
  document.querySelectorAll("[data-testid='stSpinner'], [data-testid='stExpander'] summary").forEach(s => {
    const t = (s.innerText || '').trim();
    if (t && (s.tagName !== 'SUMMARY' || t.endsWith('…')) && !window.__nd.spin.includes(t)) window.__nd.spin.push(t);
  });
}, 20);
""" % json.dumps(BUSY_SELECTORS)

# Pages whose maps are drawn in the page itself (pages/_mapview.py): their draw is timed too.
INPAGE_MAPS = ("Network map", "Trust", "Before & after", "Over time")
# (nav title, interaction kind, widget label)
PAGES = [
    ("Overview", "period", "Period"),
    ("Network map", "multiselect", "Agencies"),
    ("Trust", "toggle", "Only trust ties"),
    ("Brokerage", "selectbox", "Ties for betweenness"),
    ("Fragmentation", "selectbox", "Ties"),
    ("Before & after", "selectbox", "Ties"),
    ("Over time", "selectbox", "Ties"),
    ("COP impact", "selectbox", "Ties that count"),
    ("Isolation & introductions", "selectbox", "Which ties count"),
    ("Clients: the team around the person", "number", "Hide counts below"),
    ("Report", "selectbox", "Which ties count"),
]


def _now(page):
    return page.evaluate("performance.now()")


def _mark_frames(page):
    """Mark the documents of the current iframes, so a later draw is known to be a new one."""
    page.evaluate("window.netdashMaps = null")  # maps drawn in the page itself (pages/_mapview.py)
    for frame in page.frames[1:]:
        try:
            frame.evaluate("window.__ndOld = true")
        except Exception:  # a detached frame
            pass


def _timed(page, action, *, settle=None):
    """Run ``action`` and return (seconds from action to the last busy moment, spinner texts seen)."""
    page.evaluate("window.__nd.spin = []")
    _mark_frames(page)
    page.evaluate("window.__nd.t0 = performance.timeOrigin + performance.now()")
    t0 = _now(page)
    action()
    if settle:
        settle()
    deadline = time.monotonic() + START_TIMEOUT_MS / 1000
    while page.evaluate("window.__nd.last") < t0 and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    while True:
        last = page.evaluate("Math.max(window.__nd.last, window.__nd.mut)")
        if _now(page) - max(last, t0) >= QUIET_MS:
            break
        page.wait_for_timeout(50)
    # A map drawn in the page (pages/_mapview.py) paints inside a shadow root, where the MutationObserver does not
    # look: its draw (window.netdashMaps, reset by _mark_frames) counts as busy too.
    last = max(last, page.evaluate("window.netdashMaps ? window.netdashMaps.drawn : -1"))
    spin = page.evaluate("window.__nd.spin")
    return max(last - t0, 0.0) / 1000, spin


def _nav(page, title):
    link = page.locator("[data-testid='stSidebarNavLink']").filter(
        has=page.locator("span", has_text=re.compile("^" + re.escape(title) + "$")))
    return lambda: link.first.click()


def _main_widget(page, testid, label):
    return page.locator(f"[data-testid='stMain'] [data-testid='{testid}']").filter(has_text=label).first


def _interaction(page, kind, label):
    if kind == "selectbox":
        box = _main_widget(page, "stSelectbox", label)

        def act():
            box.click()
            page.keyboard.press("ArrowDown")
            page.keyboard.press("Enter")
        return act
    if kind == "multiselect":
        box = _main_widget(page, "stMultiSelect", label)

        def act():
            box.click()
            # The first agency. Streamlit's multiselect lists "Select all" first: until this filter, the
            # Network map's interaction chose every agency (the same map as none, under a new cache key).
            page.get_by_role("option").filter(has_not_text=re.compile("^Select all$")).first.click()
            page.keyboard.press("Escape")
        return act
    if kind == "toggle":
        return lambda: page.get_by_text(label, exact=True).click()
    if kind == "number":
        field = _main_widget(page, "stNumberInput", label).locator("input")

        def act():
            field.fill(str(int(field.input_value()) + 1))
            field.press("Enter")
        return act
    if kind == "period":  # react-aria date field: step the start year by one (a year shorter, same end)
        return lambda: _step_year(page, label, "ArrowUp")
    raise ValueError(f"unknown interaction kind {kind!r}")


def _step_year(page, label, key):
    year = page.locator(f"[data-testid='stSidebar'] [role='spinbutton'][aria-label='year, {label} start date']")
    year.click()
    page.keyboard.press(key)
    page.locator("[data-testid='stMain'] h1").first.click()  # the field sends its value when it loses focus


def _inpage_draw(page, timeout_s=20):
    """Draw of the maps drawn in the page itself since the last action (``window.netdashMaps``, set by
    ``netdash/viz/templates/maps_module.js`` once every map has drawn), or None when none was drawn."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        maps = page.evaluate("window.netdashMaps && Object.assign({wall_epoch: performance.timeOrigin"
                             " + window.netdashMaps.drawn}, window.netdashMaps)")
        if maps:
            return {"maps": maps["count"], "drawn_ms": maps["drawn"] - maps["start"],
                    "click_to_draw_s": (maps["wall_epoch"] - page.evaluate("window.__nd.t0")) / 1000}
        page.wait_for_timeout(50)
    return None


def one_pass(browser, url, dataset, pages, memory=None):
    """Time every page of ``pages`` in a fresh browser context; ``memory`` (a :class:`_Peaks`) adds each page's
    server peak (``peak_kb``, from the page's first click to its last interaction) and resident memory after it."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(RECORDER_JS)
    page = context.new_page()
    t = time.monotonic()
    page.goto(url + "/")
    wait_for_page(page, quiet_ms=QUIET_MS)
    rows = {"_open": time.monotonic() - t - QUIET_MS / 1000}
    chooser = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="Dataset").first
    if dataset not in chooser.inner_text():
        rows["_dataset"] = _timed(page, lambda: (chooser.click(), page.get_by_role("option", name=dataset).click()))[0]
    if memory:
        rows["_open_peak_kb"] = memory.page_peak()
    for title, kind, label in pages:
        row = rows[title] = {}
        row["first"], row["first_spinners"] = _timed(page, _nav(page, title))
        if title in INPAGE_MAPS:
            row["draw"] = _inpage_draw(page)
        if title == "Network map":
            row["metrics"] = page.locator("[data-testid='stMetric']").all_inner_texts()
        row["second"], _ = _timed(page, _nav(page, title))
        row["interaction"], row["interaction_spinners"] = _timed(page, _interaction(page, kind, label))
        if title in INPAGE_MAPS:
            row["interaction_draw"] = _inpage_draw(page)
        if title == "Network map":
            row["interaction_metrics"] = page.locator("[data-testid='stMetric']").all_inner_texts()
            box = _main_widget(page, "stSelectbox", "Ties")
            row["ties"], row["ties_spinners"] = _timed(
                page, lambda: (box.click(), page.keyboard.press("ArrowDown"), page.keyboard.press("Enter")))
            row["ties_draw"] = _inpage_draw(page)
        if kind == "period":  # put the period back so later pages use the full one
            row["period_back"], _ = _timed(page, lambda: _step_year(page, label, "ArrowDown"))
        if memory:
            row["peak_kb"], row["rss_kb"] = memory.page_peak(), _memory_kb(memory.pid)[1]
        print(f"  {title}: first {row['first']:.2f}s second {row['second']:.2f}s "
              f"interaction {row['interaction']:.2f}s"
              + (f" server peak {row['peak_kb'] / 1024**2:.2f} GiB, {row['rss_kb'] / 1024**2:.2f} after" if memory
                 else "")
              + (f" map drawn {row['draw']['drawn_ms']:.0f}ms after its data, "
                 f"click-to-drawn {row['draw']['click_to_draw_s']:.2f}s" if row.get("draw") else "")
              + (f"; after the interaction {row['interaction_draw']['drawn_ms']:.0f}ms, "
                 f"{row['interaction_draw']['click_to_draw_s']:.2f}s" if row.get("interaction_draw") else ""),
              flush=True)
    context.close()
    return rows


def _median(passes, title, key):
    vals = [p[title][key] for p in passes if isinstance(p[title].get(key), (int, float))]
    return statistics.median(vals) if vals else float("nan")


def _prepare(scale, demo_dir, workspace_dir):
    """Demo folder and workspace holding it as dataset ``scale`` (each made only if missing)."""
    from netdash.demo import generate_demo
    from netdash.store import Workspace

    demo_dir = Path(demo_dir or f"/tmp/nd_pt_{scale}")
    workspace_dir = Path(workspace_dir or f"/tmp/nd_pt_ws_{scale}")
    if not (demo_dir / "contacts.csv").exists():
        t = time.monotonic()
        generate_demo(demo_dir, seed=0, scale=scale)
        print(f"made the {scale} demo in {demo_dir} ({time.monotonic() - t:.0f} s)", flush=True)
    ws = Workspace(workspace_dir)
    if scale not in [info.name for info in ws.list()]:
        t = time.monotonic()
        ws.import_dataset(demo_dir, name=scale)
        print(f"imported it into {workspace_dir} as {scale!r} ({time.monotonic() - t:.0f} s)", flush=True)
    return workspace_dir


class _Peaks:
    """The server's peak resident memory page by page: ``VmHWM`` read, then reset (``clear_refs``), per page.

    The peak of the whole run is the largest of the parts (:attr:`overall_kb`),
    the start-up's included. Where the kernel does not let the peak be reset,
    each page's figure is the peak so far.
    """

    def __init__(self, pid):
        self.pid = pid
        self.overall_kb = 0
        self.page_peak()

    def page_peak(self):
        """Peak since the last call (kB), then reset it."""
        peak = _memory_kb(self.pid)[0]
        self.overall_kb = max(self.overall_kb, peak)
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        except OSError:
            pass
        return peak


def _memory_kb(pid):
    """(peak, current) resident memory of process ``pid`` in kB, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    values = dict(line.split(":", 1) for line in status.splitlines() if line.startswith(("VmHWM", "VmRSS")))
    return int(values["VmHWM"].split()[0]), int(values["VmRSS"].split()[0])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8590)
    parser.add_argument("--dataset", default="medium")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pages", default=None, help="comma-separated nav titles (default: all)")
    parser.add_argument("--json", default=None, help="write every measurement here")
    parser.add_argument("--scale", choices=["small", "medium", "large"],
                        help="make the demo and workspace if missing, start the server, report its peak memory")
    parser.add_argument("--servers", type=int, default=1,
                        help="with --scale: this many freshly started servers, one after another, each timed "
                             "--repeats passes; the summary takes medians over them (issue 14's 'median of 3')")
    parser.add_argument("--demo-dir", default=None, help="with --scale: the demo folder (default /tmp/nd_pt_SCALE)")
    parser.add_argument("--workspace", default=None,
                        help="with --scale: the workspace (default /tmp/nd_pt_ws_SCALE)")
    parser.add_argument("--server-log", default=None,
                        help="with --scale: write the server's output here (server k > 1 to PATH.k), e.g. to see "
                             "when it dropped cached results to keep within its memory budget")
    args = parser.parse_args(argv)
    if not args.scale:
        return _measure(args, None)
    workspace = _prepare(args.scale, args.demo_dir, args.workspace)
    runs = []
    for k in range(args.servers):
        args.dataset, args.port = args.scale, free_port()
        log = None
        if args.server_log:
            log = open(args.server_log + (f".{k + 1}" if k else ""), "w", encoding="utf-8")  # noqa: SIM115
        server, _ = start_app(workspace, args.port, **({"stdout": log} if log else {}))
        print(f"server {k + 1} of {args.servers}: dashboard started on port {args.port} (pid {server.pid})",
              flush=True)
        try:
            runs.append(_measure(args, server, write=args.servers == 1))
        finally:
            server.terminate()
            server.wait(timeout=30)
            if log:
                log.close()
    if args.servers > 1:
        _summary(runs, args)


def _summary(runs, args):
    """Issue 14's three figures per page, medians over the servers: each server's first load and new setting
    (its pass 1, cold cache) and every warm pass's interaction."""
    pages = PAGES if not args.pages else [p for p in PAGES if p[0] in args.pages.split(",")]
    print(f"\n{len(runs)} fresh servers, {args.repeats} passes each; loadavg "
          + "; ".join(f"{r['loadavg'][0].split()[0]}-{r['loadavg'][1].split()[0]}" for r in runs))
    print("peak server RSS " + ", ".join(f"{r['memory']['server_peak_kb'] / 1024 ** 2:.2f}" for r in runs) + " GiB")
    print("| page | cold first load | a new setting | warm interaction |\n|---|---:|---:|---:|")
    for title, _, _ in pages:
        first = [r["passes"][0][title]["first"] for r in runs]
        new = [r["passes"][0][title]["interaction"] for r in runs]
        warm = [p[title]["interaction"] for r in runs for p in r["passes"][1:]]

        def cell(values):
            return (f"{statistics.median(values):.2f} ({', '.join(f'{v:.2f}' for v in values)})" if values
                    else "–")
        print(f"| {title} | {cell(first)} | {cell(new)} | {cell(warm)} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"servers": runs, "scale": args.scale}, indent=1, default=str))


def _measure(args, server, write=True):
    url = f"http://127.0.0.1:{args.port}"
    pages = PAGES if not args.pages else [p for p in PAGES if p[0] in args.pages.split(",")]
    load = [Path("/proc/loadavg").read_text().strip()]
    passes = []
    peaks = _Peaks(server.pid) if server is not None else None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for i in range(args.repeats):
            print(f"pass {i + 1} ({'cold' if i == 0 else 'warm'} server cache)", flush=True)
            passes.append(one_pass(browser, url, args.dataset, pages, peaks))
        browser.close()
    load.append(Path("/proc/loadavg").read_text().strip())
    print(f"loadavg start {load[0]} | end {load[1]}")
    memory = None
    if server is not None:
        peaks.page_peak()
        peak, now = peaks.overall_kb, _memory_kb(server.pid)[1]
        memory = {"server_peak_kb": peak, "server_rss_kb": now}
        print(f"server peak RSS {peak / 1024**2:.2f} GiB (VmHWM), {now / 1024**2:.2f} GiB at the end")
    print(f"{'page':40s} {'cold first':>10s} {'warm first':>10s} {'second':>8s} {'interact':>9s}")
    for title, _, _ in pages:
        warm = passes[1:] or passes
        print(f"{title:40s} {passes[0][title]['first']:10.2f} {_median(warm, title, 'first'):10.2f} "
              f"{_median(passes, title, 'second'):8.2f} {_median(passes, title, 'interaction'):9.2f}")
    result = {"loadavg": load, "passes": passes, "memory": memory, "scale": args.scale}
    if args.json and write:
        Path(args.json).write_text(json.dumps(result, indent=1, default=str))
    return result


if __name__ == "__main__":
    main()
