"""Many users at once: page times of 8 browser sessions clicking through the dashboard (issue 18). Not a test.

Starts the dashboard on a throw-away workspace holding the ``scale="medium"``
demo (or uses ``--port`` of a running one), then opens ``--sessions`` browser
sessions (default 8) in one headless Chromium. Each session signs nothing in,
opens ``/`` (timed as the page "open"), chooses the dataset (timed as
"dataset": the first Overview of the medium dataset), and clicks through the sidebar pages in
turn, each session starting at a different page, for ``--seconds`` (default
120). A page time is the click on the sidebar link to the moment the app
reports its script run ended (``data-test-script-state`` is ``notRunning``)
with no status widget and no stale element. No new page is started after the
time is up; pages under way are finished.

p50/p90/max are printed overall and per page, with how many loads took more
than 60 s, and the CPU seconds used during the sessions by the server and by
the browser (Chromium and Playwright's driver: every other process this
script started), read from ``/proc``: the sessions' browser runs on the same
2 cores as the server, which real users' browsers do not. When a load passes 60 s, the server (started here with
``faulthandler`` on SIGUSR1) is asked for a dump of every thread's Python
stack, which goes to its log; ``--log`` keeps that log, so a slow or stuck
page can be traced to the code it was in.

Usage::

    .venv/bin/python bench/load_sessions.py [--sessions 8] [--seconds 120] [--json out.json] [--log server.log] \
        [--runs-at-once N]

``--runs-at-once 1000`` lets every session's run compute at once, as before
pages/_turns.py; run it alternately with the default to compare in the same
conditions.

The machine is shared: report the load average printed with the figures.
"""

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from screenshots import ARGS, CHROMIUM, COUNT_RUNS_JS, PAGES, free_port, start_app  # noqa: E402

STUCK_S = 60.0
SETTLED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stStatusWidget"]');
}"""
# The server, with a stack dump of every thread on SIGUSR1 (faulthandler writes it to stderr, i.e. the log).
_SERVER = ("import faulthandler, signal, sys; faulthandler.register(signal.SIGUSR1, all_threads=True); "
           "from streamlit.web.cli import main; sys.argv = ['streamlit'] + sys.argv[1:]; main()")


def _cpu_seconds(pids):
    """User + system CPU seconds of ``pids`` and all their descendants (Linux ``/proc``), and the pids counted."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                text = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            fields = text[text.rindex(")") + 2:].split()
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)  # ppid, cpu
    children = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    seen, todo = set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid in stats and pid not in seen:
            seen.add(pid)
            todo.extend(children.get(pid, []))
    return sum(stats[p][1] for p in seen), seen


def _split_cpu(server_pid):
    """(server CPU s, browser CPU s): the server's process tree, and this process's other descendants."""
    server = _cpu_seconds([server_pid])[0] if server_pid else 0.0
    everything = _cpu_seconds([os.getpid()])[0]
    own = sum(os.times()[:2])  # this process alone: user + system
    return server, everything - own - server


async def _settled(page, timeout_s):
    await page.wait_for_function(SETTLED_JS, timeout=timeout_s * 1000, polling=100)


missed = [0]


async def _session(number, browser, url, dataset, deadline, loads, server_pid):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    await context.add_init_script(COUNT_RUNS_JS)
    page = await context.new_page()
    try:
        started = time.monotonic()
        await page.goto(url + "/")
        await page.wait_for_selector("[data-testid='stSidebar'] [data-testid='stSelectbox']", timeout=300_000)
        await _settled(page, 300)
        seconds = time.monotonic() - started
        loads.append({"session": number, "page": "open", "seconds": seconds, "at": started, "stuck": seconds > STUCK_S})
        if dataset:
            box = page.locator("[data-testid='stSidebar']").get_by_role("combobox", name="Dataset", exact=True)
            if await box.input_value() != dataset:
                started = time.monotonic()
                await box.click()
                await page.get_by_role("option").filter(has_text=dataset).first.click()
                await page.wait_for_timeout(300)
                await _settled(page, 300)
                seconds = time.monotonic() - started  # the dataset's first Overview: a page load like the others
                loads.append({"session": number, "page": "dataset", "seconds": seconds, "at": started,
                              "stuck": seconds > STUCK_S})
        i = number
        while time.monotonic() < deadline:
            name = PAGES[i % len(PAGES)]
            i += 1
            href = "" if name == "overview" else name
            link = page.locator(f"[data-testid='stSidebarNav'] a[href$='/{href}']").first
            since = await page.evaluate("window.__ndStarts || 0")
            started = time.monotonic()
            await link.click()
            try:  # the run this click started (a missed start is counted; the settled wait still applies)
                await page.wait_for_function(f"(window.__ndStarts || 0) > {since}", timeout=30_000, polling=50)
            except Exception:  # noqa: BLE001 - Playwright's TimeoutError
                missed[0] += 1
            dumped = False
            while True:
                try:
                    await _settled(page, STUCK_S)
                    break
                except Exception:  # noqa: BLE001 - Playwright's TimeoutError: still running after 60 s
                    if not dumped and server_pid:
                        os.kill(server_pid, signal.SIGUSR1)  # every thread's stack, into the server log
                        dumped = True
                        print(f"session {number}: {name} still running after {time.monotonic() - started:.0f} s; "
                              "stack dump requested", flush=True)
                    if time.monotonic() - started > 600:
                        raise
            seconds = time.monotonic() - started
            loads.append({"session": number, "page": name, "seconds": seconds,
                          "at": started, "stuck": seconds > STUCK_S})
    finally:
        await context.close()


def _quantiles(values):
    values = sorted(values)
    if not values:
        return float("nan"), float("nan"), float("nan")
    q = statistics.quantiles(values, n=10, method="inclusive") if len(values) > 1 else values * 9
    return statistics.median(values), q[8], values[-1]


async def _run(args, url, server_pid):
    from playwright.async_api import async_playwright

    loads = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            deadline = time.monotonic() + args.seconds
            cpu_before = _split_cpu(server_pid)
            await asyncio.gather(*[_session(n, browser, url, args.dataset, deadline, loads, server_pid)
                                   for n in range(args.sessions)])
            cpu_after = _split_cpu(server_pid)
        finally:
            await browser.close()
    return loads, {"server": cpu_after[0] - cpu_before[0], "browser": cpu_after[1] - cpu_before[1]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--port", type=int, default=None, help="use a running dashboard (no stack dumps)")
    parser.add_argument("--dataset", default="medium")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--log", type=Path, default=None, help="keep the server's log here")
    parser.add_argument("--runs-at-once", type=int, default=None,
                        help="page runs the server computes at once (NETDASH_PAGE_RUNS_AT_ONCE; default: the app's, "
                             "2; 1000 for no turns, as before pages/_turns.py)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="netdash-load-"))
    proc = None
    load_before = os.getloadavg()
    try:
        if args.port is None:
            from netdash.demo import generate_demo
            from netdash.store import Workspace

            source = generate_demo(work / "medium", seed=0, scale="medium")
            Workspace(work / "ws").import_dataset(source, name=args.dataset)
            log = open(args.log or work / "server.log", "wb")
            env = {"NETDASH_PAGE_RUNS_AT_ONCE": str(args.runs_at_once)} if args.runs_at_once else None
            proc, url = start_app(work / "ws", free_port(), command=[sys.executable, "-c", _SERVER], stdout=log,
                                  timeout_s=120, env=env)
        else:
            url = f"http://127.0.0.1:{args.port}"
        t0 = time.monotonic()
        loads, cpu = asyncio.run(_run(args, url, proc.pid if proc else None))
        wall = time.monotonic() - t0
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)  # the medium demo and its workspace: 46 MB a run
    load_after = os.getloadavg()
    times = [x["seconds"] for x in loads]
    p50, p90, worst = _quantiles(times)
    print(f"runs at once: {args.runs_at_once or 'the app default'}")
    print(f"{args.sessions} sessions, {args.seconds:.0f} s, {len(loads)} page loads in {wall:.0f} s wall; "
          f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} (1 min), {os.cpu_count()} CPUs")
    print(f"CPU seconds during the sessions: server {cpu['server']:.0f} ({cpu['server'] / wall:.2f} cores), "
          f"browser {cpu['browser']:.0f} ({cpu['browser'] / wall:.2f} cores)")
    print(f"all pages   p50 {p50:6.1f} s  p90 {p90:6.1f} s  max {worst:6.1f} s  over {STUCK_S:.0f} s: "
          f"{sum(x['stuck'] for x in loads)}; run start not seen within 30 s: {missed[0]}")
    rows = {}
    for name in ["open", "dataset"] + PAGES:
        mine = [x["seconds"] for x in loads if x["page"] == name]
        if mine:
            p50, p90, worst = _quantiles(mine)
            rows[name] = {"n": len(mine), "p50": p50, "p90": p90, "max": worst}
            print(f"{name:14s} n {len(mine):3d}  p50 {p50:6.1f} s  p90 {p90:6.1f} s  max {worst:6.1f} s")
    if args.json:
        args.json.write_text(json.dumps({"sessions": args.sessions, "seconds": args.seconds, "wall": wall,
                                         "load_before": load_before, "load_after": load_after,
                                         "cpus": os.cpu_count(), "runs_at_once": args.runs_at_once, "cpu_seconds": cpu, "loads": loads, "pages": rows}, indent=2))


if __name__ == "__main__":
    main()
