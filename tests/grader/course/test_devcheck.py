"""The instructor's self-check: stubs score 0 and reference solutions score full marks."""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.course.devcheck import output_dependent_draws, problems
from grader.course.starter import starter_notebook
from grader.course.stubs import write_stubs

ROOT = Path(__file__).parents[3]


def exercises_folder(tmp_path: Path) -> Path:
    """Stubs made from the solutions (the learner's exercises/ may already be solved), with
    the starter notebook those stubs give."""
    folder = write_stubs(tmp_path / "exercises")
    (folder / "l1lab.ipynb").write_text(starter_notebook(folder), encoding="utf-8")
    return folder


def test_stubs_and_solutions_are_consistent(tmp_path: Path) -> None:
    assert problems(exercises_folder(tmp_path)) == []


def test_a_stub_that_scores_points_is_reported(tmp_path: Path) -> None:
    exercises_folder(tmp_path)
    shutil.copy(ROOT / "solutions" / "exercise1.py", tmp_path / "exercises" / "exercise1.py")
    found = problems(tmp_path / "exercises")
    assert found == ["exercise1: the stub scores 10; a stub must score 0, so make it raise "
                     "NotImplementedError."]


def test_an_unlisted_exercise_file_is_reported(tmp_path: Path) -> None:
    write_stubs(tmp_path / "exercises")
    (tmp_path / "exercises" / "exercise9.py").write_text("")
    assert any("exercise9.py" in p and "exercises.toml" in p for p in problems(tmp_path / "exercises"))


def test_a_check_whose_draws_could_depend_on_the_learner_is_found(tmp_path: Path) -> None:
    checks = tmp_path / "checks.py"
    checks.write_text("from hypothesis import assume, given, strategies as st\n\n"
                      "@given(st.data())\ndef test_x(submission, data):\n"
                      "    got = submission.f(1.0)\n    assume(got > 0)\n"
                      "    data.draw(st.floats())\n")
    assert output_dependent_draws(checks) == [(3, "data"), (6, "assume")]
