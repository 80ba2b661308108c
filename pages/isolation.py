"""Isolation & introductions: whom a COP lead could invite in, and which colleagues to introduce."""

import streamlit as st

from netdash.actions import isolation
from netdash.errors import NetdashError
from pages import _cached, _shared

CATEGORY_LABELS = isolation.CATEGORY_LABELS
TIES = {k: _shared.TIES_LABELS[k] for k in ("working", "direct", "coworking")}
ANYONE, ATTENDED, NOT_YET = "Everyone", "Has attended a COP session", "Has not attended yet"

st.title("Isolation & introductions")
st.caption(
    "Who could we invite in, and which colleagues in different agencies already share clients but have never "
    "been in touch? A starting list for the next COP session."
)
st.info(
    "These lists are for inviting people in, not for managing performance. They show only what the contact logs "
    "record, which is never all of anyone's work: a quiet log can mean a new starter, part-time hours or work "
    "recorded elsewhere. Use them to start a friendly conversation.",
    icon=":material/volunteer_activism:",
)

ds = _shared.current_dataset()
period = _shared.current_period()
c1, c2, c3 = st.columns([3, 2, 1])
ties = c1.selectbox("Which ties count as working together", list(TIES), format_func=TIES.get, key="iso_ties",
                    help="COP co-attendance is left out: the question is whether people work together.")
drift_share = c2.select_slider("“Links fading” from this share lost",
                               [0.5, 0.75, 0.9, 1.0], value=0.5, format_func="{:.0%}".format, key="iso_drift_share",
                               help="Someone's cross-agency links are fading when at least this share of last period's "
                                    "cross-agency colleagues (still in post) have no tie with them this period. "
                                    "Colleagues who left do not count as lost.")
min_count = int(c3.number_input("Hide counts below", 1, 50, 5, key="iso_min_count",
                                help="Counts from 1 to this number minus one are hidden in the summary "
                                     "tables (small-number protection). The individual lists are not affected."))

with _shared.shown_errors():
    report = _cached.isolation(ds, period, ties, drift_share)
    intros = _cached.introductions(ds, period, ties)

if not period.mask(ds.contacts["date"]).any():
    st.warning(f"No contacts are recorded in {period.label()}, so everyone in post appears below as having no "
               "working ties, and there is nothing to suggest introductions from. Choose a period with contacts "
               "in the sidebar.")
if report.empty:
    st.info(f"Nobody was in post in {period.label()}. Choose another period in the sidebar.")
    st.stop()
try:
    previous = isolation.previous_period(period)
    st.caption(f"“Cross-agency links fading” compares {period.label()} with the period of the same length before "
               f"it ({previous.label()}). The COP start date is not used on this page.")
    first = ds.date_range[0]
    if first is not None and previous.end <= first:
        st.caption("There are no data before this period, so nobody can show as having fading links.")
except NetdashError:
    st.caption("“Cross-agency links fading” needs a period with a start and an end, to compare with the period "
               "before it; choose both dates in the sidebar. The COP start date is not used on this page.")

names = _cached.agency_names(ds)
labels = _cached.practitioner_labels(ds)

st.subheader("How many people, by situation")
st.caption(f"Practitioners in post in {period.label()}. Counts from 1 to {min_count - 1} are hidden, and so is "
           "one more count in a row where the total would otherwise give a hidden count away.")
marker = "hidden"
with _shared.shown_errors():
    overall = isolation.category_counts(report, min_count=min_count, marker=marker)
    by_agency = isolation.category_counts(report, by="agency_id", min_count=min_count, marker=marker)
cols = st.columns(len(CATEGORY_LABELS))
for col, (category, label) in zip(cols, CATEGORY_LABELS.items()):
    col.metric(label, str(overall.loc["all", category]))
by_agency = by_agency.rename(columns={**CATEGORY_LABELS, "in_post": "In post"})
by_agency.index = by_agency.index.map(lambda a: names.get(a, a)).rename("agency")
st.dataframe(by_agency.astype(str), width="stretch")
_shared.download_csv(by_agency.reset_index(), "isolation_counts_by_agency.csv", key="dl_iso_counts")


@st.fragment
def _people(report, names, labels):
    # Only the list reruns when its filters change.
    st.subheader("People we could invite in")
    st.caption("Everyone except those already connected across agencies, with the reason they appear. "
               "Filter by agency or COP attendance to plan who to contact.")
    f1, f2, f3 = st.columns([3, 2, 3])
    agencies = f1.multiselect("Agencies", sorted(names), format_func=lambda a: names.get(a, a), key="iso_agencies",
                              placeholder="All agencies")
    attendance = f2.radio("COP attendance", [ANYONE, ATTENDED, NOT_YET], key="iso_attendance")
    situations = f3.multiselect("Situations", list(CATEGORY_LABELS), default=list(CATEGORY_LABELS)[:3],
                                format_func=CATEGORY_LABELS.get, key="iso_situations", placeholder="All situations")
    if not report["cop_attendee"].any():
        st.info("Nobody in this dataset had attended a COP session by the end of this period, so everyone listed is "
                "someone who has not attended yet.")
    people = isolation.people_to_invite(report, labels, names, agencies=agencies, categories=situations,
                                        attended=None if attendance == ANYONE else attendance == ATTENDED)
    st.metric("People listed", len(people))
    if people.empty:
        st.info("Nobody matches these filters.")
    else:
        st.dataframe(people, hide_index=True, width="stretch",
                     column_config={"reason": st.column_config.TextColumn(width="large")})
        _shared.download_csv(people, "people_to_invite.csv", key="dl_iso_people")


@st.fragment
def _introductions(intros, names, labels):
    # Only the list reruns when its filters change.
    st.subheader("Introductions worth making")
    st.caption("Pairs in different agencies who worked with the same clients in this period but have no contact "
               "with each other recorded. More shared clients first; among equals, more recent shared work and more "
               "colleagues in common first. No client is named.")
    i1, i2 = st.columns([3, 1])
    agencies = i1.multiselect("Involving these agencies", sorted(names), format_func=lambda a: names.get(a, a),
                              key="intro_agencies", placeholder="All agencies")
    top = int(i2.number_input("How many to list", 1, 500, 25, key="intro_top"))
    if intros.empty:
        st.info("No introductions to suggest: no two practitioners in different agencies shared a client without "
                "already being in touch in this period.")
        return
    listed = isolation.introductions_list(intros, labels, names, agencies=agencies, top=top)
    if listed.empty:
        st.info("No suggested introductions involve these agencies.")
    else:
        st.dataframe(listed, hide_index=True, width="stretch",
                     column_config={"evidence": st.column_config.TextColumn(width="large")})
        _shared.download_csv(listed, "introductions_for_next_cop.csv", label="Download the list for the next COP",
                             key="dl_intros")


_people(report, names, labels)
_introductions(intros, names, labels)

st.subheader("How these lists are made")
_shared.explain([
    ("No working ties recorded yet", "nobody worked with them in the period, as far as the logs show.",
     "Degree 0 in the practitioner network of the chosen ties (`netdash.actions.isolation.isolation_report`)."),
    ("Works only within their own agency", "all the colleagues they worked with are in their own agency.",
     "Degree > 0 and no tie to another agency."),
    ("Cross-agency links fading", "they are no longer in touch with many colleagues in other agencies they "
     "worked with in the previous period.",
     "Of last period's cross-agency colleagues still in post, at least the chosen share (default half) have no "
     "tie now. Colleagues who left are not counted as lost. See docs/actions.md."),
    ("Introduction score", "how much two people in different agencies, not yet in touch, already share "
     "their work: more shared clients first.",
     "score = shared clients + 0.5 × recency + 0.5 × c / (c + 1), recency = 2^(−age / 90 days), c = colleagues "
     "in common (`netdash.actions.isolation.suggest_introductions`)."),
])
