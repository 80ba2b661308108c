"""Tests for netdash.demo: contract, realism constraints and the known COP effect."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netdash.demo import GENERATOR_VERSION, SCALES, DemoScale, generate_demo
from netdash.demo._care import NEEDS
from netdash.errors import InvalidInputError
from netdash.schema import CONTACT_TYPES, SECTORS, TABLES

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "demo"
FILES = [f"{name}.csv" for name in TABLES] + ["ground_truth.json"]
TWO_COPS = DemoScale(practitioners=300, clients=1500, agencies=20, cops=2)


def _read(folder):
    frames = {name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False) for name in TABLES}
    frames["truth"] = json.loads((folder / "ground_truth.json").read_text())
    return frames


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Small demos sharing seed 3: effect 0, 2 and 3 (background identical by design)."""
    out = {}
    for effect in (0.0, 2.0, 3.0):
        folder = generate_demo(tmp_path_factory.mktemp(f"e{effect}"), seed=3, cop_effect=effect)
        out[effect] = _read(folder)
    return out


@pytest.fixture(scope="module")
def demo(runs):
    return runs[2.0]


def _cross_colleagues(d, start, end):
    """Distinct cross-agency colleagues with a direct contact in [start, end), per practitioner."""
    c, p = d["contacts"], d["practitioners"]
    agency = dict(zip(p["practitioner_id"], p["agency_id"]))
    c = c[(c["with_practitioner_id"] != "") & (c["date"] >= start) & (c["date"] < end)]
    c = c[c["practitioner_id"].map(agency) != c["with_practitioner_id"].map(agency)]
    ends = pd.concat([c[["practitioner_id", "with_practitioner_id"]].set_axis(["a", "b"], axis=1),
                      c[["with_practitioner_id", "practitioner_id"]].set_axis(["a", "b"], axis=1)])
    return ends.drop_duplicates().groupby("a").size().reindex(p["practitioner_id"], fill_value=0)


def _did(d):
    """(DiD, its standard error, mean change of non-attendees, its standard error) over stayers."""
    t, p = d["truth"], d["practitioners"]
    before = _cross_colleagues(d, t["periods"]["before"]["start"], t["periods"]["before"]["end"])
    after = _cross_colleagues(d, t["periods"]["after"]["start"], t["periods"]["after"]["end"])
    stayers = p.loc[(p["end_date"] == "") & (p["start_date"] < t["window"]["start"]), "practitioner_id"]
    change = (after - before)[stayers]
    att = change.index.isin([a["practitioner_id"] for a in t["attendees"]])
    se = np.sqrt(change[att].var() / att.sum() + change[~att].var() / (~att).sum())
    return (change[att].mean() - change[~att].mean(), se,
            change[~att].mean(), change[~att].std() / np.sqrt((~att).sum()))


def test_same_seed_gives_byte_identical_files(tmp_path):
    a = generate_demo(tmp_path / "a", seed=11, scale=TWO_COPS)
    b = generate_demo(tmp_path / "b", seed=11, scale=TWO_COPS)
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_different_seeds_differ(tmp_path):
    a = generate_demo(tmp_path / "a", seed=1)
    b = generate_demo(tmp_path / "b", seed=2)
    for name in ("contacts.csv", "practitioners.csv", "clients.csv", "cop_attendance.csv"):
        assert (a / name).read_bytes() != (b / name).read_bytes(), name


def test_bundled_demo_is_the_generator_output(tmp_path):
    fresh = generate_demo(tmp_path, seed=42, cop_effect=2.0, scale="small")
    for name in FILES:
        assert (BUNDLED / name).read_bytes() == (fresh / name).read_bytes(), (
            f"data/demo/{name} is stale: regenerate it with generate_demo('data/demo', seed=42)")
    assert sum((BUNDLED / n).stat().st_size for n in FILES) < 4_000_000


@pytest.mark.parametrize("table", list(TABLES))
def test_files_have_exactly_the_schema_columns(demo, table):
    # Every column of the contract, in order, but the optional contact weight: every demo contact weighs 1.
    assert list(demo[table].columns) == [c for c in TABLES[table].column_names() if (table, c) != ("contacts",
                                                                                                 "weight")]
    for col in TABLES[table].required_columns():
        assert (demo[table][col] != "").all(), f"{table}.{col} has blanks"


def test_small_scale_sizes(demo):
    counts = demo["truth"]["counts"]
    assert counts["practitioners"] == SCALES["small"].practitioners == len(demo["practitioners"])
    assert counts["clients"] == 2000 == len(demo["clients"])
    assert counts["agencies"] == 12
    assert 40_000 <= counts["contacts"] <= 65_000  # "~50k contacts"
    for name in TABLES:
        assert counts[name] == len(demo[name])
    assert set(demo["agencies"]["sector"]) == set(SECTORS)  # every sector present


def test_references_resolve_and_ids_look_raw(demo):
    c, p = demo["contacts"], demo["practitioners"]
    ids = set(p["practitioner_id"])
    assert set(c["practitioner_id"]) <= ids
    assert set(c.loc[c["with_practitioner_id"] != "", "with_practitioner_id"]) <= ids
    assert set(demo["cop_attendance"]["practitioner_id"]) <= ids
    assert set(demo["trust_survey"]["rater_id"]) | set(demo["trust_survey"]["ratee_id"]) <= ids
    assert set(p["agency_id"]) <= set(demo["agencies"]["agency_id"])
    seen = set(c.loc[c["client_id"] != "", "client_id"])
    assert seen == set(demo["clients"]["client_id"])  # every listed client has contacts
    assert demo["clients"]["client_id"].str.fullmatch(r"C\d{6}").all()
    assert p["practitioner_id"].is_unique and demo["clients"]["client_id"].is_unique


def test_rows_name_a_client_or_colleague_and_never_oneself(demo):
    c = demo["contacts"]
    assert ((c["client_id"] != "") | (c["with_practitioner_id"] != "")).all()
    assert (c["practitioner_id"] != c["with_practitioner_id"]).all()
    assert set(c["contact_type"]) == set(CONTACT_TYPES)
    assert pd.to_numeric(c["duration_minutes"]).between(5, 120).all()
    needs = demo["clients"]["needs"].str.split(";").explode()
    assert set(needs) <= set(NEEDS)
    assert (demo["clients"]["needs"].str.count(";") >= 1).mean() > 0.9  # overlapping needs


def test_dates_in_window_and_staff_in_post(demo):
    t, c, p = demo["truth"], demo["contacts"], demo["practitioners"]
    assert (t["window"]["start"], t["window"]["end"]) == ("2023-01-01", "2025-01-01")
    for frame in (c, demo["cop_attendance"], demo["trust_survey"]):
        assert frame["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
        assert frame["date"].between(t["window"]["start"], t["window"]["end"], inclusive="left").all()
    start = dict(zip(p["practitioner_id"], p["start_date"]))
    end = dict(zip(p["practitioner_id"], p["end_date"].replace("", "9999-12-31")))
    for col in ("practitioner_id", "with_practitioner_id"):
        rows = c[c[col] != ""]
        assert (rows[col].map(start) <= rows["date"]).all() and (rows["date"] <= rows[col].map(end)).all()


def test_turnover_is_modest_and_each_leaver_is_replaced(demo):
    p = demo["practitioners"]
    leavers = p[p["end_date"] != ""]
    joiners = p[p["start_date"] >= "2023-01-01"]
    assert len(leavers) == len(joiners) and 5 <= len(joiners) <= 25
    next_day = (pd.to_datetime(leavers["end_date"]) + pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d")
    assert sorted(zip(next_day, leavers["agency_id"])) == sorted(zip(joiners["start_date"], joiners["agency_id"]))


def test_within_agency_colleague_contacts_outnumber_cross_agency(demo):
    c, p = demo["contacts"], demo["practitioners"]
    agency = dict(zip(p["practitioner_id"], p["agency_id"]))
    pp = c[c["with_practitioner_id"] != ""]
    cross = (pp["practitioner_id"].map(agency) != pp["with_practitioner_id"].map(agency)).sum()
    assert len(pp) - cross > cross > 0.2 * len(pp)


def test_handovers_refer_to_the_next_agency_about_the_client(demo):
    c, p = demo["contacts"], demo["practitioners"]
    agency = dict(zip(p["practitioner_id"], p["agency_id"]))
    ref = c[c["contact_type"] == "referral"]
    assert (ref["client_id"] != "").all() and (ref["with_practitioner_id"] != "").all()
    assert (ref["practitioner_id"].map(agency) != ref["with_practitioner_id"].map(agency)).all()
    housing = set(demo["agencies"].loc[demo["agencies"]["sector"] == "housing", "agency_id"])
    placed = c[c["contact_type"] == "housing_placement"]
    assert placed["practitioner_id"].map(agency).isin(housing).all()


def test_background_is_stationary(runs):
    """Without a COP, contacts per day are equal in both years within Poisson noise (~0.9% s.e. each)."""
    c = runs[0.0]["contacts"]
    per_year = c.groupby(c["date"].str[:4]).size()
    assert abs((per_year["2024"] / 366) / (per_year["2023"] / 365) - 1) < 0.04


@pytest.mark.parametrize("scale, per_month", [("small", 1), (TWO_COPS, 2)])
def test_cop_sessions_are_monthly_from_the_start_month(tmp_path, scale, per_month):
    d = _read(generate_demo(tmp_path, seed=5, scale=scale))
    sessions = d["cop_attendance"][["session_id", "date", "cop_name"]].drop_duplicates()
    assert sessions["session_id"].is_unique
    assert sessions["session_id"].str.fullmatch(r"S\d{2}").all()
    months = sessions["date"].str[:7]
    expected = [f"2024-{m:02d}" for m in range(1, 13)]
    assert sorted(set(months)) == expected
    assert (sessions.groupby(months).size() == per_month).all()
    assert (sessions.groupby("cop_name").size() == 12).all() and sessions["cop_name"].nunique() == per_month
    assert sessions["date"].min() >= d["truth"]["cop_start"] == "2024-01-01"


@pytest.mark.parametrize("share", [0.1, 0.3, 0.6])
def test_attendee_share_matches_attend_share(tmp_path, share):
    d = _read(generate_demo(tmp_path, seed=0, attend_share=share))
    n = len(d["practitioners"])
    assert d["cop_attendance"]["practitioner_id"].nunique() == round(share * n)
    doses = pd.Series([a["sessions_attended"] for a in d["truth"]["attendees"]])
    assert doses.min() <= 2 and doses.max() >= 11  # some go to a few sessions, some to most


def test_attendees_are_selected_on_baseline_activity(demo):
    before = _cross_colleagues(demo, "2023-01-01", "2024-01-01")
    att = before.index.isin([a["practitioner_id"] for a in demo["truth"]["attendees"]])
    assert before[att].mean() > before[~att].mean()


def test_zero_effect_adds_nothing(runs):
    truth = runs[0.0]["truth"]
    assert truth["added_pairs"] == [] and truth["counts"]["added_contacts"] == 0
    assert all(a["added_ties"] == 0 for a in truth["attendees"])


def test_effect_only_adds_contacts_between_added_pairs(runs):
    base, more = runs[0.0]["contacts"], runs[3.0]["contacts"]
    diff = more.value_counts().sub(base.value_counts(), fill_value=0)
    assert (diff >= 0).all()  # every background row is still there
    assert diff.sum() == len(more) - len(base) == runs[3.0]["truth"]["counts"]["added_contacts"] > 0
    extra = diff[diff > 0].index.to_frame(index=False)
    pairs = {frozenset(p) for p in runs[3.0]["truth"]["added_pairs"]}
    assert all(frozenset(r) in pairs for r in extra[["practitioner_id", "with_practitioner_id"]].values)
    assert (extra["client_id"] == "").all()
    assert set(extra["contact_type"]) <= {"phone", "email", "joint_visit"}


def test_added_pairs_had_no_tie_and_become_trust_ties(runs):
    base, d = runs[0.0], runs[3.0]
    c = base["contacts"]
    direct = {frozenset(r) for r in c.loc[c["with_practitioner_id"] != "",
                                           ["practitioner_id", "with_practitioner_id"]].values}
    by_client = c[c["client_id"] != ""].groupby("client_id")["practitioner_id"].agg(set)
    agency = dict(zip(d["practitioners"]["practitioner_id"], d["practitioners"]["agency_id"]))
    first_session = d["cop_attendance"]["date"].min()
    cd = d["contacts"]
    for a, b in d["truth"]["added_pairs"]:
        assert frozenset((a, b)) not in direct
        assert not by_client.map(lambda s: a in s and b in s).any()
        assert agency[a] != agency[b]
        rows = cd[((cd["practitioner_id"] == a) & (cd["with_practitioner_id"] == b))
                  | ((cd["practitioner_id"] == b) & (cd["with_practitioner_id"] == a))]
        assert len(rows) >= 3 and rows["practitioner_id"].nunique() == 2
        assert rows["date"].str[:7].nunique() >= 2 and (rows["date"] >= first_session).all()


def test_number_of_added_pairs_and_dose_response(runs):
    t = runs[3.0]["truth"]
    n = len(t["attendees"])
    assert len(t["added_pairs"]) == round(3.0 * n / 2)
    ties = np.array([a["added_ties"] for a in t["attendees"]])
    doses = np.array([a["sessions_attended"] for a in t["attendees"]])
    assert ties.mean() == pytest.approx(t["expected_did"]["realised_added_mean"]) == pytest.approx(3.0, abs=1 / n)
    assert np.corrcoef(doses, ties)[0, 1] > 0.6
    assert ties[doses >= 9].mean() > 2 * ties[doses <= 3].mean()


def test_measured_did_recovers_the_effect(runs):
    """DiD of distinct cross-agency colleagues measured from the CSVs.

    The background is identical across effects (independent random streams),
    so DiD(3) - DiD(0) is exactly the mean number of added ties (3 up to the
    rounding of pairs, 1/n). DiD(3) itself is 3 plus background noise: its
    standard error here is about 1 colleague (60 attendees, ~17 colleagues a
    year each), so we require it within 3 standard errors of 3, and
    non-attendees' own change within 3 standard errors of 0 (stationarity).
    """
    did3, se3, _, _ = _did(runs[3.0])
    did0, se0, non0, non_se = _did(runs[0.0])
    n = len(runs[3.0]["truth"]["attendees"])
    assert did3 - did0 == pytest.approx(3.0, abs=1 / n)
    assert se3 < 1.5
    assert abs(did3 - 3.0) < 3 * se3
    assert abs(did0) < 3 * se0
    assert abs(non0) < 3 * non_se


def test_trust_survey_two_waves_partners_and_higher_trust_for_cop_pairs(demo):
    s, t, c = demo["trust_survey"], demo["truth"], demo["contacts"]
    scores = s[["trust", "reliability", "openness", "shared_mission"]].astype(int)
    assert scores.isin([1, 2, 3, 4]).all().all()
    wave = np.where(s["date"] < t["cop_start"], 0, 1)
    assert set(wave) == {0, 1}
    pairs = {frozenset(r) for r in c.loc[c["with_practitioner_id"] != "",
                                          ["practitioner_id", "with_practitioner_id"]].values}
    assert all(frozenset(r) in pairs for r in s[["rater_id", "ratee_id"]].values)  # worked together
    added = {frozenset(p) for p in t["added_pairs"]}
    is_added = np.array([frozenset(r) in added for r in s[["rater_id", "ratee_id"]].values])
    assert not is_added[wave == 0].any() and is_added[wave == 1].sum() >= 10
    later = scores["trust"][wave == 1]
    assert later[is_added[wave == 1]].mean() > later[~is_added[wave == 1]].mean()


def test_ground_truth_describes_the_run(demo):
    t = demo["truth"]
    assert t["seed"] == 3 and t["scale"] == "small" and t["cop_effect"] == 2.0
    assert t["generator_version"] == GENERATOR_VERSION == "3"
    assert t["periods"]["before"] == {"start": "2023-01-01", "end": "2024-01-01"}
    assert t["periods"]["after"] == {"start": "2024-01-01", "end": "2025-01-01"}
    assert t["expected_did"]["value"] == 2.0
    att = demo["cop_attendance"].groupby("practitioner_id").size()
    assert {a["practitioner_id"]: a["sessions_attended"] for a in t["attendees"]} == att.to_dict()
    assert t["counts"]["added_pairs"] == len(t["added_pairs"]) == round(2.0 * len(t["attendees"]) / 2)


@pytest.mark.parametrize("kwargs, message", [
    (dict(scale="huge"), r"scale 'huge' is not known\. Choose one of: small, medium, large"),
    (dict(scale=DemoScale(100, 100, 10, cops=2)), r"agencies is 10; give at least 18"),
    (dict(scale=DemoScale(100, 100, 20, cops=2)), r"practitioners is 100; give at least 120"),
    (dict(scale=DemoScale(100, 100, 9, cops=3)), r"cops is 3; the demo models 1 or 2"),
    (dict(cop_effect=-1), r"cop_effect must be a number >= 0"),
    (dict(cop_effect="lots"), r"cop_effect must be a number >= 0"),
    (dict(attend_share=0), r"attend_share must be in \(0, 1\]"),
    (dict(attend_share=1.5), r"attend_share must be in \(0, 1\]"),
    (dict(seed=-1), r"seed must be a whole number >= 0"),
    (dict(months=60), r"months must be a whole number from 3 to 36"),
    (dict(months=24, cop_start_month=23), r"cop_start_month must be a whole number from 1 to months - 2 = 22"),
    (dict(cop_start_month=0), r"cop_start_month must be"),
])
def test_bad_arguments_are_refused_with_a_fix(tmp_path, kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        generate_demo(tmp_path, **kwargs)
    assert not any(tmp_path.iterdir())  # nothing written


def test_several_problems_are_reported_together(tmp_path):
    with pytest.raises(InvalidInputError, match=r"scale 'x'.*cop_effect.*attend_share") as info:
        generate_demo(tmp_path, scale="x", cop_effect=-2, attend_share=2)
    assert len(info.value.problems) == 3


def test_effect_too_large_for_the_world_is_refused(tmp_path):
    with pytest.raises(InvalidInputError, match=r"only \d+ untied pairs exist.*smaller cop_effect"):
        generate_demo(tmp_path, scale=DemoScale(60, 200, 9), cop_effect=100)
