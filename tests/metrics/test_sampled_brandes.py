"""Tests for sampled betweenness as sparse products (netdash.metrics._sampled_brandes) against NetworKit's."""

import networkx as nx
import numpy as np
import pytest

import netdash.metrics.centrality as centrality
from netdash.metrics._sampled_brandes import _Searches, _sources, sampled_batches
from netdash.metrics.backends import networkit
from netdash.metrics.centrality import betweenness_estimate
from netdash.metrics.matrix import GraphMatrix, networkit_graph


def test_path_dependencies_by_hand():
    # Path 0-1-2-3 from source 0: node 1 lies on the paths to 2 (share d(0,1)/d(0,2) = 1/2) and to 3
    # (1/3), node 2 on the path to 3 (2/3). Searched backwards on the directed path, source 3 credits
    # 2 with 1/2 + 1/3 and 1 with 2/3; forwards it reaches nothing.
    searches = _Searches(nx.path_graph(4), [0])
    assert searches.dependencies(np.array([0])) == pytest.approx([0, 5 / 6, 2 / 3, 0], rel=1e-15)
    directed = _Searches(nx.path_graph(4, create_using=nx.DiGraph), [3])
    assert directed.dependencies(np.array([3])).tolist() == [0, 0, 0, 0]
    assert directed.dependencies(np.array([3]), reverse=True) == pytest.approx([0, 2 / 3, 5 / 6, 0], rel=1e-15)
    # The same source twice counts twice; a source alone or in a pair credits nothing.
    G = nx.path_graph(4)
    G.add_edge(10, 11)
    G.add_node(12)
    searches = _Searches(nx.convert_node_labels_to_integers(G), [0, 4, 6])
    assert searches.dependencies(np.array([0, 0, 4, 6])) == pytest.approx([0, 5 / 3, 4 / 3, 0, 0, 0, 0])


@pytest.mark.parametrize("seed", [0, 1, 17])
def test_sources_are_the_ones_networkit_draws(seed):
    # Node i (i < 40) has the private route i -> 40 + i -> 80 + i, so a search from i credits 40 + i
    # with exactly 1/2 and no other source credits it: NetworKit's scores count how often it drew each i.
    N, k = 40, 300
    arcs = [(i, N + i) for i in range(N)] + [(N + i, 2 * N + i) for i in range(N)]
    M = GraphMatrix(list(range(3 * N)), np.array([a for a, _ in arcs]), np.array([b for _, b in arcs]),
                    directed=True)
    nk = networkit()
    nk.setSeed(seed, True)
    algo = nk.centrality.EstimateBetweenness(networkit_graph(M), k - 1, False, True)
    algo.run()
    drawn = np.asarray(algo.scores())[N:2 * N] / (2 * 3 * N / (k - 1)) * 2
    ours = _sources(3 * N, seed, k)
    assert np.array_equal(drawn, np.bincount(ours[ours < N], minlength=N))
    assert (ours < N).sum() > 50  # the check saw many draws
    # The next run continues the same stream, as betweenness_estimate's batches do.
    nk.setSeed(seed, True)
    first = nk.centrality.EstimateBetweenness(networkit_graph(M), k - 1, False, True)
    first.run()
    second = nk.centrality.EstimateBetweenness(networkit_graph(M), k - 1, False, True)
    second.run()
    drawn = np.asarray(second.scores())[N:2 * N] / (2 * 3 * N / (k - 1)) * 2
    ours = _sources(3 * N, seed, 2 * k)[k:]
    assert np.array_equal(drawn, np.bincount(ours[ours < N], minlength=N))


def _networkit_estimate(G, **options):
    """betweenness_estimate computed by NetworKit's EstimateBetweenness (the code before session 18)."""
    real = centrality.sampled_batches
    centrality.sampled_batches = lambda *args, **kwargs: None
    try:
        return betweenness_estimate(G, **options)
    finally:
        centrality.sampled_batches = real


def _graphs():
    multi = nx.MultiGraph(nx.gnm_random_graph(120, 300, seed=4))
    multi.add_edges_from([(0, 1), (0, 1), (5, 5), (7, 7)])  # parallel ties and self-loops
    multi.add_nodes_from(range(120, 126))  # isolates
    pieces = nx.disjoint_union_all([nx.gnm_random_graph(50, 120, seed=s) for s in range(3)] + [nx.path_graph(2)])
    directed = nx.gnp_random_graph(150, 0.03, seed=8, directed=True)
    directed.add_edges_from([(3, 3), (200, 201)])
    return {
        "karate": nx.karate_club_graph(),
        "les_miserables": nx.les_miserables_graph(),
        "multigraph": multi,
        "components": pieces,
        "directed": directed,
        "directed_path": nx.path_graph(12, create_using=nx.DiGraph),
    }


@pytest.mark.parametrize("name", sorted(_graphs()))
@pytest.mark.parametrize("seed", [0, 5])
def test_estimate_equals_networkits_to_rounding(name, seed):
    G = _graphs()[name]
    for H in (G, GraphMatrix.from_graph(G)):
        work = 3 * H.number_of_edges()  # far below n * m: sampled
        ours, theirs = betweenness_estimate(H, max_work=work, seed=seed), _networkit_estimate(H, max_work=work,
                                                                                              seed=seed)
        assert (ours.method, ours.sources) == (theirs.method, theirs.sources) == ("sampled", ours.sources)
        assert list(ours.values) == list(theirs.values)
        a, b = np.array(list(theirs.values.values())), np.array(list(ours.values.values()))
        assert np.array_equal(a == 0, b == 0)
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=0)
        se_a = np.array(list(theirs.standard_error.values()))
        se_b = np.array(list(ours.standard_error.values()))
        np.testing.assert_allclose(se_b, se_a, rtol=1e-11, atol=1e-300)
        assert ours.max_standard_error == pytest.approx(theirs.max_standard_error, rel=1e-11)


def _layers(width, depth):
    """Layers of ``width`` nodes, each node tied to every node of the next layer: width**d paths at depth d."""
    G = nx.Graph()
    for layer in range(depth - 1):
        G.add_edges_from((layer * width + i, (layer + 1) * width + j) for i in range(width) for j in range(width))
    return G


def test_path_counts_past_2_53_fall_back_to_networkit():
    # From any node at least 14 layers lie on one side: 16**14 = 2**56 shortest paths to the far end.
    G = _layers(16, 30)
    assert sampled_batches(G, seed=0, per_run=2, batches=4) is None
    work = 3 * G.number_of_edges()
    assert betweenness_estimate(G, max_work=work, seed=2) == _networkit_estimate(G, max_work=work, seed=2)
    # Below 2**53 (8**12 = 2**36 paths at most) the products are used, and agree.
    G = _layers(8, 13)
    assert sampled_batches(G, seed=0, per_run=2, batches=4) is not None
    ours, theirs = betweenness_estimate(G, max_work=work, seed=2), _networkit_estimate(G, max_work=work, seed=2)
    np.testing.assert_allclose(list(ours.values.values()), list(theirs.values.values()), rtol=1e-12)


def test_weighted_estimate_is_networkits():
    G = nx.les_miserables_graph()
    work = 3 * G.number_of_edges()
    assert betweenness_estimate(G, max_work=work, seed=1, weight="weight") == _networkit_estimate(
        G, max_work=work, seed=1, weight="weight")


def test_deep_searches_fall_back_to_networkit():
    # A path of 200 nodes: most searches go more than 64 levels deep, where products cost more than a pass.
    G = nx.path_graph(200)
    assert sampled_batches(G, seed=0, per_run=2, batches=4) is None
    work = 3 * G.number_of_edges()
    assert betweenness_estimate(G, max_work=work, seed=4) == _networkit_estimate(G, max_work=work, seed=4)
    # 59 levels at most: products.
    G = nx.path_graph(60)
    assert sampled_batches(G, seed=0, per_run=2, batches=4) is not None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pull_step_equals_the_product_masked_by_the_unseen_entries(seed):
    """_pull masks by the complement of the seen entries: the same path counts as masking by a matrix of the
    unseen entries (the code before session 19), with whole-number counts large enough to need all their bits."""
    from netdash.metrics._sampled_brandes import _pull
    from netdash.metrics.backends import graphblas

    gb = graphblas()
    rng = np.random.default_rng(seed)
    size, count = 60, 7

    def random_matrix(rows, cols, density, high):
        mask = rng.random((rows, cols)) < density
        r, c = np.nonzero(mask)
        return gb.Matrix.from_coo(r, c, rng.integers(1, high, len(r)).astype(float), nrows=rows, ncols=cols)

    frontier, backward = random_matrix(count, size, 0.3, 2 ** 40), random_matrix(size, size, 0.2, 2 ** 10)
    seen = random_matrix(count, size, 0.5, 2)
    got = gb.Matrix(float, count, size)
    _pull(got, frontier, backward, seen)
    todo = gb.Matrix(bool, count, size)
    todo(~seen.S) << True
    want = gb.Matrix(float, count, size)
    want(todo.S) << frontier.mxm(backward.T, gb.semiring.plus_first)
    assert got.nvals > 20 and got.isequal(want)
    assert not got.isequal(frontier.mxm(backward.T, gb.semiring.plus_first).new())  # the mask mattered
