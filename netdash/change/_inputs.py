"""The networks :func:`netdash.change.compare.compare_periods` compares, built or taken from analyses.

The page already holds each period's :class:`netdash.analysis.NetworkAnalysis`;
passing them lets the comparison read their tables instead of asking for them
again. Tables given this way are shared: they are only read.
"""

import inspect

from netdash.networks import graphs
from netdash.errors import InvalidInputError
from netdash.metrics.trust import trust_edges
from netdash.periods import Period

__all__ = []


#: The keyword options of :func:`netdash.metrics.trust.trust_edges` and their defaults (the rule compared).
_TRUST_DEFAULTS = {name: p.default for name, p in inspect.signature(trust_edges).parameters.items()
                   if p.kind is p.KEYWORD_ONLY}


def _period_tables(ds, before, after, *, ties, window_days, analyses):
    """``(nodes, edges, trust)`` of ``before`` and of ``after``: the tables the comparison reads.

    ``nodes`` is :func:`netdash.networks.graphs.practitioner_nodes`, ``edges``
    :func:`netdash.networks.graphs.practitioner_edges` and ``trust``
    :func:`netdash.metrics.trust.trust_edges` (default rule) of the period:
    from ``analyses`` when given (checked to be of these periods and
    settings), otherwise asked for here (they are kept in ``ds.memo``). No
    graph is built: the networks compared are these tables.
    """
    if analyses is not None:
        _check_analyses(ds, (before, after), analyses, ties=ties, window_days=window_days)
        return tuple((a.node_table, a.edge_table, a.trust_table) for a in analyses)
    return tuple((graphs.practitioner_nodes(ds, p),
                  graphs.practitioner_edges(ds, p, ties=ties, window_days=window_days),
                  trust_edges(ds, p)) for p in (before, after))


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
