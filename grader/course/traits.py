"""What the class report needs from a student's files, taken while the batch holds them.

Two things, both stored in the student's record (`batch.traits`) so the report is computed
from the records alone:

- a hash of each exercise file's AST normal form: the code with comments, blank lines,
  docstrings and other bare constants gone and every name bound inside a function
  (parameters and local variables) renamed in order of first use, so two files that differ
  only in those hash alike. The file is only parsed (`ast.parse`), never compiled or run;
  a file that does not parse, or is too big or too deep to parse, gets no hash.
- the quiz letters from `quiz.txt`, read as the quiz grading reads them.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass

from grader import catalog
from grader.course.snapshot import Snapshot
from grader.quiz_item import ANSWERS_FILE

MAX_SOURCE_BYTES = 256 * 1024
"""Files above this are not normalised: a solution is a few KiB, and parsing is not free."""


@dataclass(frozen=True)
class NormalForm:
    hash: str
    """SHA-256 of the normal form's `ast.dump`."""
    nodes: int
    """How many AST nodes it has: a two-node match is a coincidence, a 200-node one is not."""


def snapshot_traits(snapshot: Snapshot) -> dict:
    """`{"normal_forms": {exercise: {"hash", "nodes"}}, "quiz_answers": [letters] | None}`."""
    files = dict(snapshot.files)
    prefix = _graded_prefix(files)
    forms = {}
    for exercise in catalog.exercises():
        data = files.get(prefix + exercise.file)
        form = normal_form(data) if data is not None else None
        if form is not None:
            forms[exercise.name] = {"hash": form.hash, "nodes": form.nodes}
    return {"normal_forms": forms, "quiz_answers": quiz_answers(files.get(prefix + ANSWERS_FILE))}


def quiz_answers(data: bytes | None) -> list[str] | None:
    """The letters in a `quiz.txt`, upper case; None when there is none or it cannot be read."""
    from quiz.grading import parse_answers

    if data is None:
        return None
    try:
        return parse_answers(data.decode("utf-8", errors="replace"))
    except ValueError:
        return None


def normal_form(source: bytes) -> NormalForm | None:
    """The normal form of `source`, or None when it cannot be parsed (within limits)."""
    if len(source) > MAX_SOURCE_BYTES:
        return None
    try:
        tree = _Canonical().visit(ast.parse(source))
        dump = ast.dump(tree, annotate_fields=False, include_attributes=False)
        nodes = sum(1 for _ in ast.walk(tree))
    except (SyntaxError, ValueError, RecursionError, MemoryError, UnicodeError):
        return None
    return NormalForm(hashlib.sha256(dump.encode("utf-8", "surrogatepass")).hexdigest(), nodes)


def _graded_prefix(files: dict[str, bytes]) -> str:
    """Where `grade all` reads the files: the folder itself, or its `exercises/` when the
    folder holds no exercise file (as `grader.locate.locate` decides)."""
    top = any(e.file in files for e in catalog.exercises())
    return "exercises/" if not top and any(n.startswith("exercises/") for n in files) else ""


class _Canonical(ast.NodeTransformer):
    """Drop bare constants (docstrings) and rename the names bound inside functions."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def visit_Module(self, node: ast.Module) -> ast.AST:
        self.names = {name: f"_{i}" for i, name in enumerate(_bound_in_functions(node))}
        return self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> ast.AST:
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                kept = [s for s in body if not _bare_constant(s)]
                setattr(node, field, kept or [ast.Pass()])
        return super().generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        node.id = self.names.get(node.id, node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.arg = self.names.get(node.arg, node.arg)
        node.annotation = None
        return node


def _bound_in_functions(tree: ast.Module) -> list[str]:
    """Parameter and variable names bound inside any function, in order of first binding."""
    found: dict[str, None] = {}
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.arg):
                found.setdefault(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                found.setdefault(node.id)
    return list(found)


def _bare_constant(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
