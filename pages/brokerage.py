"""Brokerage: who carries information between agencies, and who holds the network together."""

import pandas as pd
import streamlit as st

from netdash.metrics import brokerage, centrality, structural_holes
from netdash.metrics.matrix import GraphMatrix
from pages import _shared

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


@st.cache_resource(show_spinner="Counting brokerage roles…", max_entries=8, ttl=_shared.ANALYSIS_TTL)
def _roles(name, version, period_key):
    # The directed contact graph does not depend on the ties chosen; the shared analysis of the
    # chosen ties holds it (as arrays, and as networkx for boundary_spanners).
    shared = _shared.analysis(ds, period, ties)
    M = shared.contact_matrix
    roles = brokerage.brokerage_roles(M, "agency")  # once: the two summaries below reuse it
    spanners = brokerage.boundary_spanners(shared.D, "agency", roles=roles)
    return (roles, spanners, brokerage.brokerage_by_group(M, "agency", roles=roles),
            brokerage.brokerage_expected(M, "agency", roles=roles))


@st.cache_resource(show_spinner="Computing structural holes…", max_entries=8, ttl=_shared.ANALYSIS_TTL)
def _structural_holes(name, version, period_key, ties):
    # Unweighted whatever the toggle, so kept apart from betweenness: the toggle does not redo it.
    return structural_holes.structural_holes(_shared.analysis(ds, period, ties).matrix)


@st.cache_resource(show_spinner="Computing betweenness…", max_entries=8, ttl=_shared.ANALYSIS_TTL)
def _betweenness(name, version, period_key, ties, weighted):
    """(betweenness, standard error or None, note or None) of every practitioner.

    Unweighted: the shared analysis's betweenness, the CLI's and the
    Report's too (exact within the work budget, estimated from sampled
    practitioners above it). Weighted paths have no estimator here, so
    above the budget the unweighted estimate is shown, and the note says so.
    """
    shared = _shared.analysis(ds, period, ties)
    M = shared.matrix
    if weighted and M.number_of_nodes() * M.number_of_edges() <= shared.max_work:
        W = GraphMatrix.from_graph(shared.G, weight="weight")
        return pd.Series(centrality.betweenness(W, normalized=True, weight="weight")), None, None
    result = shared.betweenness
    notes = []
    if weighted:
        notes.append(f"Weighted betweenness would need every shortest path of {M.number_of_nodes():,} practitioners "
                     f"and {M.number_of_edges():,} ties, beyond what this page computes; unweighted is shown.")
    if result.method == "sampled":
        notes.append(f"Betweenness is estimated from {result.sources:,} randomly chosen practitioners (largest "
                     f"standard error {result.max_standard_error:.5f}, in the betweenness_se column); "
                     "`netdash metrics --max-work` computes it more precisely.")
    se = pd.Series(result.standard_error, dtype="float64") if result.standard_error else None
    return pd.Series(result.values, dtype="float64"), se, " ".join(notes) or None


def _positions_in_network(name, version, period_key, ties, weighted):
    table = _structural_holes(name, version, period_key, ties).copy()  # the cached table stays unchanged
    between, se, note = _betweenness(name, version, period_key, ties, weighted)
    table["betweenness"] = between
    if se is not None:
        table["betweenness_se"] = se
    return table, note


with _shared.shown_errors():
    roles, spanners, by_agency, expected = _roles(ds.name, ds.version, _shared.period_key(period))
    holes, betweenness_note = _positions_in_network(ds.name, ds.version, _shared.period_key(period), ties, weighted)
if betweenness_note:
    st.info(betweenness_note)

labels = _shared.practitioner_labels(ds)
agency = _shared.agency_names(ds)

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
