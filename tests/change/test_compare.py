"""Comparing two periods: headline measures, QAP, mixing change, uncertainty."""

import json
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from netdash.change.compare import compare_periods, mixing_change, qap_correlation
from netdash.change.headline import headline_measures
from netdash.dataset import Dataset
from netdash.errors import AnalysisError
from netdash.periods import Period

H1 = Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-07-01"))
H2 = Period(pd.Timestamp("2024-07-01"), pd.Timestamp("2025-01-01"))


def _contact(day, a, b):
    return {"date": day, "practitioner_id": a, "with_practitioner_id": b, "contact_type": "phone"}


@pytest.fixture
def ds():
    """Five practitioners in post all year and one (x1) who joined in October.

    First half: h1-h2 (within H), h1-p1 (cross). Second half: h1-p1 again,
    h2-p2 and m1-p2 (cross), x1-h1 (ignored in comparisons: x1 joined).
    """
    prac = [{"practitioner_id": p, "agency_id": p[0].upper(), "role": "worker"}
            for p in ("h1", "h2", "p1", "p2", "m1")]
    prac.append({"practitioner_id": "x1", "agency_id": "H", "start_date": "2024-10-01"})
    return Dataset.from_records(
        agencies=[{"agency_id": a, "name": a} for a in ("H", "P", "M", "X")],
        practitioners=prac,
        contacts=[_contact("2024-02-01", "h1", "h2"), _contact("2024-03-01", "h1", "p1"),
                  _contact("2024-08-01", "h1", "p1"), _contact("2024-08-02", "h2", "p2"),
                  _contact("2024-09-01", "m1", "p2"), _contact("2024-11-01", "x1", "h1")],
    )


def test_headline_measures_by_hand(ds):
    got = headline_measures(ds, H1)
    assert got["n_practitioners"] == 5      # x1 not yet in post
    assert got["n_ties"] == 2
    assert got["cross_agency_share"] == 0.5
    assert got["ei_index"] == 0.0           # (1 - 1) / 2
    assert got["isolates"] == 2             # p2 and m1
    assert got["trust_ties"] == 0
    # Components {h1, h2, p1} and two isolates: 1 - 3*2 / (5*4) = 0.7 (Borgatti 2006).
    assert got["fragmentation"] == pytest.approx(0.7)
    # Path h2 - h1 - p1: constraint 1, 0.5, 1 (Burt 1992) -> mean 2.5 / 3.
    assert got["mean_constraint"] == pytest.approx(2.5 / 3)


def test_headline_measures_of_empty_period_are_nan(ds):
    got = headline_measures(ds, Period(pd.Timestamp("2023-01-01"), pd.Timestamp("2023-02-01")))
    assert got["n_ties"] == 0
    assert all(math.isnan(got[k]) for k in ("cross_agency_share", "ei_index", "mean_constraint", "agency_nmi"))


@pytest.mark.slow  # 100 bootstrap replicates
def test_compare_periods_measures_and_rule(ds):
    cmp = compare_periods(ds, H1, H2, bootstrap=100, permutations=100)
    # x1 is dropped: in post only in the second half.
    assert cmp.practitioners["compared"] == 5
    assert (cmp.practitioners["before_only"], cmp.practitioners["after_only"]) == (0, 1)
    m = cmp.measures
    assert (m.loc["n_ties", "before"], m.loc["n_ties", "after"], m.loc["n_ties", "change"]) == (2, 3, 1)
    assert m.loc["cross_agency_share", "after"] == 1.0
    assert m.loc["isolates", "change"] == -2   # p2 and m1 isolated -> nobody
    assert m.loc["ei_index", "change"] == pytest.approx(1.0)
    for name, row in m.iterrows():
        assert row["ci_low"] <= row["ci_high"], name
        assert 0 < row["p_value"] <= 1, name
        assert "node bootstrap" in row["method"], name
    statuses = dict(zip(zip(cmp.tie_changes["a"], cmp.tie_changes["b"]), cmp.tie_changes["status"]))
    assert statuses == {("h2", "p2"): "new", ("m1", "p2"): "new", ("h1", "h2"): "lost", ("h1", "p1"): "kept"}
    assert cmp.qap["n_practitioners"] == 5 and cmp.qap["n_dropped"] == 1


def test_identical_periods_show_no_change_and_p_of_one(ds):
    cmp = compare_periods(ds, H1, H1, bootstrap=30, permutations=30)
    m = cmp.measures.drop(index="agency_nmi")   # NaN-free measures only
    finite = m[m["change"].notna()]
    assert (finite["change"] == 0).all()
    assert (finite["p_value"] == 1.0).all()     # every permutation is at least as extreme as 0
    assert (finite["ci_low"] == 0).all() and (finite["ci_high"] == 0).all()
    assert cmp.qap["correlation"] == pytest.approx(1.0)


def test_to_json_is_serialisable_with_nulls(ds):
    out = compare_periods(ds, H1, H2, bootstrap=5, permutations=5).to_json()
    text = json.dumps(out, allow_nan=False)
    assert '"measure": "n_ties"' in text
    assert out["tie_changes"]["new"] == {"within_agency": 0, "cross_agency": 2, "total": 2}
    # h1-p1 is the one pair tied in both periods (kept, not strengthened): still tied.
    assert out["tie_changes"]["still_tied"] == {"within_agency": 0, "cross_agency": 1, "total": 1}
    assert out["before"] == {"start": "2024-01-01", "end": "2024-07-01"}


def test_compare_needs_three_common_practitioners(ds):
    early = Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"))
    small = Dataset.from_records(agencies=ds.agencies, practitioners=ds.practitioners.iloc[:2],
                                 contacts=[_contact("2024-01-05", "h1", "h2")])
    with pytest.raises(AnalysisError, match="Only 2 practitioner.* at least 3 are needed"):
        compare_periods(small, early, early)


def test_qap_identical_graphs():
    G = nx.gnp_random_graph(20, 0.2, seed=3)
    out = qap_correlation(G, G, permutations=199, seed=1)
    assert out["correlation"] == pytest.approx(1.0)
    assert out["p_value"] == pytest.approx(1 / 200)


def test_qap_hand_worked_correlation():
    # Pairs (01,02,03,12,13,23): x = 1,0,0,1,0,0 and y = 1,0,0,0,0,1.
    # cov sum = 1/3, each sum of squares = 4/3, so r = 0.25.
    A = nx.Graph([(0, 1), (1, 2)]); A.add_node(3)
    B = nx.Graph([(0, 1), (2, 3)])
    assert qap_correlation(A, B, permutations=0)["correlation"] == pytest.approx(0.25)


def test_qap_node_missing_from_one_graph_is_an_isolate():
    A = nx.Graph([(0, 1), (1, 2)])
    B = nx.Graph([(0, 1)])
    out = qap_correlation(A, B, nodes=[0, 1, 2], permutations=0)
    # x = 1,0,1 and y = 1,0,0 over pairs (01, 02, 12): r = 0.5.
    assert out["correlation"] == pytest.approx(0.5)


def test_qap_constant_matrix_is_nan():
    A = nx.empty_graph(4)
    out = qap_correlation(A, nx.path_graph(4), permutations=10)
    assert math.isnan(out["correlation"]) and math.isnan(out["p_value"])


def test_qap_needs_three_practitioners():
    with pytest.raises(AnalysisError, match="at least 3 practitioners"):
        qap_correlation(nx.path_graph(2), nx.path_graph(2))


def test_mixing_change_aligns_agencies():
    G1 = nx.Graph([("h1", "p1"), ("h1", "h2")])
    nx.set_node_attributes(G1, {"h1": "H", "h2": "H", "p1": "P"}, "agency")
    G2 = nx.Graph([("h1", "m1")])
    nx.set_node_attributes(G2, {"h1": "H", "m1": "M"}, "agency")
    before, after, diff = mixing_change(G1, G2)
    assert list(diff.index) == ["H", "M", "P"] == list(diff.columns)
    assert before.loc["H", "H"] == 1 and before.loc["M", "M"] == 0
    assert diff.loc["H", "P"] == -1 and diff.loc["H", "M"] == 1 and diff.loc["M", "H"] == 1
    assert diff.loc["H", "H"] == -1


@pytest.mark.parametrize("seed", range(20))
def test_mixing_change_of_graph_matrices_equals_that_of_the_graphs(seed):
    # Before & after's heat maps count the analyses' GraphMatrix ties, not their networkx graphs' (issue 19).
    from netdash.metrics.matrix import GraphMatrix

    rng = np.random.default_rng(seed)
    graphs, matrices = [], []
    for _ in range(2):
        n = int(rng.integers(2, 40))
        ids = [f"P{i:03d}" for i in rng.choice(100, n, replace=False)]
        agency = {v: str(rng.choice(list("ABCD"))) for v in ids}
        ends = rng.choice(ids, size=(int(rng.integers(0, 3 * n)), 2))  # repeated pairs and self-loops too
        G = nx.Graph()
        G.add_nodes_from((v, {"agency": agency[v]}) for v in ids)
        G.add_edges_from(map(tuple, ends))
        graphs.append(G)
        matrices.append(GraphMatrix.from_edges(ids, ends[:, 0], ends[:, 1], node_attrs={"agency": list(agency.values())}))
    for got, want in zip(mixing_change(*matrices), mixing_change(*graphs)):
        pd.testing.assert_frame_equal(got, want)
    assert mixing_change(*matrices)[1].to_numpy().sum() >= 0


def networkx_headline(G, T, seed):
    """The headline measures computed from networkx graphs, measure by measure: an independent path."""
    from netdash.metrics.communities import agency_nmi
    from netdash.metrics.fragmentation import fragmentation
    from netdash.metrics.mixing import ei_index
    from netdash.metrics.structural_holes import constraint

    agency = nx.get_node_attributes(G, "agency")
    m = G.number_of_edges()
    cons = [c for c in constraint(G).values() if np.isfinite(c)]
    return {
        "n_practitioners": G.number_of_nodes(), "n_ties": m,
        "cross_agency_share": sum(agency.get(u) != agency.get(v) for u, v in G.edges()) / m,
        "ei_index": ei_index(G), "fragmentation": fragmentation(G), "isolates": nx.number_of_isolates(G),
        "trust_ties": T.number_of_edges(), "mean_constraint": float(np.mean(cons)),
        "agency_nmi": agency_nmi(G, seed=seed),
    }


@pytest.mark.parametrize("ties", ["working", "direct", "all"])
def test_headline_measures_are_the_networkx_answers_on_the_demo(demo_source, ties):
    # headline_measures builds one GraphMatrix from the period's edge tables; every value, Louvain's NMI
    # included, must be what the networkx graph of the same period gives, to the last bit.
    from netdash.networks import graphs
    from netdash.ingest import load_dataset
    from netdash.metrics.trust import trust_graph

    demo = load_dataset(demo_source, secret=b"test-compare")[0]
    for period in (H1, H2):
        G, T = graphs.practitioner_graph(demo, period, ties=ties), trust_graph(demo, period)
        got = headline_measures(demo, period, ties=ties, seed=3)
        assert G.number_of_edges() > 100
        assert got == pytest.approx(networkx_headline(G, T, seed=3), rel=1e-12)
        assert got["agency_nmi"] == networkx_headline(G, T, seed=3)["agency_nmi"]


def test_qap_tied_cells_of_a_directed_graph_keep_direction():
    from netdash.metrics.qap import _tied_cells

    # a=0, b=1, c=2: a->b is cell 0*3+1, c->a is cell 2*3+0; z is not compared.
    assert _tied_cells(nx.DiGraph([("a", "b"), ("c", "a"), ("z", "a")]), ["a", "b", "c"], True).tolist() == [1, 6]
    assert _tied_cells(nx.Graph([("c", "a"), ("a", "c")]), ["a", "b", "c"], False).tolist() == [2]
    assert _tied_cells(nx.Graph(), ["a", "b"], False).tolist() == []


def _qap_dense_reference(G_before, G_after, nodes, permutations, seed):
    """The dense-matrix QAP this module had before (kept as the reference)."""
    n = len(nodes)
    pos = {v: k for k, v in enumerate(nodes)}

    def adjacency(G):
        M = np.zeros((n, n))
        for u, v in G.edges():
            if u in pos and v in pos:
                M[pos[u], pos[v]] = 1
                if not G.is_directed():
                    M[pos[v], pos[u]] = 1
        return M

    def corr(x, y):
        return float("nan") if x.std() == 0 or y.std() == 0 else float(np.corrcoef(x, y)[0, 1])

    A, B = adjacency(G_before), adjacency(G_after)
    rows, cols = np.triu_indices(n, 1) if not G_before.is_directed() else np.nonzero(~np.eye(n, dtype=bool))
    x = A[rows, cols]
    r = corr(x, B[rows, cols])
    rng, hits = np.random.default_rng(seed), 0
    for _ in range(permutations):
        perm = rng.permutation(n)
        hits += corr(x, B[perm[rows], perm[cols]]) >= r - 1e-12
    return r, (1 + hits) / (1 + permutations)


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_qap_from_tie_counts_equals_the_dense_matrices(directed, seed):
    # Random graphs with self-loops and a node missing from one graph; correlation to 1e-12, p-value exactly.
    G1 = nx.gnp_random_graph(25, 0.2 + 0.05 * seed, seed=seed, directed=directed)
    G2 = nx.gnp_random_graph(25, 0.3, seed=seed + 100, directed=directed)
    G2.add_edges_from(list(G1.edges())[: 10 * seed])  # some overlap, more with the seed
    G1.add_edge(3, 3)
    G2.remove_node(7)
    nodes = list(range(25))
    out = qap_correlation(G1, G2, nodes=nodes, permutations=99, seed=seed)
    r, p = _qap_dense_reference(G1, G2, nodes, 99, seed)
    assert out["correlation"] == pytest.approx(r, abs=1e-12)
    assert out["p_value"] == p


def test_the_ends_of_a_snapshots_ties_are_read_in_their_order():
    # _ends reads the pairs flat (no tuple list); the same arrays as np.array(list(ties)).
    import random

    from netdash.change._replicates import _ends

    rng = random.Random(5)
    edges = {(rng.randrange(300), rng.randrange(300)): rng.random() for _ in range(2000)}
    trust = set(list(edges)[:700])
    for ties in (edges, trust, {}, set()):
        expected = np.array(list(ties), dtype=np.int64).reshape(-1, 2)
        i, j = _ends(ties)
        assert i.tolist() == expected[:, 0].tolist() and j.tolist() == expected[:, 1].tolist()
        assert i.dtype == j.dtype == np.int64


@pytest.mark.parametrize("seed", range(20))
def test_a_snapshot_read_from_the_tables_holds_the_ties_the_dict_and_set_held(seed):
    # Session 18: _snapshot keeps the tables' ties as arrays and makes the dict and set only for the replicates.
    from netdash.change._replicates import _Snapshot, _snapshot

    rng = np.random.default_rng(seed)
    ids = [f"p{k:02d}" for k in rng.permutation(30)]
    index = sorted(rng.choice(ids, 20, replace=False).tolist())
    nodes = pd.DataFrame({"practitioner_id": ids, "agency": rng.choice(list("AB"), 30)})
    ends = rng.choice(ids, size=(60, 2))
    if seed % 2:  # a pair listed twice, the other way round: the dict keeps its first place and last weight
        ends = np.vstack([ends, ends[:1, ::-1]])
    edges = pd.DataFrame({"source": ends[:, 0], "target": ends[:, 1], "weight": rng.integers(1, 9, len(ends))})
    trust = pd.DataFrame({"a": ends[:25, 0], "b": ends[:25, 1], "is_trust_tie": rng.random(25) < 0.6})
    got = _snapshot(nodes, edges, trust, index)
    where = pd.Index(index)
    i, j = where.get_indexer(edges["source"]), where.get_indexer(edges["target"])
    keep = (i >= 0) & (j >= 0) & (i != j)
    want_edges = dict(zip(zip(np.minimum(i, j)[keep].tolist(), np.maximum(i, j)[keep].tolist()),
                          edges["weight"][keep].tolist()))
    t = trust[trust["is_trust_tie"]]
    i, j = where.get_indexer(t["a"]), where.get_indexer(t["b"])
    keep = (i >= 0) & (j >= 0) & (i != j)
    want_trust = set(zip(np.minimum(i, j)[keep].tolist(), np.maximum(i, j)[keep].tolist()))
    assert list(got.edges.items()) == list(want_edges.items()) and got.trust == want_trust
    old = _Snapshot(got.attrs, want_edges, want_trust)  # as _swapped makes them: from the dict and the set
    for a, b in zip(got.tie_arrays(), old.tie_arrays()):
        assert a.tolist() == b.tolist() and a.dtype.kind == b.dtype.kind
    assert sorted(zip(*got.trust_arrays())) == sorted(zip(*old.trust_arrays())) == sorted(want_trust)
    (m1, t1), (m2, t2) = got.matrix(), old.matrix()
    assert (m1.source.tolist(), m1.target.tolist(), t1) == (m2.source.tolist(), m2.target.tolist(), t2)
    assert len(want_edges) > 5
