"""The reference keeps its results by argument value (`grader.remembered_reference`): the same
answers as the module, a fresh copy for every caller, and no second computation of an
answer a batch's server already has."""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np

from grader import catalog, plugin, replay
from grader.grading import grade
from grader.remembered_reference import MAX_KEPT, RememberedReference

ROOT = Path(__file__).resolve().parents[2]


def counting_module():
    calls = []

    def scaled(w, lam):
        calls.append((w.copy() if isinstance(w, np.ndarray) else w, lam))
        return lam * np.sign(w) if w.dtype.kind == "f" else w

    module = types.ModuleType("fake_solutions")
    module.scaled, module.CONSTANT = scaled, 3
    return module, calls


def test_the_same_answers_as_the_module_computed_once_per_value():
    module, calls = counting_module()
    reference = RememberedReference(module)
    w = np.array([1.5, -2.0, 0.0])
    assert np.array_equal(reference.scaled(w, 2.0), module.scaled(w, 2.0))
    calls.clear()
    for _ in range(3):
        assert np.array_equal(reference.scaled(w.copy(), 2.0), [2.0, -2.0, 0.0])
    assert len(calls) == 0  # kept from the first call
    reference.scaled(w, -0.0)
    reference.scaled(w, 0.0)
    reference.scaled(w.astype(np.float32), 2.0)
    reference.scaled(w.reshape(3, 1), 2.0)
    assert len(calls) == 4  # -0.0 and 0.0, dtypes and shapes are different questions
    assert reference.CONSTANT == 3


def test_each_caller_gets_its_own_copy():
    module, _ = counting_module()
    reference = RememberedReference(module)
    w = np.array([1.0, -1.0])
    first = reference.scaled(w, 1.0)
    first[:] = 99.0
    assert np.array_equal(reference.scaled(w, 1.0), [1.0, -1.0])


def test_arguments_of_other_kinds_are_computed_every_time(monkeypatch):
    module, calls = counting_module()
    reference = RememberedReference(module)
    odd = np.array(["a"], dtype=object)
    reference.scaled(odd, 1)
    reference.scaled(odd, 1)
    assert len(calls) == 2
    monkeypatch.setattr("grader.remembered_reference.MAX_KEPT", 1)
    reference.scaled(np.ones(1), 1.0)
    reference.scaled(np.ones(2), 1.0)
    reference.scaled(np.ones(2), 1.0)
    assert len(calls) == 5 and MAX_KEPT > 1000  # full: computed as usual


def test_a_second_student_on_replayed_inputs_asks_the_reference_nothing_new(monkeypatch):
    """As in a batch: the reference is graded first, then a student replays its inputs."""
    monkeypatch.setattr(plugin, "_references", {})
    exercise = catalog.find("exercise4")
    from solutions import exercise4 as solution

    calls = []
    real = solution.lasso_fit
    monkeypatch.setattr(solution, "lasso_fit", lambda *a, **k: calls.append(1) or real(*a, **k))
    replay.enable()
    try:
        first = grade([exercise], {exercise.name: ROOT / "solutions" / "exercise4.py"})
        asked = len(calls)
        second = grade([exercise], {exercise.name: ROOT / "tests/fixtures/exercise4/"
                                    "correct_coordinate_descent.py"})
    finally:
        replay.disable()
    assert asked > 5 and first.score == first.max_score == second.score
    assert len(calls) == asked
