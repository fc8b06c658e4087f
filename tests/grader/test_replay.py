"""Replaying the reference's inputs (`grader.replay`, on in `grade batch`) changes no result.

Replay rests on one assumption: for a submission that passes a check, hypothesis draws the
same inputs, in the same order, as for the reference. The first test checks it on correct
submissions of every style; the second that every wrong submission gets the same report,
message for message, with replay on as without.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from grader import catalog, plugin, replay
from grader.grading import grade

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def fixtures(prefix: str) -> list:
    return [pytest.param(exercise, path, id=f"{exercise.name}/{path.stem}")
            for exercise in catalog.exercises()
            for path in sorted((FIXTURES / exercise.name).glob(f"{prefix}_*.py"))]


@pytest.fixture(scope="module")
def reference_inputs():
    """What each check was called with when grading the reference, recorded once."""
    replay.enable()
    try:
        exercises = catalog.exercises()
        report = grade(exercises, {e.name: ROOT / "solutions" / e.file for e in exercises})
        assert report.score == report.max_score
    finally:
        book = replay.disable()
    assert len(book) >= 20  # every hypothesis check of every exercise
    return book


@pytest.mark.parametrize(("exercise", "path"), fixtures("correct"))
def test_a_correct_submission_is_called_with_exactly_the_reference_inputs(reference_inputs,
                                                                          exercise, path):
    replay.enable()
    try:
        report = grade([exercise], {exercise.name: path})
    finally:
        book = replay.disable()
    assert report.score == report.max_score
    ours = {key: calls for key, calls in reference_inputs.items()
            if key.startswith(f"{exercise.checks_module.rsplit('.', 1)[-1]}.py::")}
    assert book.keys() == ours.keys()
    for key, calls in book.items():  # bit for bit, -0.0 and dtypes included
        assert pickle.dumps(calls) == pickle.dumps(ours[key]), key


def alone_and_replayed(reference_inputs, exercise, path):
    """The report of grading `path` alone, and with the reference's inputs replayed."""
    alone = grade([exercise], {exercise.name: path})
    before = sum(replay.counts.values())
    replay.enable(reference_inputs)
    try:
        replayed = grade([exercise], {exercise.name: path})
    finally:
        replay.disable()
    assert sum(replay.counts.values()) > before  # some check really was replayed
    return alone, replayed


@pytest.mark.parametrize(("exercise", "path"), fixtures("wrong"))
def test_a_wrong_submission_gets_the_same_report_with_replay(reference_inputs, exercise, path):
    alone, replayed = alone_and_replayed(reference_inputs, exercise, path)
    assert alone.score < alone.max_score
    assert replayed == alone


STATEFUL = {
    "right_then_wrong": "(2.0 if calls > 30 else 1.0)",
    "wrong_for_three_calls": "(2.0 if 20 <= calls <= 22 else 1.0)",
}


@pytest.mark.parametrize("factor", STATEFUL.values(), ids=list(STATEFUL))
def test_code_that_keeps_state_between_calls_gets_the_same_report_with_replay(
        reference_inputs, tmp_path, factor):
    """A failed replay must not leave the worker with calls that grading alone never made."""
    path = tmp_path / "exercise1.py"
    path.write_text("import numpy as np\n\ncalls = 0\n\n\ndef sign_gradient(w, lam):\n"
                    "    global calls\n    calls += 1\n"
                    f"    return lam * np.sign(w) * {factor}\n")
    alone, replayed = alone_and_replayed(reference_inputs, catalog.find("exercise1"), path)
    assert alone.score < alone.max_score
    assert replayed == alone


def test_slow_code_stops_replaying_and_is_graded_as_alone(reference_inputs, tmp_path,
                                                          monkeypatch):
    """Replaying slow code would double its time; past the budget (of CPU time) it is graded
    from scratch."""
    monkeypatch.setattr(plugin, "REPLAY_BUDGET", 0.2)
    path = tmp_path / "exercise1.py"
    path.write_text("import time\n\nimport numpy as np\n\n\ndef sign_gradient(w, lam):\n"
                    "    until = time.process_time() + 0.01\n"
                    "    while time.process_time() < until:\n        pass\n"
                    "    return lam * np.sign(w)\n")
    gave_up = replay.counts["gave up"]
    alone, replayed = alone_and_replayed(reference_inputs, catalog.find("exercise1"), path)
    assert replay.counts["gave up"] == gave_up + 1
    assert alone.score == alone.max_score
    assert replayed == alone
