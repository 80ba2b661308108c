"""Brokerage: who carries information between agencies, and who holds the network together."""

import streamlit as st

from netdash.analysis import betweenness_stage
from netdash.metrics import brokerage, centrality, structural_holes
from pages import _cached, _shared

st.title("Brokerage")
st.caption(
    "Brokers sit between colleagues who are not in touch with each other. Between agencies, they are the people "
    "through whom a client's needs reach the next service, and often the first people a COP should involve."
)

ds = _shared.current_dataset()
period = _shared.current_period()
c1, c2 = st.columns(2)
ties = c1.selectbox("Ties for betweenness and structural holes", list(_shared.TIES_LABELS),
                    format_func=_shared.TIES_LABELS.get, index=1, key="brokerage_ties")
weighted = c2.toggle("Weighted betweenness (frequent contacts count as shorter paths)", False,
                     key="brokerage_weighted")

with _shared.shown_errors(), _shared.stages("Brokerage", show=_shared.is_large(ds)) as step:
    step(f"Building the network of {len(ds.contacts):,} contacts…")
    shared = _cached.analysis(ds, period, ties)
    step("Counting brokerage roles…")
    roles, spanners, by_agency, expected = _cached.brokerage_roles(ds, period, ties)
    step(betweenness_stage(shared))
    between = _cached.betweenness(ds, period, ties, weighted)
    step("Computing structural holes…")
    holes = _cached.structural_holes(ds, period, ties).join(between)
betweenness_note = between.attrs["note"]
if betweenness_note:
    st.info(betweenness_note)

labels = _cached.practitioner_labels(ds)
agency = _cached.agency_names(ds)

st.subheader("Boundary spanners")
st.caption("Practitioners whose direct contacts reach two or more other agencies, with their brokerage roles.")
spanners = spanners.join(holes[["betweenness", "constraint", "effective_size"]], how="left")
shown = spanners.reset_index().assign(
    practitioner=lambda f: f["practitioner_id"].map(labels), agency=lambda f: f["agency"].map(agency)
)
columns = ["practitioner", "agency", "other_agencies", "other_agency_list", "cross_agency_ties",
           *brokerage.ROLE_FIELDS, "broker_total", "betweenness", "constraint"]
if shown.empty:
    st.info("Nobody's direct contacts reach two other agencies in this period.")
else:
    st.dataframe(shown[columns], hide_index=True, width="stretch",
                 column_config={"betweenness": st.column_config.NumberColumn(format="%.3f"),
                                "constraint": st.column_config.NumberColumn(format="%.3f")})
    _shared.download_csv(shown[columns], "boundary_spanners.csv", key="dl_spanners")

st.subheader("Brokerage by agency")
st.caption("Brokerage done by each agency's staff: how often they sit between two colleagues who are not in touch.")
by_agency_shown = by_agency.copy()
by_agency_shown.index = by_agency_shown.index.map(lambda a: agency.get(a, a))
st.dataframe(by_agency_shown, width="stretch")
_shared.download_csv(by_agency_shown.reset_index(), "brokerage_by_agency.csv", key="dl_brokerage_agency")

st.subheader("Every practitioner")
st.caption("Observed role counts with the expected count and z-score under a random network of the same density "
           "and agency sizes (as R's sna::brokerage).")
per_person = expected.join(holes, how="outer").reset_index()
per_person.insert(0, "practitioner", per_person["practitioner_id"].map(labels))
st.dataframe(per_person, hide_index=True, width="stretch")
_shared.download_csv(per_person, "brokerage_per_practitioner.csv", key="dl_brokerage_people")
st.caption(brokerage.LIMITS)

st.subheader("What these measures mean")
_shared.explain(
    [(field.replace("broker_", "").replace("_", " ").capitalize(), plain, formula)
     for field, (plain, formula) in brokerage.EXPLANATIONS.items()]
    + [(field.replace("_", " ").capitalize(), plain, formula)
       for module in (centrality, structural_holes) for field, (plain, formula) in module.EXPLANATIONS.items()]
)
