"""Which file of a folder is graded for an exercise: its `.py` file or a notebook.

A folder may hold, for `exercise2`, any of `exercise2.py`, `exercise2.ipynb` and the one
notebook for every exercise, `l1lab.ipynb`. Both the `.py` stubs and the starter notebook
ship in `exercises/`, so a learner who works in one leaves the other untouched: the first
of them, in that order, that the learner has started is graded. A file has not been
started for an exercise when it defines none of the exercise's functions, or each of them
still only raises NotImplementedError. If none is started, the first one there is graded
(and reported as not started).

The files are looked at in the grader's process as hostile input: read only when they
are regular files (no link is followed, no FIFO opened), and only so far.
"""

from __future__ import annotations

import os
import stat
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


def present(folder: Path, exercise: Exercise) -> bool:
    return any((folder / name).is_file() for name in names(exercise))


def choose(folder: Path, exercise: Exercise) -> Path:
    """The file in `folder` to grade for `exercise` (which may not exist yet)."""
    there = [folder / name for name in names(exercise) if (folder / name).is_file()]
    if len(there) <= 1:
        return there[0] if there else folder / exercise.file
    functions = [f.name for f in exercise.functions]
    return next((path for path in there if _started(path, functions)), there[0])


def _started(path: Path, functions: list[str]) -> bool:
    """Whether `path` has begun these functions; a file that cannot be read counts as
    begun, so that grading it tells the learner what is wrong with it."""
    is_notebook = path.suffix == ".ipynb"
    raw = _read_regular(path, notebook.MAX_NOTEBOOK_BYTES if is_notebook else MAX_PY_BYTES)
    if raw is None:
        return True
    if not is_notebook:
        return not still_stub(raw.decode("utf-8", errors="replace"), functions)
    try:
        cells = notebook.code_cells(raw, path.name, plain=not notebook.available())
    except notebook.NotebookError:
        return True
    return not still_stub(notebook.program(cells, path.name).source, functions)


def _read_regular(path: Path, limit: int) -> bytes | None:
    """Up to `limit` bytes of `path` if it is a regular file reached without a symlink at its end."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        with os.fdopen(os.dup(handle), "rb") as stream:
            return stream.read(limit)
    finally:
        os.close(handle)
