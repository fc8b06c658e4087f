"""Python source built from something that is not a `.py` file, and where each line came from.

A notebook (`grader.notebook`) or the code run in a Jupyter kernel (`grader.kernel`) becomes
one `Program`: the source the worker runs like any submission file, plus `Span`s that map
its lines back to the cells the learner wrote, so that feedback says "cell 5, line 3", not
"line 41 of a file you have never seen".
"""

from __future__ import annotations

import ast
import re
from dataclasses import asdict, dataclass
from pathlib import Path

MAX_SHOWN = 60
"""Characters of a cell's first line shown in a message."""
LINE_BREAK = re.compile(r"\r\n|\r|\n")
"""What ends a line for Python: not the other characters str.splitlines() splits at (a form
feed, U+2028...), which may sit inside a string literal of a learner's cell."""


def lines_of(text: str) -> list[str]:
    """`text`'s lines as Python numbers them, without their line ends."""
    parts = LINE_BREAK.split(text)
    return parts[:-1] if parts[-1] == "" else parts


@dataclass(frozen=True)
class Span:
    """Some consecutive lines of a `Program` that came from one cell."""

    start: int
    """The program's line number of the span's first line (1-based)."""
    length: int
    place: str
    """How the learner finds that cell: "cell 5" (of a notebook file) or "In [5]"."""
    first_line: str
    """The cell's first non-blank line, so the learner recognises it."""
    offset: int = 1
    """The line number, within its cell, of the span's first line."""


@dataclass(frozen=True)
class Program:
    """Source to grade, with the cells its lines came from."""

    name: str
    """What messages call it: "l1lab.ipynb", or "Your notebook" for a kernel's code."""
    source: str
    spans: tuple[Span, ...]
    kernel: bool = False
    """Collected from a running kernel by `check()` (not read from a file)."""

    def locate(self, line: int) -> tuple[Span, int] | None:
        """The span holding the program's `line` and the line number within its cell."""
        for span in self.spans:
            if span.start <= line < span.start + span.length:
                return span, span.offset + line - span.start
        return None

    def placed(self, error: dict) -> dict:
        """A worker's error (see `grader.failures.describe_exception`) with its line put
        back in the learner's cell; the line is dropped if it is in none of them."""
        where = error.get("where")
        if not where:
            return error
        found = self.locate(where["line"])
        if found is None:
            return {**error, "where": None}
        span, line = found
        return {**error, "where": {**where, "place": f"{span.place}, line {line}"},
                "in_cell": {**where, "place": f"line {line}"}, "cell": span.place,
                "first_line": span.first_line}

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Program:
        spans = tuple(Span(**span) for span in data["spans"])
        return cls(name=data["name"], source=data["source"], spans=spans,
                   kernel=bool(data.get("kernel")))

    def write(self, path: Path) -> Path:
        """Write the source for the worker; a lone surrogate (JSON allows one) becomes "?"."""
        path.write_bytes(self.source.encode("utf-8", errors="replace"))
        return path


def first_line(source: str) -> str:
    """The first non-blank line of `source`, shortened for a message."""
    line = next((text.strip() for text in lines_of(source) if text.strip()), "")
    return line if len(line) <= MAX_SHOWN else line[:MAX_SHOWN - 1] + "…"


def load_failure(program: Program, error: dict, described: str) -> str:
    """The learner's sentence for a program whose top-level code raised while it was run."""
    if error.get("cell"):
        cell = f'{error["cell"]} (which starts "{error["first_line"]}")'
        if program.kernel:
            return (f"{program.name} could not be run: the cell {cell} raised {described}. "
                    "Fix that cell, run it, then check again.")
        return (f"{program.name} could not be run: {cell} raised {described}. Fix that cell, "
                "or tag it skip-grading if it is not part of your answer; then grade again.")
    return f"{program.name} could not be run: {described}. Fix it, then grade again."


def top_level(program: Program | None) -> str:
    """Where the code that runs as a submission loads is, in the learner's words."""
    if program is None:
        return "at the top level of the file"
    if program.kernel:
        return "at the top level of a cell"
    return ("at the top level of a cell (tag a cell skip-grading if it is not part of your "
            "answer)")


def still_stub(source: str, functions: list[str]) -> bool:
    """Whether `source` has not started these functions: none is defined, or each one defined
    only raises NotImplementedError. Source that does not parse counts as started: grading
    it shows the learner their syntax error."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    wanted = set(functions)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in wanted:
            if not _raises_not_implemented(node.body):
                return False
        elif isinstance(node, (ast.Name, ast.alias)) and _bound_name(node) in wanted:
            return False
    return True


def _bound_name(node: ast.Name | ast.alias) -> str | None:
    """The name an assignment target or an import binds (None for a Name that is only read)."""
    if isinstance(node, ast.alias):
        return node.asname or node.name.split(".")[0]
    return node.id if isinstance(node.ctx, ast.Store) else None


def _raises_not_implemented(body: list[ast.stmt]) -> bool:
    statements = body[1:] if body and _is_docstring(body[0]) else body
    if len(statements) != 1 or not isinstance(statements[0], ast.Raise):
        return False
    raised = statements[0].exc
    if isinstance(raised, ast.Call):
        raised = raised.func
    return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"


def _is_docstring(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))
