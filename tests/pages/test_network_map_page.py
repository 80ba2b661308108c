"""Network map page: one layout per period, shared by every "Ties" setting (issue 7)."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from apptest_support import drawn_maps

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def _positions(at, which=None):
    """``{practitioner_id: (x, y)}`` of the map on the page (of map ``which`` when it has several), and its tie count."""
    maps = drawn_maps(at)
    if which is None:
        (data,) = maps
    else:
        data = maps[which]
    out = {}
    for node in data["nodes"]:
        ids = [line[4:] for line in node["tip"] if line.startswith("ID: ")]
        out[ids[0] if ids else node["tip"][0]] = (node["x"], node["y"])
    return out, len(data["ties"])


@pytest.fixture
def network_map(app_workspace):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/network_map.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_every_ties_setting_draws_on_the_same_positions(network_map):
    at = network_map
    assert "positions come from all ties together" in at.caption[0].value
    at.selectbox(key="map_ties").set_value("all").run()  # the default is working ties (issue 16)
    everyone, all_edges = _positions(at)
    seen = {}
    for ties in ["direct", "coworking", "cop", "working"]:
        at.selectbox(key="map_ties").set_value(ties).run()
        assert not at.exception, at.exception
        seen[ties] = _positions(at)
    for ties, (positions, edges) in seen.items():
        assert positions and edges < all_edges, ties  # a sub-network of all ties ...
        assert set(positions) <= set(everyone)
        assert {n: everyone[n] for n in positions} == positions, ties  # ... drawn where every dot already was
    # COP ties alone draw far fewer lines than contacts (only a minority attends)
    assert seen["cop"][1] < seen["direct"][1]


def test_filters_still_work_on_the_shared_layout(network_map):
    at = network_map
    everyone, _ = _positions(at)
    at.selectbox(key="map_ties").set_value("direct").run()
    agencies = at.multiselect(key="map_agencies")
    agencies.set_value([agencies.options[0]]).run()
    assert not at.exception, at.exception
    some, _ = _positions(at)
    assert 0 < len(some) < len(everyone)
    assert {n: everyone[n] for n in some} == some
    agencies.set_value([]).run()
    person = sorted(everyone)[0]  # on the map, so in post in the period
    at.selectbox(key="map_focus").set_value(person).run()
    assert not at.exception, at.exception
    ego, _ = _positions(at)  # their colleagues, at the places they had on the whole map
    assert person in ego and 1 < len(ego) < len(everyone)
    assert {n: everyone[n] for n in ego} == ego


def test_before_and_after_puts_everyone_where_the_network_map_does(network_map):
    # Both periods of the default split lie in the sidebar period, so the two pages share one layout.
    on_map, _ = _positions(network_map)
    at = network_map
    at.switch_page("pages/before_after.py").run()
    assert not at.exception, at.exception
    assert len(drawn_maps(at)) == 4  # practitioners before and after, then agencies before and after
    for which in (0, 1):
        shown, _ = _positions(at, which)
        assert len(shown) > 50
        assert shown == {p: on_map[p] for p in shown}
    # Switching the ties keeps the places too.
    at.selectbox(key="ba_ties").set_value("direct").run()
    shown, _ = _positions(at, 0)
    assert shown == {p: on_map[p] for p in shown}


def test_over_time_puts_everyone_where_the_network_map_does_for_the_whole_range(network_map):
    on_map, _ = _positions(network_map)  # the sidebar's default period is the whole date range
    at = network_map
    at.switch_page("pages/over_time.py").run()
    assert not at.exception, at.exception
    shown, _ = _positions(at)
    assert len(shown) > 50 and shown == {p: on_map[p] for p in shown}


def test_dot_size_colour_and_focus_steps_reach_the_map(network_map):
    at = network_map
    (spec,) = drawn_maps(at)
    assert spec["size_by"] is None and spec["size_menu"] is False and spec["legend"]["heading"] == "Agency"
    assert any(node["flags"] == ["cop"] for node in spec["nodes"])  # COP attendees are ringed
    at.selectbox(key="map_size").set_value("Betweenness").run()
    at.selectbox(key="map_colour").set_value("sector").run()
    assert not at.exception, at.exception
    (spec,) = drawn_maps(at)
    assert spec["size_by"] == "Betweenness" and list(spec["sizes"]) == ["Ties", "Betweenness"]
    assert spec["legend"]["heading"] == "Sector" and any(line.startswith("Agency: ") for line in spec["nodes"][0]["tip"])
    everyone, _ = _positions(at)
    person = sorted(everyone)[0]
    at.selectbox(key="map_focus").set_value(person).run()
    sizes = {}
    for steps in (1, 3):
        at.radio(key="map_radius").set_value(steps).run()
        assert not at.exception, at.exception
        (spec,) = drawn_maps(at)
        sizes[steps] = len(spec["nodes"])
        focus = [n for n in spec["nodes"] if "focus" in n["flags"]]
        assert len(focus) == 1 and f"ID: {person}" in focus[0]["tip"] and focus[0]["steps"] == 0
        assert max(n["steps"] for n in spec["nodes"]) <= steps
    assert sizes[1] < sizes[3]
    assert any(getattr(e, "proto", None) is not None and getattr(e.proto, "label", "") == "Download this map (HTML)"
               for e in at.main)


def test_the_map_is_drawn_without_a_graph_of_the_whole_network(app_workspace, monkeypatch):
    # Issue 19: the Network map reads its analysis's tables; building the networkx graph of every tie was more
    # than half its first load at regional scale. The maps are the same (tests/viz/test_viz_maps.py).
    from netdash.analysis import NetworkAnalysis
    from pages import _cached

    _cached._analysis.clear()
    _cached._network_map.clear()
    built = []
    whole = NetworkAnalysis.G
    monkeypatch.setattr(NetworkAnalysis, "G", property(lambda self: built.append(self.ties) or whole.func(self)))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/network_map.py")
    at.run()
    assert not at.exception, at.exception
    drawn, _ = _positions(at)
    agencies = at.multiselect(key="map_agencies")
    agencies.set_value([agencies.options[0]]).run()
    at.toggle(key="map_cop_layer").set_value(True).run()
    focus = at.selectbox(key="map_focus")
    focus.set_value(sorted(drawn)[0]).run()  # someone on the map: in post, with ties
    at.radio(key="map_radius").set_value(2).run()
    assert not at.exception, at.exception
    assert len(_positions(at)[0]) > 1 and built == []
    _cached._analysis.clear()
