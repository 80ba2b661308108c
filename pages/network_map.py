"""Network map: who works with whom, coloured by agency."""

import streamlit as st

from netdash.networks import graphs
from netdash.metrics.basic import network_summary
from netdash.viz import map_budget, network_spec
from netdash.viz.inpage import maps_payload
from pages import _mapview, _prefetch, _shared

_shared.ensure_routed()

st.title("Network map")
st.caption(
    "Each dot is a practitioner, coloured by agency. A line means they worked together in the period: "
    "contacted each other, worked with the same client, or met at the COP. Hover for details, drag to pan, "
    "scroll to zoom, click someone to pick out their ties. "
    "Everyone keeps the same place whichever ties are shown: positions come from all ties together, "
    "so switching shows which lines remain."
)

ds = _shared.current_dataset()
period = _shared.current_period()

c1, c2, c3 = st.columns([2, 3, 3])
ties = c1.selectbox("Ties", list(_shared.TIES_LABELS), format_func=_shared.TIES_LABELS.get, key="map_ties")
agency_names = _shared.agency_names(ds)
agencies = c2.multiselect(
    "Agencies", sorted(agency_names), format_func=lambda a: agency_names.get(a, a), key="map_agencies",
    placeholder="All agencies",
)
labels = dict(sorted(_shared.practitioner_labels(ds).items()))
focus = c3.selectbox(
    "Find a practitioner", [None] + list(labels), format_func=lambda p: "Everyone" if p is None else labels[p],
    key="map_focus",
)


@st.cache_resource(show_spinner="Building the network…", max_entries=8, ttl=_shared.ANALYSIS_TTL)
def _graph(name, version, period_key, ties):
    # A resource: the 80,000-tie graph is shared read-only, never unpickled on a rerun.
    return _shared.analysis(ds, period, ties).G


@st.cache_data(show_spinner="Drawing the map…", max_entries=32)
def _drawn(name, version, period_key, ties, agencies, focus, radius):
    """The map's data for the page to send and the figures above it, for one choice of filters."""
    G = _graph(name, version, period_key, ties)
    view = G
    if agencies:
        view = view.subgraph([n for n, a in view.nodes(data="agency") if a in agencies])
    if focus is not None:
        view = graphs.ego_graph(G, focus, radius=radius)
    budget = map_budget(view)
    view = budget.graph
    shown = network_summary(view)
    payload = None
    if view.number_of_nodes():
        # One layout per period, from every tie type together, for every "Ties" setting: a dot stays where it
        # was when the user switches, and a new setting costs only its drawing. Every setting has the same nodes.
        payload = maps_payload([network_spec(view, _shared.period_positions(ds, period),
                                             highlight_nodes=(focus,) if focus is not None else (), height_px=620,
                                             palette=_shared.palette(ds))])
    return {"message": budget.message, "nodes": view.number_of_nodes(), "edges": view.number_of_edges(),
            "cross_share": shown["cross_agency_share"], "payload": payload}


key = (ds.name, ds.version, _shared.period_key(period), ties)
with _shared.shown_errors():
    G = _graph(*key)
    _shared.period_positions(ds, period)

radius = None
if focus is not None:
    if focus not in G:
        st.info(f"{_shared.md(labels[focus])} was not in post in this period.")
        focus = None  # as before: the map then shows the agency filter's view
    else:
        radius = st.radio("Show", [1, 2], format_func=lambda r: f"{'their' if r == 1 else 'two steps of'} colleagues",
                          horizontal=True, key="map_radius")

with _shared.shown_errors():
    drawn = _drawn(*key, tuple(sorted(agencies)), focus, radius)
if drawn["message"]:
    st.info(drawn["message"])

m1, m2, m3 = st.columns(3)
m1.metric("Practitioners shown", drawn["nodes"])
m2.metric("Ties shown", drawn["edges"])
m3.metric("Ties across agencies", f"{drawn['cross_share']:.0%}" if drawn["edges"] else "–")

if drawn["payload"] is None:
    st.info("Nobody to show for these filters.")
else:
    _mapview.show(drawn["payload"], key="map_view", height=640)

# While the user reads, draw the other ties settings with these filters (the page's cached functions, in the
# background).
_prefetch.submit(ds, _prefetch.other_options(
    "network_map", _shared.TIES_LABELS, ties,
    lambda t: _drawn(ds.name, ds.version, _shared.period_key(period), t, tuple(sorted(agencies)), focus, radius)))
