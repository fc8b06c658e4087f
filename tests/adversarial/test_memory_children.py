"""Children that each hold 700 MB (each allowed alone) hold at most the student's memory in
total: the memory cgroup around the student ends one before the sum passes it. Measured from
outside, as the proportional set size (shared pages counted once) of every process running
the submission, sampled while it is graded; the pages a worker shares with the warm template
are the grader's, not the student's, and are allowed for."""

import threading
import time
from pathlib import Path

import pytest

from harness import SUBMISSIONS, grade_file
from grader.sandbox.cgroup_probe import support

MEMORY = 1 << 30
SLACK = 48 << 20
"""The sampler reads one process after another: a little may move between two reads."""


def template_rss() -> int:
    """Bytes the warm template holds (`grader.sandbox.template`). A worker forked from it
    shares those pages, which are charged to the grader, not to the student's wall; PSS
    counts some of them in the student's processes, at most all of them."""
    from grader.sandbox import template

    found = template.started()
    if found is None:
        return 0
    try:
        for line in Path(f"/proc/{found.process.pid}/smaps_rollup").read_bytes().splitlines():
            if line.startswith(b"Rss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def held(path: Path) -> dict[int, int]:
    """Bytes (PSS) held now by each process running `path` (a fork keeps the cmdline)."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if str(path).encode() not in (entry / "cmdline").read_bytes():
                continue
            for line in (entry / "smaps_rollup").read_bytes().splitlines():
                if line.startswith(b"Pss:"):
                    found[int(entry.name)] = int(line.split()[1]) * 1024
        except (OSError, ValueError):
            continue
    return found


def held_together(path: Path) -> int:
    """What the processes running `path` hold at once: each process's smaller reading of two
    scans in a row. One scan reads the processes one after another, so a child that the
    wall just ended and one growing in its place could both count in full; while each only
    shrinks or only grows, this sum is at most what they held together at some moment."""
    first, second = held(path), held(path)
    return sum(min(first[pid], second[pid]) for pid in first.keys() & second.keys())


def test_children_of_700_mb_each_hold_at_most_the_students_memory():
    if "memory" not in support().controllers:
        pytest.skip("no memory cgroup here: memory is limited per process, not per student")
    path = SUBMISSIONS / "memory_children.py"
    peak, stop = [0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], held_together(path))
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
    shared = template_rss()
    assert shared < 200 << 20, f"the template holds {shared / 2**20:.0f} MiB"
    assert peak[0] <= MEMORY + SLACK + shared, \
        f"held {peak[0] / 2**20:.0f} MiB in total ({shared / 2**20:.0f} MiB shared with the template)"
