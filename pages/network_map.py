"""Network map: who works with whom, coloured by agency."""

import streamlit as st

from netdash import graphs
from netdash.metrics.basic import network_summary
from netdash.viz import layout_positions, map_budget, network_html
from pages import _shared

_shared.ensure_routed()

st.title("Network map")
st.caption(
    "Each dot is a practitioner, coloured by agency. A line means they worked together in the period: "
    "contacted each other, worked with the same client, or met at the COP. Hover for details; drag to pan."
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


@st.cache_data(show_spinner="Building the network…", max_entries=16)
def _graph(name, version, period_key, ties):
    return graphs.practitioner_graph(ds, period, ties=ties)


@st.cache_data(show_spinner="Laying out the map…", max_entries=16)
def _positions(name, version, period_key, ties):
    return layout_positions(_graph(name, version, period_key, ties))


with _shared.shown_errors():
    G = _graph(ds.name, ds.version, _shared.period_key(period), ties)
    positions = _positions(ds.name, ds.version, _shared.period_key(period), ties)

view = G
if agencies:
    view = view.subgraph([n for n, a in view.nodes(data="agency") if a in agencies])
highlight = ()
if focus is not None:
    if focus not in G:
        st.info(f"{_shared.md(labels[focus])} was not in post in this period.")
    else:
        radius = st.radio("Show", [1, 2], format_func=lambda r: f"{'their' if r == 1 else 'two steps of'} colleagues",
                          horizontal=True, key="map_radius")
        view = graphs.ego_graph(G, focus, radius=radius)
        highlight = (focus,)

budget = map_budget(view)
view = budget.graph
if budget.message:
    st.info(budget.message)

m1, m2, m3 = st.columns(3)
m1.metric("Practitioners shown", view.number_of_nodes())
m2.metric("Ties shown", view.number_of_edges())
shown = network_summary(view)
m3.metric("Ties across agencies", f"{shown['cross_agency_share']:.0%}" if view.number_of_edges() else "–")

if view.number_of_nodes() == 0:
    st.info("Nobody to show for these filters.")
else:
    html = network_html(view, positions, highlight_nodes=highlight, height_px=620, palette=_shared.palette(ds))
    st.iframe(html, height=660)
