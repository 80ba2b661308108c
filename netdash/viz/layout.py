"""Deterministic node positions for the network maps.

Positions are computed once in Python, so the browser draws a still picture
(physics off) and the same data always gives the same map. The layout is the
force-directed placement of Fruchterman & Reingold (1991): nodes repel with
force k²/d, tied nodes attract with force w·d²/k, and each step moves a node
at most by a "temperature" that cools linearly. Three choices make it suit
practitioner networks:

- Start from agency clusters: agencies (sorted by id) sit on a circle and
  their staff on a small sunflower spiral around the agency's point, hubs in
  the middle. Staff of one agency therefore stay near each other unless their
  ties pull them elsewhere. No force holds agencies together: a cluster that
  survives shows a real silo, not a drawing choice.
- Isolates (nobody they are tied to) are left out of the forces and set in
  neat rows under the drawing (vis-network's y axis points down), grouped by
  agency, instead of being pushed off to the edges.
- Weights enter as ``log(1 + w)``, scaled so the median tie weighs 1, so a
  few very frequent contacts do not collapse their pair onto one point.

Nodes and edges are sorted before anything is computed, so the result does
not depend on the order in which the graph was built.

Regional networks (more than :data:`LARGE_LAYOUT_NODES` tied practitioners)
are laid out in two steps, since exact repulsion among all of them would take
most of a minute: the :data:`CORE_NODES` most connected by these forces, then
everyone else at the weighted mean of the people they are tied to (a seeded
offset keeps them apart). A map at that size draws a backbone of the most
connected (:func:`netdash.viz.budget.map_budget`), which the core is ranked
like; a filtered or focused map shows the others beside their colleagues.
"""

import math
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import networkx as nx
import numpy as np
import pandas as pd

from netdash.errors import InvalidInputError
from netdash.viz._pairs import edge_weights, pair_table
from netdash.viz.colours import sorted_ids

__all__ = ["LARGE_LAYOUT_NODES", "CORE_NODES", "layout_positions", "stable_positions", "period_layout",
           "positions_for", "layout_stage"]

# Repulsion is computed exactly over all pairs; this caps the pair
# evaluations (nodes² × iterations) so a few thousand nodes take seconds.
_PAIR_BUDGET = 1.2e8
# Rows of the pair matrix per block: 64 rows × a few thousand nodes stay in the CPU cache (faster than
# larger blocks: docs/benchmarks.md, "_CHUNK"). Each row's sum is the same whatever the block size.
_CHUNK = 64
#: From this many nodes the repulsion is split between threads; below it the threads cost about what they save
#: (docs/benchmarks.md, "The map layout on two cores").
_THREADED_NODES = 500
_GRAVITY = 0.02  # weak pull to the centre that keeps separate components in view
#: Above this many tied practitioners, exact forces act among the :data:`CORE_NODES` most connected only and
#: everyone else is placed by their ties (:func:`_core_then_rest`): exact repulsion among 20,000 is 4e8 pairs
#: a step (docs/benchmarks.md, "Large layout").
LARGE_LAYOUT_NODES = 4000
#: The most connected practitioners laid out by exact forces in a large network (at least the 1,500 a map's
#: backbone draws: :func:`netdash.viz.budget.map_budget`).
CORE_NODES = 2000


def _number(value, default=1.0):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return default
    return value if math.isfinite(value) else default


def _simple_weights(G, weight):
    """``{(u, v): w}`` with u, v in sorted order, summing parallel and reciprocal edges.

    Pairs come in order of first appearance in ``G.edges``. When every node id
    is a string, or every one an int, one sort of the ids orders every pair
    (numpy over edge arrays); otherwise each pair is ordered by
    :func:`sorted_ids` on its own, as mixed ids only compare pair by pair.
    """
    kinds = {type(n) for n in G}
    if kinds == {str} or kinds == {int}:
        nodes = sorted(G)
        lo, hi, w, _ = pair_table(G, weight, {n: i for i, n in enumerate(nodes)})
        return {(nodes[a], nodes[b]): x for a, b, x in zip(lo.tolist(), hi.tolist(), w.tolist())}
    pairs = {}
    for u, v, w in G.edges(data=weight, default=1.0):
        if u == v:
            continue
        key = tuple(sorted_ids((u, v)))
        pairs[key] = pairs.get(key, 0.0) + (1.0 if weight is None else _number(w))
    return pairs


def _initial_positions(nodes, groups, degree, rng):
    """Agency clusters on a circle, each a sunflower spiral with hubs at its centre."""
    members = {}
    for node in nodes:
        members.setdefault(groups[node], []).append(node)
    order = sorted_ids(g for g in members if g is not None)
    if None in members:
        order.append(None)
    radii = {g: math.sqrt(len(members[g])) for g in order}
    if len(order) > 1:
        ring = max(1.2 * sum(2 * r for r in radii.values()) / (2 * math.pi),
                   1.5 * max(radii.values()))
    else:
        ring = 0.0
    golden = math.pi * (3 - math.sqrt(5))
    pos = {}
    for i, g in enumerate(order):
        angle = 2 * math.pi * i / len(order)
        cx, cy = ring * math.cos(angle), ring * math.sin(angle)
        staff = sorted(members[g], key=lambda n: -degree[n])  # stable: ties keep id order
        for j, node in enumerate(staff):
            r = math.sqrt(j + 0.5)
            pos[node] = (cx + r * math.cos(j * golden), cy + r * math.sin(j * golden))
    arr = np.array([pos[n] for n in nodes], dtype=float)
    return arr + rng.uniform(-0.05, 0.05, size=arr.shape)


def _repulsion(pos, k, pool=None, parts=1):
    """Sum over all other nodes of k²/d along the unit vector away from them.

    With a thread ``pool`` the rows are split into ``parts`` run at once:
    numpy lets go of the interpreter lock in each block's arithmetic, so
    the parts run on separate cores. Every row's sum is computed the same
    way either way.
    """
    x, y = pos[:, 0].copy(), pos[:, 1].copy()
    disp = np.empty_like(pos)

    def rows(start, stop):
        for s in range(start, stop, _CHUNK):
            e = min(s + _CHUNK, stop)
            dx = x[s:e, None] - x[None, :]
            dy = y[s:e, None] - y[None, :]
            inv = dx * dx
            inv += dy * dy
            np.maximum(inv, 1e-4, out=inv)  # coincident nodes: large but finite push
            np.reciprocal(inv, out=inv)
            disp[s:e, 0] = np.einsum("ij,ij->i", dx, inv)
            disp[s:e, 1] = np.einsum("ij,ij->i", dy, inv)

    if pool is None:
        rows(0, len(pos))
    else:  # whole blocks per part
        cuts = [min(len(pos), -(-len(pos) * i // parts // _CHUNK) * _CHUNK) for i in range(parts + 1)]
        for done in [pool.submit(rows, lo, hi) for lo, hi in zip(cuts, cuts[1:]) if hi > lo]:
            done.result()
    return disp * (k * k)


def _fruchterman_reingold(pos, src, dst, w, *, iterations, k=1.0):
    """Fruchterman & Reingold (1991) with exact repulsion, vectorised over edges.

    Above :data:`_THREADED_NODES` nodes the repulsion uses every core (the
    same positions: :func:`_repulsion`).
    """
    parts = min(os.cpu_count() or 1, 4) if len(pos) >= _THREADED_NODES else 1
    with ThreadPoolExecutor(max_workers=parts) if parts > 1 else nullcontext() as pool:
        return _fruchterman_reingold_steps(pos, src, dst, w, iterations, k, pool, parts)


def _fruchterman_reingold_steps(pos, src, dst, w, iterations, k, pool, parts):
    n = len(pos)
    t = 0.1 * max(float(np.ptp(pos[:, 0])), float(np.ptp(pos[:, 1])), 1.0)
    dt = t / (iterations + 1)
    for _ in range(iterations):
        disp = _repulsion(pos, k, pool, parts)
        delta = pos[src] - pos[dst]
        force = delta * (np.sqrt(np.einsum("ij,ij->i", delta, delta)) * w / k)[:, None]
        for axis in (0, 1):
            disp[:, axis] -= np.bincount(src, force[:, axis], minlength=n)
            disp[:, axis] += np.bincount(dst, force[:, axis], minlength=n)
        disp -= _GRAVITY * (pos - pos.mean(axis=0)) * math.sqrt(n)
        length = np.sqrt(np.einsum("ij,ij->i", disp, disp))
        step = np.minimum(length, t) / np.maximum(length, 1e-9)
        pos = pos + disp * step[:, None]
        t -= dt
    return pos


def _steps(n, iterations=None):
    """``iterations``, or by default 100 steps, fewer for ``n`` nodes so that ``n² × steps`` stays under
    ``_PAIR_BUDGET`` (at least 10)."""
    return iterations or max(10, min(100, int(_PAIR_BUDGET / n ** 2)))


def _core_then_rest(start, src, dst, w, strength, ties, rng, *, iterations=None):
    """Large networks: exact forces among the :data:`CORE_NODES` most connected, the rest placed by their ties.

    The core is ranked the way the map's backbone ranks practitioners
    (strength, then number of ties, then id: ``start`` is in id order),
    though over every tie and on the layout's log weights, so most of a
    backbone drawn at this size, not necessarily all of it, is laid out by
    the forces.
    Everyone else is placed, in rounds, at the weighted mean of their
    already-placed neighbours (the core first, then those placed in earlier
    rounds), plus a seeded offset of at most half the forces' natural
    distance so that people tied to one hub do not sit on one point. Returns
    the positions and which nodes were placed; nodes with no path to the
    core are not (the caller sets them below the drawing).
    """
    n = len(start)
    order = np.lexsort((np.arange(n), -ties, -strength))
    core = np.zeros(n, dtype=bool)
    core[order[:CORE_NODES]] = True
    index = np.cumsum(core) - 1
    inside = core[src] & core[dst]
    steps = _steps(CORE_NODES, iterations)
    pos = start.copy()
    pos[core] = _fruchterman_reingold(start[core], index[src[inside]], index[dst[inside]], w[inside],
                                      iterations=steps)
    placed = core.copy()
    into, frm, ww = np.r_[dst, src], np.r_[src, dst], np.r_[w, w]  # each tie in both directions
    while True:
        take = placed[frm] & ~placed[into]
        if not take.any():
            break
        to, weight = into[take], ww[take]
        total = np.bincount(to, weights=weight, minlength=n)
        x = np.bincount(to, weights=weight * pos[frm[take], 0], minlength=n)
        y = np.bincount(to, weights=weight * pos[frm[take], 1], minlength=n)
        new = total > 0
        pos[new, 0], pos[new, 1] = x[new] / total[new], y[new] / total[new]
        placed |= new
    rest = placed & ~core
    angle = rng.uniform(0, 2 * math.pi, n)
    radius = 0.5 * np.sqrt(rng.uniform(0, 1, n))
    pos[rest] += np.column_stack((radius * np.cos(angle), radius * np.sin(angle)))[rest]
    return pos, placed


def _grid_below(nodes, coords, spacing=1.5):
    """Rows of points under the laid-out nodes (or a square block when there are none)."""
    if coords:
        xs = [x for x, _ in coords.values()]
        left, width = min(xs), max(max(xs) - min(xs), spacing)
        top = max(y for _, y in coords.values()) + 2 * spacing
    else:
        width = spacing * max(math.ceil(math.sqrt(len(nodes))) - 1, 1)
        left, top = -width / 2, 0.0
    per_row = max(int(width / spacing) + 1, 1)
    return {n: (left + spacing * (i % per_row), top + spacing * (i // per_row)) for i, n in enumerate(nodes)}


def layout_positions(G, *, seed=0, scale=1000.0, weight="weight", iterations=None):
    """Deterministic 2-D positions for every node of ``G``.

    Force-directed layout (Fruchterman & Reingold 1991) started from agency
    clusters, with isolates in rows underneath; above
    :data:`LARGE_LAYOUT_NODES` tied nodes, the forces act among the
    :data:`CORE_NODES` most connected and the rest are placed by their ties;
    see the module notes.
    Directed and multi-graphs are laid out as their undirected simple graph,
    parallel and reciprocal edges adding their weights. Self-loops are ignored.

    Parameters
    ----------
    G : networkx graph
        Practitioner graph; the ``agency`` node attribute (if any) groups
        the starting positions.
    seed : int, default 0
        Seed of the small jitter added to the start; same seed, same map.
    scale : float, default 1000.0
        Half-width of the drawing: every coordinate ends in ``[-scale, scale]``.
    weight : str or None, default "weight"
        Edge attribute used as tie strength; ``None`` treats all ties alike.
        Missing or non-numeric weights count as 1.
    iterations : int, optional
        Layout steps. By default 100, fewer for big graphs so that
        ``nodes² × iterations`` stays under 1.2e8 (at least 10).

    Returns
    -------
    dict
        ``{node: (x, y)}`` with coordinates rounded to 0.01.

    Raises
    ------
    InvalidInputError
        If ``scale`` is not a positive number or ``iterations`` is below 1.

    Examples
    --------
    >>> G = nx.Graph([("a", "b")], name="pair")
    >>> layout_positions(G) == layout_positions(nx.Graph([("b", "a")]))
    True
    >>> layout_positions(nx.Graph())
    {}
    """
    if not (isinstance(scale, (int, float)) and math.isfinite(scale) and scale > 0):
        raise InvalidInputError(f"layout_positions: scale must be a positive number, got {scale!r}.")
    if iterations is not None and (not isinstance(iterations, int) or iterations < 1):
        raise InvalidInputError(
            f"layout_positions: iterations must be a whole number of at least 1, got {iterations!r}."
        )
    nodes = sorted_ids(G.nodes)
    if not nodes:
        return {}
    groups = {n: G.nodes[n].get("agency") for n in nodes}
    return _layout(nodes, groups, _simple_weights(G, weight), seed=seed, scale=scale, iterations=iterations)


def _layout(nodes, groups, pairs, *, seed, scale, iterations):
    """:func:`layout_positions` of sorted ``nodes`` with ``{node: agency}`` and ``{(u, v): w}`` (u, v sorted)."""
    position = {n: i for i, n in enumerate(nodes)}
    lo = np.fromiter((position[u] for u, _ in pairs), dtype=np.intp, count=len(pairs))
    hi = np.fromiter((position[v] for _, v in pairs), dtype=np.intp, count=len(pairs))
    weights = np.fromiter(pairs.values(), dtype=float, count=len(pairs))
    return _layout_arrays(nodes, groups, lo, hi, weights, seed=seed, scale=scale, iterations=iterations)


def _layout_arrays(nodes, groups, lo, hi, weights, *, seed, scale, iterations):
    """:func:`_layout` with the pairs as arrays: ``nodes[lo[i]]``, ``nodes[hi[i]]`` tied with ``weights[i]``.

    ``lo < hi`` on every row and no pair twice; the order of the rows does not matter.
    """
    tied = np.zeros(len(nodes), dtype=bool)
    tied[lo] = tied[hi] = True
    linked = [n for n, ok in zip(nodes, tied.tolist()) if ok]  # sorted, as nodes are
    isolates = [n for n, ok in zip(nodes, tied.tolist()) if not ok]
    rng = np.random.default_rng(seed)

    coords = {}
    if linked:
        rank = np.cumsum(tied) - 1  # a tied node's position among the linked ones
        src, dst = rank[lo], rank[hi]
        order = np.lexsort((dst, src))  # pairs by (index of u, index of v); pairs are unique
        src, dst = src[order], dst[order]
        raw = np.log1p(np.clip(np.asarray(weights, dtype=float)[order], 0.0, None))
        median = float(np.median(raw))
        w = raw / median if median > 0 else np.ones_like(raw)
        # each node's weights added in pair order, as a loop over the pairs would
        ends = np.column_stack((src, dst)).ravel()
        strength = np.bincount(ends, weights=np.repeat(w, 2), minlength=len(linked))
        degree = dict(zip(linked, strength.tolist()))
        start = _initial_positions(linked, groups, degree, rng)
        if len(linked) > LARGE_LAYOUT_NODES:
            ties = np.bincount(ends, minlength=len(linked))
            pos, placed = _core_then_rest(start, src, dst, w, strength, ties, rng, iterations=iterations)
        else:
            pos = _fruchterman_reingold(start, src, dst, w, iterations=_steps(len(linked), iterations))
            placed = np.ones(len(linked), dtype=bool)
        coords = {n: tuple(p) for n, p, ok in zip(linked, pos, placed.tolist()) if ok}
        # Large networks only: groups of tied practitioners out of reach of the core go below, like isolates.
        isolates += [n for n, ok in zip(linked, placed.tolist()) if not ok]
    if isolates:
        rank = {g: i for i, g in enumerate(sorted_ids({g for g in groups.values() if g is not None}))}
        position = {n: i for i, n in enumerate(nodes)}
        by_group = sorted(isolates, key=lambda n: (rank.get(groups[n], len(rank)), position[n]))
        coords.update(_grid_below(by_group, coords))
    points = np.array([coords[n] for n in nodes])
    points -= (points.min(axis=0) + points.max(axis=0)) / 2  # centre the bounding box
    extent = float(np.abs(points).max())
    points *= scale / extent if extent > 0 else 0.0
    return {n: (round(float(x), 2), round(float(y), 2)) for n, (x, y) in zip(nodes, points)}


def stable_positions(graphs, **kw):
    """One layout for several graphs, so a node sits in the same place in every panel.

    The graphs (e.g. before and after a COP started) are joined into one
    undirected graph: every node of any of them, each tie at its largest
    weight across the graphs; a node's ``agency`` is taken from the last graph
    that records one. That union is laid out with :func:`layout_positions`.

    Parameters
    ----------
    graphs : iterable of networkx graphs
    **kw
        Passed to :func:`layout_positions` (``seed``, ``scale``, ``weight``,
        ``iterations``).

    Returns
    -------
    dict
        ``{node: (x, y)}`` for every node of every graph.

    Raises
    ------
    InvalidInputError
        If no graph is given.

    Examples
    --------
    >>> before, after = nx.Graph([("a", "b")]), nx.Graph([("b", "c")])
    >>> sorted(stable_positions([before, after]))
    ['a', 'b', 'c']
    """
    graphs = list(graphs)
    if not graphs:
        raise InvalidInputError("stable_positions needs at least one graph, got none.")
    options = {"seed": 0, "scale": 1000.0, "weight": "weight", "iterations": None, **kw}
    weight = options.pop("weight")
    # The union is kept as plain dicts, not a networkx graph: nodes in order of
    # first appearance, an agency from the last graph that records one, each
    # pair at its largest weight.
    agency, pairs = {}, {}
    for H in graphs:
        for n, a in H.nodes(data="agency"):
            if a is not None or n not in agency:
                agency[n] = a
        for key, w in _simple_weights(H, weight).items():
            pairs[key] = 0.0 + max(pairs.get(key, -math.inf), w)
    if weight is None:
        pairs = dict.fromkeys(pairs, 1.0)
    layout_positions(nx.Graph(), **options)  # the same checks of the options
    nodes = sorted_ids(agency)
    return _layout(nodes, agency, pairs, **options) if nodes else {}


def period_layout(ds, period=None, *, G=None, seed=0):
    """The maps' layout of ``period``: :func:`layout_positions` of its practitioner network with every tie.

    One layout per dataset and period, for every map that shows practitioners
    in it (the Network map, Before & after, Over time, the report), whichever
    ties a map draws: a practitioner sits in the same place on each, and a
    change of ties setting shows which lines remain. Every tie type counts
    in the layout (COP co-attendance too); that is where dots go, not what
    any figure counts.

    Parameters
    ----------
    ds : Dataset
    period : Period, optional
    G : networkx graph, optional
        ``practitioner_graph(ds, period, ties="all")`` if already built.
        Without it the layout is read from what that graph would be built
        from: the node table (:func:`netdash.networks.graphs.practitioner_nodes`)
        and the coded pairs and counts behind
        :func:`netdash.networks.graphs.practitioner_edges` (kept in the
        dataset's memo). The same positions, without building a networkx
        graph of every tie (issue 19: 0.94 M ties at regional scale) or an
        edge table of ids.
    seed : int, default 0
        The dashboard's seed is 0.

    Returns
    -------
    dict
        ``{practitioner: (x, y)}`` for everyone in post in ``period`` (scale 1000).

    Examples
    --------
    >>> from netdash.dataset import Dataset
    >>> from netdash.networks.graphs import practitioner_graph
    >>> ds = Dataset.from_records(
    ...     agencies=[{"agency_id": "A"}],
    ...     practitioners=[{"practitioner_id": p, "agency_id": "A"} for p in ("p1", "p2", "p3")],
    ...     contacts=[{"date": "2024-01-01", "practitioner_id": "p2", "with_practitioner_id": "p1"}])
    >>> period_layout(ds) == layout_positions(practitioner_graph(ds, ties="all"))
    True
    """
    if G is not None:
        return layout_positions(G, seed=seed)
    from netdash.networks import counts, graphs

    nodes = graphs.practitioner_nodes(ds, period)
    found = counts.union_counts(ds, period, "all", 90)  # practitioner_edges' defaults
    if found is not None and len(nodes):
        ids = list(nodes["practitioner_id"])
        ordered = sorted_ids(ids)
        # Each practitioner code's place among the sorted nodes: a lookup per practitioner, not per tie end.
        place = pd.Index(ordered, dtype=object).get_indexer(pd.Index(counts.period_log(ds, period).ids, dtype=object))
        source, target, kinds = found
        a, b = place[source], place[target]
        if (a >= 0).all() and (b >= 0).all():
            # practitioner_edges' weight, read as _table_layout reads it (edge_weights: non-finite counts as 1)
            weight = np.asarray(kinds["direct"] + kinds["coworking"] + kinds["cop"], dtype=float)
            weight[~np.isfinite(weight)] = 1.0
            keep = a != b
            a, b = a[keep], b[keep]
            return _layout_arrays(ordered, dict(zip(ids, list(nodes["agency"]))), np.minimum(a, b),
                                  np.maximum(a, b), weight[keep], seed=seed, scale=1000.0, iterations=None)
    # No ties, or a tie end that is not a node (the graph would add it): the edge table's path.
    edges = graphs.practitioner_edges(ds, period, ties="all")
    return _table_layout(nodes["practitioner_id"], nodes["agency"], edges["source"], edges["target"],
                         edges["weight"], seed=seed)


def _table_layout(ids, agencies, source, target, weight, *, seed):
    """:func:`layout_positions` of the graph with nodes ``ids`` (``agency`` attribute ``agencies``) and ties
    ``source``–``target`` of ``weight``, one row per pair, read from those columns.
    """
    ids = list(ids)
    if not ids:
        return {}
    groups = dict(zip(ids, list(agencies)))
    nodes = sorted_ids(ids)
    position = pd.Index(nodes, dtype=object)
    a = position.get_indexer(pd.Index(source, dtype=object))
    b = position.get_indexer(pd.Index(target, dtype=object))
    if (a < 0).any() or (b < 0).any():  # a tie end that is not a node: the graph would add it; lay that out
        G = nx.Graph()
        G.add_nodes_from((n, {"agency": g}) for n, g in groups.items())
        G.add_weighted_edges_from(zip(source, target, weight))
        return layout_positions(G, seed=seed)
    keep = a != b
    a, b, w = a[keep], b[keep], edge_weights(list(weight))[keep]
    return _layout_arrays(nodes, groups, np.minimum(a, b), np.maximum(a, b), w, seed=seed, scale=1000.0,
                          iterations=None)


def positions_for(layout, graphs):
    """``layout`` when it places every node of ``graphs``, else :func:`stable_positions` of ``graphs``.

    Everyone in post in a part of a period is in post in the period, so the
    period's layout (:func:`period_layout`) normally serves the maps of its
    parts (before and after windows); should someone be missing, the graphs
    are laid out together.

    Examples
    --------
    >>> layout = {"a": (0.0, 0.0), "b": (1.0, 0.0)}
    >>> positions_for(layout, [nx.Graph([("a", "b")])]) is layout
    True
    >>> sorted(positions_for(layout, [nx.Graph([("a", "c")])]))
    ['a', 'c']
    """
    graphs = list(graphs)
    if all(v in layout for H in graphs for v in H):
        return layout
    return stable_positions(graphs)


def layout_stage(n_nodes):
    """What laying out ``n_nodes`` practitioners does, in words, for a page's progress line.

    Examples
    --------
    >>> layout_stage(20000)[:60]
    'Laying out 20,000 practitioners: the 2,000 most connected by'
    >>> layout_stage(300)
    'Laying out 300 practitioners…'
    """
    if n_nodes > LARGE_LAYOUT_NODES:
        return (f"Laying out {n_nodes:,} practitioners: the {CORE_NODES:,} most connected by their ties' forces, "
                "everyone else beside the colleagues they work with…")
    return f"Laying out {n_nodes:,} practitioners…"
