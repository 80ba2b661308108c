"""The HTML report in a real browser with the network blocked (Chromium, headless).

Run with ``pytest -m e2e tests/e2e/test_report_browser.py``. Uses Debian's
``/usr/bin/chromium`` through Python Playwright; the test is skipped when
either is missing (never ``playwright install``: nothing is downloaded).

Regenerate the screenshot in the docs with::

    .venv/bin/python tests/e2e/test_report_browser.py docs/img/report.png
"""

import shutil
import sys
from pathlib import Path

import pytest

from netdash.report import SECTIONS, write_report

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from test_report import PAYLOADS, hostile_records  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.e2e


def _browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def _open(browser, path, *, viewport=(1280, 900)):
    """Open ``path`` from file:// with every other request aborted; return (page, log)."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    log = {"requests": [], "console": [], "dialogs": [], "page_errors": []}

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            log["requests"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: log["console"].append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: log["page_errors"].append(str(e)))

    def dialog(d):
        log["dialogs"].append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(Path(path).resolve().as_uri(), wait_until="load")
    return page, log


@pytest.fixture(scope="module")
def playwright():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed")
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def reports(tmp_path_factory, demo_source):
    from netdash.dataset import Dataset
    from netdash.ingest import load_dataset

    out = tmp_path_factory.mktemp("reports")
    hostile = Dataset.from_records(**hostile_records(), name="Team " + PAYLOADS[0])
    demo, _ = load_dataset(demo_source, secret=b"k" * 32, name="demo")
    return {
        "hostile": write_report(hostile, out / "hostile.html", title="Report " + PAYLOADS[3],
                                warnings=[PAYLOADS[1], PAYLOADS[2]], compare_replicates=0, bootstrap=100),
        "demo": write_report(demo, out / "demo.html", compare_replicates=0, bootstrap=100),
    }


@pytest.mark.parametrize("which", ["hostile", "demo"])
def test_report_renders_completely_offline(playwright, reports, which):
    browser = _browser(playwright)
    try:
        page, log = _open(browser, reports[which])
        for anchor, heading in SECTIONS:
            section = page.locator(f"section#{anchor}")
            assert section.is_visible(), anchor
            assert section.locator("h2").inner_text() == heading
        for map_id in ("#map-before", "#map-after"):
            svg = page.locator(map_id)
            box = svg.bounding_box()
            assert box["width"] > 300 and box["height"] > 150
            assert svg.locator("circle").count() > 20
            assert svg.locator("circle").first.bounding_box()["width"] > 2   # nodes actually drawn
            assert len(svg.locator("path.tie").get_attribute("d")) > 20
        # pixels: the after map is not blank (more than one colour in its screenshot)
        shot = page.locator("#map-after").screenshot()
        assert len(shot) > 5000
        assert page.locator("table.matrix").count() == 3
        assert page.locator("script, img, iframe, object, embed").count() == 0
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
        assert log == {"requests": [], "console": [], "dialogs": [], "page_errors": []}
    finally:
        browser.close()


def test_hostile_names_show_as_text_and_run_nothing(playwright, reports):
    browser = _browser(playwright)
    try:
        page, log = _open(browser, reports["hostile"])
        assert page.title() == "Report " + PAYLOADS[3]
        legend = page.locator("ul.legend[aria-label=Agencies]").inner_text()
        assert PAYLOADS[0] in legend and PAYLOADS[1] in legend   # shown literally, as text
        notes = page.locator("section#data-quality li").all_inner_texts()
        assert notes == [PAYLOADS[1], PAYLOADS[2]]
        assert page.locator("section#isolation td.suppressed").count() == 2
        assert page.evaluate("typeof window.alert === 'function' && document.scripts.length") == 0
        assert log["dialogs"] == [] and log["requests"] == [] and log["page_errors"] == []
    finally:
        browser.close()


def save_screenshot(out):
    """Render the report of the bundled demo and save a full-page screenshot (PNG) to ``out``."""
    import tempfile

    from playwright.sync_api import sync_playwright

    from netdash.ingest import load_dataset

    demo, _ = load_dataset(Path(__file__).resolve().parents[2] / "data" / "demo", secret=b"k" * 32, name="demo")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = write_report(demo, Path(tmp) / "demo.html", compare_replicates=50)
        browser = _browser(p)
        page, log = _open(browser, path, viewport=(1280, 1000))
        assert not log["requests"], log
        page.screenshot(path=str(out), full_page=True)
        browser.close()
    try:  # a 256-colour palette keeps the docs image small (about a third of the size)
        from PIL import Image
    except ImportError:
        return
    image = Image.open(out).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(out, optimize=True)


if __name__ == "__main__":
    save_screenshot(sys.argv[1] if len(sys.argv) > 1 else "docs/img/report.png")
