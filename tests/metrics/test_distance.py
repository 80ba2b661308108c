"""Tests for distance-weighted fragmentation, exact and sampled (netdash.metrics.distance)."""

import networkx as nx
import numpy as np
import pytest

from netdash.errors import InvalidInputError
from netdash.metrics.matrix import GraphMatrix
from netdash.metrics.distance import distance_weighted_fragmentation_estimate as estimate
from netdash.metrics.fragmentation import distance_weighted_fragmentation


def _reference(G):
    """Borgatti's formula straight from networkx's shortest path lengths."""
    n = len(G)
    inverse = sum(1 / d for _, lengths in nx.all_pairs_shortest_path_length(G) for d in lengths.values() if d)
    return 1 - inverse / (n * (n - 1))


def _two_villages(n=600, seed=0):
    """Two dense clusters joined by a few ties, plus isolates: distances 1 to 4 and unreachable pairs."""
    G = nx.union(nx.gnp_random_graph(n // 2, 0.05, seed=seed), nx.gnp_random_graph(n // 2, 0.05, seed=seed + 1),
                 rename=("a", "b"))
    G.add_edges_from([("a0", "b0"), ("a1", "b1")])
    G.add_nodes_from(["lone1", "lone2"])
    return G


@pytest.mark.parametrize("G", [nx.path_graph(3), nx.karate_club_graph(), nx.florentine_families_graph(),
                               _two_villages(120)], ids=["path", "karate", "florentine", "villages"])
def test_exact_matches_borgatti_formula(G):
    result = estimate(G)
    assert (result.method, result.sources, result.standard_error) == ("exact", len(G), 0.0)
    assert result.value == pytest.approx(_reference(G), abs=1e-12)
    assert result.value == pytest.approx(distance_weighted_fragmentation(G), abs=1e-12)


def test_path_of_three_by_hand():
    # Ordered pairs: four at distance 1, two at distance 2: 1 - (4 + 1) / 6.
    assert estimate(nx.path_graph(3)).value == pytest.approx(1 / 6)


def test_sampled_estimate_is_within_its_standard_error_and_stated():
    G = _two_villages()
    exact = _reference(G)
    m = G.number_of_edges()
    result = estimate(G, max_work=300 * m, tolerance=1e-6, seed=3)  # room for 300 sources
    assert result.method == "sampled"
    assert result.sources == 300
    assert 0 < result.standard_error < 0.02
    assert abs(result.value - exact) < 4 * result.standard_error
    assert estimate(G, max_work=300 * m, tolerance=1e-6, seed=3) == result  # seeded
    assert estimate(G, max_work=300 * m, tolerance=1e-6, seed=4).value != result.value


def test_sampling_stops_at_the_tolerance():
    G = _two_villages()
    loose = estimate(G, max_work=len(G) * G.number_of_edges() - 1, tolerance=0.05)
    assert (loose.method, loose.sources) == ("sampled", 64)  # one batch is enough
    assert loose.standard_error <= 0.05


def test_sampling_all_but_one_node_has_almost_no_error():
    # Without replacement: the finite-population factor sqrt(1 - k/n) shrinks the error to near 0.
    G = _two_villages(200)
    result = estimate(G, max_work=len(G) * G.number_of_edges() - 1, tolerance=1e-12)
    assert result.sources == len(G) - 1
    assert result.standard_error < 0.002
    assert abs(result.value - _reference(G)) <= 4 * result.standard_error


def test_a_small_graph_is_exact_even_over_budget():
    # At least 128 sources are searched; for 100 nodes that is everyone, so the answer is exact.
    G = nx.gnp_random_graph(100, 0.1, seed=1)
    result = estimate(G, max_work=10)
    assert (result.method, result.sources, result.standard_error) == ("exact", 100, 0.0)


def test_directed_graph_uses_undirected_distances():
    D = nx.DiGraph([("a", "b"), ("c", "b")])
    assert estimate(D).value == pytest.approx(_reference(D.to_undirected()))
    M = GraphMatrix.from_graph(D)
    assert estimate(M).value == pytest.approx(_reference(D.to_undirected()))


def test_graph_matrix_gives_the_networkx_answer_exact_and_sampled():
    G = _two_villages(300)
    M = GraphMatrix.from_graph(G)
    work = 100 * G.number_of_edges()
    assert estimate(M).value == pytest.approx(estimate(G).value, abs=1e-12)
    assert estimate(M, max_work=work) == estimate(G, max_work=work)


def test_an_unlimited_budget_is_exact():
    G = _two_villages(120)
    result = estimate(G, max_work=float("inf"))
    assert (result.method, result.sources) == ("exact", len(G))
    assert result.value == pytest.approx(_reference(G), abs=1e-12)


def test_small_and_empty_graphs():
    assert estimate(nx.empty_graph(1)).value == 0.0
    assert estimate(nx.empty_graph(5)).value == 1.0  # nobody reaches anybody


@pytest.mark.parametrize("option", ["max_work", "tolerance"])
@pytest.mark.parametrize("bad", [0, -1.0, np.nan])
def test_bad_options_are_refused(option, bad):
    with pytest.raises(InvalidInputError, match=f"{option} must be a positive number"):
        estimate(nx.path_graph(3), **{option: bad})
