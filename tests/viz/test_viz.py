"""Layouts, colours, the map spec, the standalone map file and the map budget (netdash.viz)."""

import json
import math
import re

import networkx as nx
import numpy as np
import pytest

from hostile import HREF, IMG, SCRIPT
from netdash.errors import InvalidInputError
from netdash.viz import agency_colours, layout_positions, map_budget, network_html, network_spec, stable_positions
from netdash.viz.network_html import csp_hash
from netdash.viz.colours import MISSING_COLOUR, PALETTE, shade

HOSTILE = (IMG, SCRIPT, HREF)


def _json_form(text):
    """How ``text`` must appear inside the page's JSON block."""
    return json.dumps(text, ensure_ascii=False)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e")


def _html_form(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")


def _data(html):
    block = re.search(r'<script type="application/json" id="netdash-data">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def _two_teams():
    """Two 5-cliques (agencies A and B) joined by one tie, plus an isolate of each agency."""
    G = nx.Graph()
    for agency in "AB":
        members = [f"{agency}{i}" for i in range(5)]
        G.add_nodes_from(members, agency=agency)
        G.add_edges_from((u, v, {"weight": 2}) for i, u in enumerate(members) for v in members[i + 1:])
    G.add_edge("A0", "B0", weight=1)
    G.add_node("A9", agency="A")
    G.add_node("B9", agency="B")
    return G


@pytest.fixture
def hostile_graph():
    G = nx.Graph()
    G.add_node("P1", name=IMG, agency="X1", agency_name=SCRIPT, role=HREF, tooltip=[HREF, "second line"])
    G.add_node("P2", name=SCRIPT, agency="X2", agency_name=IMG, role="GP")
    G.add_node("P3", name=HREF, agency="X3", agency_name=HREF, role=IMG)
    G.add_node("P4", name=None, agency="X1", agency_name=SCRIPT, role=None)
    G.add_edges_from([("P1", "P2", {"weight": 3}), ("P2", "P3", {"weight": 1}), ("P1", "P4", {"weight": 8})])
    return G


# --- layout -----------------------------------------------------------------


def test_layout_is_repeatable_and_ignores_insertion_order():
    G = _two_teams()
    H = nx.Graph()
    H.add_nodes_from(reversed(list(G.nodes(data=True))))
    H.add_edges_from((v, u, d) for u, v, d in reversed(list(G.edges(data=True))))
    first = layout_positions(G, seed=3)
    assert first == layout_positions(G, seed=3)
    assert first == layout_positions(H, seed=3)
    assert list(first) == sorted(G)


def test_layout_fills_the_scale_and_puts_isolates_in_rows_underneath():
    G = _two_teams()
    pos = layout_positions(G, scale=500.0)
    assert max(max(abs(x), abs(y)) for x, y in pos.values()) == pytest.approx(500.0)
    lowest_connected = max(pos[n][1] for n in G if G.degree(n))
    assert pos["A9"][1] > lowest_connected and pos["B9"][1] > lowest_connected
    assert pos["A9"][1] == pos["B9"][1] and pos["A9"][0] < pos["B9"][0]  # one row, agency A first


def test_layout_keeps_each_team_together():
    G = _two_teams()
    pos = layout_positions(G)

    def centre(agency):
        xs = [pos[f"{agency}{i}"] for i in range(5)]
        return sum(x for x, _ in xs) / 5, sum(y for _, y in xs) / 5

    centres = {a: centre(a) for a in "AB"}
    for agency, other in ("AB", "BA"):
        for i in range(5):
            p = pos[f"{agency}{i}"]
            assert math.dist(p, centres[agency]) < math.dist(p, centres[other])


def test_layout_of_tiny_graphs():
    assert layout_positions(nx.Graph()) == {}
    assert layout_positions(nx.empty_graph(["solo"])) == {"solo": (0.0, 0.0)}
    pair = layout_positions(nx.Graph([("a", "b")]), scale=10.0)
    (ax, ay), (bx, by) = pair["a"], pair["b"]
    assert max(abs(ax - bx), abs(ay - by)) == pytest.approx(20.0)  # the pair spans the full width
    assert (ax + bx, ay + by) == pytest.approx((0.0, 0.0))  # centred


def test_layout_of_directed_multigraph_matches_its_undirected_sum():
    M = nx.MultiDiGraph([("a", "b", {"weight": 1}), ("b", "a", {"weight": 2}), ("b", "c", {"weight": 3})])
    S = nx.Graph([("a", "b", {"weight": 3}), ("b", "c", {"weight": 3})])
    assert layout_positions(M) == layout_positions(S)


def test_a_large_network_is_laid_out_by_its_core_and_everyone_else_by_their_ties(monkeypatch):
    """Above ``LARGE_LAYOUT_NODES`` tied practitioners (4,000; 300 here), exact forces act among the
    ``CORE_NODES`` most connected only (100 here); the rest sit by the people they are tied to."""
    import netdash.viz.layout as layout

    monkeypatch.setattr(layout, "LARGE_LAYOUT_NODES", 300)
    monkeypatch.setattr(layout, "CORE_NODES", 100)
    G = nx.relabel_nodes(nx.barabasi_albert_graph(400, 2, seed=1), lambda i: f"p{i:03d}")
    nx.set_node_attributes(G, {n: f"a{i % 7}" for i, n in enumerate(sorted(G))}, "agency")
    hub = max(G, key=G.degree)
    G.add_edge("leaf", hub)  # tied to one person only, who is in the core
    G.add_edge("x1", "x2")  # a pair with no path to the core
    pos = layout_positions(G)
    assert set(pos) == set(G)
    H = nx.Graph()  # the same network built in the reverse order: the same map
    H.add_nodes_from(list(G.nodes(data=True))[::-1])
    H.add_edges_from(list(G.edges(data=True))[::-1])
    assert pos == layout_positions(H)
    xy = np.array([pos[n] for n in sorted(G) if n not in ("x1", "x2")])
    spread = np.median(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)))
    assert math.dist(pos["leaf"], pos[hub]) < 0.1 * spread
    # The pair out of the core's reach is set below the drawing, as isolates are.
    assert min(pos["x1"][1], pos["x2"][1]) > xy[:, 1].max()


def test_stable_positions_give_every_node_one_place():
    before, after = _two_teams(), _two_teams()
    before.remove_edge("A0", "B0")
    after.add_edge("A9", "B9")
    after.add_node("C1", agency="C")
    pos = stable_positions([before, after], seed=1)
    assert set(pos) == set(before) | set(after)
    assert pos == stable_positions([before, after], seed=1)
    xy_before = {n["label"]: (n["x"], n["y"]) for n in network_spec(before, pos)["nodes"]}
    xy_after = {n["label"]: (n["x"], n["y"]) for n in network_spec(after, pos)["nodes"]}
    assert all(xy_before[n] == xy_after[n] == pos[n] for n in before)


@pytest.mark.parametrize(
    ("kw", "message"),
    [({"scale": 0}, "scale must be a positive number"), ({"iterations": 0}, "iterations must be a whole number")],
)
def test_layout_rejects_bad_options(kw, message):
    with pytest.raises(InvalidInputError, match=message):
        layout_positions(_two_teams(), **kw)


def test_stable_positions_needs_a_graph():
    with pytest.raises(InvalidInputError, match="at least one graph"):
        stable_positions([])


# --- colours ----------------------------------------------------------------


def test_agency_colours_are_fixed_by_sorted_id():
    colours = agency_colours(["zeta", "alpha", "mid", "alpha"])
    assert colours == {"alpha": PALETTE[0], "mid": PALETTE[1], "zeta": PALETTE[2]}
    assert agency_colours({"mid": "Name", "zeta": "x", "alpha": "y"}) == colours


# Colour vision deficiency at full severity in linear sRGB: Machado, Oliveira & Fernandes (2009), table 1.
_VISIONS = {
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}


def _lab(colour, vision="normal"):
    """CIELAB (D65) of a #rrggbb sRGB colour as seen with ``vision``."""
    rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    r, g, b = [min(max(sum(m * c for m, c in zip(row, linear)), 0.0), 1.0) for row in _VISIONS[vision]]
    xyz = [(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b,
           (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883]
    f = [t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29 for t in xyz]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _smallest_difference(colours, vision):
    """The smallest CIE76 difference between two of ``colours`` as seen with ``vision``."""
    labs = [_lab(c, vision) for c in colours]
    return min(math.dist(a, b) for i, a in enumerate(labs) for b in labs[:i])


def test_the_simulation_of_colour_blindness_matches_known_answers():
    # Tableau 10's red and green, far apart for normal vision, merge for deuteranopia (the classic confusion);
    # blue and yellow stay apart; Okabe & Ito's seven colours, designed for it, stay apart for every vision.
    red, green = "#e15759", "#59a14f"
    assert math.dist(_lab(red), _lab(green)) > 90
    assert math.dist(_lab(red, "deuteranopia"), _lab(green, "deuteranopia")) < 2
    assert math.dist(_lab("#0000ff", "deuteranopia"), _lab("#ffff00", "deuteranopia")) > 100
    okabe_ito = ["#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"]
    assert all(_smallest_difference(okabe_ito, vision) > 15 for vision in _VISIONS)
    assert _lab("#ffffff", "tritanopia") == pytest.approx((100, 0, 0), abs=0.1)  # rows sum to 1: white stays white


@pytest.mark.parametrize("vision", list(_VISIONS))
def test_agency_colours_stay_apart_for_colour_blind_readers(vision):
    twelve = list(agency_colours(range(12)).values())
    sixteen = list(agency_colours(range(16)).values())
    assert _smallest_difference(twelve, vision) > 20
    assert _smallest_difference(sixteen, vision) > 14
    # ... and from the grey of "not recorded", the white page and the text colour
    for colour in sixteen:
        for other in (MISSING_COLOUR, "#ffffff", "#1f2328"):
            assert math.dist(_lab(colour, vision), _lab(other, vision)) > 14, (colour, other)
    # the first seven are further apart than Okabe & Ito's seven (16.1 to 26.4 units, by vision)
    assert _smallest_difference(sixteen[:7], vision) > 23


def test_agency_colours_cycle_in_darker_shades_and_stay_distinct():
    colours = agency_colours([f"A{i:02d}" for i in range(40)])
    assert colours["A16"] == shade(PALETTE[0], -0.35) == "#9c4e0a"  # 240·0.65 = 156, 120·0.65 = 78, 15·0.65 → 10
    assert len(set(colours.values())) == 40
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours.values())


def test_agency_colours_rejects_a_single_string():
    with pytest.raises(InvalidInputError, match="collection of agency ids"):
        agency_colours("A01")


# --- the map spec and the standalone file ------------------------------------


def test_file_is_self_contained(hostile_graph):
    html = network_html(hostile_graph, layout_positions(hostile_graph), title="Map")
    lower = html.lower()
    for banned in ("https://", "cdn", "<link", "<script src", "<iframe", "<img", "@import", "import("):
        assert banned not in lower
    # the one URL-like text is the SVG namespace name the image export gives its elements (never fetched)
    assert lower.replace('"http://www.w3.org/2000/svg"', "").count("://") == 0
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1).replace("&#39;", "'")
    assert csp.startswith("default-src 'none'; script-src 'sha256-") and "img-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    # exactly the page's one script and one stylesheet are allowed, by hash
    script = re.search(r"<script>(.*?)</script>", html, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    assert csp_hash(script) in csp and csp_hash(style) in csp
    assert "url(" not in style
    # the data block and our script, and nothing inside them that could close one or open a comment
    assert len(re.findall(r"^<script", html, re.M)) == 2 and lower.count("</script") == 2
    assert "<!--" not in html
    assert "function draw" in script and "export default" not in script


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_is_escaped_everywhere(hostile_graph, payload):
    edge_styles = {("P2", "P1"): {"color": "#d55e00", "label": payload, "title": payload}}
    html = network_html(hostile_graph, layout_positions(hostile_graph), title=payload,
                        edge_styles=edge_styles)
    assert payload not in html
    assert _json_form(payload) in html  # names, roles, agency names, tooltip lines, legend, title
    assert f"<title>{_html_form(payload)}</title>" in html
    spec = _data(html)["panels"][0]
    assert spec["title"] == payload and payload in [e["label"] for e in spec["legend"]["edges"]]


def test_a_file_from_a_pages_payload_is_the_file_of_its_specs(hostile_graph):
    from netdash.viz import map_html
    from netdash.viz.inpage import maps_payload

    specs = [network_spec(hostile_graph, layout_positions(hostile_graph), title=t, size_menu=False) for t in "AB"]
    assert map_html(maps_payload(specs)) == map_html(specs)
    assert [p["size_menu"] for p in _data(map_html(specs))["panels"]] == [True, True]  # a file offers the menu


def test_hostile_legend_mapping_is_kept_as_data(hostile_graph):
    html = network_html(hostile_graph, layout_positions(hostile_graph), legend={IMG: "#000000", HREF: "red"})
    assert IMG not in html and HREF not in html
    assert [n["label"] for n in _data(html)["panels"][0]["legend"]["nodes"]] == [IMG, HREF]


def test_script_breaking_characters_are_json_escaped():
    G = nx.Graph([("a", "b")])
    G.nodes["a"]["name"] = "x\u2028y\u2029z & <!-- w"
    html = network_html(G, layout_positions(G))
    assert "\u2028" not in html and "\u2029" not in html and "<!--" not in html
    assert "x\\u2028y\\u2029z \\u0026 \\u003c!-- w" in html


def test_nodes_get_internal_ids_and_names_only_as_text(hostile_graph):
    spec = network_spec(hostile_graph, layout_positions(hostile_graph))
    nodes = {n["id"]: n for n in spec["nodes"]}
    assert list(nodes) == ["n0", "n1", "n2", "n3"]
    assert [n["label"] for n in spec["nodes"]] == [IMG, SCRIPT, HREF, "P4"]  # P4 has no name: its id
    assert [n["agency"] for n in spec["nodes"]] == [SCRIPT, IMG, HREF, SCRIPT]
    assert nodes["n0"]["tip"] == [IMG, "ID: P1", f"Agency: {SCRIPT}", f"Role: {HREF}", "Ties: 2", HREF,
                                  "second line"]
    assert nodes["n3"]["tip"] == ["P4", f"Agency: {SCRIPT}", "Ties: 1"]
    assert {(t["from"], t["to"]) for t in spec["ties"]} == {("n0", "n1"), ("n1", "n2"), ("n0", "n3")}
    assert set(spec["nodes"][0]) == {"id", "label", "agency", "colour", "size", "x", "y", "flags", "tip"}


def test_legend_lists_each_agency_once(hostile_graph):
    legend = network_spec(hostile_graph, layout_positions(hostile_graph))["legend"]
    assert sorted(item["label"] for item in legend["nodes"]) == sorted((SCRIPT, IMG, HREF))  # X1 is on two nodes
    assert legend["heading"] == "Agency" and legend["marks"] == []


def test_colours_flags_focus_faded_and_cop(hostile_graph):
    colours = agency_colours(["X1", "X2", "X3"])
    hostile_graph.nodes["P4"]["cop_attendee"] = True
    hostile_graph.nodes["P1"]["cop_attendee"] = False
    spec = network_spec(hostile_graph, layout_positions(hostile_graph), highlight_nodes=["P2", "nobody"],
                        faded_nodes=["P3"], palette=colours)
    n0, n1, n2, n3 = spec["nodes"]
    assert n0["colour"] == colours["X1"] == n3["colour"] and n2["colour"] == colours["X3"]
    assert [n["flags"] for n in spec["nodes"]] == [[], ["focus"], ["faded"], ["cop"]]
    assert n3["tip"][-1] == "COP attendee"
    assert spec["legend"]["marks"] == [{"label": "COP attendee", "mark": "ring"}]
    assert next(t for t in spec["ties"] if t["to"] == "n2")["style"] == "faded"
    assert spec["tie_styles"]["faded"]["colour"].endswith("0.15)")


def test_colour_by_sector_keeps_the_agency_in_the_tooltip(hostile_graph):
    for n, sector in zip(hostile_graph, ["housing", "health", "housing", None]):
        hostile_graph.nodes[n]["sector"] = sector
    spec = network_spec(hostile_graph, layout_positions(hostile_graph), colour_by="sector")
    assert spec["legend"]["heading"] == "Sector"
    assert [item["label"] for item in spec["legend"]["nodes"]] == ["Health", "Housing", "Not recorded"]
    assert spec["nodes"][0]["colour"] == spec["nodes"][2]["colour"] != spec["nodes"][1]["colour"]
    assert f"Agency: {SCRIPT}" in spec["nodes"][0]["tip"] and "Sector: Housing" in spec["nodes"][0]["tip"]


def test_ties_carry_weight_and_style(hostile_graph):
    styles = {("P2", "P1"): {"color": "#009e73", "dashes": True, "label": "New tie", "title": "New since May"}}
    spec = network_spec(hostile_graph, layout_positions(hostile_graph), edge_styles=styles)
    ties = {(t["from"], t["to"]): t for t in spec["ties"]}
    styled, plain_1, plain_8 = ties["n0", "n1"], ties["n1", "n2"], ties["n0", "n3"]
    assert spec["tie_styles"][styled["style"]] == {"colour": "#009e73", "dashes": True, "width": None}
    assert styled["tip"] == ["New since May"] and styled["weight"] == 3.0
    assert (plain_1["style"], plain_1["weight"], plain_8["weight"]) == ("tie", 1.0, 8.0)
    assert spec["legend"]["edges"] == [{"label": "New tie", "colour": "#009e73", "dashes": True, "width": 2.0}]


def test_directed_graphs_draw_arrows():
    assert network_spec(nx.DiGraph([("a", "b")]), {"a": (0, 0), "b": (1, 1)})["directed"] is True
    assert network_spec(nx.Graph([("a", "b")]), {"a": (0, 0), "b": (1, 1)})["directed"] is False


def test_node_sizes_by_degree_and_by_measures():
    G = nx.star_graph(3)
    spec = network_spec(G, layout_positions(G), node_size_by="degree", measures={"Score": {0: 0.0, 1: 4.0}})
    base = spec["node_px"]
    assert spec["size_by"] == "Ties"
    assert [n["size"] for n in spec["nodes"]] == spec["sizes"]["Ties"]
    # by area: the hub (3 ties) is base * 2.6, leaves (1 tie, the least) base * 0.6
    assert spec["sizes"]["Ties"] == pytest.approx([2.6 * base, 0.6 * base, 0.6 * base, 0.6 * base], abs=0.01)
    # a node without a value gets the smallest size
    assert spec["sizes"]["Score"] == pytest.approx([0.6 * base, 2.6 * base, 0.6 * base, 0.6 * base], abs=0.01)
    same = network_spec(G, layout_positions(G))
    assert same["size_by"] is None and {n["size"] for n in same["nodes"]} == {same["node_px"]}
    # one scale for several panels: 2 ties on a 0..4 scale is sqrt(1/2) of the way
    fixed = network_spec(G, layout_positions(G), node_size_by="degree", size_scale=(0, 4))
    assert fixed["nodes"][0]["size"] == pytest.approx(base * (0.6 + 2 * math.sqrt(3 / 4)), abs=0.01)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"labels": "nickname"}, "labels must be 'name', 'id' or None"),
        ({"height_px": 20}, "height_px must be a whole number"),
        ({"legend": ["x"]}, "legend must be None"),
        ({"edge_styles": {("a", "b"): {"colour": "red"}}}, r"unknown keys \['colour'\]"),
        ({"edge_styles": {("a", "b"): {"color": "red;background:url(x)"}}}, "expected '#rrggbb'"),
        ({"edge_styles": {"a": {"color": "red"}}}, r"must map an edge \(u, v\)"),
        ({"node_size_by": "missing"}, "gave no numbers for any node"),
        ({"measures": {"Empty": {}}}, "measure 'Empty' gave no numbers"),
        ({"palette": {None: "expression(alert(1))"}}, "expected '#rrggbb'"),
    ],
)
def test_spec_rejects_bad_options(kw, message):
    G = nx.Graph([("a", "b")])
    with pytest.raises(InvalidInputError, match=message):
        network_spec(G, layout_positions(G), **kw)


def test_spec_needs_every_position():
    G = nx.path_graph(["a", "b", "c"])
    with pytest.raises(InvalidInputError, match=r"1 node\(s\) have no position \('c'\)"):
        network_spec(G, {"a": (0, 0), "b": (1, 1)})
    with pytest.raises(InvalidInputError, match="expected two finite numbers"):
        network_spec(G, {"a": (0, 0), "b": (1, 1), "c": (math.nan, 0)})


# --- budget -----------------------------------------------------------------


def test_small_graph_is_drawn_whole():
    G = _two_teams()
    budget = map_budget(G)
    assert budget.graph is G and not budget.reduced and budget.message is None


def test_big_graph_is_reduced_to_a_backbone():
    G = nx.barabasi_albert_graph(3000, 4, seed=2)
    G.add_nodes_from(range(3000, 3010))  # isolates
    budget = map_budget(G)
    H = budget.graph
    assert budget.reduced and 0 < H.number_of_nodes() <= 1500
    assert H.number_of_edges() <= 3 * H.number_of_nodes()
    assert not list(nx.isolates(H))
    assert "3,010 practitioners" in budget.message and "search for a practitioner" in budget.message
    assert min(dict(G.degree(H)).values()) >= sorted(dict(G.degree).values())[-1500]


def test_backbone_keeps_each_nodes_strongest_tie():
    G = nx.Graph()
    G.add_weighted_edges_from([("a", "b", 4), ("c", "d", 3), ("a", "c", 2), ("b", "d", 1), ("a", "d", 0.5),
                               ("b", "c", 0.5)])
    budget = map_budget(G, max_edges=5, ties_per_node=1)
    assert sorted(budget.graph.edges) == [("a", "b"), ("c", "d")]
    assert budget.graph.edges["a", "b"]["weight"] == 4


@pytest.mark.parametrize("kw", [{"max_nodes": 0}, {"max_edges": 1.5}, {"ties_per_node": True}])
def test_map_budget_rejects_bad_limits(kw):
    with pytest.raises(InvalidInputError, match="must be a whole number of at least 1"):
        map_budget(nx.path_graph(3), **kw)
