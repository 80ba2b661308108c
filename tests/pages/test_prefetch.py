"""The background worker that computes a page's other settings while the user reads it (pages/_prefetch.py)."""

import threading
import time

import pandas as pd
import pytest
import streamlit as st
from apptest_support import chart_data, drawn_maps, metrics, open_page

from pages import _prefetch
from pages._prefetch import Prefetcher, other_options


def _recorder():
    ran = []
    return ran, (lambda key: (lambda: ran.append(key)))


def test_jobs_run_in_the_order_submitted_and_a_new_submit_replaces_the_queue():
    p = Prefetcher(idle_s=0.0)
    gate = threading.Event()
    ran, job = _recorder()
    with p.script_run():  # nothing starts while a script runs
        p.submit([("a", job("a")), ("b", job("b"))])
        p.submit([("c", job("c")), ("d", lambda: (gate.wait(5), ran.append("d"))), ("e", job("e"))])
        time.sleep(0.1)
        assert ran == [] and p.pending() == ["c", "d", "e"]
    gate.set()
    assert p.wait_idle(5)
    assert ran == ["c", "d", "e"]  # "a" and "b" were replaced before they started
    assert p.done[-3:] == ["c", "d", "e"]


def test_the_worker_waits_until_no_script_has_run_for_the_idle_time():
    p = Prefetcher(idle_s=0.3)
    ran, job = _recorder()
    started = time.monotonic()
    with p.script_run():
        p.submit([("a", job("a"))])
        time.sleep(0.2)
        assert ran == []
    ended = time.monotonic()
    assert p.wait_idle(5)
    assert ran == ["a"]
    assert time.monotonic() - ended >= 0.3
    assert ended - started >= 0.2


def test_warm_up_jobs_run_after_the_page_jobs_and_are_queued_once_per_key():
    p = Prefetcher(idle_s=0.0)
    ran, job = _recorder()
    with p.script_run():
        p.warm("w1", job("w1"))
        p.submit([("a", job("a")), ("b", job("b"))])
        p.warm("w1", job("w1 again"))  # queued already: ignored
        p.warm("w2", job("w2"))
        p.submit([("c", job("c"))])  # replaces the page jobs, not the warm-ups
        assert p.pending() == ["c", "w1", "w2"]
    assert p.wait_idle(5)
    assert ran == ["c", "w1", "w2"]
    p.warm("w1", job("w1 later"))  # done: queued again (its results may have left the cache)
    assert p.wait_idle(5) and ran == ["c", "w1", "w2", "w1 later"]


def test_a_failing_job_is_logged_and_the_next_one_still_runs(caplog):
    p = Prefetcher(idle_s=0.0)
    ran, job = _recorder()

    def broken():
        raise ValueError("no such period")

    with caplog.at_level("WARNING", logger="netdash.app"):
        p.submit([("broken", broken), ("after", job("after"))])
        assert p.wait_idle(5)
    assert ran == ["after"]
    assert "'broken' failed" in caplog.text and "no such period" in caplog.text


def test_stop_lets_the_running_job_finish_drops_the_rest_and_ends_the_thread():
    p = Prefetcher(idle_s=0.0)
    gate, started = threading.Event(), threading.Event()
    ran, job = _recorder()
    p.submit([("a", lambda: (started.set(), gate.wait(5), ran.append("a"))), ("b", job("b"))])
    p.warm("w", job("w"))
    assert started.wait(5)
    stopper = threading.Thread(target=p.stop, args=(5,))
    stopper.start()
    time.sleep(0.1)
    assert stopper.is_alive()  # waiting for "a"
    gate.set()
    stopper.join(5)
    assert not stopper.is_alive() and not p._thread.is_alive()
    p.submit([("c", job("c"))])  # after stop: nothing runs
    time.sleep(0.1)
    assert ran == ["a"] and p.pending() == []


def test_script_run_counts_a_run_that_raised():
    p = Prefetcher(idle_s=0.0)
    ran, job = _recorder()
    with pytest.raises(RuntimeError), p.script_run():
        raise RuntimeError("st.rerun() or st.stop() end a run this way")
    p.submit([("a", job("a"))])
    assert p.wait_idle(5) and ran == ["a"]


def test_other_options_start_after_the_current_one_and_wrap_round():
    ran = []
    jobs = other_options("page", ["all", "working", "direct", "cop"], "direct", ran.append)
    assert [key for key, _ in jobs] == [("page", "cop"), ("page", "all"), ("page", "working")]
    for _, job in jobs:
        job()
    assert ran == ["cop", "all", "working"]
    assert [key for key, _ in other_options("page", ["a", "b"], "gone", ran.append)] == [("page", "a"), ("page", "b")]


def test_other_options_with_steps_queue_each_step_of_each_option():
    ran = []
    jobs = other_options("page", ["a", "b", "c"], "a", lambda o: ran.append(("graphs", o)),
                         lambda o: ran.append(("charts", o)))
    assert [key for key, _ in jobs] == [("page", "b", 0), ("page", "b", 1), ("page", "c", 0), ("page", "c", 1)]
    for _, job in jobs:
        job()
    assert ran == [("graphs", "b"), ("charts", "b"), ("graphs", "c"), ("charts", "c")]


def test_submit_does_nothing_when_switched_off_or_the_dataset_is_large(monkeypatch):
    class Big:
        contacts = range(_prefetch.MAX_CONTACTS + 1)

    class Small:
        contacts = range(10)

    calls = []
    monkeypatch.setattr(_prefetch._prefetcher, "submit", calls.append)
    monkeypatch.setenv("NETDASH_PREFETCH", "0")
    _prefetch.submit(Small, [("a", None)])
    monkeypatch.setenv("NETDASH_PREFETCH", "1")
    _prefetch.submit(Big, [("b", None)])
    _prefetch.submit(Small, [("c", None)])
    assert calls == [[("c", None)]]


# --- on the pages: the background work fills the caches the page reads, with the right values ---

# (page, selectbox key, the option switched to: the page's next option, as a user's ArrowDown picks it)
PAGES = [
    ("pages/brokerage.py", "brokerage_ties", "direct"),
    ("pages/fragmentation.py", "frag_ties", "direct"),
    ("pages/before_after.py", "ba_ties", "direct"),
    ("pages/over_time.py", "ot_ties", "direct"),
    ("pages/cop_impact.py", "imp_ties", "direct"),
    ("pages/isolation.py", "iso_ties", "direct"),
    ("pages/network_map.py", "map_ties", "working"),
]


def _shown(at):
    """Everything a page shows that a wrong cache entry would change: metrics, tables, chart data, maps, notes."""
    return {
        "metrics": metrics(at),
        "tables": [frame.value.reset_index(drop=True) for frame in at.dataframe],
        "charts": chart_data(at),
        "maps": drawn_maps(at),
        "notes": [element.value for element in (*at.info, *at.caption)],
    }


def _assert_same(got, want):
    assert got["metrics"] == want["metrics"]
    assert got["notes"] == want["notes"]
    assert got["maps"] == want["maps"]
    for kind in ("tables", "charts"):
        assert len(got[kind]) == len(want[kind])
        for a, b in zip(got[kind], want[kind]):
            pd.testing.assert_frame_equal(a, b)


@pytest.mark.slow  # waits for the background work of a page's other settings, then computes them again
@pytest.mark.parametrize(("page", "key", "option"), PAGES, ids=[p.split("/")[1][:-3] for p, _, _ in PAGES])
def test_a_prefetched_setting_shows_what_computing_it_on_demand_shows(app_workspace, monkeypatch, page, key, option):
    """Computed in the background for another ties setting, then shown: the same page as computing it then.

    The page's cached functions read the run's globals (dataset, period,
    graphs); a background call for other ties must not store this run's
    values under that setting's key.
    """
    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.setenv("NETDASH_PREFETCH", "1")
    at = open_page(app_workspace, page)
    assert _prefetch._prefetcher.wait_idle(300)
    done = [k for k in _prefetch._prefetcher.done if k[1] == option]
    assert done, "the next option was not computed in the background"
    at.selectbox(key=key).set_value(option).run()
    assert not at.exception, at.exception
    prefetched = _shown(at)
    assert _prefetch._prefetcher.wait_idle(300)  # the jobs this run queued must not fill the caches below

    monkeypatch.setenv("NETDASH_PREFETCH", "0")
    st.cache_resource.clear()
    st.cache_data.clear()
    fresh = open_page(app_workspace, page)
    fresh.selectbox(key=key).set_value(option).run()
    assert not fresh.exception, fresh.exception
    _assert_same(prefetched, _shown(fresh))


@pytest.mark.slow  # waits for the background comparison, then computes it again
def test_before_after_opens_on_the_comparison_warmed_up_while_another_page_was_read(app_workspace, monkeypatch):
    """Any page queues Before & after's default comparison; the page then reads it, and shows the same."""
    import netdash.change.compare

    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.setenv("NETDASH_PREFETCH", "1")
    open_page(app_workspace, "pages/overview.py")
    assert _prefetch._prefetcher.wait_idle(300)
    assert any(k[0] == "before_after" and k[1] == "demo" for k in _prefetch._prefetcher.done)
    calls = []
    real = netdash.change.compare.compare_periods
    monkeypatch.setattr(netdash.change.compare, "compare_periods", lambda *a, **k: calls.append(1) or real(*a, **k))
    warmed = _shown(open_page(app_workspace, "pages/before_after.py"))
    assert calls == []  # the page read the warmed-up comparison
    assert _prefetch._prefetcher.wait_idle(300)  # its jobs (the other ties) must not fill the caches below
    calls.clear()

    monkeypatch.setenv("NETDASH_PREFETCH", "0")
    st.cache_resource.clear()
    st.cache_data.clear()
    fresh = open_page(app_workspace, "pages/before_after.py")
    assert calls == [1]  # and computing it on demand goes through the same function
    _assert_same(warmed, _shown(fresh))
