"""The grading server a batch job slot forks each student's grading process from.

Job slots share one server and grade at once; a student who outlasts the time limit is
killed without taking the server down; a server that dies mid-grading fails only the
students it was grading, leaves no process behind, and is replaced for the next student.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.course import server as grading_server
from grader.course import student_job
from grader.cli import main
from grader.course.snapshot import Snapshot
from grader.course.student_job import grade_snapshot

ROOT = Path(__file__).resolve().parents[3]
HANG_AT_IMPORT = b"while True:\n    pass\n"


def snapshot(**files: bytes) -> Snapshot:
    solutions = {p.name: p.read_bytes() for p in sorted((ROOT / "solutions").glob("exercise*.py"))}
    solutions.update({f"{name}.py": data for name, data in files.items()})
    return Snapshot(tuple(sorted({**solutions, "quiz.txt": b"B\nC\nD\n"}.items())))


def server_pid() -> int:
    return grading_server._server_now.process.pid


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


def stop_server() -> None:
    if grading_server._server_now is not None:
        grading_server._server_now.stop()
    grading_server._server_now = grading_server._server_failed = None


@pytest.fixture
def fresh_server():
    """No grading server yet, and none left running afterwards."""
    stop_server()
    yield
    stop_server()


def test_a_student_past_the_time_limit_is_stopped_and_the_server_grades_the_next(fresh_server):
    assert grade_snapshot(snapshot(), timeout=60, memory_mb=1024).report["score"] == 55
    server = server_pid()
    started = time.monotonic()
    result = grade_snapshot(snapshot(exercise1=HANG_AT_IMPORT), timeout=3, memory_mb=1024)
    assert result.outcome == "timed out"
    assert time.monotonic() - started < 10
    assert server_pid() == server
    assert grade_snapshot(snapshot(), timeout=60, memory_mb=1024).report["score"] == 55


def test_a_server_killed_mid_grading_fails_only_that_student_and_is_replaced(fresh_server):
    assert grade_snapshot(snapshot(), timeout=60, memory_mb=1024).outcome == "graded"
    server = server_pid()
    grading: list[int] = []

    def kill_server_while_grading():
        while not grading_server._running:
            time.sleep(0.01)
        grading.extend(grading_server._running)
        time.sleep(0.5)
        os.kill(server, signal.SIGKILL)

    killer = threading.Thread(target=kill_server_while_grading)
    killer.start()
    started = time.monotonic()
    result = grade_snapshot(snapshot(exercise1=HANG_AT_IMPORT), timeout=60, memory_mb=1024)
    killer.join()
    assert time.monotonic() - started < 10
    assert result.outcome == "error"
    assert "grading server stopped" in result.message and result.retry
    assert "run the same command again" in result.message
    assert grading and all(gone(pid) for pid in grading)  # its grading process died with it
    again = grade_snapshot(snapshot(), timeout=60, memory_mb=1024)
    assert again.outcome == "graded" and again.report["score"] == 55
    assert server_pid() != server


def test_job_slots_share_one_server_and_grade_at_the_same_time(fresh_server):
    solution = (ROOT / "solutions" / "exercise1.py").read_bytes()
    slow = snapshot(exercise1=b"import time\ntime.sleep(3)\n" + solution)
    results = {}

    def grade(name, files):
        results[name] = grade_snapshot(files, timeout=60, memory_mb=1024)

    assert grade_snapshot(snapshot(), timeout=60, memory_mb=1024).outcome == "graded"
    server = server_pid()
    threads = [threading.Thread(target=grade, args=(name, slow)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    most = 0
    while any(thread.is_alive() for thread in threads):
        most = max(most, len(grading_server._running))
        time.sleep(0.01)
    assert most == 2  # both students' grading processes ran at the same time
    assert {name: r.report["score"] for name, r in results.items()} == {"a": 55, "b": 55}
    assert server_pid() == server


def test_a_server_that_cannot_start_fails_every_job_at_once_saying_why(fresh_server, tmp_path,
                                                                       monkeypatch):
    python = tmp_path / "python"
    python.write_text("#!/bin/sh\necho 'this Python cannot run the grader' >&2\nexit 1\n")
    python.chmod(0o755)
    monkeypatch.setattr(grading_server.sys, "executable", str(python))
    first = grade_snapshot(snapshot(), timeout=60, memory_mb=1024)
    assert first.outcome == "error"
    assert "grading server stopped (it did not start)" in first.message
    assert "this Python cannot run the grader" in first.details
    assert grade_snapshot(snapshot(), timeout=60, memory_mb=1024) == first  # no second try


def test_a_grader_folder_in_the_current_directory_does_not_replace_the_grader(
        fresh_server, tmp_path, monkeypatch):
    decoy = tmp_path / "grader"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("raise SystemExit('the wrong grader was imported')\n")
    monkeypatch.chdir(tmp_path)
    assert grade_snapshot(snapshot(), timeout=60, memory_mb=1024).report["score"] == 55


def test_scratch_folders_of_killed_batches_are_swept_and_live_ones_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(student_job.tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(student_job, "_swept", False)
    dead = tmp_path / f"{student_job.SCRATCH_PREFIX}{2**22 + 1}-abc"  # above any pid_max
    live = tmp_path / f"{student_job.SCRATCH_PREFIX}{os.getpid()}-def"
    other = tmp_path / "l1lab-batch-notapid-ghi"
    for folder in (dead, live, other):
        (folder / "submission").mkdir(parents=True)
    student_job._sweep_scratch()
    assert not dead.exists() and live.is_dir() and other.is_dir()


def test_a_batch_whose_grading_server_cannot_start_stops_with_exit_3_and_writes_no_row(
        fresh_server, tmp_path, monkeypatch):
    python = tmp_path / "python"
    python.write_text("#!/bin/sh\necho 'ModuleNotFoundError: no module named numpy' >&2\nexit 1\n")
    python.chmod(0o755)
    monkeypatch.setattr(grading_server.sys, "executable", str(python))
    (tmp_path / "class" / "ada").mkdir(parents=True)
    (tmp_path / "class" / "ada" / "exercise1.py").write_bytes(
        (ROOT / "solutions" / "exercise1.py").read_bytes())
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "class"),
                                       "--out", str(tmp_path / "grades.csv")])
    assert result.exit_code == 3
    # the layout line, then the error
    assert result.output.strip().splitlines()[0].endswith("class: one folder per student, 1 student.")
    assert result.output.strip().splitlines()[1:] == [("Error: cannot start the grading server (it did not start): "
                                     "ModuleNotFoundError: no module named numpy")]
    assert not (tmp_path / "grades.csv").exists()
    assert not list((tmp_path / "grades").glob("*.json"))
