"""`grade all` grades half of the exercises in a fork (`grader.side_by_side`): the report is
the one a single process gives, a fork that fails is the grader's one-line failure, and
nothing is left running."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from grader import api, catalog, replay, replay_store, side_by_side
from grader.ahead import Ahead
from grader.grading import GraderError
from grader.sandbox import template
from grader.sandbox.worker_start import warm_template
from grader.submission import Submission

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
CLASS = {  # one folder: right, wrong, broken and hostile files side by side
    "exercise1.py": FIXTURES / "exercise1" / "broken_raises_in_call.py",
    "exercise2.py": ROOT / "solutions" / "exercise2.py",
    "exercise3.py": FIXTURES / "exercise3" / "wrong_mutates_y.py",
    "exercise4.py": FIXTURES / "exercise4" / "wrong_half_lam.py",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, source in CLASS.items():
        shutil.copy(source, tmp_path / name)
    return tmp_path


def grade_all(folder: Path, monkeypatch, *, side_by_side_: bool):
    monkeypatch.setattr(api, "_cores", lambda: 2 if side_by_side_ else 1)
    monkeypatch.setattr(api, "_one_thread", lambda: True)
    return api.grade(list(catalog.exercises()), folder, folder, quiz=True)


def children() -> list[int]:
    """This process's children, but for its warm template (which outlives gradings)."""
    kept = template.started()
    with open(f"/proc/{os.getpid()}/task/{os.getpid()}/children") as handle:
        return [int(pid) for pid in handle.read().split()
                if kept is None or int(pid) != kept.process.pid]


def test_the_report_is_the_one_a_single_process_gives(folder, monkeypatch):
    splits = []
    real_split = side_by_side.split
    monkeypatch.setattr(side_by_side, "split",
                        lambda e, here=(): splits.append(1) or real_split(e, here))
    together = grade_all(folder, monkeypatch, side_by_side_=True)
    assert splits == [1]
    alone = grade_all(folder, monkeypatch, side_by_side_=False)
    assert splits == [1]
    assert together == alone
    assert [e.name for e in together.exercises] == [*catalog.names(), "quiz"]
    assert 0 < together.score < together.max_score
    assert children() == []


def test_the_forks_replay_records_reach_the_book(folder, monkeypatch):
    shutil.copy(ROOT / "solutions" / "exercise4.py", folder / "exercise4.py")
    grade_all(folder, monkeypatch, side_by_side_=True)
    book = replay_store.load(replay_store.book_file())
    assert any(key.startswith("exercise4.py::") for key in book)  # recorded here
    assert any(key.startswith("exercise2.py::") for key in book)  # recorded in the fork
    before = sum(replay.counts.values())
    grade_all(folder, monkeypatch, side_by_side_=True)
    assert sum(replay.counts.values()) > before  # the fork's replays are counted too


def test_a_fork_whose_grading_breaks_is_the_graders_failure(folder, monkeypatch):
    real = side_by_side.run_checks

    def breaks_in_the_fork(exercises, submissions):
        if any(e.name == "exercise1" for e in exercises):
            for submission in submissions.values():
                submission.close()
            raise GraderError("no checks ran for exercise1")
        return real(exercises, submissions)

    monkeypatch.setattr(side_by_side, "run_checks", breaks_in_the_fork)
    with pytest.raises(api.GradingFailed, match="no checks ran for exercise1"):
        grade_all(folder, monkeypatch, side_by_side_=True)
    assert children() == []


def test_a_fork_that_dies_without_a_word_is_the_graders_failure(folder, monkeypatch):
    real = side_by_side.run_checks

    def dies_in_the_fork(exercises, submissions):
        if any(e.name == "exercise1" for e in exercises):
            os._exit(9)
        return real(exercises, submissions)

    monkeypatch.setattr(side_by_side, "run_checks", dies_in_the_fork)
    with pytest.raises(api.GradingFailed, match="ended without a report"):
        grade_all(folder, monkeypatch, side_by_side_=True)
    assert children() == []


def test_the_heaviest_exercise_is_graded_beside_the_rest():
    here, there = side_by_side.split(list(catalog.exercises()))
    assert [e.name for e in there] == ["exercise4"]
    assert [e.name for e in here] == ["exercise1", "exercise2", "exercise3"]


def test_an_exercise_whose_story_began_is_graded_here():
    """Exercise 4's story began before the fork, on a thread of this process: it stays."""
    here, there = side_by_side.split(list(catalog.exercises()), {"grader.checks.exercise4"})
    assert [e.name for e in here] == ["exercise4"]
    assert [e.name for e in there] == ["exercise1", "exercise2", "exercise3"]


def test_two_light_exercises_go_one_to_each_process():
    groups = side_by_side.split(list(catalog.exercises()[:2]))
    assert [len(group) for group in groups] == [1, 1]


def test_no_process_to_spare_grades_everything_here(folder, monkeypatch):
    alone = grade_all(folder, monkeypatch, side_by_side_=False)

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert grade_all(folder, monkeypatch, side_by_side_=True) == alone


def processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                line = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if entry.isdigit() and text in line:
            found.append(line)
    return found


def test_ctrl_c_stops_both_processes_and_every_worker(tmp_path):
    """Ctrl-C in a terminal reaches this process and the fork; both close their workers."""
    import sys
    import time

    import pexpect

    sleepy = "def {}(*args):\n    import time\n    time.sleep(60)\n\n\n"
    (tmp_path / "exercise1.py").write_text(sleepy.format("sign_gradient"))
    (tmp_path / "exercise4.py").write_text(sleepy.format("lasso_fit")
                                           + sleepy.format("selected_features"))
    for name in ("exercise2.py", "exercise3.py"):
        shutil.copy(ROOT / "solutions" / name, tmp_path / name)
    child = pexpect.spawn(sys.executable, ["-m", "grader", "all", "--submission", str(tmp_path)],
                          cwd=str(ROOT), timeout=30, encoding="utf-8")
    deadline = time.monotonic() + 30
    while not (processes_mentioning(str(tmp_path / "exercise1.py"))  # this process's
               and processes_mentioning(str(tmp_path / "exercise4.py"))):  # and the fork's
        assert time.monotonic() < deadline, "the workers never started"
        time.sleep(0.05)
    time.sleep(1.0)  # both sit in a call that sleeps
    child.sendintr()
    child.expect("Interrupted.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in child.before
    deadline = time.monotonic() + 10
    while processes_mentioning(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_mentioning(str(tmp_path)) == []


def test_the_imports_are_frozen_once_per_process(folder, monkeypatch):
    """A second freeze in a long process (a kernel, `grade watch`) would keep the garbage
    left by the gradings before it for good."""
    import gc

    freezes = []
    monkeypatch.setattr(api, "_frozen", False)
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(1))
    exercise = [catalog.find("exercise2")]
    for _ in range(2):
        api.grade(exercise, folder / "exercise2.py", folder, quiz=False)
    assert freezes == [1]


def test_the_fork_waits_until_the_story_has_its_arguments(folder, monkeypatch):
    """A fork made while the story's thread imports (numpy.random, lazily) would inherit that
    module's lock, held by a thread it does not have, and hang on its first import of it."""
    from grader.checks import story

    made, at_fork = [], []

    def slowly():
        time.sleep(0.5)
        arguments = story.story_arguments()
        made.append(True)
        return arguments

    monkeypatch.setattr(story, "AHEAD", (Ahead("lasso_fit", slowly, story.STORY_TIMEOUT),))
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: at_fork.append(bool(made)) or real_fork())
    report = grade_all(folder, monkeypatch, side_by_side_=True)
    assert at_fork == [True]
    assert [e.name for e in report.exercises] == [*catalog.names(), "quiz"]


def test_a_fork_lets_go_of_the_workers_it_leaves_to_its_parent():
    """The template reaps a worker once every copy of its reply socket is closed: a fork that
    kept its copies would keep the parent's ended workers as zombies in the wall's count."""
    warm_template()
    if template.started() is None:
        pytest.skip("no warm template here")
    made = Submission(ROOT / "solutions" / "exercise4.py", catalog.find("exercise4"))
    worker = made._worker
    worker.hello()
    pid = worker.process.pid
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            made.forget()
            os.write(write, b"x")
            time.sleep(30)
        finally:
            os._exit(0)
    try:
        os.close(write)
        assert os.read(read, 1) == b"x"
        made.close()
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not os.path.exists(f"/proc/{pid}")  # reaped while the fork still lives
    finally:
        os.close(read)
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


def test_nothing_to_grade_never_runs_pytest_on_the_current_folder(tmp_path, monkeypatch):
    """pytest given no paths collects the current folder: the learner's own files."""
    from grader import grading

    (tmp_path / "exercise1.py").write_text("open('imported', 'w').close()\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GraderError):
        grading.run_checks([], {})
    assert not (tmp_path / "imported").exists()
