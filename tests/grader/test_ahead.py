"""A call the checks name ahead (`grader.ahead.Ahead`, exercise 4's story) runs early in a worker
of its own (`grader.ahead`); the check that makes it takes that result as its own call would
have had it: the same value, the same timeout and out-of-time failures under the same limits,
the same report, and nothing left running."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from grader.catalog import find
from grader.checks import exercise4
from grader.checkspec import Ahead
from grader.grading import grade
from grader.failures import Abort, OutOfTime, TimedOut
from grader.submission import Submission

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "exercise4"
EXERCISE4 = find("exercise4")
STORY = (np.eye(4), np.arange(4.0), 0.5)
"""The call made early in these tests; the checks pass these very objects."""


def learner(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "exercise4.py"
    path.write_text("import os, time\nimport numpy as np\n\n"
                    "def lasso_fit(X, y, lam, steps=500, lr=None):\n" + body +
                    "\n\ndef selected_features(w):\n    return np.flatnonzero(w)\n")
    return path


def submission(path: Path, *, early: bool, timeout: float = 2.0) -> Submission:
    made = Submission(path, EXERCISE4, early=early)
    made.begin((Ahead("lasso_fit", lambda: STORY, timeout),))
    made.call_timeout = timeout  # what the plugin sets for the check that makes the call
    return made


def outcome_of(call) -> tuple[str, str]:
    try:
        return "value", repr(call().value.tolist())
    except (Exception, Abort) as error:  # the failure the learner would read
        return type(error).__name__, str(error)


PROCESS = ("    global token\n    token = globals().get('token') or float(int.from_bytes(os.urandom(6), 'big'))\n"
           "    return np.full(X.shape[1], token)")
"""Returns a number drawn once per worker process (which may be pid 1 in its namespace)."""


@pytest.mark.parametrize("early", [True, False])
def test_the_call_made_early_runs_in_a_worker_of_its_own_and_is_taken_once(tmp_path, early):
    made = submission(learner(tmp_path, PROCESS), early=early)
    try:
        here = made.lasso_fit(np.eye(2), np.ones(2), 0.5).value[0]  # another call: not early
        story = made.lasso_fit(*STORY).value[0]
        again = made.lasso_fit(*STORY).value[0]  # taken once: later calls run here
        copies = made.lasso_fit(STORY[0].copy(), STORY[1], STORY[2]).value[0]
    finally:
        made.close()
    assert bool(story != here) is early
    assert again == here and copies == here


SLOW_STORY = """    if X.shape == (4, 4):
        end = time.process_time() + 0.4
        while time.process_time() < end:
            pass
    return np.zeros(X.shape[1])"""
ENDLESS_STORY = """    while X.shape == (4, 4):
        pass
    return np.zeros(X.shape[1])"""


@pytest.mark.parametrize(("body", "time_left", "failure"), [
    (SLOW_STORY, None, None),  # 0.4 CPU-s of 2: the value
    (SLOW_STORY, 0.2, OutOfTime),  # 0.2 s left of the exercise's time: out of time
    (ENDLESS_STORY, None, TimedOut),  # its own limit
])
def test_the_story_taken_early_fails_exactly_as_called_there_and_then(
        tmp_path, body, time_left, failure):
    path = learner(tmp_path, body)
    seen = {}
    for early in (True, False):
        made = submission(path, early=early, timeout=1.0)
        try:
            made.lasso_fit(np.eye(2), np.ones(2), 0.5)  # the worker is up; the early call runs
            if time_left is not None:
                made.time_left = time_left
            story = outcome_of(lambda: made.lasso_fit(*STORY))
            after = outcome_of(lambda: made.lasso_fit(np.eye(2), np.ones(2), 0.5))
            seen[early] = (story, after, made.time_left > 0)
        finally:
            made.close()
    assert seen[True] == seen[False]
    story, after, time_left = seen[True]
    assert story[0] == ("value" if failure is None else failure.__name__)
    if failure is not OutOfTime:  # a timed-out worker is replaced, as ever
        assert after == ("value", "[0.0, 0.0]") and time_left


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[-1].startswith("Z")
    except FileNotFoundError:
        return True


def test_an_early_call_nobody_takes_is_stopped_with_its_worker(tmp_path):
    made = submission(learner(tmp_path, ENDLESS_STORY), early=True, timeout=30.0)
    worker = made._early["lasso_fit"].worker  # its thread alone talks to it until closed
    time.sleep(0.5)  # mostly into its endless call; stopped in its import, it must end too
    made.stop()
    made.close()
    pid = worker.process.pid
    deadline = time.monotonic() + 10
    while pid is not None and not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert pid is None or gone(pid)
    assert worker.usage[0] < 30.0  # stopped, not run to its limit


@pytest.mark.parametrize("path", [
    ROOT / "solutions" / "exercise4.py",
    FIXTURES / "correct_fista.py",
    FIXTURES / "wrong_half_lam.py",
], ids=lambda p: p.stem)
def test_exercise4_reports_the_same_with_the_story_started_early(path):
    """(Every wrong example is also compared with its replayed grading, which starts nothing
    early, in tests/grader/test_fixture_submissions.py.)"""
    early = grade([EXERCISE4], {"exercise4": path}, early=True)
    called_in_turn = grade([EXERCISE4], {"exercise4": path}, early=False)
    assert early == called_in_turn


def test_the_story_is_named_ahead_with_the_objects_its_check_passes():
    (story,) = exercise4.AHEAD
    assert story.function == "lasso_fit" and story.timeout == exercise4.STORY_TIMEOUT
    assert all(a is b for a, b in zip(story.arguments(), exercise4.story_arguments()))


def test_with_no_thread_to_spare_the_check_makes_its_call_as_usual(tmp_path, monkeypatch):
    import threading

    def refuse(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    made = submission(learner(tmp_path, PROCESS), early=True)
    try:
        here = made.lasso_fit(np.eye(2), np.ones(2), 0.5).value[0]
        story = made.lasso_fit(*STORY).value[0]
    finally:
        made.close()
    assert story == here  # called in the exercise's own worker


def test_the_story_starts_before_pytest_does(monkeypatch):
    """pytest's start-up and collection take a tenth of a second or more; in `grade all` the
    story is what the grading ends by waiting for, so it starts before them."""
    from grader import grading

    started_before: list[set[str]] = []
    run_pytest = grading._run_pytest

    def watching(paths, plugin):
        started_before.append({name for s in plugin.submissions.values() for name in s._early})
        return run_pytest(paths, plugin)

    monkeypatch.setattr(grading, "_run_pytest", watching)
    grade([EXERCISE4], {"exercise4": ROOT / "solutions" / "exercise4.py"}, early=True)
    assert started_before[0] == {"lasso_fit"}
    started_before.clear()
    grade([EXERCISE4], {"exercise4": ROOT / "solutions" / "exercise4.py"}, early=False)
    assert started_before[0] == set()


def test_grade_starts_the_story_before_it_imports_pytest_or_hypothesis(tmp_path):
    """`grade exercise4` and `grade all` start the story as soon as the learner's worker is
    up: the import of pytest, hypothesis and the checks (a third of a second) runs beside it."""
    course = tmp_path / "course" / "exercises"
    course.mkdir(parents=True)
    for name in ("exercise1.py", "exercise4.py"):
        (course / name).write_bytes((ROOT / "solutions" / name).read_bytes())
    script = (
        "import sys\n"
        "from grader import ahead, api\n"
        "api._cores = lambda: 2\n"
        "real = ahead.EarlyCall.__init__\n"
        "def watched(self, *args, **kwargs):\n"
        "    print('BEGUN', 'pytest' in sys.modules, 'hypothesis' in sys.modules, flush=True)\n"
        "    real(self, *args, **kwargs)\n"
        "ahead.EarlyCall.__init__ = watched\n"
        "from grader.cli import main\n"
        "sys.argv = ['grade', sys.argv[1]]\n"
        "main()\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for target in ("exercise4", "all"):
        done = subprocess.run([sys.executable, "-c", script, target], cwd=course.parent,
                              env=env, capture_output=True, text=True, timeout=120)
        begun = [line for line in done.stdout.splitlines() if line.startswith("BEGUN")]
        assert begun == ["BEGUN False False"], (target, done.stdout[-2000:], done.stderr[-2000:])
        assert "20/20" in done.stdout


def test_arguments_the_thread_cannot_make_are_the_fixtures_to_report():
    """The story's thread makes its arguments quietly; if it cannot, the check's fixture,
    which begins the calls again, makes them itself and so reports what broke."""
    def broken():
        raise RuntimeError("the data could not be built")

    calls = (Ahead("lasso_fit", broken, 2.0),)
    made = Submission(ROOT / "solutions" / "exercise4.py", EXERCISE4, early=True)
    try:
        made.begin(calls)  # as `grade` does, before pytest
        with pytest.raises(RuntimeError, match="could not be built"):
            made.begin(calls)  # as the check's fixture does
        assert made._early == {}
    finally:
        made.close()
