"""Stubs made from the reference solutions: every catalog function raises NotImplementedError.

A learner's `exercises/` may be solved or half-done; what needs a stub that scores 0 (the
project's tests, the instructor's checks) makes one here instead of reading that folder.
"""

from __future__ import annotations

import ast
from pathlib import Path

from grader import catalog, paths


def stub_source(name: str) -> str:
    exercise = catalog.find(name)
    solutions = paths.solutions()
    if solutions is None:
        raise FileNotFoundError("stubs are made from solutions/, which a student copy does not have")
    tree = ast.parse((solutions / exercise.file).read_text(encoding="utf-8"))
    wanted = {f.name for f in exercise.functions}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in wanted:
            node.body = [ast.Raise(exc=ast.Name("NotImplementedError", ast.Load()))]
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def write_stubs(folder: Path) -> Path:
    """A fresh `exercises/`-like folder in `folder` holding every stub; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for exercise in catalog.exercises():
        (folder / exercise.file).write_text(stub_source(exercise.name), encoding="utf-8")
    return folder
