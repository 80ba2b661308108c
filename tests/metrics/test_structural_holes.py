"""Tests for Burt's constraint and effective size (netdash.metrics.structural_holes).

Expected values for Borgatti's example are those in networkx's own test-suite
(networkx/algorithms/tests/test_structuralholes.py, networkx 3.6), which were
computed with UCINET and igraph and checked by hand. The graph is the example
of Borgatti, S. P. (1997), "Structural holes: unpacking Burt's redundancy
measures", Connections 20(1), 35-38.
"""

import math

import networkx as nx
import pytest

from netdash.errors import InvalidInputError
from netdash.metrics import structural_holes as holes_module
from netdash.metrics.structural_holes import (
    EXPLANATIONS,
    constraint,
    effective_size,
    structural_holes,
)

BORGATTI_EDGES = {
    ("A", "B"): 2,
    ("A", "F"): 3,
    ("A", "G"): 5,
    ("A", "E"): 2,
    ("E", "G"): 8,
    ("F", "G"): 3,
    ("B", "G"): 4,
    ("B", "D"): 1,
    ("D", "G"): 3,
    ("G", "C"): 10,
}
DIRECTED_WEIGHTS = {(0, 1): 2, (0, 2): 2, (1, 0): 1, (2, 1): 1}


@pytest.fixture(autouse=True, params=["scipy", "masked", "graphblas"])
def products(request, monkeypatch):
    """Run every test with the three ways of taking the products at ties (by size, in the library)."""
    monkeypatch.setattr(holes_module, "_GRAPHBLAS_MIN_WORK", -1.0 if request.param == "graphblas" else 1e30)
    monkeypatch.setattr(holes_module, "_MASKED_MIN_WORK", -1.0 if request.param == "masked" else 1e30)
    monkeypatch.setattr(holes_module, "_MASKED_MAX_FILL", math.inf)
    return request.param


@pytest.fixture
def borgatti():
    G = nx.Graph()
    for (u, v), w in BORGATTI_EDGES.items():
        G.add_edge(u, v, weight=w)
    return G


@pytest.fixture
def small_digraph():
    D = nx.DiGraph()
    for (u, v), w in DIRECTED_WEIGHTS.items():
        D.add_edge(u, v, weight=w)
    return D


def test_borgatti_constraint_unweighted(borgatti):
    c = constraint(borgatti)
    assert c["G"] == pytest.approx(0.400, abs=1e-3)
    assert c["A"] == pytest.approx(0.595, abs=1e-3)
    assert c["C"] == pytest.approx(1.0, abs=1e-3)


def test_borgatti_effective_size_unweighted(borgatti):
    e = effective_size(borgatti)
    assert e["G"] == pytest.approx(4.67, abs=1e-2)
    assert e["A"] == pytest.approx(2.50, abs=1e-2)
    assert e["C"] == pytest.approx(1.0, abs=1e-2)


def test_borgatti_weighted(borgatti):
    c = constraint(borgatti, weight="weight")
    e = effective_size(borgatti, weight="weight")
    assert (c["G"], c["A"], c["C"]) == pytest.approx((0.299, 0.795, 1.0), abs=1e-3)
    assert (e["G"], e["A"], e["C"]) == pytest.approx((5.47, 2.47, 1.0), abs=1e-2)


def test_directed_unweighted_networkx_values(small_digraph):
    c = constraint(small_digraph)
    e = effective_size(small_digraph)
    assert (c[0], c[1], c[2]) == pytest.approx((1.003, 1.003, 1.389), abs=1e-3)
    assert (e[0], e[1], e[2]) == pytest.approx((1.167, 1.167, 1.0), abs=1e-3)


def test_directed_weighted_networkx_values(small_digraph):
    c = constraint(small_digraph, weight="weight")
    e = effective_size(small_digraph, weight="weight")
    assert (c[0], c[1], c[2]) == pytest.approx((0.840, 1.143, 1.378), abs=1e-3)
    assert (e[0], e[1], e[2]) == pytest.approx((1.567, 1.083, 1.0), abs=1e-3)


def test_in_only_node_gets_finite_values_from_the_definition():
    # b only receives ties (from a, c, d); a and c are also tied.
    # p_b. = 1/3 each; constraint(b) = (1/3 + 1/3*1/2)^2 * 2 + (1/3)^2 = 11/18.
    # effective size(b) = 3 - 2*1/3 = 7/3 (Borgatti's n - 2t/n).
    D = nx.DiGraph([("a", "b"), ("c", "b"), ("d", "b"), ("a", "c")])
    assert constraint(D)["b"] == pytest.approx(11 / 18)
    assert effective_size(D)["b"] == pytest.approx(7 / 3)


def test_isolate_has_nan_constraint_and_zero_effective_size(borgatti):
    borgatti.add_node("alone")
    table = structural_holes(borgatti)
    assert math.isnan(table.loc["alone", "constraint"])
    assert table.loc["alone", "effective_size"] == 0.0
    assert table.loc["G", "constraint"] == pytest.approx(0.400, abs=1e-3)


@pytest.mark.parametrize("graph_type", [nx.Graph, nx.DiGraph])
def test_self_loops_are_removed_first(graph_type):
    G = graph_type([("a", "b"), ("b", "c"), ("a", "c"), ("a", "a")])
    H = graph_type([("a", "b"), ("b", "c"), ("a", "c")])
    assert constraint(G) == pytest.approx(constraint(H))
    assert effective_size(G) == pytest.approx(effective_size(H))
    lonely = graph_type([("z", "z")])
    assert math.isnan(constraint(lonely)["z"])
    assert effective_size(lonely)["z"] == 0.0


def test_star_hub_and_leaf():
    G = nx.star_graph(["hub", "a", "b", "c"])
    c = constraint(G)
    assert c["hub"] == pytest.approx(3 * (1 / 3) ** 2)
    assert c["a"] == pytest.approx(1.0)


def test_empty_graph_gives_empty_table():
    assert structural_holes(nx.Graph()).empty
    assert constraint(nx.Graph()) == {}


def test_negative_weight_is_rejected():
    G = nx.Graph()
    G.add_edge("a", "b", weight=-1)
    with pytest.raises(InvalidInputError, match="'weight' has negative values"):
        constraint(G, weight="weight")


def test_explanations_cover_both_fields():
    assert set(EXPLANATIONS) == {"constraint", "effective_size"}


def _random_weighted(n=300, p=0.08, seed=5):
    G = nx.gnp_random_graph(n, p, seed=seed)
    for i, (u, v) in enumerate(G.edges()):
        G.edges[u, v]["weight"] = 1 + i % 7
    return G


def test_random_graph_matches_networkx():
    G = _random_weighted()
    table = structural_holes(G)
    assert table["constraint"].to_dict() == pytest.approx(nx.constraint(G), abs=1e-12)
    assert table["effective_size"].to_dict() == pytest.approx(nx.effective_size(G), abs=1e-10)
    assert constraint(G, weight="weight") == pytest.approx(nx.constraint(G, weight="weight"), abs=1e-12)


def test_graphblas_and_scipy_products_agree_weighted(monkeypatch):
    G = _random_weighted()
    monkeypatch.setattr(holes_module, "_GRAPHBLAS_MIN_WORK", 1e30)
    by_scipy = structural_holes(G, weight="weight")
    monkeypatch.setattr(holes_module, "_GRAPHBLAS_MIN_WORK", -1.0)
    by_graphblas = structural_holes(G, weight="weight")
    assert (by_graphblas - by_scipy).abs().max().max() < 1e-12


def test_graphblas_is_loaded_without_numba():
    # python-graphblas imports numba (1.3 s) when installed; netdash blocks that import.
    import subprocess
    import sys

    code = ("import sys, networkx as nx; from netdash.metrics import structural_holes as h; "
            "h._GRAPHBLAS_MIN_WORK = -1; h.structural_holes(nx.karate_club_graph()); "
            "print('graphblas' in sys.modules, 'numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False"]


def test_weighted_effective_size_by_hand():
    # Triangle a-b-c (weights 1, 2, 3) with pendant d on c. For b: p_ba = 1/4, p_bc = 3/4;
    # m_ac = 2/2 = 1, m_ca = 2/3 (each over the alter's strongest tie).
    # e_b = (1 - p_bc m_ac) + (1 - p_ba m_ca) = 1/4 + 5/6 = 13/12.
    # networkx 3.6.1's whole-graph path gives 1.25 here (row-max broadcast along the wrong axis:
    # networkx PR #8906, open); its per-node path (nodes=[...]) gives 13/12.
    G = nx.Graph([("a", "b", {"weight": 1}), ("a", "c", {"weight": 2}), ("b", "c", {"weight": 3}),
                  ("c", "d", {"weight": 1})])
    ours = effective_size(G, weight="weight")
    assert ours["b"] == pytest.approx(13 / 12)
    assert ours == pytest.approx(nx.effective_size(G, weight="weight", nodes=list(G)))


@pytest.mark.parametrize("directed", [False, True])
def test_unweighted_graphblas_products_are_the_default_methods_floats(monkeypatch, directed):
    """Unweighted, the redundancy product runs SuiteSparse's row-by-row method: the floats must be those of its
    default method, bit for bit (each entry sums copies of one number), on graphs with varied degrees."""
    import numpy as np
    import scipy.sparse as sp

    monkeypatch.setattr(holes_module, "_GRAPHBLAS_MIN_WORK", -1.0)  # whichever the autouse fixture chose
    gb = holes_module._graphblas()
    G = nx.gnp_random_graph(300, 0.05, seed=11, directed=directed)
    G.add_edges_from((0, v) for v in range(1, 120))  # one hub
    table = structural_holes(G)
    M = holes_module._mutual_weights(G, None)
    P, Mx, _ = holes_module._proportions(M)
    ties = M > 0
    mask = gb.io.from_scipy_sparse(sp.csr_matrix(ties)).S
    R = gb.Matrix(float, *P.shape)
    R(mask=mask) << gb.io.from_scipy_sparse(sp.csr_matrix(P)).mxm(
        gb.io.from_scipy_sparse(sp.csr_matrix(Mx)).T, gb.semiring.plus_times)
    degree = np.asarray(ties.sum(axis=1)).ravel().astype(float)
    default = degree - R.reduce_rowwise(gb.monoid.plus).new().to_dense(fill_value=0.0)
    assert table["effective_size"].to_numpy().tobytes() == default.tobytes()


# Constraint's masked product (_square_at_ties, between _MASKED_MIN_WORK and _GRAPHBLAS_MIN_WORK): scipy's floats
# to the bit, whatever serves the call (Over time's windows, Before & after's comparison, netdash metrics).


def _scipy_then_masked(monkeypatch, f):
    """``f()`` with scipy's whole product, then with the masked one."""
    monkeypatch.setattr(holes_module, "_GRAPHBLAS_MIN_WORK", 1e30)
    monkeypatch.setattr(holes_module, "_MASKED_MIN_WORK", 1e30)
    reference = f()
    monkeypatch.setattr(holes_module, "_MASKED_MIN_WORK", -1.0)
    return reference, f()


def _random_matrix(seed, n=150, ties=2500, isolates=3):
    import numpy as np

    from netdash.metrics.matrix import GraphMatrix

    rng = np.random.default_rng(seed)
    source, target = rng.integers(0, n - isolates, ties), rng.integers(0, n - isolates, ties)
    agencies = [f"A{i % 7}" for i in range(n)]
    return GraphMatrix([f"P{i:03d}" for i in range(n)], source, target, node_attrs={"agency": agencies})


def _random_networkx(seed, directed):
    import numpy as np

    rng = np.random.default_rng(seed)
    G = nx.gnp_random_graph(120, 0.12, seed=seed, directed=directed)
    G.add_nodes_from(["iso1", "iso2"])  # isolates
    G.add_edges_from((v, v) for v in range(0, 120, 9))  # self-loops
    G.add_edges_from((0, v) for v in range(1, 60))  # a hub
    for u, v in G.edges():
        G.edges[u, v]["weight"] = float(rng.choice([1, 2, 3, 0.5, 7.25]))
    return G


def _bits(values):
    import numpy as np

    return np.array(list(values), dtype=float).tobytes()


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_masked_product_gives_scipys_constraint_to_the_bit(monkeypatch, seed):
    import numpy as np

    M = _random_matrix(seed)
    old, new = _scipy_then_masked(monkeypatch, lambda: constraint(M))
    assert _bits(new.values()) == _bits(old.values())
    got = np.array(list(new.values()))
    assert np.isnan(got[-3:]).all() and np.isfinite(got[:-3]).all()  # isolates NaN


@pytest.mark.parametrize("name", ["karate", "florentine", "davis"])
def test_masked_product_on_the_classics(monkeypatch, name):
    G = {"karate": nx.karate_club_graph, "florentine": nx.florentine_families_graph,
         "davis": nx.davis_southern_women_graph}[name]()
    weight = "weight" if name == "karate" else None  # karate's ties carry weights
    old, new = _scipy_then_masked(monkeypatch, lambda: structural_holes(G, weight=weight))
    assert old["constraint"].to_numpy().tobytes() == new["constraint"].to_numpy().tobytes()
    assert old["effective_size"].to_numpy().tobytes() == new["effective_size"].to_numpy().tobytes()


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("weight", [None, "weight"])
def test_masked_product_on_random_graphs_with_isolates_self_loops_and_weights(monkeypatch, seed, directed, weight):
    G = _random_networkx(seed, directed)
    old, new = _scipy_then_masked(monkeypatch, lambda: constraint(G, weight=weight))
    assert list(new) == list(old)
    assert _bits(new.values()) == _bits(old.values())
    assert math.isnan(new["iso1"]) and math.isnan(new["iso2"])


def test_masked_product_serves_the_middle_sizes_only(monkeypatch):
    # Between the thresholds constraint's product is masked, effective size's is not; above, GraphBLAS takes both.
    calls = []
    real = holes_module._square_at_ties
    monkeypatch.setattr(holes_module, "_square_at_ties", lambda *a: calls.append(1) or real(*a))
    G = _random_networkx(0, False)
    monkeypatch.setattr(holes_module, "_GRAPHBLAS_MIN_WORK", 1e30)
    monkeypatch.setattr(holes_module, "_MASKED_MIN_WORK", -1.0)
    effective_size(G)
    assert calls == []
    constraint(G)
    assert calls == [1]
    monkeypatch.setattr(holes_module, "_MASKED_MIN_WORK", 1e30)
    constraint(G)
    monkeypatch.setattr(holes_module, "_GRAPHBLAS_MIN_WORK", -1.0)
    monkeypatch.setattr(holes_module, "_MASKED_MIN_WORK", -1.0)
    constraint(G)
    assert calls == [1]
    # A full product (work above a quarter of n^2: a clique) keeps scipy's; a sparse one (a ring) is masked.
    monkeypatch.setattr(holes_module, "_GRAPHBLAS_MIN_WORK", 1e30)
    monkeypatch.setattr(holes_module, "_MASKED_MAX_FILL", 0.25)
    constraint(nx.complete_graph(60))
    assert calls == [1]
    constraint(nx.cycle_graph(200))
    assert calls == [1, 1]


def test_the_order_of_the_terms_matters_on_these_graphs():
    # The guard that makes the tests above able to fail: adding each entry's terms in increasing q (scipy's
    # product of P with its rows sorted) changes some constraint values in their last bits.
    import numpy as np

    changed = 0
    for seed in range(4):
        W = holes_module._mutual_weights(_random_matrix(seed), None)
        P = holes_module._proportions(W)[0]
        ties = W > 0
        masked = holes_module._square_at_ties(ties, P)
        assert masked is not None
        Ps = P.sorted_indices()
        increasing = (Ps @ Ps).multiply(ties)
        ours = np.asarray((P + masked).power(2).sum(axis=1)).ravel()
        other = np.asarray((P + increasing).power(2).sum(axis=1)).ravel()
        changed += int(np.count_nonzero(ours != other))
    assert changed > 0


def test_rows_not_stored_backwards_are_left_to_scipy():
    import scipy.sparse as sp

    W = holes_module._mutual_weights(_random_matrix(0), None)
    P = sp.csr_array(holes_module._proportions(W)[0].sorted_indices())
    assert holes_module._square_at_ties(W > 0, P) is None


def test_network_headline_is_the_same_with_the_masked_product(monkeypatch):
    from netdash.change.headline import network_headline

    for seed in range(3):
        M = _random_matrix(seed)
        old, new = _scipy_then_masked(monkeypatch, lambda: network_headline(M, 4))
        assert list(old) == list(new)
        assert all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(old.values(), new.values()))
        assert str(old["mean_constraint"]) == str(new["mean_constraint"])


def test_masked_product_on_the_demos_periods(monkeypatch, demo_source):
    # The bundled demo's quarters (Over time's windows), working and direct ties.
    from netdash.change.headline import period_matrix
    from netdash.change.windows import windows
    from netdash.ingest import load_dataset

    ds = load_dataset(demo_source, secret=b"test-holes")[0]
    first, last = ds.date_range
    checked = 0
    for w in windows(first, last, freq="quarter"):
        for ties in ("working", "direct"):
            M = period_matrix(ds, w, ties=ties)
            if not M.number_of_edges():
                continue
            old, new = _scipy_then_masked(monkeypatch, lambda: constraint(M))
            assert _bits(new.values()) == _bits(old.values())
            checked += 1
    assert checked > 4
