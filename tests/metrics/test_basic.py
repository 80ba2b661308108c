"""Tests for netdash.metrics.basic against hand-counted answers."""

import networkx as nx
import pytest

from netdash.networks import graphs
from netdash.dataset import Dataset
from netdash.errors import InvalidInputError
from netdash.metrics.basic import PRACTITIONER_COLUMNS, network_summary, practitioner_metrics
from netdash.periods import parse_period

H1 = parse_period("2024-01-01:2024-07-01")


def _c(date, who, client=None, colleague=None):
    return {"date": date, "practitioner_id": who, "client_id": client, "with_practitioner_id": colleague}


@pytest.fixture
def ds():
    """A = {p1, p2, p6 (left 2023), p7 (idle)}, B = {p3, p4}.

    In H1 2024: direct p1->p3 x2, p3->p1, p2->p4, p6->p2 and a self-contact of
    p1; co-working p1-p3 on c1 and c5, p1-p2 on c4; COP p1, p3, p4 at s1 and
    p1, p3 at s2. Rows dated 2023-12-31 and 2024-07-01 fall outside.
    """
    return Dataset.from_records(
        agencies=[{"agency_id": "A", "name": "Housing"}, {"agency_id": "B", "name": "Mental Health"}],
        practitioners=[{"practitioner_id": p, "agency_id": a} for p, a in
                       [("p1", "A"), ("p2", "A"), ("p3", "B"), ("p4", "B"), ("p7", "A")]]
        + [{"practitioner_id": "p6", "agency_id": "A", "end_date": "2023-12-31"}],
        contacts=[
            _c("2024-01-01", "p1", colleague="p3"), _c("2024-02-10", "p1", colleague="p3"),
            _c("2024-03-05", "p3", colleague="p1"), _c("2024-03-06", "p2", colleague="p4"),
            _c("2024-07-01", "p1", colleague="p2"), _c("2023-12-31", "p2", colleague="p1"),
            _c("2024-05-01", "p6", colleague="p2"), _c("2024-04-01", "p1", colleague="p1"),
            _c("2024-01-10", "p1", client="c1"), _c("2024-04-09", "p3", client="c1"),
            _c("2024-01-10", "p2", client="c2"), _c("2024-04-10", "p4", client="c2"),
            _c("2024-06-30", "p2", client="c3"), _c("2024-07-01", "p4", client="c3"),
            _c("2024-02-01", "p1", client="c4"), _c("2024-02-20", "p2", client="c4"),
            _c("2024-02-21", "p1", client="c4"),
            _c("2024-05-01", "p1", client="c5"), _c("2024-05-02", "p3", client="c5"),
        ],
        cop_attendance=[{"session_id": s, "date": d, "practitioner_id": p} for s, d, p in [
            ("s1", "2024-02-01", "p1"), ("s1", "2024-02-01", "p3"), ("s1", "2024-02-01", "p4"),
            ("s2", "2024-03-01", "p1"), ("s2", "2024-03-01", "p3")]],
    )


def _rows(frame, cols):
    return {r[0]: tuple(r[1:]) for r in frame[["practitioner_id", *cols]].itertuples(index=False)}


def test_columns_are_the_csv_contract(ds):
    m = practitioner_metrics(ds, H1)
    assert list(m.columns) == list(PRACTITIONER_COLUMNS)
    for col in ("practitioner_id", "agency_id", "degree", "in_degree", "out_degree",
                "cross_agency_ties", "clients", "contacts", "cop_sessions"):
        assert col in m.columns


def test_practitioner_metrics_all_ties(ds):
    m = practitioner_metrics(ds, H1)
    cols = ["agency_id", "degree", "in_degree", "out_degree", "cross_agency_ties",
            "clients", "contacts", "cop_sessions"]
    assert _rows(m, cols) == {
        "p1": ("A", 3, 1, 1, 2, 3, 7, 2),
        "p2": ("A", 3, 1, 1, 1, 3, 4, 0),
        "p3": ("B", 2, 1, 1, 1, 2, 3, 2),
        "p4": ("B", 3, 1, 0, 2, 1, 1, 1),
        "p6": ("A", 1, 0, 1, 0, 0, 1, 0),
        "p7": ("A", 0, 0, 0, 0, 0, 0, 0),
    }


@pytest.mark.parametrize("ties, degree, cross", [
    ("direct", {"p1": 1, "p2": 2, "p3": 1, "p4": 1, "p6": 1, "p7": 0},
     {"p1": 1, "p2": 1, "p3": 1, "p4": 1, "p6": 0, "p7": 0}),
    ("cop", {"p1": 2, "p2": 0, "p3": 2, "p4": 2, "p6": 0, "p7": 0},
     {"p1": 2, "p2": 0, "p3": 1, "p4": 1, "p6": 0, "p7": 0}),
])
def test_degree_follows_tie_choice(ds, ties, degree, cross):
    m = practitioner_metrics(ds, H1, ties=ties).set_index("practitioner_id")
    assert m["degree"].to_dict() == degree
    assert m["cross_agency_ties"].to_dict() == cross
    assert m["in_degree"].to_dict()["p1"] == 1  # directed degrees do not depend on ties


def test_repeated_contacts_count_one_colleague(ds):
    many = Dataset.from_records(
        agencies=ds.agencies, practitioners=ds.practitioners,
        contacts=[_c(f"2024-01-{d:02d}", "p1", colleague="p3") for d in range(1, 11)])
    m = practitioner_metrics(many, H1, ties="direct").set_index("practitioner_id")
    assert (m.at["p1", "degree"], m.at["p1", "out_degree"], m.at["p1", "contacts"]) == (1, 1, 10)
    assert (m.at["p3", "in_degree"], m.at["p3", "cross_agency_ties"]) == (1, 1)


def test_practitioner_metrics_rejects_unknown_ties(ds):
    with pytest.raises(InvalidInputError, match=r"ties='trust' is not a tie choice"):
        practitioner_metrics(ds, H1, ties="trust")


def test_network_summary(ds):
    s = network_summary(graphs.practitioner_graph(ds, H1))
    assert s == {"n_practitioners": 6, "n_ties": 6, "n_isolates": 1, "n_agencies": 2,
                 "cross_agency_ties": 3, "cross_agency_share": 0.5, "density": 0.4,
                 "mean_degree": 2.0}


def test_network_summary_directed_counts_pairs_once(ds):
    s = network_summary(graphs.contact_graph(ds, H1))
    # pairs p1-p3 (both ways), p2-p4, p2-p6 over nodes p1, p2, p3, p4, p6, p7
    assert (s["n_ties"], s["n_isolates"], s["cross_agency_ties"]) == (3, 1, 2)
    assert s["mean_degree"] == 1.0


def test_network_summary_empty_and_tieless():
    assert network_summary(nx.Graph()) == {
        "n_practitioners": 0, "n_ties": 0, "n_isolates": 0, "n_agencies": 0,
        "cross_agency_ties": 0, "cross_agency_share": None, "density": 0.0, "mean_degree": 0.0}
    G = nx.Graph()
    G.add_nodes_from([("a", {"agency": "A"}), ("b", {"agency": "B"})])
    s = network_summary(G)
    assert (s["n_isolates"], s["cross_agency_share"], s["density"]) == (2, None, 0.0)
