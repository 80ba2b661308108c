"""Sanity check (not a test): time coworking_edges on 500k synthetic contacts."""
import time
import numpy as np, pandas as pd
from netdash.dataset import Dataset
from netdash.networks import graphs
from netdash.periods import parse_period

rng = np.random.default_rng(1)
n, n_clients, n_prac = 500_000, 60_000, 2_000
# each client has a small team of 2-5 practitioners; some clients seen very often
team = {c: rng.choice(n_prac, size=rng.integers(2, 6), replace=False) for c in range(n_clients)}
client = rng.zipf(1.3, size=n) % n_clients if "zipf" in __import__("sys").argv else rng.integers(0, n_clients, size=n)
prac = np.array([rng.choice(team[c]) for c in client])
date = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 730, size=n), unit="D")
contacts = pd.DataFrame({"date": date.strftime("%Y-%m-%d"), "practitioner_id": [f"P{p:04d}" for p in prac],
                         "client_id": [f"C{c:05d}" for c in client]})
ds = Dataset.from_records(agencies=[{"agency_id": "A", "name": "A"}],
                          practitioners=[{"practitioner_id": f"P{p:04d}", "agency_id": "A"} for p in range(n_prac)],
                          contacts=contacts)
print("max contacts on one client:", contacts.client_id.value_counts().max())
for period in (None, parse_period("2023-01-01:2024-01-01")):
    t = time.perf_counter(); e = graphs.coworking_edges(ds, period, window_days=90); dt = time.perf_counter() - t
    print(f"period={period and period.label()}: {len(ds.contacts)} rows -> {len(e)} edges in {dt:.2f}s")
t = time.perf_counter(); G = graphs.practitioner_graph(ds); print(f"practitioner_graph(all): {time.perf_counter()-t:.2f}s, {G.number_of_edges()} edges")
