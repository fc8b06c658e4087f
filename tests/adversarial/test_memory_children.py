"""Children that each hold 700 MB (each allowed alone) hold at most the student's memory in
total: the memory cgroup around the student ends one before the sum passes it. Measured from
outside, as the proportional set size (shared pages counted once) of every process running
the submission, sampled while it is graded."""

import threading
import time
from pathlib import Path

import pytest

from harness import SUBMISSIONS, grade_file
from grader.sandbox.cgroup_probe import support

MEMORY = 1 << 30
SLACK = 48 << 20
"""The sampler reads one process after another: a little may move between two reads."""


def held(path: Path) -> int:
    """Bytes (PSS) held now by the processes running `path` (a fork keeps the cmdline)."""
    total = 0
    for entry in Path("/proc").iterdir():
        try:
            if str(path).encode() not in (entry / "cmdline").read_bytes():
                continue
            for line in (entry / "smaps_rollup").read_bytes().splitlines():
                if line.startswith(b"Pss:"):
                    total += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            continue
    return total


def test_children_of_700_mb_each_hold_at_most_the_students_memory():
    if "memory" not in support().controllers:
        pytest.skip("no memory cgroup here: memory is limited per process, not per student")
    path = SUBMISSIONS / "memory_children.py"
    peak, stop = [0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], held(path))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        graded = grade_file(path, call_timeout=5.0, time_limit=10.0, memory=MEMORY)
    finally:
        stop.set()
        sampler.join()
    assert "zero_at_zero: passed" in graded.messages  # graded as its return values earn
    assert peak[0] > 600 << 20, "the sampler never saw a child holding its 700 MB"
    assert peak[0] <= MEMORY + SLACK, f"held {peak[0] / 2**20:.0f} MiB in total"
