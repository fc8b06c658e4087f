"""Replaying the reference's inputs (`grader.replay`, on in `grade batch`) changes no result.

Replay rests on one assumption: for a submission that passes a check, hypothesis draws the
same inputs, in the same order, as for the reference. tests/grader/test_fixture_submissions.py
checks it on every correct example submission, and that every wrong one gets the same report,
message for message, with replay on as without (each graded once for both). Here: code that
keeps state between calls, and slow code that stops replaying.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import catalog, plugin, replay
from grader.grading import grade

FIXTURES = Path(__file__).parents[1] / "fixtures"
SOLUTIONS = Path(__file__).parents[2] / "solutions"

STATEFUL = {
    "right_then_wrong": "(2.0 if calls > 30 else 1.0)",
    "wrong_for_three_calls": "(2.0 if 20 <= calls <= 22 else 1.0)",
}


@pytest.mark.parametrize("factor", STATEFUL.values(), ids=list(STATEFUL))
def test_code_that_keeps_state_between_calls_gets_the_same_report_with_replay(
        graded_with_replay, tmp_path, factor):
    """A failed replay must not leave the worker with calls that grading alone never made."""
    path = tmp_path / "exercise1.py"
    path.write_text("import numpy as np\n\ncalls = 0\n\n\ndef sign_gradient(w, lam):\n"
                    "    global calls\n    calls += 1\n"
                    f"    return lam * np.sign(w) * {factor}\n")
    alone = grade([catalog.find("exercise1")], {"exercise1": path})
    assert alone.score < alone.max_score
    assert graded_with_replay(catalog.find("exercise1"), path) == alone


def test_slow_code_stops_replaying_and_is_graded_as_alone(graded_with_replay, tmp_path,
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
    alone = grade([catalog.find("exercise1")], {"exercise1": path})
    replayed = graded_with_replay(catalog.find("exercise1"), path)
    assert replay.counts["gave up"] == gave_up + 1
    assert alone.score == alone.max_score
    assert replayed == alone


def test_a_wrong_answer_is_graded_again_replaying_only_the_checks_that_passed(
        graded_with_replay, monkeypatch):
    """The second pass replays the checks whose replay passed in the first (they make the
    calls drawing would make) and draws only the others: the report is that of grading alone."""
    passes = _count_passes(monkeypatch)
    path = FIXTURES / "exercise2" / "wrong_clamp_before_data_step.py"
    alone = grade([catalog.find("exercise2")], {"exercise2": path})
    passes.clear()
    replayed = graded_with_replay(catalog.find("exercise2"), path)
    assert replayed == alone
    assert len(passes) == 2
    again = passes[1][catalog.find("exercise2").checks_module]
    failed = {c.name for c in alone.exercises[0].checks if c.status.value == "failed"}
    assert again and all(node.split("::")[-1] not in failed for node in again)
    assert len(again) >= 2  # the checks after the first failure were replayed to learn this


def test_code_that_changes_once_it_has_seen_an_input_twice_is_graded_a_third_time(
        graded_with_replay, tmp_path, monkeypatch):
    """A check that passed its replay in the first pass can fail in the second, which makes
    other calls (the failing check's shrinking): then the exercise is graded from scratch."""
    passes = _count_passes(monkeypatch)
    path = tmp_path / "exercise1.py"
    path.write_text(SEEN_TWICE)
    alone = grade([catalog.find("exercise1")], {"exercise1": path})
    passes.clear()
    assert graded_with_replay(catalog.find("exercise1"), path) == alone
    assert len(passes) == 3


SEEN_TWICE = '''import numpy as np

seen, broken = set(), False


def sign_gradient(w, lam):
    global broken
    key = (w.tobytes(), float(lam))
    if w.size == 3 and key in seen:
        broken = True
    seen.add(key)
    wrong = broken or (w.size == 3 and lam > 0)
    return lam * np.sign(w) + (1.0 if wrong else 0.0)
'''
"""Wrong on 3 weights; once called twice with the same 3 weights, wrong on everything."""


def _count_passes(monkeypatch) -> list[dict | None]:
    """The `replay_only` of every pass of the grading that follows (None: a first pass)."""
    from grader import grading

    passes: list[dict | None] = []
    original = grading._checks_pass

    def counted(exercises, submissions, **replaying):
        passes.append(replaying.get("replay_only"))
        return original(exercises, submissions, **replaying)

    monkeypatch.setattr(grading, "_checks_pass", counted)
    return passes


def test_a_replay_makes_exactly_the_calls_grading_alone_makes(graded_with_replay, monkeypatch):
    """What replay rests on: the reference is called with the same arguments, in the same
    order, whether its checks draw their inputs or replay the recorded ones."""
    from grader import submission

    calls: list[tuple] = []
    original = submission.Submission.call

    def logged(self, function, *args):
        calls.append((function.name, *(a.tobytes() if hasattr(a, "tobytes") else a for a in args)))
        return original(self, function, *args)

    monkeypatch.setattr(submission.Submission, "call", logged)
    for exercise in catalog.exercises():
        path = SOLUTIONS / exercise.file
        calls.clear()
        alone = grade([exercise], {exercise.name: path})
        drawn = list(calls)
        calls.clear()
        assert graded_with_replay(exercise, path) == alone
        assert len(drawn) > 50 and calls == drawn, exercise.name


def test_a_replay_sends_its_calls_in_batches_and_the_worker_runs_exactly_those_of_alone(
        graded_with_replay, monkeypatch):
    """A replay sends the calls its check made last time in batches (`Submission.planned`):
    far fewer exchanges, and the worker runs the very calls grading alone runs, in order."""
    from grader.sandbox.worker import Worker

    exchanges: list[list] = []
    original = Worker._exchange

    def logged(self, header, payload, calls, *rest):
        answers = original(self, header, payload, calls, *rest)
        sent, offset, made = header.get("calls") or [{**header, "nbytes": len(payload)}], 0, []
        for call in sent[:len(answers)]:
            made.append((call["func"], json.dumps(call["args"]),
                         payload[offset:offset + call["nbytes"]]))
            offset += call["nbytes"]
        exchanges.append(made)
        return answers

    monkeypatch.setattr(Worker, "_exchange", logged)
    for exercise in catalog.exercises()[:3]:  # exercise 4's story is a call begun ahead
        path = SOLUTIONS / exercise.file
        exchanges.clear()
        alone = grade([exercise], {exercise.name: path})
        ran_alone = [call for batch in exchanges for call in batch]
        exchanges.clear()
        assert graded_with_replay(exercise, path) == alone
        ran_replayed = [call for batch in exchanges for call in batch]
        assert len(ran_alone) > 50 and ran_replayed == ran_alone, exercise.name
        assert len(exchanges) * 5 < len(ran_alone), exercise.name


UNREADABLE_THEN_WRONG = '''import numpy as np

calls = 0


def sign_gradient(w, lam):
    global calls
    calls += 1
    if calls == 11:
        return np.zeros(w.shape, dtype=[("a", "f8")])
    return (2.0 if 12 <= calls <= 16 else 1.0) * lam * np.sign(w)
'''
"""An answer the grader cannot read (a final failure) in the middle of a batch, and wrong
answers for exactly the calls grading alone makes next."""

HELPER_PROCESS = '''import os
import time

import numpy as np

child, none_before = None, False


def sign_gradient(w, lam):
    global child, none_before
    alive = False
    if child is not None:
        try:
            alive = os.waitpid(child, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            pass
    wrong, none_before = not alive and none_before, not alive
    if not alive:
        child = os.fork()
        if child == 0:
            time.sleep(60)
            os._exit(0)
    return (2.0 if wrong else 1.0) * lam * np.sign(w)
'''
"""Keeps a helper process between calls, and is wrong when it finds none twice running:
the grader ends every process a call leaves, after each call."""


@pytest.mark.parametrize("code", [UNREADABLE_THEN_WRONG, HELPER_PROCESS],
                         ids=["final failure mid-batch", "helper process"])
def test_code_that_would_meet_calls_in_batches_otherwise_gets_the_report_of_alone(
        graded_with_replay, tmp_path, code):
    path = tmp_path / "exercise1.py"
    path.write_text(code)
    alone = grade([catalog.find("exercise1")], {"exercise1": path})
    assert alone.score < alone.max_score
    assert graded_with_replay(catalog.find("exercise1"), path) == alone
