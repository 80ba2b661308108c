"""Fragmentation: is the network in pieces, does it follow agency lines, and who holds it together?"""

import pandas as pd
import streamlit as st

from netdash.metrics import communities, fragmentation, mixing
from netdash.metrics.distance import fragmentation_stage
from pages import _cached, _shared

st.title("Fragmentation and boundaries")
st.caption(
    "A joined-up system lets a client's needs travel from any practitioner to any other through colleagues. "
    "This page shows how far the network is split into pieces, and whether it is still organised in agency silos."
)

ds = _shared.current_dataset()
period = _shared.current_period()
c1, c2 = st.columns(2)
ties = c1.selectbox("Ties", list(_shared.TIES_LABELS), format_func=_shared.TIES_LABELS.get, index=1,
                    key="frag_ties")
permutations = c2.select_slider("Permutations for the E-I test", [200, 500, 1000, 2000], value=1000,
                                key="frag_permutations")

with _shared.shown_errors(), _shared.stages("Fragmentation", show=_shared.is_large(ds)) as step:
    step(f"Building the network of {len(ds.contacts):,} contacts…")
    shared = _cached.analysis(ds, period, ties)
    step(fragmentation_stage(shared.matrix, permutations=permutations))
    m = _cached.fragmentation(ds, period, ties, permutations)

names = _cached.agency_names(ds)
labels = _cached.practitioner_labels(ds)

c = st.columns(4)
c[0].metric("Fragmentation", f"{m['fragmentation']:.3f}", help=fragmentation.EXPLANATIONS["fragmentation"][0])
reach = m["distance_weighted"]
c[1].metric("Distance-weighted", f"{reach.value:.3f}" + (f" ± {1.96 * reach.standard_error:.3f}"
                                                           if reach.method == "sampled" else ""),
            help=fragmentation.EXPLANATIONS["distance_weighted_fragmentation"][0]
            + (f" Estimated from {reach.sources:,} randomly chosen practitioners (± is a 95% interval): "
               "the exact value needs every pair's distance." if reach.method == "sampled" else ""))
c[2].metric("Separate pieces", m["components"]["n_components"],
            help="Connected components; a practitioner with no ties is a piece on their own.")
c[3].metric("Practitioners with no ties", m["components"]["n_isolates"])

st.subheader("Across or within agencies? (E-I index)")
if m["ei"] is None:
    st.info("No ties in this period.")
else:
    ei = m["ei"]
    st.metric("E-I index, whole network", f"{ei['observed']:.3f}",
              help=mixing.EXPLANATIONS["ei_index"][0] if "ei_index" in mixing.EXPLANATIONS else None)
    st.caption(
        f"−1 means every tie stays inside an agency, +1 means every tie crosses agencies. If agencies were "
        f"assigned at random (same sizes), the index would be about {ei['expected']:.3f}; the observed value's "
        f"two-sided permutation p-value is {ei['p_value']:.3g} ({ei['permutations']} permutations)."
    )
    by_group = m["ei_by_group"].copy()
    by_group.index = by_group.index.map(lambda a: names.get(a, a))
    _shared.small_table(by_group)
    with st.expander("E-I index of each practitioner"):
        st.caption("The practitioner's own ties: −1 all inside their agency, +1 all to other agencies; "
                   "empty for someone with no ties.")
        per_person = pd.DataFrame({"practitioner_id": list(m["ei_by_node"]),
                                   "ei_index": list(m["ei_by_node"].values())})
        per_person.insert(0, "practitioner", per_person["practitioner_id"].map(labels))
        st.dataframe(per_person, hide_index=True, width="stretch", key="frag_ei_people")
        _shared.download_csv(per_person, "ei_by_practitioner.csv", key="dl_ei_people")

st.subheader("Ties between agencies")
level = _shared.heatmap_level(ds, key="frag_heatmap_groups")
st.vega_lite_chart(spec=_cached.fragmentation_heatmap(ds, period, ties, permutations, level), width="stretch")
agency_matrix = m["mixing"].rename(index=names, columns=names)
_shared.download_csv(agency_matrix.reset_index(), "mixing_matrix.csv", label="Download agency × agency ties (CSV)",
                     key="dl_mixing")

st.subheader("Do working groups follow agency lines?")
if m["alignment"] is None:
    st.info("No ties in this period.")
else:
    a = m["alignment"]
    c = st.columns(3)
    c[0].metric("Detected working groups", a["n_communities"])
    c[1].metric("Match with agencies (NMI)", f"{a['nmi']:.2f}", help=communities.EXPLANATIONS["agency_nmi"][0])
    c[2].metric("Chance-corrected match (ARI)", f"{a['ari']:.2f}", help=communities.EXPLANATIONS["agency_ari"][0])
    st.caption(f"Middle value (median) of {len(a['seeds'])} runs of the randomised search: NMI ranged from "
               f"{a['nmi_min']:.2f} to {a['nmi_max']:.2f} and ARI from {a['ari_min']:.2f} to {a['ari_max']:.2f}. "
               "The working groups counted are those of the first run.")

st.subheader("Who would we lose if they left?")
st.caption("How much more fragmented the network would be without each practitioner (top 20). "
           "These people hold parts of the network together: worth supporting, and worth not overloading.")
keys = m["key_players"].reset_index()
keys.insert(0, "practitioner", keys["practitioner_id"].map(labels))
_shared.small_table(keys, hide_index=True)
if m["key_players"].attrs.get("note"):
    st.caption(m["key_players"].attrs["note"])

st.subheader("What these measures mean")
_shared.explain(
    [(field.replace("_", " ").capitalize(), plain, formula)
     for module in (fragmentation, mixing, communities) for field, (plain, formula) in module.EXPLANATIONS.items()]
)
