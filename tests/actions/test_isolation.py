import pandas as pd
import pytest

from netdash.dataset import Dataset
from netdash.errors import InvalidInputError
from netdash.actions.isolation import (NOT_COMPUTABLE, category_counts, fading_unavailable, isolation_report,
                                       may_be_named, previous_period, suggest_introductions)
from netdash.periods import Period

Q1 = Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-04-01"))
Q2 = Period(pd.Timestamp("2024-04-01"), pd.Timestamp("2024-07-01"))
AGENCIES = [{"agency_id": "H", "name": "Housing"}, {"agency_id": "M", "name": "Mental health"},
            {"agency_id": "P", "name": "Probation"}]


def _call(day, a, b):
    return {"date": day, "practitioner_id": a, "with_practitioner_id": b, "contact_type": "phone"}


def _visit(day, p, client):
    return {"date": day, "practitioner_id": p, "client_id": client, "contact_type": "visit"}


@pytest.fixture
def isolation_ds():
    """Hand-built: the category of every practitioner is worked out in the comments."""
    agency = {"iso": "H", "iso2": "P", "b1": "H", "b2": "H", "d": "H", "m1": "M", "m2": "M",
              "c": "P", "x": "M"}
    practitioners = [{"practitioner_id": p, "agency_id": a} for p, a in agency.items()]
    practitioners[-1]["end_date"] = "2024-03-31"  # x left before Q2
    contacts = [
        # Q1 (previous)
        _call("2024-02-01", "d", "m1"), _call("2024-02-02", "d", "m2"), _call("2024-02-03", "d", "x"),
        _call("2024-02-04", "m2", "c"), _call("2024-02-05", "b1", "x"),
        # Q2 (current)
        _call("2024-05-01", "d", "m1"), _call("2024-05-02", "m2", "c"), _call("2024-05-03", "c", "m1"),
        _call("2024-05-04", "b1", "b2"),
    ]
    attendance = [{"session_id": "S1", "date": "2024-05-10", "practitioner_id": "iso2"}]
    return Dataset.from_records(agencies=AGENCIES, practitioners=practitioners, contacts=contacts,
                                cop_attendance=attendance)


def test_each_category_on_hand_built_data(isolation_ds):
    report = isolation_report(isolation_ds, Q2).set_index("practitioner_id")
    # x left post before Q2, so has no row
    assert list(report.index) == ["iso", "iso2", "b1", "b2", "d", "m2", "c", "m1"]
    assert report["category"].to_dict() == {
        "iso": "isolated", "iso2": "isolated",         # no working ties in Q2
        "b1": "boundary_isolated", "b2": "boundary_isolated",  # only b1-b2, both H
        "d": "drifting",   # Q1: m1, m2, x; x left post; lost m2 of {m1, m2} = 1/2 >= 0.5
        "m2": "drifting",  # Q1: d, c; Q2: c; lost 1/2
        "c": "connected",  # Q1: m2; Q2: m2, m1
        "m1": "connected",  # Q1: d; Q2: d, c
    }
    assert report.loc["d", ["degree", "cross_agency_ties", "previous_cross_agency_ties",
                            "lost_cross_agency_ties"]].tolist() == [1, 1, 3, 1]
    assert report.loc["b1", ["degree", "cross_agency_ties", "previous_cross_agency_ties",
                             "lost_cross_agency_ties"]].tolist() == [1, 0, 1, 0]
    assert report.loc["m1", ["degree", "cross_agency_ties"]].tolist() == [2, 2]
    assert report.loc["iso2", "cop_attendee"] and not report.loc["iso", "cop_attendee"]
    assert report.loc["c", "agency_id"] == "P"


def test_reasons_invite_rather_than_judge(isolation_ds):
    reason = isolation_report(isolation_ds, Q2).set_index("practitioner_id")["reason"]
    assert reason["iso"] == ("No contact with colleagues recorded in this period — "
                             "worth a personal invitation to the next COP session.")
    assert "after their COP sessions" in reason["iso2"]
    assert reason["b1"] == ("Works with 1 colleague, all in their own agency — an introduction to someone "
                            "in another agency could help. Last period they worked with 1 colleague in "
                            "other agencies.")
    assert reason["d"] == ("Worked with 3 colleagues in other agencies last period; this period, working "
                           "together is recorded with 1 of the 2 still in post — worth checking in; the "
                           "links may just need refreshing.")
    assert reason["m2"].startswith("Worked with 2 colleagues in other agencies last period; this period, "
                                   "working together is recorded with 1 of them —")
    assert reason["m1"] == "Works with 2 colleagues in other agencies this period."


def test_drift_share_threshold(isolation_ds):
    report = isolation_report(isolation_ds, Q2, drift_share=0.6).set_index("practitioner_id")
    assert report.loc["d", "category"] == "connected"
    assert report.loc["m2", "category"] == "connected"


def test_explicit_previous_period(isolation_ds):
    # comparing Q2 with itself: nobody lost anyone
    report = isolation_report(isolation_ds, Q2, previous=Q2)
    assert "drifting" not in set(report["category"])
    assert report.set_index("practitioner_id").loc["d", "previous_cross_agency_ties"] == 1


def test_open_period_skips_drifting(isolation_ds):
    report = isolation_report(isolation_ds, Period(pd.Timestamp("2024-04-01"), None))
    assert report["previous_cross_agency_ties"].isna().all()
    assert "drifting" not in set(report["category"])


def test_coworking_counts_as_working_tie_but_not_as_direct():
    ds = Dataset.from_records(
        agencies=AGENCIES,
        practitioners=[{"practitioner_id": "h", "agency_id": "H"},
                       {"practitioner_id": "m", "agency_id": "M"}],
        contacts=[_visit("2024-05-01", "h", "c1"), _visit("2024-05-20", "m", "c1")])
    working = isolation_report(ds, Q2)
    assert working["category"].tolist() == ["connected", "connected"]
    direct = isolation_report(ds, Q2, ties="direct")
    assert direct["category"].tolist() == ["isolated", "isolated"]


def test_previous_period_has_equal_length():
    assert previous_period(Q2) == Q1


@pytest.mark.parametrize("share", [0, 1.5, "half", True])
def test_bad_drift_share(isolation_ds, share):
    with pytest.raises(InvalidInputError, match="drift_share should be a share between 0"):
        isolation_report(isolation_ds, Q2, drift_share=share)


def test_previous_period_of_open_period():
    with pytest.raises(InvalidInputError, match="only defined for a period with both a start and an end"):
        previous_period(Period(None, pd.Timestamp("2024-01-01")))


def test_unknown_ties(isolation_ds):
    with pytest.raises(InvalidInputError, match="is not a tie choice"):
        isolation_report(isolation_ds, Q2, ties="friends")


# --- introductions -----------------------------------------------------------------------


@pytest.fixture
def intro_ds():
    agency = {"h1": "H", "h2": "H", "h3": "H", "h4": "H", "h5": "H", "m1": "M", "m2": "M",
              "p1": "P", "p2": "P"}
    contacts = [
        # h1 and m1 share c1, c2, c3; h4 (same agency as h1) also sees c1
        _visit("2024-05-01", "h1", "c1"), _visit("2024-05-02", "m1", "c1"),
        _visit("2024-05-03", "h1", "c2"), _visit("2024-05-04", "m1", "c2"),
        _visit("2024-05-05", "h1", "c3"), _visit("2024-05-15", "m1", "c3"),
        _visit("2024-05-06", "h4", "c1"),
        # h2 and p1 share c4, recently; a call between them before the period does not count
        _visit("2024-06-01", "h2", "c4"), _visit("2024-06-20", "p1", "c4"),
        _call("2024-01-10", "h2", "p1"),
        # h3 and p2 share c5, less recently; their shared client c7 is outside the period
        _visit("2024-04-05", "h3", "c5"), _visit("2024-04-10", "p2", "c5"),
        _visit("2023-06-01", "h3", "c7"), _visit("2023-06-02", "p2", "c7"),
        _visit("2023-06-03", "p2", "c8"), _visit("2023-06-04", "h3", "c8"),
        # m2 and h5 share c6 but already talk to each other (direction m2 -> h5)
        _visit("2024-05-01", "h5", "c6"), _visit("2024-05-02", "m2", "c6"),
        _call("2024-05-03", "m2", "h5"),
    ]
    return Dataset.from_records(
        agencies=AGENCIES,
        practitioners=[{"practitioner_id": p, "agency_id": a} for p, a in agency.items()],
        contacts=contacts)


def test_introductions_known_answer(intro_ds):
    intro = suggest_introductions(intro_ds, Q2)
    pairs = list(zip(intro["practitioner_a"], intro["practitioner_b"]))
    # tied pair (h5, m2) and same-agency pair (h1, h4) are not suggested;
    # more shared clients first, then recency (h2-p1 on 06-20 before h3-p2 on 04-10)
    assert pairs == [("h1", "m1"), ("h4", "m1"), ("h2", "p1"), ("h3", "p2")]
    first = intro.iloc[0]
    assert (first["agency_a"], first["agency_b"], first["shared_clients"]) == ("H", "M", 3)
    assert first["last_shared_contact"] == pd.Timestamp("2024-05-15")
    assert first["common_colleagues"] == 1  # h4 co-works with both on c1
    assert first["evidence"] == ("Both worked with 3 of the same clients, most recently on 2024-05-15; "
                                 "1 colleague in common.")
    h2p1 = intro.iloc[2]
    assert h2p1["score"] == pytest.approx(1 + 0.5 * 2 ** (-10 / 90))  # reference day 2024-06-30
    assert h2p1["evidence"] == ("Both worked with the same client, most recently on 2024-06-20; "
                                "no colleagues in common.")
    h3p2 = intro.iloc[3]
    assert h3p2["shared_clients"] == 1  # c7 and c8 were in 2023
    assert h3p2["score"] == pytest.approx(1 + 0.5 * 2 ** (-81 / 90))


def test_evidence_never_names_clients(intro_ds):
    intro = suggest_introductions(intro_ds, Q2)
    for text in intro["evidence"]:
        assert not any(f"c{i}" in text for i in range(1, 9))


def test_top_and_half_life(intro_ds):
    assert len(suggest_introductions(intro_ds, Q2, top=2)) == 2
    # a very long half-life makes recency nearly equal; order by shared clients is kept
    long = suggest_introductions(intro_ds, Q2, recency_half_life_days=10_000)
    assert long["practitioner_a"].iloc[0] == "h1"


def test_no_suggestions_when_nothing_shared(isolation_ds):
    intro = suggest_introductions(isolation_ds, Q2)
    assert intro.empty and "evidence" in intro.columns


@pytest.mark.parametrize("top", [0, -1, 2.5])
def test_bad_top(intro_ds, top):
    with pytest.raises(InvalidInputError, match="top should be a whole number"):
        suggest_introductions(intro_ds, Q2, top=top)


def test_bad_half_life(intro_ds):
    with pytest.raises(InvalidInputError, match="recency_half_life_days should be a positive number"):
        suggest_introductions(intro_ds, Q2, recency_half_life_days=0)


def test_replaced_colleagues_are_turnover_not_drifting():
    """r lost both Q1 colleagues in other agencies but works with two new ones in Q2."""
    agency = {"r": "H", "m1": "M", "m2": "M", "p1": "P", "p2": "P"}
    practitioners = [{"practitioner_id": p, "agency_id": a} for p, a in agency.items()]
    contacts = [_call("2024-02-01", "r", "m1"), _call("2024-02-02", "r", "m2"),
                _call("2024-05-01", "r", "p1"), _call("2024-05-02", "r", "p2")]
    ds = Dataset.from_records(agencies=AGENCIES, practitioners=practitioners, contacts=contacts)
    row = isolation_report(ds, Q2).set_index("practitioner_id").loc["r"]
    assert row["lost_cross_agency_ties"] == 2 and row["previous_cross_agency_ties"] == 2
    assert row["category"] == "connected"
    # With only one new colleague, two lost are not replaced: 1 <= (1 - 0.5) * 2.
    ds = Dataset.from_records(agencies=AGENCIES, practitioners=practitioners, contacts=contacts[:3])
    assert isolation_report(ds, Q2).set_index("practitioner_id").loc["r", "category"] == "drifting"


# ---- issue 16: fading that cannot be computed, and who may be named ------------------------------------

def test_fading_unavailable_says_why(isolation_ds):
    assert fading_unavailable(isolation_ds, Q2) is None
    open_end = fading_unavailable(isolation_ds, Period(pd.Timestamp("2024-04-01"), None))
    assert open_end.startswith("it needs a period with both a start and an end")
    # Q1's previous quarter (2023-10-02 to 2024-01-01) has no contacts
    assert fading_unavailable(isolation_ds, Q1) == (
        "no contacts are recorded in the period before (2023-10-02 to 2024-01-01), so there is nothing to "
        "compare with; choose a later period")


def test_no_contacts_before_means_not_measured_rather_than_zero(isolation_ds):
    report = isolation_report(isolation_ds, Q1)
    assert report["previous_cross_agency_ties"].isna().all()
    assert report["lost_cross_agency_ties"].isna().all()
    counts = category_counts(report, min_count=1, marker="hidden")
    assert counts.loc["all", "drifting"] == NOT_COMPUTABLE
    numeric = category_counts(report, min_count=1, note=True)
    assert pd.isna(numeric.loc["all", "drifting"])
    assert numeric.loc["all", "note"].startswith("Cross-agency links fading: not computable")
    # computed: a number, no note
    computed = category_counts(isolation_report(isolation_ds, Q2), min_count=1, note=True)
    assert computed.loc["all", "drifting"] == 2 and computed.loc["all", "note"] == ""


def test_category_counts_note_names_the_hidden_cells():
    report = pd.DataFrame({"category": ["isolated"] * 2 + ["connected"] * 6, "agency_id": ["A"] * 8})
    counts = category_counts(report, min_count=5, note=True)
    row = counts.loc["all"]
    assert pd.isna(row["isolated"]) and pd.isna(row["connected"]) and row["in_post"] == 8
    assert row["note"].startswith("Hidden: No working ties recorded yet, Connected across agencies. "
                                  "Counts from 1 to 4 are not shown")


def test_may_be_named_follows_every_hidden_count():
    # A: 2 isolated (hidden) and 6 connected (hidden so the total 8 does not give the 2 back);
    # B: 7 connected, 5 drifting (shown in B, but overall drifting 5 is hidden: overall isolated 2 is
    # hidden, and the smallest other non-zero count overall is drifting 5)
    report = pd.DataFrame({"category": ["isolated"] * 2 + ["connected"] * 6 + ["connected"] * 7 + ["drifting"] * 5,
                           "agency_id": ["A"] * 8 + ["B"] * 12})
    named = may_be_named(report, min_count=5)
    assert named.tolist() == [False] * 8 + [True] * 7 + [False] * 5
    assert may_be_named(report, min_count=1).all()
    # an agency of 3 in post: its in_post is hidden, so nobody there is named even though 0s are shown
    small = pd.DataFrame({"category": ["connected"] * 13, "agency_id": ["A"] * 10 + ["C"] * 3})
    assert may_be_named(small, min_count=5).tolist() == [True] * 10 + [False] * 3


@pytest.mark.parametrize("seed", range(12))
def test_category_counts_count_as_crosstab_does(seed):
    # The counting behind category_counts against pandas' crosstab (reindexed to the categories), on reports with
    # missing groups and categories, a category that is not one of them, and text, number or mixed group ids:
    # the same cells, rows, order and index type.
    import numpy as np

    from netdash.actions.isolation import CATEGORIES, _crosstab

    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 40))
    category = pd.Series(rng.choice([*CATEGORIES, "unknown", None], n), dtype=object)
    ids = [["b", "a", "c", None], [3, 1, 2], ["x", 7, None]][seed % 3]
    report = pd.DataFrame({"category": category, "agency_id": pd.Series(rng.choice(np.array(ids, dtype=object), n),
                                                                        dtype=object)})
    for by in (None, "agency_id"):
        keys = report[by] if by is not None else pd.Series("all", index=report.index)
        expected = pd.crosstab(keys, report["category"]).reindex(columns=list(CATEGORIES), fill_value=0)
        if by is None and expected.empty:
            expected = pd.DataFrame([[0] * len(CATEGORIES)], index=["all"], columns=list(CATEGORIES))
        expected = expected.astype("int64").rename_axis(index=by or "group", columns=None)
        pd.testing.assert_frame_equal(_crosstab(report, by), expected, check_exact=True)


def test_evidence_texts_read_as_one_sentence_per_pair():
    # The sentences built from parts (one per distinct value, joined by pyarrow) against one f-string per pair,
    # over singular and plural counts, zero colleagues and days across years.
    import numpy as np

    from netdash.actions._intro import _evidence_texts

    rng = np.random.default_rng(3)
    shared, common = rng.integers(1, 4, 500), rng.integers(0, 3, 500)
    days = np.datetime64("2023-12-25") + rng.integers(0, 20, 500)
    def sentence(n, day, c):
        clients = "the same client" if n == 1 else f"{n} of the same clients"
        colleagues = "no colleagues" if c == 0 else ("1 colleague" if c == 1 else f"{c} colleagues")
        return f"Both worked with {clients}, most recently on {day}; {colleagues} in common."

    expected = [sentence(*row) for row in zip(shared.tolist(), days.astype(str).tolist(), common.tolist())]
    texts = _evidence_texts(shared, days, common)
    assert str(texts.dtype) == "str" and texts.tolist() == expected
    assert "Both worked with the same client, most recently on 2024-01-01; 1 colleague in common." in expected


@pytest.mark.parametrize("case", ["counts", "days", "negative", "wide", "empty", "missing day", "one value"])
def test_distinct_values_of_the_evidence_are_numpys_unique(case):
    # A table over the values' range when it is short; numpy.unique otherwise; the same arrays and dtypes either way.
    import numpy as np

    from netdash.actions._intro import _distinct

    rng = np.random.default_rng(11)
    values = {"counts": rng.integers(0, 40, 3000), "days": np.datetime64("2023-01-01") + rng.integers(0, 700, 3000),
              "negative": rng.integers(-50, 5, 3000), "wide": rng.integers(0, 10**15, 3000),
              "empty": np.zeros(0, dtype=np.int64), "one value": np.full(10, 7),
              "missing day": np.r_[np.datetime64("2024-01-01"), np.datetime64("NaT"),
                                   np.datetime64("2024-01-01")].astype("datetime64[D]")}[case]
    distinct, inverse = _distinct(values)
    expected, expected_inverse = np.unique(values, return_inverse=True)
    assert distinct.dtype == expected.dtype and np.array_equal(distinct, expected, equal_nan=case == "missing day")
    assert inverse.tolist() == expected_inverse.tolist()
    assert distinct.tolist() == expected.tolist() or case == "missing day"
