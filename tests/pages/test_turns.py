"""Page runs take turns (pages/_turns.py): a few at once, in arrival order, and a waiting run says so."""

import threading
import time

import pytest

from pages._turns import Turns


def _run_together(turns, n, *, hold=0.2):
    """n threads, each arriving once the one before it is computing or queued, each holding its turn ``hold`` s."""
    entered, done, most, waits, lock = [], [], [0], {}, threading.Lock()

    def run(i):
        with turns.turn(lambda ahead: waits.setdefault(i, []).append(ahead), every=0.01):
            with lock:
                entered.append(i)
                most[0] = max(most[0], turns.running)
            time.sleep(hold)
        with lock:
            done.append(i)

    threads = []
    for i in range(n):
        threads.append(threading.Thread(target=run, args=(i,)))
        threads[-1].start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with lock:
                if turns.running + turns.queued + len(done) > i:  # thread i has arrived
                    break
            time.sleep(0.001)
    for t in threads:
        t.join(10)
    return entered, most[0], waits


def test_at_most_slots_runs_at_once_in_arrival_order():
    turns = Turns(2)
    entered, most, waits = _run_together(turns, 6)
    assert entered == list(range(6))
    assert most == 2 and turns.running == 0
    assert 0 not in waits and 1 not in waits  # the first two never waited
    # the last one saw everyone ahead of it: two computing and three queued, then fewer as they finished
    assert waits[5][0] == 5 and waits[5] == sorted(waits[5], reverse=True)


def test_a_run_stopped_while_waiting_gives_up_its_place():
    turns = Turns(1)
    release = threading.Event()

    def first():
        with turns.turn(lambda ahead: None):
            release.wait(5)

    holder = threading.Thread(target=first)
    holder.start()
    while turns.running == 0:
        time.sleep(0.001)

    def stop(ahead):
        raise KeyboardInterrupt  # Streamlit's StopException / RerunException arrive this way

    with pytest.raises(KeyboardInterrupt):
        with turns.turn(stop, every=0.01):
            pass
    release.set()
    holder.join(5)
    with turns.turn(lambda ahead: pytest.fail("nobody is ahead")):
        assert turns.running == 1
