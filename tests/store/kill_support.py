"""Run a child Python program and SIGKILL it at a line it prints (the interrupted-write tests)."""

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_and_kill(code, args, hit, *, timeout=120):
    """Run ``python -c code *args``; SIGKILL it after the first printed line that ``hit(line)`` accepts.

    Returns every line the child printed, including any it printed between
    that line and its death. Fails the test if the child was not killed or
    got as far as printing ``DONE``.
    """
    proc = subprocess.Popen([sys.executable, "-c", code, *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    lines = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 0.01)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            line = proc.stdout.readline().decode().strip()
            if not line:
                break
            lines.append(line)
            if hit(line):
                os.kill(proc.pid, signal.SIGKILL)
                break
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    lines += [line.strip() for line in proc.stdout.read().decode().splitlines()]
    assert proc.returncode == -signal.SIGKILL, (lines, proc.stderr.read().decode()[-2000:])
    assert "DONE" not in lines
    return lines
