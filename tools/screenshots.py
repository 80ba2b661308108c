"""Start the dashboard on the demo data and screenshot every page.

Usage: .venv/bin/python tools/screenshots.py [OUTDIR] [--pages overview,trust]

Writes OUTDIR/<page>.png (default screenshots/). Uses Debian's chromium.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
PAGES = ["overview", "data", "network_map", "trust", "brokerage", "fragmentation", "before_after", "over_time",
         "cop_impact", "isolation", "clients", "report"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(workspace, port, *, extra_args=(), env=None, command=None, stdout=subprocess.PIPE, timeout_s=60):
    """Start the dashboard on ``port`` for ``workspace`` and wait until it answers; ``(process, url)``.

    ``extra_args`` go to ``streamlit run`` (e.g. ``--secrets.files``); ``env`` adds to the environment;
    ``command`` replaces ``python -m streamlit`` (bench/load_sessions.py adds a stack-dump handler);
    ``stdout`` receives the server's output and log.
    """
    env = dict(os.environ, **(env or {}), NETDASH_WORKSPACE=str(workspace))
    command = list(command or [sys.executable, "-m", "streamlit"])
    proc = subprocess.Popen(
        [*command, "run", str(ROOT / "streamlit_app.py"), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1", *extra_args],
        cwd=ROOT, env=env, stdout=stdout, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(int(timeout_s * 2)):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"the dashboard did not start within {timeout_s} s")


# Counts script runs as the app root's data-test-script-state changes, so a caller can wait for the run its
# click started even when that run is too quick to be seen by polling (tests/e2e, bench/load_sessions.py).
COUNT_RUNS_JS = """
window.__ndStarts = 0;
new MutationObserver(records => {
  for (const r of records) {
    if (r.target.getAttribute('data-test-script-state') === 'running' && r.oldValue !== 'running') {
      window.__ndStarts += 1;
    }
  }
}).observe(document, {attributes: true, subtree: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""

IDLE_JS = ("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
           " && !document.querySelector('[data-testid=\"stSpinner\"]')"
           " && !document.querySelector('[data-testid=\"stSkeleton\"]')")


def wait_for_page(page, timeout_ms=120000, quiet_ms=3000):
    """Wait until the router has run (sidebar controls shown) and the page has been idle for ``quiet_ms``.

    A script run has short gaps with no spinner on screen, so one idle
    observation is not enough: the page must stay idle for ``quiet_ms``.
    """
    page.wait_for_selector("[data-testid='stSidebar'] [data-testid='stSelectbox']", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    idle_since = None
    while time.monotonic() < deadline:
        if page.evaluate(IDLE_JS):
            idle_since = idle_since or time.monotonic()
            if (time.monotonic() - idle_since) * 1000 >= quiet_ms:
                return
        else:
            idle_since = None
        page.wait_for_timeout(250)
    raise TimeoutError("the page did not finish running")


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default=str(ROOT / "screenshots"))
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args(argv)
    # Imported here, not at the top: the browser tests load this module for start_app and the launch
    # arguments, and collecting the suite must not need Playwright unless browser tests are selected.
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workspace:
        proc, url = start_app(workspace, free_port())
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                for name in args.pages.split(","):
                    page.goto(f"{url}/{name}")
                    wait_for_page(page)
                    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
                    print(f"{name}: {out / (name + '.png')}")
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
