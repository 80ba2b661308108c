"""COP impact's memory for one ties setting at large scale: tracemalloc's peak of each stage (issue 19).

Opens the dataset ``large`` of a workspace (default ``/tmp/nd_pt_ws_large``, made by ``bench/page_timings.py
--scale large``), makes the design for ``--ties`` (the page's new setting in bench/page_timings.py is
"direct"), then runs :func:`staggered_estimates` and :func:`impact_estimates` (1,000 replicates, as the page)
under ``tracemalloc``, printing each stage's CPU seconds and peak (MiB above what was held when it began is
``peak - now`` of the stage before)::

    .venv/bin/python bench/impact_memory.py [--ties direct] [--workspace DIR]

docs/benchmarks.md, "Session 15", has the figures.
"""

import argparse
import time
import tracemalloc


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ties", default="direct")
    parser.add_argument("--workspace", default="/tmp/nd_pt_ws_large")
    args = parser.parse_args(argv)
    import netdash.change.impact as impact
    from netdash.store import Workspace

    ds = Workspace(args.workspace).open("large")
    design = impact.impact_design(ds, ties=args.ties)
    tracemalloc.start()
    last = [time.process_time(), "the start of staggered_estimates"]

    def stage(label):
        now, peak = tracemalloc.get_traced_memory()
        print(f"{last[1][:70]}: {time.process_time() - last[0]:.1f} CPU s; peak {peak / 2**20:,.0f} MiB "
              f"(held at its end {now / 2**20:,.0f})", flush=True)
        tracemalloc.reset_peak()
        last[:] = [time.process_time(), label]

    # The estimators impact_estimates calls, each timed and traced on its own.
    for name in ("did_estimate", "baseline_covariates", "propensity_logit", "matched_did", "balance_table",
                 "dose_response"):
        def traced(*a, _f=getattr(impact, name), _name=name, **k):
            stage(f"impact_estimates: {_name}")
            return _f(*a, **k)
        setattr(impact, name, traced)
    staggered = impact.staggered_estimates(ds, design, progress=stage)
    stage("impact_estimates: the rest")
    impact.impact_estimates(design, bootstrap=1000, staggered=staggered)
    stage("(end)")


if __name__ == "__main__":
    main()
