"""bench/run.py's CPU seconds per run: what a worker used, not the driver, reported beside the wall times."""

import importlib.util
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_children_cpu_counts_a_finished_child_and_not_the_driver(run):
    before = run._children_cpu()
    subprocess.run([sys.executable, "-c", "import time\nt = time.process_time()\n"
                    "while time.process_time() - t < 0.3: pass"], check=True)
    used = run._children_cpu() - before
    assert 0.25 < used < 5
    spent = run._children_cpu()
    x = 0
    for i in range(2_000_000):  # the driver's own work is not a child's
        x += i
    assert run._children_cpu() == spent


def _result(pipeline_cpu, baseline_cpu):
    pipe = [{"seconds": 2.0, "cpu_seconds": c, "n_ties": 3, "betweenness_method": "exact", "betweenness_sources": 3,
             "betweenness_max_standard_error": 0.0, "peak_mb": 5.0, "stages": {"import": 0.4}} for c in pipeline_cpu]
    base = [{"seconds": 30.0, "cpu_seconds": c, "n_ties": 3, "peak_mb": 4.0} for c in baseline_cpu]
    return {"scale": "medium", "counts": {"contacts": 10}, "pipeline": pipe, "baseline": base,
            "pipeline_median_s": 2.0, "baseline_median_s": 30.0,
            "pipeline_median_cpu_s": statistics.median(pipeline_cpu) if pipeline_cpu else None,
            "baseline_median_cpu_s": statistics.median(baseline_cpu) if baseline_cpu else None}


def test_markdown_lists_every_runs_cpu_seconds_and_the_ratio_of_their_medians(run):
    info = {"nproc": "2", "cpu": "x", "memory_gb": 1.0, "python": "3.11", "os": "Linux", "versions": {}}
    text = run.markdown([_result([2.91, 2.75, 3.10], [36.0, 35.0, 40.0])], info)
    line = next(line for line in text.splitlines() if line.startswith("- medium: pipeline 2.91"))
    assert line == ("- medium: pipeline 2.91, 2.75, 3.10 s (median 2.91 s); baseline 36.0, 35.0, 40.0 s "
                    "(median 36.0 s); baseline / pipeline 12.4x")
    # the wall-time table and its ratio are unchanged by the CPU lines
    assert "| 2.0 s (3/3) |" in text and "| 15.0x |" in text


def test_markdown_without_baseline_runs(run):
    info = {"nproc": "2", "cpu": "x", "memory_gb": 1.0, "python": "3.11", "os": "Linux", "versions": {}}
    result = _result([1.5], [])
    result["baseline_median_s"] = None
    text = run.markdown([result], info)
    assert "- medium: pipeline 1.50 s (median 1.50 s); baseline not run" in text.splitlines()
