"""The netdash command: exit codes, messages and output files."""

import json
import os
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from netdash.analysis import BROKERAGE_NULL_COLUMNS, DIRECTED_BETWEENNESS_COLUMNS, NETWORK_FIELDS, PRACTITIONER_COLUMNS
from netdash.metrics.brokerage import ROLE_FIELDS
from netdash.cli import main


@pytest.fixture
def ws(tmp_path):
    return ["--workspace", str(tmp_path / "ws")]


@pytest.fixture
def broken_source(tmp_path, demo_source):
    """The demo with one contact pointing at a practitioner who does not exist."""
    folder = tmp_path / "broken"
    shutil.copytree(demo_source, folder)
    contacts = pd.read_csv(folder / "contacts.csv", dtype=str, keep_default_na=False)
    contacts.loc[12, "practitioner_id"] = "P-019"
    contacts.to_csv(folder / "contacts.csv", index=False)
    return folder


def test_validate_clean_dataset_exits_0(demo_source, capsys):
    assert main(["validate", str(demo_source)]) == 0
    assert "OK: no errors" in capsys.readouterr().out


def test_validate_reports_file_row_column_and_fix(broken_source, capsys):
    assert main(["validate", str(broken_source)]) == 1
    out = capsys.readouterr().out
    # pandas row 12 is spreadsheet row 14 (header is row 1, first data row 2).
    assert "contacts.csv, row 14" in out
    assert "'P-019'" in out and "practitioners.csv" in out


def test_validate_missing_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err


def test_import_list_delete(ws, demo_source, capsys):
    assert main(ws + ["import", str(demo_source), "--name", "east"]) == 0
    assert main(ws + ["list"]) == 0
    assert "east" in capsys.readouterr().out
    assert main(ws + ["import", str(demo_source), "--name", "east"]) == 2
    assert "already" in capsys.readouterr().err
    assert main(ws + ["delete", "east"]) == 0
    capsys.readouterr()
    main(ws + ["list"])
    assert "No datasets yet" in capsys.readouterr().out


def test_import_refuses_broken_data_and_stores_nothing(ws, broken_source, capsys):
    assert main(ws + ["import", str(broken_source), "--name", "bad"]) == 2
    assert "nothing was imported" in capsys.readouterr().err
    main(ws + ["list"])
    assert "No datasets yet" in capsys.readouterr().out


def test_metrics_writes_contract_files(ws, demo_source, tmp_path):
    out = tmp_path / "out"
    code = main(ws + ["metrics", str(demo_source), "--out", str(out), "--from", "2024-01-01", "--to", "2024-07-01",
                      "--ties", "direct"])
    assert code == 0
    table = pd.read_csv(out / "practitioners.csv", encoding="utf-8-sig")
    assert list(table.columns[: len(PRACTITIONER_COLUMNS)]) == PRACTITIONER_COLUMNS
    assert table["practitioner_id"].is_unique
    assert (table["degree"] >= table["cross_agency_ties"]).all()
    assert (table["broker_total"] == table[ROLE_FIELDS].sum(axis=1)).all()
    # Issue 17: the brokerage null model and directed betweenness are columns too.
    assert set(BROKERAGE_NULL_COLUMNS + DIRECTED_BETWEENNESS_COLUMNS) <= set(table.columns)
    network = json.loads((out / "network.json").read_text())
    for field in NETWORK_FIELDS:
        assert field in network
    assert network["n_practitioners"] == len(table)
    assert 0 <= network["fragmentation"] <= 1
    assert network["ties"] == "direct"
    assert network["ei_index_permutations"] == 200 and 0 < network["ei_index_p_value"] <= 1
    assert network["agency_nmi_seeds"] == list(range(10))
    assert network["agency_nmi_min"] <= network["agency_nmi"] <= network["agency_nmi_max"]
    assert network["agency_ari_min"] <= network["agency_ari"] <= network["agency_ari_max"] <= 1
    assert network["betweenness_directed_method"] == "exact" and network["weighted"] is False


def test_metrics_weighted_and_permutations_options(ws, demo_source, tmp_path):
    plain, weighted = tmp_path / "plain", tmp_path / "weighted"
    assert main(ws + ["metrics", str(demo_source), "--out", str(plain), "--permutations", "0"]) == 0
    assert main(ws + ["metrics", str(demo_source), "--out", str(weighted), "--weighted", "--permutations", "0"]) == 0
    a = pd.read_csv(plain / "practitioners.csv", encoding="utf-8-sig")
    b = pd.read_csv(weighted / "practitioners.csv", encoding="utf-8-sig")
    assert not np.allclose(a["betweenness"], b["betweenness"]) and not np.allclose(
        a["constraint"].fillna(0), b["constraint"].fillna(0))
    assert a["broker_total"].equals(b["broker_total"])  # brokerage is binary either way
    network = json.loads((weighted / "network.json").read_text())
    assert network["weighted"] is True and network["ei_index_p_value"] is None


def test_metrics_refuses_negative_permutations(ws, demo_source, tmp_path, capsys):
    assert main(ws + ["metrics", str(demo_source), "--out", str(tmp_path / "o"), "--permutations", "-1"]) == 2
    assert "--permutations must be 0 or more" in capsys.readouterr().err


def test_metrics_by_workspace_name(ws, demo_source, tmp_path):
    main(ws + ["import", str(demo_source), "--name", "east"])
    assert main(ws + ["metrics", "east", "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "practitioners.csv").exists()


def test_metrics_unknown_dataset_names_the_available_ones(ws, demo_source, tmp_path, capsys):
    main(ws + ["import", str(demo_source), "--name", "east"])
    assert main(ws + ["metrics", "west", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "west" in err and "east" in err


def test_metrics_bad_date_is_a_clear_error(ws, demo_source, tmp_path, capsys):
    assert main(ws + ["metrics", str(demo_source), "--out", str(tmp_path / "o"), "--from", "01/02/2024"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_metrics_reversed_period_is_a_clear_error(ws, demo_source, tmp_path, capsys):
    code = main(ws + ["metrics", str(demo_source), "--out", str(tmp_path / "o"),
                      "--from", "2024-07-01", "--to", "2024-01-01"])
    assert code == 2
    assert "not before its end" in capsys.readouterr().err


def test_demo_writes_a_dataset_that_validates(tmp_path):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--seed", "3", "--cop-effect", "1.5", "--scale", "small"]) == 0
    assert (out / "contacts.csv").exists() and (out / "ground_truth.json").exists()
    assert json.loads((out / "ground_truth.json").read_text())["cop_effect"] == 1.5
    assert main(["validate", str(out)]) == 0


def test_compare_writes_tie_changes_and_comparison(ws, demo_source, tmp_path):
    out = tmp_path / "cmp"
    code = main(ws + ["compare", str(demo_source), "--before", "2023-01-01:2024-01-01",
                      "--after", "2024-01-01:2025-01-01", "--out", str(out), "--bootstrap", "20",
                      "--permutations", "20"])
    assert code == 0
    changes = pd.read_csv(out / "tie_changes.csv", encoding="utf-8-sig")
    assert set(changes["status"]) <= {"new", "lost", "kept", "strengthened"}
    assert {"new", "lost"} <= set(changes["status"])
    comparison = json.loads((out / "comparison.json").read_text())
    measures = {m["measure"]: m for m in comparison["measures"]}
    for name in ("cross_agency_share", "ei_index", "fragmentation", "isolates", "trust_ties", "mean_constraint",
                 "agency_nmi"):
        row = measures[name]
        assert {"before", "after", "change", "ci_low", "ci_high", "p_value"} <= set(row)
        assert row["change"] == pytest.approx(row["after"] - row["before"])
    assert comparison["before"]["start"] == "2023-01-01"


def test_compare_needs_start_end_periods(ws, demo_source, tmp_path, capsys):
    assert main(ws + ["compare", str(demo_source), "--before", "2023-01-01", "--after", "2024-01-01:",
                      "--out", str(tmp_path / "x")]) == 2
    assert "START:END" in capsys.readouterr().err


def test_evaluate_writes_impact_json(ws, demo_source, tmp_path):
    out = tmp_path / "ev"
    assert main(ws + ["evaluate", str(demo_source), "--out", str(out), "--bootstrap", "200"]) == 0
    impact = json.loads((out / "impact.json").read_text())
    for key in ("did_cross_agency_ties", "matched_did_cross_agency_ties"):
        est = impact[key]
        assert est["ci_low"] <= est["estimate"] <= est["ci_high"]
    assert impact["n_attendees"] > 0 and impact["n_non_attendees"] > 0
    # The contract of issue 15: the staggered analysis's fields. The headline is the person-level estimand;
    # on the demo (built with an effect of 2 colleagues) its interval covers 2.
    assert set(impact["headline"]) == {"estimator", "estimate", "ci_low", "ci_high", "interval"}
    assert impact["headline"]["estimator"] == "callaway_santanna"
    # The estimate is Callaway & Sant'Anna's; the interval runs over it and the trend-adjusted one.
    cs, ta = impact["person_level"]["callaway_santanna"], impact["person_level"]["trend_adjusted"]
    assert impact["headline"] == {"estimator": "callaway_santanna", "estimate": cs["estimate"],
                                  "ci_low": min(cs["ci_low"], ta["ci_low"]),
                                  "ci_high": max(cs["ci_high"], ta["ci_high"]), "interval": "trend_robust"}
    assert impact["headline"]["ci_low"] < 2 < impact["headline"]["ci_high"]
    assert isinstance(impact["claims_effect"], bool)
    assert set(impact["pre_trend"]) >= {"p_value", "parallel_trends_doubtful"}
    assert impact["pre_trend"]["parallel_trends_doubtful"] is False
    assert {"event_month", "estimate", "ci_low", "ci_high"} == set(impact["event_study"][0])
    assert [r["estimate"] for r in impact["event_study"] if r["event_month"] == -1] == [0.0]
    assert set(impact["met_at_cop"]) >= {"pairs", "new_ties", "expected_new_ties", "excess_per_attendee",
                                         "ci_low", "ci_high"}
    pairs = impact["met_at_cop"]
    assert pairs["ci_low"] < pairs["excess_per_attendee"] < pairs["ci_high"]
    # The verdict's rule: the pairs' interval excludes 0 and the headline points the same way.
    assert impact["claims_effect"] is (pairs["ci_low"] > 0 and impact["headline"]["estimate"] > 0)
    # The demo's data ends with the COP's last session: the pairs who met at its last five sessions are
    # followed to the data's end (at least 3 months), and the verdict says how many.
    assert pairs["horizon_months"] == 6 and pairs["min_follow_up_months"] == 3
    assert 0 < pairs["short_follow_up_pairs"] < pairs["pairs"]
    assert f"by the data's end for the {pairs['short_follow_up_pairs']} who met in its last 5 months" in \
        impact["verdict"]


@pytest.mark.slow  # the demo's report with the CLI's defaults, and evaluate with 200 bootstrap replicates
def test_report_and_cli_carry_the_same_verdict(ws, demo_source, tmp_path):
    from markupsafe import escape

    assert main(ws + ["evaluate", str(demo_source), "--out", str(tmp_path / "ev"), "--bootstrap", "200"]) == 0
    verdict = json.loads((tmp_path / "ev" / "impact.json").read_text())["verdict"]
    out = tmp_path / "report.html"
    assert main(ws + ["report", str(demo_source), "--out", str(out)]) == 0
    assert str(escape(verdict)) in out.read_text()


def test_evaluate_without_cop_attendance_is_a_clear_error(ws, demo_source, tmp_path, capsys):
    folder = tmp_path / "nocop"
    shutil.copytree(demo_source, folder)
    (folder / "cop_attendance.csv").write_text("session_id,date,practitioner_id,cop_name\n")
    assert main(ws + ["evaluate", str(folder), "--out", str(tmp_path / "ev")]) == 2
    err = capsys.readouterr().err
    assert "error: Nobody attended a COP" in err and "Traceback" not in err


@pytest.mark.slow  # the demo's report with the CLI's defaults: 500 bootstrap and 50 comparison replicates
def test_report_writes_offline_html(ws, demo_source, tmp_path):
    out = tmp_path / "report.html"
    assert main(ws + ["report", str(demo_source), "--out", str(out), "--title", "<b>East</b>"]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "http://" not in html and "https://" not in html
    assert "&lt;b&gt;East&lt;/b&gt;" in html and "<b>East</b>" not in html


@pytest.mark.parametrize("suffix", [".graphml", ".gexf"])
def test_export_rereads_in_networkx(ws, demo_source, tmp_path, suffix):
    import networkx as nx

    out = tmp_path / f"net{suffix}"
    assert main(ws + ["export", str(demo_source), "--out", str(out), "--ties", "direct",
                      "--from", "2024-01-01", "--to", "2024-07-01"]) == 0
    G = nx.read_graphml(out) if suffix == ".graphml" else nx.read_gexf(out)
    practitioners = pd.read_csv(demo_source / "practitioners.csv", dtype=str)
    assert set(G.nodes) <= set(practitioners["practitioner_id"])
    assert G.number_of_edges() > 0
    node = next(iter(G.nodes))
    assert G.nodes[node]["agency"] == practitioners.set_index("practitioner_id").loc[node, "agency_id"]


def test_export_refuses_unknown_format(ws, demo_source, tmp_path, capsys):
    assert main(ws + ["export", str(demo_source), "--out", str(tmp_path / "net.csv")]) == 2
    assert ".graphml, .gexf or .html" in capsys.readouterr().err


def test_export_writes_the_network_map_as_one_offline_html_file(ws, demo_source, tmp_path, capsys):
    import re

    import networkx as nx

    args = ["--ties", "direct", "--from", "2024-01-01", "--to", "2024-07-01"]
    assert main(ws + ["export", str(demo_source), "--out", str(tmp_path / "net.graphml"), *args]) == 0
    assert main(ws + ["export", str(demo_source), "--out", str(tmp_path / "map.html"), *args]) == 0
    assert "map.html (" in capsys.readouterr().out
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in html and "https://" not in html
    spec = json.loads(re.search(r'id="netdash-data">(.*?)</script>', html, re.S).group(1))["panels"][0]
    G = nx.read_graphml(tmp_path / "net.graphml")
    # the same network as the GraphML file: every practitioner (by the ID in their tooltip) and every tie
    ids = {line[4:] for node in spec["nodes"] for line in node["tip"] if line.startswith("ID: ")}
    assert ids == set(G.nodes) and len(spec["ties"]) == G.number_of_edges()
    assert list(spec["sizes"]) == ["Ties", "Betweenness", "Trust ties"] and spec["size_menu"] is True
    assert spec["title"] == "Network map (direct ties), 2024-01-01 to 2024-07-01"


def test_metrics_max_work_switches_to_sampling_and_says_so(ws, demo_source, tmp_path):
    out = tmp_path / "o"
    assert main(ws + ["metrics", str(demo_source), "--out", str(out), "--max-work", "1000", "--seed", "3"]) == 0
    net = json.loads((out / "network.json").read_text())
    assert net["betweenness_method"] == "sampled" and net["betweenness_sources"] == 64
    assert net["betweenness_max_standard_error"] > 0
    assert main(ws + ["metrics", str(demo_source), "--out", str(tmp_path / "e")]) == 0
    assert json.loads((tmp_path / "e" / "network.json").read_text())["betweenness_method"] == "exact"


@pytest.mark.parametrize("bad", ["0", "-5"])
def test_metrics_max_work_must_be_positive(ws, demo_source, tmp_path, capsys, bad):
    assert main(ws + ["metrics", str(demo_source), "--out", str(tmp_path / "o"), f"--max-work={bad}"]) == 2
    assert "--max-work must be a positive number" in capsys.readouterr().err


# ---- issue 18, item 6: faults that used to end in "internal error" (exit 3) -------------------------

GOOD = __import__("pathlib").Path(__file__).parent / "data" / "good"


def test_report_into_a_missing_folder_creates_it(ws, tmp_path, capsys):
    assert main([*ws, "import", str(GOOD), "--name", "small"]) == 0
    out = tmp_path / "not" / "yet" / "report.html"
    assert main([*ws, "report", "small", "--out", str(out), "--min-count", "1"]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_sizes_the_dots_when_asked(ws, tmp_path, capsys):
    assert main([*ws, "import", str(GOOD), "--name", "small"]) == 0
    plain, sized = tmp_path / "plain.html", tmp_path / "sized.html"
    assert main([*ws, "report", "small", "--out", str(plain), "--min-count", "1"]) == 0
    assert main([*ws, "report", "small", "--out", str(sized), "--min-count", "1", "--size-by", "degree"]) == 0
    radii = lambda path: set(re.findall(r'<circle [^>]*r="([\d.]+)"', path.read_text(encoding="utf-8")))
    assert len(radii(sized)) > len(radii(plain))
    with pytest.raises(SystemExit):
        main([*ws, "report", "small", "--out", str(sized), "--size-by", "closeness"])


def test_report_onto_a_folder_is_a_clear_error(ws, tmp_path, capsys):
    assert main([*ws, "import", str(GOOD), "--name", "small"]) == 0
    capsys.readouterr()
    assert main([*ws, "report", "small", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"--out {tmp_path} is a folder; give a file name, e.g. {tmp_path / 'report.html'}" in err
    assert "internal error" not in err


def test_demo_into_a_folder_that_cannot_be_made_is_a_clear_error(capsys):
    assert main(["demo", "--out", "/proc/x"]) == 2
    err = capsys.readouterr().err
    assert "--out /proc/x: cannot create this folder" in err and "internal error" not in err


def test_an_unwritable_output_is_a_clear_error_not_a_bug(ws, tmp_path, capsys, monkeypatch):
    assert main([*ws, "import", str(GOOD), "--name", "small"]) == 0
    capsys.readouterr()

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "r.html"))

    monkeypatch.setattr("pathlib.Path.write_text", full)
    assert main([*ws, "report", "small", "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert f"error: {tmp_path / 'r.html'}: No space left on device. Check the path, the free space" in err


def test_evaluate_with_no_bootstrap_is_not_an_internal_error(ws, demo_source, tmp_path, capsys):
    assert main([*ws, "import", str(demo_source), "--name", "demo"]) == 0
    assert main([*ws, "evaluate", "demo", "--out", str(tmp_path / "ev"), "--bootstrap", "0"]) == 0
    captured = capsys.readouterr()
    assert "Difference-in-differences:" in captured.out and "internal error" not in captured.err
    impact = json.loads((tmp_path / "ev" / "impact.json").read_text())
    assert impact["did_cross_agency_ties"]["ci_low"] is None  # the bootstrap interval: none with 0 replicates


@pytest.mark.parametrize("command", [["evaluate", "x", "--out", "o"],
                                     ["compare", "x", "--before", "a:b", "--after", "c:d", "--out", "o"]])
@pytest.mark.parametrize("bad", ["-1", "lots"])
def test_negative_replicates_are_a_usage_error(command, bad, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--bootstrap", bad])
    assert exit_.value.code == 2
    assert "expected a whole number of replicates, 0 or more" in capsys.readouterr().err


def test_log_shows_who_changed_what(ws, capsys):
    assert main([*ws, "import", str(GOOD), "--name", "small"]) == 0
    assert main([*ws, "import", str(GOOD), "--name", "small", "--replace"]) == 0
    assert main([*ws, "delete", "small"]) == 0
    capsys.readouterr()
    assert main([*ws, "log"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split("\t")[2:4] for line in lines] == [["import", "small"], ["replace", "small"],
                                                          ["delete", "small"]]
    assert all("(netdash command)" in line.split("\t")[1] for line in lines)
    assert lines[-1].endswith("5 contacts, 3 cop_attendance, 3 clients, 2 trust_survey")


def test_a_dataset_name_with_a_newline_is_refused(ws, capsys):
    assert main([*ws, "import", str(GOOD), "--name", "two\nlines"]) == 2
    assert "holds a line break" in capsys.readouterr().err


def test_main_lets_waiting_threads_sleep_unless_the_environment_says(monkeypatch, capsys):
    """Issue 19: OMP_WAIT_POLICY=PASSIVE and OPENBLAS_THREAD_TIMEOUT=4 are set, a user's own values kept."""
    import os

    from netdash.cli import main

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    monkeypatch.delenv("OPENBLAS_THREAD_TIMEOUT", raising=False)
    assert main(["validate", "/nonexistent/netdash-folder"]) != 0
    assert (os.environ["OMP_WAIT_POLICY"], os.environ["OPENBLAS_THREAD_TIMEOUT"]) == ("PASSIVE", "4")
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    monkeypatch.setenv("OPENBLAS_THREAD_TIMEOUT", "28")
    main(["validate", "/nonexistent/netdash-folder"])
    assert (os.environ["OMP_WAIT_POLICY"], os.environ["OPENBLAS_THREAD_TIMEOUT"]) == ("ACTIVE", "28")


def test_metrics_gives_blas_one_thread_other_commands_leave_it(monkeypatch):
    """Session 12: `netdash metrics` sets OPENBLAS_NUM_THREADS=1 unless the environment says; validate does not."""
    from netdash.cli import main

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    main(["validate", "/nonexistent/netdash-folder"])
    assert "OPENBLAS_NUM_THREADS" not in os.environ
    main(["metrics", "/nonexistent/netdash-folder", "--out", "/nonexistent/netdash-out"])
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    main(["metrics", "/nonexistent/netdash-folder", "--out", "/nonexistent/netdash-out"])
    assert os.environ["OPENBLAS_NUM_THREADS"] == "2"


def test_metrics_runs_numpy_with_one_blas_thread(tmp_path):
    """The setting is made before numpy loads, so OpenBLAS really starts with one thread in `netdash metrics`."""
    import subprocess
    import sys

    code = ("import sys, threadpoolctl; from netdash.cli import main; "
            f"main(['--workspace', {str(tmp_path / 'ws')!r}, 'metrics', '/nonexistent/netdash-folder', "
            f"'--out', {str(tmp_path / 'out')!r}]); "
            "print(sorted({i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas'}))")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert done.stdout.strip().splitlines()[-1] == "[1]"


def test_metrics_imports_neither_networkx_nor_scikit_learn(demo_source, tmp_path):
    """Session 12: the demo's `netdash metrics` works from matrices: networkx (deferred) is never imported.

    NetworKit would import networkx and scikit-learn if it could; netdash.metrics.backends holds both back,
    and scipy.io (session 20), which NetworKit's graphio imports for MATLAB files only.
    """
    import subprocess
    import sys

    code = ("import sys; from netdash.cli import main; "
            f"code = main(['--workspace', {str(tmp_path / 'ws')!r}, 'metrics', {str(demo_source)!r}, "
            f"'--out', {str(tmp_path / 'out')!r}]); "
            "print(code, 'networkit' in sys.modules, sorted({'networkx', 'sklearn', 'scipy.io'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "0 True []"


def test_importing_the_cli_loads_no_numpy():
    """OpenBLAS reads OPENBLAS_THREAD_TIMEOUT when numpy loads it: main must run before anything imports numpy."""
    import subprocess
    import sys

    code = "import sys, netdash.cli; print(sorted({'numpy', 'pandas', 'networkit'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

def test_metrics_keeps_imported_objects_out_of_collections_while_it_runs(ws, demo_source, tmp_path, monkeypatch):
    """Session 16: the objects alive after the command's imports are frozen while it runs and given back after;
    the files are byte-identical to those of a run without the freeze."""
    import gc

    from netdash import cli
    from netdash.analysis import NetworkAnalysis

    seen = []
    table = NetworkAnalysis.practitioner_table

    def watched(self):
        seen.append(gc.get_freeze_count())
        return table(self)

    monkeypatch.setattr(NetworkAnalysis, "practitioner_table", watched)
    assert gc.get_freeze_count() == 0
    assert main([*ws, "metrics", str(demo_source), "--out", str(tmp_path / "frozen")]) == 0
    assert seen[0] > 10_000  # modules, functions, classes: the imports' objects
    assert gc.get_freeze_count() == 0

    monkeypatch.setattr(cli, "skip_imported_in_collections", lambda: None)
    assert main([*ws, "metrics", str(demo_source), "--out", str(tmp_path / "plain")]) == 0
    assert seen[1] == 0
    for name in ("practitioners.csv", "network.json"):
        assert (tmp_path / "frozen" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()


def test_metrics_imports_run_no_collection_and_freeze_what_they_made():
    """Session 20: the collector is paused while `netdash metrics` imports its libraries (in a fresh process, where
    they are not yet loaded): no collection runs, the objects are frozen, and the collector is on again after."""
    import subprocess
    import sys

    code = ("import gc; runs = []; gc.callbacks.append(lambda phase, info: runs.append(phase)); "
            "from netdash.cli import metrics_imports; import sys; "
            "loaded_before = 'pandas' in sys.modules; runs.clear(); metrics_imports(); "
            "print(loaded_before, 'pandas' in sys.modules, len(runs), gc.isenabled(), gc.get_freeze_count() > 50_000)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True", "0", "True", "True"]


def test_metrics_imports_leave_the_collector_as_they_found_it(monkeypatch):
    import gc

    from netdash import cli

    monkeypatch.setattr(cli, "skip_imported_in_collections", lambda: None)  # freezing is the other tests' part
    assert gc.isenabled()
    cli.metrics_imports()
    assert gc.isenabled()
    gc.disable()
    try:
        cli.metrics_imports()
        assert not gc.isenabled()
    finally:
        gc.enable()

    def fails():
        raise RuntimeError("import failed")

    monkeypatch.setattr(cli, "skip_imported_in_collections", fails)
    with pytest.raises(RuntimeError):
        cli.metrics_imports()
    assert gc.isenabled()


def test_metrics_leaves_a_callers_own_freeze(ws, tmp_path):
    import gc

    gc.freeze()
    try:
        main([*ws, "metrics", "/nonexistent/netdash-folder", "--out", str(tmp_path / "out")])
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_metrics_freezes_the_survivors_at_exit(tmp_path):
    """Session 16: an exit handler moves every object left out of the collector's sight before shutdown."""
    import subprocess
    import sys

    # Exit handlers run last registered first: this one, registered before the command's, sees its effect.
    code = ("import atexit, gc; atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0)); "
            "from netdash.cli import main; "
            f"main(['--workspace', {str(tmp_path / 'ws')!r}, 'metrics', '/nonexistent/netdash-folder', "
            f"'--out', {str(tmp_path / 'out')!r}]); print('before exit', gc.get_freeze_count())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-2:] == ["before exit 0", "frozen True"]
