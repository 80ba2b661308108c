"""User text is escaped wherever netdash writes it: maps, the report, exports and CSV downloads.

Each check builds the same output twice, once with ordinary names and once
with script, HTML and formula payloads in every text field, and compares
what the markup contains: the payloads must add no tag, no event handler and
no ``javascript:`` URL, must never appear verbatim, and must appear escaped
(so they were shown, as text). The browser suite (tests/e2e) then loads the
pages with the same payloads and checks that nothing runs.
"""

import io
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from hostile import FORMULA, HREF, IMG, PAYLOADS, SCRIPT
from netdash.export import neutralise_formula, safe_csv, to_gexf, to_graphml
from netdash.ingest import load_dataset
from netdash.report import build_report
from netdash.viz import layout_positions, network_html

GOOD = Path(__file__).parent / "data" / "good"
DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"

class _Markup(HTMLParser):
    """Counts what a payload would add if a browser parsed it as markup rather than text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.counts = Counter()

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "a", "iframe", "object", "embed"):
            self.counts[f"<{tag}> elements"] += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.counts["event-handler attributes"] += 1
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.counts["javascript: URLs"] += 1


def _markup_counts(html):
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return dict(parser.counts)


def test_the_markup_counter_sees_unescaped_payloads_and_not_escaped_ones():
    assert _markup_counts(f"<p>{IMG}{SCRIPT}{HREF}</p>") == {
        "<img> elements": 1, "event-handler attributes": 1, "<script> elements": 1, "<a> elements": 1,
        "javascript: URLs": 1}
    escaped = IMG.replace("<", "&lt;").replace(">", "&gt;")
    assert _markup_counts(f'<p title="{escaped}">{escaped}</p>') == {}


def _graph(names):
    G = nx.Graph()
    for i in range(12):
        payload = names[i % len(names)]
        G.add_node(f"P{i}", name=payload, agency=f"A{i % 3}", agency_name=names[(i + 1) % len(names)],
                   role=names[(i + 2) % len(names)], tooltip=[payload, f"Note: {payload}"])
    G.add_edges_from((f"P{i}", f"P{(i * 5 + 1) % 12}") for i in range(12) if i != (i * 5 + 1) % 12)
    return G


@pytest.mark.parametrize("labels", ["name", "id"])
def test_map_file_gains_no_markup_from_names_tooltips_titles_or_legends(labels):
    plain = ["Ann", "Bob", "Cat", "Dee"]
    htmls = []
    for names in (plain, list(PAYLOADS)):
        G = _graph(names)
        htmls.append(network_html(G, layout_positions(G), labels=labels, title=names[0],
                                  legend={names[1]: "#123456", names[2]: "#654321"}))
    benign, hostile = htmls
    assert _markup_counts(hostile) == _markup_counts(benign)
    assert [p for p in PAYLOADS[:3] if p in hostile] == []


def _hostile_copy(tmp_path, source):
    folder = tmp_path / "hostile"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("*.json"))
    read = lambda name: pd.read_csv(folder / name, dtype=str, keep_default_na=False)  # noqa: E731
    agencies, people, cop = read("agencies.csv"), read("practitioners.csv"), read("cop_attendance.csv")
    agencies.loc[0, "name"], agencies.loc[1, "name"] = SCRIPT, IMG
    for i, payload in enumerate(PAYLOADS):
        people.loc[i, "name"] = payload
        people.loc[i, "role"] = payload
    cop["cop_name"] = HREF
    for name, frame in [("agencies.csv", agencies), ("practitioners.csv", people), ("cop_attendance.csv", cop)]:
        frame.to_csv(folder / name, index=False)
    return folder


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The demo's report with ordinary names and with payloads in names, roles, COP name and title."""
    tmp = tmp_path_factory.mktemp("reports")
    plain, _ = load_dataset(DEMO, secret=b"k" * 32)
    hostile, _ = load_dataset(_hostile_copy(tmp, DEMO), secret=b"k" * 32)
    options = dict(bootstrap=20, compare_replicates=0)
    return build_report(plain, title="Plain", **options), build_report(hostile, title=IMG, **options)


def test_report_gains_no_markup_from_user_text(reports):
    benign, hostile = reports
    assert _markup_counts(hostile) == _markup_counts(benign)
    assert "<script> elements" not in _markup_counts(hostile)  # the report runs no script at all
    assert [p for p in PAYLOADS[:3] if p in hostile] == []


def test_report_shows_the_user_text_escaped(reports):
    _, hostile = reports
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in hostile  # the agency name, as text
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile  # the title and an agency name


@pytest.mark.parametrize("writer", [to_graphml, to_gexf], ids=["graphml", "gexf"])
def test_exports_escape_xml_and_round_trip_the_names(writer, tmp_path):
    G = _graph(list(PAYLOADS))
    for n in G:
        del G.nodes[n]["tooltip"]
    path = tmp_path / ("g." + writer.__name__[3:])
    writer(G, path)
    text = path.read_text(encoding="utf-8")
    assert [p for p in PAYLOADS[:3] if p in text] == []
    back = (nx.read_graphml if writer is to_graphml else nx.read_gexf)(path)
    names = {data.get("name") or data.get("label") for _, data in back.nodes(data=True)}
    assert set(PAYLOADS) <= names


@pytest.mark.parametrize(("value", "expected"), [
    (FORMULA, "'" + FORMULA),
    ("=1+1", "'=1+1"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("Ann", "Ann"),
    (IMG, IMG),  # a CSV is not HTML: left as is
])
def test_formulas_are_neutralised_in_csv_downloads(value, expected):
    assert neutralise_formula(value) == expected
    back = pd.read_csv(io.BytesIO(safe_csv(pd.DataFrame({"name": [value]}))), dtype=str, keep_default_na=False)
    assert back["name"].iloc[0] == expected
