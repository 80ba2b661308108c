"""COP impact's staggered estimates at regional scale: CPU seconds and memory of each stage.

Loads a dataset (a demo folder, or ``--pickle FILE`` from ``bench/profile.py --save-pickle``), makes the
COP impact design and its practitioner-month panel with the page's default ties ("working"), then runs
:func:`netdash.change.impact.panel.panel_estimates` once, printing the CPU seconds
(``time.process_time``) of each stage as its ``progress`` callback names the next, the process's peak
resident memory (``VmHWM``) before and after, and the met-at-COP figures. With ``--trace``,
``tracemalloc``'s peak of each stage too (slower). Run it in its own process, e.g.::

    nice -n 10 prlimit --as=8000000000 /usr/bin/time -v \\
        .venv/bin/python bench/impact_large.py --pickle /work/large_demo.pkl [--trace] [--chunk-pairs N]

docs/benchmarks.md, "COP impact's memory at large scale", has the figures.
"""

import argparse
import os
import pickle
import time
import tracemalloc


def _peak_rss():
    with open("/proc/self/status") as status:
        return next(line.split()[1] for line in status if line.startswith("VmHWM")) + " kB"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", help="demo folder (or use --pickle)")
    parser.add_argument("--pickle", help="a pickled Dataset")
    parser.add_argument("--trace", action="store_true", help="tracemalloc's peak of each stage")
    parser.add_argument("--chunk-pairs", type=int, default=None, help="attendee pairs listed at once")
    args = parser.parse_args(argv)
    from netdash.change.impact import impact_design
    from netdash.change.impact.panel import PAIR_CHUNK, candidate_pair_count, panel_estimates, tie_panel

    print(f"load average {os.getloadavg()[0]:.2f}", flush=True)
    if args.pickle:
        with open(args.pickle, "rb") as f:
            ds = pickle.load(f)
    else:
        from netdash.ingest import load_dataset
        ds = load_dataset(args.folder, secret=b"netdash-bench")[0]
    start = time.process_time()
    design = impact_design(ds, ties="working")
    print(f"impact_design: {time.process_time() - start:.1f} s CPU", flush=True)
    start = time.process_time()
    panel = tie_panel(ds, design)
    print(f"tie_panel: {time.process_time() - start:.1f} s CPU; {candidate_pair_count(panel):,} candidate pairs; "
          f"peak RSS so far {_peak_rss()}", flush=True)
    last = [time.process_time()]

    def stage(label):
        now = time.process_time()
        peak = f", tracemalloc peak {tracemalloc.get_traced_memory()[1] / 1e6:,.0f} MB" if args.trace else ""
        print(f"  {now - last[0]:.1f} s CPU{peak}; next: {label}", flush=True)
        last[0] = now
        if args.trace:
            tracemalloc.reset_peak()

    if args.trace:
        tracemalloc.start()
    start = time.process_time()
    out = panel_estimates(panel, progress=stage, chunk_pairs=args.chunk_pairs or PAIR_CHUNK)
    stage("(end)")
    print(f"panel_estimates: {time.process_time() - start:.1f} s CPU; peak RSS {_peak_rss()}; "
          f"load average {os.getloadavg()[0]:.2f}")
    m = out["met_at_cop"]
    print({k: m[k] for k in ("pairs", "new_ties", "comparison_pairs", "expected_new_ties", "excess_per_attendee",
                             "ci_low", "ci_high", "fallback")})


if __name__ == "__main__":
    main()
