"""Fast paths give exactly the answers of the plain pandas and networkx versions they replaced.

The references below are the pandas implementations that netdash.networks.graphs used
before DuckDB took over (crosstab, self-merge with merge_asof, pivot_table);
they are compared on seeded random contact logs with repeats, self-contacts,
missing types and day gaps around the co-working window. Below them, the
measures: NetworkAnalysis (one GraphMatrix per graph, no networkx graphs)
against the networkx composition it replaced, on the small demo and on
random data; key players by articulation points against the depth-first
search; trust months as datetime64[M] against Period("M").
"""

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from netdash.networks import graphs
from netdash.dataset import Dataset
from netdash.errors import InvalidInputError
from netdash.periods import parse_period


def _random_dataset(seed, *, n_prac=25, n_clients=40, n_rows=600):
    rng = np.random.default_rng(seed)
    pracs = [f"P{i:03d}" for i in range(n_prac)]
    day = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 400, n_rows), unit="D")
    has_client = rng.random(n_rows) < 0.6
    colleague = rng.choice(pracs, n_rows).astype(object)
    contacts = pd.DataFrame({
        "date": day.strftime("%Y-%m-%d"),
        "practitioner_id": rng.choice(pracs, n_rows),
        "client_id": np.where(has_client, rng.choice([f"C{i}" for i in range(n_clients)], n_rows), None),
        "with_practitioner_id": np.where(has_client, None, colleague),
        "contact_type": rng.choice(np.array(["phone", "email", "referral", None], dtype=object), n_rows),
    })
    sessions = [(f"S{k}", f"2023-{k + 1:02d}-15") for k in range(8)]
    attendance = [{"session_id": s, "date": d, "practitioner_id": p}
                  for s, d in sessions for p in rng.choice(pracs, 6, replace=False)]
    return Dataset.from_records(
        agencies=[{"agency_id": "A", "name": "Housing"}, {"agency_id": "B", "name": "GP"}],
        practitioners=[{"practitioner_id": p, "agency_id": "AB"[i % 2]} for i, p in enumerate(pracs)],
        contacts=contacts.to_dict("records"), cop_attendance=attendance)


def _ref_contact_edges(ds, period):
    contacts = graphs._in_period(ds.contacts, period)
    contacts = contacts[contacts["with_practitioner_id"].notna()
                        & (contacts["practitioner_id"] != contacts["with_practitioner_id"])]
    frame = pd.DataFrame({"source": contacts["practitioner_id"], "target": contacts["with_practitioner_id"],
                          "type": contacts["contact_type"].fillna("unspecified")})
    wide = pd.crosstab([frame["source"], frame["target"]], frame["type"])
    edges = wide.index.to_frame(index=False).astype(object)
    edges["weight"] = wide.sum(axis=1).to_numpy().astype("int64")
    edges["types"] = [{k: int(v) for k, v in row.items() if v} for row in wide.to_dict("records")]
    return edges


def _ref_coworking_edges(ds, period, window_days):
    contacts = graphs._in_period(ds.contacts, period)
    days = contacts.loc[contacts["client_id"].notna(), ["client_id", "practitioner_id", "date"]].drop_duplicates()
    days["cp"] = days.groupby(["client_id", "practitioner_id"], sort=False).ngroup()
    spans = days[["client_id", "practitioner_id", "cp"]].drop_duplicates()
    pairs = spans.merge(spans, on="client_id", suffixes=("_1", "_2"))
    pairs = pairs[pairs["practitioner_id_1"] < pairs["practitioner_id_2"]]
    left = pairs.merge(days[["cp", "date"]].rename(columns={"cp": "cp_1", "date": "date_1"}), on="cp_1")
    right = days[["cp", "date"]].rename(columns={"cp": "cp_2", "date": "date_2"})
    near = pd.merge_asof(left.sort_values("date_1"), right.sort_values("date_2"), left_on="date_1",
                         right_on="date_2", by="cp_2", direction="nearest",
                         tolerance=pd.Timedelta(days=window_days))
    hits = near.loc[near["date_2"].notna(), ["client_id", "practitioner_id_1", "practitioner_id_2"]]
    edges = (hits.drop_duplicates().groupby(["practitioner_id_1", "practitioner_id_2"]).size()
             .rename("weight").reset_index()
             .rename(columns={"practitioner_id_1": "source", "practitioner_id_2": "target"}))
    return edges.astype({"source": object, "target": object, "weight": "int64"})


def _ref_cop_edges(ds, period):
    attendance = graphs._in_period(ds.cop_attendance, period)[["session_id", "practitioner_id"]].drop_duplicates()
    pairs = attendance.merge(attendance, on="session_id")
    pairs = pairs[pairs["practitioner_id_x"] < pairs["practitioner_id_y"]]
    edges = (pairs.groupby(["practitioner_id_x", "practitioner_id_y"]).size().rename("weight")
             .reset_index().rename(columns={"practitioner_id_x": "source", "practitioner_id_y": "target"}))
    return edges.astype({"source": object, "target": object, "weight": "int64"})


PERIODS = [None, parse_period("2023-03-01:2023-10-01")]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("period", PERIODS)
def test_contact_edges_equal_crosstab_version(seed, period):
    ds = _random_dataset(seed)
    pd.testing.assert_frame_equal(graphs.contact_edges(ds, period), _ref_contact_edges(ds, period))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("window", [0, 7, 90])
def test_coworking_edges_equal_merge_asof_version(seed, period, window):
    ds = _random_dataset(seed)
    got = graphs.coworking_edges(ds, period, window_days=window)
    assert len(got) > 0 or window == 0  # window 0 needs same-day visits, rare here
    pd.testing.assert_frame_equal(got, _ref_coworking_edges(ds, period, window))


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("period", PERIODS)
def test_cop_edges_equal_merge_version(seed, period):
    ds = _random_dataset(seed)
    pd.testing.assert_frame_equal(graphs.cop_edges(ds, period), _ref_cop_edges(ds, period))


@pytest.mark.parametrize("ties", list(graphs.TIE_TYPES))
def test_practitioner_edges_equal_pivot_table_version(ties):
    ds = _random_dataset(5)
    chosen = graphs.TIE_TYPES[ties]
    tables = []
    if "direct" in chosen:
        d = _ref_contact_edges(ds, None)
        d["source"], d["target"] = graphs._ordered(d["source"], d["target"])
        tables.append(d[["source", "target", "weight"]].assign(kind="direct"))
    if "coworking" in chosen:
        tables.append(_ref_coworking_edges(ds, None, 90).assign(kind="coworking"))
    if "cop" in chosen:
        tables.append(_ref_cop_edges(ds, None).assign(kind="cop"))
    wide = pd.concat(tables).pivot_table(index=["source", "target"], columns="kind", values="weight",
                                         aggfunc="sum", fill_value=0)
    ref = wide.reindex(columns=["direct", "coworking", "cop"], fill_value=0).astype("int64").reset_index()
    ref.columns.name = None
    got = graphs.practitioner_edges(ds, ties=ties)
    pd.testing.assert_frame_equal(got[["source", "target", "direct", "coworking", "cop"]],
                                  ref.astype({"source": object, "target": object}))
    assert (got["weight"] == ref[["direct", "coworking", "cop"]].sum(axis=1)).all()
    names = ("cop", "coworking", "direct")
    expected = [tuple(n for n in names if r[n] > 0) for r in ref.to_dict("records")]
    assert got["tie_types"].tolist() == expected


def test_memoised_tables_are_copies_keyed_by_options():
    ds = _random_dataset(0)
    first = graphs.coworking_edges(ds)
    first.loc[0, "weight"] = -1  # a caller modifying its copy...
    again = graphs.coworking_edges(ds)
    assert again.loc[0, "weight"] > 0  # ...does not change what others get
    other = graphs.coworking_edges(ds, window_days=7)
    assert len(other) < len(again)  # options are part of the key
    pd.testing.assert_frame_equal(graphs.coworking_edges(ds), _ref_coworking_edges(ds, None, 90))


def test_errors_are_raised_every_time_and_nothing_is_kept_for_them():
    ds = _random_dataset(0)
    for _ in range(2):
        with pytest.raises(InvalidInputError, match="window_days must be a whole number"):
            graphs.coworking_edges(ds, window_days=-1)
    assert not any("coworking" in str(key) and "-1" in str(key) for key in ds.memo.keys())


# --- measures: matrix-based analysis against the networkx composition it replaced -----------------

def _reference_analysis(ds):
    """NetworkAnalysis as composed before GraphMatrix: networkx graphs passed to every measure."""
    from netdash.analysis import PRACTITIONER_COLUMNS
    from netdash.metrics import basic, brokerage, communities, fragmentation, mixing, structural_holes, trust

    table = basic.practitioner_metrics(ds)
    G, D, T = graphs.practitioner_graph(ds), graphs.contact_graph(ds), trust.trust_graph(ds)
    per = pd.DataFrame(index=pd.Index(sorted(G.nodes), name="practitioner_id"))
    per["betweenness"] = pd.Series(nx.betweenness_centrality(G, normalized=True))
    per = per.join(structural_holes.structural_holes(G)[["constraint", "effective_size"]])
    per["ei_index"] = pd.Series(mixing.ei_by_node(G, "agency"), dtype="float64")
    per["trust_ties"] = pd.Series(dict(T.degree()), dtype="float64")
    per = per.join(brokerage.brokerage_roles(D, "agency"))
    per = per.join(fragmentation.key_players(G, max_nodes=0)[["key_player_fragmentation_gain"]])
    table = table.merge(per, left_on="practitioner_id", right_index=True, how="left")
    for col in ["trust_ties"] + [c for c in PRACTITIONER_COLUMNS if c.startswith("broker_")]:
        table[col] = table[col].fillna(0).astype(int)
    table = table[PRACTITIONER_COLUMNS].sort_values("practitioner_id").reset_index(drop=True)
    net = dict(basic.network_summary(G))
    net.update(fragmentation=fragmentation.fragmentation(G),
               distance_weighted_fragmentation=1 - sum(nx.harmonic_centrality(G).values()) / (len(G) * (len(G) - 1)),
               ei_index=mixing.ei_index(G, "agency"), n_components=nx.number_connected_components(G),
               density=nx.density(G),
               agency_nmi=communities.agency_alignment(G, "agency", seed=0, implementation="auto")["nmi"],
               trust_ties=T.number_of_edges())
    return table, net


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    from netdash.demo import generate_demo
    from netdash.ingest import load_dataset

    folder = generate_demo(tmp_path_factory.mktemp("small"), seed=1, scale="small")
    return load_dataset(folder, secret=b"test-equivalence")[0]


@pytest.mark.parametrize("which", ["small demo", "random 0", "random 1"])
def test_analysis_equals_networkx_composition(which, small_demo):
    from netdash.analysis import PRACTITIONER_COLUMNS, NetworkAnalysis

    ds = small_demo if which == "small demo" else _random_dataset(int(which[-1]), n_prac=60, n_rows=2000)
    a = NetworkAnalysis(ds)
    table, net = a.practitioner_table(), a.network_measures()
    ref_table, ref_net = _reference_analysis(ds)
    pd.testing.assert_frame_equal(table[PRACTITIONER_COLUMNS].drop(columns="betweenness"),
                                  ref_table.drop(columns="betweenness"), check_exact=True)
    np.testing.assert_allclose(table["betweenness"], ref_table["betweenness"], rtol=0, atol=1e-15)
    for key, value in ref_net.items():
        assert net[key] == pytest.approx(value, rel=1e-14, abs=0), key
    assert not {"G", "D", "T"} & set(a.__dict__)  # no networkx graph was built


@pytest.mark.parametrize("seed", range(6))
def test_key_player_pieces_equal_depth_first_search(seed, monkeypatch):
    from netdash.metrics import fragmentation

    rng = np.random.default_rng(seed)
    # Trees and sparse graphs have many articulation points; add isolates and a dense block.
    G = nx.random_labeled_tree(40, seed=seed) if seed % 2 else nx.gnp_random_graph(80, 0.03, seed=seed)
    G = nx.disjoint_union(G, nx.complete_graph(int(rng.integers(3, 7))))
    G.add_nodes_from(range(200, 203))
    ref = fragmentation.key_players(G).sort_index()
    A = fragmentation._adjacency(G)
    labels = fragmentation._component_labels(G, A)
    sizes = np.bincount(labels)
    ours = fragmentation._pieces_after_removal(A, labels, sizes, fragmentation._cut_nodes(G, A))
    old = fragmentation._pieces_by_search(A)
    np.testing.assert_array_equal(ours[0], old[0])
    np.testing.assert_array_equal(ours[1], old[1])
    monkeypatch.setattr(fragmentation, "_RECOUNT_BUDGET", -1)  # force the single search
    pd.testing.assert_frame_equal(fragmentation.key_players(G).sort_index(), ref)


def test_trust_months_equal_period_version():
    from netdash.metrics import trust

    ds = _random_dataset(3, n_rows=3000)
    ours = trust.trust_edges(ds)
    c = ds.contacts[ds.contacts["with_practitioner_id"].notna()
                    & (ds.contacts["practitioner_id"] != ds.contacts["with_practitioner_id"])]
    a, b = trust._ordered(c["practitioner_id"], c["with_practitioner_id"])
    ref = (pd.DataFrame({"a": a, "b": b, "month": c["date"].dt.to_period("M").to_numpy()})
           .groupby(["a", "b"])["month"].nunique())
    got = ours.set_index(["a", "b"])["months"]
    assert len(ref) > 100
    assert (got.reindex(ref.index) == ref).all()


def _ref_practitioner_metrics(ds, period, ties):
    """basic.practitioner_metrics as it was: value_counts and map on id strings."""
    from netdash.metrics.basic import PRACTITIONER_COLUMNS

    period = graphs._period(period)
    nodes = graphs.practitioner_nodes(ds, period)
    ids = pd.Index(nodes["practitioner_id"])
    agency = nodes.set_index("practitioner_id")["agency"]
    edges = graphs.practitioner_edges(ds, period, ties=ties)
    ends = pd.DataFrame({"me": pd.concat([edges["source"], edges["target"]], ignore_index=True),
                         "other": pd.concat([edges["target"], edges["source"]], ignore_index=True)})
    cross = ends[ends["me"].map(agency) != ends["other"].map(agency)]
    direct = graphs.contact_edges(ds, period)
    contacts = ds.contacts[period.mask(ds.contacts["date"])]
    clients = contacts.dropna(subset=["client_id"]).groupby("practitioner_id")["client_id"].nunique()

    def count(values):
        return values.value_counts().reindex(ids, fill_value=0).astype("int64").to_numpy()

    out = pd.DataFrame({
        "practitioner_id": nodes["practitioner_id"], "agency_id": nodes["agency"],
        "agency_name": nodes["agency_name"], "sector": nodes["sector"], "role": nodes["role"],
        "degree": count(ends["me"]), "in_degree": count(direct["target"]), "out_degree": count(direct["source"]),
        "cross_agency_ties": count(cross["me"]),
        "clients": clients.reindex(ids, fill_value=0).astype("int64").to_numpy(),
        "contacts": count(contacts["practitioner_id"]),
        "cop_sessions": nodes["cop_sessions"], "cop_attendee": nodes["cop_attendee"],
    })
    return out[list(PRACTITIONER_COLUMNS)]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("period", [*PERIODS, parse_period("1990-01-01:1990-02-01")])
@pytest.mark.parametrize("ties", ["all", "direct", "cop"])
def test_practitioner_metrics_equal_string_version(seed, period, ties):
    from netdash.metrics import basic

    ds = _random_dataset(seed)
    got = basic.practitioner_metrics(ds, period, ties=ties)
    pd.testing.assert_frame_equal(got, _ref_practitioner_metrics(ds, period, ties), check_exact=True)
    assert period is None or got["contacts"].sum() < len(ds.contacts)


def test_practitioner_metrics_equal_string_version_on_small_demo(small_demo):
    from netdash.metrics import basic

    got = basic.practitioner_metrics(small_demo)
    pd.testing.assert_frame_equal(got, _ref_practitioner_metrics(small_demo, None, "all"), check_exact=True)
    assert got["clients"].sum() > 1000 and got["cross_agency_ties"].sum() > 0
