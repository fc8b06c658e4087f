"""The instructor's self-check: the catalog, stubs, solutions and checks agree.

Each problem says how to fix it. Run by `grade dev-check` and by the project's tests.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from grader import catalog, paths
from grader.candidates import NOTEBOOK
from grader.course.starter import up_to_date
from grader.grading import grade

SOLUTIONS = paths.solutions()


OUTPUT_DEPENDENT = {"assume", "target", "reject", "data"}
"""Hypothesis calls with which a check's draws could depend on what the learner returned."""


def output_dependent_draws(source: Path) -> list[tuple[int, str]]:
    """(line, name) of each call in `source` to one of OUTPUT_DEPENDENT."""
    found = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in OUTPUT_DEPENDENT:
                found.append((node.lineno, name))
    return sorted(found)


def problems(stubs: Path) -> list[str]:
    """Everything wrong with the exercises, as sentences that say how to fix it."""
    found: list[str] = []
    exercises = list(catalog.exercises())
    for exercise in exercises:
        for folder, what in ((stubs, "stub"), (SOLUTIONS, "solution")):
            if not (folder / exercise.file).is_file():
                found.append(f"{exercise.name}: no {what} at {folder / exercise.file}; add it.")
        if not exercise.hints or not all(h.strip() for h in exercise.hints):
            found.append(f"{exercise.name}: give it at least one non-empty hint in exercises.toml.")
        try:
            module = importlib.import_module(exercise.checks_module)
        except ImportError as error:
            found.append(f"{exercise.name}: cannot import {exercise.checks_module} ({error}); add it.")
            continue
        specs = [f.check_spec for f in vars(module).values() if hasattr(f, "check_spec")]
        total = sum(spec.points for spec in specs)
        if total != exercise.points:
            found.append(f"{exercise.name}: its checks add up to {total} points but exercises.toml "
                         f"says {exercise.points}; make them agree.")
        for spec in specs:
            if not spec.idea.strip() or not spec.hint.strip():
                found.append(f"{exercise.name}: check {spec.name} needs an idea and a hint.")
        for line, name in output_dependent_draws(Path(module.__file__)):
            found.append(f"{exercise.name}: line {line} calls {name}(), which can make what a "
                         "check draws depend on the learner's output; `grade batch` replays the "
                         "reference's inputs and needs them not to. Draw with strategies only.")
    listed = {e.file for e in exercises}
    for path in sorted(stubs.glob("*.py")):
        if path.name not in listed and path.name != "__init__.py":
            found.append(f"{path.name} is in {stubs} but not in exercises.toml; add an entry or remove it.")
    if found:
        return found
    for label, folder, want_full in (("stub", stubs, False), ("solution", SOLUTIONS, True)):
        report = grade(exercises, {e.name: folder / e.file for e in exercises})
        for result in report.exercises:
            if want_full and result.score != result.max_score:
                failing = [c.title for c in result.checks if c.status.value != "passed"]
                found.append(f"{result.name}: the solution scores {result.score}/{result.max_score}; "
                             f"fix it or the checks ({'; '.join(failing)}).")
            if not want_full and result.score != 0:
                found.append(f"{result.name}: the stub scores {result.score}; a stub must score 0, "
                             "so make it raise NotImplementedError.")
    if not found and not up_to_date(stubs):  # made from the stubs: only once they are right
        found.append(f"{stubs / NOTEBOOK} is not the notebook the catalog and the stubs give; "
                     "run grade notebook to write it again.")
    return found
