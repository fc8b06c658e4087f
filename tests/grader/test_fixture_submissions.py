"""Every example submission in tests/fixtures scores what its header says.

Each fixture file starts with `# expect: full` or `# expect: fail CHECK [CHECK ...]`, and a
failing one with `# message: TEXT` that must appear in a failing check's feedback. An
optional `# score: N/M` pins the partial credit (a form problem costs only its own check).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from grader import replay
from grader.catalog import find, names
from grader.grading import grade
from grader.results import Status

FIXTURES = Path(__file__).parents[1] / "fixtures"


def header(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        if not line.startswith("# "):
            break
        key, _, value = line[2:].partition(": ")
        found[key] = value
    return found


def expectation(path: Path) -> tuple[str, list[str], str]:
    header = {}
    for line in path.read_text().splitlines():
        if not line.startswith("# "):
            break
        key, _, value = line[2:].partition(": ")
        header[key] = value
    kind, *checks = header["expect"].split()
    return kind, checks, header.get("message", "")


def fixture_files() -> list:
    return [pytest.param(folder.name, path, id=f"{folder.name}/{path.stem}")
            for folder in sorted(FIXTURES.iterdir()) if folder.name in names()
            for path in sorted(folder.glob("*.py"))]


@pytest.mark.parametrize(("exercise", "path"), fixture_files())
def test_fixture_scores_as_declared(exercise: str, path: Path, reference_inputs,
                                    graded_with_replay) -> None:
    """Each file scores what its header says, graded as a learner's `grade` grades it on two
    cores (exercise 4's story started early, `grader.ahead`). A correct file is called with
    exactly the reference's inputs (what replay rests on, `grader.replay`); a wrong one gets
    the same report with the reference's inputs replayed, as `grade batch` grades it."""
    kind, failing, message = expectation(path)
    correct = path.stem.startswith("correct_")
    if correct:
        replay.enable()  # records what each check calls it with
    try:
        report = grade([find(exercise)], {exercise: path}, early=True)
    finally:
        book = replay.disable() if correct else None
    result = report.exercises[0]
    statuses = {check.name: check.status for check in result.checks}
    feedback = "\n".join(f"{c.name}: {c.status.value}: {c.message}" for c in result.checks)
    assert Status.ERROR not in statuses.values(), feedback
    if "score" in header(path):
        assert f"{result.score}/{result.max_score}" == header(path)["score"], feedback
    if correct:
        ours = {key: calls for key, calls in reference_inputs.items()
                if key.startswith(f"{exercise}.py::")}
        assert book.keys() == ours.keys()
        for key, calls in book.items():  # bit for bit, -0.0 and dtypes included
            assert pickle.dumps(calls) == pickle.dumps(ours[key]), key
    if kind == "full":
        assert result.score == result.max_score, feedback
        return
    assert result.score < result.max_score, feedback
    for name in failing:
        assert statuses[name] is Status.FAILED, feedback
    messages = [c.message for c in result.checks if c.name in failing]
    assert any(message in text for text in messages), feedback
    if path.stem.startswith("wrong_"):
        assert graded_with_replay(find(exercise), path) == report


@pytest.mark.parametrize("exercise", ["exercise1", "exercise2", "exercise3"])
def test_each_exercise_has_enough_example_submissions(exercise: str) -> None:
    files = list((FIXTURES / exercise).glob("*.py"))
    kinds = [expectation(path)[0] for path in files]
    wrong = [p for p in files if p.stem.startswith("wrong_")]
    assert kinds.count("full") >= 6
    assert len(wrong) >= 10


def test_exercise4_has_enough_example_submissions() -> None:
    files = list((FIXTURES / "exercise4").glob("*.py"))
    kinds = [expectation(path)[0] for path in files]
    wrong = [p for p in files if p.stem.startswith("wrong_")]
    assert kinds.count("full") >= 4
    assert len(wrong) >= 6
