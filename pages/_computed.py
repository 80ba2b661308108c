"""What every page computes from the data, computed once: analyses, comparisons and map layouts.

Each is a ``st.cache_resource`` keyed by dataset name and version and the
settings, shared read-only by every page and session (see
docs/architecture.md). :mod:`pages._shared` re-exports these names; pages
use them from there.
"""

import pandas as pd
import streamlit as st



def period_key(period):
    """Hashable cache key for a period."""
    return (str(period.start), str(period.end))


def rule_key(rule):
    return tuple(sorted(rule.items()))


#: Analyses kept at once, and for how long one is kept unused. Each holds its edge tables, matrices and, once
#: asked for, networkx graphs and betweenness: 5 to 41 MB at medium scale (RSS growth per ties setting, whole
#: period). Pages differ in the ties they start with, and Before & after makes two per ties setting, so six
#: were too few for one visit to every page: a second visit could find its analysis gone and compute it again.
ANALYSES_KEPT, ANALYSIS_TTL = 16, 3600


def analysis(ds, period, ties="all", *, window_days=90, trust_options=None):
    """The shared :class:`netdash.analysis.NetworkAnalysis` of ``ds`` over ``period`` with ``ties``.

    One object per dataset version, period, ties and trust rule, shared by
    every page and session, so Brokerage then Fragmentation on the same
    period pay for the edge tables and matrices once. It computes lazily:
    a page pays only for the graphs and measures it asks for. Treat it and
    everything it returns (``.G``, ``.D``, ``.matrix``, tables) as
    read-only: copy a graph before changing it.
    """
    rule = dict(trust_options or {})
    return _analysis(ds.name, ds.version, period_key(period), ties, int(window_days), rule_key(rule),
                     ds, period, rule)


@st.cache_resource(show_spinner=False, max_entries=ANALYSES_KEPT, ttl=ANALYSIS_TTL)
def _analysis(name, version, period_key, ties, window_days, rule_key, _ds, _period, _rule):
    from netdash.analysis import NetworkAnalysis

    return NetworkAnalysis(_ds, _period, ties=ties, window_days=window_days, trust_options=_rule)


def split_period(ds, period, cop_start):
    """Before & after's default periods: ``period`` (the whole dataset where open) split at ``cop_start``.

    Raises :class:`netdash.errors.NetdashError` (from
    :func:`netdash.change.windows.split_at`) when there is nothing to split.
    """
    from netdash.change.windows import split_at

    first, last = ds.date_range
    start = period.start if period.start is not None else first
    end = period.end - pd.Timedelta(days=1) if period.end is not None else last
    return split_at(start, end, cop_start)


def comparison(ds, before, after, ties, replicates=0):
    """:func:`netdash.change.compare.compare_periods` of the shared analyses (shared: do not change it)."""
    return _comparison(ds.name, ds.version, period_key(before), period_key(after), ties, int(replicates),
                       ds, before, after)


@st.cache_resource(show_spinner="Comparing the periods (with intervals this can take minutes)…", max_entries=8,
                   ttl=ANALYSIS_TTL)
def _comparison(name, version, before_key, after_key, ties, replicates, _ds, _before, _after):
    from netdash.change.compare import compare_periods

    # The analyses the page draws from: their networks are read, not built a second time.
    analyses = (analysis(_ds, _before, ties), analysis(_ds, _after, ties))
    return compare_periods(_ds, _before, _after, ties=ties, permutations=replicates, bootstrap=replicates,
                           analyses=analyses)


def period_positions(ds, period):
    """Map positions of everyone in post in ``period``, laid out from all ties (shared: do not change it).

    One layout per dataset version and period, used by the Network map for
    every ties setting and by Before & after when both its periods lie in
    ``period``: a practitioner sits in the same place on both pages, and no
    page lays the same network out twice (0.7 to 1.1 s at medium scale).
    """
    return _period_positions(ds.name, ds.version, period_key(period), ds, period)


@st.cache_resource(show_spinner="Laying out the map…", max_entries=8, ttl=ANALYSIS_TTL)
def _period_positions(name, version, period_key, _ds, _period):
    from netdash.viz import layout_positions

    return layout_positions(analysis(_ds, _period, "all").G)


def positions_for(ds, period, graphs):
    """:func:`period_positions` of ``period`` when they place every node of ``graphs``, else their own layout.

    For pages that draw several graphs within ``period`` (Before & after's
    two periods, Over time's windows): everyone in post in a part of
    ``period`` is in post in ``period``, so the shared layout normally
    serves; should someone be missing, ``graphs`` are laid out together
    (:func:`netdash.viz.stable_positions`). Cache the result by the graphs'
    settings: the fallback is a full layout.
    """
    from netdash.viz import stable_positions

    shared = period_positions(ds, period)
    if all(v in shared for G in graphs for v in G):
        return shared
    return stable_positions(graphs)
