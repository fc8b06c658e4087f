"""`grade batch` on a class that handed in notebooks gives the CSV of the same code in `.py` files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
NAMES = [f"exercise{n}" for n in (1, 2, 3, 4)]


def solution(name: str) -> str:
    return (ROOT / "solutions" / f"{name}.py").read_text(encoding="utf-8")


def stub(course_stubs: Path, name: str) -> str:
    """The released stub (made from solutions/: exercises/ may hold a learner's work)."""
    return (course_stubs / f"{name}.py").read_text(encoding="utf-8")


WRONG2 = (ROOT / "tests" / "fixtures" / "exercise2" / "wrong_old_sign.py").read_text(encoding="utf-8")


def notebook(*sources: str) -> str:
    """A learner's notebook: the code cells, with what notebooks also hold around them."""
    cells = [new_markdown_cell("# My work"), new_code_cell("%matplotlib inline\n!echo start")]
    cells += [new_code_cell(source) for source in sources]
    cells.append(new_code_cell("plt.plot([1, 2])", metadata={"tags": ["skip-grading"]}))
    return nbformat.writes(new_notebook(cells=cells))


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def build(course_stubs: Path, root: Path, *, notebooks: bool) -> None:
    """Four students, each handing in the same code as .py files or as notebooks."""
    stubs = {f"{n}.py": stub(course_stubs, n) for n in NAMES}
    starter = (course_stubs / "l1lab.ipynb").read_text(encoding="utf-8")
    if notebooks:
        classes = {
            "amy_one_notebook": {"l1lab.ipynb": notebook(*map(solution, NAMES)), "quiz.txt": "B,C,D"},
            "ben_one_per_exercise": {**stubs, "exercise1.ipynb": notebook(solution("exercise1")),
                                     "exercise2.ipynb": notebook(WRONG2)},
            "cat_in_exercises": {**{f"exercises/{k}": v for k, v in stubs.items()},
                                 "exercises/l1lab.ipynb": notebook(solution("exercise3"))},
            "dan_untouched": {**stubs, "l1lab.ipynb": starter},
        }
    else:
        classes = {
            "amy_one_notebook": {**{f"{n}.py": solution(n) for n in NAMES}, "quiz.txt": "B,C,D"},
            "ben_one_per_exercise": {**stubs, "exercise1.py": solution("exercise1"),
                                     "exercise2.py": WRONG2},
            "cat_in_exercises": {**{f"exercises/{k}": v for k, v in stubs.items()},
                                 "exercises/exercise3.py": solution("exercise3")},
            "dan_untouched": stubs,
        }
    for student, files in classes.items():
        write(root / student, files)


def run_batch(folder: Path, out: Path, tmp: Path) -> str:
    tmp.mkdir(exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "grader", "batch", str(folder), "--out", str(out),
                           "--jobs", "2", "--timeout", "300"], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "TMPDIR": str(tmp)}, timeout=1200)
    assert done.returncode == 0, done.stderr
    return out.read_text(encoding="utf-8")


def test_a_class_of_notebooks_gives_the_csv_of_the_same_code_in_py_files(
        course_stubs: Path, tmp_path: Path) -> None:
    build(course_stubs, tmp_path / "py" / "class", notebooks=False)
    build(course_stubs, tmp_path / "nb" / "class", notebooks=True)
    as_files = run_batch(tmp_path / "py" / "class", tmp_path / "py" / "grades.csv", tmp_path / "t1")
    as_notebooks = run_batch(tmp_path / "nb" / "class", tmp_path / "nb" / "grades.csv",
                             tmp_path / "t2")
    assert as_notebooks == as_files
    rows = as_files.splitlines()
    assert len(rows) == 5 and rows[1].startswith("amy_one_notebook,10,12,10,20,")
    assert ",0,0,0,0," in rows[4]  # dan_untouched: the starter notebook is no answer
