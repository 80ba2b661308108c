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


@pytest.fixture(autouse=True, params=["scipy", "graphblas"])
def products(request, monkeypatch):
    """Run every test with both ways of taking the products at ties (scipy below the size threshold)."""
    monkeypatch.setattr(holes_module, "_GRAPHBLAS_MIN_WORK", 1e30 if request.param == "scipy" else -1.0)
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
