"""`grade` on notebooks: graded as the same code in a `.py` file, and found beside the stubs."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.catalog import find
from grader.cli import main
from grader.locate import locate

nbformat = pytest.importorskip("nbformat")
from nbformat.v4 import new_code_cell, new_notebook  # noqa: E402

ROOT = Path(__file__).parents[2]
NOTEBOOKS = ROOT / "tests" / "fixtures" / "notebooks"


def grade_json(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def notebook_of(*sources: str) -> str:
    return nbformat.writes(new_notebook(cells=[new_code_cell(s) for s in sources]))


@pytest.mark.parametrize("name", ["exercise2_correct", "exercise2_wrong_old_sign"])
def test_a_notebook_with_magics_prints_and_a_plot_grades_as_the_same_py_file(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    as_notebook = grade_json("exercise2", "--submission", str(NOTEBOOKS / f"{name}.ipynb"))
    as_file = grade_json("exercise2", "--submission", str(NOTEBOOKS / f"{name}.py"))
    assert as_notebook == as_file
    code, report = as_notebook
    assert (code == 0) is (name == "exercise2_correct")
    assert list(tmp_path.iterdir()) == []  # the program's private copy is gone


def test_a_cell_that_fails_at_load_is_named_by_number_and_first_line() -> None:
    code, report = grade_json("exercise2", "--submission", str(NOTEBOOKS / "load_error.ipynb"))
    message = report["exercises"][0]["checks"][0]["message"]
    assert message == (
        'load_error.ipynb could not be run: cell 3 (which starts "weights = np.zeros(3)") '
        "raised IndexError: index 5 is out of bounds for axis 0 with size 3 (line 2: "
        "print(weights[5])). Fix that cell, or tag it skip-grading if it is not part of your "
        "answer; then grade again.")


def test_an_exception_in_a_call_is_placed_in_its_cell() -> None:
    code, report = grade_json("exercise2", "--submission", str(NOTEBOOKS / "raises_in_call.ipynb"))
    messages = [c["message"] for c in report["exercises"][0]["checks"]]
    assert any("it raised ValueError: v is zero somewhere (cell 2, line 4: raise "
               "ValueError('v is zero somewhere'))" in m for m in messages), messages


def test_one_notebook_for_every_exercise_beside_the_stubs(
        course_stubs: Path, tmp_path: Path) -> None:
    """The course folder as released: the .py stubs and l1lab.ipynb, worked in the notebook."""
    folder = tmp_path / "exercises"
    shutil.copytree(course_stubs, folder)
    sources = [(ROOT / "solutions" / f"exercise{n}.py").read_text() for n in (1, 2)]
    (folder / "l1lab.ipynb").write_text(notebook_of("%matplotlib inline", *sources))
    solved = tmp_path / "solved"
    solved.mkdir()
    for n in (1, 2):
        shutil.copy(ROOT / "solutions" / f"exercise{n}.py", solved)
    for exercise in ("exercise1", "exercise2"):
        assert grade_json(exercise, "--submission", str(tmp_path)) == \
            grade_json(exercise, "--submission", str(solved))
    code, report = grade_json("exercise3", "--submission", str(tmp_path))
    assert report["exercises"][0]["status"] == "not started"


def pick(folder: Path, exercise: str) -> str:
    return locate([find(exercise)], folder, folder).names[exercise]


def test_the_first_file_begun_is_graded(course_stubs: Path, tmp_path: Path) -> None:
    stub = (course_stubs / "exercise2.py").read_text()
    solution = (ROOT / "solutions" / "exercise2.py").read_text()
    assert pick(tmp_path, "exercise2") == "exercise2.py"  # nothing there: not started
    (tmp_path / "l1lab.ipynb").write_text(notebook_of(stub))
    assert pick(tmp_path, "exercise2") == "l1lab.ipynb"  # the only file
    (tmp_path / "exercise2.py").write_text(stub)
    assert pick(tmp_path, "exercise2") == "exercise2.py"  # all stubs: the .py
    (tmp_path / "l1lab.ipynb").write_text(notebook_of("%time 1", solution))
    assert pick(tmp_path, "exercise2") == "l1lab.ipynb"  # begun in the notebook only
    (tmp_path / "exercise2.ipynb").write_text(notebook_of(solution))
    assert pick(tmp_path, "exercise2") == "exercise2.ipynb"
    (tmp_path / "exercise2.py").write_text(solution.replace("np.maximum", "np.minimum"))
    assert pick(tmp_path, "exercise2") == "exercise2.py"  # begun, even if wrong: first wins


def test_a_broken_notebook_counts_as_begun_so_the_learner_sees_why(
        course_stubs: Path, tmp_path: Path) -> None:
    (tmp_path / "exercise2.py").write_text((course_stubs / "exercise2.py").read_text())
    (tmp_path / "l1lab.ipynb").write_text("{ not json")
    assert pick(tmp_path, "exercise2") == "l1lab.ipynb"


def test_a_fifo_or_a_link_is_never_opened_to_choose(course_stubs: Path, tmp_path: Path) -> None:
    (tmp_path / "exercise2.py").write_text((course_stubs / "exercise2.py").read_text())
    os.mkfifo(tmp_path / "exercise2.ipynb")
    (tmp_path / "l1lab.ipynb").symlink_to(course_stubs / "l1lab.ipynb")
    chosen: list[str] = []
    worker = threading.Thread(target=lambda: chosen.append(pick(tmp_path, "exercise2")),
                              daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert chosen == ["l1lab.ipynb"]  # the FIFO is no file; the link is not read, so begun


def test_without_nbformat_a_notebook_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nbformat", None)
    result = CliRunner().invoke(main, ["exercise2", "--submission",
                                       str(NOTEBOOKS / "exercise2_correct.ipynb")])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: exercise2_correct.ipynb is a notebook, and reading notebooks needs nbformat: "
        "run pip install 'l1lab[notebook]'")


def test_without_nbformat_the_untouched_starter_beside_the_stubs_is_no_problem(
        course_stubs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The base install in a released course folder: the .py stubs are graded, as before."""
    shutil.copytree(course_stubs, tmp_path / "exercises")
    monkeypatch.setitem(sys.modules, "nbformat", None)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["exercise1"])
    assert result.exit_code == 1
    assert "sign_gradient still raises NotImplementedError" in result.output


def test_another_kind_of_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "exercise2.txt"
    path.write_text("x = 1\n")
    result = CliRunner().invoke(main, ["exercise2", "--submission", str(path)])
    assert result.exit_code == 2 and "not a Python file or a notebook" in result.output


SECRET = "l1lab-secret-5e1b"


def secret_notebook(folder: Path) -> Path:
    """A solved notebook elsewhere, carrying SECRET: a link to it must grade as nothing."""
    folder.mkdir(parents=True, exist_ok=True)
    solution = (ROOT / "solutions" / "exercise2.py").read_text()
    (folder / "l1lab.ipynb").write_text(notebook_of(f"# {SECRET}\n{solution}"))
    return folder / "l1lab.ipynb"


def test_a_notebook_that_is_a_link_is_chosen_named_and_never_read(
        course_stubs: Path, tmp_path: Path) -> None:
    """Beside the untouched stub, a linked notebook counts as begun, so the learner is told."""
    elsewhere = secret_notebook(tmp_path / "elsewhere")
    student = tmp_path / "student"
    student.mkdir()
    (student / "exercise2.py").write_text((course_stubs / "exercise2.py").read_text())
    (student / "l1lab.ipynb").symlink_to(elsewhere)
    assert pick(student, "exercise2") == "l1lab.ipynb"
    result = CliRunner().invoke(main, ["exercise2", "--submission", str(student),
                                       "--format", "json"])
    report = json.loads(result.stdout)
    assert report["score"] == 0 and SECRET not in result.output
    assert "l1lab.ipynb is a link; submit the file itself" in result.output


def test_a_notebook_in_a_linked_exercises_folder_is_refused_by_the_folder_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = secret_notebook(tmp_path / "classmate" / "exercises")
    course = tmp_path / "course"
    course.mkdir()
    (course / "exercises").symlink_to(elsewhere.parent)
    monkeypatch.chdir(course)
    result = CliRunner().invoke(main, ["exercise2", "--format", "json"])
    report = json.loads(result.stdout)
    assert report["score"] == 0 and SECRET not in result.output
    assert "exercises is a link; submit the folder itself" in result.output


def test_progress_follows_the_notebook_graded(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A pass in l1lab.ipynb beside the stubs names the next exercise, and an edit of the
    notebook forgets that pass (the record is of the files that may be graded)."""
    from grader import progress
    from grader.course.stubs import write_stubs

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    write_stubs(tmp_path / "exercises")
    solution = (ROOT / "solutions" / "exercise1.py").read_text()
    (tmp_path / "exercises" / "l1lab.ipynb").write_text(notebook_of(solution))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["1"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-1] == (
        "Next: exercise2 (One L1 step that clamps at zero). Run: grade exercise2")
    folder, exercise = tmp_path / "exercises", find("exercise1")
    assert progress.last(folder, exercise)["status"] == "passed"
    (folder / "l1lab.ipynb").write_text(notebook_of(solution.replace("np.sign", "np.abs")))
    assert progress.last(folder, exercise) is None
