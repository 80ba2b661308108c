"""Named colleagues to suggest (netdash.actions.colleagues), on a hand-built dataset worked out in the comments."""

import pandas as pd
import pytest

from netdash.actions.colleagues import NOBODY, SUGGESTION_COLUMNS, suggested_colleagues, suggestion_texts
from netdash.actions.isolation import isolation_report
from netdash.dataset import Dataset
from netdash.errors import InvalidInputError
from netdash.periods import Period
from test_isolation import AGENCIES, _call, _visit

H1 = Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-07-01"))


@pytest.fixture
def ds():
    """a (H) works only with h2 (H); h2 works with m1 (M) and p1 (P).

    a and m2 (M) saw client c1, 167 days apart (no co-working tie within 90 days);
    a, iso (H) and p2 (P) attended session S1; q (P) attended S0 with a but left post in 2023.
    Categories in H1: a within-agency only; iso, p2 and m2 isolated; h2, m1, p1 connected.
    """
    agency = {"a": "H", "h2": "H", "iso": "H", "m1": "M", "m2": "M", "p1": "P", "p2": "P", "q": "P"}
    practitioners = [{"practitioner_id": p, "agency_id": g} for p, g in agency.items()]
    practitioners[-1]["end_date"] = "2023-12-31"
    contacts = [_call("2024-02-01", "a", "h2"), _call("2024-02-02", "h2", "m1"), _call("2024-02-03", "h2", "p1"),
                _visit("2024-01-05", "a", "c1"), _visit("2024-06-20", "m2", "c1")]
    attendance = [{"session_id": "S1", "date": "2024-03-01", "practitioner_id": p} for p in ("a", "iso", "p2")]
    attendance += [{"session_id": "S0", "date": "2023-11-01", "practitioner_id": p} for p in ("a", "q")]
    return Dataset.from_records(agencies=AGENCIES, practitioners=practitioners, contacts=contacts,
                                cop_attendance=attendance)


def test_categories_of_the_fixture(ds):
    report = isolation_report(ds, H1).set_index("practitioner_id")
    assert report["category"].to_dict() == {"iso": "isolated", "m2": "isolated", "p2": "isolated",
                                            "a": "boundary_isolated", "h2": "connected", "m1": "connected",
                                            "p1": "connected"}


def test_three_reasons_ranked_and_capped(ds):
    report = isolation_report(ds, H1)
    found = suggested_colleagues(ds, H1, report, labels={"h2": "Hana (h2)"})
    assert list(found.columns) == SUGGESTION_COLUMNS
    mine = found[found["practitioner_id"] == "a"].set_index("colleague_id")
    # shared client first, then a colleague in common (m1 before p1 by id); p2 (same session) is 4th: cut
    assert mine.index.tolist() == ["m2", "m1", "p1"]
    assert mine["rank"].tolist() == [1, 2, 3]
    assert mine.loc["m2", ["shared_clients", "common_colleagues", "shared_sessions"]].tolist() == [1, 0, 0]
    assert mine.loc["m2", "last_shared_contact"] == pd.Timestamp("2024-06-20")
    assert mine.loc["m2", "reason"] == "Works with the same client (most recently 2024-06-20)."
    assert mine.loc["m1", "via_colleague_id"] == "h2"
    assert mine.loc["m1", "reason"] == "Both work with Hana (h2), who could introduce them."
    assert mine.loc["m1", "colleague_agency_id"] == "M"


def test_more_per_person_reaches_the_cop_session(ds):
    found = suggested_colleagues(ds, H1, isolation_report(ds, H1), per_person=5)
    mine = found[found["practitioner_id"] == "a"].set_index("colleague_id")
    # q shared S0 with a but left post; iso attended S1 but is in a's own agency
    assert mine.index.tolist() == ["m2", "m1", "p1", "p2"]
    assert mine.loc["p2", "reason"] == "Attended the same COP session (2024-03-01)."
    assert pd.isna(mine.loc["p2", "via_colleague_id"])


def test_isolated_people_get_session_and_client_partners(ds):
    found = suggested_colleagues(ds, H1, isolation_report(ds, H1))
    by_person = found.groupby("practitioner_id")["colleague_id"].apply(list).to_dict()
    assert by_person == {"iso": ["p2"], "m2": ["a"], "p2": ["a", "iso"], "a": ["m2", "m1", "p1"]}
    # connected people get none
    assert not found["practitioner_id"].isin(["h2", "m1", "p1"]).any()


def test_people_already_in_touch_are_not_suggested():
    # under co-working ties u and v are both "isolated", but a call links them: the shared session must not
    # suggest one to the other
    ds = Dataset.from_records(
        agencies=AGENCIES, practitioners=[{"practitioner_id": "u", "agency_id": "H"},
                                          {"practitioner_id": "v", "agency_id": "M"},
                                          {"practitioner_id": "w", "agency_id": "P"}],
        contacts=[_call("2024-02-01", "u", "v")],
        cop_attendance=[{"session_id": "S1", "date": "2024-03-01", "practitioner_id": p} for p in "uvw"])
    report = isolation_report(ds, H1, ties="coworking")
    assert set(report["category"]) == {"isolated"}
    found = suggested_colleagues(ds, H1, report, ties="coworking")
    pairs = set(zip(found["practitioner_id"], found["colleague_id"]))
    assert pairs == {("u", "w"), ("v", "w"), ("w", "u"), ("w", "v")}


def test_texts_name_colleagues_and_say_when_nobody(ds):
    report = isolation_report(ds, H1)
    found = suggested_colleagues(ds, H1, report, labels={"h2": "Hana (h2)"})
    texts = suggestion_texts(report, found, {"m2": "Mo (m2)"}, {"M": "Mind"})
    assert texts.index.tolist() == ["iso", "m2", "p2", "a"]
    assert texts["a"].startswith("Mo (m2) (Mind): Works with the same client (most recently 2024-06-20). · m1 (Mind):")
    alone = Dataset.from_records(agencies=AGENCIES, practitioners=[{"practitioner_id": "z", "agency_id": "H"}],
                                 contacts=[_visit("2024-02-01", "z", "c9")])
    lonely = isolation_report(alone, H1)
    assert suggested_colleagues(alone, H1, lonely).empty
    assert suggestion_texts(lonely, suggested_colleagues(alone, H1, lonely))["z"] == NOBODY


@pytest.mark.parametrize("per_person", [0, -1, 1.5, True])
def test_bad_per_person(ds, per_person):
    with pytest.raises(InvalidInputError, match="per_person should be a whole number of at least 1"):
        suggested_colleagues(ds, H1, isolation_report(ds, H1), per_person=per_person)


def test_report_without_its_columns(ds):
    with pytest.raises(InvalidInputError, match=r"column\(s\) \['agency_id', 'category'\] are missing"):
        suggested_colleagues(ds, H1, pd.DataFrame({"practitioner_id": ["a"]}))


@pytest.mark.parametrize("period", [Period(), Period("2024-02-01", "2024-04-01")])
def test_last_client_contacts_are_the_latest_date_of_each_practitioner_and_client(period):
    from netdash.actions.colleagues import _last_client_contacts

    rows = [("2024-01-05", "h1", "c2"), ("2024-03-01", "h1", "c2"), ("2024-02-10", "h1", "c1"),
            ("2024-02-11", "m1", "c1"), ("2024-03-20 14:30", "m1", "c1"), ("2024-03-20 09:00", "m1", "c3"),
            ("2024-02-15", "m1", None), ("2024-05-01", "p1", "c2")]
    ds = Dataset.from_records(
        agencies=AGENCIES,
        practitioners=[{"practitioner_id": p, "agency_id": p[0].upper()} for p in ("h1", "m1", "p1")],
        contacts=[{"date": d, "practitioner_id": p, "client_id": c} for d, p, c in rows])
    contacts = ds.contacts[period.mask(ds.contacts["date"]) & ds.contacts["client_id"].notna()]
    expected = contacts.groupby(["practitioner_id", "client_id"], as_index=False)["date"].max()
    got = _last_client_contacts(ds, period)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert len(got) >= 3


def test_in_touch_by_a_tie_or_a_direct_contact_either_way(ds):
    # In H1 with working ties: a-h2, h2-m1 and h2-p1 are direct contacts (the first is written a -> h2 and looked
    # up both ways); a-m2 only saw the same client 167 days apart (no tie); iso and nobody have no contact at all.
    from netdash.actions.colleagues import _in_touch

    found = pd.DataFrame({"practitioner_id": ["a", "h2", "m1", "p1", "a", "iso", "nobody", "a"],
                          "colleague_id": ["h2", "a", "h2", "h2", "m2", "a", "a", "nobody"]})
    assert _in_touch(ds, H1, "working", 90, found).tolist() == [True, True, True, True, False, False, False, False]
    # Co-working only: a and m2 worked with c1 within 200 days, a tie under a 200-day window, not a contact.
    assert _in_touch(ds, H1, "coworking", 200, found).tolist()[4] is True
    assert _in_touch(ds, H1, "coworking", 90, found).tolist()[4] is False


@pytest.mark.parametrize("ids", [["c_b8", "c_39", "c_57", "C_1", "c_10", "c_1"], ["é", "e", "z", "ÿ", "日本", "Z", ""],
                                 ["b", 3, "a"], []])
def test_id_order_is_numpys_stable_argsort(ids):
    # pyarrow sorts the strings' UTF-8 bytes: the code point order Python compares by; anything else goes to numpy.
    import numpy as np

    from netdash.actions.colleagues import _id_order

    values = np.asarray(ids, dtype=object)
    if all(isinstance(v, str) for v in ids):
        assert _id_order(values).tolist() == np.argsort(values, kind="stable").tolist()
    else:
        with pytest.raises(TypeError):  # numpy cannot order "b" and 3 either
            _id_order(values)
