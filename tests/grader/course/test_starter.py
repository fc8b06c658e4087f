"""The starter notebook: generated from the catalog and the stubs, shipped, and usable as is."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import catalog
from grader.cli import main
from grader.course import release
from grader.course.starter import starter_notebook, up_to_date

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).parents[3]
STUB_NAMES = [e.file for e in catalog.exercises()] + ["l1lab.ipynb"]


def committed(name: str) -> str:
    """exercises/NAME as committed (tests pass whatever state exercises/ is in), or as it is
    on disk outside a git checkout."""
    done = subprocess.run(["git", "show", f"HEAD:exercises/{name}"], cwd=ROOT,
                          capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else (ROOT / "exercises" / name).read_text("utf-8")


@pytest.fixture
def stubs(tmp_path: Path) -> Path:
    folder = tmp_path / "exercises"
    folder.mkdir()
    for name in STUB_NAMES:
        (folder / name).write_text(committed(name), encoding="utf-8")
    return folder


def test_the_committed_notebook_is_the_one_the_catalog_and_stubs_give(stubs: Path) -> None:
    assert (stubs / "l1lab.ipynb").read_text(encoding="utf-8") == starter_notebook(stubs), \
        "exercises/l1lab.ipynb is out of date: run grade notebook"


def test_it_is_a_valid_notebook_as_nbformat_writes_it(stubs: Path) -> None:
    text = starter_notebook(stubs)
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    assert nbformat.writes(notebook) + "\n" == text
    kinds = [(c.cell_type, c.metadata.get("tags", [])) for c in notebook.cells]
    per_exercise = [("markdown", []), ("code", []), ("code", ["skip-grading"])]
    assert kinds == [("markdown", []), ("code", ["skip-grading"]),
                     *per_exercise * len(catalog.exercises()), ("markdown", [])]
    sources = [c.source for c in notebook.cells]
    for exercise in catalog.exercises():
        assert f'check("{exercise.name}")' in sources
        assert any(f"Lesson section: *{exercise.lesson}*" in s for s in sources)


def test_grade_notebook_writes_it_and_refuses_solved_stubs(stubs: Path, monkeypatch) -> None:
    monkeypatch.chdir(stubs.parent)
    (stubs / "l1lab.ipynb").unlink()
    result = CliRunner().invoke(main, ["notebook"])
    assert result.exit_code == 0, result.output
    assert up_to_date(stubs)
    shutil.copy(ROOT / "solutions" / "exercise3.py", stubs / "exercise3.py")
    assert not up_to_date(stubs)
    result = CliRunner().invoke(main, ["notebook"])
    assert result.exit_code == 2
    assert "exercise3.py in" in result.output and "holds more than a stub" in result.output


def test_release_refuses_an_out_of_date_notebook(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(release, "up_to_date", lambda stubs: False)
    result = CliRunner().invoke(main, ["release", str(tmp_path / "student")])
    assert result.exit_code == 2
    assert "run grade notebook" in result.output and not (tmp_path / "student").exists()


def solved(stubs: Path) -> dict:
    """The starter notebook with each stub cell replaced by the reference solution."""
    notebook = json.loads(starter_notebook(stubs))
    for cell in notebook["cells"]:
        name = cell["id"].removesuffix("-code")
        if name in catalog.names():
            cell["source"] = (ROOT / "solutions" / f"{name}.py").read_text(encoding="utf-8")
    return notebook


def test_the_solved_starter_notebook_passes_in_a_kernel_and_in_grade_all(stubs: Path,
                                                                        tmp_path: Path) -> None:
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.reads(json.dumps(solved(stubs)), as_version=4)
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    checked = [c for c in notebook.cells if c.source.startswith("check(")]
    assert len(checked) == len(catalog.exercises())
    for cell in checked:
        html = cell.outputs[0]["data"]["text/html"]
        assert "All checks pass" in html, html
    path = tmp_path / "l1lab.ipynb"
    nbformat.write(notebook, path)  # with the outputs: graded all the same
    done = subprocess.run([sys.executable, "-m", "grader", "all", "--submission", str(path),
                           "--format", "json"], capture_output=True, text=True, timeout=600)
    report = json.loads(done.stdout)
    assert [(e["name"], e["score"] == e["max_score"]) for e in report["exercises"]] == \
        [(name, True) for name in catalog.names()] + [("quiz", False)]
