"""Isolation & introductions: whom a COP lead could invite in, and which colleagues to introduce."""

import streamlit as st

from netdash.actions import colleagues, isolation
from netdash.errors import NetdashError
from pages import _cached, _shared

CATEGORY_LABELS = isolation.CATEGORY_LABELS
TIES = {k: _shared.TIES_LABELS[k] for k in ("working", "direct", "coworking")}
ANYONE, ATTENDED, NOT_YET = "Everyone", "Has attended a COP session", "Has not attended yet"
#: People shown one by one, with their reason and suggested colleagues; the table and CSV hold everyone listed.
CARDS = 25

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
                                     "tables (small-number protection), and nobody in a group whose count is "
                                     "hidden is named in the lists below. 1 hides nothing and names everyone."))

with _shared.shown_errors(), _shared.stages("Isolation", show=_shared.is_large(ds)) as step:
    step(f"Finding who has no ties, or only ties inside their agency, among {len(ds.contacts):,} contacts…")
    report = _cached.isolation(ds, period, ties, drift_share)
    step("Looking for introductions through shared clients and colleagues…")
    intros = _cached.introductions(ds, period, ties)
    step("Looking for colleagues to suggest…")
    suggested = _cached.suggested_colleagues(ds, period, ties)

if not period.mask(ds.contacts["date"]).any():
    st.warning(f"No contacts are recorded in {period.label()}, so everyone in post appears below as having no "
               "working ties, and there is nothing to suggest introductions from. Choose a period with contacts "
               "in the sidebar.")
if report.empty:
    st.info(f"Nobody was in post in {period.label()}. Choose another period in the sidebar.")
    st.stop()
fading_reason = isolation.fading_unavailable(ds, period)
if fading_reason is None:
    previous = isolation.previous_period(period)
    st.caption(f"“Cross-agency links fading” compares {period.label()} with the period of the same length before "
               f"it ({previous.label()}). The COP start date is not used on this page.")
else:
    st.caption(f"“Cross-agency links fading” is not computable here: {fading_reason}. The COP start date is not "
               "used on this page.")

names = _cached.agency_names(ds)
labels = _cached.practitioner_labels(ds)

st.subheader("How many people, by situation")
st.caption(f"Practitioners in post in {period.label()}. Counts from 1 to {min_count - 1} are hidden, and so is "
           "one more count in a row where the total would otherwise give a hidden count away.")
marker = "hidden"
with _shared.shown_errors():
    overall, by_agency, by_agency_csv, named = _cached.isolation_counts(ds, period, ties, drift_share, min_count,
                                                                        marker)
cols = st.columns(len(CATEGORY_LABELS))
for col, (category, label) in zip(cols, CATEGORY_LABELS.items()):
    not_computed = category == "drifting" and fading_reason is not None
    col.metric(label, str(overall.loc["all", category]),
               help=f"Not computable: {fading_reason}." if not_computed else None)


def _agency_rows(table):
    table = table.rename(columns={**CATEGORY_LABELS, "in_post": "In post"})
    table.index = table.index.map(lambda a: names.get(a, a)).rename("agency")
    return table


st.dataframe(_agency_rows(by_agency).astype(str), width="stretch")
_shared.download_csv(_agency_rows(by_agency_csv).reset_index(), "isolation_counts_by_agency.csv",
                     key="dl_iso_counts")


def _name_everyone():
    st.session_state["iso_min_count"] = 1


def _card(row, found, names, labels):
    """One person: who, their situation and reason, and the colleagues to suggest, readable without scrolling.

    One Markdown element of paragraphs, not one per part: 25 cards of three elements each were most of
    the page's elements, each re-rendered after every interaction.
    """
    parts = [f"**{_shared.md(labels.get(row.practitioner_id, row.practitioner_id))}** · "
             f"{_shared.md(names.get(row.agency_id, row.agency_id))} · {CATEGORY_LABELS[row.category]}",
             _shared.md(row.reason)]
    suggest = row.category in colleagues.SUGGESTED_FOR
    if suggest and not found.empty:
        parts.append("Colleagues in other agencies to suggest:\n" + "\n".join(
            f"{r.rank}. **{_shared.md(labels.get(r.colleague_id, r.colleague_id))}** "
            f"({_shared.md(names.get(r.colleague_agency_id, r.colleague_agency_id))}): {_shared.md(r.reason)}"
            for r in found.itertuples()))
    with st.container(border=True):
        st.markdown("\n\n".join(parts))
        if suggest and found.empty:
            st.caption(colleagues.NOBODY)


@st.fragment
def _people(report, named, suggested, names, labels, min_count):
    # Only the list reruns when its filters change.
    st.subheader("People we could invite in")
    st.caption("Everyone except those already connected across agencies, with the reason they appear and, for "
               "those with no working ties or ties only within their agency, up to three colleagues in other "
               "agencies to suggest. Filter by agency or COP attendance to plan who to contact.")
    f1, f2, f3 = st.columns([3, 2, 3])
    agencies = f1.multiselect("Agencies", sorted(names), format_func=lambda a: names.get(a, a), key="iso_agencies",
                              placeholder="All agencies")
    attendance = f2.radio("COP attendance", [ANYONE, ATTENDED, NOT_YET], key="iso_attendance")
    situations = f3.multiselect("Situations", list(CATEGORY_LABELS), default=list(CATEGORY_LABELS)[:3],
                                format_func=CATEGORY_LABELS.get, key="iso_situations", placeholder="All situations")
    if not report["cop_attendee"].any():
        st.info("Nobody in this dataset had attended a COP session by the end of this period, so everyone listed is "
                "someone who has not attended yet.")
    attended = None if attendance == ANYONE else attendance == ATTENDED
    wanted = isolation.people_to_invite(report, labels, names, agencies=agencies, categories=situations,
                                        attended=attended)
    shown = report.loc[wanted.index][named.loc[wanted.index]]
    if len(shown) < len(wanted):
        st.info(f"Some people in these situations are not named: a count of their group above is hidden (from 1 to "
                f"{min_count - 1}), and naming them would give it away. To plan invitations yourself, name "
                "everyone: every count is then shown too, so do not share the page or its downloads.",
                icon=":material/visibility_off:")
        if st.button("Name everyone (for my own planning)", key="iso_name_everyone", on_click=_name_everyone):
            st.rerun(scope="app")
    texts = colleagues.suggestion_texts(shown, suggested, labels, names)
    people = isolation.people_to_invite(shown, labels, names, suggestions=texts)
    st.metric("People listed", len(people))
    if people.empty:
        if len(wanted) == len(shown):
            st.info("Nobody matches these filters.")
        return
    by_person = dict(tuple(suggested.groupby("practitioner_id"))) if not suggested.empty else {}
    for row in shown.head(CARDS).itertuples():
        _card(row, by_person.get(row.practitioner_id, suggested.iloc[:0]), names, labels)
    if len(shown) > CARDS:
        st.caption(f"The first {CARDS} of {len(shown)} are shown above; the table below and its download hold "
                   "everyone listed. Narrow the list with the filters.")
    with st.expander("Everyone listed, as a table"):
        st.dataframe(people, hide_index=True, width="stretch",
                     column_order=["practitioner", "situation", "suggested colleagues", "reason", "agency",
                                   *[c for c in people.columns if c not in
                                     ("practitioner", "situation", "suggested colleagues", "reason", "agency")]],
                     column_config={"reason": st.column_config.TextColumn(width="large"),
                                    "suggested colleagues": st.column_config.TextColumn(width="large")})
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
        # The evidence next to the two names, so it is read without scrolling sideways (the CSV keeps its order).
        _shared.small_table(listed[["practitioner_1", "practitioner_2", "evidence", "agency_1", "agency_2",
                                    "shared_clients", "last_shared_contact", "common_colleagues"]], hide_index=True)
        _shared.download_csv(listed, "introductions_for_next_cop.csv", label="Download the list for the next COP",
                             key="dl_intros")


_people(report, named, suggested, names, labels, min_count)
_introductions(intros, names, labels)

st.subheader("How these lists are made")
_shared.explain([
    ("No working ties recorded yet", "nobody worked with them in the period, as far as the logs show.",
     "Degree 0 in the practitioner network of the chosen ties (`netdash.actions.isolation.isolation_report`)."),
    ("Works only within their own agency", "all the colleagues they worked with are in their own agency.",
     "Degree > 0 and no tie to another agency."),
    ("Suggested colleagues", "for each person with no working ties or ties only within their agency, up to three "
     "people in other agencies they are not yet in touch with: first those working with the same clients, then "
     "those sharing colleagues, then those who attended the same COP session.",
     "Ranked by shared clients, then colleagues in common (neighbours of neighbours under the chosen ties), then "
     "COP sessions attended together on or before the period's last day, then id "
     "(`netdash.actions.colleagues.suggested_colleagues`)."),
    ("Cross-agency links fading", "they are no longer in touch with many colleagues in other agencies they "
     "worked with in the previous period.",
     "Of last period's cross-agency colleagues still in post, at least the chosen share (default half) have no "
     "tie now. Colleagues who left are not counted as lost. See docs/actions.md."),
    ("Introduction score", "how much two people in different agencies, not yet in touch, already share "
     "their work: more shared clients first.",
     "score = shared clients + 0.5 × recency + 0.5 × c / (c + 1), recency = 2^(−age / 90 days), c = colleagues "
     "in common (`netdash.actions.isolation.suggest_introductions`)."),
])
