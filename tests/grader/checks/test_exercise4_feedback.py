"""Exercise 4's feedback: the story, a slow loop, bad indices, and what a wrong solver is told."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.checks import lasso
from grader.catalog import find
from grader.checks import exercise4 as checks
from grader.checks.strategies import lasso_problems
from grader.failures import BadReturn, Call
from grader.grading import grade
from grader.results import Status
from grader.submission import Outcome
from solutions.lasso import ista_step

ROOT = Path(__file__).parents[3]
CALL = Call("selected_features", ("w",), (np.array([0.0, 1.0]),))


def grade_file(path: Path):
    return {c.name: c for c in grade([find("exercise4")], {"exercise4": path}).exercises[0].checks}


def test_the_story_shows_what_the_model_kept() -> None:
    results = grade_file(ROOT / "solutions" / "exercise4.py")
    story = results["story_keeps_the_50"]
    assert story.status is Status.PASSED
    first, bars, names = story.message.splitlines()[:3]
    assert first == "Your model keeps 50 of the 1,000 features; 950 of 1,000 weights are exactly 0.0."
    # One bar per kept weight, largest first, then the exact zeros counted, not drawn.
    assert bars.startswith("|w| largest first: █") and bars.endswith(" then 950 × 0.0")
    drawn = bars.removeprefix("|w| largest first: ").removesuffix(" then 950 × 0.0")
    assert len(drawn) == 50 and list(drawn) == sorted(drawn, reverse=True)
    assert names.startswith("Biggest first: square footage (+") and "and 38 more." in names


def test_a_loop_too_slow_for_the_story_gets_a_clear_timeout(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    slow = tmp_path / "exercise4.py"
    slow.write_text(
        "import time\nimport numpy as np\n\n"
        "def lasso_fit(X, y, lam, steps=500, lr=None):\n"
        "    if X.shape[1] > 100:\n        while True:\n            pass\n"
        "    return np.zeros(X.shape[1])\n\n"
        "def selected_features(w):\n    return np.flatnonzero(w)\n")
    spec = dataclasses.replace(checks.test_story_trains.check_spec, timeout=1.0)
    monkeypatch.setattr(checks.test_story_trains, "check_spec", spec)
    results = grade_file(slow)
    trains = results["story_trains"]
    assert trains.status is Status.FAILED
    assert trains.message.startswith(
        "called lasso_fit(X, y, lam=1.0) on the house-price data (1,000 houses x 1,000 "
        "features), it did not return within 1 s of CPU time. The reference needs under a "
        "second.")
    assert results["story_keeps_the_50"].status is Status.SKIPPED


def test_a_story_call_that_sleeps_is_told_so_without_the_data(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    sleepy = tmp_path / "exercise4.py"
    sleepy.write_text(
        "import time\nimport numpy as np\n\n"
        "def lasso_fit(X, y, lam, steps=500, lr=None):\n"
        "    if X.shape[1] > 100:\n        time.sleep(60)\n"
        "    return np.zeros(X.shape[1])\n\n"
        "def selected_features(w):\n    return np.flatnonzero(w)\n")
    spec = dataclasses.replace(checks.test_story_trains.check_spec, timeout=0.3)
    monkeypatch.setattr(checks.test_story_trains, "check_spec", spec)
    trains = grade_file(sleepy)["story_trains"]
    assert trains.message.startswith(
        "called lasso_fit(X, y, lam=1.0) on the house-price data (1,000 houses x 1,000 "
        "features), it was stopped after 3 s of waiting while it used little CPU (it sleeps "
        "or blocks).")


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


# What a wrong solver is told: lasso.find_diagnosis names the bug its final weights show, and
# says nothing specific when they show none.

def ista(X, y, lam, *, steps=500, lr=None, shrink=1.0, sign=-1.0):
    """ISTA with the usual bugs as knobs: `shrink` scales lr * lam, `sign` +1 climbs."""
    n = X.shape[0]
    lr = n / (2 * np.linalg.norm(X, 2) ** 2) if lr is None else lr
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        v = w + sign * lr * (2 / n) * X.T @ (X @ w - y)
        w = np.sign(v) * np.maximum(np.abs(v) - shrink * lr * lam, 0.0)
    return w


def diagnosis_of(problem, weights) -> tuple[str, str]:
    X, y, lam = problem
    return lasso.find_diagnosis(X, y, lam, weights, ista(X, y, lam), step=ista_step)


def ridge(X, y, lam):
    n, p = X.shape
    return np.linalg.solve(X.T @ X + n * lam * np.eye(p), X.T @ y)


def no_clamp(X, y, lam):
    n = X.shape[0]
    lr = n / (2 * np.linalg.norm(X, 2) ** 2)
    w = np.zeros(X.shape[1])
    for _ in range(500):
        v = w - lr * (2 / n) * X.T @ (X @ w - y)
        w = v - lr * lam * np.sign(v)
    return w


@pytest.mark.parametrize(("problem", "solver", "name", "says"), [
    (checks.TALL, lambda X, y, lam: ista(X, y, lam, steps=10), "stopped_early",
     "exactly where 10 steps of the clamped update at lr = 1/L from w = 0 land"),
    (checks.MIXED, lambda X, y, lam: ista(X, y, lam, steps=1), "stopped_early",
     "exactly where 1 step of"),
    (checks.TALL, lambda X, y, lam: ista(X, y, lam, sign=1.0), "uphill",
     "they point uphill: X @ w runs against y"),
    (checks.TALL, lambda X, y, lam: np.zeros(2), "all_zero",
     "lam = 1.5 is below max|2 X.T y / n| = 6, so the optimum keeps 1 feature."),
    (checks.TALL, lambda X, y, lam: ista(X, y, lam, shrink=3.0), "other_lam",
     "the optimum for lam = 4.5, n = 3 times the lam you were given"),
    (checks.MIXED, lambda X, y, lam: ista(X, y, lam, shrink=0.5), "other_lam",
     "the optimum for lam = 0.25, half the lam you were given"),
    (checks.MIXED, lambda X, y, lam: ista(X, y, lam, shrink=2.0), "other_lam",
     "twice the lam you were given"),
    (checks.MIXED, lambda X, y, lam: ista(X, y, 0.0), "other_lam",
     "the least-squares fit, the optimum for lam = 0"),
    (checks.MIXED, ridge, "ridge", "mean((X @ w - y)**2) + 0.5 * sum(w**2), an L2 (ridge)"),
    (checks.TALL, no_clamp, "no_clamp", "None of your weights is exactly 0.0, but the optimum "
     "has 1 exact zero: are you clamping at zero"),
])
def test_a_wrong_solver_is_told_its_bug(problem, solver, name: str, says: str) -> None:
    found, message = diagnosis_of(problem, solver(*problem))
    assert (found, says in message) == (name, True), message


@pytest.mark.parametrize(("problem", "weights"), [
    # lr far too small: still on the way, but not on the path of the lesson's steps, and
    # with no exact zero yet; neither "you stop early" nor "you do not clamp" is known.
    (checks.TALL, ista(*checks.TALL, lr=0.001)),
    # halfway between w = 0 and the optimum: on no known path, the optimum for no lam
    (checks.MIXED, 0.5 * ista(*checks.MIXED)),
    # one tiny weight where lam = lam_max / 2: "the optimum for 2 * lam" would be w = 0
    ((np.eye(2), np.array([2.0, 0.0]), 1.0), np.array([1e-12, 0.0])),
])
def test_weights_that_show_no_known_bug_get_the_general_advice(problem, weights) -> None:
    assert diagnosis_of(problem, weights) == ("general", lasso.GENERAL)


def test_a_solver_that_stops_early_is_never_told_it_forgot_the_clamp() -> None:
    # Before: ten correct steps on TALL have no exact zero yet, and were told to clamp.
    for steps in (2, 5, 10, 20):
        found, message = diagnosis_of(checks.TALL, ista(*checks.TALL, steps=steps))
        assert found == "stopped_early" and f"where {steps} steps" in message


def test_weights_one_rounding_away_from_a_zero_are_not_on_the_path() -> None:
    # One step from w = 0 on ORTHOGONAL gives [0.5, 0.0]; 1e-13 instead of the exact 0.0
    # is the missing clamp, not a correct step.
    weights = np.array([0.5, 1e-13])
    assert diagnosis_of(checks.ORTHOGONAL, weights)[0] != "stopped_early"


@pytest.mark.parametrize(("problem", "solver"), [
    (checks.TALL, lambda X, y, lam: ista(X, y, lam, steps=10)),
    (checks.TALL, no_clamp),
])
def test_without_the_reference_step_no_diagnosis_replays_steps(problem, solver) -> None:
    # A student copy has no reference step: "you stop early" and "you do not clamp" need one.
    X, y, lam = problem
    found, _ = lasso.find_diagnosis(X, y, lam, solver(*problem), ista(X, y, lam))
    assert found not in ("stopped_early", "no_clamp")


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(problem=lasso_problems(), data=st.data())
def test_any_weights_get_one_whole_message(problem, data) -> None:
    # A diagnosis runs on whatever the learner returned: huge, tiny, half zero. It must never
    # break the grader, and every message's blanks must be filled.
    X, y, lam = problem
    got = data.draw(hnp.arrays(np.float64, X.shape[1], elements=st.one_of(
        st.just(0.0), st.floats(-1e150, 1e150, allow_nan=False, allow_subnormal=False))))
    name, message = diagnosis_of(problem, got)
    assert name in {d.name for d in lasso.DIAGNOSES} | {"general"}
    assert message and "{" not in message and "}" not in message


def test_the_story_step_size_is_worked_out_once_where_gradings_fork_from(monkeypatch) -> None:
    """Every wrong story's diagnosis needs the step size of the 1,000 x 1,000 data (an SVD,
    0.25 s): a batch's server works it out once (`warm_up`), its gradings reuse it."""
    from grader.checks import housing

    checks.warm_up()
    svds: list[int] = []
    real_norm = np.linalg.norm
    monkeypatch.setattr(np.linalg, "norm", lambda *a, **k: svds.append(1) or real_norm(*a, **k))
    X = housing.housing().X
    assert lasso.step_size(X) == X.shape[0] / (2 * real_norm(X, 2) ** 2)
    assert svds == []
    small = np.array([[1.0, 0.0], [0.0, 2.0]])  # writeable: never kept, it may change
    assert lasso.step_size(small) == pytest.approx(2 / (2 * 4.0))
    small *= 2
    assert lasso.step_size(small) == pytest.approx(2 / (2 * 16.0))
    assert svds == [1, 1]
