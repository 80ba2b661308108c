"""Synthetic practitioner graphs with agency structure, for the map benchmarks."""
import random
import time

import networkx as nx

from netdash.viz.layout import layout_positions


def agency_graph(n, m, n_ag=8, seed=1, p_in=0.8):
    rnd = random.Random(seed); G = nx.Graph()
    for i in range(n): G.add_node(f"P{i:05d}", agency=f"A{i % n_ag}", name=f"Person {i}")
    nodes = list(G)
    while G.number_of_edges() < m:
        u = rnd.choice(nodes)
        if rnd.random() < p_in:
            v = rnd.choice([x for x in nodes[int(u[1:]) % n_ag::n_ag]])
        else:
            v = rnd.choice(nodes)
        if u != v: G.add_edge(u, v, weight=rnd.randint(1, 10))
    return G
if __name__ == "__main__":
    for n, m in [(200, 4600), (2000, 73000), (5000, 30000)]:
        G = agency_graph(n, m)
        t = time.time(); p = layout_positions(G); print(n, m, round(time.time() - t, 2))
