"""Coverage, power and false claims of the COP impact estimators in four simulated scenarios.

Each seed simulates 200 practitioners in 12 agencies over 24 months. Every
pair from different agencies has a working tie or not in each month: an
untied pair forms a tie with a monthly probability that rises with both
people's activity, their agencies' affinity and a shared client; a tie lasts
to the next month with probability 0.8 (ties form and fade). The COP meets
monthly from month 12. Seventy attendees are drawn with probability rising
with activity (busier people attend); each joins at their own first session
(month 12 + a geometric delay, mean about 2.5 months) and comes to later
sessions with their own engagement probability.

Scenarios (``truth`` is the realised effect, from a second run with the same
random numbers and no COP):

- ``a``: met pairs (attendees from different agencies who sat in the same
  session) form ties at an extra monthly rate for 3 months from meeting,
  about 1 extra colleague per attendee in the after window;
- ``b``: no effect, but attendees' tie-forming rate grows 25% a year faster
  than others' throughout the 24 months (selection on trend);
- ``c``: no effect, parallel trends;
- ``d``: after joining, attendees form extra ties with non-attendees
  (introductions), about 1 extra colleague per attendee.

The simulated panel goes through :func:`netdash.change.impact.panel.panel_estimates`
and :func:`netdash.change.impact.verdict.impact_verdict`, the code the CLI,
report and page use. Estimators: ``did`` (two-window difference-in-differences,
dyadic-robust interval), ``callaway_santanna`` and ``trend_adjusted`` (the
person-level after-window estimates of :mod:`netdash.change.impact.person`),
``headline`` (the verdict's headline: the estimate of the two the verdict uses,
with its trend-robust interval), ``headline_parallel_trends`` (the same
estimate with session 8's interval, which assumed parallel trends unless the
pre-trend test rejected) and ``met_at_cop``
(the pairs' excess per attendee, against its own truth). A last table
compares claim rules on the same estimates. Usage::

    .venv/bin/python bench/impact_scenarios.py --seeds 200 --write-docs
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np

from netdash.change.impact import dyads
from netdash.change.impact.dyads import follow_up
from netdash.change.impact.panel import TiePanel, panel_estimates
from netdash.change.impact.verdict import impact_verdict

N_PRAC, N_AGENCIES, N_ATT, MONTHS, COP_START = 200, 12, 70, 24, 12
STAY = 0.8
SCENARIOS = {"a": "staggered joining, +1 colleague per attendee through ties between people who met at sessions",
             "b": "no effect, attendees already widening their networks faster (selection on trend)",
             "c": "no effect, parallel trends",
             "d": "+1 colleague per attendee through introductions to non-attendees"}
_BASE_RATE = 0.0011   # background monthly formation probability scale: about 10 cross-agency colleagues a year
_MET_RATE = 0.0085    # scenario a: extra monthly formation probability of a met pair, for 3 months
_INTRO_RATE = 0.0013  # scenario d: extra monthly formation probability attendee-non-attendee after joining
_TREND = 0.25         # scenario b: attendees' log-rate grows this much more per year


def simulate(seed, scenario):
    """One simulated world: a :class:`TiePanel` and the realised truths."""
    rng = np.random.default_rng([seed, ord(scenario)])
    agency = np.sort(rng.choice(N_AGENCIES, N_PRAC, p=rng.dirichlet(np.full(N_AGENCIES, 4.0))))
    activity = np.exp(rng.normal(0, 0.5, N_PRAC))
    score = np.log(activity) * 1.5 + rng.gumbel(size=N_PRAC)
    attendees = np.sort(np.argsort(-score)[:N_ATT])
    is_att = np.zeros(N_PRAC, bool)
    is_att[attendees] = True
    affinity = np.exp(rng.normal(0, 0.5, (N_AGENCIES, N_AGENCIES)))
    affinity = (affinity + affinity.T) / 2

    a, b = np.triu_indices(N_PRAC, 1)
    cross = agency[a] != agency[b]
    a, b = a[cross], b[cross]
    P = a.size
    shared = rng.random(P) < 0.08
    base = _BASE_RATE * activity[a] * activity[b] * affinity[agency[a], agency[b]] * np.where(shared, 3.0, 1.0)
    months = np.arange(MONTHS)
    rate = np.repeat(base[:, None], MONTHS, axis=1)
    if scenario == "b":
        # Attendees' own rate grows faster: a pair's rate grows with each attendee in it.
        k = is_att[a].astype(float) + is_att[b]
        rate = rate * np.exp(_TREND * k[:, None] * (months[None, :] - COP_START) / 12)

    # Staggered joining and sessions.
    join = np.minimum(COP_START + rng.geometric(0.4, N_ATT) - 1, MONTHS - 1)
    engagement = rng.beta(2, 2, N_ATT)
    attend = (rng.random((N_ATT, MONTHS)) < engagement[:, None]) & (months[None, :] > join[:, None])
    attend[np.arange(N_ATT), join] = True
    attend[:, :COP_START] = False
    joined = np.full(N_PRAC, -1)
    joined[attendees] = join
    # Month of each pair's first shared session (attendee pairs only).
    pos = np.full(N_PRAC, -1)
    pos[attendees] = np.arange(N_ATT)
    both = (pos[a] >= 0) & (pos[b] >= 0)
    met = np.full(P, -1)
    together = attend[pos[a[both]]] & attend[pos[b[both]]]
    first = np.where(together.any(1), together.argmax(1), -1)
    met[both] = first

    extra = np.zeros((P, MONTHS))
    if scenario == "a":
        for lag in range(3):
            m = met + lag
            ok = (met >= 0) & (m < MONTHS)
            extra[np.flatnonzero(ok), m[ok]] += _MET_RATE
    if scenario == "d":
        one = is_att[a] ^ is_att[b]
        j = np.where(is_att[a], joined[a], joined[b])
        extra[one] += _INTRO_RATE * (months[None, :] >= j[one, None])

    u = rng.random((P, MONTHS))
    v = rng.random((P, MONTHS))

    def run(hazard):
        state = np.zeros((P, MONTHS), bool)
        pi = hazard[:, 0] / (hazard[:, 0] + 1 - STAY)
        state[:, 0] = u[:, 0] < pi
        for t in range(1, MONTHS):
            state[:, t] = np.where(state[:, t - 1], v[:, t] < STAY, u[:, t] < hazard[:, t])
        return state

    with_cop = run(np.clip(rate + extra, 0, 1))
    without = run(np.clip(rate, 0, 1)) if extra.any() else with_cop
    before, after = slice(0, COP_START), slice(COP_START, MONTHS)

    def colleagues(state, window):
        on = state[:, window].any(1)
        return np.bincount(np.r_[a[on], b[on]], minlength=N_PRAC)

    gain = colleagues(with_cop, after) - colleagues(without, after)
    truth = float(gain[attendees].mean())
    # Dyad truth: extra met pairs, untied before meeting, with a first tie within the horizon.
    tie_a, tie_b = np.nonzero(with_cop)[0], np.nonzero(with_cop)[1]
    r_b = np.nonzero(with_cop[:, before].any(1))[0]
    r_a = np.nonzero(with_cop[:, after].any(1))[0]
    att_rows = np.flatnonzero(attend.any(0))
    session_node = np.repeat(attendees, attend.sum(1))
    session_month = np.nonzero(attend)[1]
    panel = TiePanel(
        n_nodes=N_PRAC, agency=agency, months=[f"m{t:02d}" for t in range(MONTHS)],
        tie_a=a[tie_a], tie_b=b[tie_a], tie_month=tie_b,
        before_a=a[r_b], before_b=b[r_b], after_a=a[r_a], after_b=b[r_a],
        units=np.arange(N_PRAC), treated=is_att.copy(), cohort=joined,
        attend_node=session_node, attend_session=session_month, attend_month=session_month,
        shared_a=a[shared], shared_b=b[shared], shared_month=np.zeros(int(shared.sum()), np.int64),
        cop_start_month=COP_START)
    dyad_truth = _dyad_truth(with_cop, without, met, 6)
    del att_rows
    return panel, {"truth": truth, "dyad_truth": 2 * dyad_truth / N_ATT}


def _dyad_truth(with_cop, without, met, horizon):
    """Met pairs untied before meeting that tie within their follow-up with the COP, minus without.

    The follow-up is the one :func:`netdash.change.impact.dyads.met_at_cop` uses:
    ``horizon`` months from meeting, fewer near the data's end.
    """
    if with_cop is without:
        return 0.0
    out = 0
    for sign, state in ((1, with_cop), (-1, without)):
        T = state.shape[1]
        first = np.where(state.any(1), state.argmax(1), T + 99)
        h = follow_up(np.maximum(met, 0), T, horizon, dyads.MIN_FOLLOW_UP)
        ok = (met >= 0) & (h > 0) & (first >= met)
        hit = ok & (first <= met + h - 1)
        out += sign * int(hit.sum())
    return float(out)


ESTIMATORS = ("did", "callaway_santanna", "trend_adjusted", "headline_parallel_trends", "headline", "met_at_cop")


def _excludes(d, sign=None):
    low, high = d[1], d[2]
    if not (np.isfinite(low) and np.isfinite(high)):
        return False
    return (low > 0 or high < 0) if sign is None else (low > 0 if sign > 0 else high < 0)


def one(seed, scenario):
    panel, truth = simulate(seed, scenario)
    est = panel_estimates(panel)
    person = est["person"]
    verdict = impact_verdict(person, est["pre_trend"], est["met_at_cop"])
    m = est["met_at_cop"]
    row = {"seed": seed, "scenario": scenario, **truth, "pre_p": est["pre_trend"]["p_value"],
           "trend_p": person["trend"]["p_value"], "claims": verdict["claims_effect"],
           "doubtful": verdict["pre_trend"]["parallel_trends_doubtful"]}
    head = {k: (np.nan if v is None else v) for k, v in verdict["headline"].items()}
    for name, d, t in (("did", est["did"], truth["truth"]),
                       ("callaway_santanna", person["att"], truth["truth"]),
                       ("trend_adjusted", person["trend_adjusted"], truth["truth"]),
                       ("headline", head, truth["truth"]),
                       ("met_at_cop", {"estimate": m["excess_per_attendee"], "ci_low": m["ci_low"],
                                       "ci_high": m["ci_high"]}, truth["dyad_truth"])):
        row[name] = (d["estimate"], d["ci_low"], d["ci_high"], t)
    # Session 8's headline: the same estimate with the parallel-trends interval (trend-adjusted when doubtful).
    row["headline_parallel_trends"] = row["trend_adjusted"] if row["doubtful"] else row["callaway_santanna"]
    # Other rules, from the same estimates, for the comparison table in docs/impact.md.
    h, m, ta = row["headline_parallel_trends"], row["met_at_cop"], row["trend_adjusted"]
    sign = np.sign(h[0])
    pairs_agree = _excludes(m) and np.sign(m[0]) == sign
    trend_agree = _excludes(h) and not row["doubtful"] and _excludes(ta, sign)
    row["rules"] = {
        "headline's trend-robust interval excludes 0 (no check)": _excludes(row["headline"]),
        "headline's parallel-trends interval excludes 0 (no check)": _excludes(h),
        "parallel-trends headline and met-at-COP both exclude 0, same direction": _excludes(h) and _excludes(m, sign),
        "**chosen: met-at-COP excludes 0 and the headline points the same way**": verdict["claims_effect"],
        "chosen rule, or parallel-trends headline and trend-adjusted both exclude 0 the same way": (
            pairs_agree or trend_agree),
        "session 8: headline excludes 0, and met-at-COP or trend-adjusted the same way (trend-adjusted "
        "headline alone when doubtful)": _excludes(h) and (_excludes(m, sign) or row["doubtful"] or trend_agree),
        "trend-adjusted interval excludes 0 (always trend-adjusted)": _excludes(ta),
        "before issue 15: met-at-COP excludes 0, two-window DiD same direction": (
            _excludes(m) and np.sign(row["did"][0]) == np.sign(m[0])),
    }
    return row


def table(rows):
    lines = ["| scenario | estimator | seeds | mean truth | mean estimate | coverage | power (CI excludes 0) | "
             "mean CI width | SD of error / mean SE |", "|---|---|---|---|---|---|---|---|---|"]
    for sc in SCENARIOS:
        rs = [r for r in rows if r["scenario"] == sc]
        if not rs:
            continue
        for name in ESTIMATORS:
            est, low, high, truth = (np.array(x, dtype=float) for x in zip(*[r[name] for r in rs]))
            fin = np.isfinite(low)
            cover = ((low <= truth) & (truth <= high))[fin].mean()
            power = ((low > 0) | (high < 0))[fin].mean()
            # Calibration: the spread of the errors over the mean standard error the interval implies
            # (1 = the interval's width is right; above 1 = too narrow).
            ratio = (est - truth)[fin].std(ddof=1) / ((high - low)[fin].mean() / (2 * 1.959964))
            lines.append(f"| {sc} | {name} | {fin.sum()} | {truth.mean():.2f} | {est.mean():.2f} | {cover:.1%} | "
                         f"{power:.1%} | {(high - low)[fin].mean():.2f} | {ratio:.2f} |")
    lines += ["", "| scenario | true effect (colleagues per attendee) | verdict claims an effect | "
              "of which a gain | pre-trend doubtful (joint test p < 0.10) | linear pre-trend p < 0.10 |",
              "|---|---|---|---|---|---|"]
    for sc in SCENARIOS:
        rs = [r for r in rows if r["scenario"] == sc]
        if rs:
            right = [r["claims"] and r["headline"][0] > 0 for r in rs]
            lines.append(f"| {sc} | {np.mean([r['truth'] for r in rs]):.2f} | {np.mean([r['claims'] for r in rs]):.1%} | "
                         f"{np.mean(right):.1%} | {np.mean([r['doubtful'] for r in rs]):.1%} | "
                         f"{np.mean([r['trend_p'] < 0.10 for r in rs]):.1%} |")
    present = [sc for sc in SCENARIOS if any(r["scenario"] == sc for r in rows)]
    lines += ["", "| rule: claims an effect when ... | " + " | ".join(f"({sc})" for sc in present) + " |",
              "|---|" + "---|" * len(present)]
    for rule in rows[0]["rules"]:
        rates = [np.mean([r["rules"][rule] for r in rows if r["scenario"] == sc]) for sc in present]
        lines.append(f"| {rule} | " + " | ".join(f"{x:.1%}" for x in rates) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--scenarios", default="abcd")
    parser.add_argument("--write-docs", action="store_true", help="replace the table in docs/impact.md")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    rows = [one(seed, sc) for sc in args.scenarios for seed in range(args.seeds)]
    wall = time.perf_counter() - start
    out = table(rows)
    note = (f"{args.seeds} seeds per scenario, one process, {wall:.0f} s wall time; load average "
            f"{load:.1f} at the start and {os.getloadavg()[0]:.1f} at the end on 2 shared cores.")
    print(out + "\n\n" + note)
    if args.write_docs:
        doc = Path(__file__).resolve().parents[1] / "docs" / "impact.md"
        text = doc.read_text()
        begin, end = "<!-- impact_scenarios:begin -->", "<!-- impact_scenarios:end -->"
        i, j = text.index(begin) + len(begin), text.index(end)
        doc.write_text(text[:i] + "\n" + out + "\n\n" + note + "\n" + text[j:])


if __name__ == "__main__":
    main()
