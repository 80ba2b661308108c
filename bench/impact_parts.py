"""Where COP impact's CPU goes for a new "Ties" setting: cProfile (``time.process_time``) of each part.

Loads a demo folder, computes the page's default setting ("working" ties: untimed, as the server would
hold it), then profiles the new one ("direct"): ``impact_design``, ``staggered_estimates`` and
``impact_estimates`` with 1,000 bootstrap replicates, as ``pages/_cached.py`` calls them. Prints one
JSON line: cumulative CPU seconds of the named functions (a function missing from the tree run is
left out) and ``total``. To compare two trees in the same minutes, alternate fresh processes::

    for i in 1 2 3 4 5; do for tree in /tmp/nd_base .; do
      PYTHONPATH=$tree .venv/bin/python -P bench/impact_parts.py /tmp/nd_pt_medium; done; done

(``-P``: without it ``bench/`` comes first on ``sys.path`` and ``bench/profile.py`` hides the standard
library's ``profile``, which ``cProfile`` imports.)
"""

import json
import sys
import time

from netdash.change.impact import impact_design, impact_estimates, staggered_estimates
from netdash.ingest import load_dataset

#: Function name -> the file it is defined in (so that a name used twice is not mixed up).
PARTS = {"impact_design": "design.py", "tie_panel": "panel.py", "panel_estimates": "panel.py",
         "event_study": "staggered.py", "window_outcomes": "staggered.py", "met_at_cop": "dyads.py",
         "_candidate_pairs": "panel.py", "_pair_first": "panel.py", "prior_new_tie_rate": "panel.py",
         "person_level": "person.py", "staggered_estimates": "__init__.py", "trust_pair_changes": "design.py",
         "impact_estimates": "__init__.py", "matched_did": "matching.py"}


def main(folder):
    import cProfile  # here, not at the top: importing this file (e.g. pytest collecting it) must not need it
    import pstats

    ds = load_dataset(folder, secret=b"netdash-bench")[0]

    def run(ties):
        design = impact_design(ds, ties=ties)
        impact_estimates(design, bootstrap=1000, staggered=staggered_estimates(ds, design))

    run("working")
    profile = cProfile.Profile(time.process_time)
    start = time.process_time()
    profile.enable()
    run("direct")
    profile.disable()
    total = time.process_time() - start
    out = {}
    for (path, _, name), (_, _, _, cumulative, _) in pstats.Stats(profile).stats.items():
        if PARTS.get(name) and path.endswith(PARTS[name]):
            out[name] = round(out.get(name, 0.0) + cumulative, 4)
    print(json.dumps(dict(out, total=round(total, 4))))


if __name__ == "__main__":
    main(sys.argv[1])
