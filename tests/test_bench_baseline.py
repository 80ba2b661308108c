"""bench/baseline.py computes what ``netdash metrics --ties all`` writes, so bench/run.py's ratio sets like
against like: every column and field, equal, or within rounding where the two sum floats in another order.

The one difference is the Louvain behind the agency NMI and ARI: above 1,000 ties ``netdash metrics`` runs
NetworKit's PLM, the baseline networkx's Louvain (the plain way); their values are checked against netdash's own
networkx path instead."""

import importlib.util
import json
import math
from pathlib import Path

import pandas as pd

from netdash.cli import main

LOUVAIN_FIELDS = {"agency_nmi", "agency_nmi_min", "agency_nmi_max", "agency_ari", "agency_ari_min", "agency_ari_max"}

ROOT = Path(__file__).resolve().parents[1]


def _baseline():
    spec = importlib.util.spec_from_file_location("bench_baseline", ROOT / "bench" / "baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _close(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def test_baseline_writes_every_column_and_field_of_netdash_metrics_with_the_same_values(demo_source, tmp_path):
    assert main(["--workspace", str(tmp_path / "ws"), "metrics", str(demo_source), "--ties", "all",
                 "--out", str(tmp_path / "pipeline")]) == 0
    baseline = _baseline()
    table, network = baseline.baseline_metrics(Path(demo_source))
    baseline.write_outputs(table, network, tmp_path / "baseline")

    ours = pd.read_csv(tmp_path / "pipeline" / "practitioners.csv", encoding="utf-8-sig")
    theirs = pd.read_csv(tmp_path / "baseline" / "practitioners.csv")
    assert sorted(theirs.columns) == sorted(ours.columns)
    ours, theirs = ours.set_index("practitioner_id").sort_index(), theirs.set_index("practitioner_id").sort_index()
    assert theirs.index.tolist() == ours.index.tolist()
    for column in ours.columns:
        pairs = zip(theirs[column].tolist(), ours[column].tolist())
        assert all(_close(a, b) for a, b in pairs), column

    ours = json.loads((tmp_path / "pipeline" / "network.json").read_text())
    theirs = json.loads((tmp_path / "baseline" / "network.json").read_text())
    assert sorted(theirs) == sorted(ours)
    for field, value in ours.items():
        assert field in LOUVAIN_FIELDS or _close(theirs[field], value), field

    from netdash.analysis import NetworkAnalysis
    from netdash.ingest import load_dataset
    from netdash.metrics.communities import agency_alignment

    G = NetworkAnalysis(load_dataset(demo_source, secret=b"test-baseline")[0], ties="all").G
    assert G.number_of_edges() > 1_000  # so netdash metrics ran PLM, and this is a second Louvain
    spread = agency_alignment(G, "agency", seed=0, implementation="networkx")
    for field in LOUVAIN_FIELDS:
        assert _close(theirs[field], spread[field.removeprefix("agency_")]), field
