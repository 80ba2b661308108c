"""The "Change" pages (Before & after, Over time, COP impact) and the library helpers behind them."""

import shutil

import networkx as nx
import pandas as pd
import pytest
from apptest_support import altair_mixing_heatmap, before_after_measures, chart_data, drawn_maps, small_tables
from apptest_support import metrics as _metrics
from apptest_support import open_page
from apptest_support import texts as _texts

from netdash.change.headline import HEADLINE_MEASURES
from netdash.change.headline import HEADLINE_EXPLANATIONS
from netdash.change.windows import period_notes, split_at
from netdash.viz.panels import LOST_STYLE, NEW_CROSS_STYLE, before_after_maps, map_panel
from netdash.errors import AnalysisError
from netdash.change.impact.estimators import dose_response_line
from netdash.viz import stable_positions

DEMO_FIRST, DEMO_LAST = "2023-01-01", "2024-12-31"


def _map_data(data):
    """Nodes by practitioner id, and ties, from a map spec (a panel's ``spec``, or ``drawn_maps``)."""
    pid = {}
    for node in data["nodes"]:
        ids = [line[4:] for line in node["tip"] if line.startswith("ID: ")]
        pid[node["id"]] = ids[0] if ids else node["tip"][0]
    nodes = {pid[n["id"]]: n for n in data["nodes"]}
    edges = {tuple(sorted((pid[e["from"]], pid[e["to"]]))): {**e, **data["tie_styles"][e["style"]]}
             for e in data["ties"]}
    return nodes, edges


# --- library: periods -----------------------------------------------------------------------------

def test_split_at_cuts_the_days_into_two_half_open_periods():
    before, after = split_at("2024-01-01", "2024-12-31", "2024-06-01")
    assert (before.start, before.end) == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-06-01"))
    assert (after.start, after.end) == (pd.Timestamp("2024-06-01"), pd.Timestamp("2025-01-01"))
    # A COP start on the last day leaves a one-day after period, which is allowed (and flagged).
    assert split_at("2024-01-01", "2024-12-31", "2024-12-31")[1].label() == "2024-12-31 to 2025-01-01"


@pytest.mark.parametrize("cop_start, message", [
    ("2024-01-01", "first day of the data shown.*no before period"),
    ("2023-06-01", "no before period"),
    ("2025-01-01", "after the last day.*no after period"),
    (None, "nobody attended a COP session"),
])
def test_split_at_explains_an_impossible_split(cop_start, message):
    with pytest.raises(AnalysisError, match=message):
        split_at("2024-01-01", "2024-12-31", cop_start)


def test_period_notes_flag_overlap_and_unequal_lengths():
    from netdash.periods import Period
    day = pd.Timestamp
    assert period_notes(Period(day("2024-01-01"), day("2024-07-01")), Period(day("2024-07-01"), day("2024-12-30"))) == []
    # issue 16: any difference in length is said, even 182 against 184 days
    near = period_notes(*split_at("2024-01-01", "2024-12-31", "2024-07-01"))
    assert len(near) == 1 and near[0].startswith("The before period is 182 days long and the after period 184 days")
    assert "per 30 days" in near[0] and "very unequal" not in near[0]
    one_day = period_notes(*split_at("2024-01-01", "2024-12-31", "2024-12-31"))
    assert len(one_day) == 1 and one_day[0].startswith("The before period is 365 days long and the after period 1 day:")
    assert "very unequal" in one_day[0]
    from netdash.periods import parse_period
    overlap = period_notes(parse_period("2024-01-01:2024-07-01"), parse_period("2024-06-01:2024-11-30"))
    assert len(overlap) == 1 and "overlap" in overlap[0]


def test_headline_explanations_cover_every_headline_measure_in_order():
    assert list(HEADLINE_EXPLANATIONS) == list(HEADLINE_MEASURES)
    assert all(len(v) == 3 and all(v) for v in HEADLINE_EXPLANATIONS.values())


# --- library: maps ---------------------------------------------------------------------------------

@pytest.fixture
def two_periods():
    # a1, a2 in agency A; b1 in B; c1 (left) only before; d1 (joined) only after.
    # Before: a1-a2 (kept), a1-b1 (lost, cross), a2-c1 (lost, cross).
    # After:  a1-a2 (kept), a2-b1 (new, cross), b1-d1 (new, cross), a1-a3 (new, within).
    agency = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "c1": "C", "d1": "D"}
    before, after = nx.Graph(), nx.Graph()
    before.add_nodes_from((n, {"agency": agency[n]}) for n in ("a1", "a2", "a3", "b1", "c1"))
    after.add_nodes_from((n, {"agency": agency[n]}) for n in ("a1", "a2", "a3", "b1", "d1"))
    before.add_edges_from([("a1", "a2"), ("a1", "b1"), ("a2", "c1")])
    after.add_edges_from([("a2", "a1"), ("a2", "b1"), ("b1", "d1"), ("a1", "a3")])
    return before, after


def test_before_after_maps_put_every_practitioner_at_the_same_place(two_periods):
    maps = before_after_maps(*two_periods, seed=3)
    nodes_before, _ = _map_data(maps.before.spec)
    nodes_after, _ = _map_data(maps.after.spec)
    everyone = {"a1", "a2", "a3", "b1", "c1", "d1"}
    assert set(nodes_before) == set(nodes_after) == everyone
    for n in everyone:
        assert (nodes_before[n]["x"], nodes_before[n]["y"]) == (nodes_after[n]["x"], nodes_after[n]["y"])
        assert (nodes_before[n]["x"], nodes_before[n]["y"]) == pytest.approx(maps.positions[n])
    assert maps.positions == stable_positions(list(two_periods), seed=3)  # deterministic, one layout
    assert before_after_maps(*two_periods, seed=3).positions == maps.positions


def test_before_after_maps_fade_absent_practitioners_and_style_changed_ties(two_periods):
    maps = before_after_maps(*two_periods)
    assert maps.before.absent == {"d1"} and maps.after.absent == {"c1"}
    assert maps.new_cross_agency == {("a2", "b1"), ("b1", "d1")}
    assert maps.lost == {("a1", "b1"), ("a2", "c1")}
    nodes_before, edges_before = _map_data(maps.before.spec)
    nodes_after, edges_after = _map_data(maps.after.spec)
    assert nodes_before["d1"]["flags"] == ["faded"] and nodes_before["c1"]["flags"] == []
    assert nodes_after["c1"]["flags"] == ["faded"]
    assert "Not in this period's network" in nodes_after["c1"]["tip"]
    assert set(edges_before) == {("a1", "a2"), ("a1", "b1"), ("a2", "c1")}
    assert edges_before[("a1", "b1")]["dashes"] is True and edges_before[("a1", "a2")]["dashes"] is False
    assert set(edges_after) == {("a1", "a2"), ("a2", "b1"), ("b1", "d1"), ("a1", "a3")}
    assert edges_after[("a2", "b1")]["colour"] == NEW_CROSS_STYLE["color"]
    assert edges_after[("a1", "a3")]["style"] == "tie"  # new, but within agency A: not highlighted
    assert edges_after[("a1", "a2")]["style"] == "tie"  # kept
    assert [e["label"] for e in maps.after.spec["legend"]["edges"]] == [NEW_CROSS_STYLE["label"]]
    assert [e["label"] for e in maps.before.spec["legend"]["edges"]] == [LOST_STYLE["label"]]


def test_before_after_maps_can_draw_only_the_ties_that_changed(two_periods):
    maps = before_after_maps(*two_periods, changes_only=True)
    nodes_before, edges_before = _map_data(maps.before.spec)
    nodes_after, edges_after = _map_data(maps.after.spec)
    assert set(edges_before) == {("a1", "b1"), ("a2", "c1")}
    assert set(edges_after) == {("a2", "b1"), ("b1", "d1"), ("a1", "a3")}
    assert len(nodes_before) == len(nodes_after) == 6  # people without a changed tie are still drawn


def test_map_panel_adds_the_rest_of_the_population_faded():
    G = nx.Graph([("p1", "p2")])
    everyone = nx.Graph([("p1", "p3")])
    everyone.add_node("p3", agency="X", name="Pat")
    panel = map_panel(G, {"p1": (0, 0), "p2": (10, 0), "p3": (0, 10)}, population=everyone)
    nodes, edges = _map_data(panel.spec)
    assert panel.absent == {"p3"} and panel.message is None
    assert set(edges) == {("p1", "p2")}  # the population's ties are not drawn
    assert (nodes["p3"]["x"], nodes["p3"]["y"]) == (0, 10) and nodes["p3"]["tip"][0] == "Pat"


# --- library: dose-response line -------------------------------------------------------------------

def test_dose_response_line_passes_through_the_means():
    # Hand-worked: sessions 1, 2, 6 (mean 3), change 0, 1, 5 (mean 2); slope 1 -> fitted = change - 1 + ...
    line = dose_response_line([1, 2, 6], [0, 1, 5], slope=1.0, ci_low=0.5, ci_high=1.5)
    assert line["sessions"].tolist() == [1, 2, 3, 4, 5, 6]
    assert line["fitted"].tolist() == [0, 1, 2, 3, 4, 5]
    assert line.loc[line["sessions"] == 3, ["fitted_low", "fitted_high"]].values.tolist() == [[2, 2]]
    assert line.loc[line["sessions"] == 1, ["fitted_low", "fitted_high"]].values.tolist() == [[1, -1]]
    assert dose_response_line([], [], slope=1.0).empty
    assert dose_response_line([1, 2], [1, 2], slope=float("nan")).empty


# --- the pages --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workspace(app_workspace, demo_source, tmp_path_factory):
    """The app workspace with two more datasets: nobody at a COP, and everyone at a COP."""
    names = {info.name for info in app_workspace.list()}
    root = tmp_path_factory.mktemp("change_pages")
    for name in ("nocop", "allcop"):
        if name in names:
            continue
        folder = root / name
        shutil.copytree(demo_source, folder)
        att = pd.read_csv(folder / "cop_attendance.csv", dtype=str)
        people = pd.read_csv(folder / "practitioners.csv", dtype=str)["practitioner_id"]
        if name == "nocop":
            att = att.iloc[0:0]
        else:
            first = att.iloc[0]
            extra = pd.DataFrame({"session_id": first.session_id, "date": first.date,
                                  "practitioner_id": sorted(set(people) - set(att["practitioner_id"])),
                                  "cop_name": first.cop_name})
            att = pd.concat([att, extra])
            assert set(att["practitioner_id"]) == set(people)
        att.to_csv(folder / "cop_attendance.csv", index=False)
        app_workspace.import_dataset(folder, name=name)
    return app_workspace


def _page(workspace, page, *, dataset="demo", cop_start=None):
    return open_page(workspace, page, dataset=dataset, cop_start=cop_start, timeout=300)


def test_before_after_on_the_demo_draws_two_aligned_maps_and_follows_the_ties_setting(workspace):
    at = _page(workspace, "pages/before_after.py")
    assert at.title[0].value == "Before & after"
    assert _metrics(at)["Practitioners compared"] == "185"
    maps = drawn_maps(at)
    assert len(maps) == 4 and not at.get("iframe")  # practitioners and agencies, drawn in the page itself
    nodes_before, _ = _map_data(maps[0])
    nodes_after, _ = _map_data(maps[1])
    assert len(nodes_before) == len(nodes_after) == 200
    assert all((nodes_before[n]["x"], nodes_before[n]["y"]) == (nodes_after[n]["x"], nodes_after[n]["y"])
               for n in nodes_before)
    # the agency-level maps: the demo's 12 agencies at the same places, links across agencies only
    agencies_before, links_before = _map_data(maps[2])
    agencies_after, links_after = _map_data(maps[3])
    assert len(agencies_before) == len(agencies_after) == 12
    assert all((agencies_before[a]["x"], agencies_before[a]["y"]) == (agencies_after[a]["x"], agencies_after[a]["y"])
               for a in agencies_before)
    assert links_after and all(a != b for a, b in links_after)
    assert maps[2]["title"].startswith("Before: ") and maps[3]["title"].startswith("After: ")
    # The counts under the maps are those of the library's maps of the same two networks (the page keeps the
    # counts, not the sets of ties).
    import re

    from netdash.analysis import NetworkAnalysis
    from netdash.change.windows import equal_windows

    ds = workspace.open("demo")
    graphs = [NetworkAnalysis(ds, p, ties="working").G for p in equal_windows(ds, ds.first_cop_session)]
    expected = before_after_maps(*graphs)
    shown = next(c.value for c in at.caption if "lost ties on the maps" in c.value)
    assert re.findall(r"[\d,]+(?= new cross-agency| lost)", shown) == [
        f"{len(expected.new_cross_agency):,}", f"{len(expected.lost):,}"]
    assert len(expected.new_cross_agency) > 0 and len(expected.lost) > 0
    ties_working = before_after_measures(at).loc["Ties", "after"]
    at.selectbox(key="ba_ties").set_value("direct").run()
    assert not at.exception
    assert before_after_measures(at).loc["Ties", "after"] < ties_working


def test_before_after_shows_the_tie_change_counts_as_tables_and_the_heat_maps_as_one_chart(workspace):
    # Session 15: the two five-row summaries are static tables, not data grids, and the three heat maps one
    # Vega-Lite chart of three panels; the numbers are the library's, the heat maps' data those of the three charts
    # the page drew before.
    import pyarrow as pa

    from netdash.analysis import NetworkAnalysis
    from netdash.change.compare import compare_periods, mixing_change
    from netdash.change.dynamics import tie_change_summary
    from netdash.change.windows import equal_windows
    from netdash.metrics.mixing import group_mixing
    from pages import _charts

    at = _page(workspace, "pages/before_after.py")
    ds = workspace.open("demo")
    periods = equal_windows(ds, ds.first_cop_session)
    compared = compare_periods(ds, *periods, ties="working")
    measures, *tables = small_tables(at)
    # Session 16: the eight headline measures are a static table too, with the values the grid showed (rounded to 3)
    assert len(tables) == 2 and not at.dataframe
    assert measures[0] == ["measure", "before", "after", "change"]
    expected = compared.measures[["before", "after", "change"]].round(3)
    assert len(measures) == 1 + len(expected) == 9
    assert [[float(v) for v in row[1:]] for row in measures[1:]] == expected.to_numpy().tolist()
    assert measures[1][1] == f"{compared.measures.loc['n_ties', 'before']:.0f}"  # a count, not 4 significant digits
    for shown, changes in zip(tables, (compared.tie_changes, compared.trust_tie_changes)):
        expected = tie_change_summary(changes)
        assert shown[0] == [expected.index.name, *expected.columns]
        assert shown[1:] == [[status, *map(str, row)] for status, row in zip(expected.index, expected.to_numpy())]
    assert int(next(row for row in tables[0][1:] if row[0] == "new")[-1]) > 0

    charts = [e for e in at.main if getattr(e, "type", "") == "vega_lite_chart"]
    assert len(charts) == 1
    shown = [pa.ipc.open_stream(d.data.data).read_pandas() for d in charts[0].proto.datasets]
    graphs = [NetworkAnalysis(ds, p, ties="working").G for p in periods]
    level = at.radio(key="ba_heatmap_groups").value
    grouped = [group_mixing(m, ds.agencies, level) for m in mixing_change(*graphs)]
    separate = [_charts.vega_spec(altair_mixing_heatmap(m, title, names, diverging=k == 2))
                for k, ((m, names), title) in enumerate(zip(grouped, ("Before", "After", "Change")))]
    expected = [pa.ipc.open_stream(data).read_pandas() for spec in separate for data in spec["datasets"].values()]
    assert len(shown) == len(expected) == 3
    for got, want in zip(sorted(shown, key=lambda f: f["ties"].tolist()),
                         sorted(expected, key=lambda f: f["ties"].tolist())):
        pd.testing.assert_frame_equal(got, want)
    import json

    spec = json.loads(charts[0].proto.spec)
    assert [panel["title"] for panel in spec["hconcat"]] == ["Before", "After", "Change (after − before)"]
    assert spec["resolve"] == {"scale": {"color": "independent"}}


def test_before_after_explains_every_measure_in_one_paragraph_list_and_one_expander(workspace):
    # Session 16: three elements instead of three per measure (27 of the page's 86), with the same texts
    from netdash.change.headline import headline_explanations

    at = _page(workspace, "pages/before_after.py")
    (box,) = [e for e in at.expander if e.label == "How each is calculated"]
    assert not [e for e in at.expander if e.label.startswith("How ") and e.label != box.label]
    shown = " ".join(m.value for m in at.markdown)
    formulas = box.markdown[0].value
    for title, plain, formula in headline_explanations("working").values():
        assert f"**{title}**: {plain}" in shown and f"**{title}**: {formula}" in formulas
    assert "**QAP correlation**: " in shown and "**QAP correlation**: Pearson correlation" in formulas


def test_before_after_custom_periods(workspace):
    at = _page(workspace, "pages/before_after.py")
    at.toggle(key="ba_custom").set_value(True).run()
    assert not at.exception
    at.date_input(key="ba_before").set_value((pd.Timestamp("2023-01-01").date(), pd.Timestamp("2023-03-31").date()))
    at.date_input(key="ba_after").set_value((pd.Timestamp("2024-10-01").date(), pd.Timestamp("2024-12-31").date()))
    at.run()
    assert not at.exception
    assert "Before: 2023-01-01 to 2023-04-01 (90 days). After: 2024-10-01 to 2025-01-01 (92 days)" in _texts(at.caption)


def test_before_after_with_cop_start_on_the_first_day(workspace):
    at = _page(workspace, "pages/before_after.py", cop_start=DEMO_FIRST)
    assert "leaves nothing before it" in _texts(at.error)
    assert not drawn_maps(at)


def test_before_after_with_cop_start_on_the_last_day(workspace):
    # equal windows: one day either side, so nothing to warn about
    at = _page(workspace, "pages/before_after.py", cop_start=DEMO_LAST)
    assert "Equal windows of 1 day either side of the COP start 2024-12-31" in _texts(at.caption)
    assert not at.warning


def test_before_after_when_nobody_attended(workspace):
    at = _page(workspace, "pages/before_after.py", dataset="nocop")
    assert "Nobody in this dataset attended a COP session" in _texts(at.info)
    assert "leaves nothing before it" in _texts(at.error)


def test_before_after_compares_equal_windows_by_default_the_same_as_cop_impact(workspace):
    # issue 16: the page once split the sidebar period at the COP start (374 against 357 days on the demo)
    from netdash.change.impact import impact_design
    from netdash.change.windows import equal_windows

    ds = workspace.open("demo")
    before, after = equal_windows(ds)
    design = impact_design(ds)
    assert (design.before, design.after) == (before, after)
    assert (before.end - before.start).days == (after.end - after.start).days == 357
    at = _page(workspace, "pages/before_after.py")
    caption = _texts(at.caption)
    assert f"Equal windows of 357 days either side of the COP start {after.start.date()}" in caption
    assert f"before {before.label()}, after {after.label()}" in caption
    assert not at.warning
    table = before_after_measures(at)
    assert "before, per 30 days" not in table.columns
    assert "Share of working ties across agencies" in table.index and "Cross-agency share" not in table.index


def test_before_after_custom_unequal_periods_warn_and_show_rates_per_30_days(workspace):
    at = _page(workspace, "pages/before_after.py")
    at.toggle(key="ba_custom").set_value(True).run()
    at.date_input(key="ba_before").set_value((pd.Timestamp("2023-01-01").date(), pd.Timestamp("2023-03-01").date()))
    at.date_input(key="ba_after").set_value((pd.Timestamp("2024-10-01").date(), pd.Timestamp("2024-12-31").date()))
    at.run()
    assert not at.exception
    warning = _texts(at.warning)
    assert "The before period is 60 days long and the after period 92 days" in warning and "per 30 days" in warning
    table = before_after_measures(at)
    for side, days in (("before", 60), ("after", 92)):
        for measure in ("Ties", "Trust ties"):
            assert table.loc[measure, f"{side}, per 30 days"] == pytest.approx(
                round(table.loc[measure, side] / days * 30, 3), abs=1e-3)
    assert pd.isna(table.loc["Isolates", "before, per 30 days"])  # people, not events: not rescaled


def test_before_after_when_everyone_attended(workspace):
    at = _page(workspace, "pages/before_after.py", dataset="allcop")
    assert len(drawn_maps(at)) == 4 and not at.error


def test_over_time_on_the_demo_switches_to_months(workspace):
    at = _page(workspace, "pages/over_time.py")
    assert at.title[0].value == "Over time"
    assert len(drawn_maps(at)) == 1 and not at.get("iframe")  # drawn in the page itself
    assert len(at.select_slider(key="ot_window_quarter").options) == 8
    at.segmented_control(key="ot_freq").set_value("month").run()
    assert not at.exception
    slider = at.select_slider(key="ot_window_month")
    assert len(slider.options) == 24 and slider.value == "2024-12-01 to 2025-01-01"
    nodes_dec, _ = _map_data(drawn_maps(at)[0])
    slider.set_value("2023-01-01 to 2023-02-01").run()
    nodes_jan, _ = _map_data(drawn_maps(at)[0])
    assert {n: (v["x"], v["y"]) for n, v in nodes_jan.items()} == {n: (v["x"], v["y"]) for n, v in nodes_dec.items()}


@pytest.mark.parametrize("cop_start", ["2023-09-01", "2024-03-01"])
def test_over_time_charts_mark_the_sidebar_cop_start(workspace, cop_start):
    # The charts are built once per setting: a different COP start must still move the black line.
    at = _page(workspace, "pages/over_time.py", cop_start=cop_start)
    marks = [f for f in chart_data(at) if "what" in f.columns and (f["what"] == "COP start (sidebar)").any()]
    assert len(marks) == 2 + 1  # both columns of headline charts, and the attendees' chart
    rules = [layer for spec in _chart_specs(at)[:2] for chart in spec["vconcat"] for layer in chart["layer"]
             if layer["data"]["name"] == "markers"]
    # Every headline chart draws the markers: the COP start's rule and the sessions' rug.
    assert len(rules) == 2 * len(HEADLINE_EXPLANATIONS)
    assert sorted(layer["transform"][0]["filter"]["equal"] for layer in rules) == sorted(
        ["COP session", "COP start (sidebar)"] * len(HEADLINE_EXPLANATIONS))
    for frame in marks:
        line = frame.loc[frame["what"] == "COP start (sidebar)", "date"]
        assert list(pd.to_datetime(line)) == [pd.Timestamp(cop_start)]


def test_over_time_keeps_every_dot_in_place_when_the_ties_change(workspace):
    at = _page(workspace, "pages/over_time.py")
    working, working_edges = _map_data(drawn_maps(at)[0])
    at.selectbox(key="ot_ties").set_value("direct").run()
    assert not at.exception
    direct, direct_edges = _map_data(drawn_maps(at)[0])
    assert set(direct) == set(working) and len(working) > 100
    assert {n: (v["x"], v["y"]) for n, v in direct.items()} == {n: (v["x"], v["y"]) for n, v in working.items()}
    assert set(direct_edges) < set(working_edges)  # the map does change: direct contacts are some working ties


@pytest.mark.parametrize("dataset, cop_start, message", [
    ("nocop", None, "no sessions to mark"),
    ("allcop", None, None),
    ("demo", DEMO_FIRST, None),
    ("demo", DEMO_LAST, None),
])
def test_over_time_edge_cases(workspace, dataset, cop_start, message):
    at = _page(workspace, "pages/over_time.py", dataset=dataset, cop_start=cop_start)
    assert len(drawn_maps(at)) == 1 and not at.error
    if message:
        assert message in _texts(at.info)


def test_cop_impact_on_the_demo_states_the_outcome_and_follows_the_ties_setting(workspace):
    at = _page(workspace, "pages/cop_impact.py")
    captions = _texts(at.caption)
    assert "Sitting in the same COP session never counts as a tie" in captions
    assert "A cross-agency tie is a distinct colleague in another agency" in captions
    # The demo's built-in effect is 2 colleagues. With working ties the person-level headline is close to it
    # but its interval includes 0; the pairs who met at the COP detect it, and the headline points the same
    # way, so the verdict states the association (docs/impact.md).
    assert _texts(at.success).startswith("People who met at the COP went on to work together more often")
    assert "Person-level, attendees gained +1.9 cross-agency colleagues" in _texts(at.success)
    metrics = _metrics(at)
    assert metrics["Extra cross-agency colleagues per attendee"] == "+1.90"
    assert metrics["Extra colleagues per attendee from pairs who met"] == "+1.57"
    assert "pairs met in the data's last 5 months and are followed to its end" in _texts(at.caption)
    assert metrics["Pre-trend test"] == "p = 0.58"
    assert metrics["Difference in change: cross-agency colleagues"] == "+2.5"
    frames = chart_data(at)
    events = next(f for f in frames if "event_month" in f.columns)
    assert events.set_index("event_month").loc[-1, "estimate"] == 0.0 and events["event_month"].max() == 11
    series = next(f for f in frames if "group" in f.columns)
    assert set(series["group"]) == {"COP attendees (ever)", "Non-attendees"}
    assert metrics["Attendees matched"] == "55"
    assert len(at.dataframe[-1].value) == 170  # practitioners in post throughout both windows
    at.selectbox(key="imp_ties").set_value("direct").run()
    assert not at.exception
    assert _metrics(at)["Difference in change: cross-agency colleagues"] != "+2.5"
    # With direct contacts (the demo's own definition of its effect) the headline and the pairs both detect it.
    verdict = _texts(at.success)
    assert verdict.startswith("People who met at the COP went on to work together more often than comparable pairs")
    assert "Person-level, attendees gained +2.0 cross-agency colleagues in the after window" in verdict
    assert _metrics(at)["Extra cross-agency colleagues per attendee"] == "+1.97"


def test_cop_impact_sends_attendees_first_largest_change_first_and_says_how_many_are_left_out(workspace,
                                                                                               monkeypatch):
    from netdash.change.impact import impact_design
    from pages import _shared

    monkeypatch.setattr(_shared, "MAX_TABLE_ROWS", 40)
    at = _page(workspace, "pages/cop_impact.py")
    every = impact_design(workspace.open("demo")).practitioner_table()
    shown = at.dataframe[-1].value
    assert len(shown) == 40 < len(every) == 170
    assert (f"Showing the 40 practitioners (attendees first, largest change first) of {len(every):,}; the download "
            "below has all of them.") in _texts(at.caption)
    expected = every.sort_values(["attendee", "change"], ascending=False, kind="stable").head(40)
    assert shown["attendee"].all() and shown["change"].is_monotonic_decreasing
    for column in every.columns.drop("agency_id"):
        assert shown[column].tolist() == expected[column].tolist(), column


@pytest.mark.parametrize("dataset, cop_start, message", [
    ("nocop", None, "Nobody attended a COP session"),
    ("allcop", None, "Everyone attended a COP session"),
    ("demo", DEMO_FIRST, "leaves nothing before it, an empty before window"),
    ("demo", DEMO_LAST, "Nobody attended a COP session in the after window"),
])
def test_cop_impact_edge_cases(workspace, dataset, cop_start, message):
    at = _page(workspace, "pages/cop_impact.py", dataset=dataset, cop_start=cop_start)
    assert message in _texts(at.error)


# --- the Overview opens with the COP verdict (issue 16, item 2) ---------------------------------------

def _page_links(at):
    return [e for e in at.main if getattr(e, "type", "") == "page_link"]


def _verdict_text(at):
    """The verdict box: the success or info box that ends as every verdict does."""
    return next(e.value for e in [*at.success, *at.info] if e.value.endswith("not proof that the COP caused it."))


def test_overview_opens_with_the_cop_verdict_computed_once_for_cop_impact(workspace, monkeypatch):
    import netdash.change.impact as impact
    from netdash.change.impact import evaluate_impact
    from pages import _cached

    for cached in (_cached._impact, _cached._impact_staggered, _cached._impact_design):
        cached.clear()
    calls = []
    original = impact.impact_estimates
    monkeypatch.setattr(impact, "impact_estimates", lambda *a, **k: calls.append(k) or original(*a, **k))

    at = _page(workspace, "pages/overview.py")
    assert at.subheader[0].value == "Did the COP connect people across agencies?"
    verdict = _verdict_text(at)
    # The answer comes before the dataset's counts.
    order = [str(getattr(e, "value", "")) for e in at.main]
    assert order.index(verdict) < next(k for k, value in enumerate(order) if value.startswith("Dataset"))
    assert verdict.startswith("People who met at the COP went on to work together more often than comparable")
    # Every estimate the verdict states is shown with the interval the verdict gives it.
    metrics = _metrics(at)
    shown = {"Cross-agency colleagues": ("+1.9", "95% CI -0.7 to 4.5"),
             "Pairs who met at the COP": ("+1.57", "95% CI 0.18 to 2.96"),
             "Cross-agency trust ties": ("+2.2", "95% CI 1.3 to 3.0")}
    captions = _texts(at.caption)
    for label, (value, interval) in shown.items():
        assert metrics[label] == value
        assert interval in captions and interval in verdict
    assert metrics["Pre-trend test"] == "p = 0.58" and "p = 0.58" in verdict
    assert "an interval that excludes zero" in verdict  # the trust-tie estimate is no longer left out
    links = _page_links(at)
    assert [link.proto.page for link in links] == ["cop_impact"]
    assert calls == [{"bootstrap": _cached.IMPACT_BOOTSTRAP, "staggered": calls[0]["staggered"]}]

    # COP impact with its defaults shows the same sentence, from the same cached value: nothing recomputed.
    at.switch_page("pages/cop_impact.py").run()
    assert not at.exception
    assert _verdict_text(at) == verdict and len(calls) == 1
    assert at.selectbox(key="imp_ties").value == _cached.IMPACT_TIES
    # ... and so do the CLI and the report (evaluate_impact), whatever their bootstrap replicates.
    assert evaluate_impact(workspace.open("demo"), bootstrap=50)["verdict"] == verdict


@pytest.mark.parametrize("dataset, cop_start, kind, message", [
    ("nocop", None, "info", "This dataset has no COP attendance"),
    ("allcop", None, "warning", "No verdict: Everyone attended a COP session"),
    ("demo", DEMO_LAST, "warning", "No verdict: Nobody attended a COP session in the after window"),
])
def test_overview_says_plainly_when_there_is_no_verdict(workspace, dataset, cop_start, kind, message):
    at = _page(workspace, "pages/overview.py", dataset=dataset, cop_start=cop_start)
    assert message in _texts(getattr(at, kind)) and "COP" not in _texts(at.success) and not at.error
    assert "Agencies" in _metrics(at)  # the rest of the Overview is there
    links = _page_links(at)
    assert [link.proto.page for link in links] == ([] if dataset == "nocop" else ["cop_impact"])


# --- Over time: trust ties inside a window, axes from zero, attendees against non-attendees (issue 16, item 6) ---

def _chart_specs(at):
    import json

    return [json.loads(e.proto.spec) for e in at.main if getattr(e, "type", "") == "vega_lite_chart"]


def _y_scales(spec):
    """{y field: scale} of every layer of a chart spec (of every chart of a stack of charts)."""
    out = {}
    for chart in spec.get("vconcat", [spec]):
        out.update(_layer_y_scales(chart))
    return out


def _layer_y_scales(spec):
    out = {}
    for layer in spec.get("layer", [spec]):
        y = layer.get("encoding", {}).get("y", {})
        if "field" in y and "scale" in y:
            out[y["field"]] = y["scale"]
    return out


@pytest.mark.parametrize("measure, scale", [("n_ties", {"zero": True}), ("isolates", {"zero": True}),
                                            ("trust_ties", {"zero": True}),
                                            ("cross_agency_share", {"domain": [0, 1]}),
                                            ("ei_index", {"domain": [-1, 1]})])
def test_headline_charts_start_counts_at_zero_and_show_shares_whole(measure, scale):
    from pages._charts import headline_charts

    series = pd.DataFrame({"start": pd.to_datetime(["2024-01-01", "2024-02-01"]),
                           "end": pd.to_datetime(["2024-02-01", "2024-03-01"]), "label": ["jan", "feb"],
                           "partial": [False, False], measure: [0.47, 0.51], "trust_min_months": [1, 1]})
    spec = headline_charts(series, [measure], pd.DataFrame(columns=["date", "what"]))
    assert _y_scales(spec) == {measure: scale}
    assert len(spec["vconcat"][0]["layer"]) == 2 and "markers" not in spec["datasets"]  # no markers, no rules
    if measure == "trust_ties":
        assert spec["vconcat"][0]["title"] == "Trust ties (within-month rule)"


def test_over_time_months_have_trust_ties_and_split_attendees(workspace):
    from netdash.change.windows import ATTENDEE_GROUPS

    at = _page(workspace, "pages/over_time.py")
    at.segmented_control(key="ot_freq").set_value("month").run()
    assert not at.exception
    assert "Trust ties in months: reciprocated, at least 3 direct contacts within the month" in _texts(at.caption)
    frames = chart_data(at)
    headline = next(f for f in frames if "trust_ties" in f.columns)
    # Under the two-month rule every month had 0 from the logs; inside the month every demo month has some.
    assert len(headline) == 24 and (headline["trust_ties"] > 0).all()
    groups = next(f for f in frames if "group" in f.columns and "mean_cross_agency_colleagues" in f.columns)
    assert len(groups) == 48 and tuple(groups["group"].unique()) == ATTENDEE_GROUPS
    assert groups["mean_cross_agency_colleagues"].notna().all()
    specs = _chart_specs(at)
    scales = {field: scale for spec in specs for field, scale in _y_scales(spec).items()}
    assert scales["n_ties"] == scales["trust_ties"] == scales["mean_cross_agency_colleagues"] == {"zero": True}
    assert scales["cross_agency_share"] == {"domain": [0, 1]}
    assert sum('"Trust ties (within-month rule)"' in e.proto.spec for e in at.main
               if getattr(e, "type", "") == "vega_lite_chart") == 1
    assert "There are no trust ties" not in _texts(at.info)


def test_over_time_says_why_the_trust_chart_is_empty(workspace, monkeypatch):
    from pages import _cached

    original = _cached.window_series
    monkeypatch.setattr(_cached, "window_series", lambda *a: original(*a).assign(trust_ties=0))
    at = _page(workspace, "pages/over_time.py")
    assert "No trust ties in any window: no pair had reciprocated, repeated direct contacts" in _texts(at.info)
