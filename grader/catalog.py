"""The exercises, read from `exercises.toml`: the one declarative place that lists them."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOG_FILE = Path(__file__).with_name("exercises.toml")


@dataclass(frozen=True)
class Function:
    """A function the learner writes, with the parameter names feedback uses."""

    name: str
    params: tuple[str, ...]


@dataclass(frozen=True)
class Exercise:
    """One exercise: its stub file, the functions in it, its points and hints."""

    name: str
    title: str
    file: str
    points: int
    lesson: str
    functions: tuple[Function, ...]
    hints: tuple[str, ...]

    @property
    def checks_module(self) -> str:
        """The dotted name of the module that holds this exercise's checks."""
        return f"grader.checks.{self.name}"

    def function(self, name: str) -> Function:
        return next(f for f in self.functions if f.name == name)


@cache
def exercises() -> tuple[Exercise, ...]:
    """Every exercise, in order."""
    data = tomllib.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    return tuple(
        Exercise(
            name=entry["name"], title=entry["title"], file=entry["file"],
            points=int(entry["points"]), lesson=entry["lesson"],
            functions=tuple(Function(f["name"], tuple(f["params"])) for f in entry["functions"]),
            hints=tuple(entry["hints"]),
        )
        for entry in data["exercise"]
    )


def names() -> list[str]:
    return [exercise.name for exercise in exercises()]


def find(name: str) -> Exercise:
    """The exercise called `name`; KeyError if there is none."""
    for exercise in exercises():
        if exercise.name == name:
            return exercise
    raise KeyError(name)


def by_checks_module(module: str) -> Exercise:
    """The exercise whose checks live in `module`."""
    return next(e for e in exercises() if e.checks_module == module)
