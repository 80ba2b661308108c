"""compare_periods reads edge tables, not graphs: the same Comparison as the graph-based version it replaced."""

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from netdash.analysis import NetworkAnalysis
from netdash.change.compare import compare_periods
from netdash.change.dynamics import tie_change_summary, tie_changes, tie_changes_from_pairs
from netdash.change.headline import HEADLINE_MEASURES, network_headline
from netdash.change.windows import split_at
from netdash.metrics.matrix import GraphMatrix
from netdash.metrics.qap import qap_correlation, qap_correlation_of_ties
from netdash.metrics.trust import trust_graph
from netdash.networks import graphs
from netdash.dataset import Dataset
from netdash.errors import InvalidInputError
from netdash.periods import parse_period


def _messy_dataset(seed, *, n_prac=24, n_clients=12, n_rows=700, ghost=True):
    """Random logs with self-contacts, an author missing from practitioners.csv, joiners, leavers and a survey."""
    rng = np.random.default_rng(seed)
    pracs = [f"P{i:02d}" for i in range(n_prac)]
    day = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 270, n_rows), unit="D")
    author = rng.choice(pracs + ["Z99"] * ghost, n_rows)
    colleague = np.where(rng.random(n_rows) < 0.1, author, rng.choice(pracs, n_rows))
    contacts = pd.DataFrame({
        "date": day.strftime("%Y-%m-%d"), "practitioner_id": author,
        "client_id": np.where(rng.random(n_rows) < 0.6, rng.choice([f"C{i}" for i in range(n_clients)], n_rows), None),
        "with_practitioner_id": np.where(rng.random(n_rows) < 0.6, colleague, None),
        "contact_type": rng.choice(np.array(["phone", "email", None], dtype=object), n_rows)})
    attendance = [{"session_id": f"S{k}", "date": f"2023-{k + 1:02d}-15", "practitioner_id": p}
                  for k in range(9) for p in rng.choice(pracs, 6)]
    survey = [{"date": f"2023-{m:02d}-01", "rater_id": r, "ratee_id": e, "trust": t}
              for m, r, e, t in zip(rng.integers(1, 10, 80), rng.choice(pracs, 80), rng.choice(pracs, 80),
                                    rng.choice([1.0, 2.0, 3.0, 4.0], 80))]
    practitioners = [{"practitioner_id": p, "agency_id": "ABC"[i % 3],
                      "start_date": "2023-05-01" if i % 7 == 3 else None,
                      "end_date": "2023-02-28" if i % 5 == 4 else None} for i, p in enumerate(pracs)]
    return Dataset.from_records(
        agencies=[{"agency_id": a, "name": f"Agency {a}"} for a in "ABC"], practitioners=practitioners,
        contacts=contacts.to_dict("records"), cop_attendance=attendance, trust_survey=survey)


# --- the graph-based comparison as it was (observed values and replicates), kept as the reference ----------------

def _ref_induced(G, nodes):
    keep = set(nodes)
    H = G.__class__()
    H.add_nodes_from((v, d) for v, d in G.nodes(data=True) if v in keep)
    H.add_edges_from((u, v, d) for u, v, d in G.edges(data=True) if u in keep and v in keep)
    return H


def _ref_snapshot(G, T, index):
    attrs = [dict(G.nodes[v]) for v in index]
    pos = {v: k for k, v in enumerate(index)}

    def pairs(H):
        return {tuple(sorted((pos[u], pos[v]))): d for u, v, d in H.edges(data=True)
                if u in pos and v in pos and u != v}

    return attrs, pairs(G), set(pairs(T))


def _ref_matrix(attrs, edges, trust, sample=None):
    n = len(attrs)
    if sample is None:
        sample = np.arange(n)
        ties = np.array(list(edges), dtype=np.int64).reshape(-1, 2)
        trusted = len(trust)
    else:
        where = [[] for _ in range(n)]
        for k, s in enumerate(sample):
            where[int(s)].append(k)
        ties = np.array([(p, q) for i, j in edges for p in where[i] for q in where[j]],
                        dtype=np.int64).reshape(-1, 2)
        trusted = sum(len(where[i]) * len(where[j]) for i, j in trust)
    agency = [attrs[int(s)].get("agency") for s in sample]
    return GraphMatrix(range(len(sample)), ties[:, 0], ties[:, 1], node_attrs={"agency": agency}), trusted


def _ref_compare(ds, before, after, *, ties, bootstrap, seed=0):
    G_b = graphs.practitioner_graph(ds, before, ties=ties)
    G_a = graphs.practitioner_graph(ds, after, ties=ties)
    in_b = set(graphs.practitioners_in_post(ds, before)["practitioner_id"]) & set(G_b)
    in_a = set(graphs.practitioners_in_post(ds, after)["practitioner_id"]) & set(G_a)
    index = sorted(in_b & in_a)
    T_b, T_a = trust_graph(ds, before), trust_graph(ds, after)
    sb, sa = _ref_snapshot(G_b, T_b, index), _ref_snapshot(G_a, T_a, index)
    observed = [network_headline(*_ref_matrix(*s), seed=seed) for s in (sb, sa)]
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(bootstrap):
        sample = rng.integers(0, len(index), len(index))
        mb = network_headline(*_ref_matrix(*sb, sample), seed=seed)
        ma = network_headline(*_ref_matrix(*sa, sample), seed=seed)
        boots.append([ma[k] - mb[k] for k in HEADLINE_MEASURES])
    return {
        "observed": observed, "boots": np.array(boots, dtype=float).reshape(-1, len(HEADLINE_MEASURES)),
        "tie_changes": tie_changes(_ref_induced(G_b, index), _ref_induced(G_a, index)),
        "trust_tie_changes": tie_changes(_ref_induced(T_b, index), _ref_induced(T_a, index)),
        "qap": qap_correlation(_ref_induced(G_b, index), _ref_induced(G_a, index), permutations=25, seed=seed),
    }


def _assert_matches_reference(ds, before, after, ties, *, bootstrap=0, analyses=None):
    got = compare_periods(ds, before, after, ties=ties, permutations=25 if bootstrap else 0, bootstrap=bootstrap,
                          analyses=analyses)
    ref = _ref_compare(ds, before, after, ties=ties, bootstrap=bootstrap)
    for name in ("tie_changes", "trust_tie_changes"):
        pd.testing.assert_frame_equal(getattr(got, name), ref[name], check_exact=True, obj=name)
    # The counts the page and the report show, read from the coded changes without the tables: those of the tables.
    for summary, name in zip(got.tie_change_summaries(), ("tie_changes", "trust_tie_changes")):
        pd.testing.assert_frame_equal(summary, tie_change_summary(ref[name]), check_exact=True, obj=name)
    for k in HEADLINE_MEASURES:  # exactly, agency_nmi (seeded Louvain on the same tie order) included
        for column, value in zip(("before", "after"), ref["observed"]):
            assert got.measures.loc[k, column] == value[k] or (math.isnan(value[k])
                                                                and math.isnan(got.measures.loc[k, column])), k
    if bootstrap:
        from netdash.change.impact.estimators import percentile_interval

        for j, k in enumerate(HEADLINE_MEASURES):
            low, high = percentile_interval(ref["boots"][:, j])
            assert (got.measures.loc[k, "ci_low"], got.measures.loc[k, "ci_high"]) == pytest.approx(
                (low, high), rel=0, abs=0, nan_ok=True), k
    for key in ("correlation", "p_value") if bootstrap else ("correlation",):
        assert got.qap[key] == ref["qap"][key] or (math.isnan(got.qap[key]) and math.isnan(ref["qap"][key])), key
    return got


@pytest.fixture(scope="module")
def demo(demo_source):
    from netdash.ingest import load_dataset

    return load_dataset(demo_source, secret=b"test-compare-tables")[0]


@pytest.mark.parametrize("ties", ["working", "direct", "coworking", "all"])
def test_demo_comparison_equals_the_graph_based_one(demo, ties):
    first, last = demo.date_range
    before, after = split_at(first, last, demo.first_cop_session)
    analyses = (NetworkAnalysis(demo, before, ties=ties), NetworkAnalysis(demo, after, ties=ties))
    got = _assert_matches_reference(demo, before, after, ties, analyses=analyses)
    assert got.measures.loc["n_ties", "before"] > 100 and (got.tie_changes["status"] == "lost").any()
    assert len(got.trust_tie_changes) > 10


@pytest.mark.slow  # replicates on the demo, twice
def test_demo_replicates_equal_the_graph_based_ones(demo):
    first, last = demo.date_range
    before, after = split_at(first, last, demo.first_cop_session)
    got = _assert_matches_reference(demo, before, after, "working", bootstrap=4)
    assert got.measures["ci_low"].notna().all()


@pytest.mark.parametrize("seed", [0, pytest.param(1, marks=pytest.mark.slow), pytest.param(2, marks=pytest.mark.slow)])
@pytest.mark.parametrize("ties", ["working", "all"])
def test_messy_logs_equal_the_graph_based_comparison(seed, ties):
    # Self-contacts, a practitioner missing from practitioners.csv, joiners, leavers, survey-rated trust ties.
    ds = _messy_dataset(seed)
    before, after = parse_period("2023-01-01:2023-04-01"), parse_period("2023-04-01:2023-09-01")
    got = _assert_matches_reference(ds, before, after, ties, bootstrap=3)
    assert got.practitioners["before_only"] + got.practitioners["after_only"] > 0


def test_tie_changes_from_pairs_equal_tie_changes_of_the_graphs():
    rng = np.random.default_rng(5)
    people = [f"p{i}" for i in range(30)]
    agency = {p: (None if i % 11 == 0 else "ABC"[i % 3]) for i, p in enumerate(people)}
    frames, built = [], []
    for _ in range(2):
        G = nx.Graph()
        G.add_nodes_from((p, {"agency": agency[p]}) for p in people)
        for a, b in rng.choice(people, size=(60, 2)):
            if a != b:
                G.add_edge(a, b, weight=int(rng.integers(1, 5)))
        rows = [tuple(sorted((u, v))) + (float(d["weight"]),) for u, v, d in G.edges(data=True)]
        frames.append(pd.DataFrame(rows, columns=["a", "b", "weight"]))
        built.append(G)
    pd.testing.assert_frame_equal(tie_changes_from_pairs(*frames, agency), tie_changes(*built), check_exact=True)


def test_qap_of_ties_equals_qap_of_graphs():
    nodes = list(range(12))
    G1, G2 = (nx.gnp_random_graph(12, 0.3, seed=s) for s in (1, 2))
    ends = [tuple(np.array(list(G.edges()), dtype=np.int64).T) for G in (G1, G2)]
    assert qap_correlation_of_ties(12, *ends, permutations=40, seed=7) == \
        qap_correlation(G1, G2, nodes=nodes, permutations=40, seed=7)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("ties", ["working", "direct", "cop", "all"])
def test_headline_matrix_from_codes_equals_the_edge_table_one(seed, ties):
    from netdash.change.headline import _matrix_of_codes

    compared = 0
    for ghost in (False, True):  # True: Z99, in contacts but not in practitioners.csv, is not a node
        ds = _messy_dataset(seed, ghost=ghost)
        for period in (None, parse_period("2023-03-01:2023-07-01"), parse_period("1990-01-01:1990-02-01")):
            nodes = graphs.practitioner_nodes(ds, period)
            edges = graphs.practitioner_edges(ds, period, ties=ties)
            got = _matrix_of_codes(ds, period, nodes, ties, 90)
            try:
                ref = GraphMatrix.from_edges(nodes["practitioner_id"], edges["source"], edges["target"],
                                             node_attrs={"agency": nodes["agency"]})
            except InvalidInputError:  # headline_measures then raises this same error
                assert got is None and ghost
                continue
            assert got.nodes == ref.nodes and got.node_attrs == ref.node_attrs
            assert got.source.tolist() == ref.source.tolist() and got.target.tolist() == ref.target.tolist()
            compared += got.number_of_edges()
    assert compared > 100


@pytest.mark.parametrize("seed", [0, 1])
def test_analysis_contact_matrix_from_codes_equals_the_contact_table_one(seed):
    """NetworkAnalysis.contact_matrix is made from the coded pairs (issue 19): the same matrix as from
    the contact table's ids, for directed and undirected data; a tie end that is not a node is refused."""
    import dataclasses

    from netdash.analysis import NetworkAnalysis

    compared = refused = 0
    for ghost in (False, True):
        for directed in (True, False):
            ds = dataclasses.replace(_messy_dataset(seed, ghost=ghost), directed=directed)
            for period in (None, parse_period("2023-03-01:2023-07-01"), parse_period("1990-01-01:1990-02-01")):
                nodes = graphs.practitioner_nodes(ds, period)
                edges = graphs.contact_edges(ds, period)
                try:
                    ref = GraphMatrix.from_edges(nodes["practitioner_id"], edges["source"], edges["target"],
                                                 directed=True, node_attrs={"agency": nodes["agency"]})
                except InvalidInputError as error:
                    assert ghost
                    with pytest.raises(InvalidInputError, match="not in the node table"):
                        NetworkAnalysis(ds, period).contact_matrix
                    assert "Z99" in str(error)
                    refused += 1
                    continue
                got = NetworkAnalysis(ds, period).contact_matrix
                assert got.directed and got.nodes == ref.nodes and got.node_attrs == ref.node_attrs
                assert got.source.tolist() == ref.source.tolist() and got.target.tolist() == ref.target.tolist()
                assert got.weights == ref.weights == {}
                compared += got.number_of_edges()
    assert compared > 100 and refused


@pytest.mark.parametrize("seed", range(5))
def test_tie_changes_from_codes_equal_those_from_pairs_of_ids(seed):
    # compare_periods hands its ties over as positions in the compared ids (docs/benchmarks.md, "Session 17"):
    # the same table as the pairs of ids, with strengths (some missing), unknown agencies and ids that sort as text.
    import numpy as np

    from netdash.change.dynamics import tie_changes_from_codes

    rng = np.random.default_rng(seed)
    ids = np.array(sorted(f"P{k}" for k in range(40)), dtype=object)  # "P10" < "P2": positions follow the text
    agency = np.array([rng.choice(["A", "B", None]) for _ in ids], dtype=object)
    periods = []
    for _ in range(2):
        pairs = {tuple(sorted(rng.choice(len(ids), 2, replace=False).tolist())) for _ in range(120)}
        i, j = (np.array(side, dtype=np.int64) for side in zip(*sorted(pairs, key=lambda p: rng.random())))
        weight = rng.choice([1.0, 2.0, 3.0, np.nan], len(i))
        periods.append((i, j, weight))
    frames = [pd.DataFrame({"a": ids[i], "b": ids[j], "weight": w}) for i, j, w in periods]
    want = tie_changes_from_pairs(*frames, dict(zip(ids.tolist(), agency.tolist())))
    got = tie_changes_from_codes(ids, *periods, agency)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert set(want["status"]) == {"new", "lost", "kept", "strengthened"}


def test_comparison_makes_its_tie_change_tables_only_when_read(demo):
    # Before & after shows only the counts: the tables of every change (480,000 rows at regional scale) are made
    # when first read (the download, the CLI), once, and their counts are the ones shown.
    first, last = demo.date_range
    before, after = split_at(first, last, demo.first_cop_session)
    got = compare_periods(demo, before, after, permutations=0, bootstrap=0)
    ties, trust = got.tie_change_summaries()
    assert got._tables == {}
    table = got.tie_changes
    assert got.tie_changes is table and set(got._tables) == {2}
    pd.testing.assert_frame_equal(ties, tie_change_summary(table), check_exact=True)
    pd.testing.assert_frame_equal(trust, tie_change_summary(got.trust_tie_changes), check_exact=True)
    assert ties.loc["new", "total"] > 0 and ties.loc["lost", "total"] > 0 and trust.loc["new", "total"] > 0
    assert got.to_json()["tie_changes"]["lost"]["total"] == ties.loc["lost", "total"]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("ties", ["working", "direct", "all"])
def test_period_matrix_counts_what_the_analysis_matrix_counts(seed, ties):
    # Before & after's heat maps count period_matrix (from the coded pairs) instead of the analyses' weighted
    # matrix (from the edge tables' ids): the same mixing matrices, before, after and change.
    from netdash.change.compare import mixing_change
    from netdash.change.headline import period_matrix

    for ghost in (False, True):
        ds = _messy_dataset(seed, ghost=ghost)
        periods = (parse_period("2023-01-01:2023-05-01"), parse_period("2023-05-01:2023-10-01"))
        try:
            want = mixing_change(*(NetworkAnalysis(ds, p, ties=ties).matrix for p in periods))
        except InvalidInputError:  # a tie end that is not a node: period_matrix raises the same
            with pytest.raises(InvalidInputError, match="not in the node table"):
                period_matrix(ds, periods[0], ties=ties)
            continue
        got = mixing_change(*(period_matrix(ds, p, ties=ties, nodes=graphs.practitioner_nodes(ds, p))
                              for p in periods))
        for g, w in zip(got, want):
            pd.testing.assert_frame_equal(g, w, check_exact=True)
        assert got[0].to_numpy().sum() > 10
