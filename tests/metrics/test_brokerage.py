"""Tests for Gould & Fernandez brokerage roles (netdash.metrics.brokerage)."""

import gc
import math
import weakref

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from netdash.errors import InvalidInputError
from netdash.metrics.brokerage import (
    EXPLANATIONS,
    LIMITS,
    ROLE_FIELDS,
    brokerage_by_group,
    brokerage_expected,
    brokerage_roles,
)

ALL_FIELDS = [*ROLE_FIELDS, "broker_total"]


def _reference_roles(G, groups):
    """Slow triad loop straight from the definition: the reference implementation."""
    D = G if G.is_directed() else G.to_directed()
    out = {v: dict.fromkeys(ROLE_FIELDS, 0) for v in D}
    for b in D:
        for a in D.predecessors(b):
            for c in D.successors(b):
                if len({a, b, c}) < 3 or D.has_edge(a, c):
                    continue
                ga, gb, gc = groups[a], groups[b], groups[c]
                if ga == gb == gc:
                    role = "broker_coordinator"
                elif ga == gc:
                    role = "broker_itinerant"
                elif ga == gb:
                    role = "broker_representative"
                elif gb == gc:
                    role = "broker_gatekeeper"
                else:
                    role = "broker_liaison"
                out[b][role] += 1
    return out


@pytest.mark.parametrize(
    ("ga", "gb", "gc", "role"),
    [
        ("X", "X", "X", "broker_coordinator"),
        ("X", "Y", "X", "broker_itinerant"),
        ("X", "X", "Y", "broker_representative"),
        ("X", "Y", "Y", "broker_gatekeeper"),
        ("X", "Y", "Z", "broker_liaison"),
    ],
)
def test_three_node_path_has_exactly_one_role(ga, gb, gc, role):
    G = nx.DiGraph([("a", "b"), ("b", "c")])
    roles = brokerage_roles(G, {"a": ga, "b": gb, "c": gc})
    expected = dict.fromkeys(ALL_FIELDS, 0)
    expected[role] = 1
    expected["broker_total"] = 1
    assert roles.loc["b"].to_dict() == expected
    assert roles.loc[["a", "c"]].to_numpy().sum() == 0


def test_direct_tie_a_to_c_excludes_the_pair():
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")])
    roles = brokerage_roles(G, dict.fromkeys(G, "X"))
    assert roles.loc["b", "broker_total"] == 0


def test_reverse_tie_c_to_a_does_not_exclude_the_pair():
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a")])
    roles = brokerage_roles(G, dict.fromkeys(G, "X"))
    # A directed 3-cycle: every node brokers exactly one open pair.
    assert roles["broker_coordinator"].tolist() == [1, 1, 1]


def test_reciprocated_tie_is_not_brokerage_to_oneself():
    G = nx.DiGraph([("a", "b"), ("b", "a")])
    assert brokerage_roles(G, dict.fromkeys(G, "X"))["broker_total"].sum() == 0


def test_isolates_and_in_only_nodes_score_zero():
    G = nx.DiGraph([("a", "sink"), ("b", "sink"), ("a", "b")])
    G.add_node("alone")
    roles = brokerage_roles(G, {"a": "X", "b": "Y", "sink": "Z", "alone": "X"})
    assert roles.loc[["sink", "alone"]].to_numpy().sum() == 0


def test_single_group_gives_only_coordinator():
    G = nx.gnp_random_graph(30, 0.2, seed=3, directed=True)
    roles = brokerage_roles(G, dict.fromkeys(G, "Housing"))
    assert roles["broker_total"].sum() > 0
    assert (roles["broker_coordinator"] == roles["broker_total"]).all()


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_vectorised_counts_equal_the_reference_loop(seed):
    rng = np.random.default_rng(seed)
    G = nx.gnp_random_graph(45, 0.12, seed=seed, directed=True)
    G.add_edge(5, 5)  # a self-loop must not create brokerage
    groups = {v: f"agency{rng.integers(0, 4)}" for v in G}
    reference = _reference_roles(G, groups)
    roles = brokerage_roles(G, groups)
    for v in G:
        assert roles.loc[v, ROLE_FIELDS].to_dict() == reference[v]
    assert (roles[ROLE_FIELDS].sum(axis=1) == roles["broker_total"]).all()


def test_undirected_graph_reads_edges_both_ways():
    G = nx.Graph([("a", "b"), ("b", "c")])
    roles = brokerage_roles(G, {"a": "X", "b": "X", "c": "Y"})
    # a->b->c is representative, c->b->a is gatekeeper.
    assert roles.loc["b", "broker_representative"] == 1
    assert roles.loc["b", "broker_gatekeeper"] == 1


def test_groups_from_node_attribute():
    G = nx.DiGraph([("a", "b"), ("b", "c")])
    nx.set_node_attributes(G, {"a": "GP", "b": "Probation", "c": "GP"}, "agency")
    assert brokerage_roles(G).loc["b", "broker_itinerant"] == 1


def test_missing_group_is_reported_with_the_node():
    G = nx.DiGraph([("a", "b")])
    G.nodes["a"]["agency"] = "GP"
    with pytest.raises(InvalidInputError, match=r"1 node\(s\) have no group.*'b'"):
        brokerage_roles(G)


def test_by_group_sums_brokers_of_each_agency():
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    groups = {"a": "X", "b": "X", "c": "Y", "d": "Y"}
    table = brokerage_by_group(G, groups)
    assert table.loc["X", "broker_representative"] == 1  # b: a -> b -> c
    assert table.loc["Y", "broker_gatekeeper"] == 1  # c: b -> c -> d
    assert table.loc["X", "n_practitioners"] == 2
    assert table["broker_total"].sum() == 2


def test_expected_values_by_hand():
    # 4 nodes, 3 arcs: d = 3 / 12 = 0.25; broker b in group X of size 2, N = 4.
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    groups = {"a": "X", "b": "X", "c": "Y", "d": "Z"}
    table = brokerage_expected(G, groups)
    q = 0.25**2 * 0.75
    assert table.loc["b", "broker_coordinator_expected"] == pytest.approx(0.0)  # (2-1)(2-2)
    assert table.loc["b", "broker_representative_expected"] == pytest.approx(q * 1 * 2)
    assert table.loc["b", "broker_liaison_expected"] == pytest.approx(q * 2)  # Y->Z and Z->Y
    assert table.loc["b", "broker_total_expected"] == pytest.approx(q * 3 * 2)
    assert math.isnan(table.loc["b", "broker_coordinator_z"])  # sd 0: no such pairs exist
    var_total = q * 6 * (1 - q) + 2 * 3 * 2 * 1 * 0.25**3 * 0.75**3
    assert table.loc["b", "broker_total_sd"] == pytest.approx(math.sqrt(var_total))
    assert table.loc["b", "broker_total_z"] == pytest.approx((1 - q * 6) / math.sqrt(var_total))
    assert table.attrs["limits"] == LIMITS


def test_expected_roles_add_up_to_expected_total():
    G = nx.gnp_random_graph(30, 0.1, seed=4, directed=True)
    groups = {v: v % 3 for v in G}
    table = brokerage_expected(G, groups)
    parts = sum(table[f"{f}_expected"] for f in ROLE_FIELDS)
    np.testing.assert_allclose(parts, table["broker_total_expected"])


def test_explanations_cover_every_field():
    assert set(EXPLANATIONS) == set(ALL_FIELDS)


def test_boundary_spanners_need_two_other_agencies_and_join_roles():
    import networkx as nx

    from netdash.metrics.brokerage import boundary_spanners, brokerage_roles

    groups = {"a": "H", "b": "MH", "c": "GP", "d": "H", "e": "MH"}
    D = nx.DiGraph([("b", "a"), ("a", "c"), ("d", "b"), ("e", "b")])
    roles = brokerage_roles(D, groups)
    spans = boundary_spanners(D, groups, roles=roles)
    # a reaches MH (b) and GP (c); b reaches H (a, d) only; d and e reach one agency.
    assert list(spans.index) == ["a"]
    assert spans.loc["a", "other_agency_list"] == "GP;MH"
    # b -> a -> c with three different agencies: a is a liaison.
    assert spans.loc["a", "broker_liaison"] == 1
    assert len(boundary_spanners(D, groups, min_other_groups=1)) == 4


def test_summaries_reuse_given_roles_with_the_same_answers():
    # a -> b -> c -> d with b in X and c in Y: b represents X once, c keeps Y's gate once.
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "d")])
    groups = {"a": "X", "b": "X", "c": "Y", "d": "Y"}
    roles = brokerage_roles(G, groups)
    by_group = brokerage_by_group(G, groups, roles=roles)
    assert by_group.equals(brokerage_by_group(G, groups))
    assert by_group.loc["X", "broker_representative"] == 1 and by_group.loc["Y", "broker_gatekeeper"] == 1
    expected = brokerage_expected(G, groups, roles=roles)
    assert expected.equals(brokerage_expected(G, groups))
    assert expected.loc["b", "broker_representative"] == 1


def test_summaries_reuse_the_roles_they_are_given():
    # Roles are trusted when they match the graph's nodes: a changed count shows the given table is used.
    G = nx.DiGraph([("a", "b"), ("b", "c")])
    groups = {"a": "X", "b": "X", "c": "Y"}
    roles = brokerage_roles(G, groups)
    roles.loc["b", ["broker_liaison", "broker_total"]] += 5
    assert brokerage_by_group(G, groups, roles=roles).loc["X", "broker_liaison"] == 5
    assert brokerage_expected(G, groups, roles=roles).loc["b", "broker_total"] == 6


@pytest.mark.parametrize("summary", [brokerage_by_group, brokerage_expected])
def test_roles_of_another_graph_are_refused(summary):
    G = nx.DiGraph([("a", "b"), ("b", "c")])
    groups = {"a": "X", "b": "X", "c": "Y"}
    other = brokerage_roles(nx.DiGraph([("c", "b"), ("b", "a")]), groups)  # same people, other order
    with pytest.raises(InvalidInputError, match=r"roles must be brokerage_roles\(\) of the same graph.*"
                                                r"3 rows in the graph's node order"):
        summary(G, groups, roles=other)
    with pytest.raises(InvalidInputError, match="got 3 rows with columns"):
        summary(G, groups, roles=brokerage_roles(G, groups).drop(columns="broker_total"))


def test_blocks_of_rows_give_the_same_counts(monkeypatch):
    """_on_arcs computes the closed two-paths block by block; the counts must not depend on the blocks."""
    from netdash.metrics import _role_counts as counts

    G = nx.gnp_random_graph(60, 0.15, seed=7, directed=True)
    groups = {v: f"agency{v % 3}" for v in G}
    whole = brokerage_roles(G, groups)
    monkeypatch.setattr(counts, "_BLOCK_ROWS", 7)  # 60 rows: 9 blocks, the last one short
    assert brokerage_roles(G, groups).equals(whole)
    reference = _reference_roles(G, groups)
    assert all(whole.loc[v, ROLE_FIELDS].to_dict() == reference[v] for v in G)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_masked_graphblas_products_give_the_same_counts(monkeypatch, seed):
    """Above _GRAPHBLAS_MIN_ARC_WORK the products on arcs are masked GraphBLAS products: the same counts, at the
    same arcs, as the scipy products, and the same roles as the reference loop."""
    import scipy.sparse as sp

    from netdash.metrics import _role_counts as counts

    G = nx.gnp_random_graph(70, 0.12, seed=seed, directed=True)
    G.add_edge(3, 3)
    groups = {v: f"agency{(v * 7 + seed) % 4}" for v in G}
    scipy_roles = brokerage_roles(G, groups)
    A = sp.csr_array(nx.to_scipy_sparse_array(G, nodelist=sorted(G), weight=None, format="csr", dtype=np.int64))
    A.setdiag(0)
    A.eliminate_zeros()
    for X, Y in ((A, A.T), (A, sp.csr_array(A.multiply(A.T))), (sp.triu(A, format="csr"), A.T)):
        want = (X @ Y).multiply(A).tocsr()
        want.eliminate_zeros()
        got = counts._on_arcs_graphblas(X, Y, A)
        assert got.dtype == np.int64 and (got != want).nnz == 0 and got.nnz == want.nnz
    monkeypatch.setattr(counts, "_GRAPHBLAS_MIN_ARC_WORK", 0)
    assert brokerage_roles(G, groups).equals(scipy_roles)
    reference = _reference_roles(G, groups)
    assert all(scipy_roles.loc[v, ROLE_FIELDS].to_dict() == reference[v] for v in G)


@pytest.mark.parametrize("name", ["karate", "florentine", "random_directed"])
def test_boundary_spanners_of_a_graph_matrix_equal_the_networkx_graphs(name):
    """The Brokerage page reads boundary spanners from the contact GraphMatrix, not a networkx DiGraph."""
    from netdash.metrics.brokerage import boundary_spanners, brokerage_roles
    from netdash.metrics.matrix import GraphMatrix

    if name == "karate":
        G = nx.karate_club_graph()
        groups = {v: G.nodes[v]["club"] if v % 3 else f"extra{v % 2}" for v in G}
    elif name == "florentine":
        G = nx.florentine_families_graph()
        groups = {v: "ABCD"[len(v) % 4] for v in G}
    else:
        G = nx.gnp_random_graph(80, 0.08, seed=3, directed=True)
        G.add_edge(5, 5)  # a self-loop reaches nobody
        groups = {v: f"agency{v % 5}" for v in G}
    nx.set_node_attributes(G, groups, "agency")
    M = GraphMatrix.from_graph(G)
    roles = brokerage_roles(M, "agency")
    for k in (1, 2, 3):
        expected = boundary_spanners(G, "agency", min_other_groups=k, roles=roles)
        got = boundary_spanners(M, "agency", min_other_groups=k, roles=roles)
        assert len(expected) > (0 if k == 3 else 3)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("products", ["scipy", "graphblas"])
def test_packed_closed_counts_equal_three_products(monkeypatch, seed, products):
    """_closed_counts packs the three counts of common out-neighbours into one int64 product: each must equal
    its own product at every arc, and the roles the reference loop's; above the packing limit three products."""
    import scipy.sparse as sp

    from netdash.metrics import _role_counts as counts

    if products == "graphblas":
        monkeypatch.setattr(counts, "_GRAPHBLAS_MIN_ARC_WORK", -1)
    rng = np.random.default_rng(seed)
    G = nx.gnp_random_graph(90, 0.05 + 0.1 * seed, seed=seed, directed=True)
    G.add_edge(4, 4)
    groups = {v: f"agency{rng.integers(0, 1 + seed * 2)}" for v in G}
    codes = np.array([int(groups[v][6:]) for v in sorted(G)])
    A = sp.csr_array(nx.to_scipy_sparse_array(G, nodelist=sorted(G), weight=None, format="csr", dtype=np.int64))
    A.setdiag(0)
    A.eliminate_zeros()
    rows, cols = A.nonzero()
    same = codes[rows] == codes[cols]
    A_w = sp.csr_array((np.ones(same.sum(), dtype=np.int64), (rows[same], cols[same])), shape=A.shape)
    outdeg = np.asarray(A.sum(axis=1)).ravel()
    packed = counts._closed_counts(A, A_w, outdeg)
    wanted = [(A @ A.T).multiply(A), (A @ A_w.T).multiply(A), (A_w @ A.T).multiply(A)]
    for got, want in zip(packed, wanted):
        assert got.dtype == np.int64 and np.array_equal(got.toarray(), want.toarray())
    monkeypatch.setattr(counts, "_PACK_BITS", 2)  # out-degrees of 2 or more: three products
    assert all(np.array_equal(g.toarray(), w.toarray())
               for g, w in zip(counts._closed_counts(A, A_w, outdeg), wanted))
    roles = brokerage_roles(G, groups)
    reference = _reference_roles(G, groups)
    assert all(roles.loc[v, ROLE_FIELDS].to_dict() == reference[v] for v in G)


def test_expected_moments_of_all_groups_equal_the_per_group_ones():
    """The vectorised moments are the same floats as the per-group ones, exactly, for sizes up to the limit
    (N**3 < 2**53) and through the per-group loop above it."""
    from netdash.metrics.brokerage import _expected_moments, _expected_moments_all

    rng = np.random.default_rng(5)
    cases = [np.array([1.0]), np.array([3.0, 1.0, 7.0]), rng.integers(1, 40, 1200).astype(float),
             rng.integers(1, 400, 500).astype(float), np.array([200_000.0, 3.0, 1.0]), np.array([300_000.0, 2.0])]
    for sizes in cases:
        N = float(sizes.sum())
        for d in (0.0, 0.0021, 0.5, 1.0):
            means, variances = _expected_moments_all(N, d, sizes)
            for g in range(len(sizes)):
                mean, variance = _expected_moments(N, d, sizes, g)
                assert means[:, g].tobytes() == mean.tobytes()
                assert variances[:, g].tobytes() == variance.tobytes()


def test_boundary_spanner_agency_lists_follow_string_order():
    """Agencies are listed in Python's string order of their names, whatever their type, as sorted() gives."""
    from netdash.metrics.brokerage import boundary_spanners
    from netdash.metrics.matrix import GraphMatrix

    names = ["b", "a", "B", 10, 9, "é", "Z", 2.5]
    G = nx.star_graph(len(names))
    groups = {0: "hub", **{i + 1: name for i, name in enumerate(names)}}
    nx.set_node_attributes(G, groups, "agency")
    for graph in (G, GraphMatrix.from_graph(G)):
        spans = boundary_spanners(graph, "agency")
        assert spans.loc[0, "other_agency_list"] == ";".join(sorted(map(str, names)))
        assert spans.loc[0, "other_agencies"] == len(names)


def test_group_codes_kept_on_a_graph_matrix_are_copies():
    """The brokerage summaries share one matrix's group codes (kept by mixing._group_codes); a caller changing its
    copy changes nobody else's, and they go with the matrix."""
    from netdash.metrics import mixing
    from netdash.metrics.matrix import GraphMatrix

    M = GraphMatrix(["a", "b", "c"], [0, 1], [1, 2], directed=True, node_attrs={"agency": ["X", "Y", "X"]})
    codes, names = mixing._group_codes(M, "agency")
    codes[:] = 7
    names.append("extra")
    again, names_again = mixing._group_codes(M, "agency")
    assert again.tolist() == [0, 1, 0] and names_again == ["X", "Y"]
    assert mixing._KEPT_CODES[M]["agency"][1] == ("X", "Y")
    gone = weakref.ref(M)
    del M
    gc.collect()
    assert gone() is None  # the kept codes do not keep the matrix alive


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_group_codes_of_a_graph_matrix_equal_the_networkx_graphs(seed):
    """The codes kept for a GraphMatrix are what mixing computes for the networkx graph: names sorted as strings
    (mixed types too), codes in node order; a node without a group raises the same error, every time."""
    from netdash.metrics import mixing
    from netdash.metrics.matrix import GraphMatrix

    rng = np.random.default_rng(seed)
    G = nx.gnp_random_graph(50, 0.1, seed=seed, directed=True)
    values = ["b", "A", "a", 10, 2, "Z"]
    nx.set_node_attributes(G, {v: values[rng.integers(len(values))] for v in G}, "agency")
    M = GraphMatrix.from_graph(G)
    codes, names = mixing._group_codes(M, "agency")
    want_codes, want_names = mixing._group_codes(G, "agency")
    assert codes.tolist() == want_codes.tolist() and names == want_names
    G.nodes[3]["agency"] = None
    M = GraphMatrix.from_graph(G)
    for _ in range(2):
        with pytest.raises(InvalidInputError, match=r"1 node\(s\) have no group in node attribute 'agency': 3\."):
            mixing._group_codes(M, "agency")


@pytest.mark.parametrize("min_other_groups", [2, 5])
def test_boundary_spanners_of_a_graph_matrix_with_none_or_odd_names_equal_the_networkx_graphs(min_other_groups):
    """The GraphMatrix columns give the networkx loop's frame exactly, with its dtypes, also when nobody spans
    (an empty frame of object columns) and when agency names are numbers and strings mixed."""
    from netdash.metrics.brokerage import boundary_spanners, brokerage_roles
    from netdash.metrics.matrix import GraphMatrix

    G = nx.gnp_random_graph(40, 0.15, seed=11, directed=True)
    names = [3, "b", 10, "A", 2.5]
    nx.set_node_attributes(G, {v: names[v % len(names)] for v in G}, "agency")
    M = GraphMatrix.from_graph(G)
    roles = brokerage_roles(M, "agency")
    for with_roles in (None, roles):
        expected = boundary_spanners(G, "agency", min_other_groups=min_other_groups, roles=with_roles)
        got = boundary_spanners(M, "agency", min_other_groups=min_other_groups, roles=with_roles)
        assert (len(got) == 0) == (min_other_groups == 5)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
        assert list(got.dtypes) == list(expected.dtypes) and got.index.dtype == expected.index.dtype
