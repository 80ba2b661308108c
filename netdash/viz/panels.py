"""Maps of one network across periods, drawn at shared positions.

Used by the Before & after and Over time pages: the same practitioner sits at
the same place in every panel, people not in post in a period are faded,
and new cross-agency and lost ties are styled.
"""

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from netdash.change.dynamics import agency_by_position, coded_tie_changes, tie_changes, tie_key
from netdash.networks import graph_from_tables, practitioner_nodes
from netdash.networks.codes import isin_sorted, unique_sorted
from netdash.networks.graphs import PRACTITIONER_EDGE_ATTRS
from netdash.viz.budget import MapBudget, _backbone, _check_limits, _fits, backbone_of_tables
from netdash.viz.colours import agency_colours
from netdash.viz.layout import stable_positions
from netdash.viz.spec import network_spec

__all__ = ["MapPanel", "BeforeAfterMaps", "BeforeAfterDrawn", "NEW_CROSS_STYLE", "LOST_STYLE",
           "population_graph", "periods_population", "map_panel", "before_after_maps", "before_after_table_maps"]

#: Edge style of a cross-agency tie that is new in the after period (after panel).
NEW_CROSS_STYLE = {"color": "rgba(106,61,154,0.7)", "width": 1.6, "label": "New tie across agencies"}
#: Edge style of a tie that was lost (before panel): drawn dashed.
LOST_STYLE = {"color": "rgba(40,40,40,0.75)", "dashes": True, "width": 1.2, "label": "Tie lost (gone after)"}
_MAX_EDGES = 20000  # map_budget's default


@dataclass(frozen=True)
class MapPanel:
    """One map of a series drawn at shared positions.

    Attributes
    ----------
    spec : dict
        What the map draws (:func:`netdash.viz.spec.network_spec`).
    absent : frozenset
        Nodes drawn faded because they are not in this panel's graph.
    message : str or None
        :func:`netdash.viz.map_budget`'s note when the graph was cut down.
    """

    spec: dict
    absent: frozenset
    message: str | None


@dataclass(frozen=True)
class BeforeAfterMaps:
    """The result of :func:`before_after_maps`: two panels on one set of positions."""

    before: MapPanel
    after: MapPanel
    positions: dict
    new_cross_agency: frozenset
    lost: frozenset


@dataclass(frozen=True)
class BeforeAfterDrawn:
    """The result of :func:`before_after_table_maps`: two panels, and how many ties changed."""

    before: MapPanel
    after: MapPanel
    n_new_cross_agency: int
    n_lost: int


def population_graph(graphs):
    """Every node of ``graphs`` with its attributes, and no ties: the people a series of panels draws.

    Attributes are merged as ``add_nodes_from`` merges them (later graphs
    update earlier ones), without copying anyone's ties.

    Examples
    --------
    >>> import networkx as nx
    >>> G1, G2 = nx.Graph([(1, 2)]), nx.Graph([(2, 3)])
    >>> G2.nodes[3]["agency"] = "A"
    >>> everyone = population_graph([G1, G2])
    >>> sorted(everyone.nodes(data="agency")), everyone.number_of_edges()
    ([(1, None), (2, None), (3, 'A')], 0)
    """
    everyone = nx.Graph()
    for G in graphs:
        everyone.add_nodes_from(G.nodes(data=True))
    return everyone


def periods_population(ds, periods):
    """Every practitioner in post in any of ``periods``, with their attributes and no ties.

    A window's network has every practitioner of its node table as a node,
    whatever the ties (:func:`netdash.networks.graphs.practitioner_nodes`),
    so the people a series of window maps draws are these nodes alone:
    :func:`population_graph` of each period's nodes, without building any
    period's ties.
    """
    no_ties = pd.DataFrame({"source": pd.Series(dtype=object), "target": pd.Series(dtype=object)})
    tables = [practitioner_nodes(ds, period) for period in periods]
    if not tables:
        return nx.Graph()
    # One graph from the stacked node tables, not one per period merged node by node (at regional scale, 20,000
    # practitioners in each of eight quarters, most of Over time's maps before the window shown): nodes in the
    # order population_graph adds them (by first period, then as that period's table lists them), each with its
    # row of the last period it is in, as population_graph's updates leave it.
    stacked = pd.concat(tables, ignore_index=True)
    ids = stacked["practitioner_id"]
    first = ids.drop_duplicates(keep="first")
    last = stacked.loc[ids.drop_duplicates(keep="last").index].set_index("practitioner_id", drop=False)
    return graph_from_tables(last.loc[first.to_numpy()].reset_index(drop=True), no_ties, attrs=())


def map_panel(G, positions, *, population=None, edge_styles=None, title=None, height_px=560,
              palette=None, agency_names=None, max_nodes=1500, to_see_more=None):
    """Draw ``G`` at fixed ``positions``, with the rest of ``population`` drawn faded.

    Every node of ``population`` that is not in ``G`` is added without ties,
    with its attributes from ``population`` and a tooltip line saying it is
    not in this period, and drawn faded, so a series of panels shows the
    same people at the same places. Too large a graph is cut down by
    :func:`netdash.viz.map_budget` (positions are kept).

    Parameters
    ----------
    G : networkx graph
    positions : mapping
        ``{node: (x, y)}`` for every node of ``G`` and ``population``,
        e.g. :func:`netdash.viz.stable_positions` of all panels' graphs.
    population : networkx graph, optional
        Everyone to draw; default: only ``G``'s nodes.
    edge_styles, title, height_px, palette, agency_names
        As :func:`netdash.viz.network_spec`; ``palette`` defaults to
        :func:`netdash.viz.agency_colours` of every agency in ``G`` and
        ``population``, so agencies keep their colours across panels.
    max_nodes : int, default 1500
        Node budget of this panel (:func:`netdash.viz.map_budget`): give a
        page with several panels a share of the page's budget.
    to_see_more : str, optional
        End of the budget's message: what the page offers to see more.

    Returns
    -------
    MapPanel

    Raises
    ------
    InvalidInputError
        As :func:`netdash.viz.map_budget`.
    """
    _check_limits(max_nodes=max_nodes)
    absent = frozenset(set(population or ()) - set(G))
    if palette is None:
        palette = agency_colours({a for _, a in G.nodes(data="agency")}
                                 | {population.nodes[n].get("agency") for n in absent})
    if _fits(len(G) + len(absent), G.number_of_edges(), max_nodes, _MAX_EDGES):
        H = G.copy()
        for n in absent:
            H.add_node(n, **{**population.nodes[n], "tooltip": "Not in this period's network"})
        budget = MapBudget(H, False, None)
    else:
        # The faded, absent practitioners have no ties, so the backbone never
        # shows them: it is cut from G itself, without copying G to add them.
        budget = _backbone(G, len(G) + len(absent), max_nodes=max_nodes, ties_per_node=3, weight="weight",
                           to_see_more=to_see_more)
    styles = _drawn_styles(budget.graph, edge_styles or {})
    spec = network_spec(budget.graph, positions, faded_nodes=absent, edge_styles=styles, title=title,
                        height_px=height_px, palette=palette, agency_names=agency_names)
    return MapPanel(spec, absent, budget.message)


def _drawn_styles(H, edge_styles):
    """The entries of ``edge_styles`` whose tie ``H`` draws.

    ``{k: v for k, v in edge_styles.items() if H.has_edge(*k)}``, looked up
    from whichever side is smaller: a backbone of a few thousand ties against
    tens of thousands of styled ties (Before & after's lost ties) asks
    ``has_edge`` of each styled tie for nothing. The same entries in the same
    order either way.
    """
    if len(edge_styles) <= H.number_of_edges() or H.is_multigraph():
        return {k: v for k, v in edge_styles.items() if H.has_edge(*k)}
    pairs = H.edges if H.is_directed() else (p for u, v in H.edges for p in ((u, v), (v, u)))
    drawn = {p for p in pairs if p in edge_styles}
    return {k: v for k, v in edge_styles.items() if k in drawn}


def before_after_maps(G_before, G_after, *, seed=0, changes_only=False, titles=("Before", "After"),
                      height_px=560, agency_names=None, max_nodes=1500, to_see_more=None, positions=None,
                      changes=None):
    """Two maps with every practitioner at the same place in both.

    Positions come from one layout of the union of both graphs
    (:func:`netdash.viz.stable_positions`, deterministic for a ``seed``).
    Each panel draws everyone in either graph; those not in its period's
    graph are faded. The before panel draws lost ties dashed
    (:data:`LOST_STYLE`); the after panel highlights new cross-agency ties
    (:data:`NEW_CROSS_STYLE`). New, lost and cross-agency follow
    :func:`tie_changes`.

    Parameters
    ----------
    G_before, G_after : networkx graph
        Both directed or both undirected; node attribute ``agency``.
    seed : int, default 0
    changes_only : bool, default False
        Draw only ties that changed: lost ties before, new ties after.
    titles : (str, str)
    height_px : int, default 560
    agency_names : mapping, optional
    max_nodes : int, default 1500
        Node budget of each panel (:func:`map_panel`); a page that must stay
        within 1,500 nodes in all passes 750.
    to_see_more : str, optional
        End of the budget's message: what the page offers to see more.
    positions : mapping, optional
        ``stable_positions([G_before, G_after], seed=seed)`` if already
        computed (e.g. cached by the page), else computed here.
    changes : DataFrame, optional
        ``tie_changes(G_before, G_after, weight=None)`` if already known, e.g.
        :func:`netdash.change.dynamics.period_tie_changes` of the periods the
        graphs are built from (only its ``a``, ``b``, ``status`` and
        ``cross_agency`` are read); else computed here.

    Returns
    -------
    BeforeAfterMaps

    Raises
    ------
    InvalidInputError
        As :func:`tie_changes` and :func:`netdash.viz.map_budget`.
    """

    if changes is None:
        changes = tie_changes(G_before, G_after, weight=None)
    a, b = changes["a"].tolist(), changes["b"].tolist()  # lists: iterating a pandas string column is slow
    status, cross = changes["status"].to_numpy(), changes["cross_agency"].to_numpy(dtype=bool)

    def ties(keep):
        return frozenset((a[k], b[k]) for k in np.flatnonzero(keep).tolist())

    pairs = {s: ties(status == s) for s in ("new", "lost")}
    new_cross = ties((status == "new") & cross)
    if positions is None:
        positions = stable_positions([G_before, G_after], seed=seed)
    population = population_graph([G_before, G_after])
    palette = agency_colours({a for _, a in population.nodes(data="agency")})
    panels = []
    for G, keep, styled, style, title in ((G_before, pairs["lost"], pairs["lost"], LOST_STYLE, titles[0]),
                                          (G_after, pairs["new"], new_cross, NEW_CROSS_STYLE, titles[1])):
        if changes_only:
            G = G.copy()
            G.remove_edges_from([e for e in list(G.edges) if tie_key(G, *e) not in keep])
        panels.append(map_panel(G, positions, population=population, title=title, height_px=height_px,
                                edge_styles=dict.fromkeys(styled, style), palette=palette,
                                agency_names=agency_names, max_nodes=max_nodes, to_see_more=to_see_more))
    return BeforeAfterMaps(panels[0], panels[1], positions, new_cross, pairs["lost"])


def before_after_table_maps(before, after, *, changes, positions, changes_only=False, titles=("Before", "After"),
                            height_px=560, agency_names=None, max_nodes=1500, to_see_more=None,
                            attrs=PRACTITIONER_EDGE_ATTRS):
    """:func:`before_after_maps` of two periods' node and edge tables, without their networkx graphs.

    The same panels (specs, faded practitioners, messages) as
    ``before_after_maps(graph_from_tables(*before, attrs=attrs),
    graph_from_tables(*after, attrs=attrs), changes=changes, ...)``, and the
    sizes of its ``new_cross_agency`` and ``lost``. When a panel's backbone
    is cut, it is cut from the tables' arrays (:func:`netdash.viz.budget.backbone_of_tables`)
    and only the ties drawn are looked up among the changes: at regional
    scale each period has 480,000 ties and the graphs cost more than the
    maps drawn from them (issue 19). A panel drawn whole, or tables that are
    not one simple graph's, are drawn from the graphs as before.

    Parameters
    ----------
    before, after : (DataFrame, DataFrame)
        Each period's node table (:func:`netdash.networks.graphs.practitioner_nodes`)
        and edge table (:func:`netdash.networks.graphs.practitioner_edges`).
    changes : DataFrame
        ``tie_changes`` of the two graphs with ``weight=None``, e.g.
        :func:`netdash.change.dynamics.period_tie_changes` (its ``a``,
        ``b``, ``status`` and ``cross_agency`` are read).
    positions : mapping
        ``{node: (x, y)}`` for every practitioner of either table.
    changes_only, titles, height_px, agency_names, max_nodes, to_see_more
        As :func:`before_after_maps`.
    attrs : sequence of str, default :data:`netdash.networks.graphs.PRACTITIONER_EDGE_ATTRS`
        The edge attributes the graphs would carry.

    Returns
    -------
    BeforeAfterDrawn

    Raises
    ------
    InvalidInputError
        As :func:`before_after_maps`.
    """
    _check_limits(max_nodes=max_nodes)
    (nodes_b, edges_b), (nodes_a, edges_a) = before, after
    stacked = pd.concat([nodes_b[["practitioner_id", "agency"]], nodes_a[["practitioner_id", "agency"]]],
                        ignore_index=True)
    # Everyone in either period, as population_graph adds them, each with the agency of the last period they are in.
    everyone = pd.Index(stacked["practitioner_id"].drop_duplicates(), dtype=object)
    n = max(len(everyone), 1)

    def keys(u, v):  # one integer per unordered pair of practitioners (-1: someone outside either table)
        iu, iv = everyone.get_indexer(pd.Index(u, dtype=object)), everyone.get_indexer(pd.Index(v, dtype=object))
        return np.where((iu < 0) | (iv < 0), -1, np.minimum(iu, iv) * n + np.maximum(iu, iv))

    changed = None if changes is not None else _changed_pairs(everyone, before, after)
    if changed is None:
        changes = tie_changes(*(graph_from_tables(*period, attrs=attrs) for period in (before, after)),
                              weight=None) if changes is None else changes
        changed = _listed_changes(changes, keys)
    tables = []
    for nodes, edges, keep in ((nodes_b, edges_b, "lost"), (nodes_a, edges_a, "new")):
        if changes_only:
            edges = edges[isin_sorted(keys(edges["source"].to_numpy(dtype=object),
                                           edges["target"].to_numpy(dtype=object)), changed[keep])]
        tables.append((nodes, edges))
    budgets = [None if _fits(len(everyone), len(edges), max_nodes, _MAX_EDGES) else
               backbone_of_tables(nodes, edges, len(everyone), max_nodes=max_nodes, ties_per_node=3,
                                  weight="weight", attrs=attrs, to_see_more=to_see_more)
               for nodes, edges in tables]
    if any(budget is None for budget in budgets):
        drawn = before_after_maps(*(graph_from_tables(*period, attrs=attrs) for period in (before, after)),
                                  changes_only=changes_only, titles=titles, height_px=height_px,
                                  agency_names=agency_names, max_nodes=max_nodes, to_see_more=to_see_more,
                                  positions=positions,
                                  changes=_changes_frame(everyone, changed) if changes is None else changes)
        return BeforeAfterDrawn(drawn.before, drawn.after, len(drawn.new_cross_agency), len(drawn.lost))
    last = stacked.drop_duplicates("practitioner_id", keep="last")
    palette = agency_colours(set(last["agency"].tolist()))
    panels = []
    for (nodes, _), budget, styled, style, title in zip(tables, budgets, ("lost", "new_cross"),
                                                        (LOST_STYLE, NEW_CROSS_STYLE), titles):
        absent = frozenset(set(everyone) - set(nodes["practitioner_id"].tolist()))
        H = budget.graph
        ends = list(H.edges())
        pairs = list(zip(*ends)) or [(), ()]
        drawn = isin_sorted(keys(np.array(pairs[0], dtype=object), np.array(pairs[1], dtype=object)),
                            changed[styled])
        # Which drawn ties are styled (the same entries as _drawn_styles keeps; network_spec reads a tie's style
        # either way round).
        styles = {e: style for e, d in zip(ends, drawn.tolist()) if d}
        spec = network_spec(H, positions, faded_nodes=absent, edge_styles=styles, title=title,
                            height_px=height_px, palette=palette, agency_names=agency_names)
        panels.append(MapPanel(spec, absent, budget.message))
    return BeforeAfterDrawn(panels[0], panels[1], changed["n_new_cross"], changed["n_lost"])


def _changes_frame(everyone, changed):
    """The lost and new rows of a tie change table (``a``, ``b``, ``status``, ``cross_agency``) of ``changed``."""
    n = max(len(everyone), 1)
    rows = []
    for status in ("lost", "new"):
        cross = set(changed["new_cross"].tolist()) if status == "new" else set()
        for key in changed[status].tolist():
            u, v = everyone[key // n], everyone[key % n]
            rows.append(((u, v) if str(u) <= str(v) else (v, u)) + (status, key in cross))
    return pd.DataFrame(rows, columns=["a", "b", "status", "cross_agency"]).astype({"cross_agency": bool})


def _listed_changes(changes, keys):
    """The lost, new and new cross-agency pairs of a tie change table, as sorted pair keys, and how many.

    The numbers count distinct ``(a, b)`` rows, as the frozensets of :func:`before_after_maps` do.
    """
    status, cross = changes["status"].to_numpy(), changes["cross_agency"].to_numpy(dtype=bool)
    a, b = changes["a"].to_numpy(dtype=object), changes["b"].to_numpy(dtype=object)
    out = {}
    for name, rows in (("lost", status == "lost"), ("new", status == "new"), ("new_cross", (status == "new") & cross)):
        found = keys(a[rows], b[rows])
        out[name] = unique_sorted(found[found >= 0])
        out[f"n_{name}"] = len(out[name]) if (found >= 0).all() else len(set(zip(a[rows].tolist(), b[rows].tolist())))
    return out


def _changed_pairs(everyone, before, after):
    """:func:`_listed_changes` of the periods' node and edge tables, from
    :func:`netdash.change.dynamics.coded_tie_changes`; None when a tie end is not in either node table.

    Practitioners are numbered by their position in ``everyone``; each
    practitioner's agency is the after period's where known, else the
    before period's, as :func:`netdash.change.dynamics.tie_changes` reads
    two graphs' nodes. No table of every change is made.
    """
    tied = []
    for _, edges in (before, after):
        ends = [everyone.get_indexer(pd.Index(edges[c].to_numpy(dtype=object), dtype=object))
                for c in ("source", "target")]
        if (ends[0] < 0).any() or (ends[1] < 0).any():
            return None
        # the lower position first, as the maps' keys; a self-loop is a tie of the graph, as tie_changes reads it
        tied.append((np.minimum(*ends), np.maximum(*ends), None))
    agency = agency_by_position(everyone, [nodes for nodes, _ in (before, after)])
    coded = coded_tie_changes(len(everyone), *tied, agency)
    found = {"lost": coded.pairs("lost"), "new": coded.pairs("new"),
             "new_cross": coded.pairs("new", cross_agency=True)}
    return {**found, **{f"n_{name}": len(keys) for name, keys in found.items()}}
