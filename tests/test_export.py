import csv
import io

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from hostile import FORMULA as HOSTILE_FORMULA
from hostile import IMG as HOSTILE_HTML
from netdash.dataset import Dataset
from netdash.export import safe_csv, to_gexf, to_graphml, write_safe_csv
from netdash.networks.graphs import practitioner_graph
from netdash.periods import Period

PERIOD = Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-07-01"))


def _rows(data):
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_starts_with_bom_and_reads_back():
    data = safe_csv(pd.DataFrame({"name": ["Zoë"], "n": [3]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert _rows(data) == [["name", "n"], ["Zoë", "3"]]


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_each_formula_lead_is_neutralised(lead):
    value = lead + "SUM(A1:A9)"
    rows = _rows(safe_csv(pd.DataFrame({"note": [value]})))
    assert rows[1] == ["'" + value]


def test_real_numbers_stay_numbers_even_negative():
    frame = pd.DataFrame({"change": [-3, 4], "share": [-0.25, 0.5], "text": ["-3", "ok"]})
    rows = _rows(safe_csv(frame))
    assert rows[1] == ["-3", "-0.25", "'-3"]
    assert rows[2] == ["4", "0.5", "ok"]


def test_numbers_inside_text_columns_stay_numbers():
    frame = pd.DataFrame({"mixed": [-7, "=1+1", None]}, dtype=object)
    rows = _rows(safe_csv(frame))
    assert rows[1:] == [["-7"], ["'=1+1"], [""]]


def test_hostile_strings_are_inert_in_csv_and_headers(tmp_path):
    frame = pd.DataFrame({"=cmd": [HOSTILE_FORMULA, HOSTILE_HTML]})
    path = write_safe_csv(frame, tmp_path / "out.csv")
    rows = _rows(path.read_bytes())
    assert rows == [["'=cmd"], ["'" + HOSTILE_FORMULA], [HOSTILE_HTML]]


def _hostile_dataset():
    return Dataset.from_records(
        agencies=[{"agency_id": "H", "name": "Riverside <b>Housing</b>", "sector": "housing"},
                  {"agency_id": "M", "name": "Mind", "sector": "mental_health"}],
        practitioners=[
            {"practitioner_id": "p1", "agency_id": "H", "name": HOSTILE_HTML, "role": "support worker"},
            {"practitioner_id": "p2", "agency_id": "M", "name": HOSTILE_FORMULA},
            {"practitioner_id": "p3", "agency_id": "M"},  # no name, no role: omitted
            {"practitioner_id": "p4", "agency_id": "H", "name": "Isolate"},
        ],
        contacts=[
            {"date": "2024-02-01", "practitioner_id": "p1", "with_practitioner_id": "p2",
             "contact_type": "referral"},
            {"date": "2024-02-02", "practitioner_id": "p1", "client_id": "c1"},
            {"date": "2024-02-03", "practitioner_id": "p2", "client_id": "c1"},
            {"date": "2024-02-04", "practitioner_id": "p3", "client_id": "c1"},
        ],
        cop_attendance=[{"session_id": "S1", "date": "2024-03-01", "practitioner_id": "p1"},
                        {"session_id": "S1", "date": "2024-03-01", "practitioner_id": "p3"}],
    )


@pytest.fixture
def G():
    return practitioner_graph(_hostile_dataset(), PERIOD, ties="all")


def _expected_node(data):
    keep = {k: v for k, v in data.items()
            if k in ("agency", "agency_name", "sector", "role", "name", "cop_attendee", "cop_sessions")
            and v is not None}
    return keep


def _expected_edge(data):
    return {"weight": data["weight"], "tie_types": ";".join(data["tie_types"]),
            "direct": data["direct"], "coworking": data["coworking"], "cop": data["cop"],
            "period": "2024-01-01 to 2024-07-01"}


def _edge_key(u, v):
    return tuple(sorted((u, v)))


def test_graphml_round_trip(G, tmp_path):
    path = tmp_path / "g.graphml"
    to_graphml(G, path, period=PERIOD)
    R = nx.read_graphml(path)
    assert set(R.nodes) == set(G.nodes) == {"p1", "p2", "p3", "p4"}
    assert {_edge_key(*e) for e in R.edges} == {_edge_key(*e) for e in G.edges}
    for n in G.nodes:
        assert R.nodes[n] == _expected_node(G.nodes[n])
    assert "name" not in R.nodes["p3"] and "role" not in R.nodes["p3"]
    assert R.nodes["p1"]["name"] == HOSTILE_HTML
    assert R.nodes["p1"]["cop_attendee"] is True and R.nodes["p4"]["cop_attendee"] is False
    for u, v, d in G.edges(data=True):
        assert R.edges[u, v] == _expected_edge(d)
    assert R.edges["p1", "p2"]["tie_types"] == "coworking;direct"
    assert R.graph["period"] == "2024-01-01 to 2024-07-01"
    raw = path.read_text(encoding="utf-8")
    assert HOSTILE_HTML not in raw and "&lt;img src=x onerror=alert(1)&gt;" in raw


def test_gexf_round_trip(G, tmp_path):
    path = tmp_path / "g.gexf"
    to_gexf(G, path, period=PERIOD)
    R = nx.read_gexf(path)
    assert set(R.nodes) == set(G.nodes)
    assert {_edge_key(*e) for e in R.edges} == {_edge_key(*e) for e in G.edges}
    for n in G.nodes:
        got = {k: v for k, v in R.nodes[n].items() if k != "label"}
        assert got == _expected_node(G.nodes[n])
    assert R.nodes["p1"]["label"] == HOSTILE_HTML and R.nodes["p3"]["label"] == "p3"
    assert R.nodes["p2"]["name"] == HOSTILE_FORMULA
    for u, v, d in G.edges(data=True):
        got = {k: val for k, val in R.edges[u, v].items() if k != "id"}
        assert got == _expected_edge(d)
    assert R.graph["name"] == "netdash network, 2024-01-01 to 2024-07-01"
    assert HOSTILE_HTML not in path.read_text(encoding="utf-8")


def test_awkward_values_are_converted(tmp_path):
    G = nx.Graph(note=None)
    G.add_node("a", score=np.int64(3), when=pd.Timestamp("2024-05-06"), gone=None,
               tags={"x", "b"}, bad="ok\x00\x0bchar")
    G.add_node("b", score=2.5)
    G.add_edge("a", "b", weight=np.float64(1.5), tie_types=("direct",), types={"referral": 1, "phone": 2})
    buffer = io.BytesIO()
    to_graphml(G, buffer)
    R = nx.read_graphml(io.BytesIO(buffer.getvalue()))
    assert R.nodes["a"] == {"score": 3.0, "when": "2024-05-06", "tags": "b;x", "bad": "okchar"}
    assert R.nodes["b"] == {"score": 2.5}
    assert R.edges["a", "b"] == {"weight": 1.5, "tie_types": "direct", "types": "phone=2;referral=1"}
    assert "period" not in R.graph


def test_directed_contact_graph_keeps_direction(tmp_path):
    from netdash.networks.graphs import contact_graph
    G = contact_graph(_hostile_dataset(), PERIOD)
    to_graphml(G, tmp_path / "c.graphml", period="Q1")
    to_gexf(G, tmp_path / "c.gexf", period="Q1")
    for R in (nx.read_graphml(tmp_path / "c.graphml"), nx.read_gexf(tmp_path / "c.gexf")):
        assert R.is_directed()
        assert list(R.edges) == [("p1", "p2")]
        assert R.edges["p1", "p2"]["types"] == "referral=1"
        assert R.edges["p1", "p2"]["period"] == "Q1"
