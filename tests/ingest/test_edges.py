"""Published networks through ``netdash import-edges`` (netdash.ingest.edges), against networkx and hand counts.

Issue 17's done-when tests: Les Misérables (weighted) and Padgett's Florentine
families, both from networkx, written as an edge list and a node file,
imported through the CLI into a workspace, and measured by netdash.
"""

import itertools
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from netdash.analysis import NetworkAnalysis
from netdash.cli import main
from netdash.errors import InvalidInputError
from netdash.ingest.edges import NO_GROUP, edge_list_tables
from netdash.metrics import brokerage
from netdash.store import Workspace

# A hand-made split of the Florentine families into three groups, for the brokerage roles (any split would do;
# this one puts the Medici's marriage partners but Albizzi in the Medici's group).
FLORENTINE_GROUPS = {
    **dict.fromkeys(["Medici", "Acciaiuoli", "Barbadori", "Ridolfi", "Salviati", "Tornabuoni", "Pazzi"], "M"),
    **dict.fromkeys(["Strozzi", "Guadagni", "Albizzi", "Bischeri", "Peruzzi", "Castellani", "Lamberteschi"], "O"),
    "Ginori": "G",
}


def _write_network(folder, G, *, groups=None, weight=None, group_column="group"):
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{"from": u, "to": v, **({"weight": w} if weight else {})} for u, v, w in G.edges(data=weight)]
    pd.DataFrame(rows).to_csv(folder / "edges.csv", index=False)
    if groups is not None:
        pd.DataFrame({"id": list(groups), group_column: list(groups.values())}).to_csv(folder / "nodes.csv",
                                                                                      index=False)
    return folder


def _import(tmp_path, folder, name, *extra):
    ws = tmp_path / "ws"
    args = ["--workspace", str(ws), "import-edges", str(folder / "edges.csv"), "--name", name, *extra]
    assert main(args) == 0
    return Workspace(ws).open(name)


def _by_id(series):
    return dict(zip(series.index, series.to_numpy()))


@pytest.fixture(scope="module")
def lesmis(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lesmis")
    G = nx.les_miserables_graph()
    folder = _write_network(tmp / "src", G, weight="weight")
    return G, _import(tmp, folder, "lesmis")


@pytest.fixture(scope="module")
def florentine(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("florentine")
    G = nx.florentine_families_graph()
    groups = dict(FLORENTINE_GROUPS, Isolated="O")  # a node-file-only family: an isolate
    folder = _write_network(tmp / "src", G, groups=groups, group_column="faction")
    return G, _import(tmp, folder, "florentine", "--groups", str(folder / "nodes.csv"), "--group-column", "faction")


def test_les_miserables_loads_as_the_networkx_graph(lesmis):
    G, ds = lesmis
    assert ds.directed is False
    assert len(ds.practitioners) == 77 and len(ds.contacts) == 254
    assert set(ds.agencies["agency_id"]) == {NO_GROUP}  # no node file: one group
    a = NetworkAnalysis(ds, ties="direct", permutations=0)
    table = a.practitioner_table().set_index("practitioner_id")
    assert _by_id(table["degree"]) == dict(G.degree())
    # Undirected: in- and out-degree are the degree (each edge counts both ways).
    assert (table["in_degree"] == table["degree"]).all() and (table["out_degree"] == table["degree"]).all()
    assert a.matrix.number_of_edges() == 254
    # Each pair's strength is the file's weight, counted once (not twice for the two directions).
    strength = {frozenset((u, v)): w for u, v, w in a.G.edges(data="weight")}
    assert strength == {frozenset((u, v)): w for u, v, w in G.edges(data="weight")}
    exact = nx.betweenness_centrality(G)
    assert table["betweenness"].to_dict() == pytest.approx(exact, abs=1e-12)
    assert table.loc["Valjean", "betweenness"] == pytest.approx(0.5699890527836184, abs=1e-12)
    burt = nx.constraint(G)
    assert table["constraint"].to_dict() == pytest.approx(burt, rel=1e-10)
    assert "betweenness_directed" not in table  # undirected data has no directed betweenness


def test_les_miserables_weighted_measures_match_networkx(lesmis):
    G, ds = lesmis
    table = NetworkAnalysis(ds, ties="direct", weighted=True, permutations=0).practitioner_table()
    table = table.set_index("practitioner_id")
    distance = nx.Graph()
    distance.add_edges_from((u, v, {"d": 1.0 / w}) for u, v, w in G.edges(data="weight"))
    assert table["betweenness"].to_dict() == pytest.approx(nx.betweenness_centrality(distance, weight="d"),
                                                           abs=1e-12)
    assert table["constraint"].to_dict() == pytest.approx(nx.constraint(G, weight="weight"), rel=1e-10)
    # Hand-worked: Napoleon's only tie is to Myriel (strength 1), so all his constraint is on it.
    assert table.loc["Napoleon", "constraint"] == pytest.approx(1.0)


def test_florentine_loads_with_groups_as_agencies_and_matches_networkx(florentine):
    G, ds = florentine
    assert sorted(ds.agencies["agency_id"]) == ["G", "M", "O"] and ds.agencies["name"].tolist() == \
        ds.agencies["agency_id"].tolist()
    agency = ds.practitioners.set_index("practitioner_id")["agency_id"].to_dict()
    assert agency == dict(FLORENTINE_GROUPS, Isolated="O")
    table = NetworkAnalysis(ds, ties="direct", permutations=0).practitioner_table().set_index("practitioner_id")
    assert table.loc["Isolated", "degree"] == 0 and table.loc["Isolated", "broker_total"] == 0
    H = G.copy()
    H.add_node("Isolated")
    assert table["betweenness"].to_dict() == pytest.approx(nx.betweenness_centrality(H), abs=1e-12)
    # Hand-worked: the Medici lie on 47.5 of the pairs' shortest paths; with the isolate there are
    # 15 x 14 / 2 = 105 pairs of other families (0.522 of 91 without it).
    assert table.loc["Medici", "betweenness"] == pytest.approx(47.5 / 105, abs=1e-12)


def _triad_count(G, groups):
    """Gould & Fernandez roles by brute force over ordered triples (a, b, c): a-b, b-c, no a-c, a != c.

    Independent of netdash: every ordered pair of b's neighbours is looked at, so an undirected open
    two-path a-b-c is counted both ways (a -> b -> c and c -> b -> a), as R sna's brokerage() counts
    the symmetric network.
    """
    names = {("same", "same"): "broker_coordinator", ("other", "same_ac"): "broker_itinerant",
             ("same", "other"): "broker_representative", ("other", "same_bc"): "broker_gatekeeper",
             ("other", "other"): "broker_liaison"}
    counts = {v: dict.fromkeys(brokerage.ROLE_FIELDS, 0) for v in G}
    for b in G:
        for a, c in itertools.permutations(G[b], 2):
            if G.has_edge(a, c):
                continue
            ga, gb, gc = groups[a], groups[b], groups[c]
            if ga == gb == gc:
                role = names[("same", "same")]
            elif ga == gc != gb:
                role = names[("other", "same_ac")]
            elif ga == gb != gc:
                role = names[("same", "other")]
            elif gc == gb != ga:
                role = names[("other", "same_bc")]
            else:
                role = names[("other", "other")]
            counts[b][role] += 1
    return counts


def test_undirected_florentine_brokerage_is_the_triad_count_both_ways(florentine):
    G, ds = florentine
    table = NetworkAnalysis(ds, ties="direct", permutations=0).practitioner_table().set_index("practitioner_id")
    expected = _triad_count(G, FLORENTINE_GROUPS)
    for family, roles in expected.items():
        assert {r: int(table.loc[family, r]) for r in brokerage.ROLE_FIELDS} == roles, family
        # Both ways: each open two-path once in each direction, so A->A->B and B->A->A pair up.
        assert table.loc[family, "broker_representative"] == table.loc[family, "broker_gatekeeper"]
    # Hand-worked Medici (group M): neighbours Acciaiuoli, Barbadori, Ridolfi, Salviati, Tornabuoni (M) and
    # Albizzi (O); of the 10 pairs of M neighbours only Ridolfi-Tornabuoni are tied: 9 pairs x 2 directions =
    # 18 coordinator; 5 M neighbours x Albizzi = 5 representative (M -> Medici -> O) and 5 gatekeeper.
    medici = table.loc["Medici"]
    assert (medici["broker_coordinator"], medici["broker_representative"], medici["broker_gatekeeper"],
            medici["broker_itinerant"], medici["broker_liaison"], medici["broker_total"]) == (18, 5, 5, 0, 0, 28)
    # R sna's convention (Butts, sna::brokerage: v brokers a, b iff a -> v -> b and not a -> b, over ordered
    # pairs): on a symmetric network every open two-path counts twice. Totals: sum over nodes of
    # 2 x (pairs of neighbours not tied to each other).
    open_paths = sum(math.comb(G.degree(v), 2) - nx.triangles(G, v) for v in G)
    assert int(table["broker_total"].sum()) == 2 * open_paths
    assert sum(sum(r.values()) for r in expected.values()) == 2 * open_paths
    # The null model's columns come with it, computed on the symmetric network (sna's exp.nli, sd.nli, z.nli).
    null = brokerage.brokerage_expected(nx.DiGraph(H := _with_isolate(G)), dict(FLORENTINE_GROUPS, Isolated="O"))
    assert table["broker_total_z"].to_dict() == pytest.approx(null["broker_total_z"].to_dict(), nan_ok=True)
    assert H.number_of_nodes() == 16


def _with_isolate(G):
    H = G.copy()
    H.add_node("Isolated")
    return H


def test_one_row_per_edge_read_as_directed_counts_only_the_written_direction(tmp_path):
    # The warning: with the same file read as directed, the Medici broker only along the written
    # direction of each edge (5 with networkx's edge order; 9 in the file), not the 28 of the
    # undirected network.
    G = nx.florentine_families_graph()
    folder = _write_network(tmp_path / "src", G, groups=FLORENTINE_GROUPS)
    ds = _import(tmp_path, folder, "directed", "--groups", str(folder / "nodes.csv"), "--directed")
    assert ds.directed is True
    D = nx.DiGraph(list(G.edges()))
    table = NetworkAnalysis(ds, ties="direct", permutations=0).practitioner_table().set_index("practitioner_id")
    reference = brokerage.brokerage_roles(D, FLORENTINE_GROUPS)
    assert table.loc["Medici", "broker_total"] == reference.loc["Medici", "broker_total"] == 5
    assert table["betweenness_directed"].to_dict() == pytest.approx(nx.betweenness_centrality(D), abs=1e-12)


def test_import_prints_the_evidence_for_direction(tmp_path, capsys):
    G = nx.florentine_families_graph()
    folder = _write_network(tmp_path / "src", G)
    _import(tmp_path, folder, "f", "--directed")
    out = capsys.readouterr().out
    assert "note: edges.csv: Direction: 100% of colleague pairs (20 of 20) appear in one direction only" in out
    assert "15 nodes in 1 groups, 20 edges, directed" in out


def test_edge_file_problems_point_at_the_file_row_and_column(tmp_path, capsys):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "edges.csv").write_text("from,to,weight\na,b,2\nb,c,-1\nc,,1\n")
    assert main(["--workspace", str(tmp_path / "ws"), "import-edges", str(folder / "edges.csv"),
                 "--name", "bad"]) == 2
    err = capsys.readouterr().err
    assert "edges.csv, row 3: weight '-1' is not a positive number" in err
    assert "nothing was imported" in err
    assert Workspace(tmp_path / "ws").list() == []


def test_missing_columns_are_named(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "edges.csv").write_text("source,target\na,b\n")
    with pytest.raises(InvalidInputError, match=r"edges.csv, row 1: there is no column 'from'. Found columns: "
                                                r"'source', 'target'"):
        edge_list_tables(folder / "edges.csv")
    (folder / "edges.csv").write_text("from,to\na,b\n")
    (folder / "nodes.csv").write_text("id,party\na,X\n")
    with pytest.raises(InvalidInputError, match=r"nodes.csv, row 1: there is no column 'sponsorship'.*--group-column"):
        edge_list_tables(folder / "edges.csv", groups=folder / "nodes.csv", group_column="sponsorship")
    with pytest.raises(InvalidInputError, match="the edge file does not exist"):
        edge_list_tables(folder / "nope.csv")


def edge_list_and_load(folder):
    from netdash.ingest import load_dataset

    return load_dataset(edge_list_tables(folder / "edges.csv", groups=folder / "nodes.csv"), secret=b"s" * 32)


def test_dates_weights_and_ungrouped_nodes(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "edges.csv").write_text("From,To,Weight,Date\na,b,2.5,1962-05-01\nb,c,,1962-06-01\n")
    (folder / "nodes.csv").write_text("id,group\na,X\nb,\n")
    with pytest.raises(InvalidInputError, match="before 1990-01-01.*--min-date"):
        edge_list_and_load(folder)
    ds = _import(tmp_path, folder, "old", "--groups", str(folder / "nodes.csv"), "--min-date", "1960-01-01")
    assert ds.contacts["weight"].tolist() == [2.5, 1.0]
    assert ds.contacts["date"].dt.year.tolist() == [1962, 1962]
    assert ds.practitioners.set_index("practitioner_id")["agency_id"].to_dict() == {
        "a": "X", "b": NO_GROUP, "c": NO_GROUP}
    assert np.isclose(NetworkAnalysis(ds, ties="direct").G["a"]["b"]["weight"], 2.5)
