"""The maps the dashboard, the CLI and map files draw: what to show, built into one map spec.

:func:`network_map` is the Network map page's map, and the map that
``netdash export DATASET --out map.html`` writes and the page's download holds:
a practitioner graph filtered to some agencies or to one practitioner and
their neighbours some steps out, cut to a backbone when too big
(:func:`netdash.viz.map_budget`), with nodes sized by a measure a reader
picks. The measures come from :class:`netdash.analysis.NetworkAnalysis`,
which computes each once for every page: the map computes none of its own.
"""

from dataclasses import dataclass

import networkx as nx

from netdash.errors import InvalidInputError
from netdash.viz.budget import SEE_MORE, map_budget
from netdash.viz.spec import DEGREE, network_spec

__all__ = ["NetworkMap", "SIZE_MEASURES", "BETWEENNESS", "TRUST_TIES", "map_measures", "network_map"]

BETWEENNESS = "Betweenness"
TRUST_TIES = "Trust ties"
#: Measures a practitioner map can size its nodes by.
SIZE_MEASURES = (DEGREE, BETWEENNESS, TRUST_TIES)


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
                max_nodes=1500, to_see_more=SEE_MORE, **spec_options):
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
    if not isinstance(steps, int) or isinstance(steps, bool) or not 1 <= steps <= 3:
        raise InvalidInputError(f"network_map: steps must be 1, 2 or 3, got {steps!r}.")
    view, distance = G, None
    if focus is not None:
        if focus not in G:
            raise InvalidInputError(
                f"network_map: practitioner {focus!r} is not in this network for the chosen period. "
                "Pick a practitioner listed in the network, or widen the period.")
        undirected = G.to_undirected(as_view=True) if G.is_directed() else G
        distance = nx.single_source_shortest_path_length(undirected, focus, cutoff=steps)
        view = G.subgraph(distance)
    elif agencies:
        wanted = set(agencies)
        view = G.subgraph([n for n, a in G.nodes(data="agency") if a in wanted])
    budget = map_budget(view, max_nodes=max_nodes, to_see_more=to_see_more)
    shown = budget.graph
    chosen = {k: v for k, v in (measures or {}).items() if k != DEGREE}
    spec = network_spec(shown, positions, highlight_nodes=() if focus is None else (focus,),
                        node_size_by=size_by, measures=chosen, steps=distance, **spec_options)
    return NetworkMap(spec, shown, budget.message)
