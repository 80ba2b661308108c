"""The vectorised map code returns exactly what the loops it replaced returned.

The references below are the functions as they were before the speed-ups
(issue 7), copied unchanged apart from their names. Random graphs cover
string, int and mixed node ids, directed and multi-graphs, parallel and
reciprocal edges, self-loops, and missing, non-numeric and non-finite weights.
"""

import math
import random
from concurrent.futures import ThreadPoolExecutor

import networkx as nx
import numpy as np
import pytest

from netdash.errors import InvalidInputError
from netdash.viz import layout, network_spec, stable_positions
from netdash.viz.budget import SEE_MORE, MapBudget, _strengths, map_budget
from netdash.viz.colours import agency_colours, sorted_ids
from netdash.viz.layout import _simple_weights, layout_positions
from netdash.viz.panels import map_panel


# ---- references: the code before the speed-ups ---------------------------------------------


def _old_number(value, default=1.0):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return default
    return value if math.isfinite(value) else default


def _old_simple_weights(G, weight):
    pairs = {}
    for u, v, w in G.edges(data=weight, default=1.0):
        if u == v:
            continue
        key = tuple(sorted_ids((u, v)))
        pairs[key] = pairs.get(key, 0.0) + (1.0 if weight is None else _old_number(w))
    return pairs


def _old_strengths(G, weight):
    pairs = {}
    for u, v, w in G.edges(data=weight, default=1.0):
        if u == v:
            continue
        try:
            w = float(w)
        except (TypeError, ValueError):
            w = 1.0
        key = frozenset((u, v))
        pairs[key] = pairs.get(key, 0.0) + (w if math.isfinite(w) else 1.0)
    strength = dict.fromkeys(G, 0.0)
    for pair, w in pairs.items():
        for n in pair:
            strength[n] += w
    return pairs, strength


def _old_map_budget(G, *, max_nodes=1500, max_edges=20000, ties_per_node=3, weight="weight"):
    n, m = G.number_of_nodes(), G.number_of_edges()
    if n <= max_nodes and m <= max_edges:
        return MapBudget(G, False, None)
    pairs, strength = _old_strengths(G, weight)
    ties = {u: 0 for u in G}
    for pair in pairs:
        for u in pair:
            ties[u] += 1
    order = {u: i for i, u in enumerate(sorted_ids(G))}
    ranked = sorted((u for u in G if ties[u]), key=lambda u: (-strength[u], -ties[u], order[u]))
    keep = set(ranked[:max_nodes])
    chosen = set()
    neighbours = {u: [] for u in keep}
    for pair, w in pairs.items():
        if pair <= keep:
            u, v = tuple(pair)
            neighbours[u].append((w, v))
            neighbours[v].append((w, u))
    for u, nbrs in neighbours.items():
        nbrs.sort(key=lambda wv: (-wv[0], order[wv[1]]))
        chosen.update(frozenset((u, v)) for _, v in nbrs[:ties_per_node])
    H = G.__class__()
    H.graph.update(G.graph)
    shown = sorted_ids({u for pair in chosen for u in pair})
    H.add_nodes_from((u, G.nodes[u]) for u in shown)
    if G.is_multigraph():
        H.add_edges_from((u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True)
                         if u != v and frozenset((u, v)) in chosen)
    else:
        H.add_edges_from((u, v, d) for u, v, d in G.edges(data=True) if u != v and frozenset((u, v)) in chosen)
    people = "practitioners" if len(keep) < len(ranked) else "connected practitioners"
    message = (
        f"This network is too large to draw whole ({n:,} practitioners, {m:,} ties). "
        f"Showing the {H.number_of_nodes():,} most connected {people}' strongest ties "
        f"(up to {ties_per_node} each; {H.number_of_edges():,} ties). Practitioners without ties are "
        "not shown; filter by agency or search for a practitioner to see everyone."
    )
    return MapBudget(H, True, message)


def _old_layout_positions(G, *, seed=0, scale=1000.0, weight="weight", iterations=None):
    nodes = sorted_ids(G.nodes)
    if not nodes:
        return {}
    pairs = _old_simple_weights(G, weight)
    linked = sorted_ids({n for pair in pairs for n in pair})
    linked_set = set(linked)
    isolates = [n for n in nodes if n not in linked_set]
    groups = {n: G.nodes[n].get("agency") for n in nodes}
    rng = np.random.default_rng(seed)
    coords = {}
    if linked:
        index = {n: i for i, n in enumerate(linked)}
        keys = sorted(pairs, key=lambda p: (index[p[0]], index[p[1]]))
        src = np.array([index[u] for u, _ in keys], dtype=np.intp)
        dst = np.array([index[v] for _, v in keys], dtype=np.intp)
        raw = np.log1p(np.clip([pairs[p] for p in keys], 0.0, None))
        median = float(np.median(raw))
        w = raw / median if median > 0 else np.ones_like(raw)
        degree = dict.fromkeys(linked, 0.0)
        for (u, v), x in zip(keys, w):
            degree[u] += x
            degree[v] += x
        steps = iterations or max(10, min(100, int(layout._PAIR_BUDGET / len(linked) ** 2)))
        start = layout._initial_positions(linked, groups, degree, rng)
        pos = layout._fruchterman_reingold(start, src, dst, w, iterations=steps)
        coords = {n: tuple(p) for n, p in zip(linked, pos)}
    if isolates:
        rank = {g: i for i, g in enumerate(sorted_ids({g for g in groups.values() if g is not None}))}
        position = {n: i for i, n in enumerate(nodes)}
        by_group = sorted(isolates, key=lambda n: (rank.get(groups[n], len(rank)), position[n]))
        coords.update(layout._grid_below(by_group, coords))
    points = np.array([coords[n] for n in nodes])
    points -= (points.min(axis=0) + points.max(axis=0)) / 2
    extent = float(np.abs(points).max())
    points *= scale / extent if extent > 0 else 0.0
    return {n: (round(float(x), 2), round(float(y), 2)) for n, (x, y) in zip(nodes, points)}


def _old_stable_positions(graphs, **kw):
    weight = kw.get("weight", "weight")
    union = nx.Graph()
    for H in graphs:
        for n, data in H.nodes(data=True):
            union.add_node(n)
            if data.get("agency") is not None:
                union.nodes[n]["agency"] = data["agency"]
        for (u, v), w in _old_simple_weights(H, weight).items():
            old = union.edges[u, v]["w"] if union.has_edge(u, v) else -math.inf
            union.add_edge(u, v, w=max(old, w))
    if weight is not None:
        kw = {**kw, "weight": "w"}
    return _old_layout_positions(union, **kw)


# ---- random graphs ------------------------------------------------------------------------

WEIGHTS = (1, 2, 3, 7, 0.5, 2.25, 1e-3, 0, -1.5, "x", "4", None, float("nan"), float("inf"), True, "missing")
KINDS = (nx.Graph, nx.DiGraph, nx.MultiGraph, nx.MultiDiGraph)


def _random_graph(seed, ids):
    rng = random.Random(seed)
    n = rng.randint(2, 40)
    if ids == "str":
        names = [f"P-{rng.randint(0, 999):03d}" for _ in range(n)]
    elif ids == "int":
        names = [rng.randint(-50, 5000) for _ in range(n)]
    else:
        names = [rng.choice((f"p{i}", i, float(i) + 0.5)) for i in range(n)]
    G = rng.choice(KINDS)()
    G.graph["name"] = f"random {seed}"
    for name in names:
        G.add_node(name, **({"agency": rng.choice("ABCD")} if rng.random() < 0.8 else {}))
    nodes = list(G)
    for _ in range(rng.randint(0, 4 * n)):
        u, v = rng.choice(nodes), rng.choice(nodes + [None])  # None: a self-loop
        v = u if v is None else v
        w = rng.choice(WEIGHTS)
        G.add_edge(u, v, **({} if w == "missing" else {"weight": w}))
        if rng.random() < 0.2:  # a reciprocal or parallel edge
            G.add_edge(v, u, weight=rng.choice((1, 2.5)))
    return G


CASES = [(seed, ids) for ids in ("str", "int", "mixed") for seed in range(15)]


@pytest.mark.parametrize("seed, ids", CASES)
@pytest.mark.parametrize("weight", ["weight", None])
def test_simple_weights_and_strengths_are_unchanged(seed, ids, weight):
    G = _random_graph(seed, ids)
    assert list(_simple_weights(G, weight).items()) == list(_old_simple_weights(G, weight).items())
    new_pairs, new_strength = _strengths(G, weight)
    old_pairs, old_strength = _old_strengths(G, weight)
    assert list(new_pairs.items()) == list(old_pairs.items())
    assert list(new_strength.items()) == list(old_strength.items())


def _same_graph(H, K):
    assert type(H) is type(K) and H.graph == K.graph
    assert list(H.nodes(data=True)) == list(K.nodes(data=True))
    edges = (lambda G: list(G.edges(keys=True, data=True))) if H.is_multigraph() else \
        (lambda G: list(G.edges(data=True)))
    assert edges(H) == edges(K)


@pytest.mark.parametrize("seed, ids", CASES)
@pytest.mark.parametrize("max_nodes, ties_per_node", [(3, 1), (8, 2), (1500, 3)])
def test_map_budget_is_unchanged(seed, ids, max_nodes, ties_per_node):
    G = _random_graph(seed, ids)
    old = _old_map_budget(G, max_nodes=max_nodes, max_edges=10, ties_per_node=ties_per_node)
    new = map_budget(G, max_nodes=max_nodes, max_edges=10, ties_per_node=ties_per_node)
    assert (new.reduced, new.message) == (old.reduced, old.message)
    _same_graph(new.graph, old.graph)


@pytest.mark.parametrize("seed, ids", CASES[::3])
@pytest.mark.parametrize("weight", ["weight", None])
def test_layouts_are_unchanged(seed, ids, weight):
    G, H = _random_graph(seed, ids), _random_graph(seed + 100, ids)
    assert layout_positions(G, weight=weight) == _old_layout_positions(G, weight=weight)
    new = stable_positions([G, H], seed=seed, weight=weight, iterations=20)
    assert list(new.items()) == list(_old_stable_positions([G, H], seed=seed, weight=weight, iterations=20).items())


@pytest.mark.parametrize("seed, ids", CASES[::2])
def test_map_panel_draws_the_same_map_without_copying_the_graph(seed, ids):
    G, other = _random_graph(seed, ids), _random_graph(seed + 100, ids)
    everyone = G.copy()
    everyone.add_nodes_from(other.nodes(data=True))
    positions = stable_positions([G, other])
    for max_nodes in (4, 1500):
        # the old map_panel: copy G, add the absent practitioners, then budget the copy
        H = G.copy()
        absent = frozenset(set(everyone) - set(G))
        for n in absent:
            H.add_node(n, **{**everyone.nodes[n], "tooltip": "Not in this period's network"})
        palette = agency_colours({a for _, a in H.nodes(data="agency")})
        old = _old_map_budget(H, max_nodes=max_nodes)
        spec = network_spec(old.graph, positions, faded_nodes=absent, palette=palette, height_px=560)
        panel = map_panel(G, positions, population=everyone, max_nodes=max_nodes, to_see_more=SEE_MORE)
        assert (panel.spec, panel.absent, panel.message) == (spec, absent, old.message)


@pytest.mark.parametrize("seed, ids", CASES)
def test_the_styled_ties_a_panel_draws_are_those_has_edge_finds(seed, ids):
    # map_panel keeps the styles of the ties its (budgeted) graph draws; looked up from the smaller side.
    from netdash.viz.panels import _drawn_styles

    rng = random.Random(seed)
    G, other = _random_graph(seed, ids), _random_graph(seed + 100, ids)
    nodes = list(G) + list(other)
    keys = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(rng.randint(0, 60))] + \
        [e[:2][::rng.choice((1, -1))] for e in G.edges]  # G's own ties, either way round
    style = {"color": "red"}
    for H in (G, map_budget(G, max_nodes=4, max_edges=3).graph):
        for styles in (dict.fromkeys(keys, style), dict.fromkeys(keys[:2], style)):  # more and fewer than H's ties
            expected = {k: v for k, v in styles.items() if H.has_edge(*k)}
            assert list(_drawn_styles(H, styles).items()) == list(expected.items())


@pytest.mark.parametrize("directed", [False, True])
def test_the_styled_ties_of_a_backbone_are_those_has_edge_finds(directed):
    # Before & after's case: tens of thousands of styled (lost) ties, a backbone of a few hundred drawn.
    from netdash.viz.panels import _drawn_styles

    rng = random.Random(7)
    G = nx.relabel_nodes(nx.gnm_random_graph(300, 3000, seed=7, directed=directed), lambda v: f"P{v:03d}")
    H = map_budget(G, max_nodes=30, max_edges=10).graph
    keys = [e[::rng.choice((1, -1))] for e in G.edges] + [(f"P{rng.randrange(400):03d}", "P001") for _ in range(500)]
    styles = {k: {"color": "red", "label": f"{k}"} for k in keys}
    assert 0 < H.number_of_edges() < len(styles)  # looked up from the backbone's side
    drawn = _drawn_styles(H, styles)
    assert list(drawn.items()) == [(k, v) for k, v in styles.items() if H.has_edge(*k)]
    # undirected: every backbone tie is one of G's, styled one way round or both; directed: only as it points
    assert len(drawn) >= H.number_of_edges() if not directed else 0 < len(drawn) < H.number_of_edges()


def test_the_message_says_what_the_page_offers():
    G = nx.star_graph(5)
    assert map_budget(G, max_nodes=3).message.endswith(
        "Practitioners without ties are not shown; filter by agency or search for a practitioner to see everyone.")
    assert map_budget(G, max_nodes=3, to_see_more=None).message.endswith("Practitioners without ties are not shown.")
    assert map_panel(G, dict.fromkeys(G, (0.0, 0.0)), max_nodes=3, to_see_more="tick the box").message.endswith(
        "not shown; tick the box.")
    # the 2 absent practitioners count in the total, as when map_panel copied G to add them
    assert "(8 practitioners, 5 ties)" in map_panel(G, dict.fromkeys(range(8), (0.0, 0.0)), max_nodes=3,
                                                   population=nx.empty_graph(8)).message


def test_map_panel_rejects_a_bad_budget():
    with pytest.raises(InvalidInputError, match="max_nodes must be a whole number of at least 1, got 0"):
        map_panel(nx.path_graph(3), dict.fromkeys(range(3), (0.0, 0.0)), max_nodes=0)


def test_layout_is_the_same_with_and_without_threads(monkeypatch):
    """A network above the threading threshold is laid out to the same positions with one thread."""
    G = nx.relabel_nodes(nx.connected_watts_strogatz_graph(600, 6, 0.2, seed=3), str)
    assert G.number_of_nodes() >= layout._THREADED_NODES
    threaded = layout.layout_positions(G, iterations=5)
    monkeypatch.setattr(layout, "_THREADED_NODES", 10 ** 9)
    assert layout.layout_positions(G, iterations=5) == threaded


@pytest.mark.parametrize("n", [1, 63, 64, 65, 700])
def test_repulsion_does_not_depend_on_the_block_size(monkeypatch, n):
    pos = np.random.default_rng(n).normal(size=(n, 2)) * 20
    pos[n // 2] = pos[0]  # coincident nodes too
    expected = layout._repulsion(pos, 1.3)
    with ThreadPoolExecutor(max_workers=3) as pool:  # rows split between threads: each row's sum the same
        assert np.array_equal(layout._repulsion(pos, 1.3, pool, 3), expected)
    monkeypatch.setattr(layout, "_CHUNK", 512)  # the block size before issue 7's speed-ups
    assert np.array_equal(layout._repulsion(pos, 1.3), expected)


@pytest.mark.parametrize("days", [None, ("2024-01-01", "2024-01-08")])
def test_period_layout_from_the_tables_is_the_layout_of_the_graph(days):
    """period_layout reads the node and edge tables (issue 19): the same positions as laying out the built graph.

    The bundled demo over all time and over a week (people in post without
    a tie that period are laid out as isolates).
    """
    from pathlib import Path

    import pandas as pd

    from netdash.ingest import load_dataset
    from netdash.networks.graphs import practitioner_graph
    from netdash.periods import Period
    from netdash.viz.layout import period_layout

    demo = Path(__file__).resolve().parents[2] / "data" / "demo"
    ds, _ = load_dataset(demo, secret=b"k" * 32)
    period = None if days is None else Period(pd.Timestamp(days[0]), pd.Timestamp(days[1]))
    G = practitioner_graph(ds, period, ties="all")
    assert nx.number_of_isolates(G) > 0 or days is None
    assert period_layout(ds, period) == layout_positions(G) == period_layout(ds, period, G=G)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("days", [None, ("2023-03-01", "2023-10-01"), ("2023-05-01", None), ("1990-01-01", "1990-02-01")])
def test_period_layout_from_coded_pairs_is_the_layout_of_the_edge_table(seed, days):
    """period_layout reads the memo's coded pairs (session 18): the positions of the edge table's layout.

    Random logs with self-contacts, a contact author who is not a practitioner, people not in post, float
    weights, in date order or not, directed or not, and a period without contacts.
    """
    import pandas as pd

    from netdash.dataset import Dataset
    from netdash.networks.graphs import practitioner_edges, practitioner_graph, practitioner_nodes
    from netdash.periods import Period
    from tests.networks.test_tables_equivalence import _messy_dataset

    messy = _messy_dataset(seed)
    contacts = messy.contacts.assign(weight=np.random.default_rng(seed).choice([1.0, 0.5, 2.25, 3.0],
                                                                                  len(messy.contacts)))
    if seed == 1:
        contacts = contacts.sort_values("date", kind="stable")  # a period's log is then a view of the whole log
    ds = Dataset.from_records(agencies=messy.agencies, practitioners=messy.practitioners, contacts=contacts,
                              cop_attendance=messy.cop_attendance, trust_survey=messy.trust_survey,
                              directed=seed != 2)
    period = None if days is None else Period(*(None if d is None else pd.Timestamp(d) for d in days))
    nodes, edges = practitioner_nodes(ds, period), practitioner_edges(ds, period, ties="all")
    reference = layout._table_layout(nodes["practitioner_id"], nodes["agency"], edges["source"], edges["target"],
                                     edges["weight"], seed=0)
    got = layout.period_layout(ds, period)
    assert list(got.items()) == list(reference.items())
    assert got == layout_positions(practitioner_graph(ds, period, ties="all"))
