"""The HTML report in a real browser with the network blocked (Chromium, headless).

Run with ``pytest -m e2e tests/e2e/test_report_browser.py``. Uses Debian's
``/usr/bin/chromium`` through Python Playwright (the suite's one ``browser``
fixture, tests/e2e/conftest.py); the tests fail with the install command when
either is missing (never ``playwright install``: nothing is downloaded).

Regenerate the screenshot in the docs with::

    .venv/bin/python tests/e2e/test_report_browser.py docs/img/report.png
"""

import sys
from pathlib import Path

import pytest

from netdash.report import SECTIONS, write_report

TESTS = Path(__file__).resolve().parents[1]
# hostile.py (on the path under pytest; not when this file runs as a script) and tests/report/test_report.py.
sys.path[:0] = [str(TESTS), str(TESTS / "report")]
from e2e_support import chromium  # noqa: E402
from hostile import MARKUP as PAYLOADS  # noqa: E402 - the payloads hostile_records puts in names
from test_report import hostile_records  # noqa: E402

pytestmark = pytest.mark.e2e


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
def test_report_renders_completely_offline(browser, reports, which):
    page, log = _open(browser, reports[which])
    try:
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
        page.close()


def test_hostile_names_show_as_text_and_run_nothing(browser, reports):
    page, log = _open(browser, reports["hostile"])
    try:
        assert page.title() == "Report " + PAYLOADS[3]
        legend = page.locator("ul.legend[aria-label=Agencies]").inner_text()
        assert PAYLOADS[0] in legend and PAYLOADS[1] in legend   # shown literally, as text
        notes = page.locator("section#data-quality li").all_inner_texts()
        assert notes == [PAYLOADS[1], PAYLOADS[2]]
        assert page.locator("section#isolation td.suppressed").count() == 2
        assert page.evaluate("typeof window.alert === 'function' && document.scripts.length") == 0
        assert log["dialogs"] == [] and log["requests"] == [] and log["page_errors"] == []
    finally:
        page.close()


def save_screenshot(out):
    """Render the report of the bundled demo and save a full-page screenshot (PNG) to ``out``."""
    import tempfile

    from netdash.ingest import load_dataset

    demo, _ = load_dataset(Path(__file__).resolve().parents[2] / "data" / "demo", secret=b"k" * 32, name="demo")
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        path = write_report(demo, Path(tmp) / "demo.html", compare_replicates=50)
        page, log = _open(browser, path, viewport=(1280, 1000))
        assert not log["requests"], log
        page.screenshot(path=str(out), full_page=True)
    try:  # a 256-colour palette keeps the docs image small (about a third of the size)
        from PIL import Image
    except ImportError:
        return
    image = Image.open(out).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(out, optimize=True)


if __name__ == "__main__":
    save_screenshot(sys.argv[1] if len(sys.argv) > 1 else "docs/img/report.png")
