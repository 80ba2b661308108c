"""Every value the dashboard keeps between runs: the one cache boundary of the app.

Each ``st.cache_data`` / ``st.cache_resource`` function here computes only
from its arguments. The hashed arguments are its key: dataset name and
version, :func:`period_key` of each period, and the settings. Objects follow
as ``_``-prefixed arguments, which Streamlit does not hash: the dataset
(``_ds``), periods (``_period``), graphs. A public function of the same name
without the underscore takes the objects, builds the key from them and calls
the cached one, so a key can never describe other objects than the ones the
value was computed from. No function here reads ``st.session_state``, a
widget or the sidebar (:func:`pages._shared.current_dataset` and friends):
pages read those and pass the values in. tests/pages/test_cached.py checks
this.

Resources (``st.cache_resource``) are shared by every session and must be
treated as read-only: copy a graph or table before changing it. They are
used for results a rerun would otherwise unpickle (graphs, large tables);
``st.cache_data`` for small results, which each run gets a copy of.
"""

import gc
import logging
import os
import re

import pandas as pd
import streamlit as st

from netdash.memory import resident_bytes, trim
from netdash.store import Workspace
from pages import _charts

#: Analyses kept at once, and for how long one is kept unused. Each holds its edge tables, matrices and, once
#: asked for, networkx graphs and betweenness: 5 to 41 MB at medium scale (RSS growth per ties setting, whole
#: period). Pages differ in the ties they start with, and Before & after makes two per ties setting, so six
#: were too few for one visit to every page: a second visit could find its analysis gone and compute it again.
ANALYSES_KEPT, TTL = 16, 3600
#: Contact rows from which a page computation can take seconds (the large demo has 5.2 million): pages then
#: name each stage in a status box as it starts (docs/benchmarks.md, issue 19), and fewer analyses are kept.
LARGE_CONTACTS = 1_000_000
#: Analyses kept at once for a dataset of :data:`LARGE_CONTACTS` or more. One analysis of the large demo's whole
#: period held 250 to 360 MB (session 15), so sixteen could hold 5 GB. With four, a browser pass that changes a
#: setting on every page peaked at 3.88 GiB instead of 4.25 (docs/benchmarks.md, "Session 15"). Before & after
#: needs three at once (the sidebar period, before and after).
LARGE_ANALYSES_KEPT = 4
#: Resident memory, in bytes, that the server keeps under between page runs (:func:`keep_within`): 3.5 GiB. A
#: browser walk that changes a setting on every page of the large demo holds up to about 3.1 GiB between pages;
#: at 3 GiB the budget dropped results that the next visit computed again, for seconds each (docs/benchmarks.md,
#: "Session 16: a memory budget"). A page's own transient comes on top (COP impact's new setting at regional
#: scale: 0.6 to 0.7 GiB). The environment variable NETDASH_MEMORY_BUDGET sets another, in bytes or with a K, M or
#: G suffix (binary: "6G" is 6 GiB).
MEMORY_BUDGET = 7 * 2**29

_LOG = logging.getLogger(__name__)


def period_key(period):
    """Hashable cache key for a period."""
    return (str(period.start), str(period.end))


def rule_key(rule):
    """Hashable cache key for a trust rule (a dict of keyword arguments)."""
    return tuple(sorted(dict(rule or {}).items()))


def _day(timestamp):
    return None if timestamp is None else timestamp.date().isoformat()


def _timestamp(day):
    return None if day is None else pd.Timestamp(day)


# The workspace and its datasets.

@st.cache_resource(show_spinner=False)
def workspace():
    """The workspace (``NETDASH_WORKSPACE``), tidied and with the bundled demo imported on first start.

    A read-only workspace is used as it is (its datasets can be viewed, not changed).
    """
    ws = Workspace()
    if ws.read_only is None:
        ws.recover()
        ws.ensure_demo()
    return ws


@st.cache_resource(show_spinner=False, max_entries=2)
def dataset_listing(path, stamp):
    """The dataset list of the workspace at ``path`` while its database file is ``stamp`` (read-only)."""
    return tuple(workspace().list())


@st.cache_resource(show_spinner="Loading dataset…", max_entries=4)
def load(name, version):
    """The dataset ``name`` at ``version``, one shared object: read it, never change it.

    A resource, not ``st.cache_data``: data caching would unpickle a fresh
    copy of every table on each of the three or four calls a run makes
    (docs/benchmarks.md, "pages/_cached.py: load").
    """
    return workspace().open(name)


def import_warnings(ds):
    """The data-quality warnings noted when ``ds`` was imported, as a tuple of strings."""
    return _import_warnings(ds.name, ds.version)


@st.cache_resource(show_spinner=False, max_entries=8)
def _import_warnings(name, version):
    return tuple(str(w) for w in workspace().warnings(name))


def practitioner_labels(ds):
    """practitioner_id -> "Name (id)" where a name was supplied, else the id (shared: do not change it)."""
    return _practitioner_labels(ds.name, ds.version, ds)


@st.cache_resource(show_spinner=False, max_entries=8)
def _practitioner_labels(name, version, _ds):
    people = _ds.practitioners
    return {pid: (f"{label} ({pid})" if isinstance(label, str) and label else pid)
            for pid, label in zip(people["practitioner_id"], people["name"])}


def agency_names(ds):
    """agency_id -> name (shared: do not change it)."""
    return _agency_names(ds.name, ds.version, ds)


@st.cache_resource(show_spinner=False, max_entries=8)
def _agency_names(name, version, _ds):
    return dict(zip(_ds.agencies["agency_id"], _ds.agencies["name"]))


def palette(ds):
    """Agency colours for the whole dataset, so an agency keeps its colour on every page and map."""
    return _palette(ds.name, ds.version, ds)


@st.cache_resource(show_spinner=False, max_entries=8)
def _palette(name, version, _ds):
    from netdash.viz import agency_colours

    return agency_colours(agency_names(_ds))


# What several pages share: analyses, comparisons and map layouts.

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
    kept = _large_analysis if is_large(ds) else _analysis
    return kept(ds.name, ds.version, period_key(period), ties, int(window_days), rule_key(rule), ds, period, rule)


def is_large(ds):
    """True when ``ds`` has :data:`LARGE_CONTACTS` contacts or more."""
    return len(ds.contacts) >= LARGE_CONTACTS


def _new_analysis(ds, period, ties, window_days, rule):
    from netdash.analysis import NetworkAnalysis

    return NetworkAnalysis(ds, period, ties=ties, window_days=window_days, trust_options=rule)


@st.cache_resource(show_spinner=False, max_entries=ANALYSES_KEPT, ttl=TTL)
def _analysis(name, version, period_key, ties, window_days, rule_key, _ds, _period, _rule):
    return _new_analysis(_ds, _period, ties, window_days, _rule)


@st.cache_resource(show_spinner=False, max_entries=LARGE_ANALYSES_KEPT, ttl=TTL)
def _large_analysis(name, version, period_key, ties, window_days, rule_key, _ds, _period, _rule):
    return _new_analysis(_ds, _period, ties, window_days, _rule)


def comparison(ds, before, after, ties, replicates=0):
    """:func:`netdash.change.compare.compare_periods` of the shared analyses (shared: do not change it)."""
    return _comparison(ds.name, ds.version, period_key(before), period_key(after), ties, int(replicates),
                       ds, before, after)


@st.cache_resource(show_spinner="Comparing the periods (with intervals this can take minutes)…", max_entries=8,
                   ttl=TTL)
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
    page lays the same network out twice (docs/benchmarks.md, "pages/_cached.py: period_positions").
    """
    return _period_positions(ds.name, ds.version, period_key(period), ds, period)


@st.cache_resource(show_spinner="Laying out the map…", max_entries=8, ttl=TTL)
def _period_positions(name, version, period_key, _ds, _period):
    from netdash.viz.layout import period_layout

    # From the node and edge tables, not the networkx graph of every tie: at regional scale that graph (0.94 M
    # ties) cost more than the layout itself and the Network map draws another setting (issue 19).
    return period_layout(_ds, _period)


def _positions_for(ds, period, graphs):
    """:func:`period_positions` of ``period`` when they place every node of ``graphs``, else their own layout.

    Everyone in post in a part of ``period`` is in post in ``period``, so the
    shared layout normally serves; should someone be missing, ``graphs`` are
    laid out together (:func:`netdash.viz.stable_positions`).
    """
    from netdash.viz.layout import positions_for

    return positions_for(period_positions(ds, period), graphs)


# Overview.

def overview(ds, period):
    """(:func:`netdash.dataset.dataset_summary`, :func:`netdash.dataset.monthly_activity`) of ``period``."""
    return _overview(ds.name, ds.version, period_key(period), ds, period)


@st.cache_data(show_spinner="Counting the period's contacts, clients and COP sessions…", max_entries=16)
def _overview(name, version, period_key, _ds, _period):
    from netdash.dataset import dataset_summary, monthly_activity

    return dataset_summary(_ds, _period), monthly_activity(_ds, _period)


def monthly_contacts_chart(ds, period, cop_start):
    """The Overview's contacts-per-month chart of ``period``, ``cop_start`` marked: a :func:`pages._charts.vega_spec`."""
    return _monthly_contacts_chart(ds.name, ds.version, period_key(period),
                                   None if cop_start is None else cop_start.isoformat(), ds, period)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=TTL)
def _monthly_contacts_chart(name, version, period_key, cop_iso, _ds, _period):
    monthly = _overview(name, version, period_key, _ds, _period)[1]
    return _charts.vega_spec(_charts.monthly_contacts_chart(monthly, None if cop_iso is None else pd.Timestamp(cop_iso)))


# Network map.

def network_map(ds, period, ties, agencies, focus, radius, size_by=None, colour_by="agency", cop_layer=False):
    """The Network map's data for the page to send, and the figures above it, for one choice of filters.

    ``cop_layer``: COP co-attendance drawn as its own layer over ``ties``, never counted in the figures.
    """
    return _network_map(ds.name, ds.version, period_key(period), ties, tuple(sorted(agencies)), focus, radius,
                        size_by, colour_by, ds, period, bool(cop_layer))


@st.cache_data(show_spinner="Drawing the map…", max_entries=32)
def _network_map(name, version, period_key, ties, agencies, focus, radius, size_by, colour_by, _ds, _period,
                 cop_layer=False):
    from netdash.metrics.basic import network_summary
    from netdash.networks.graphs import PRACTITIONER_EDGE_ATTRS
    from netdash.viz import agency_colours
    from netdash.viz.inpage import maps_payload
    from netdash.viz.maps import map_measures
    from netdash.viz.maps import network_map as draw
    from netdash.viz.maps import network_map_of_tables

    shared = analysis(_ds, _period, ties)
    # Betweenness and trust ties only when asked for: the analysis computes each once, for every page.
    measures = map_measures(shared, [size_by] if size_by else [])
    # One layout per period, from every tie type together, for every "Ties" setting: a dot stays where it
    # was when the user switches, and a new setting costs only its drawing. Every setting has the same nodes.
    options = dict(size_by=size_by, measures=measures, size_menu=False, height_px=620,
                   palette=palette(_ds) if colour_by == "agency" else agency_colours(_ds.agencies["sector"]),
                   colour_by=colour_by, agency_names=agency_names(_ds))
    if cop_layer:
        cop = analysis(_ds, _period, "cop")
        # The layer's pairs, as the COP graph's edges: only those between two practitioners drawn are read.
        options["layer"] = cop.G if cop.graph_built else zip(cop.edge_table["source"].tolist(),
                                                             cop.edge_table["target"].tolist())
    positions = period_positions(_ds, _period)
    drawn = None
    if not shared.graph_built:
        # Drawn from the tables: only what is shown becomes a networkx graph (issue 19; the same map).
        drawn = network_map_of_tables(shared.node_table, shared.edge_table, positions, attrs=PRACTITIONER_EDGE_ATTRS,
                                      agencies=agencies, focus=focus, steps=radius or 1, coded=shared.coded,
                                      **options)
    if drawn is None:
        drawn = draw(shared.G, positions, agencies=agencies, focus=focus, steps=radius or 1, **options)
    view = drawn.graph
    payload = maps_payload([drawn.spec]) if view.number_of_nodes() else None
    return {"message": drawn.message, "nodes": view.number_of_nodes(), "edges": view.number_of_edges(),
            "cross_share": network_summary(view)["cross_agency_share"], "payload": payload}


# Trust.

def trust(ds, period, rule):
    """(pair table, trust graph, :func:`netdash.metrics.trust.trust_summary`) under ``rule`` (shared: read-only)."""
    return _trust(ds.name, ds.version, period_key(period), rule_key(rule), ds, period, dict(rule))


@st.cache_resource(show_spinner="Finding trust ties…", max_entries=8, ttl=TTL)
def _trust(name, version, period_key, rule_key, _ds, _period, _rule):
    # A resource (shared, read-only): unpickling the pair table and graph cost half a second a rerun.
    from netdash.metrics.trust import trust_edges, trust_graph, trust_summary

    edges = trust_edges(_ds, _period, **_rule)
    G = trust_graph(_ds, _period, edges=edges)
    return edges, G, trust_summary(G)


def trust_map(ds, period, rule, hide_untied):
    """(note for the page or None, map data or None) of the trust network, with or without the untied."""
    return _trust_map(ds.name, ds.version, period_key(period), rule_key(rule), hide_untied, ds, period, dict(rule))


@st.cache_data(show_spinner="Drawing the trust network…", max_entries=16)
def _trust_map(name, version, period_key, rule_key, hide_untied, _ds, _period, _rule):
    from netdash.viz.inpage import maps_payload
    from netdash.viz.maps import own_layout_map

    drawn = own_layout_map(trust(_ds, _period, _rule)[1], tied_only=hide_untied, height_px=520, palette=palette(_ds))
    return drawn.message, None if drawn.spec is None else maps_payload([drawn.spec])


def trust_pairs(ds, period, rule):
    """Every pair that worked together, named, trust ties first and strongest first (shared: read-only)."""
    return _trust_pairs(ds.name, ds.version, period_key(period), rule_key(rule), ds, period, dict(rule))


@st.cache_resource(show_spinner=False, max_entries=8, ttl=TTL)
def _trust_pairs(name, version, period_key, rule_key, _ds, _period, _rule):
    from netdash.metrics.trust import trust_pair_table

    return trust_pair_table(trust(_ds, _period, _rule)[0], practitioner_labels(_ds))


# Brokerage.

def brokerage_roles(ds, period, ties):
    """(roles, boundary spanners, brokerage by agency, expected roles) of the directed contact graph.

    The contact graph is the same whatever ``ties``: it only chooses which
    shared analysis it is read from (the page's, already built).
    """
    return _brokerage_roles(ds.name, ds.version, period_key(period), ds, period, ties)


@st.cache_resource(show_spinner="Counting brokerage roles…", max_entries=8, ttl=TTL)
def _brokerage_roles(name, version, period_key, _ds, _period, _ties):
    return analysis(_ds, _period, _ties).brokerage_summary()


def structural_holes(ds, period, ties):
    """:func:`netdash.metrics.structural_holes.structural_holes` of the shared analysis (unweighted; read-only)."""
    return _structural_holes(ds.name, ds.version, period_key(period), ties, ds, period)


@st.cache_resource(show_spinner="Computing structural holes…", max_entries=8, ttl=TTL)
def _structural_holes(name, version, period_key, ties, _ds, _period):
    from netdash.metrics.structural_holes import structural_holes as holes

    return holes(analysis(_ds, _period, ties).matrix)


def betweenness(ds, period, ties, weighted):
    """:func:`netdash.analysis.betweenness_table` of the shared analysis (read-only)."""
    return _betweenness(ds.name, ds.version, period_key(period), ties, bool(weighted), ds, period)


@st.cache_resource(show_spinner="Computing betweenness…", max_entries=8, ttl=TTL)
def _betweenness(name, version, period_key, ties, weighted, _ds, _period):
    from netdash.analysis import betweenness_table

    return betweenness_table(analysis(_ds, _period, ties), weighted=weighted)


# Fragmentation.

def fragmentation(ds, period, ties, permutations):
    """Every measure the Fragmentation page shows, from one GraphMatrix of the shared analysis (read-only)."""
    return _fragmentation(ds.name, ds.version, period_key(period), ties, int(permutations), ds, period)


@st.cache_resource(show_spinner="Measuring fragmentation…", max_entries=8, ttl=TTL)
def _fragmentation(name, version, period_key, ties, permutations, _ds, _period):
    return analysis(_ds, _period, ties).fragmentation_measures(permutations)


def fragmentation_heatmap(ds, period, ties, permutations, level):
    """Fragmentation's heat map of ties between agencies or sectors (``level``): a :func:`pages._charts.vega_spec`."""
    return _fragmentation_heatmap(ds.name, ds.version, period_key(period), ties, int(permutations), level, ds, period)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=TTL)
def _fragmentation_heatmap(name, version, period_key, ties, permutations, level, _ds, _period):
    from netdash.metrics.mixing import group_mixing

    matrix, names = group_mixing(_fragmentation(name, version, period_key, ties, permutations, _ds, _period)["mixing"],
                                 _ds.agencies, level)
    return _charts.vega_spec(_charts.ties_heatmap(matrix.rename(index=names, columns=names)))


# Before & after.

def before_after_maps(ds, period, before, after, ties, *, changes_only, max_nodes, to_see_more):
    """Before & after's two maps, placed as the Network map places ``period``: (the two panels' notes, the
    numbers of new cross-agency and of lost ties, map data).

    One layout for every map setting: when both periods lie in ``period``
    (the split at the COP start always does), the Network map's layout of
    it, so the dots sit in the same places on both pages and a ties change
    costs no new layout.
    """
    return _before_after_maps(ds.name, ds.version, period_key(period), period_key(before), period_key(after), ties,
                              bool(changes_only), int(max_nodes), to_see_more, ds, period, before, after)


@st.cache_resource(show_spinner="Drawing the maps…", max_entries=8, ttl=TTL)
def _before_after_maps(name, version, period_key, before_key, after_key, ties, changes_only, max_nodes, to_see_more,
                       _ds, _period, _before, _after):
    from netdash.viz.inpage import maps_payload
    from netdash.viz.panels import before_after_table_maps

    # Drawn from the analyses' node and edge tables, not their networkx graphs: at regional scale each period has
    # 480,000 ties and a map draws at most 750 practitioners' strongest (issue 19). The same maps
    # (tests/viz/test_viz_maps.py); the changed ties found from the same tables by coded_tie_changes, the matching
    # that period_tie_changes and the comparison use.
    tables = [(shared.node_table, shared.edge_table) for shared in (analysis(_ds, p, ties) for p in (_before, _after))]
    maps = before_after_table_maps(*tables, changes=None,
                                   changes_only=changes_only, height_px=470,
                                   titles=(f"Before: {_before.label()}", f"After: {_after.label()}"),
                                   agency_names=agency_names(_ds),
                                   positions=_before_after_positions(name, version, period_key, before_key, after_key,
                                                                     ties, _ds, _period, _before, _after),
                                   max_nodes=max_nodes, to_see_more=to_see_more)
    # What the page shows: how many ties changed, not which (at the large demo the sets of new cross-agency and
    # lost ties held 135 MB per setting in this cache).
    return ((maps.before.message, maps.after.message), (maps.n_new_cross_agency, maps.n_lost),
            maps_payload([maps.before.spec, maps.after.spec]))


@st.cache_resource(show_spinner="Laying out the maps…", max_entries=8, ttl=TTL)
def _before_after_positions(name, version, period_key, before_key, after_key, ties, _ds, _period, _before, _after):
    layout = period_positions(_ds, _period)
    shared = [analysis(_ds, p, ties) for p in (_before, _after)]
    # The graphs' nodes are the node table's and any tie end missing from it: positions_for's test, without them.
    if all(layout.keys() >= set(a.node_table["practitioner_id"].tolist()) | set(pd.unique(a.edge_table["source"]))
           | set(pd.unique(a.edge_table["target"])) for a in shared):
        return layout
    return _positions_for(_ds, _period, [a.G for a in shared])


def before_after_agency_maps(ds, before, after, ties):
    """The data of Before & after's agency-level maps: both networks collapsed onto agencies (read-only)."""
    return _before_after_agency_maps(ds.name, ds.version, period_key(before), period_key(after), ties,
                                     ds, before, after)


@st.cache_resource(show_spinner=False, max_entries=8, ttl=TTL)
def _before_after_agency_maps(name, version, before_key, after_key, ties, _ds, _before, _after):
    from netdash.networks import agency_graph_from_tables, agency_links_from_tables
    from netdash.viz.inpage import maps_payload
    from netdash.viz.maps import agency_maps

    # Collapsed from the analyses' tables: what the agency graphs of their networkx graphs hold, without walking
    # the graphs' edges nor building the agency graphs (160,000 agency pairs at regional scale; tests/viz).
    collapsed = [agency_links_from_tables(shared.node_table, shared.edge_table)
                 or agency_graph_from_tables(shared.node_table, shared.edge_table)
                 for shared in (analysis(_ds, _before, ties), analysis(_ds, _after, ties))]
    return maps_payload(agency_maps(*collapsed, collapsed=True,
                                    titles=(f"Before: {_before.label()}", f"After: {_after.label()}"),
                                    agency_names=agency_names(_ds), height_px=560))


def tie_changes(ds, before, after, ties, replicates):
    """Every tie change of :func:`comparison`, with names, for the download (read-only)."""
    return _tie_changes(ds.name, ds.version, period_key(before), period_key(after), ties, int(replicates),
                        ds, before, after)


@st.cache_resource(show_spinner=False, max_entries=8, ttl=TTL)
def _tie_changes(name, version, before_key, after_key, ties, replicates, _ds, _before, _after):
    from netdash.change.dynamics import named_tie_changes

    compared = comparison(_ds, _before, _after, ties, replicates)
    return named_tie_changes(compared.tie_changes, compared.trust_tie_changes, practitioner_labels(_ds),
                             agency_names(_ds))


def tie_change_summaries(ds, before, after, ties, replicates):
    """:func:`netdash.change.dynamics.tie_change_summary` of :func:`comparison`'s tie and trust-tie changes."""
    return _tie_change_summaries(ds.name, ds.version, period_key(before), period_key(after), ties, int(replicates),
                                 ds, before, after)


@st.cache_data(show_spinner=False, max_entries=16)
def _tie_change_summaries(name, version, before_key, after_key, ties, replicates, _ds, _before, _after):
    # Counted from the comparison's coded tie changes: the tables of every change are made only for the download.
    return comparison(_ds, _before, _after, ties, replicates).tie_change_summaries()


def mixing_heatmaps(ds, before, after, ties, level):
    """Before & after's three heat maps (before, after, change) of ties between agencies or sectors.

    The Vega-Lite spec of :func:`pages._charts.mixing_heatmaps` (one chart of three panels), for
    ``st.vega_lite_chart`` (read-only).
    """
    return _mixing_heatmaps(ds.name, ds.version, period_key(before), period_key(after), ties, level,
                            ds, before, after)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=TTL)
def _mixing_heatmaps(name, version, before_key, after_key, ties, level, _ds, _before, _after):
    from netdash.change.compare import mixing_change
    from netdash.change.headline import period_matrix
    from netdash.metrics.mixing import group_mixing

    names = None
    matrices = []
    # From arrays (GraphMatrix), not the analyses' networkx graphs: the same counts (tests/pages), without building
    # two graphs of 480,000 ties at regional scale (issue 19); made from the periods' coded pairs, not by looking
    # the edge tables' ids up again (the analyses' weighted .matrix: the same ties).
    for matrix in mixing_change(*(period_matrix(_ds, p, ties=ties, nodes=analysis(_ds, p, ties).node_table)
                                  for p in (_before, _after))):
        matrix, names = group_mixing(matrix, _ds.agencies, level)
        matrices.append(matrix)
    return _charts.mixing_heatmaps(matrices, names)


# Over time.

def session_dates(ds):
    """:func:`netdash.change.windows.cop_session_dates` of ``ds`` (shared: read-only)."""
    return _session_dates(ds.name, ds.version, ds)


@st.cache_resource(show_spinner=False, max_entries=8)
def _session_dates(name, version, _ds):
    # A resource: Over time marks the sessions on every run, and grouping the whole attendance log again was a
    # large part of a rerun served from the caches.
    from netdash.change.windows import cop_session_dates

    return cop_session_dates(_ds)


def window_series(ds, freq, ties):
    """:func:`netdash.change.windows.headline_series` of the whole dataset."""
    return _window_series(ds.name, ds.version, freq, ties, ds)


@st.cache_data(show_spinner="Computing the measures for every window…", max_entries=8)
def _window_series(name, version, freq, ties, _ds):
    from netdash.change.windows import headline_series

    return headline_series(_ds, freq=freq, ties=ties)


def window_charts(ds, freq, ties, cop_start):
    """Over time's eight charts, one per headline measure, with COP sessions and ``cop_start`` marked.

    Two :func:`pages._charts.headline_charts` specs, the left and the right column's (the measures in display order,
    alternately), for ``st.vega_lite_chart`` (read-only).
    """
    return _window_charts(ds.name, ds.version, freq, ties, _day(cop_start), ds)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=TTL)
def _window_charts(name, version, freq, ties, cop_day, _ds):
    from netdash.change.headline import HEADLINE_EXPLANATIONS

    first, last = _ds.date_range
    markers = _charts.chart_markers(session_dates(_ds), _timestamp(cop_day), first, last)
    series = window_series(_ds, freq, ties)
    measures = list(HEADLINE_EXPLANATIONS)
    return tuple(_charts.headline_charts(series, measures[side::2], markers) for side in (0, 1))


def attendee_chart(ds, freq, ties, cop_start):
    """Over time's chart of COP attendees against non-attendees (:func:`attendee_series`), sessions and
    ``cop_start`` marked: a :func:`pages._charts.attendee_chart` spec (read-only)."""
    return _attendee_chart(ds.name, ds.version, freq, ties, _day(cop_start), ds)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=TTL)
def _attendee_chart(name, version, freq, ties, cop_day, _ds):
    first, last = _ds.date_range
    markers = _charts.chart_markers(session_dates(_ds), _timestamp(cop_day), first, last)
    return _charts.attendee_chart(attendee_series(_ds, freq, ties), markers)


def attendee_series(ds, freq, ties):
    """:func:`netdash.change.windows.attendee_series` of the whole dataset."""
    return _attendee_series(ds.name, ds.version, freq, ties, ds)


@st.cache_data(show_spinner="Counting colleagues of attendees and non-attendees in every window…", max_entries=8)
def _attendee_series(name, version, freq, ties, _ds):
    from netdash.change.windows import attendee_series as series

    return series(_ds, freq=freq, ties=ties)


def window_maps(ds, freq):
    """(windows, everyone in post in any, positions) for Over time's maps, whatever the ties (read-only).

    The positions are the Network map's layout of the whole date range (all
    ties) for every window and ties setting, so the dots stay in place when
    the ties change and no page lays the same network out twice. Only the
    window shown gets its network built (:func:`window_graph`).
    """
    spans, everyone = _window_population(ds.name, ds.version, freq, ds)
    return spans, everyone, _window_positions(ds.name, ds.version, freq, ds)


@st.cache_resource(show_spinner=False, max_entries=4, ttl=TTL)
def _window_population(name, version, freq, _ds):
    from netdash.change.windows import windows
    from netdash.viz.panels import periods_population

    spans = windows(*_ds.date_range, freq=freq)
    return spans, periods_population(_ds, spans)


@st.cache_resource(show_spinner="Laying out the maps…", max_entries=4, ttl=TTL)
def _window_positions(name, version, freq, _ds):
    from netdash.periods import Period

    first, last = _ds.date_range
    whole = Period(first.normalize(), last.normalize() + pd.Timedelta(days=1))
    return _positions_for(_ds, whole, [_window_population(name, version, freq, _ds)[1]])


def window_graph(ds, freq, ties, chosen):
    """:func:`netdash.networks.graphs.practitioner_graph` of the window labelled ``chosen`` (read-only)."""
    return _window_graph(ds.name, ds.version, freq, ties, chosen, ds)


@st.cache_resource(show_spinner="Building the window's network…", max_entries=32, ttl=TTL)
def _window_graph(name, version, freq, ties, chosen, _ds):
    # A resource (shared, read-only): unpickling a graph costs more than a rerun should.
    from netdash.networks import graphs

    spans = _window_population(name, version, freq, _ds)[0]
    return graphs.practitioner_graph(_ds, spans[[w.label() for w in spans].index(chosen)], ties=ties)


def window_panel(ds, freq, ties, chosen):
    """The map panel of the window labelled ``chosen``, and the data the page sends to draw it (read-only)."""
    return _window_panel(ds.name, ds.version, freq, ties, chosen, ds)


@st.cache_resource(show_spinner="Drawing the map…", max_entries=32, ttl=TTL)
def _window_panel(name, version, freq, ties, chosen, _ds):
    from netdash.viz.inpage import maps_payload
    from netdash.viz.panels import map_panel

    _, everyone, positions = window_maps(_ds, freq)
    panel = map_panel(window_graph(_ds, freq, ties, chosen), positions, population=everyone,
                      title=chosen, height_px=560, agency_names=agency_names(_ds))
    return panel, maps_payload([panel.spec])


# COP impact.

#: COP impact's default settings. The Overview shows the verdict of these, through :func:`default_impact`, so
#: opening COP impact afterwards finds its first view already computed (one value, one cache entry).
#: IMPACT_BOOTSTRAP is netdash.change.impact.estimators.DASHBOARD_BOOTSTRAP (the report's default too), written out
#: so that importing this module does not import the impact package (tests/pages/test_pages_change.py checks).
IMPACT_TIES, IMPACT_BOOTSTRAP = "working", 1000


def default_impact(ds, cop_start, progress=None):
    """:func:`impact` with COP impact's default settings (:data:`IMPACT_TIES`, :data:`IMPACT_BOOTSTRAP`)."""
    return impact(ds, cop_start, IMPACT_TIES, IMPACT_BOOTSTRAP, progress)


def impact_charts(ds, cop_start, ties, bootstrap):
    """COP impact's charts of :func:`impact` (:func:`pages._charts.impact_charts`): Vega-Lite specs (read-only)."""
    return _impact_charts(ds.name, ds.version, _day(cop_start), ties, int(bootstrap), ds)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=TTL)
def _impact_charts(name, version, cop_day, ties, bootstrap, _ds):
    result, table = impact(_ds, _timestamp(cop_day), ties, bootstrap)
    return _charts.impact_charts(result, table)


def impact(ds, cop_start, ties, bootstrap, progress=None):
    """(:func:`netdash.change.impact.impact_estimates` with the staggered analysis, the per-practitioner table).

    Read-only. The design and the staggered analysis are kept apart from the
    bootstrap, so a new number of replicates does not redo them. ``progress(label)``
    (a page's status line, :func:`pages._shared.stages`) is told each stage as it
    starts when the value is computed, not when it is found in the cache.
    """
    return _impact(ds.name, ds.version, _day(cop_start), ties, int(bootstrap), ds, progress)


def _told(progress, label):
    if progress is not None:
        progress(label)


@st.cache_resource(show_spinner="Counting colleagues before and after…", max_entries=8, ttl=TTL)
def _impact_design(name, version, cop_day, ties, _ds, _progress=None):
    from netdash.change.impact import impact_design

    _told(_progress, "Counting every practitioner's colleagues in other agencies before and after the COP start")
    return impact_design(_ds, cop_start=_timestamp(cop_day), ties=ties)


@st.cache_resource(show_spinner="Following every practitioner month by month…", max_entries=8, ttl=TTL)
def _impact_staggered(name, version, cop_day, ties, _ds, _progress=None):
    from netdash.change.impact import staggered_estimates

    return staggered_estimates(_ds, _impact_design(name, version, cop_day, ties, _ds, _progress), progress=_progress)


@st.cache_resource(show_spinner="Estimating the COP's impact…", max_entries=16, ttl=TTL)
def _impact(name, version, cop_day, ties, bootstrap, _ds, _progress=None):
    from netdash.change.impact import impact_estimates

    design = _impact_design(name, version, cop_day, ties, _ds, _progress)
    staggered = _impact_staggered(name, version, cop_day, ties, _ds, _progress)
    _told(_progress, f"Matching attendees with non-attendees, with {bootstrap:,} bootstrap replicates")
    return impact_estimates(design, bootstrap=bootstrap, staggered=staggered), design.practitioner_table()


# Isolation & introductions.

def isolation(ds, period, ties, drift_share):
    """:func:`netdash.actions.isolation.isolation_report` (read-only)."""
    return _isolation(ds.name, ds.version, period_key(period), ties, float(drift_share), ds, period)


@st.cache_resource(show_spinner="Looking for people to invite…", max_entries=8, ttl=TTL)
def _isolation(name, version, period_key, ties, drift_share, _ds, _period):
    from netdash.actions.isolation import isolation_report

    return isolation_report(_ds, _period, ties=ties, drift_share=drift_share)


def isolation_counts(ds, period, ties, drift_share, min_count, marker):
    """The Isolation page's counts under small-number protection, and who may be named (read-only).

    (overall counts, counts by agency with ``marker`` for hidden cells, the
    same for the CSV with empty cells and a note,
    :func:`netdash.actions.isolation.may_be_named`), all of
    :func:`isolation` with these settings: the page reruns without redoing them.
    """
    return _isolation_counts(ds.name, ds.version, period_key(period), ties, float(drift_share), int(min_count),
                             marker, ds, period)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=TTL)
def _isolation_counts(name, version, period_key, ties, drift_share, min_count, marker, _ds, _period):
    from netdash.actions.isolation import category_counts, may_be_named

    report = _isolation(name, version, period_key, ties, drift_share, _ds, _period)
    return (category_counts(report, min_count=min_count, marker=marker),
            category_counts(report, by="agency_id", min_count=min_count, marker=marker),
            category_counts(report, by="agency_id", min_count=min_count, note=True),
            may_be_named(report, min_count=min_count))


def introductions(ds, period, ties):
    """:func:`netdash.actions.isolation.suggest_introductions` (read-only)."""
    return _introductions(ds.name, ds.version, period_key(period), ties, ds, period)


@st.cache_resource(show_spinner="Looking for introductions…", max_entries=8, ttl=TTL)
def _introductions(name, version, period_key, ties, _ds, _period):
    from netdash.actions.isolation import suggest_introductions

    return suggest_introductions(_ds, _period, ties=ties)


def suggested_colleagues(ds, period, ties):
    """:func:`netdash.actions.colleagues.suggested_colleagues` for everyone isolated or within-agency only (read-only).

    Who gets suggestions does not depend on the "fading" share, so the report is the default one.
    """
    return _suggested_colleagues(ds.name, ds.version, period_key(period), ties, ds, period)


@st.cache_resource(show_spinner="Looking for colleagues to suggest…", max_entries=8, ttl=TTL)
def _suggested_colleagues(name, version, period_key, ties, _ds, _period):
    from netdash.actions.colleagues import suggested_colleagues

    report = _isolation(name, version, period_key, ties, 0.5, _ds, _period)
    return suggested_colleagues(_ds, _period, report, ties=ties, labels=_practitioner_labels(name, version, _ds))


# Clients.

def client_teams(ds, period, use_trust, rule):
    """:func:`netdash.actions.clients.client_teams`, cohesion by contacts or by trust ties under ``rule``."""
    return _client_teams(ds.name, ds.version, period_key(period), bool(use_trust), rule_key(rule),
                         ds, period, dict(rule))


def _trust_for_teams(ds, period, use_trust, rule):
    from netdash.metrics.trust import trust_graph

    return trust_graph(ds, period, **rule) if use_trust else None


@st.cache_resource(show_spinner="Finding the team around each client…", max_entries=8, ttl=TTL)
def _client_teams(name, version, period_key, use_trust, rule_key, _ds, _period, _rule):
    from netdash.actions.clients import client_teams as teams

    return teams(_ds, _period, trust=_trust_for_teams(_ds, _period, use_trust, _rule))


def client_trend(ds, period, cop_start, use_trust, rule, min_count):
    """(before, after, :func:`netdash.actions.clients.team_trend`) either side of ``cop_start``.

    Raises :class:`netdash.errors.AnalysisError` when there is nothing to split.
    """
    return _client_trend(ds.name, ds.version, period_key(period), str(cop_start), bool(use_trust), rule_key(rule),
                         int(min_count), ds, period, cop_start, dict(rule))


@st.cache_resource(show_spinner="Comparing before and after the COP start…", max_entries=8, ttl=TTL)
def _cop_client_teams(name, version, period_key, cop_key, use_trust, rule_key, _ds, _period, _cop_start, _rule):
    # The teams of both windows are found once, whatever "Hide counts below" says.
    from netdash.actions.clients import client_teams as teams
    from netdash.report.sections import cop_windows

    before, after = cop_windows(_ds, _period, _cop_start)
    return (before, after, teams(_ds, before, trust=_trust_for_teams(_ds, before, use_trust, _rule)),
            teams(_ds, after, trust=_trust_for_teams(_ds, after, use_trust, _rule)))


@st.cache_data(show_spinner=False, max_entries=16)
def _client_trend(name, version, period_key, cop_key, use_trust, rule_key, min_count, _ds, _period, _cop_start,
                  _rule):
    from netdash.actions.clients import team_trend

    before, after, teams_before, teams_after = _cop_client_teams(name, version, period_key, cop_key, use_trust,
                                                                 rule_key, _ds, _period, _cop_start, _rule)
    return before, after, team_trend(teams_before, teams_after, min_count=min_count)


def client_trend_chart(ds, period, cop_start, use_trust, rule, min_count, charted):
    """The :func:`pages._charts.client_trend_chart` spec of :func:`client_trend` (read-only), or None."""
    return _client_trend_chart(ds.name, ds.version, period_key(period), str(cop_start), bool(use_trust),
                               rule_key(rule), int(min_count), tuple(charted.items()), ds, period, cop_start,
                               dict(rule))


@st.cache_resource(show_spinner=False, max_entries=16, ttl=TTL)
def _client_trend_chart(name, version, period_key, cop_key, use_trust, rule_key, min_count, charted, _ds, _period,
                        _cop_start, _rule):
    trend = _client_trend(name, version, period_key, cop_key, use_trust, rule_key, min_count, _ds, _period,
                          _cop_start, _rule)[2]
    chart = _charts.client_trend_chart(trend, dict(charted))
    return None if chart is None else _charts.vega_spec(chart)


# Report.

def report_html(ds, period, cop_start, *, ties, min_count, replicates, title, warnings):
    """:func:`netdash.report.build_report` with these settings (seed 0)."""
    return _report_html(ds.name, ds.version, period_key(period), str(cop_start), ties, int(min_count),
                        int(replicates), title, tuple(warnings), ds, period, cop_start)


@st.cache_data(show_spinner="Building the report (this can take a minute)…", max_entries=4)
def _report_html(name, version, period_key, cop_key, ties, min_count, replicates, title, warnings, _ds, _period,
                 _cop_start):
    from netdash.report import build_report

    return build_report(_ds, period=_period, cop_start=_cop_start, ties=ties, min_count=min_count, seed=0,
                        warnings=warnings, title=title or None, compare_replicates=replicates)


def practitioner_measures(ds, period, ties, rule):
    """:meth:`netdash.analysis.NetworkAnalysis.practitioner_table` of the shared analysis with trust ``rule``."""
    return _practitioner_measures(ds.name, ds.version, period_key(period), ties, rule_key(rule), ds, period,
                                  dict(rule))


@st.cache_data(show_spinner="Computing every measure for every practitioner…", max_entries=4)
def _practitioner_measures(name, version, period_key, ties, rule_key, _ds, _period, _rule):
    return analysis(_ds, _period, ties, trust_options=_rule).practitioner_table()


# Before & after windows (issue 16).

def cop_windows(ds, period, cop_start):
    """:func:`netdash.change.windows.equal_windows` of ``period`` around ``cop_start``: COP impact's and the report's rule."""
    return _cop_windows(ds.name, ds.version, period_key(period), _day(cop_start), ds, period)


@st.cache_data(show_spinner=False, max_entries=16)
def _cop_windows(name, version, period_key, cop_day, _ds, _period):
    from netdash.change.windows import equal_windows

    return equal_windows(_ds, _timestamp(cop_day), period=_period)


def cross_agency_shares(ds, period, ties="working", rule=None, kinds=("contacts", "working_ties", "trust_ties")):
    """:func:`netdash.change.headline.cross_agency_shares` of ``period``: the shares in ``kinds``, one name each."""
    return _cross_agency_shares(ds.name, ds.version, period_key(period), ties, rule_key(rule), tuple(kinds),
                                ds, period, dict(rule or {}))


@st.cache_data(show_spinner=False, max_entries=16)
def _cross_agency_shares(name, version, period_key, ties, rule_key, kinds, _ds, _period, _rule):
    from netdash.change.headline import cross_agency_shares as shares

    return shares(_ds, _period, ties=ties, trust_options=_rule, kinds=kinds)


# The memory budget.

def memory_budget():
    """The budget :func:`keep_within` holds to: NETDASH_MEMORY_BUDGET when set and valid, else :data:`MEMORY_BUDGET`."""
    raw = os.environ.get("NETDASH_MEMORY_BUDGET", "").strip()
    if not raw:
        return MEMORY_BUDGET
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]?)i?B?", raw, flags=re.IGNORECASE)
    if not found:
        _LOG.warning("NETDASH_MEMORY_BUDGET=%r is not a size: expected bytes or a number with K, M or G (e.g. 6G). "
                     "Using the default, %.1f GiB.", raw, MEMORY_BUDGET / 2**30)
        return MEMORY_BUDGET
    number, unit = found.groups()
    return int(float(number) * (1024 ** ("KMG".index(unit.upper()) + 1) if unit else 1))


def keep_within(budget=None, *, resident=resident_bytes, tiers=None):
    """Drop cached results, those quickest to make again first, until the server's resident memory is under budget.

    Called once at the end of every page run (``streamlit_app.py``). Below the
    budget it only reads the process's resident memory. Above it, it clears
    the caches of :data:`SHED` tier by tier, reading the memory again after
    each, and stops as soon as it is under: every page still works, and a
    page whose results were dropped computes them again on its next visit.
    The caches' own limits count entries, not bytes; at regional scale one
    analysis holds 250 to 360 MB, so only a limit in bytes holds across every
    path a user can take through the pages.

    Parameters
    ----------
    budget : int, optional
        Bytes; :func:`memory_budget` when None.
    resident : callable
        Returns the resident memory in bytes, or None when it cannot be read
        (then nothing is dropped).
    tiers : sequence of (name, functions), optional
        :data:`SHED` when None.

    Returns
    -------
    list of str
        The names of the tiers dropped, in order (empty when under budget).
    """
    budget = memory_budget() if budget is None else budget
    dropped = []
    for name, functions in SHED if tiers is None else tiers:
        held = resident()
        if held is None or held <= budget:
            break
        for function in functions:
            function.clear()
        gc.collect()
        trim()
        dropped.append(name)
        _LOG.warning("Resident memory %.2f GiB was over the %.2f GiB budget: dropped the cached %s (now %.2f GiB).",
                     held / 2**30, budget / 2**30, name, (resident() or 0) / 2**30)
    return dropped


#: The caches :func:`keep_within` drops, tier by tier. First what is drawn from other cached results (maps, charts,
#: layouts, HTML: seconds at most to make again), then each page's own results, then the shared analyses and COP
#: impact's estimates, which every page draws from (a minute to make again at regional scale).
SHED = (
    ("drawings", (_monthly_contacts_chart, _network_map, _trust_map, _fragmentation_heatmap, _before_after_maps,
                  _before_after_positions, _before_after_agency_maps, _tie_change_summaries, _mixing_heatmaps,
                  _window_charts, _attendee_chart, _window_positions, _window_panel, _impact_charts,
                  _client_trend_chart, _report_html, _period_positions)),
    ("page results", (_overview, _comparison, _trust, _trust_pairs, _brokerage_roles, _structural_holes, _betweenness,
                      _fragmentation, _tie_changes, _window_series, _attendee_series,
                      _window_population, _window_graph, _isolation, _isolation_counts, _introductions,
                      _suggested_colleagues, _client_teams, _cop_client_teams, _client_trend, _practitioner_measures,
                      _cop_windows, _cross_agency_shares)),
    ("analyses", (_analysis, _large_analysis, _impact_design, _impact_staggered, _impact)),
)
#: Never dropped: the workspace, the datasets and what every page shows of them at once (labels, colours).
KEPT = (workspace, dataset_listing, load, _import_warnings, _practitioner_labels, _agency_names, _palette, _session_dates)
