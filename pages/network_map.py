"""Network map: who works with whom, coloured by agency."""

import streamlit as st

from netdash.change.headline import format_share, share_of_ties
from netdash.viz import map_html
from netdash.viz.layout import layout_stage
from netdash.viz.maps import SIZE_MEASURES
from pages import _cached, _mapview, _shared

st.title("Network map")
st.caption(
    "Each dot is a practitioner, coloured by agency (or sector). A line means they worked together in the period: "
    "contacted each other or worked with the same client (working ties). Meeting at the COP is not counted as "
    "working together: choose 'COP co-attendance' to see it on its own. Ringed dots attended the COP. "
    "Hover for details, drag to pan, click the map (or hold Ctrl) and scroll to zoom, click someone to pick "
    "out their ties. "
    "Everyone keeps the same place whichever ties are shown: positions come from all ties together, "
    "so switching shows which lines remain."
)

ds = _shared.current_dataset()
period = _shared.current_period()

c1, c2, c3 = st.columns([2, 3, 3])
# Working ties by default, as every figure about connection (issue 16): co-attendance is the COP itself.
ties = c1.selectbox("Ties", list(_shared.TIES_LABELS), index=list(_shared.TIES_LABELS).index("working"),
                    format_func=_shared.TIES_LABELS.get, key="map_ties",
                    help="Working ties: a contact either way, or the same client within 90 days. COP co-attendance "
                         "is the intervention, so it is its own choice, never part of the default.")
agency_names = _cached.agency_names(ds)
agencies = c2.multiselect(
    "Agencies", sorted(agency_names), format_func=lambda a: agency_names.get(a, a), key="map_agencies",
    placeholder="All agencies",
)
labels = dict(sorted(_cached.practitioner_labels(ds).items()))
focus = c3.selectbox(
    "Find a practitioner", [None] + list(labels), format_func=lambda p: "Everyone" if p is None else labels[p],
    key="map_focus",
)

with _shared.shown_errors(), _shared.stages("Network map", show=_shared.is_large(ds)) as step:
    step(f"Building the network of {len(ds.contacts):,} contacts…")
    # The graph's size and members from its tables: the networkx graph is built only where a map needs it.
    shared = _cached.analysis(ds, period, ties)
    step(layout_stage(shared.number_of_nodes()))
    _cached.period_positions(ds, period)

radius = None
if focus is not None:
    if not shared.has_node(focus):
        st.info(f"{_shared.md(labels[focus])} was not in post in this period.")
        focus = None  # as before: the map then shows the agency filter's view
    else:
        radius = st.radio("Show", [1, 2, 3], format_func=lambda r: f"colleagues {r} step{'s' if r > 1 else ''} out",
                          horizontal=True, key="map_radius",
                          help="1 step: the people they worked with; 2 steps: those people's colleagues too; ...")

d1, d2, d3 = st.columns([2, 2, 3])
size_by = d1.selectbox("Dot size", [None, *SIZE_MEASURES], format_func=lambda m: m or "Same size", key="map_size",
                       help="Ties: how many colleagues; betweenness: how often they lie on the shortest path between "
                            "two others (a broker); trust ties: repeated two-way contact.")
colour_by = d2.selectbox("Colour", ["agency", "sector"], format_func={"agency": "By agency",
                         "sector": "By sector (agency on hover)"}.get, key="map_colour",
                         help="Sectors are fewer than agencies, so their colours are easier to tell apart.")

cop_layer = d3.toggle("COP co-attendance as its own layer", False, key="map_cop_layer",
                      disabled=ties in ("cop", "all"),
                      help="Adds dashed orange lines between practitioners who sat in the same COP session but have "
                           "no tie of the kind chosen. They are drawn only: the figures above the map count the "
                           "chosen ties alone. (Off for 'COP co-attendance' and 'All ties', which hold it already.)")

with _shared.shown_errors(), _shared.stages("Drawing the map", show=_shared.is_large(ds)) as step:
    step(f"Choosing what to draw among {shared.number_of_nodes():,} practitioners and "
         f"{shared.number_of_edges():,} ties…")
    drawn = _cached.network_map(ds, period, ties, agencies, focus, radius, size_by, colour_by,
                                cop_layer=cop_layer and ties not in ("cop", "all"))
if drawn["message"]:
    st.info(drawn["message"])

m1, m2, m3 = st.columns(3)
m1.metric("Practitioners shown", drawn["nodes"])
m2.metric("Ties shown", drawn["edges"])
share_label, share_help = share_of_ties(ties)
m3.metric(share_label, format_share(drawn["cross_share"]) if drawn["edges"] else "–",
          help=share_help + (" Counted among the practitioners shown." if agencies or focus is not None else ""))

if drawn["payload"] is None:
    st.info("Nobody to show for these filters.")
else:
    _mapview.show(drawn["payload"], key="map_view", height=680)
    st.download_button("Download this map (HTML)", lambda: map_html(drawn["payload"]).encode("utf-8"),
                       file_name="network_map.html", mime="text/html", key="dl_map_html",
                       help="One file that opens offline in any browser, with the same map: zoom, tooltips, "
                            "PNG and SVG images. It holds the names shown on the map: share it as you would them.")
