"""Read a Jupyter notebook as a submission: its code cells, in order, as one `Program`.

The notebook is a student's file, so it is read as hostile input: bounded in size, parsed
with nbformat, and walked without trusting any field to have the type the format promises.
Whatever is wrong with it becomes one `NotebookError` sentence for the learner.

What is graded: the code cells in order, without the cells tagged `skip-grading`, without
a cell whose first line is a cell magic (`%%time`, `%%bash`...), and with IPython's own
lines (`%matplotlib inline`, `!pip install ...`, `x = !ls`, `np.sign?`) replaced by `pass`
so that line numbers stay those of the cell. A cell that is valid Python as it is is left
exactly as it is, so `a = (b\\n% c)` keeps its modulo. The program starts with one line that
makes `from grader import check; check(...)` and `display(...)` do nothing: the grader
grades the notebook itself, and the worker never imports the grader.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import warnings
from pathlib import Path

from grader.program import Program, Span, first_line, lines_of

MAX_NOTEBOOK_BYTES = 16 * 1024 * 1024
SKIP_TAG = "skip-grading"
PRELUDE = ("import sys as _l1lab_sys, types as _l1lab_types; "
           "_l1lab_sys.modules['grader'] = _l1lab_grader = _l1lab_types.ModuleType('grader'); "
           "_l1lab_grader.check = display = lambda *args, **kwargs: None; "
           "del _l1lab_sys, _l1lab_types, _l1lab_grader\n")
INSTALL = "pip install 'l1lab[notebook]'"
IPYTHON_LINE = re.compile(r"^\s*(?:[%!?]|[\w.,\s]*=\s*[%!]|[\w.]+\?\??\s*$)")
"""A line that only IPython understands: a magic, a shell escape or a help request."""


class NotebookError(Exception):
    """The notebook cannot be read; the message tells the learner what to do."""


def read(path: Path) -> Program:
    """The notebook at `path` as a `Program`, or a `NotebookError` saying what is wrong."""
    name = path.name
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_NOTEBOOK_BYTES + 1)
    except OSError as error:
        raise NotebookError(f"{name} cannot be read ({error.strerror}).") from None
    return parse(raw, name)


def parse(raw: bytes, name: str) -> Program:
    """The notebook `raw` (its file's bytes) as a `Program`; `name` is what messages call it."""
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB. Clear its "
                            "outputs (in Jupyter: Edit > Clear Outputs of All Cells), save it "
                            "and grade again.")
    return program(code_cells(raw, name), name)


def code_cells(raw: bytes, name: str, *, plain: bool = False) -> list[tuple[int, str]]:
    """(number, source) of each graded code cell; cells are numbered from 1, every kind counted.

    `plain` reads a version 4 notebook with the json module alone, for a first look where
    nbformat may not be installed (`grader.candidates`); grading always uses nbformat."""
    nbformat = None if plain else _nbformat()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotebookError(f"{name} is not a notebook: it is not UTF-8 text. Save it from "
                            "Jupyter and grade again.") from None
    try:
        if nbformat is None:
            notebook = json.loads(text)
            if notebook.get("nbformat") != 4:
                raise ValueError("not a version 4 notebook")
        else:
            with _quiet():
                notebook = nbformat.convert(nbformat.reader.reads(text), 4)
        cells = notebook["cells"] if isinstance(notebook, dict) else None
    except Exception as error:  # noqa: BLE001 - any bytes at all: each is the learner's to fix
        raise NotebookError(f"{name} is not a notebook Jupyter can open ({_reason(error)}). "
                            "Open it in Jupyter, save it, then grade again.") from None
    if not isinstance(cells, list):
        raise NotebookError(f"{name} is not a notebook: it has no list of cells. Open it in "
                            "Jupyter, save it, then grade again.")
    found = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise NotebookError(f"cell {number} of {name} is not a notebook cell. Open the "
                                "notebook in Jupyter, save it, then grade again.")
        source = _text(cell.get("source"))
        if source is None:
            raise NotebookError(f"cell {number} of {name} has no readable source. Open the "
                                "notebook in Jupyter, save it, then grade again.")
        if cell["cell_type"] == "code" and SKIP_TAG not in _tags(cell) and source.strip():
            found.append((number, source))
    return found


def program(cells: list[tuple[int, str]], name: str) -> Program:
    """The program that runs these cells in order, IPython's lines left out."""
    lines, spans = [PRELUDE], []
    for number, source in cells:
        python = python_of(source)
        if python is None:
            continue
        body = lines_of(python)
        spans.append(Span(start=len(lines) + 1, length=len(body), place=f"cell {number}",
                          first_line=first_line(source)))
        lines += [line + "\n" for line in body]
    return Program(name=name, source="".join(lines), spans=tuple(spans))


def python_of(source: str) -> str | None:
    """A cell's source as plain Python: None for a cell magic, IPython's lines as `pass`."""
    if source.lstrip().startswith("%%"):
        return None
    body = lines_of(source)
    if not any(IPYTHON_LINE.search(line) for line in body) or _compiles(source):
        return source
    python = "\n".join(_indent(line) + "pass" if IPYTHON_LINE.search(line) else line
                       for line in body)
    return python + "\n" if source.endswith(("\n", "\r")) else python  # a last blank line kept


def _compiles(source: str) -> bool:
    try:
        compile(source, "<cell>", "exec", dont_inherit=True, flags=0x400)  # PyCF_ONLY_AST
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


def _text(source: object) -> str | None:
    """A cell's source: a string, or a list of strings to join, as the format allows."""
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    return None


def _tags(cell: dict) -> list[str]:
    metadata = cell.get("metadata")
    tags = metadata.get("tags") if isinstance(metadata, dict) else None
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def _reason(error: Exception) -> str:
    if type(error).__name__ == "NotJSONError" or isinstance(error, json.JSONDecodeError):
        return "it is not valid JSON"
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text if len(text) <= 80 else text[:79] + "…"


def available() -> bool:
    """Whether nbformat, which reading a notebook needs, is installed."""
    try:
        _nbformat()
    except NotebookError:
        return False
    return True


def _nbformat():
    try:
        import nbformat
        import nbformat.reader
    except ImportError:
        raise NotebookError(f"Reading notebooks needs nbformat: run {INSTALL}") from None
    return nbformat


@contextlib.contextmanager
def _quiet():
    """nbformat logs and warns about what it reads; the learner gets one sentence instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        previous = logging.root.manager.disable
        logging.disable(logging.CRITICAL)
        try:
            yield
        finally:
            logging.disable(previous)
