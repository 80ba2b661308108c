"""The "plain pandas + networkx" baseline for ``bench/run.py``.

The same measures as ``netdash metrics`` (all data, ties "all", 90-day
co-working window, default trust rule), written the straightforward way a
competent analyst would with pandas and networkx and nothing else:

* tables read with ``pandas.read_csv`` (no validation, no pseudonymisation:
  less work than netdash does);
* edges by pandas: ``groupby`` for contacts, a self-merge on client filtered
  to ``|d1 - d2| <= 90`` days for co-working, a self-merge on session for COP
  co-attendance; graphs with ``add_edges_from``;
* networkx on whole graphs: ``betweenness_centrality`` (undirected, and
  directed on the contacts), ``constraint`` and ``effective_size``
  (whole-graph path), ``harmonic_centrality`` for distance-weighted
  fragmentation, ``connected_components``, ``louvain_communities`` (seeds
  0 to 9, as ``netdash metrics`` reports their median and range) with
  scikit-learn's NMI and ARI;
* Python loops where networkx has no function: E-I per node, Gould &
  Fernandez brokerage (a loop over each broker's in- and out-neighbours)
  and its expected counts and standard deviations (a loop over agencies),
  key players (only articulation points can split a component, so only
  they are removed and their components recounted; everyone else's gain
  follows from the sizes);
* numpy for the E-I permutation test (200 relabellings of the edge list's
  agencies).

Every column of ``practitioners.csv`` and every field of ``network.json``
that ``netdash metrics`` writes is computed; the methods' metadata (exact
betweenness, no sampling) are constants here. Until 7 Dec 2026 the
directed betweenness, the brokerage null, the E-I test and the nine
further Louvain seeds (added to ``netdash metrics`` on 6 Dec) were
missing, so the baseline did less than the pipeline it was set against
(docs/benchmarks.md, "Session 20: the medium ratio").

It is not made slow on purpose: it avoids per-node calls of networkx's
structural-hole functions and graph copies per removal.
"""

import json
import math
from collections import Counter

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

__all__ = ["baseline_metrics"]


def _read(folder):
    read = lambda name, **kw: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False,  # noqa: E731
                                          na_values=[""], **kw)
    tables = {name: read(name) for name in ("agencies", "practitioners", "contacts", "cop_attendance",
                                            "trust_survey")}
    for name in ("contacts", "cop_attendance", "trust_survey"):
        tables[name]["date"] = pd.to_datetime(tables[name]["date"])
    tables["trust_survey"]["trust"] = pd.to_numeric(tables["trust_survey"]["trust"])
    return tables


def _edges(t, window_days):
    c = t["contacts"]
    direct = c[c["with_practitioner_id"].notna() & (c["practitioner_id"] != c["with_practitioner_id"])]
    arcs = direct.groupby(["practitioner_id", "with_practitioner_id"]).size()
    days = c.loc[c["client_id"].notna(), ["client_id", "practitioner_id", "date"]].drop_duplicates()
    pairs = days.merge(days, on="client_id")
    pairs = pairs[(pairs["practitioner_id_x"] < pairs["practitioner_id_y"])
                  & ((pairs["date_x"] - pairs["date_y"]).abs() <= pd.Timedelta(days=window_days))]
    cowork = pairs[["client_id", "practitioner_id_x", "practitioner_id_y"]].drop_duplicates()
    cowork = cowork.groupby(["practitioner_id_x", "practitioner_id_y"]).size()
    a = t["cop_attendance"][["session_id", "practitioner_id"]].drop_duplicates()
    cop = a.merge(a, on="session_id")
    cop = cop[cop["practitioner_id_x"] < cop["practitioner_id_y"]]
    cop = cop.groupby(["practitioner_id_x", "practitioner_id_y"]).size()
    return arcs, cowork, cop


def _trust_graph(t, nodes):
    c = t["contacts"]
    c = c[c["with_practitioner_id"].notna() & (c["practitioner_id"] != c["with_practitioner_id"])]
    a = np.minimum(c["practitioner_id"], c["with_practitioner_id"])
    b = np.maximum(c["practitioner_id"], c["with_practitioner_id"])
    f = pd.DataFrame({"a": a, "b": b, "fwd": c["practitioner_id"] == a, "month": c["date"].dt.to_period("M")})
    g = f.groupby(["a", "b"]).agg(n=("fwd", "size"), months=("month", "nunique"), fwd=("fwd", "sum"))
    inferred = (g["n"] >= 3) & (g["months"] >= 2) & (g["fwd"] > 0) & (g["fwd"] < g["n"])
    s = t["trust_survey"]
    s = s[s["trust"].notna() & (s["rater_id"] != s["ratee_id"])]
    s = s[s["date"] == s.groupby(["rater_id", "ratee_id"])["date"].transform("max")]
    s = s.groupby(["rater_id", "ratee_id"], as_index=False)["trust"].mean()
    s["a"], s["b"] = np.minimum(s["rater_id"], s["ratee_id"]), np.maximum(s["rater_id"], s["ratee_id"])
    survey = s.groupby(["a", "b"])["trust"].mean() >= 3
    verdict = inferred.to_dict()
    verdict.update(survey.to_dict())
    T = nx.Graph()
    T.add_nodes_from(nodes)
    T.add_edges_from(pair for pair, tie in verdict.items() if tie)
    return T


def _brokerage(D, agency):
    roles = {v: [0, 0, 0, 0, 0] for v in D}
    for b in D:
        gb = agency[b]
        for a in D.predecessors(b):
            for c in D.successors(b):
                if a == c or a == b or c == b or D.has_edge(a, c):
                    continue
                ga, gc = agency[a], agency[c]
                if ga == gb == gc:
                    roles[b][0] += 1
                elif ga == gc:
                    roles[b][1] += 1
                elif ga == gb:
                    roles[b][2] += 1
                elif gc == gb:
                    roles[b][3] += 1
                else:
                    roles[b][4] += 1
    return roles


def _brokerage_null(D, agency, roles):
    """Gould & Fernandez's expected count and standard deviation of each role, per broker (R sna's exp.nli,
    sd.nli), and the z-scores: the same formulas per agency, in plain Python."""
    N = D.number_of_nodes()
    d = D.number_of_edges() / (N * (N - 1))
    q, r = d * d * (1 - d), d**3 * (1 - d) ** 3
    sizes = Counter(agency[v] for v in D)
    moments = {}
    for g, ni in sizes.items():
        others = [n for h, n in sizes.items() if h != g]
        means = [q * (ni - 1) * (ni - 2), q * sum(o * (o - 1) for o in others), q * (N - ni) * (ni - 1),
                 q * (N - ni) * (ni - 1), q * (sum(others) ** 2 - sum(o * o for o in others)), q * (N - 1) * (N - 2)]
        extra = [2 * (ni - 1) * (ni - 2) * (ni - 3), 2 * sum(o * (o - 1) * (o - 2) for o in others),
                 2 * ((ni - 1) * (N - ni) * (N - ni - 1) / 2 + (N - ni) * (ni - 1) * (ni - 2) / 2),
                 2 * ((ni - 1) * (N - ni) * (N - ni - 1) / 2 + (N - ni) * (ni - 1) * (ni - 2) / 2),
                 4 * sum(o * (N - o - ni) * (N - o - ni - 1) / 2 for o in others), 2 * (N - 1) * (N - 2) * (N - 3)]
        moments[g] = [(m, math.sqrt(m * (1 - q) + e * r)) for m, e in zip(means, extra)]
    null = {}
    for v in D:
        observed = [*roles[v], sum(roles[v])]
        null[v] = [(m, sd, (o - m) / sd if sd > 0 else np.nan) for o, (m, sd) in zip(observed, moments[agency[v]])]
    return null


def _ei_test(G, agency, nodes, observed, *, permutations=200, seed=0):
    """The E-I index's mean over random relabellings of the agencies, and the two-sided p-value of ``observed``."""
    index = {v: i for i, v in enumerate(nodes)}
    u = np.array([index[a] for a, _ in G.edges()])
    w = np.array([index[b] for _, b in G.edges()])
    labels = pd.factorize(pd.Series([agency[v] for v in nodes]))[0]
    rng = np.random.default_rng(seed)
    simulated = []
    for _ in range(permutations):
        shuffled = rng.permutation(labels)
        simulated.append((2 * (shuffled[u] != shuffled[w]).sum() - len(u)) / len(u))
    expected = float(np.mean(simulated))
    extreme = sum(abs(x - expected) >= abs(observed - expected) - 1e-12 for x in simulated)
    return expected, (1 + extreme) / (1 + permutations)


def _key_players(G):
    n = len(G)
    components = list(nx.connected_components(G))
    comp_of = {v: k for k, comp in enumerate(components) for v in comp}
    pairs = sum(len(c) * (len(c) - 1) for c in components)
    base = 1 - pairs / (n * (n - 1))
    cut = set(nx.articulation_points(G))
    gain = {}
    for v in G:
        comp = components[comp_of[v]]
        s = len(comp)
        if v in cut:  # recount the pieces v's component falls into
            pieces = [len(c) for c in nx.connected_components(G.subgraph(comp - {v}))]
            after_pairs = pairs - s * (s - 1) + sum(p * (p - 1) for p in pieces)
        else:  # v's component just loses v
            after_pairs = pairs - s * (s - 1) + (s - 1) * (s - 2)
        gain[v] = (1 - after_pairs / ((n - 1) * (n - 2))) - base
    return gain, base


def baseline_metrics(folder, *, window_days=90, seed=0):
    """Practitioner table and network dict by plain pandas + networkx (see the module docstring)."""
    t = _read(folder)
    prac = t["practitioners"]
    agency = dict(zip(prac["practitioner_id"], prac["agency_id"]))
    nodes = sorted(agency)
    arcs, cowork, cop = _edges(t, window_days)

    G = nx.Graph()
    G.add_nodes_from(nodes)
    for table in (cowork, cop):
        for (u, v), w in table.items():
            G.add_edge(u, v, weight=G.get_edge_data(u, v, {"weight": 0})["weight"] + w)
    for (u, v), w in arcs.items():
        G.add_edge(u, v, weight=G.get_edge_data(u, v, {"weight": 0})["weight"] + w)
    D = nx.DiGraph()
    D.add_nodes_from(nodes)
    D.add_edges_from(arcs.index)
    T = _trust_graph(t, nodes)

    c = t["contacts"]
    row = pd.DataFrame(index=pd.Index(nodes, name="practitioner_id"))
    row["agency_id"] = [agency[v] for v in nodes]
    row["degree"] = [G.degree(v) for v in nodes]
    row["in_degree"] = [D.in_degree(v) for v in nodes]
    row["out_degree"] = [D.out_degree(v) for v in nodes]
    row["cross_agency_ties"] = [sum(agency[w] != agency[v] for w in G[v]) for v in nodes]
    row["clients"] = c.groupby("practitioner_id")["client_id"].nunique().reindex(nodes, fill_value=0)
    row["contacts"] = c["practitioner_id"].value_counts().reindex(nodes, fill_value=0)
    row["cop_sessions"] = t["cop_attendance"].groupby("practitioner_id")["session_id"].nunique().reindex(
        nodes, fill_value=0)
    row["betweenness"] = pd.Series(nx.betweenness_centrality(G))
    row["constraint"] = pd.Series(nx.constraint(G))
    row["effective_size"] = pd.Series(nx.effective_size(G))
    ei = {}
    for v in nodes:
        e = sum(agency[w] != agency[v] for w in G[v])
        i = G.degree(v) - e
        ei[v] = (e - i) / (e + i) if e + i else np.nan
    row["ei_index"] = pd.Series(ei)
    row["trust_ties"] = [T.degree(v) for v in nodes]
    roles = _brokerage(D, agency)
    for k, name in enumerate(["coordinator", "itinerant", "representative", "gatekeeper", "liaison"]):
        row[f"broker_{name}"] = [roles[v][k] for v in nodes]
    row["broker_total"] = [sum(roles[v]) for v in nodes]
    gain, frag = _key_players(G)
    row["key_player_fragmentation_gain"] = pd.Series(gain)
    agencies = t["agencies"].set_index("agency_id")
    row["agency_name"] = row["agency_id"].map(agencies["name"])
    row["sector"] = row["agency_id"].map(agencies["sector"])
    row["role"] = prac.set_index("practitioner_id")["role"].reindex(nodes)
    row["cop_attendee"] = row["cop_sessions"] > 0
    row["betweenness_se"] = 0.0  # exact: no sampling error
    null = _brokerage_null(D, agency, roles)
    for k, name in enumerate(["coordinator", "itinerant", "representative", "gatekeeper", "liaison", "total"]):
        for j, what in enumerate(["expected", "sd", "z"]):
            row[f"broker_{name}_{what}"] = [null[v][k][j] for v in nodes]
    row["betweenness_directed"] = pd.Series(nx.betweenness_centrality(D))
    row["betweenness_directed_se"] = 0.0

    n, m = G.number_of_nodes(), G.number_of_edges()
    cross = sum(agency[u] != agency[v] for u, v in G.edges())
    harmonic = sum(nx.harmonic_centrality(G).values())
    nmi, ari = [], []
    for run in range(seed, seed + 10):
        found = nx.community.louvain_communities(G, weight=None, seed=run)
        label = {v: k for k, comm in enumerate(found) for v in comm}
        truth, part = [agency[v] for v in nodes], [label[v] for v in nodes]
        nmi.append(normalized_mutual_info_score(truth, part))
        ari.append(adjusted_rand_score(truth, part))
    ei = (2 * cross - m) / m
    ei_expected, ei_p = _ei_test(G, agency, nodes, ei, seed=seed)
    network = {
        "n_practitioners": n, "n_ties": m, "n_isolates": nx.number_of_isolates(G),
        "n_agencies": len(set(agency.values())), "cross_agency_ties": cross, "cross_agency_share": cross / m,
        "density": nx.density(G), "mean_degree": 2 * m / n, "fragmentation": frag,
        "distance_weighted_fragmentation": 1 - harmonic / (n * (n - 1)),
        "ei_index": ei, "n_components": nx.number_connected_components(G),
        "agency_nmi": float(np.median(nmi)), "trust_ties": T.number_of_edges(),
        "betweenness_method": "exact", "betweenness_sources": n, "betweenness_max_standard_error": 0.0,
        "distance_weighted_fragmentation_method": "exact", "distance_weighted_fragmentation_sources": n,
        "distance_weighted_fragmentation_standard_error": 0.0,
        "agency_nmi_min": min(nmi), "agency_nmi_max": max(nmi), "agency_nmi_seeds": list(range(seed, seed + 10)),
        "agency_ari": float(np.median(ari)), "agency_ari_min": min(ari), "agency_ari_max": max(ari),
        "ei_index_expected": ei_expected, "ei_index_p_value": ei_p, "ei_index_permutations": 200,
        "weighted": False, "directed": True, "betweenness_directed_method": "exact",
        "betweenness_directed_sources": n, "betweenness_directed_max_standard_error": 0.0,
        "ties": "all", "period": "start to end",
    }
    return row.reset_index(), network


def write_outputs(table, network, out):
    """Write the baseline's practitioners.csv and network.json (as the CLI does)."""
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "practitioners.csv", index=False)
    (out / "network.json").write_text(json.dumps(network, indent=2, default=float) + "\n")

