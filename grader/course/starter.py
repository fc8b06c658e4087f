"""The starter notebook, `exercises/l1lab.ipynb`, written from the catalog and the stubs.

It is generated, never edited by hand, so it cannot drift from the `.py` stubs: for each
exercise a markdown section (the title, the lesson section to read, and the stub's own
statement of the task), the stub's code in one cell, and a `check("exerciseN")` cell. The
check cells and the setup cell are tagged `skip-grading`: they are not part of an answer.
`grade notebook` writes it; `grade dev-check` and the tests say when it is out of date.

The JSON is written as nbformat writes it (sorted keys, one-space indent), with fixed
cell ids, so the same catalog and stubs always give the same bytes.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from grader import catalog
from grader.candidates import NOTEBOOK
from grader.notebook import SKIP_TAG
from grader.program import still_stub

INTRO = """\
# L1 Lab: L1 regularization (Lasso)

Each exercise below has a cell with a function to write. Replace its
`raise NotImplementedError(...)` with your code, run the cell, then run the check cell under
it: `check("exercise1")` grades the code you have run, exactly as `grade exercise1` grades a
file, and shows each check with a mark, the smallest input your code gets wrong, and a hint.

Run the next cell once first. Cells tagged `skip-grading` are left out when this notebook is
graded; tag your own scratch cells (plots, experiments) the same way, or keep them quick."""

OUTRO = """\
## Handing in

This notebook is your answer: all your functions in one place. In a terminal,
`grade all --submission l1lab.ipynb` grades it as your instructor will (you need
`pip install 'l1lab[notebook]'` for that; `check()` above does not). Then take the lesson's
quiz with `quiz`."""


def starter_notebook(stubs: Path) -> str:
    """The starter notebook's JSON text, from the catalog and the stubs in `stubs`."""
    cells = [_markdown("intro", INTRO), _code("setup", "from grader import check", skip=True)]
    for number, exercise in enumerate(catalog.exercises(), start=1):
        statement, code = _split_stub((stubs / exercise.file).read_text(encoding="utf-8"))
        heading = f"## Exercise {number}: {exercise.title}\n\n"
        heading += f"Lesson section: *{exercise.lesson}*.\n\n{statement}"
        cells += [_markdown(f"{exercise.name}-task", heading),
                  _code(f"{exercise.name}-code", code),
                  _code(f"{exercise.name}-check", f'check("{exercise.name}")', skip=True)]
    cells.append(_markdown("handing-in", OUTRO))
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def notebook_path(stubs: Path) -> Path:
    return stubs / NOTEBOOK


def not_stubs(stubs: Path) -> list[str]:
    """The stub files in `stubs` that hold more than stubs: a notebook made from them would
    hand out that code."""
    return [exercise.file for exercise in catalog.exercises()
            if not still_stub((stubs / exercise.file).read_text(encoding="utf-8"),
                              [f.name for f in exercise.functions])]


def up_to_date(stubs: Path) -> bool:
    """Whether `stubs/l1lab.ipynb` is exactly what the catalog and the stubs give."""
    path = notebook_path(stubs)
    return path.is_file() and path.read_text(encoding="utf-8") == starter_notebook(stubs)


def _split_stub(source: str) -> tuple[str, str]:
    """The stub's module docstring, without its first line (the notebook has a heading) and
    its `grade` line (the notebook has a check cell), and the code after the docstring."""
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree, clean=True) or ""
    lines = [line for line in docstring.splitlines()[1:] if not line.startswith("Check your work")]
    start = tree.body[0].end_lineno + 1 if ast.get_docstring(tree) else 1
    code = "".join(source.splitlines(keepends=True)[start - 1:]).strip() + "\n"
    return "\n".join(lines).strip(), code.rstrip("\n")


def _lines(text: str) -> list[str]:
    """A cell's source as nbformat writes it: a list of lines, each but the last with its newline."""
    return text.splitlines(keepends=True)


def _markdown(cell_id: str, text: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": _lines(text)}


def _code(cell_id: str, text: str, *, skip: bool = False) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": cell_id,
            "metadata": {"tags": [SKIP_TAG]} if skip else {}, "outputs": [],
            "source": _lines(text)}
