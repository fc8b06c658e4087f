"""The learner's loop around a grading: names, what comes next, hints, one screen of output."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import catalog
from grader.cli import main
from grader.course.stubs import write_stubs
from quiz.bank import load_bank
from quiz.selection import select_questions

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_stubs(tmp_path / "exercises")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def grade(*args: str):
    return CliRunner().invoke(main, list(args))


def solve(course: Path, *names: str) -> None:
    for name in names:
        shutil.copy(ROOT / "solutions" / f"{name}.py", course / "exercises" / f"{name}.py")


def answer_key() -> str:
    questions = select_questions(load_bank())
    return ",".join("ABCD"[[o.correct for o in q.question.options].index(True)] for q in questions)


def test_an_exercise_can_be_named_by_number_or_short_name(course: Path) -> None:
    outputs = [grade(name) for name in ("exercise1", "ex1", "1", "EX1")]
    assert {r.exit_code for r in outputs} == {1}
    assert len({r.output for r in outputs}) == 1
    assert "exercise1: The L1 gradient" in outputs[0].output
    assert grade("9").exit_code == 2
    assert grade("hint", "2").output.startswith("Hint 1 of 3 for exercise2:")


def test_a_pass_names_the_next_exercise(course: Path) -> None:
    solve(course, "exercise1")
    result = grade("1")
    assert result.exit_code == 0
    assert result.output.rstrip().splitlines()[-1] == (
        "Next: exercise2 (One L1 step that clamps at zero). Run: grade exercise2")


def test_the_next_exercise_is_the_first_not_yet_passed(course: Path) -> None:
    solve(course, "exercise2", "exercise3")
    assert grade("2").exit_code == 0 and grade("3").exit_code == 0
    solve(course, "exercise1")
    assert grade("1").output.rstrip().endswith("Run: grade exercise4")


def test_an_edited_file_is_not_counted_as_passed(course: Path) -> None:
    solve(course, "exercise2")
    assert grade("2").exit_code == 0
    (course / "exercises" / "exercise2.py").write_text("# changed since\n" + (
        ROOT / "solutions" / "exercise2.py").read_text())
    solve(course, "exercise1")
    assert grade("1").output.rstrip().endswith("Run: grade exercise2")


def test_the_last_pass_says_the_course_is_complete_with_the_total(course: Path) -> None:
    solve(course, *catalog.names())
    for name in catalog.names()[:-1]:
        assert grade(name).exit_code == 0
    last = grade(catalog.names()[-1])
    assert last.output.rstrip().endswith("One thing is left: the lesson's quiz (0/3 so far). Run: quiz")
    (course / "exercises" / "quiz.txt").write_text(answer_key())
    last = grade(catalog.names()[-1])
    total = sum(e.points for e in catalog.exercises()) + 3
    assert last.output.rstrip().endswith(
        f"You have completed L1 Lab: every exercise and the quiz pass, {total}/{total}.")


def test_hints_are_about_the_function_whose_check_fails_first(course: Path) -> None:
    solve(course, "exercise4")
    path = course / "exercises" / "exercise4.py"
    path.write_text(path.read_text().replace("np.flatnonzero(w)", "np.flatnonzero(np.abs(w) > 1e-3)"))
    assert grade("4").exit_code == 1
    first = grade("hint", "4").output
    assert first.startswith("Hint 1 of 2 for exercise4 (selected_features): selected_features:")
    shutil.copy(FIXTURES / "exercise4" / "wrong_no_clamp.py", path)
    assert grade("4").exit_code == 1
    assert grade("hint", "4").output.startswith("Hint 1 of 3 for exercise4 (lasso_fit): Start from")


def test_a_failing_exercise4_fits_on_one_screen_with_no_elided_array(course: Path) -> None:
    shutil.copy(FIXTURES / "exercise4" / "wrong_no_clamp.py", course / "exercises" / "exercise4.py")
    output = grade("4").output
    assert len(output.rstrip().splitlines()) <= 20, output
    assert not re.search(r"\.\.\. \d+ more", output), output
    assert "1,000 values" in output
