"""The package keeps its shape: no import cycle, no private name used across packages (tools/check_imports.py)."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import check_imports  # noqa: E402


def test_the_tree_has_no_cycle_and_no_private_import_across_packages():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "check_imports.py")], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cycles_are_found_through_imports_made_inside_functions():
    edges = {"netdash.a": {"netdash.b"}, "netdash.b": {"netdash.c"}, "netdash.c": {"netdash.a"},
             "netdash.d": {"netdash.a"}}
    assert check_imports.cycles(edges) == [["netdash.a", "netdash.b", "netdash.c"]]
    assert check_imports.cycles({"netdash.a": {"netdash.b"}, "netdash.b": set()}) == []


def test_a_package_importing_its_own_submodules_is_no_cycle():
    edges = {"netdash.metrics": {"netdash.metrics.brokerage"}, "netdash.metrics.brokerage": {"netdash.metrics"}}
    assert check_imports.cycles(check_imports._without_package_parents(edges)) == []


@pytest.mark.parametrize("source, expected", [
    ("from netdash.metrics.trust import _graph_from_edges", "imports private netdash.metrics.trust._graph_from_edges"),
    ("from netdash.metrics import _matrix", "imports private netdash.metrics._matrix"),
    ("import netdash.store._files", "imports private module netdash.store._files"),
    ("from netdash.networks import graphs\ngraphs._graph(1, 2)", "uses private netdash.networks.graphs._graph"),
])
def test_private_names_from_another_package_are_reported(tmp_path, monkeypatch, source, expected):
    page = tmp_path / "pages" / "page.py"
    page.parent.mkdir()
    page.write_text(textwrap.dedent(source))
    monkeypatch.setattr(check_imports, "ROOT", tmp_path)
    monkeypatch.setattr(check_imports, "source_files", lambda: [page])
    _, problems = check_imports.scan()
    assert len(problems) == 1 and expected in problems[0] and problems[0].startswith("pages/page.py:")


def test_private_names_inside_one_package_are_allowed(tmp_path, monkeypatch):
    module = tmp_path / "netdash" / "change" / "compare.py"
    module.parent.mkdir(parents=True)
    module.write_text("from netdash.change._inputs import _induced\n")
    monkeypatch.setattr(check_imports, "ROOT", tmp_path)
    monkeypatch.setattr(check_imports, "source_files", lambda: [module])
    assert check_imports.scan()[1] == []
