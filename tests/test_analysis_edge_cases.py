"""The whole analysis on awkward but legal datasets: one agency, isolates, in-only ties, groups of one."""

import json
import math

import pytest

from netdash.analysis import NETWORK_FIELDS, PRACTITIONER_COLUMNS, NetworkAnalysis
from netdash.dataset import Dataset


def _call(day, a, b):
    return {"date": day, "practitioner_id": a, "with_practitioner_id": b, "contact_type": "phone"}


@pytest.fixture
def one_agency():
    people = [{"practitioner_id": p, "agency_id": "H"} for p in ("a", "b", "c", "lonely")]
    contacts = [_call("2024-01-02", "a", "b"), _call("2024-01-03", "b", "c"), _call("2024-01-04", "c", "a")]
    return Dataset.from_records(agencies=[{"agency_id": "H", "name": "Housing"}], practitioners=people,
                                contacts=contacts)


@pytest.fixture
def awkward():
    """'solo' is an agency of one; 'sink' only receives contacts; 'iso' has none."""
    agencies = [{"agency_id": a, "name": a} for a in ("H", "M", "S")]
    people = [{"practitioner_id": p, "agency_id": a}
              for p, a in (("h1", "H"), ("h2", "H"), ("m1", "M"), ("sink", "M"), ("iso", "H"), ("solo", "S"))]
    contacts = [_call("2024-01-02", "h1", "h2"), _call("2024-01-03", "h2", "m1"), _call("2024-01-04", "m1", "sink"),
                _call("2024-01-05", "h1", "sink"), _call("2024-01-06", "solo", "h1")]
    return Dataset.from_records(agencies=agencies, practitioners=people, contacts=contacts)


def test_single_agency(one_agency):
    analysis = NetworkAnalysis(one_agency, ties="direct")
    table = analysis.practitioner_table().set_index("practitioner_id")
    net = analysis.network_measures()
    assert net["ei_index"] == -1.0  # every tie is internal
    assert net["cross_agency_ties"] == 0
    assert (table["cross_agency_ties"] == 0).all()
    # Only coordinators exist when there is one group; a->b->c->a has direct closure both ways
    # except for the two-paths a->b->c (a->c absent: c->a present does not exclude).
    assert table[["broker_itinerant", "broker_representative", "broker_gatekeeper", "broker_liaison"]].sum().sum() == 0
    assert table.loc["b", "broker_coordinator"] == 1
    assert table.loc["lonely", "degree"] == 0
    json.dumps(net, allow_nan=False)


def test_isolates_in_only_ties_and_groups_of_one(awkward):
    analysis = NetworkAnalysis(awkward, ties="direct")
    table = analysis.practitioner_table().set_index("practitioner_id")
    assert list(table.columns[: len(PRACTITIONER_COLUMNS) - 1]) == PRACTITIONER_COLUMNS[1:]
    # The isolate: no ties, no brokerage, constraint undefined (NaN), effective size 0.
    assert table.loc["iso", "degree"] == 0 and table.loc["iso", "broker_total"] == 0
    assert math.isnan(table.loc["iso", "constraint"]) and table.loc["iso", "effective_size"] == 0
    assert math.isnan(table.loc["iso", "ei_index"])
    # 'sink' only receives: in-degree 2, out-degree 0, finite structural-hole values, brokers nothing.
    assert (table.loc["sink", "in_degree"], table.loc["sink", "out_degree"]) == (2, 0)
    assert math.isfinite(table.loc["sink", "constraint"]) and table.loc["sink", "broker_total"] == 0
    # 'solo' is the only member of agency S: all of its ties cross agencies.
    assert table.loc["solo", "ei_index"] == 1.0 and table.loc["solo", "cross_agency_ties"] == 1
    # solo -> h1 -> h2 with no solo->h2: h1 lets contact from S into H, a gatekeeper.
    assert table.loc["h1", "broker_gatekeeper"] >= 1
    net = analysis.network_measures()
    assert set(NETWORK_FIELDS) <= set(net)
    assert net["n_isolates"] == 1 and net["n_components"] == 2
    json.dumps(net, allow_nan=False)
