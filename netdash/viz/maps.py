"""The maps the dashboard, the CLI and map files draw: what to show, built into one map spec.

:func:`network_map` is the Network map page's map, and the map that
``netdash export DATASET --out map.html`` writes and the page's download holds:
a practitioner graph filtered to some agencies or to one practitioner and
their neighbours some steps out, cut to a backbone when too big
(:func:`netdash.viz.map_budget`), with nodes sized by a measure a reader
picks. The measures come from :class:`netdash.analysis.NetworkAnalysis`,
which computes each once for every page: the map computes none of its own.

:func:`agency_maps` is the organisation view: agencies as nodes and the
ties across them as weighted links, before and after on one layout.
"""

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from netdash.errors import InvalidInputError
from netdash.networks import AgencyLinks, agency_graph, steps_from
from netdash.networks import graphs
from netdash.viz.budget import SEE_MORE, backbone_of_tables, map_budget, map_fits
from netdash.viz.colours import agency_colours, sorted_ids
from netdash.viz.layout import layout_positions
from netdash.viz.spec import DEGREE, network_spec
from netdash.viz.view import map_view

__all__ = ["NetworkMap", "agency_positions", "SIZE_MEASURES", "BETWEENNESS", "TRUST_TIES", "COP_LAYER_STYLE", "map_measures", "network_map",
           "network_map_of_tables", "own_layout_map", "agency_maps", "MAX_AGENCY_LINKS"]

#: Links an agency map draws at most (:func:`agency_maps`): the medium demo's 120 agencies have about 3,100 tied
#: pairs, the large demo's 1,200 about 160,000, whose 50 MB of map data took the browser 76 to 82 s to draw
#: (docs/browser_timings.md, session 11).
MAX_AGENCY_LINKS = 5000
BETWEENNESS = "Betweenness"
#: The agency maps' node size: practitioners in post in the period.
PRACTITIONERS = "Practitioners in post"
TRUST_TIES = "Trust ties"
#: Measures a practitioner map can size its nodes by.
SIZE_MEASURES = (DEGREE, BETWEENNESS, TRUST_TIES)
#: Style of the COP co-attendance layer (:func:`network_map`'s ``layer``): dashed orange, its own legend entry.
COP_LAYER_STYLE = {"color": "rgba(230,159,0,0.8)", "dashes": True, "width": 1.2,
                   "label": "Met at a COP session only (not a working tie)"}


@dataclass(frozen=True)
class NetworkMap:
    """A map to draw: its spec, the graph it shows, and the budget's note.

    Attributes
    ----------
    spec : dict
        :func:`netdash.viz.spec.network_spec` of ``graph``.
    graph : networkx graph
        What the map shows (after the filters and the budget).
    message : str or None
        :func:`netdash.viz.map_budget`'s note when the graph was cut down.
    """

    spec: dict
    graph: nx.Graph
    message: str | None


def map_measures(analysis, names=(BETWEENNESS, TRUST_TIES)):
    """Per-practitioner measures to size a map's nodes by, read from an analysis.

    Parameters
    ----------
    analysis : netdash.analysis.NetworkAnalysis
        The period's analysis; its betweenness (Freeman 1977, normalised;
        sampled at city scale, see :func:`netdash.metrics.centrality.betweenness_estimate`)
        and trust graph are computed there once and shared with the pages.
    names : iterable of str, default (BETWEENNESS, TRUST_TIES)
        Which of :data:`SIZE_MEASURES` to read (:data:`netdash.viz.spec.DEGREE`
        is in every spec already).

    Returns
    -------
    dict
        ``{name: {practitioner: value}}``; trust ties count each
        practitioner's trust ties (:func:`netdash.metrics.trust.trust_graph`).
    """
    out = {}
    for name in names:
        if name == BETWEENNESS:
            out[name] = dict(analysis.betweenness.values)
        elif name == TRUST_TIES:
            out[name] = dict(analysis.T.degree())
        elif name != DEGREE:
            raise InvalidInputError(f"map_measures: unknown measure {name!r}; choose from {list(SIZE_MEASURES)}.")
    return out


def network_map(G, positions, *, agencies=(), focus=None, steps=1, size_by=None, measures=None,
                max_nodes=1500, to_see_more=SEE_MORE, layer=None, layer_style=COP_LAYER_STYLE, **spec_options):
    """The map of ``G``: some agencies, or one practitioner and everyone ``steps`` ties away.

    Parameters
    ----------
    G : networkx graph
        Practitioner graph (see :func:`netdash.viz.spec.network_spec`).
    positions : mapping
        ``{node: (x, y)}`` for every node of ``G``.
    agencies : iterable, optional
        Show only practitioners of these agencies (all when empty).
    focus : node, optional
        Show this practitioner (in focus: larger, ringed, always labelled)
        and everyone within ``steps`` ties of them (direction ignored);
        overrides ``agencies``.
    steps : int, default 1
        How far out from ``focus`` to show (1 to 3).
    size_by : str, optional
        One of :data:`SIZE_MEASURES` drawn first; None for one size.
    measures : mapping, optional
        ``{name: {node: value}}``, e.g. :func:`map_measures`: sizes a reader
        can pick besides ties.
    max_nodes : int, default 1500
    to_see_more : str, optional
        As :func:`netdash.viz.map_budget`.
    layer : networkx graph or iterable of (u, v), optional
        More pairs to draw in their own style, never counted as ties of
        ``G`` (e.g. COP co-attendance over working ties): its ties between
        two practitioners on the map that ``G`` does not tie are drawn with
        ``layer_style``. The map's ``graph``, tooltips and "Ties" sizes are
        ``G``'s alone.
    layer_style : dict, default :data:`COP_LAYER_STYLE`
        An edge style of :func:`netdash.viz.spec.network_spec` (its ``label``
        names the layer in the legend).
    **spec_options
        Passed to :func:`netdash.viz.spec.network_spec` (``palette``,
        ``agency_names``, ``colour_by``, ``height_px``, ``title``...).

    Returns
    -------
    NetworkMap

    Raises
    ------
    InvalidInputError
        If ``focus`` is not in ``G``, ``steps`` is not 1 to 3, or as
        :func:`netdash.viz.spec.network_spec`.

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c", "d"])
    >>> m = network_map(G, {n: (i, 0) for i, n in enumerate(G)}, focus="b", steps=1)
    >>> sorted(m.graph), [n["flags"] for n in m.spec["nodes"]]
    (['a', 'b', 'c'], [[], ['focus'], []])
    """
    _check_steps(steps)
    view = map_view(G, agencies=agencies, focus=focus, radius=steps)
    distance = None if focus is None else steps_from(view, focus, radius=steps)
    budget = map_budget(view, max_nodes=max_nodes, to_see_more=to_see_more)
    shown = budget.graph
    # A part of the network still shows each practitioner's ties in the whole network, as the other pages count them.
    undirected = G.to_undirected(as_view=True) if G.is_directed() else G

    def counts():
        return {n: len(set(undirected[n]) - {n}) for n in shown}

    return _drawn_map(shown, budget.message, positions, None if shown is G else counts(), counts,
                      focus=focus, distance=distance, size_by=size_by, measures=measures, layer=layer,
                      layer_style=layer_style, spec_options=spec_options)


def _drawn_map(shown, message, positions, counts, all_counts, *, focus, distance, size_by, measures, layer,
               layer_style, spec_options):
    """The :class:`NetworkMap` of ``shown`` (:func:`network_map` after its filters and budget).

    ``counts`` are the "Ties" counts the spec shows (None: ``shown``'s own),
    ``all_counts()`` those of every node of ``shown`` in the whole network,
    used when the layer adds ties to what is drawn.
    """
    chosen = {k: v for k, v in (measures or {}).items() if k != DEGREE}
    drawn, styles = shown, None
    if layer is not None:
        tied = shown.to_undirected(as_view=True) if shown.is_directed() else shown
        pairs = layer.edges() if hasattr(layer, "edges") else layer
        extra = sorted({tuple(sorted((u, v), key=str)) for u, v in pairs
                        if u != v and u in shown and v in shown and not tied.has_edge(u, v)}, key=str)
        if extra:
            drawn = shown.copy()  # ``shown`` may be a view of a shared graph: the layer is added to a copy
            drawn.add_edges_from(extra, weight=1.0)
            styles = dict.fromkeys(extra, dict(layer_style))  # one style object: one style key in the spec
            counts = all_counts()  # ties of G, not of the layer
    spec = network_spec(drawn, positions, highlight_nodes=() if focus is None else (focus,),
                        node_size_by=size_by, measures=chosen, steps=distance, tie_counts=counts,
                        edge_styles=styles, **spec_options)
    return NetworkMap(spec, shown, message)


def network_map_of_tables(nodes, edges, positions, *, attrs=("weight",), agencies=(), focus=None, steps=1,
                          size_by=None, measures=None, max_nodes=1500, to_see_more=SEE_MORE, layer=None,
                          layer_style=COP_LAYER_STYLE, coded=None, **spec_options):
    """:func:`network_map` of the graph of a node and an edge table, without building that graph.

    The same :class:`NetworkMap` as ``network_map(graph_from_tables(nodes,
    edges, attrs=attrs), positions, agencies=agencies, ...)``
    (:func:`netdash.networks.graph_from_tables`): the same spec, graph
    shown and message. Only what is drawn is made a networkx graph: the
    backbone (:func:`netdash.viz.budget.backbone_of_tables`), the agencies
    chosen or the practitioner in focus and their colleagues
    (:func:`netdash.networks.graphs.coded_steps_from`); the whole graph only
    when it fits the budget. At regional scale building the graph of a
    period's 0.84 M working ties was more than half the Network map's first
    load (issue 19).

    Parameters
    ----------
    nodes, edges : DataFrame
        As :func:`netdash.networks.graph_from_tables` (``nodes`` with an
        ``agency`` column).
    positions : mapping
    attrs : sequence of str, default ("weight",)
        Edge attributes, as :func:`netdash.networks.graph_from_tables`.
    agencies, focus, steps, size_by, measures, max_nodes, to_see_more, layer, layer_style, **spec_options
        As :func:`network_map`; ``layer`` may also be an iterable of
        ``(u, v)`` pairs.
    coded : netdash.networks.graphs.CodedTables, optional
        :func:`netdash.networks.graphs.coded_tables` of the tables, when the
        caller has it.

    Returns
    -------
    NetworkMap or None
        None when the tables are not one simple graph's (a node listed twice,
        a tie end that is not a node, a pair listed twice): call
        :func:`network_map` with the graph then.

    Examples
    --------
    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"practitioner_id": ["a", "b", "c"], "agency": ["A", "A", "B"]})
    >>> edges = pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "weight": [1, 2]})
    >>> m = network_map_of_tables(nodes, edges, {"a": (0, 0), "b": (1, 0), "c": (2, 0)}, agencies={"A"})
    >>> sorted(m.graph.edges), [n["tip"][-1] for n in m.spec["nodes"]]
    ([('a', 'b')], ['Ties: 1', 'Ties: 2'])
    """
    if focus is not None:
        _check_steps(steps)
    coded = graphs.coded_tables(nodes, edges) if coded is None else coded
    if coded is None:
        return None
    n, ids = coded.number_of_nodes(), coded.ids
    options = dict(size_by=size_by, measures=measures, max_nodes=max_nodes, to_see_more=to_see_more, layer=layer,
                   layer_style=layer_style, **spec_options)
    distance = None
    if focus is not None:
        rows, away = graphs.coded_steps_from(coded, focus, radius=steps)
        distance = dict(zip([ids[k] for k in rows.tolist()], away.tolist()))
        view = _view_of_tables(nodes, edges, coded, rows, attrs)
    elif agencies:
        wanted = set(agencies)
        view = _view_of_tables(nodes, edges, coded, [k for k, a in enumerate(nodes["agency"].tolist()) if a in wanted],
                               attrs)
    elif map_fits(n, coded.number_of_edges(), max_nodes=max_nodes):
        return network_map(graphs.graph_from_tables(nodes, edges, attrs=attrs), positions, **options)
    if focus is not None or agencies:
        budget = map_budget(view, max_nodes=max_nodes, to_see_more=to_see_more)
    else:
        budget = backbone_of_tables(nodes, edges, n, max_nodes=max_nodes, ties_per_node=3, weight="weight",
                                    attrs=attrs, to_see_more=to_see_more, coded=coded)
    shown = budget.graph
    ties = coded.neighbour_counts()

    def counts():
        at = pd.Index(ids, dtype=object).get_indexer(pd.Index(list(shown), dtype=object))
        return dict(zip(shown, ties[at].tolist()))

    return _drawn_map(shown, budget.message, positions, counts(), counts, focus=focus, distance=distance,
                      size_by=size_by, measures=measures, layer=layer, layer_style=layer_style,
                      spec_options=spec_options)


def _view_of_tables(nodes, edges, coded, rows, attrs):
    """``G.subgraph(ids of rows)`` of the tables' graph ``G``, as its own graph: the same nodes, ties and order.

    ``rows`` are node positions in ``coded.ids``, in the order given to
    ``subgraph``. A subgraph view lists its nodes in ``G``'s order, or in the
    order of its set of them when they are under half of ``G`` (networkx's
    FilterAtlas), and which end of a tie the map lists first follows that
    order: the same set, made the same way, gives the same order.
    """
    ids = coded.ids
    rows = [int(k) for k in rows]
    if 2 * len(rows) < len(ids):
        place = {ids[k]: k for k in rows}
        rows = [place[p] for p in set(iter([ids[k] for k in rows]))]
    else:
        rows = sorted(rows)
    inside = np.zeros(len(ids), dtype=bool)
    inside[rows] = True
    kept = np.flatnonzero(inside[coded.source] & inside[coded.target])
    return graphs.graph_from_tables(nodes.iloc[rows], edges.iloc[kept], attrs=attrs)


def _check_steps(steps):
    if not isinstance(steps, int) or isinstance(steps, bool) or not 1 <= steps <= 3:
        raise InvalidInputError(f"network_map: steps must be 1, 2 or 3, got {steps!r}.")


def own_layout_map(G, *, tied_only=False, max_nodes=1500, **spec_options):
    """The map of ``G`` laid out on its own (not at a period's shared positions), e.g. the Trust page's.

    ``tied_only`` leaves out practitioners with no tie
    (:func:`netdash.viz.map_view`); above ``max_nodes`` the map shows the
    backbone (:func:`netdash.viz.map_budget`, with no filter to suggest:
    ``to_see_more=None``), which is then what is laid out
    (:func:`netdash.viz.layout_positions`). ``spec_options`` as
    :func:`network_map`. The :class:`NetworkMap`'s ``spec`` is None when
    there is nobody to draw.

    Examples
    --------
    >>> G = nx.Graph([("a", "b")]); G.add_node("c")
    >>> sorted(own_layout_map(G, tied_only=True).graph), own_layout_map(nx.Graph()).spec
    (['a', 'b'], None)
    """
    budget = map_budget(map_view(G, tied_only=tied_only), max_nodes=max_nodes, to_see_more=None)
    shown = budget.graph
    spec = network_spec(shown, layout_positions(shown), **spec_options) if shown.number_of_nodes() else None
    return NetworkMap(spec, shown, budget.message)


def agency_positions(agencies, sectors, names, scale=1000.0):
    """Agencies on a circle, grouped by sector, then by name: links between them are chords."""
    order = sorted(agencies, key=lambda a: (str(sectors.get(a) or "~"), str(names.get(a) or a), str(a)))
    step = 2 * math.pi / max(len(order), 1)
    return {a: (round(scale * math.cos(-math.pi / 2 + i * step), 2), round(scale * math.sin(-math.pi / 2 + i * step), 2))
            for i, a in enumerate(order)}


def agency_maps(G_before, G_after, *, titles=("Before", "After"), agency_names=None, palette=None,
                colour_by="sector", height_px=470, tie_word="working ties", max_links=MAX_AGENCY_LINKS,
                collapsed=False):
    """Before and after maps of agencies: agencies as nodes, ties across agencies as weighted links, one layout.

    Each practitioner graph is collapsed onto its agencies by
    :func:`netdash.networks.agency_graph`: a link's count is the number of
    practitioner pairs tied across the two agencies in that period. Both
    maps put each agency at the same place (a circle, grouped by sector), and
    draw links and dots on one scale: a link's width grows with its count
    (from 0.6 px to 3.1 px at twice the usual width, the largest count of
    either period drawn widest) and a dot's area with the practitioners in
    post. An agency with nobody in post in a period is drawn pale there.

    Parameters
    ----------
    G_before, G_after : networkx graph
        Practitioner graphs of the two periods (node attributes ``agency``,
        ``agency_name``, ``sector``), e.g. working ties; or, with
        ``collapsed=True``, their agency graphs (:func:`netdash.networks.agency_graph`,
        or :func:`netdash.networks.agency_graph_from_tables` of the tables
        the graphs are built from, which does not walk their edges), or
        those graphs' :class:`netdash.networks.AgencyLinks`
        (:func:`netdash.networks.agency_links_from_tables`, which does not
        build them).
    titles : (str, str)
    agency_names : mapping, optional
        ``{agency_id: name}``; default: the graphs' ``agency_name``.
    palette : mapping, optional
        ``{sector or agency: colour}``; default :func:`netdash.viz.agency_colours`
        of the values of ``colour_by``.
    colour_by : {"sector", "agency"}, default "sector"
    height_px : int, default 470
    tie_word : str, default "working ties"
        What a link counts, in the plural, for the tooltips.
    max_links : int, default :data:`MAX_AGENCY_LINKS`
        Links drawn per map at most: the agency pairs with the most ties
        (ties broken by agency id); the title then says how many of how many
        are drawn. An agency's tooltip still counts all its ties.
    collapsed : bool, default False
        Whether ``G_before`` and ``G_after`` are already agency graphs.

    Returns
    -------
    (dict, dict)
        The two :func:`netdash.viz.spec.network_spec` maps.

    Examples
    --------
    >>> before = nx.Graph([("p1", "p2")])
    >>> after = nx.Graph([("p1", "p2"), ("p1", "p3")])
    >>> nx.set_node_attributes(after, {"p1": "A", "p2": "B", "p3": "B"}, "agency")
    >>> nx.set_node_attributes(before, {"p1": "A", "p2": "B"}, "agency")
    >>> b, a = agency_maps(before, after)
    >>> [t["count"] for t in b["ties"]], [t["count"] for t in a["ties"]], a["tie_count_words"]
    ([1], [2], ['working tie', 'working ties'])
    """
    if colour_by not in ("sector", "agency"):
        raise InvalidInputError(f"agency_maps: colour_by must be 'sector' or 'agency', got {colour_by!r}.")
    collapsed = [G_before, G_after] if collapsed else [agency_graph(G) for G in (G_before, G_after)]
    # What is read of each agency graph: its nodes' attributes and its links, in the graph's order. Each map's
    # links read once: at regional scale an agency graph has 160,000 of them, and walking them again per agency
    # (its tooltip) and per link (the ranking) was most of the maps' time (docs/benchmarks.md, "Session 17").
    collapsed = [H if isinstance(H, AgencyLinks) else AgencyLinks(dict(H.nodes(data=True)), list(H.edges(data="ties")))
                 for H in collapsed]
    names, sectors = {}, {}
    for H in collapsed:
        for a, d in H.agencies.items():
            names.setdefault(a, d.get("name"))
            sectors.setdefault(a, d.get("sector"))
    names.update({a: n for a, n in (agency_names or {}).items() if a in names and n})
    everyone = sorted_ids(names)
    rank = {a: k for k, a in enumerate(everyone)}
    positions = agency_positions(everyone, sectors, names)
    links = [H.links for H in collapsed]
    most_ties = max([n for found in links for _, _, n in found] + [1])
    most_staff = max([d.get("n_practitioners") for H in collapsed for d in H.agencies.values()] + [1])
    if palette is None:
        palette = agency_colours(sectors.values() if colour_by == "sector" else everyone)
    specs = []
    for H, found, title in zip(collapsed, links, titles):
        across = dict.fromkeys(H.agencies, 0)  # ties with other agencies, as H.edges(a, data="ties") sums them
        for u, v, n in found:
            across[u] += n
            if v != u:
                across[v] += n
        M, staffed = nx.Graph(), {}
        for a in everyone:
            d = H.agencies.get(a, {})
            staff = d.get("n_practitioners", 0)
            lines = [f"Practitioners in post: {staff}",
                      f"{tie_word.capitalize()} within the agency: {d.get('internal_ties', 0)}",
                      f"{tie_word.capitalize()} with other agencies: {across.get(a, 0)}"]
            M.add_node(a, name=names.get(a) or str(a), agency=a, agency_name=names.get(a), sector=sectors.get(a),
                       tooltip=lines)
            staffed[a] = staff
        drawn = found  # every link
        if len(found) > max_links:
            drawn = [found[k] for k in sorted(_most_tied(found, rank, max_links))]
            title = f"{title} (the {max_links:,} most tied of {len(found):,} agency pairs)"
        for u, v, n in drawn:
            # The tooltip "A – B: n working ties" is written by the renderer from the count and the two agencies'
            # labels (counted_ties): a sentence per link was most of the agency maps' data (sizes in
            # docs/browser_timings.md, "Before & after: agency maps from the tables").
            # The weight only sets the line width: 3 decimals change it by less than a thousandth of a pixel.
            M.add_edge(u, v, weight=round(2 ** (5 * n / most_ties), 3), ties=n)
        empty = [a for a in everyone if staffed[a] == 0]
        specs.append(network_spec(M, positions, colour_by=colour_by, palette=palette, title=title,
                                  height_px=height_px, faded_nodes=empty, cop_attribute=None,
                                  measures={PRACTITIONERS: staffed}, node_size_by=PRACTITIONERS,
                                  size_scale=(0, most_staff), tie_scale=2.0, tie_label="Agencies tied",
                                  size_menu=False, label_place="outward",
                                  counted_ties=("ties", tie_word.removesuffix("s"), tie_word)))
    return specs[0], specs[1]


def _most_tied(links, rank, max_links):
    """Positions in ``links`` (``(u, v, ties)``) of the ``max_links`` most tied, ties broken by the agencies' ids.

    The order is ``(-ties, rank of the first, rank of the second of sorted_ids((u, v)))``; ``rank`` is each
    agency's position in :func:`netdash.viz.colours.sorted_ids` of them all. When every agency id is a string the
    pair's ends sort as their ranks do, so one array sort does it; otherwise each pair is sorted as before.
    """
    if all(isinstance(a, str) for a in rank):
        ru = np.fromiter((rank[u] for u, _, _ in links), dtype=np.int64, count=len(links))
        rv = np.fromiter((rank[v] for _, v, _ in links), dtype=np.int64, count=len(links))
        ties = np.fromiter((n for _, _, n in links), dtype=np.float64, count=len(links))
        order = np.lexsort((np.maximum(ru, rv), np.minimum(ru, rv), -ties))
        return order[:max_links].tolist()
    keys = [(-n, *(rank[a] for a in sorted_ids((u, v)))) for u, v, n in links]
    return sorted(range(len(links)), key=keys.__getitem__)[:max_links]
