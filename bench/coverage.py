"""Coverage of the COP impact intervals on demo data with a known effect.

For each effect size and seed, generate a demo dataset (``netdash.demo``),
import it through the normal door (``netdash.ingest.load_dataset``), run
:func:`netdash.change.impact.evaluate_impact` and check whether each 95% interval
contains the true effect written to ``ground_truth.json``. Prints one line
per effect and estimator: runs, coverage, mean estimate (bias) and mean
interval width.

Usage::

    .venv/bin/python bench/coverage.py                     # 20 seeds, effects 2 and 0
    .venv/bin/python bench/coverage.py --seeds 50 --effects 2 1 0 --ties direct --jobs 4
"""

import argparse
import json
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ESTIMATORS = ("did_cross_agency_ties", "matched_did_cross_agency_ties")


def one_run(args):
    effect, seed, scale, bootstrap, ties = args
    from netdash.demo import generate_demo
    from netdash.change.impact import evaluate_impact
    from netdash.ingest import load_dataset

    with tempfile.TemporaryDirectory() as tmp:
        folder = generate_demo(Path(tmp) / "demo", seed=seed, cop_effect=effect, scale=scale)
        truth = json.loads((folder / "ground_truth.json").read_text())["cop_effect"]
        ds, _ = load_dataset(folder, secret=b"coverage-bench")
    result = evaluate_impact(ds, bootstrap=bootstrap, seed=seed, ties=ties)
    out = {"effect": effect, "seed": seed, "truth": float(truth), "n_attendees": result["n_attendees"],
           "n_non_attendees": result["n_non_attendees"]}
    for name in ESTIMATORS:
        out[name] = result[name]
    return out


def summarise(runs):
    lines = [f"{'effect':>6} {'estimator':<32} {'runs':>4} {'coverage':>9} {'mean est':>9} "
             f"{'mean width':>10}"]
    for effect in sorted({r["effect"] for r in runs}, reverse=True):
        rows = [r for r in runs if r["effect"] == effect]
        for name in ESTIMATORS:
            iv = [(r[name]["estimate"], r[name]["ci_low"], r[name]["ci_high"], r["truth"]) for r in rows
                  if r[name]["ci_low"] is not None]
            est, low, high, truth = (np.array(x, dtype=float) for x in zip(*iv))
            covered = (low <= truth) & (truth <= high)
            lines.append(f"{effect:>6g} {name:<32} {len(iv):>4} {covered.mean():>9.0%} {est.mean():>9.2f} "
                         f"{(high - low).mean():>10.2f}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds per effect (default 20)")
    parser.add_argument("--effects", type=float, nargs="+", default=[2.0, 0.0])
    parser.add_argument("--scale", default="small")
    parser.add_argument("--bootstrap", type=int, default=2000)
    parser.add_argument("--ties", default="working", choices=["working", "direct", "coworking"])
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--json", type=Path, help="also write every run to this file")
    args = parser.parse_args(argv)

    tasks = [(e, s, args.scale, args.bootstrap, args.ties) for e in args.effects for s in range(args.seeds)]
    start = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            runs = list(pool.map(one_run, tasks))
    else:
        runs = [one_run(t) for t in tasks]
    elapsed = time.perf_counter() - start
    print(f"scale={args.scale} ties={args.ties} bootstrap={args.bootstrap} seeds={args.seeds} "
          f"({elapsed:.0f} s, {elapsed / len(tasks):.1f} s per run)")
    n_att = np.mean([r["n_attendees"] for r in runs])
    n_non = np.mean([r["n_non_attendees"] for r in runs])
    print(f"mean group sizes: {n_att:.0f} attendees, {n_non:.0f} non-attendees")
    print(summarise(runs))
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1))


if __name__ == "__main__":
    main()
