"""Collecting the suite needs no Playwright unless browser tests are selected.

A machine without Playwright (or a CI job that installs only the library's
dependencies) must still be able to run ``pytest -m "not e2e"`` and
``make check``: nothing imported at collection (conftest files, test modules,
their helpers, ``tools/screenshots.py``, and the ``netdash`` modules collected
for doctests) may import Playwright at module level. Browser code imports it
inside the functions and fixtures that drive a browser.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Runs pytest with Playwright unimportable: a None entry in sys.modules makes every `import playwright...`
# raise ImportError, as if the package were absent.
NO_PLAYWRIGHT = """
import sys
sys.modules["playwright"] = None
try:
    import playwright.sync_api
except ImportError:
    pass
else:
    sys.exit("playwright is still importable")
import pytest
sys.exit(pytest.main(sys.argv[1:]))
"""


@pytest.mark.slow  # collects all of the suite in a new interpreter; CI (make test) runs it
def test_the_whole_suite_is_collected_with_playwright_unimportable():
    done = subprocess.run([sys.executable, "-c", NO_PLAYWRIGHT, "--collect-only", "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "ERROR" not in out and "Interrupted" not in out, out[-3000:]  # a module that failed to import
    collected = set(done.stdout.splitlines())
    assert re.search(r"^\d{4,} tests collected", done.stdout, re.M), out[-3000:]
    # Every browser test module was imported and its tests collected (``-m "not e2e"`` deselects them after).
    for module in sorted((ROOT / "tests" / "e2e").glob("test_*.py")):
        ids = [line for line in collected if line.startswith(f"tests/e2e/{module.name}::")]
        assert ids, f"no test collected from tests/e2e/{module.name}"
