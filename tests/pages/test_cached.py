"""pages/_cached.py is the app's one cache boundary, and what it keeps depends only on the arguments.

A cached value that read the sidebar, a widget or a page's globals would be
stored under a key that does not describe it, and served to the next caller
whose key matches (Before & after's maps once read the sidebar period this
way). The source checks say where that could happen; the behavioural check
computes every cached function twice, under two different sidebars, and
compares.
"""

import ast
import builtins
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
CACHED = ROOT / "pages" / "_cached.py"
CACHE_DECORATORS = {"cache_data", "cache_resource", "cache", "experimental_memo", "experimental_singleton"}
APP_FILES = sorted((ROOT / "pages").glob("*.py")) + [ROOT / "streamlit_app.py"]


def _tree(path):
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _cache_uses(path):
    """Lines of ``path`` that name a Streamlit cache decorator (``st.cache_data``, ``from streamlit import ...``)."""
    found = []
    for node in ast.walk(_tree(path)):
        if (isinstance(node, ast.Attribute) and node.attr in CACHE_DECORATORS and isinstance(node.value, ast.Name)
                and node.value.id in ("st", "streamlit")):
            found.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("streamlit"):
            found.extend(node.lineno for alias in node.names if alias.name in CACHE_DECORATORS)
    return found


def _functions(tree):
    return [node for node in tree.body if isinstance(node, ast.FunctionDef)]


def _is_cached(function):
    return any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in CACHE_DECORATORS
               for d in function.decorator_list)


def _module_names(tree):
    """Names bound at module level, by kind: functions and imports (fine to use), constants, anything else."""
    callables, constants, other = set(), set(), set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            callables.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            callables.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        (constants if name.id.isupper() else other).add(name.id)
    return callables, constants, other


def _local_names(function):
    names = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)) and node is not function:
            names.update(a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg))
            if isinstance(node, ast.FunctionDef):
                names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def _problems(function, callables, constants):
    """What in ``function`` could make its value depend on more than its arguments."""
    problems = []
    local = _local_names(function)
    body = [node for statement in function.body for node in ast.walk(statement)]  # not the decorators
    for node in body:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "st":
            problems.append(f"line {node.lineno}: st.{node.attr} (a cached function reads no widget or session)")
        elif isinstance(node, ast.Attribute) and node.attr in ("session_state", "query_params", "context", "user"):
            problems.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local:
            if node.id.startswith("current") or node.id in ("_shared", "get_script_run_ctx"):
                problems.append(f"line {node.lineno}: {node.id} (the sidebar's choices come in as arguments)")
            elif node.id not in callables | constants and not hasattr(builtins, node.id):
                problems.append(f"line {node.lineno}: {node.id} is module state, not an argument")
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            problems.append(f"line {node.lineno}: {type(node).__name__.lower()} {', '.join(node.names)}")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("current"):
            problems.append(f"line {node.lineno}: .{node.attr} (the sidebar's choices come in as arguments)")
    return problems


def test_no_cache_decorator_outside_pages_cached():
    outside = {path.relative_to(ROOT).as_posix(): lines for path in APP_FILES if path != CACHED
               for lines in [_cache_uses(path)] if lines}
    assert outside == {}, f"st.cache_* outside pages/_cached.py (file: lines): {outside}"
    assert len(_cache_uses(CACHED)) >= 30  # the check reads decorators where they are


def test_the_check_finds_a_cache_decorator_and_a_function_reading_the_sidebar(tmp_path):
    # The two checks below would pass on anything if they could not see what they look for.
    page = tmp_path / "page.py"
    page.write_text("import streamlit as st\nfrom streamlit import cache_data\n\n"
                    "@st.cache_resource\ndef f():\n    return 1\n")
    assert _cache_uses(page) == [2, 4]
    tree = ast.parse("import streamlit as st\nperiod = None\nLIMIT = 3\n\n"
                     "def g(name, _ds):\n    return _ds, period, LIMIT, st.session_state['x'], current_period()\n")
    callables, constants, _ = _module_names(tree)
    problems = _problems(_functions(tree)[0], callables, constants)
    assert len(problems) == 3 and "period is module state" in " ".join(problems)


def test_cached_functions_read_only_their_arguments():
    tree = _tree(CACHED)
    callables, constants, other = _module_names(tree)
    assert not other, f"pages/_cached.py keeps module-level state: {sorted(other)}"
    functions = _functions(tree)
    assert sum(map(_is_cached, functions)) == len(_cache_uses(CACHED))
    problems = {f.name: p for f in functions for p in [_problems(f, callables, constants)] if p}
    assert problems == {}


def test_every_cached_function_keys_its_objects():
    # Objects that are not hashed (_ds, _period ...) must be described by the hashed arguments before them:
    # a cached function taking _ds takes the dataset's name and version too.
    for function in filter(_is_cached, _functions(_tree(CACHED))):
        names = [a.arg for a in function.args.args]
        unhashed = [n for n in names if n.startswith("_")]
        if "_ds" in unhashed:
            assert names[:2] == ["name", "version"], function.name
        for period in ("_period", "_before", "_after"):
            if period in unhashed:
                assert f"{period.lstrip('_')}_key" in names or period == "_period" and "period_key" in names, \
                    function.name


def _digests():
    """Compute every page's cached values with fixed arguments; write a digest of each (runs in AppTest)."""
    import hashlib as _hashlib
    import pickle as _pickle

    import re

    import pandas as pd
    import streamlit as st

    from netdash.periods import Period
    from pages import _cached

    def digest(value):
        if isinstance(value, str):
            value = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "", value)  # the report says when it was made
        if hasattr(value, "to_dict") and type(value).__module__.startswith("altair"):
            value = value.to_dict()
        if isinstance(value, (tuple, list)):
            return "|".join(digest(v) for v in value)
        if isinstance(value, dict):
            return "|".join(f"{k}:{digest(v)}" for k, v in value.items())
        if hasattr(value, "edges") and hasattr(value, "nodes"):
            value = (sorted(value.nodes(data=True), key=repr), sorted(value.edges(data=True), key=repr))
        # Weighted betweenness sums in no fixed order: it differs in the 17th digit. Floats only (pandas warns that
        # rounding dates does nothing).
        if isinstance(value, pd.DataFrame):
            value = value.round({c: 12 for c in value.columns[(value.dtypes == float).to_numpy()]})
        elif isinstance(value, pd.Series) and value.dtype == float:
            value = value.round(12)
        if hasattr(value, "before") and hasattr(value, "after") and hasattr(value, "lost"):
            value = (value.before.spec, value.after.spec, value.lost, value.new_cross_agency)
        try:
            return _hashlib.sha1(_pickle.dumps(value)).hexdigest()[:12]
        except Exception:  # noqa: BLE001 - an object that cannot be pickled is compared by its text
            return _hashlib.sha1(repr(value).encode()).hexdigest()[:12]

    ws = _cached.workspace()
    info = next(i for i in ws.list() if i.name == "demo")
    ds = _cached.load(info.name, info.version)
    whole = Period()
    cop = ds.first_cop_session
    before = Period(cop - pd.Timedelta(days=180), cop)
    after = Period(cop, cop + pd.Timedelta(days=180))
    rule = {"min_interactions": 2, "min_months": 2, "require_reciprocity": True, "survey_threshold": 3.0,
            "use_survey": True}
    calls = {
        "overview": lambda: _cached.overview(ds, whole),
        "network_map": lambda: _cached.network_map(ds, whole, "working", tuple(ds.agencies["agency_id"][:2]),
                                                   None, None),
        "trust": lambda: _cached.trust(ds, whole, rule),
        "trust_map": lambda: _cached.trust_map(ds, whole, rule, True),
        "trust_pairs": lambda: _cached.trust_pairs(ds, whole, rule),
        "brokerage_roles": lambda: _cached.brokerage_roles(ds, whole, "working"),
        "structural_holes": lambda: _cached.structural_holes(ds, whole, "working"),
        "betweenness": lambda: _cached.betweenness(ds, whole, "working", True),
        "fragmentation": lambda: _cached.fragmentation(ds, whole, "working", 200),
        "before_after_maps": lambda: _cached.before_after_maps(ds, whole, before, after, "working",
                                                               changes_only=False, max_nodes=750, to_see_more=None),
        "comparison": lambda: _cached.comparison(ds, before, after, "working").measures,
        "tie_changes": lambda: _cached.tie_changes(ds, before, after, "working", 0),
        "mixing_heatmaps": lambda: _cached.mixing_heatmaps(ds, before, after, "working", "sector"),
        "tie_change_summaries": lambda: _cached.tie_change_summaries(ds, before, after, "working", 0),
        "window_series": lambda: _cached.window_series(ds, "quarter", "working"),
        "window_charts": lambda: _cached.window_charts(ds, "quarter", "working", cop),
        "window_panel": lambda: _cached.window_panel(ds, "quarter", "working",
                                                     _cached.window_maps(ds, "quarter")[0][-1].label()),
        "window_graph": lambda: _cached.window_graph(ds, "quarter", "direct",
                                                     _cached.window_maps(ds, "quarter")[0][-1].label()),
        "impact": lambda: _cached.impact(ds, cop, "working", 200),
        "impact_charts": lambda: _cached.impact_charts(ds, cop, "working", 200),
        "isolation": lambda: _cached.isolation(ds, whole, "working", 0.5),
        "isolation_counts": lambda: _cached.isolation_counts(ds, whole, "working", 0.5, 5, "hidden"),
        "introductions": lambda: _cached.introductions(ds, whole, "working"),
        "suggested_colleagues": lambda: _cached.suggested_colleagues(ds, whole, "working"),
        "client_teams": lambda: _cached.client_teams(ds, whole, True, rule),
        "client_trend": lambda: _cached.client_trend(ds, whole, cop, False, rule, 5),
        "practitioner_measures": lambda: _cached.practitioner_measures(ds, whole, "working", rule),
        "report_html": lambda: _cached.report_html(ds, whole, cop, ties="working", min_count=5, replicates=0,
                                                   title="t", warnings=()),
    }
    st.cache_data.clear()
    st.cache_resource.clear()
    for name, call in calls.items():
        st.text(f"{name}={digest(call())}")


def _run_under(app_workspace, session):
    at = AppTest.from_function(_digests, default_timeout=600)
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return dict(t.value.split("=", 1) for t in at.text)


@pytest.mark.slow
def test_cached_values_do_not_change_with_the_sidebar_or_the_widgets(app_workspace):
    import datetime as dt

    version = app_workspace.info("demo").version
    first = _run_under(app_workspace, {"dataset": "demo"})
    second = _run_under(app_workspace, {
        "dataset": "demo", f"period::demo::{version}": (dt.date(2023, 3, 1), dt.date(2023, 5, 31)),
        f"cop::demo::{version}": dt.date(2024, 6, 1), "trust_rule": {"min_interactions": 9, "min_months": 5},
        "ba_heatmap_groups": "agency", "ot_window_quarter": "x", "map_ties": "cop"})
    assert len(first) == 28
    assert first == second


def test_a_value_computed_through_the_cache_is_the_one_its_arguments_give(app_workspace):
    # The trust pair table of a chosen period and rule, through the cache, against netdash called directly.
    import pandas as pd

    from netdash.metrics.trust import trust_edges, trust_pair_table
    from netdash.periods import Period
    from pages import _cached

    ds = app_workspace.open("demo")
    period = Period(pd.Timestamp("2023-01-01"), pd.Timestamp("2023-07-01"))
    rule = {"min_interactions": 2, "min_months": 1}
    labels = _cached.practitioner_labels(ds)
    direct = trust_pair_table(trust_edges(ds, period, **rule), labels)
    pd.testing.assert_frame_equal(_cached.trust_pairs(ds, period, rule), direct)
    assert not direct.equals(trust_pair_table(trust_edges(ds, Period(), **rule), labels))


def test_a_large_dataset_keeps_fewer_analyses(app_workspace, monkeypatch):
    # Each analysis of a regional dataset holds hundreds of MB: from LARGE_CONTACTS, only LARGE_ANALYSES_KEPT stay.
    import pandas as pd

    from netdash.periods import Period
    from pages import _cached

    ds = app_workspace.open("demo")
    periods = [Period(pd.Timestamp(f"2023-{m:02d}-01"), pd.Timestamp(f"2023-{m + 1:02d}-01"))
               for m in range(1, _cached.LARGE_ANALYSES_KEPT + 2)]
    assert not _cached.is_large(ds)
    small = [_cached.analysis(ds, p, "direct") for p in periods]
    assert _cached.analysis(ds, periods[0], "direct") is small[0]  # sixteen are kept

    monkeypatch.setattr(_cached, "LARGE_CONTACTS", len(ds.contacts))
    assert _cached.is_large(ds)
    large = [_cached.analysis(ds, p, "direct") for p in periods]
    assert _cached.analysis(ds, periods[-1], "direct") is large[-1]
    assert _cached.analysis(ds, periods[0], "direct") is not large[0]  # the oldest of five was dropped
    assert large[0].period == periods[0] and large[0] is not small[0]


# The memory budget: what keep_within drops, in what order, and that the app calls it after every page run.

def test_every_cache_is_dropped_in_exactly_one_tier_or_kept_on_purpose():
    from pages import _cached

    cached = {f.name for f in _functions(_tree(CACHED)) if _is_cached(f)}
    placed = [f.__name__ for _, functions in _cached.SHED for f in functions] + [f.__name__ for f in _cached.KEPT]
    assert len(placed) == len(set(placed))
    assert set(placed) == cached  # a new cache must be placed in a tier, or kept with a reason
    assert [name for name, _ in _cached.SHED] == ["drawings", "page results", "analyses"]
    assert "load" in {f.__name__ for f in _cached.KEPT}


class _FakeCache:
    def __init__(self, name, cleared):
        self.name, self.cleared = name, cleared

    def clear(self):
        self.cleared.append(self.name)


def test_over_budget_the_tiers_are_dropped_in_order_until_under_it():
    from pages._cached import keep_within

    cleared = []
    tiers = (("a", (_FakeCache("a1", cleared), _FakeCache("a2", cleared))), ("b", (_FakeCache("b1", cleared),)),
             ("c", (_FakeCache("c1", cleared),)))
    # 100 bytes held until the second tier is dropped, then 10.
    assert keep_within(50, resident=lambda: 100 if len(cleared) < 3 else 10, tiers=tiers) == ["a", "b"]
    assert cleared == ["a1", "a2", "b1"]

    cleared.clear()
    assert keep_within(100, resident=lambda: 100, tiers=tiers) == []  # at the budget is within it
    assert keep_within(50, resident=lambda: None, tiers=tiers) == []  # memory unknown: nothing dropped
    assert cleared == []
    assert keep_within(5, resident=lambda: 100, tiers=tiers) == ["a", "b", "c"]  # over whatever is dropped


def test_dropping_clears_the_real_caches_and_keeps_the_dataset(app_workspace):
    import pandas as pd

    from netdash.periods import Period
    from pages import _cached

    ds = _cached.load("demo", app_workspace.info("demo").version)
    period = Period(pd.Timestamp("2023-01-01"), pd.Timestamp("2023-04-01"))
    first = _cached.analysis(ds, period, "direct")
    holes = _cached.structural_holes(ds, period, "direct")
    assert _cached.analysis(ds, period, "direct") is first

    assert _cached.keep_within(0, resident=lambda: 1) == ["drawings", "page results", "analyses"]
    assert _cached.load("demo", ds.version) is ds
    again = _cached.analysis(ds, period, "direct")
    assert again is not first and again.period == period
    pd.testing.assert_frame_equal(_cached.structural_holes(ds, period, "direct"), holes)


@pytest.mark.parametrize(("raw", "expected"), [("", 3.5 * 2**30), ("1000", 1000), ("512M", 512 * 2**20),
                                               ("6G", 6 * 2**30), ("1.5 GiB", 3 * 2**29), ("2k", 2048)])
def test_the_budget_comes_from_the_environment(monkeypatch, raw, expected):
    from pages._cached import memory_budget

    monkeypatch.setenv("NETDASH_MEMORY_BUDGET", raw)
    assert memory_budget() == expected


def test_a_budget_that_is_not_a_size_is_reported_and_the_default_used(monkeypatch, caplog):
    from pages._cached import MEMORY_BUDGET, memory_budget

    monkeypatch.setenv("NETDASH_MEMORY_BUDGET", "lots")
    with caplog.at_level("WARNING", logger="pages._cached"):
        assert memory_budget() == MEMORY_BUDGET
    assert "NETDASH_MEMORY_BUDGET='lots' is not a size" in caplog.text and "e.g. 6G" in caplog.text


def test_the_app_keeps_within_the_budget_after_a_page_run(app_workspace, monkeypatch, caplog):
    from tests.pages.apptest_support import open_page

    monkeypatch.setenv("NETDASH_MEMORY_BUDGET", "1")  # one byte: every tier goes after every run
    with caplog.at_level("WARNING", logger="pages._cached"):
        at = open_page(app_workspace, "pages/trust.py")
    assert "over the 0.00 GiB budget: dropped the cached drawings" in caplog.text
    assert "dropped the cached analyses" in caplog.text
    at.run()  # every cache but the dataset's is empty: the page computes its results again
    assert not at.exception, at.exception
