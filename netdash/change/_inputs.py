"""The networks :func:`netdash.change.compare.compare_periods` compares, built or taken from analyses.

The page already holds each period's :class:`netdash.analysis.NetworkAnalysis`;
passing them lets the comparison read their graphs instead of building the
same ones again. Graphs given this way are shared: they are only read.
"""

import inspect

from netdash.networks import graphs
from netdash.errors import InvalidInputError
from netdash.metrics.trust import trust_edges, trust_graph
from netdash.periods import Period

__all__ = []


#: The keyword options of :func:`netdash.metrics.trust.trust_edges` and their defaults (the rule compared).
_TRUST_DEFAULTS = {name: p.default for name, p in inspect.signature(trust_edges).parameters.items()
                   if p.kind is p.KEYWORD_ONLY}


def _period_graphs(ds, before, after, *, ties, window_days, analyses):
    """``(G_before, G_after, trust_graphs)``; ``trust_graphs()`` gives ``(T_before, T_after)``.

    From ``analyses`` when given (checked to be of these periods and settings),
    otherwise built here (from the edge tables kept in ``ds.memo``).
    """
    if analyses is not None:
        _check_analyses(ds, (before, after), analyses, ties=ties, window_days=window_days)
        return analyses[0].G, analyses[1].G, lambda: (analyses[0].T, analyses[1].T)
    G_b = graphs.practitioner_graph(ds, before, ties=ties, window_days=window_days)
    G_a = graphs.practitioner_graph(ds, after, ties=ties, window_days=window_days)
    return G_b, G_a, lambda: (trust_graph(ds, before), trust_graph(ds, after))


def _check_analyses(ds, periods, analyses, *, ties, window_days):
    """Raise InvalidInputError unless ``analyses`` are the analyses of ``periods`` with these settings.

    The dataset must be ``ds`` itself or one with its name and version (as
    the app's caches key datasets); all problems are listed together.
    """
    from netdash.analysis import NetworkAnalysis

    if not isinstance(analyses, (tuple, list)) or len(analyses) != 2:
        raise InvalidInputError(
            f"analyses must be a pair (before, after) of NetworkAnalysis objects; got {type(analyses).__name__}"
            f"{f' of length {len(analyses)}' if isinstance(analyses, (tuple, list)) else ''}. "
            "Pass (NetworkAnalysis(ds, before, ...), NetworkAnalysis(ds, after, ...)) or leave analyses out.")
    problems = []
    for which, period, found in zip(("before", "after"), periods, analyses):
        if not isinstance(found, NetworkAnalysis):
            problems.append(f"the {which} analysis is a {type(found).__name__}, not a NetworkAnalysis")
            continue
        # The same data: the same object, or the same stored version (the app's cache key).
        if found.ds is not ds and (found.ds.name, found.ds.version) != (ds.name, ds.version):
            problems.append(f"the {which} analysis is of dataset {found.ds.name!r} version {found.ds.version!r}, "
                            f"expected {ds.name!r} version {ds.version!r}")
            continue
        if (found.period or Period()) != period:
            problems.append(f"the {which} analysis is of {(found.period or Period()).label()}, "
                            f"expected {period.label()}")
        wanted = {"ties": ties, "window_days": window_days, "trust rule": _TRUST_DEFAULTS}
        got = {"ties": found.ties, "window_days": found.window_days,
               "trust rule": {**_TRUST_DEFAULTS, **found.trust_options}}
        problems += [f"the {which} analysis has {key} {got[key]!r}, expected {wanted[key]!r}"
                     for key in wanted if got[key] != wanted[key]]
    if problems:
        raise InvalidInputError(
            "compare_periods(analyses=...) got analyses that do not match the comparison: " + "; ".join(problems)
            + ". Pass NetworkAnalysis(ds, before, ties=ties, window_days=window_days) and the same for after "
            "(default trust rule), or leave analyses out.", problems)


def _induced(G, nodes):
    """``G.subgraph(nodes)`` as a graph of its own, in the same node and edge order.

    Iterating a subgraph view checks every neighbour against the node filter
    (about a second per 40,000-tie graph at medium scale); the copy is made
    in one pass. ``G`` is only read (the copy has its own attribute dicts);
    when ``nodes`` are all of ``G``'s nodes, ``G`` itself is returned, so
    callers must not change the result.
    """
    keep = set(nodes)
    if len(keep) == len(G) and all(v in G for v in keep):
        return G
    H = G.__class__()
    H.graph.update(G.graph)
    H.add_nodes_from((v, d) for v, d in G.nodes(data=True) if v in keep)
    H.add_edges_from((u, v, d) for u, v, d in G.edges(data=True) if u in keep and v in keep)
    return H
