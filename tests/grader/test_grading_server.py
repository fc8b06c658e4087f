"""The grading server a batch job slot forks each student's grading process from.

A student who outlasts the time limit is killed without taking the server down; a server
that dies mid-grading fails only the student it was grading, leaves no process behind, and
is replaced for the next student.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from grader import student_job
from grader.student_job import Snapshot, grade_snapshot

ROOT = Path(__file__).resolve().parents[2]
HANG_AT_IMPORT = b"while True:\n    pass\n"


def snapshot(**files: bytes) -> Snapshot:
    solutions = {p.name: p.read_bytes() for p in sorted((ROOT / "solutions").glob("exercise*.py"))}
    solutions.update({f"{name}.py": data for name, data in files.items()})
    return Snapshot(tuple(sorted({**solutions, "quiz.txt": b"B\nC\nD\n"}.items())))


def server_pid() -> int:
    return student_job._slot.server.process.pid


def gone(pid: int, within: float = 10.0) -> bool:
    """True once `pid` no longer runs (a zombie counts as gone: it runs nothing)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except OSError:
            return True
        if state == b"Z":
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def fresh_slot():
    """This thread's job slot without a server, and none left running afterwards."""
    student_job._slot.__dict__.pop("server", None)
    yield
    server = student_job._slot.__dict__.pop("server", None)
    if server is not None:
        server.stop()


def test_a_student_past_the_time_limit_is_stopped_and_the_server_grades_the_next(fresh_slot):
    assert grade_snapshot(snapshot(), timeout=60, memory_mb=1024).report["score"] == 55
    server = server_pid()
    started = time.monotonic()
    result = grade_snapshot(snapshot(exercise1=HANG_AT_IMPORT), timeout=3, memory_mb=1024)
    assert result.outcome == "timed out"
    assert time.monotonic() - started < 10
    assert server_pid() == server
    assert grade_snapshot(snapshot(), timeout=60, memory_mb=1024).report["score"] == 55


def test_a_server_killed_mid_grading_fails_only_that_student_and_is_replaced(fresh_slot):
    assert grade_snapshot(snapshot(), timeout=60, memory_mb=1024).outcome == "graded"
    server = server_pid()
    grading: list[int] = []

    def kill_server_while_grading():
        while not student_job._running:
            time.sleep(0.01)
        grading.extend(student_job._running)
        time.sleep(0.5)
        os.kill(server, signal.SIGKILL)

    killer = threading.Thread(target=kill_server_while_grading)
    killer.start()
    started = time.monotonic()
    result = grade_snapshot(snapshot(exercise1=HANG_AT_IMPORT), timeout=60, memory_mb=1024)
    killer.join()
    assert time.monotonic() - started < 10
    assert result.outcome == "error"
    assert "grading server stopped" in result.message
    assert grading and all(gone(pid) for pid in grading)  # its grading process died with it
    again = grade_snapshot(snapshot(), timeout=60, memory_mb=1024)
    assert again.outcome == "graded" and again.report["score"] == 55
    assert server_pid() != server
