"""AppTest smoke tests and one interaction per page, on the demo data."""

import re
from pathlib import Path

import pytest
from apptest_support import chart_data, drawn_maps, html_table, small_tables
from apptest_support import metrics as _metrics
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
TIMEOUT = 120


@pytest.fixture
def app(app_workspace):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    return at


def _open(at, page):
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def test_overview_shows_dataset_counts(app):
    assert app.title[0].value == "Overview"
    labels = {m.label: m.value for m in app.metric}
    assert int(labels["Agencies"]) >= 10
    assert int(labels["Practitioners"]) >= 100
    # Every count with thousands separators, as the contacts are (the demo's 2,000 clients read "2000").
    assert labels["Clients seen"] == "2,000"


def test_overview_follows_the_period(app):
    before = {m.label: m.value for m in app.metric}["Contacts"]
    period = app.sidebar.date_input[0]
    start, end = period.value
    period.set_value((start, start.replace(day=28))).run()
    assert not app.exception
    after = {m.label: m.value for m in app.metric}["Contacts"]
    assert int(after.replace(",", "")) < int(before.replace(",", ""))


def test_data_page_lists_demo_and_offers_template(app):
    at = _open(app, "pages/data.py")
    assert at.title[0].value == "Data"
    names = at.selectbox(key="manage_dataset").options
    assert "demo" in names


def test_data_page_delete_needs_confirmation(app):
    at = _open(app, "pages/data.py")
    button = at.button(key="delete_dataset")
    assert button.disabled


def test_network_map_draws_and_filters_by_agency(app):
    at = _open(app, "pages/network_map.py")
    assert len(drawn_maps(at)) == 1
    everyone = int({m.label: m.value for m in at.metric}["Practitioners shown"])
    agencies = at.multiselect(key="map_agencies")
    agencies.set_value([agencies.options[0]]).run()
    assert not at.exception
    some = int({m.label: m.value for m in at.metric}["Practitioners shown"])
    assert 0 < some < everyone


def test_trust_page_follows_the_rule_settings(app):
    at = _open(app, "pages/trust.py")
    assert at.title[0].value == "Trust"
    strict_before = int(_metrics(at)["Trust ties"])
    assert strict_before > 0
    at.number_input(key="trust_min_interactions").set_value(1).run()
    at.number_input(key="trust_min_months").set_value(1).run()
    assert not at.exception
    assert int(_metrics(at)["Trust ties"]) > strict_before
    assert "at least 1 contact in all" in at.info[0].value


def test_brokerage_page_lists_boundary_spanners(app):
    at = _open(app, "pages/brokerage.py")
    assert at.title[0].value == "Brokerage"
    spanners = at.dataframe[0].value
    assert len(spanners) > 0
    assert (spanners["other_agencies"] >= 2).all()
    at.toggle(key="brokerage_weighted").set_value(True).run()
    assert not at.exception


def test_fragmentation_page_changes_with_tie_type(app):
    at = _open(app, "pages/fragmentation.py")
    working = float(_metrics(at)["Fragmentation"])
    at.selectbox(key="frag_ties").set_value("cop").run()
    assert not at.exception
    cop_only = float(_metrics(at)["Fragmentation"])
    # Only a minority attends the COP, so COP ties alone leave most people unconnected.
    assert cop_only > working


AUTH = {"auth": {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "netdash", "client_secret": "s",
                 "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}}


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/network_map.py", "pages/data.py"])
def test_signed_out_visitor_sees_no_page_when_sign_in_is_configured(app_workspace, page):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets.update(AUTH)
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["netdash"]
    assert at.button(key="sign_in").label == "Sign in"
    assert len(at.metric) == 0 and len(at.dataframe) == 0 and len(drawn_maps(at)) == 0
    assert len(at.sidebar.selectbox) == 0
    # No dashboard page is even registered for a signed-out visitor.
    with pytest.raises(ValueError, match=r"Known pages: \['Sign in'\]"):
        at.switch_page(page)


def test_signed_in_user_sees_the_dashboard(app_workspace):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets.update(AUTH)
    at.user = {"is_logged_in": True, "email": "lead@example.org"}
    at.run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert any(r"lead@example\.org" in c.value for c in at.sidebar.caption)


def test_markdown_escape_keeps_user_text_literal():
    from pages._shared import md

    assert md("![x](https://e.org/t.png)") == r"\!\[x\]\(https\://e\.org/t\.png\)"
    assert md(":red[P-1] **b**") == r"\:red\[P\-1\] \*\*b\*\*"
    assert md("Ann O'Neil") == "Ann O'Neil"


def test_dataset_name_is_not_markdown_on_the_overview(app_workspace, tmp_path, demo_source):
    import shutil

    folder = tmp_path / "named"
    shutil.copytree(demo_source, folder)
    name = "![t](https://example.org/t.png) :red[x]"
    app_workspace.import_dataset(folder, name=name)
    try:
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.run()
        at.sidebar.selectbox(key="dataset").set_value(name).run()
        assert not at.exception
        heading = next(h.value for h in at.subheader if h.value.startswith("Dataset"))  # after the COP verdict
        assert r"\!\[t\]\(https\://example\.org/t\.png\)" in heading
    finally:
        app_workspace.delete(name)


def test_fragmentation_page_lists_each_practitioners_ei_index(app):
    at = _open(app, "pages/fragmentation.py")
    tables = [d.value for d in at.dataframe if "ei_index" in d.value.columns and "practitioner" in d.value.columns]
    assert tables, "no per-practitioner E-I table"
    values = tables[0]["ei_index"].dropna()
    assert len(values) > 100 and values.between(-1, 1).all()


def test_small_table_is_one_html_table_with_every_name_escaped(monkeypatch):
    import pandas as pd

    from pages import _shared

    shown = []
    monkeypatch.setattr(_shared.st, "html", shown.append)
    frame = pd.DataFrame({"ei_index": [0.895792, float("nan")], "gain": [0.000003, 0.5007184], "n": [13, 1419]},
                         index=pd.Index(["<img src=x onerror=alert(1)>", "A & B"], name="agency"))
    _shared.small_table(frame)
    (body,) = shown
    assert "<img" not in body
    assert html_table(body) == [
        ["agency", "ei_index", "gain", "n"],
        ["<img src=x onerror=alert(1)>", "0.8958", "0.000003", "13"],  # a small gain is not shown as 0
        ["A & B", "", "0.5007", "1419"],
    ]
    assert body.count("class='nd-n'") == 6  # numbers on the right
    assert "<th>ei_<wbr>index</th>" in body  # a header may break after its underscore, not inside a word
    _shared.small_table(frame.reset_index(), hide_index=True)
    assert html_table(shown[1])[0] == ["agency", "ei_index", "gain", "n"]
    assert "class='nd-long'" not in shown[1]  # short names: no wide cells
    sentence = "Both worked with 8 of the same clients, most recently on 2024-12-29."
    _shared.small_table(pd.DataFrame({"who": ["A", "B"], "evidence": [sentence, "short"], "n": [1, 2]}),
                        hide_index=True)
    assert shown[2].count("class='nd-long'") == 2 and shown[2].count("class='nd-n'") == 2  # a column of sentences
    assert shown[2].count("class='nd-word'") == 2  # single words (a date) are not broken at a hyphen
    # decimals=3 (Before & after's measures, session 16): the values a data grid showed of a frame rounded to 3
    # decimals, not 4 significant digits (43767 ties were shown as 43770)
    _shared.small_table(pd.DataFrame({"before": [43767.0, 0.04, -0.0004, 0.6789]}, index=list("abcd")).round(3),
                        decimals=3)
    assert [row[1] for row in html_table(shown[3])] == ["before", "43767", "0.04", "0", "0.679"]


def _page_table(at, first_header):
    """The rows under the header of the page's small table whose first column is ``first_header``."""
    return next(rows[1:] for rows in small_tables(at) if rows[0][0] == first_header)


def test_fragmentation_page_tables_show_the_librarys_numbers(app, app_workspace):
    import numpy as np
    import pandas as pd

    from netdash.analysis import NetworkAnalysis
    from netdash.periods import Period

    at = _open(app, "pages/fragmentation.py")  # working ties, 1,000 permutations, the whole date range
    ds = app_workspace.open("demo")
    first, last = ds.date_range
    period = Period(pd.Timestamp(first.date()), pd.Timestamp(last.date()) + pd.Timedelta(days=1))
    m = NetworkAnalysis(ds, period, ties="working").fragmentation_measures(1000)
    names = dict(zip(ds.agencies["agency_id"], ds.agencies["name"]))

    def same(cell, value):
        if isinstance(value, float) and np.isnan(value):
            return cell == ""
        return float(cell) == float(np.format_float_positional(value, precision=4, fractional=False))

    by_agency = _page_table(at, "agency")
    assert [row[0] for row in by_agency] == [names.get(a, a) for a in m["ei_by_group"].index]
    for row, values in zip(by_agency, m["ei_by_group"].itertuples(index=False)):
        assert row[1:4] == [str(v) for v in values[:3]]  # counts exactly
        assert same(row[4], values[3])

    keys = _page_table(at, "practitioner")
    assert [row[1] for row in keys] == list(m["key_players"].index)
    for row, values in zip(keys, m["key_players"].itertuples(index=False)):
        assert all(same(cell, value) for cell, value in zip(row[2:], values))
    # No data grid for these two small tables; the per-practitioner table (every practitioner) stays one.
    grids = [set(d.value.columns) for d in at.dataframe]
    assert grids == [{"practitioner", "practitioner_id", "ei_index"}]


@pytest.mark.parametrize("page, key, columns", [
    ("pages/fragmentation.py", "frag_heatmap_groups", ("from", "to")),
    ("pages/before_after.py", "ba_heatmap_groups", ("agency", "agency_to")),
])
def test_agency_heat_maps_can_show_sectors_with_the_same_total(app, app_workspace, page, key, columns):
    # The demo's 12 agencies fit an agency × agency grid, so that is the default; sectors add up the same ties.
    at = _open(app, page)
    assert at.radio(key=key).value == "agency"
    by_agency = chart_data(at)
    at.radio(key=key).set_value("sector").run()
    assert not at.exception, at.exception
    by_sector = chart_data(at)
    sectors = app_workspace.open("demo").agencies["sector"]
    labels = {s.replace("_", " ").capitalize() for s in sectors}
    assert len(by_sector) == len(by_agency) >= 1
    for agency_frame, sector_frame in zip(by_agency, by_sector):
        assert set(sector_frame[columns[0]]) == set(sector_frame[columns[1]]) == labels
        assert len(sector_frame) == len(labels) ** 2 < len(agency_frame)
        # Off-diagonal cells hold each tie twice, diagonal cells once: the same ties whichever grouping.
        def ties(frame):
            same = frame[columns[0]] == frame[columns[1]]
            return frame.loc[same, "ties"].sum() + frame.loc[~same, "ties"].sum() / 2
        assert ties(sector_frame) == ties(agency_frame) != 0


def test_trust_page_sends_the_strongest_pairs_and_says_how_many_are_left_out(app, app_workspace, monkeypatch):
    from netdash.metrics.trust import trust_edges
    from netdash.periods import Period
    from pages import _shared

    monkeypatch.setattr(_shared, "MAX_TABLE_ROWS", 40)
    at = _open(app, "pages/trust.py")
    at.toggle(key="trust_only").set_value(False).run()
    assert not at.exception, at.exception
    every = trust_edges(app_workspace.open("demo"), Period())
    shown = next(d.value for d in at.dataframe if "is_trust_tie" in d.value.columns)
    assert len(shown) == 40 < len(every)
    assert f"Showing the 40 pairs (trust ties first, strongest first) of {len(every):,}" in " ".join(
        c.value for c in at.caption)
    # Trust ties first, then the strongest: the shown rows are the top of that order.
    expected = every.sort_values(["is_trust_tie", "strength"], ascending=False, kind="stable").head(40)
    assert shown["strength"].tolist() == expected["strength"].tolist()
    assert shown["is_trust_tie"].tolist() == expected["is_trust_tie"].tolist()


@pytest.fixture
def caches_cleared_after():
    """Clear Streamlit's caches after the test: values computed under a patched budget must not serve later tests."""
    import streamlit as st

    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.mark.slow  # the all-pairs reference on the demo, then the page twice
def test_fragmentation_page_distance_weighted_value_exact_then_sampled(app, app_workspace, monkeypatch,
                                                                       caches_cleared_after):
    import streamlit as st

    from netdash.analysis import NetworkAnalysis
    from netdash.metrics import fragmentation
    from netdash.periods import Period

    G = NetworkAnalysis(app_workspace.open("demo"), Period(), ties="working").G
    exact = fragmentation.distance_weighted_fragmentation(G)  # the all-pairs reference
    st.cache_resource.clear()
    at = _open(app, "pages/fragmentation.py")
    assert _metrics(at)["Distance-weighted"] == f"{exact:.3f}"
    # Above the work budget the page shows the estimate with its 95% interval, and says so.
    monkeypatch.setitem(NetworkAnalysis.__init__.__kwdefaults__, "max_work", 1.0)
    st.cache_resource.clear()
    at = _open(app, "pages/fragmentation.py")
    shown = next(m for m in at.metric if m.label == "Distance-weighted")
    value, half = (float(x) for x in shown.value.split(" ± "))
    assert half > 0 and abs(value - exact) < 4 * half
    assert "Estimated from 128 randomly chosen practitioners" in shown.help


def test_fragmentation_page_shows_agency_nmi_median_and_range(app, app_workspace):
    from netdash.analysis import NetworkAnalysis
    from netdash.metrics import communities
    from netdash.periods import Period

    G = NetworkAnalysis(app_workspace.open("demo"), Period(), ties="working").G
    expected = communities.agency_alignment(G, "agency", seed=0, implementation="auto")
    at = _open(app, "pages/fragmentation.py")
    assert _metrics(at)["Match with agencies (NMI)"] == f"{expected['nmi']:.2f}"
    note = next(c.value for c in at.caption if "runs of the randomised search" in c.value)
    assert f"NMI ranged from {expected['nmi_min']:.2f} to {expected['nmi_max']:.2f}" in note
    assert note.startswith("Middle value (median) of 10 runs")


def test_app_raises_the_garbage_collector_thresholds(app):
    # The cached graphs are millions of long-lived objects; default thresholds rescanned them on every cold page.
    import gc

    assert gc.get_threshold() == (50_000, 20, 20)


def test_the_server_skips_streamlits_full_collection_after_each_run():
    # Streamlit's gc.collect(2) after every run held the interpreter lock for 0.3 to 0.7 s with the medium
    # caches in memory, so every interaction waited for it (docs/browser_timings.md). The option's name is
    # checked against Streamlit's own list: a renamed option would be silently ignored.
    import tomllib

    from streamlit import config

    settings = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["runner"]["postScriptGC"] is False
    assert "runner.postScriptGC" in config._config_options_template


# Runs the app script in a fresh interpreter (bare mode: it stops once it needs a session) and notes the OpenBLAS
# setting at the moment something first imports numpy.
_NUMPY_WATCH = """
import importlib.abc, os, runpy, sys
for name in ("OMP_WAIT_POLICY", "OPENBLAS_THREAD_TIMEOUT"):
    os.environ.pop(name, None)
seen = []
class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "numpy" and not seen:
            seen.append(os.environ.get("OPENBLAS_THREAD_TIMEOUT"))
sys.meta_path.insert(0, Watch())
import streamlit
sys.path.insert(0, os.path.dirname(sys.argv[1]))
try:
    runpy.run_path(sys.argv[1], run_name="__main__")
except BaseException:
    pass
print(seen)
"""


def test_the_app_lets_waiting_threads_sleep_before_numpy_loads():
    # OpenBLAS reads its setting when numpy loads it: set later, it would do nothing (netdash.threads).
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _NUMPY_WATCH, APP], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "['4']", done.stdout + done.stderr


def test_background_imports_load_every_listed_module(app, caplog):
    import sys

    from pages import _shared

    thread = _shared.warm_imports()  # started by the app's first run, once per server
    assert thread.name == "netdash-warm-imports" and _shared.warm_imports() is thread
    thread.join(timeout=60)
    assert not thread.is_alive()
    _shared._import_all()  # again in this thread: a misspelt name would be logged
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert all(name in sys.modules for name in _shared.WARM_IMPORTS)


def test_download_csv_builds_a_deferred_table_only_when_clicked(monkeypatch):
    import pandas as pd

    from pages import _shared

    pressed, built = {}, []
    monkeypatch.setattr(_shared.st, "download_button", lambda label, data, **kw: pressed.update(data=data, **kw))

    def table():
        built.append(1)
        return pd.DataFrame({"practitioner": ["=HYPERLINK(1)", "Ann"], "ties": [2, 3]})

    _shared.download_csv(table, "t.csv", key="k")
    assert built == [] and pressed["file_name"] == "t.csv"
    csv = pressed["data"]().decode("utf-8-sig")  # what Streamlit calls when the button is pressed
    assert built == [1]
    assert "'=HYPERLINK(1)" in csv and "Ann,3" in csv  # formula-safe, every row


def test_brokerage_page_takes_the_analysis_betweenness_and_says_when_it_is_estimated(app, app_workspace,
                                                                                    monkeypatch,
                                                                                    caches_cleared_after):
    import streamlit as st

    from netdash.analysis import NetworkAnalysis
    from netdash.periods import Period

    at = _open(app, "pages/brokerage.py")
    exact = NetworkAnalysis(app_workspace.open("demo"), Period(), ties="working").betweenness
    table = next(d.value for d in at.dataframe if {"practitioner_id", "betweenness"} <= set(d.value.columns))
    shown = dict(zip(table["practitioner_id"], table["betweenness"]))
    assert exact.method == "exact" and not at.info
    assert all(abs(shown[p] - v) < 1e-12 for p, v in exact.values.items())
    # Above the work budget: the estimate, its standard errors, and a note; weighted falls back to it.
    monkeypatch.setitem(NetworkAnalysis.__init__.__kwdefaults__, "max_work", 1e3)
    st.cache_resource.clear()
    at = _open(app, "pages/brokerage.py")
    assert "estimated from" in at.info[0].value and "betweenness_se" in at.info[0].value
    table = next(d.value for d in at.dataframe if "betweenness_se" in d.value.columns)
    assert (table["betweenness_se"] > 0).any()
    at.toggle(key="brokerage_weighted").set_value(True).run()
    assert "Weighted betweenness would need" in at.info[0].value and "unweighted is shown" in at.info[0].value


def _record_status_labels(monkeypatch, shared):
    """Make every dataset large and record each status box's labels, in order, into the returned list."""
    labels = []
    real_status = shared.st.status

    def recording_status(label, **kwargs):
        box = real_status(label, **kwargs)
        labels.append(label)
        real_update = box.update

        def update(**changes):
            labels.append(changes.get("label"))
            return real_update(**changes)

        box.update = update
        return box

    from pages import _cached

    monkeypatch.setattr(_cached, "LARGE_CONTACTS", 1)  # the demo counts as large
    monkeypatch.setattr(shared.st, "status", recording_status)
    return labels


@pytest.mark.parametrize("page, title", [("pages/brokerage.py", "Brokerage"),
                                         ("pages/fragmentation.py", "Fragmentation")])
def test_large_data_shows_the_stages_in_a_status_box_small_data_does_not(app, monkeypatch, page, title):
    import pages._shared as shared

    at = _open(app, page)
    assert not [e for e in at.main if getattr(e, "type", "") == "expandable" and "done" in str(e.label)]
    labels = _record_status_labels(monkeypatch, shared)
    at.run()
    assert not at.exception, at.exception
    assert labels[0] == f"{title}…" and labels[-1] == f"{title}: done"
    assert any(label and label.startswith("Building the network of") for label in labels)
    # What is estimated and from how many: netdash.analysis.betweenness_stage, distance.fragmentation_stage.
    stage = [label for label in labels if label and label.startswith(
        ("Computing betweenness exactly (200 practitioners", "Estimating betweenness from 64 randomly chosen",
         "Measuring fragmentation: distances between all 200 practitioners, E-I test with 1,000 relabellings"))]
    assert len(stage) == 1, labels


def test_the_network_map_names_its_stages_on_large_data(app, monkeypatch):
    import pages._shared as shared

    at = _open(app, "pages/network_map.py")
    labels = _record_status_labels(monkeypatch, shared)
    at.run()
    assert not at.exception, at.exception
    assert labels[:4] == ["Network map…", "Building the network of 53,503 contacts…", "Laying out 200 practitioners…",
                          "Network map: done"]
    assert labels[4] == "Drawing the map…" and labels[-1] == "Drawing the map: done" and len(labels) == 7
    assert re.fullmatch(r"Choosing what to draw among 200 practitioners and [\d,]+ ties…", labels[5])


def test_client_teams_and_the_report_name_their_stages_on_large_data(app, monkeypatch):
    import pages._shared as shared

    at = _open(app, "pages/clients.py")
    labels = _record_status_labels(monkeypatch, shared)
    at.run()
    assert not at.exception, at.exception
    assert labels == ["Client teams…", "Finding the team around each client in 53,503 contacts…",
                      "Client teams: done", "Before and after…",
                      "Finding the teams of the two windows either side of the COP start…", "Before and after: done"]
    labels.clear()
    at.switch_page("pages/report.py").run()
    at.button(key="report_build").click().run()
    assert not at.exception, at.exception
    assert labels[0] == "Building the report…" and labels[-1] == "Building the report: done"
    assert labels[1].startswith("Building the report from 53,503 contacts: headline measures")


@pytest.mark.parametrize("page, titles, stage", [
    # Before & after draws its maps, then compares the periods: a box for each.
    ("pages/before_after.py", ("Before & after: the maps", "Before & after: the measures"),
     "Building the networks of both periods from 53,503 contacts"),
    ("pages/over_time.py", ("Over time",), "Measuring the network of every quarter window in 53,503 contacts"),
    ("pages/isolation.py", ("Isolation",), "Finding who has no ties, or only ties inside their agency"),
])  # COP impact names its stages only while it computes them: the test after this one
def test_the_change_and_action_pages_name_their_stages_on_large_data(app, monkeypatch, page, titles, stage):
    import pages._shared as shared

    at = _open(app, page)
    labels = _record_status_labels(monkeypatch, shared)
    at.run()
    assert not at.exception, at.exception
    for title in titles:  # each box opens with its title and ends done
        opened = labels.index(f"{title}…")
        assert f"{title}: done" in labels[opened:]
    assert labels[0] == f"{titles[0]}…" and labels[-1] == f"{titles[-1]}: done"
    assert any(label and label.startswith(stage) for label in labels), labels


def test_cop_impact_and_the_overview_verdict_name_the_estimate_stages_on_large_data(app, monkeypatch,
                                                                                  caches_cleared_after):
    """At regional scale the estimate takes tens of seconds (docs/benchmarks.md, "COP impact's memory at large
    scale"): each stage is named as it starts, the attendee pairs with their number, on both pages."""
    import streamlit as st

    import pages._shared as shared

    at = _open(app, "pages/cop_impact.py")
    labels = _record_status_labels(monkeypatch, shared)
    st.cache_resource.clear()
    at.run()
    assert not at.exception, at.exception
    pairs = r"[\d,]+ pairs of attendees from different agencies…"
    want = ["COP impact…",
            "Counting every practitioner's colleagues in other agencies before and after the COP start…",
            "Following every practitioner month by month through 53,503 contacts…",
            "The difference-in-differences of attendees and non-attendees, with tie-aware intervals…",
            "The event study: every practitioner's colleagues in other agencies, month by month…",
            "Met at the COP: counting the comparison pairs of every stratum: " + pairs,
            "Met at the COP: each pair's influence on the estimate, summed per practitioner: " + pairs,
            "The person-level headline over the after window…",
            "Matching attendees with non-attendees, with 1,000 bootstrap replicates…",
            "COP impact: done"]

    def matches(got, expected):
        return len(got) == len(expected) and all(re.fullmatch(re.escape(w).replace(re.escape(pairs), pairs), label)
                                                 for w, label in zip(expected, got))

    assert matches(labels, want), labels
    # Computed once: opening the page again finds it in the cache and shows no stage.
    labels.clear()
    at.run()
    assert labels == ["COP impact…", "COP impact: done"]
    labels.clear()
    st.cache_resource.clear()
    at.switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    verdict = [label for label in labels if label and "COP verdict" in label]
    assert matches(verdict, ["The COP verdict…", *(f"COP verdict: {w}" for w in want[1:-1]), "The COP verdict: done"]), \
        verdict
