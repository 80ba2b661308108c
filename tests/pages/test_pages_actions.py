"""The Action pages (isolation, clients, report) and the isolation count helper.

Page values are checked against the library functions on the same period,
and every page is run on the edge cases every page must survive: an empty
period, a dataset where nobody attended a COP, and a COP start on the first
or last day of the data.
"""

import datetime as dt
import shutil

import numpy as np
import pandas as pd
import pytest
from apptest_support import metrics as _metrics
from apptest_support import open_page, small_tables
from apptest_support import texts as _texts

from netdash.networks import graphs
from netdash.actions.clients import client_teams
from netdash.errors import InvalidInputError
from netdash.actions.isolation import CATEGORIES, category_counts, isolation_report, may_be_named
from netdash.metrics.trust import trust_graph
from netdash.periods import Period

TIMEOUT = 180
PAGES = ["pages/isolation.py", "pages/clients.py", "pages/report.py"]
H1 = (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
H1_PERIOD = Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-07-01"))


# ---- category_counts (netdash.actions.isolation) ------------------------------------------------------

def _report(categories, agencies=None):
    return pd.DataFrame({"category": categories, "agency_id": agencies or ["A"] * len(categories)})


def test_category_counts_known_answer_without_suppression():
    report = _report(["isolated", "connected", "connected", "drifting"], ["A", "A", "B", "B"])
    counts = category_counts(report, by="agency_id", min_count=1)
    assert counts.index.name == "agency_id"
    assert counts.loc["A"].tolist() == [1, 0, 0, 1, 2]
    assert counts.loc["B"].tolist() == [0, 0, 1, 1, 2]
    assert list(counts.columns) == [*CATEGORIES, "in_post"]


def test_category_counts_complementary_suppression():
    # 1 isolated is hidden; the total (12) would give it back, so the smallest other
    # non-zero count (5 drifting) is hidden too; zero and 6 stay shown
    report = _report(["isolated"] + ["connected"] * 6 + ["drifting"] * 5)
    row = category_counts(report, min_count=5).loc["all"]
    assert np.isnan(row["isolated"]) and np.isnan(row["drifting"])
    assert row[["boundary_isolated", "connected", "in_post"]].tolist() == [0, 6, 12]


def test_category_counts_hides_a_small_total_and_uses_the_marker():
    counts = category_counts(_report(["isolated", "isolated", "connected"]), min_count=5, marker="hidden")
    assert counts.loc["all"].tolist() == ["hidden", 0, 0, "hidden", "hidden"]


def test_category_counts_of_an_empty_report():
    empty = _report([])
    assert category_counts(empty).loc["all"].tolist() == [0, 0, 0, 0, 0]
    assert category_counts(empty, by="agency_id").empty


def test_category_counts_missing_column():
    with pytest.raises(InvalidInputError, match=r"column\(s\) \['team'\] are missing"):
        category_counts(_report(["isolated"]), by="team")


def test_category_counts_bad_threshold():
    with pytest.raises(InvalidInputError, match="threshold should be a whole number"):
        category_counts(_report(["isolated"]), min_count=0)


# ---- the pages ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ws(app_workspace, demo_source, tmp_path_factory):
    """The app workspace with two edge-case copies of the demo: no COP attendance, and no contacts in March 2024."""
    root = tmp_path_factory.mktemp("action_pages")
    nocop, gap = root / "nocop", root / "gap"
    shutil.copytree(demo_source, nocop)
    header = (demo_source / "cop_attendance.csv").read_text().splitlines()[0]
    (nocop / "cop_attendance.csv").write_text(header + "\n")
    shutil.copytree(demo_source, gap)
    contacts = pd.read_csv(gap / "contacts.csv", dtype=str, keep_default_na=False)
    contacts[~contacts["date"].str.startswith("2024-03")].to_csv(gap / "contacts.csv", index=False)
    names = {info.name for info in app_workspace.list()}
    for name, folder in (("actions_nocop", nocop), ("actions_gap", gap)):
        if name not in names:
            app_workspace.import_dataset(folder, name=name)
    return app_workspace


def _page(ws, page, dataset="demo", period=H1, cop=None):
    return open_page(ws, page, dataset=dataset, period=period, cop_start=cop, timeout=TIMEOUT)


def test_isolation_counts_match_the_library(ws):
    at = _page(ws, "pages/isolation.py")
    assert at.title[0].value == "Isolation & introductions"
    assert "not for managing performance" in _texts(at.info)
    assert "People we could invite in" in _texts(at.subheader)
    report = isolation_report(ws.open("demo"), H1_PERIOD)
    expected = category_counts(report, min_count=5, marker="hidden").loc["all"]
    shown = _metrics(at)
    assert shown["No working ties recorded yet"] == str(expected["isolated"])
    assert shown["Cross-agency links fading"] == str(expected["drifting"])
    # only people whose group counts are shown are named (none on the demo at 5; everyone at 1)
    listed = report["category"] != "connected"
    assert int(shown["People listed"]) == int((listed & may_be_named(report, min_count=5)).sum())
    at.number_input(key="iso_min_count").set_value(1).run()
    assert int(_metrics(at)["People listed"]) == int(listed.sum())


def test_isolation_filters_change_the_list(ws):
    at = _page(ws, "pages/isolation.py")
    at.number_input(key="iso_min_count").set_value(1).run()
    at.multiselect(key="iso_situations").set_value(list(CATEGORIES)).run()
    in_post = len(graphs.practitioners_in_post(ws.open("demo"), H1_PERIOD))
    assert int(_metrics(at)["People listed"]) == in_post
    at.radio(key="iso_attendance").set_value("Has not attended yet").run()
    report = isolation_report(ws.open("demo"), H1_PERIOD)
    assert int(_metrics(at)["People listed"]) == int((~report["cop_attendee"]).sum()) < in_post


def test_isolation_threshold_hides_more_counts(ws):
    at = _page(ws, "pages/isolation.py")
    labels = {"isolated": "No working ties recorded yet", "boundary_isolated": "Works only within their own agency",
              "drifting": "Cross-agency links fading", "connected": "Connected across agencies"}
    report = isolation_report(ws.open("demo"), H1_PERIOD)
    before = [_metrics(at)[label] for label in labels.values()]
    at.number_input(key="iso_min_count").set_value(50).run()
    assert not at.exception
    expected = category_counts(report, min_count=50, marker="hidden").loc["all"]
    after = [_metrics(at)[label] for label in labels.values()]
    assert after == [str(expected[c]) for c in labels]
    assert after.count("hidden") > before.count("hidden")


def test_isolation_drift_share_changes_who_is_fading(ws):
    at = _page(ws, "pages/isolation.py")
    at.number_input(key="iso_min_count").set_value(1).run()
    before = int(_metrics(at)["Cross-agency links fading"])
    at.select_slider(key="iso_drift_share").set_value(1.0).run()
    assert not at.exception
    report = isolation_report(ws.open("demo"), H1_PERIOD, drift_share=1.0)
    after = int(_metrics(at)["Cross-agency links fading"])
    assert after == int((report["category"] == "drifting").sum()) < before


def test_introductions_list_is_capped_and_names_no_client(ws):
    at = _page(ws, "pages/isolation.py")
    header, *intros = small_tables(at)[-1]
    # The evidence next to the two names, read without scrolling sideways.
    assert header == ["practitioner_1", "practitioner_2", "evidence", "agency_1", "agency_2", "shared_clients",
                      "last_shared_contact", "common_colleagues"]
    assert len(intros) == 25
    assert not any("c_" in row[2] for row in intros)
    # The library's pairs, in its order, with its counts and dates (working ties, the page's default).
    from netdash.actions.isolation import suggest_introductions

    expected = suggest_introductions(ws.open("demo"), H1_PERIOD, ties="working").head(25)
    assert [row[5] for row in intros] == [str(n) for n in expected["shared_clients"]]
    assert [row[6] for row in intros] == [str(d.date()) for d in expected["last_shared_contact"]]
    assert [row[7] for row in intros] == [str(n) for n in expected["common_colleagues"]]
    at.number_input(key="intro_top").set_value(5).run()
    assert len(small_tables(at)[-1]) == 1 + 5


def test_clients_summary_matches_the_library(ws):
    at = _page(ws, "pages/clients.py")
    ds = ws.open("demo")
    teams = client_teams(ds, H1_PERIOD)
    shown = _metrics(at)
    assert shown["Clients with a multi-agency team"] == f"{len(teams):,}"
    assert shown["Team cohesion (mean)"] == f"{teams['cohesion'].mean():.0%}"
    per_client = at.dataframe[-1].value
    assert list(per_client.columns) == ["client (pseudonym)", "agencies involved", "practitioners", "agency names",
                                        "cohesion", "pattern", "days from placement to next agency"]
    assert "Two windows of equal length" in _texts(at.caption)
    assert len(at.get("vega_lite_chart")) == 1


def test_clients_trust_toggle_uses_trust_ties(ws):
    at = _page(ws, "pages/clients.py")
    before = _metrics(at)["Team cohesion (mean)"]
    at.toggle(key="clients_trust").set_value(True).run()
    assert not at.exception
    ds = ws.open("demo")
    expected = client_teams(ds, H1_PERIOD, trust=trust_graph(ds, H1_PERIOD))["cohesion"].mean()
    after = _metrics(at)["Team cohesion (mean)"]
    assert after == f"{expected:.0%}" != before


def test_report_builds_escapes_the_title_and_offers_files(ws):
    at = _page(ws, "pages/report.py")
    assert "Press “Build the report”" in _texts(at.info)
    assert not at.get("iframe")
    at.text_input(key="report_title::demo").set_value("<script>alert(1)</script> Board").run()
    at.selectbox(key="report_replicates").set_value(0).run()
    at.button(key="report_build").click().run()
    assert not at.exception
    html = at.get("iframe")[0].proto.srcdoc
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Board" in html and "<script>alert" not in html
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:3] == ["Download the report (HTML)", "Download GraphML", "Download GEXF (Gephi)"]
    G = graphs.practitioner_graph(ws.open("demo"), H1_PERIOD, ties="working")
    assert f"{G.number_of_nodes()} practitioners and {G.number_of_edges()} ties." in _texts(at.caption)
    at.text_input(key="report_title::demo").set_value("Another title").run()
    assert "settings have changed" in _texts(at.info)


def test_report_measures_table_on_request(ws):
    at = _page(ws, "pages/report.py")
    tables = len(at.dataframe)
    at.button(key="report_measures").click().run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert len(at.dataframe) == tables + 1
    assert len(table) == len(graphs.practitioners_in_post(ws.open("demo"), H1_PERIOD))
    assert list(table.columns[:4]) == ["practitioner", "agency", "practitioner_id", "agency_id"]


EDGE_MESSAGES = {
    # (case, page): (element kind, text that must appear)
    ("nocop", "pages/isolation.py"): ("info", "Nobody in this dataset had attended a COP session"),
    ("nocop", "pages/clients.py"): ("info", "Nobody in this dataset has attended a COP session"),
    ("nocop", "pages/report.py"): ("info", "Nobody in this dataset has attended a COP session"),
    ("empty", "pages/isolation.py"): ("warning", "No contacts are recorded in 2024-03-01 to 2024-04-01"),
    ("empty", "pages/clients.py"): ("info", "No client was seen by practitioners of two or more agencies"),
    ("empty", "pages/report.py"): ("warning", "No contacts are recorded in 2024-03-01 to 2024-04-01"),
    ("cop_first", "pages/isolation.py"): ("caption", "The COP start date is not used on this page"),
    ("cop_first", "pages/clients.py"): ("info", "leaves nothing before it"),
    ("cop_first", "pages/report.py"): ("warning", "leaves nothing before it"),
    ("cop_last", "pages/isolation.py"): ("caption", "The COP start date is not used on this page"),
    ("cop_last", "pages/clients.py"): ("warning", "The COP start is 1 day from the start or end"),
    ("cop_last", "pages/report.py"): ("warning", "The COP start is 1 day from the start or end"),
}
CASES = {
    "nocop": dict(dataset="actions_nocop", period=H1),
    "empty": dict(dataset="actions_gap", period=(dt.date(2024, 3, 1), dt.date(2024, 3, 31))),
    "cop_first": dict(period=(dt.date(2023, 1, 1), dt.date(2024, 12, 31)), cop=dt.date(2023, 1, 1)),
    "cop_last": dict(period=(dt.date(2023, 1, 1), dt.date(2024, 12, 31)), cop=dt.date(2024, 12, 31)),
}


@pytest.mark.parametrize(("case", "page"), sorted(EDGE_MESSAGES))
def test_edge_cases_give_a_clear_message(ws, case, page):
    at = _page(ws, page, **CASES[case])
    kind, text = EDGE_MESSAGES[case, page]
    assert text in _texts(getattr(at, kind))
    assert not at.error


def test_report_builds_without_any_cop_attendance(ws):
    at = _page(ws, "pages/report.py", dataset="actions_nocop")
    at.selectbox(key="report_replicates").set_value(0).run()
    at.button(key="report_build").click().run()
    assert not at.exception and not at.error
    assert "Cross-agency working: actions_nocop" in at.get("iframe")[0].proto.srcdoc
