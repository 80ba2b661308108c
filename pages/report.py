"""Report: the self-contained HTML report, network files for Gephi and the per-practitioner measures."""

import io

import streamlit as st

from netdash.dataset import NO_COP_DATA
from netdash.errors import AnalysisError
from netdash.export import to_gexf, to_graphml
from netdash.report.sections import cop_windows
from pages import _cached, _shared

REPORT_TIES = {k: _shared.TIES_LABELS[k] for k in ("working", "direct", "coworking")}
SHORT_WINDOW_DAYS = 30
REPLICATES = {0: "None (fastest)", 20: "20 (quick)", 50: "50 (about a minute)"}

st.title("Report")
st.caption(
    "Everything in one file to share with a board or funder: one HTML page that opens offline, prints to PDF, "
    "names nobody and hides small numbers. Network files for Gephi and the measures table are below."
)

ds = _shared.current_dataset()
period = _shared.current_period()
cop_start = _shared.current_cop_start()
pkey = _cached.period_key(period)
span = period.label().replace(" to ", "_")

st.subheader("HTML report")
title = st.text_input("Title", f"Cross-agency working: {ds.name}", max_chars=200, key=f"report_title::{ds.name}")
c1, c2, c3 = st.columns(3)
ties = c1.selectbox("Which ties count", list(REPORT_TIES), format_func=REPORT_TIES.get, key="report_ties",
                    help="COP co-attendance is what the report evaluates, so it cannot also count as a tie.")
min_count = int(c2.number_input("Hide counts below", 1, 50, 5, key="report_min_count",
                                help="Counts from 1 to this number minus one are shown as “<n”."))
replicates = c3.selectbox("Replicates for the before/after intervals", list(REPLICATES), index=2,
                          format_func=REPLICATES.get, key="report_replicates",
                          help="Bootstrap and permutation replicates for the change in the headline measures. "
                               "None gives the change without an interval or p-value.")
st.caption(f"Period {period.label()} (end date exclusive) and COP start "
           f"{cop_start.date() if cop_start is not None else 'not set'}, from the sidebar.")

if not period.mask(ds.contacts["date"]).any():
    st.warning(f"No contacts are recorded in {period.label()}: the report will have little to show. Choose a period "
               "with contacts in the sidebar.")
if ds.first_cop_session is None:
    st.info(f"Nobody in this dataset has attended a COP session ({NO_COP_DATA}): the impact section of the "
            "report will say so in place of an estimate.")
try:
    before, after = cop_windows(ds, period, cop_start)
except AnalysisError as err:
    st.warning(f"The before/after sections of the report will be empty: {err}")
else:
    days = (after.end - after.start).days
    if days < SHORT_WINDOW_DAYS:
        st.warning(f"The COP start is {days} day{'s' if days != 1 else ''} from the start or end of the data in this "
                   "period, so the report's before and after windows are only that long. Move the COP start in the "
                   "sidebar, or widen the period.")

warnings = _cached.import_warnings(ds)
settings = (ds.name, ds.version, pkey, str(cop_start), ties, min_count, replicates, title, warnings)

if st.button("Build the report", type="primary", key="report_build"):
    st.session_state["report_settings"] = settings
if st.session_state.get("report_settings") == settings:
    with _shared.shown_errors(), _shared.stages("Building the report", show=_shared.is_large(ds)) as step:
        step(f"Building the report from {len(ds.contacts):,} contacts: headline measures, before and after maps, "
             f"the comparison with {replicates:,} replicates, COP impact with its bootstrap, isolation and client "
             "teams (this can take minutes at this size)…")
        html = _cached.report_html(ds, period, cop_start, ties=ties, min_count=min_count, replicates=replicates,
                                   title=title, warnings=warnings)
    st.download_button("Download the report (HTML)", lambda: html.encode("utf-8"), file_name=f"netdash_report_{span}.html",
                       mime="text/html", key="dl_report", type="primary")
    st.caption("Preview (the file itself runs no scripts and loads nothing from the internet):")
    st.iframe(html, height=800)
elif st.session_state.get("report_settings"):
    st.info("The settings have changed since the report was built. Press “Build the report” again.")
else:
    st.info("Press “Build the report” to make it with these settings.")

st.subheader("Network files for Gephi")
st.caption("The practitioner network of the period, with agency, role, COP attendance and (where supplied) name "
           "on each person, and the period and tie types on each tie. GraphML also opens in yEd and Cytoscape.")
graph_ties = st.selectbox("Ties in the network file", list(_shared.TIES_LABELS), index=1,
                          format_func=_shared.TIES_LABELS.get, key="report_graph_ties")


def _graph_file(write, shared):
    """The bytes of ``shared.G`` written by ``write``; called by Streamlit only when the download is clicked."""
    def data():
        buffer = io.BytesIO()
        write(shared.G, buffer, period=period)  # shared and read-only; the writers only read it
        return buffer.getvalue()
    return data


with _shared.shown_errors():
    # The graph's size from its tables: the networkx graph is built for a download, when it is clicked.
    shared = _cached.analysis(ds, period, graph_ties)
    n_nodes, n_edges = shared.number_of_nodes(), shared.number_of_edges()
if n_nodes == 0:
    st.info(f"Nobody was in post in {period.label()}, so the network files would be empty.")
else:
    st.caption(f"{n_nodes} practitioners and {n_edges} ties.")
    g1, g2 = st.columns(2)
    # Written on the click, not on every run (docs/benchmarks.md, "pages/report.py: graph files").
    g1.download_button("Download GraphML", _graph_file(to_graphml, shared),
                       file_name=f"netdash_network_{graph_ties}_{span}.graphml",
                       mime="application/graphml+xml", key="dl_graphml")
    g2.download_button("Download GEXF (Gephi)", _graph_file(to_gexf, shared),
                       file_name=f"netdash_network_{graph_ties}_{span}.gexf",
                       mime="application/xml", key="dl_gexf")
if n_edges == 0 and n_nodes:
    st.info("There are no ties of this kind in the period: the files list the practitioners only.")

st.subheader("Per-practitioner measures")
st.caption("Every measure for every practitioner in post (degree, cross-agency ties, betweenness, constraint, "
           "E-I index, trust ties, brokerage roles, key-player gain) as one CSV. These are staff, not clients, and the "
           "table names them where names were supplied. Computing it takes a few seconds.")
rule = _shared.trust_rule()
measures_key = (ds.name, ds.version, pkey, graph_ties, _cached.rule_key(rule))

if st.button("Compute the measures table", key="report_measures"):
    st.session_state["report_measures_settings"] = measures_key
if st.session_state.get("report_measures_settings") == measures_key:
    with _shared.shown_errors(), _shared.stages("Measures table", show=_shared.is_large(ds)) as step:
        step(f"Computing every measure for {n_nodes:,} practitioners and {n_edges:,} ties (betweenness is "
             "estimated from samples when the network is too large to compute it exactly)…")
        table = _cached.practitioner_measures(ds, period, graph_ties, rule)
    if table.empty:
        st.info(f"Nobody was in post in {period.label()}, so there are no measures to show.")
    else:
        names = _cached.agency_names(ds)
        table = table.assign(practitioner=table["practitioner_id"].map(_cached.practitioner_labels(ds)),
                             agency=table["agency_id"].map(names))
        table = table[["practitioner", "agency", *[c for c in table.columns if c not in ("practitioner", "agency")]]]
        st.dataframe(table, hide_index=True, width="stretch", height=300)
        _shared.download_csv(table, f"practitioner_measures_{graph_ties}_{span}.csv", key="dl_measures")
    st.caption(f"Ties: {_shared.TIES_LABELS[graph_ties]}, as chosen for the network files above; trust ties use the "
               "rule chosen on the Trust page.")
