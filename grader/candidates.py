"""Which file of a folder is graded for an exercise: its `.py` file or a notebook.

A folder may hold, for `exercise2`, any of `exercise2.py`, `exercise2.ipynb` and the one
notebook for every exercise, `l1lab.ipynb`. Both the `.py` stubs and the starter notebook
ship in `exercises/`, so a learner who works in one leaves the other untouched: the first
of them, in that order, that the learner has started is graded. A file has not been
started for an exercise when it defines none of the exercise's functions, or each of them
still only raises NotImplementedError. If none is started, the first one there is graded
(and reported as not started).

The files are read by `grader.locate` (no link in any component, no FIFO opened, only so
far), once: the bytes looked at here are the bytes graded.
"""

from __future__ import annotations

from pathlib import Path

from grader import notebook
from grader.catalog import Exercise
from grader.program import still_stub

NOTEBOOK = "l1lab.ipynb"
"""The one notebook that may define every exercise's functions."""
MAX_PY_BYTES = 4 * 1024 * 1024
"""As much of a `.py` file as the worker reads."""


def names(exercise: Exercise) -> list[str]:
    """The files that may hold `exercise`, in the order they are preferred."""
    return [exercise.file, Path(exercise.file).with_suffix(".ipynb").name, NOTEBOOK]


def choose(found: list[tuple[str, bytes | None]], exercise: Exercise) -> str:
    """Which of `found` (each file there, in `names` order, with its bytes, or None when it
    could not be read: a link, a folder) to grade for `exercise`."""
    functions = [f.name for f in exercise.functions]
    return next((name for name, raw in found if _started(name, raw, functions)), found[0][0])


def _started(name: str, raw: bytes | None, functions: list[str]) -> bool:
    """Whether the file `name` (its bytes `raw`) has begun these functions; a file that
    cannot be read counts as begun, so that grading it tells the learner what is wrong."""
    if raw is None:
        return True
    if not name.endswith(".ipynb"):
        return not still_stub(raw.decode("utf-8", errors="replace"), functions)
    shown = name.rsplit("/", 1)[-1]
    try:
        cells = notebook.code_cells(raw, shown, plain=not notebook.available())
    except notebook.NotebookError:
        return True
    return not still_stub(notebook.program(cells, shown).source, functions)
