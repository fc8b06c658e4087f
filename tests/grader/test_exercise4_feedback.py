"""Exercise 4's feedback: what the learner reads on the story, on a slow loop, on bad indices."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from grader.catalog import find
from grader.checks import exercise4 as checks
from grader.failures import BadReturn, Call
from grader.grading import grade
from grader.results import Status
from grader.submission import Outcome

ROOT = Path(__file__).parents[2]
CALL = Call("selected_features", ("w",), (np.array([0.0, 1.0]),))


def grade_file(path: Path):
    return {c.name: c for c in grade([find("exercise4")], {"exercise4": path}).exercises[0].checks}


def test_the_story_shows_what_the_model_kept() -> None:
    results = grade_file(ROOT / "solutions" / "exercise4.py")
    story = results["story_keeps_the_50"]
    assert story.status is Status.PASSED
    assert story.message.startswith("Your model keeps 50 of the 1,000 features; 950 of 1,000 "
                                    "weights are exactly 0.0.\nBiggest first: square footage (+")
    assert "and 38 more." in story.message


def test_a_loop_too_slow_for_the_story_gets_a_clear_timeout(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    slow = tmp_path / "exercise4.py"
    slow.write_text(
        "import time\nimport numpy as np\n\n"
        "def lasso_fit(X, y, lam, steps=500, lr=None):\n"
        "    if X.shape[1] > 100:\n        time.sleep(30)\n"
        "    return np.zeros(X.shape[1])\n\n"
        "def selected_features(w):\n    return np.flatnonzero(w)\n")
    spec = dataclasses.replace(checks.test_story_trains.check_spec, timeout=1.0)
    monkeypatch.setattr(checks.test_story_trains, "check_spec", spec)
    results = grade_file(slow)
    trains = results["story_trains"]
    assert trains.status is Status.FAILED
    assert trains.message.startswith(
        "called lasso_fit(X, y, lam=1.0) on the house-price data (1,000 houses x 1,000 "
        "features), it did not return within 1 s. The reference needs under a second.")
    assert results["story_keeps_the_50"].status is Status.SKIPPED


def outcome(value, dtype: str, kind: str = "ndarray") -> Outcome:
    array = None if value is None else np.asarray(value, dtype=np.float64)
    return Outcome(call=CALL, type=kind, value=array, dtype=dtype,
                   shape=None if array is None else array.shape)


@pytest.mark.parametrize(("result", "problem"), [
    (outcome(None, None, "list"), "it returned a list; return a numpy array of integer indices."),
    (outcome([1.0], "float64"), "it returned an array of dtype float64; return the positions "
     "as integers (an int array), not a mask or floats."),
    (outcome([0.0, 1.0], "bool"), "it returned an array of dtype bool"),
    (outcome([[1.0]], "int64"), "it returned an array of shape (1, 1); return a 1-D array"),
    (outcome([1.0, 1.0], "int64"), "index 1 appears more than once; list each index once."),
    (outcome([3.0, 1.0], "int64"), "index 3 comes before index 1; return the indices in "
     "ascending order."),
])
def test_indices_name_each_problem_exactly(result: Outcome, problem: str) -> None:
    with pytest.raises(BadReturn) as raised:
        result.indices()
    assert str(raised.value).startswith("called selected_features(w=[0.0, 1.0]): ")
    assert problem in str(raised.value)


def test_indices_accept_any_int_dtype_and_the_empty_array() -> None:
    assert outcome([0.0, 4.0], "int32").indices().tolist() == [0, 4]
    assert outcome([2.0], "uint64").indices().dtype == np.int64
    assert outcome([], "int64").indices().tolist() == []
