"""The self-contained HTML report (netdash.report).

Most tests use a small hand-built dataset whose answers can be worked out on
paper (see ``hostile_dataset``); its agency names, practitioner names and roles
are script payloads, which must never reach the page unescaped.
"""

import dataclasses
import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from report_html import row as _row
from report_html import section as _section
from hostile import MARKUP as PAYLOADS  # the report quotes names in attributes: include a break-out
from netdash.dataset import Dataset
from netdash.errors import InvalidInputError
from netdash.periods import Period, parse_period
from netdash.report import SECTIONS, build_report, write_report

AGENCY_NAMES = {"A": PAYLOADS[0], "B": PAYLOADS[1], "C\"><b>C</b>": "Cee & Partners " + PAYLOADS[2]}


def hostile_records(*, attendance=True):
    """30 practitioners in 3 agencies (10 each) plus one who leaves in March.

    Before the COP (2024-01-01 to 2024-06-30) each agency works in a chain
    X1-X2-...-X10, all within the agency. The COP starts 2024-07-01; its 9
    attendees (X1..X3 of every agency) then each work with the same-numbered
    attendee of the two other agencies (9 new cross-agency ties). After it,
    the chains stop at X9, so X10 of every agency (3 people) is isolated.
    """
    agencies = [{"agency_id": a, "name": n, "sector": "housing"} for a, n in AGENCY_NAMES.items()]
    ids = list(AGENCY_NAMES)
    prac = [{"practitioner_id": f"{k}{i}", "agency_id": a, "name": PAYLOADS[i % 4], "role": PAYLOADS[(i + 1) % 4]}
            for k, a in zip("ABC", ids) for i in range(1, 11)]
    prac.append({"practitioner_id": "A11", "agency_id": ids[0], "name": PAYLOADS[3], "role": PAYLOADS[0],
                 "end_date": "2024-03-31"})
    contacts = [{"date": "2024-01-01", "practitioner_id": "A1", "client_id": "c1"},
                {"date": "2024-12-31", "practitioner_id": "A1", "client_id": "c2"},
                {"date": "2024-02-10", "practitioner_id": "A1", "with_practitioner_id": "A11"}]
    for k in "ABC":
        contacts += [{"date": "2024-03-01", "practitioner_id": f"{k}{i}", "with_practitioner_id": f"{k}{i + 1}"}
                     for i in range(1, 10)]
        contacts += [{"date": "2024-09-01", "practitioner_id": f"{k}{i}", "with_practitioner_id": f"{k}{i + 1}"}
                     for i in range(1, 9)]
    for i in range(1, 4):
        contacts += [{"date": "2024-10-01", "practitioner_id": f"A{i}", "with_practitioner_id": f"B{i}"},
                     {"date": "2024-10-01", "practitioner_id": f"B{i}", "with_practitioner_id": f"C{i}"},
                     {"date": "2024-10-01", "practitioner_id": f"C{i}", "with_practitioner_id": f"A{i}"}]
    sessions = [{"session_id": "S1", "date": "2024-07-01", "practitioner_id": f"{k}{i}", "cop_name": PAYLOADS[1]}
                for k in "ABC" for i in range(1, 4)] if attendance else []
    return dict(agencies=agencies, practitioners=prac, contacts=contacts, cop_attendance=sessions)


@pytest.fixture(scope="module")
def hostile():
    return Dataset.from_records(**hostile_records(), name="Team " + PAYLOADS[0])


@pytest.fixture(scope="module")
def report(hostile):
    return build_report(hostile, warnings=["contacts.csv row 9: " + PAYLOADS[1], PAYLOADS[2]],
                        title="Report " + PAYLOADS[3], compare_replicates=0, bootstrap=200)


def _esc(text):
    """``text`` as Jinja2's autoescape writes it (``"`` becomes ``&#34;``)."""
    return str(escape(text))


def _tags(page):
    """Every (tag, [(attribute, value)]) a browser would parse from ``page``."""
    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collect().feed(page)
    return found


# --- structure and self-containment ---------------------------------------------------------------

@pytest.mark.parametrize("anchor, heading", SECTIONS)
def test_every_section_has_its_heading(report, anchor, heading):
    assert f"<h2>{heading}</h2>" in _section(report, anchor)
    assert f'<a href="#{anchor}">{heading}</a>' in report


def test_report_loads_nothing_and_runs_nothing(report):
    assert report.startswith("<!DOCTYPE html>")
    assert "http://" not in report and "https://" not in report
    assert re.search(r"<script|<iframe|<img|<link|<object|<embed|@import|url\(", report, re.I) is None
    tags = _tags(report)
    assert not {"script", "img", "iframe", "link", "object", "embed", "base"} & {t for t, _ in tags}
    attributes = [(name, value) for _, attrs in tags for name, value in attrs]
    assert not [a for a in attributes if a[0] in ("src", "srcdoc", "action", "xlink:href") or a[0].startswith("on")]
    assert all(value.startswith("#") for name, value in attributes if name == "href")
    assert "default-src 'none'" in report  # CSP: even a missed escape could not fetch or run anything


def test_print_stylesheet_is_inline(report):
    assert "@page { size: A4;" in report
    assert "break-before: page" in report


def test_header_names_dataset_period_and_version(report):
    from netdash import __version__

    assert f"<dt>netdash version</dt><dd>{__version__}</dd>" in report
    assert ("<dt>Period</dt><dd>the whole record (2024-01-01 to 2024-12-31, the first to the last dated record)</dd>"
            in report)
    assert "start to end" not in report  # issue 16: an open period is said in words
    assert "<dt>COP start</dt><dd>2024-07-01</dd>" in report
    assert re.search(r"<dt>Generated</dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d</dd>", report)


# --- escaping -------------------------------------------------------------------------------------

def test_hostile_text_never_appears_raw(report):
    for payload in PAYLOADS:
        assert payload not in report
    for bit in ("<img", "<svg onload", "<script", "<iframe", "<b>C</b>", "onerror=alert(1)>"):
        assert bit not in report


def test_user_text_is_shown_escaped(report):
    assert _esc(PAYLOADS[0]) in report                          # agency name, title, dataset
    assert _esc(PAYLOADS[1]) in report                          # agency name, warning
    assert "Cee &amp; Partners " + _esc(PAYLOADS[2]) in report  # agency name with quotes
    assert _esc('C"><b>C</b>') in report                        # agency id
    assert f"<title>Report {_esc(PAYLOADS[3])}</title>" in report
    assert f"<li>contacts.csv row 9: {_esc(PAYLOADS[1])}</li>" in _section(report, "data-quality")


def test_practitioner_names_and_roles_are_not_in_the_report(hostile):
    named = dataclasses.replace(hostile, practitioners=hostile.practitioners.assign(
        name="Zelda Quinn-Marsh", role="night outreach lead"))
    page = build_report(named, compare_replicates=0, bootstrap=50)
    assert "Zelda" not in page and "night outreach" not in page


# --- known answers and small-number protection ----------------------------------------------------

def test_isolated_three_are_suppressed_with_their_complement(report):
    part = _section(report, "isolation")
    # isolated 3 (A10, B10, C10) -> hidden; connected 9 hidden too, or 30 - 18 - 0 - 9 would give 3 back
    assert _row(part, "Isolated")[-1] == "<5"
    assert _row(part, "Connected across agencies")[-1] == "<5"
    assert _row(part, "Within own agency only")[-1] == "18"
    assert _row(part, "Drifting")[-1] == "0"
    assert _row(part, "All in post")[-1] == "30"
    assert '<td class="num suppressed" title="Hidden: fewer than 5">&lt;5</td>' in part
    assert ">3<" not in part


def test_impact_is_the_hand_worked_difference(report, hostile):
    hostile_ds = hostile
    part = _section(report, "impact")
    # each of the 9 attendees gains exactly 2 cross-agency colleagues, non-attendees 0: DiD = 2
    assert _row(part, "Difference-in-differences: cross-agency colleagues (bootstrap interval, as before)") == ["+2.00", "+2.00 to +2.00"]
    assert _row(part, "COP attendees") == ["9", "+2.00"]
    assert _row(part, "Non-attendees") == ["21", "0.00"]
    assert "200 bootstrap replicates" in part
    # The trust-tie estimate with the tie-aware interval the verdict quotes, beside the bootstrap one.
    from netdash.change.impact import evaluate_impact

    dyadic = evaluate_impact(hostile_ds, bootstrap=200, seed=0)["did_trust_dyadic"]
    tie_aware = _row(part, "Difference-in-differences: cross-agency trust ties (tie-aware interval, as the verdict "
                           "states it)")
    from netdash.report.cells import number_cell

    shown = [number_cell(dyadic[k], 2, signed=True).text for k in ("estimate", "ci_low", "ci_high")]
    assert tie_aware == [shown[0], f"{shown[1]} to {shown[2]}"]
    assert _row(part, "Difference-in-differences: cross-agency trust ties (bootstrap interval)")[0] == tie_aware[0]
    # A11 left in March: the count of 1 in the evaluation's own sentences is hidden as well
    assert "&lt;5 who left" in part and "1 who left" not in part


def test_maps_draw_shared_layout_with_new_and_lost_ties(report):
    part = _section(report, "maps")
    before, after = re.findall(r"<svg .*?</svg>", part, re.S)[:2]  # then the agencies' maps
    assert before.count("<circle") == after.count("<circle") == 31
    assert before.count('class="faded"') == 0 and after.count('class="faded"') == 1  # A11 left
    paths = dict(re.findall(r'<path class="(\w+)" d="([^"]*)"', after))
    # 9 new cross-agency ties; 24 chain ties kept; X9-X10 (3) and A1-A11 gone
    assert paths["new_cross"].count("M") == 9 and paths["tie"].count("M") == 24 and paths["lost"].count("M") == 4
    assert re.findall(r'<path class="(\w+)" d="([^"]*)"', before)[0][1].count("M") == 28
    assert "9 new cross-agency ties, &lt;5 ties gone, 24 other ties" in part
    assert f"<title>{_esc(PAYLOADS[0])}</title>" in after  # tooltip: agency only
    # COP attendees (X1..X3 of each agency) are ringed, as on the dashboard's maps.
    assert before.count('class="cop"') == after.count('class="cop"') == 9
    assert f"<title>{_esc(PAYLOADS[0])}, attended the COP</title>" in after


def test_agency_maps_link_agencies_by_their_tied_pairs_and_hide_small_counts(report):
    part = _section(report, "maps")
    before = re.search(r'<svg [^>]*id="agency-map-before".*?</svg>', part, re.S).group(0)
    after = re.search(r'<svg [^>]*id="agency-map-after".*?</svg>', part, re.S).group(0)
    # Three agencies in the same places on both maps; before the COP every tie was within an agency.
    assert before.count("<circle") == after.count("<circle") == 3
    assert re.findall(r'<circle cx="(-?\d+)" cy="(-?\d+)"', before) == re.findall(r'<circle cx="(-?\d+)" cy="(-?\d+)"', after)
    assert "<line" not in before
    # After: X1..X3 of each agency tied to the same-numbered attendee of the two others, 3 pairs per agency pair,
    # each count under the report's minimum of 5, so hidden.
    links = re.findall(r'<line class="agency-link"[^>]*stroke-width="([\d.]+)"><title>([^<]*)</title>', after)
    assert len(links) == 3 and {w for w, _ in links} == {"12.0"}  # equal counts: all drawn widest
    assert all(t.endswith(": &lt;5 practitioner pairs tied") for _, t in links)
    assert all(f"<text" in after and _esc(name) in after for name in AGENCY_NAMES.values())


def test_mixing_matrices_hide_small_cells_and_their_differences(report):
    part = _section(report, "mixing")
    tables = re.findall(r'<table class="matrix">.*?</table>', part, re.S)
    assert len(tables) == 3
    before, after, diff = tables
    assert _row(before, "A") == ["10", "0", "0"]          # chain of 9 plus A1-A11
    assert _row(after, "A") == ["8", "<5", "<5"]          # 3 new ties to each other agency
    assert _row(diff, "A") == ["−2", "·", "·"]            # after - before, hidden where a count is
    assert f'title="{_esc(PAYLOADS[0])}"' in before


def test_headline_counts(report):
    part = _section(report, "headline")
    assert _row(part, "Agencies")[0] == "3"
    assert _row(part, "Practitioners")[0] == "31"
    assert _row(part, "COP attendees")[0] == "9"
    assert _row(part, "Clients seen")[0] == "<5"   # c1 and c2
    assert _row(part, "Isolates")[0] == "0"


def test_agency_nmi_row_shows_the_median_and_its_range_as_network_json_has_them(hostile, report):
    from netdash.analysis import network_measures

    m = network_measures(hostile, ties="working")  # the report's default ties, all the data
    value, note = _row(_section(report, "headline"), "Agency alignment (NMI)")
    assert value == f"{m['agency_nmi']:.2f}"
    assert m["agency_nmi_seeds"] == list(range(10))
    assert m["agency_nmi_min"] <= m["agency_nmi"] <= m["agency_nmi_max"]
    assert note.startswith(f"median of 10 Louvain runs, range {m['agency_nmi_min']:.2f} to "
                           f"{m['agency_nmi_max']:.2f}")


def test_larger_min_count_withholds_the_impact_estimate(hostile):
    page = build_report(hostile, min_count=10, compare_replicates=0, bootstrap=50)
    part = _section(page, "impact")
    assert "The impact estimate is not shown" in part and "fewer than 10" in part
    assert "+2.00" not in part
    assert _row(_section(page, "headline"), "COP attendees")[0] == "<10"


def test_no_cop_attendance_gives_the_message_not_a_crash():
    ds = Dataset.from_records(**hostile_records(attendance=False))
    page = build_report(ds, compare_replicates=0, bootstrap=50)
    assert "Nobody attended a COP session" in _section(page, "impact")
    assert "Nobody attended a COP session" in _section(page, "maps")
    assert "Not available for this data." in _section(page, "mixing")
    assert _row(_section(page, "headline"), "Practitioners")[0] == "31"
    assert _row(_section(page, "isolation"), "All in post")[-1] == "31"


def test_period_restricts_the_headline(hostile):
    page = build_report(hostile, period=parse_period("2024-01-01:2024-07-01"), compare_replicates=0, bootstrap=50)
    assert "<dt>Period</dt><dd>2024-01-01 to 2024-07-01</dd>" in page
    assert _row(_section(page, "headline"), "COP attendees")[0] == "0"
    assert "leaves nothing after it" in _section(page, "maps")


@pytest.mark.slow  # a report with bootstrap replicates
def test_comparison_with_replicates_reports_intervals(hostile):
    page = build_report(hostile, compare_replicates=20, bootstrap=50)
    compared = _section(page, "headline").split("<h3>Before and after the COP started</h3>")[1]
    row = _row(compared, "Share of working ties across agencies")
    assert row[:3] == ["0.0%", "27.3%", "+27.3 pp"]   # 0 of 27 ties among the 30 compared before; 9 of 33 after
    assert row[3] != "–" and row[5] != "–"             # interval and p-value present


def test_write_report(tmp_path, hostile):
    out = write_report(hostile, tmp_path / "r.html", title="Quarterly", compare_replicates=0, bootstrap=50)
    assert out == tmp_path / "r.html"
    assert "<title>Quarterly</title>" in out.read_text(encoding="utf-8")


# --- the bundled demo ------------------------------------------------------------------------------

@pytest.mark.slow  # the whole demo, with 100 bootstrap replicates
def test_demo_report(demo_source):
    import pandas as pd

    from netdash.ingest import load_dataset

    ds, _ = load_dataset(demo_source, secret=b"k" * 32, name="demo")
    page = build_report(ds, compare_replicates=0, bootstrap=100)
    for anchor, heading in SECTIONS:
        assert f"<h2>{heading}</h2>" in _section(page, anchor)
    assert "Not available for this data." not in page
    for name in pd.read_csv(demo_source / "agencies.csv")["name"]:
        assert _esc(name) in _section(page, "maps")
    assert "http://" not in page and "https://" not in page


# --- errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kw, message", [
    ({"ties": "cop"}, "ties should be one of working, direct, coworking"),
    ({"ties": "all"}, "cannot also count as a tie"),
    ({"min_count": 0}, "min_count should be a whole number of at least 1"),
    ({"min_count": 2.5}, "min_count should be a whole number"),
    ({"bootstrap": 0}, "bootstrap should be a whole number of at least 1"),
    ({"compare_replicates": -1}, "compare_replicates should be a whole number of at least 0"),
    ({"period": "2024-01-01:2024-07-01"}, "period should be a netdash.periods.Period"),
    ({"warnings": "one message"}, "warnings should be a list of messages"),
    ({"cop_start": "soon"}, "COP start 'soon' is not a date"),
])
def test_bad_settings_are_refused(hostile, kw, message):
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        build_report(hostile, **kw)


def test_drifting_that_cannot_be_computed_reads_so_not_zero(hostile):
    # issue 16: the whole of the data has no period before it to compare with
    from netdash.report.outcomes import isolation_section

    whole = isolation_section(hostile, Period(), None, ties="working", min_count=5)
    drifting = next(row for row in whole["rows"] if row[0] == "Drifting")
    assert drifting[-1].text == "not computable" and not whole["drifting_assessed"]
    assert whole["drifting_reason"].startswith("it needs a period with both a start and an end")


def test_dots_sized_by_degree_on_one_scale_for_both_windows(hostile):
    page = build_report(hostile, compare_replicates=0, bootstrap=50, size_by="degree")
    before, after = re.findall(r"<svg .*?</svg>", _section(page, "maps"), re.S)[:2]
    radius = lambda svg: sorted(float(r) for r in re.findall(r'<circle [^>]*r="([\d.]+)"', svg))
    # 31 dots: the usual radius is 26. After, X2 and X3 have 4 ties (chain both sides, two attendees of other
    # agencies), the most in either window: 26 * (0.5 + 1.3) = 46.8; X10 has none: 26 * 0.5 = 13.0.
    assert radius(after)[-1] == 46.8 and radius(after)[0] == 13.0
    # Before, the chains give at most 2 ties: 26 * (0.5 + 1.3 * sqrt(2 / 4)) = 36.9.
    assert radius(before)[-1] == 36.9
    plain = re.findall(r"<svg .*?</svg>", _section(build_report(hostile, compare_replicates=0, bootstrap=50),
                                                         "maps"), re.S)[1]
    assert set(radius(plain)) == {26.0}


def test_unknown_size_measure_is_refused(hostile):
    with pytest.raises(InvalidInputError, match="size_by should be one of degree, betweenness, trust_ties"):
        build_report(hostile, size_by="closeness")


def test_agency_nmi_note_shows_no_range_where_every_seed_gives_one_partition():
    # Above LOUVAIN_NETWORKX_MAX_TIES ties NetworKit's PLM ignores the seed (tests/metrics/test_communities.py):
    # a range of 0 would look like certainty.
    from netdash.metrics.communities import LOUVAIN_NETWORKX_MAX_TIES
    from netdash.report.sections import _nmi_note

    m = {"agency_nmi_min": 0.25, "agency_nmi_max": 0.25, "agency_nmi_seeds": list(range(10))}
    assert _nmi_note({**m, "n_ties": LOUVAIN_NETWORKX_MAX_TIES}).startswith("median of 10 Louvain runs, range 0.25 to 0.25")
    above = _nmi_note({**m, "n_ties": LOUVAIN_NETWORKX_MAX_TIES + 1})
    assert "range" not in above.split("(")[0] and "no range is shown" in above
