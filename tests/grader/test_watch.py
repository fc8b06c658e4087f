"""`grade watch` in a real pseudo-terminal: a save regrades, a pass offers the next exercise."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pexpect
import pytest

from grader.course.stubs import write_stubs

ROOT = Path(__file__).parents[2]
GRADE = str(Path(sys.executable).with_name("grade"))
FOOTER = "Press q to quit."


@pytest.fixture
def watching(tmp_path: Path):
    write_stubs(tmp_path / "exercises")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    child = pexpect.spawn(GRADE, ["watch"], cwd=tmp_path, env=env, encoding="utf-8",
                          timeout=120, dimensions=(40, 120))
    child.expect("Total: 0/55")
    child.expect(FOOTER)
    yield tmp_path / "exercises", child
    child.terminate(force=True)


def save_by_rename(path: Path, source: Path) -> None:
    """Save as vim and VS Code do: write another file, then rename it over the old one."""
    temporary = path.with_name(".exercise.swp")
    shutil.copy(source, temporary)
    os.replace(temporary, path)


def test_a_wrong_save_fails_a_fixed_one_passes_and_q_quits(watching) -> None:
    folder, child = watching
    save_by_rename(folder / "exercise1.py", ROOT / "tests" / "fixtures" / "exercise1" / "wrong_abs.py")
    child.expect(r"Score: 3/10")
    child.expect("Stuck\\? Run: grade hint exercise1")
    child.expect(FOOTER)
    (folder / "exercise1.py").write_text((ROOT / "solutions" / "exercise1.py").read_text())
    child.expect("Score: 10/10")
    child.expect("Next: exercise2 \\(One L1 step that clamps at zero\\). Open exercise2.py")
    child.expect(FOOTER)
    child.send("q")
    child.expect("Stopped watching.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")


def test_a_notebook_save_grades_what_it_changed(tmp_path: Path, course_stubs: Path) -> None:
    """Worked in the starter notebook beside the stubs: a saved code cell grades the exercise
    it holds (not the ones still only stubs), and a save of new outputs grades nothing."""
    import nbformat

    folder = tmp_path / "exercises"
    shutil.copytree(course_stubs, folder)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    child = pexpect.spawn(GRADE, ["watch"], cwd=tmp_path, env=env, encoding="utf-8",
                          timeout=120, dimensions=(40, 120))
    try:
        child.expect("Total: 0/55")
        child.expect(FOOTER)
        book = nbformat.read(folder / "l1lab.ipynb", as_version=4)
        book.cells.append(nbformat.v4.new_code_cell(
            (ROOT / "solutions" / "exercise2.py").read_text()))
        nbformat.write(book, folder / ".l1lab.ipynb.tmp")
        os.replace(folder / ".l1lab.ipynb.tmp", folder / "l1lab.ipynb")
        child.expect(FOOTER)
        graded = child.before
        for cell in book.cells:  # Jupyter's autosave: outputs change, code does not
            if cell.cell_type == "code":
                cell.outputs = [nbformat.v4.new_output("stream", text="ran\n")]
        nbformat.write(book, folder / "l1lab.ipynb")
        (folder / "exercise1.py").write_text((ROOT / "solutions" / "exercise1.py").read_text())
        child.expect(FOOTER)  # exercise1, graded after the outputs' save was seen
        also = child.before
    finally:
        child.terminate(force=True)
    assert re.search(r"exercise2: .*Score: 12/12", graded, re.S), graded
    assert ("Next: exercise3 (The Elastic Net loss). Its section in l1lab.ipynb is next; "
            "saving the notebook grades it.") in graded
    assert "exercise1:" not in graded and "exercise3:" not in graded
    assert re.search(r"exercise1: .*Score: 10/10", also, re.S) and "exercise2:" not in also


def test_ctrl_c_leaves_cleanly(watching) -> None:
    _, child = watching
    child.sendintr()
    child.expect("Stopped watching.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
