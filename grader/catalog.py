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
    hints: tuple[str, ...] = ()
    """Hints for this function alone, where an exercise has several functions."""


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
    weight: float = 1.0
    """How long its grading takes beside the others' (1 = an ordinary exercise): only to
    split `grade all` evenly across two processes (`grader.side_by_side`)."""
    ahead: str | None = None
    """A module of `grader.checks`, importable without hypothesis, whose `AHEAD` names calls
    of the learner's code to start before the checks load (`grader.ahead.Ahead`)."""

    @property
    def checks_module(self) -> str:
        """The dotted name of the module that holds this exercise's checks."""
        return f"grader.checks.{self.name}"

    @property
    def ahead_module(self) -> str | None:
        """The dotted name of the module that names this exercise's calls ahead, if any."""
        return f"grader.checks.{self.ahead}" if self.ahead else None

    def function(self, name: str) -> Function:
        return next(f for f in self.functions if f.name == name)

    def hints_for(self, function: str | None) -> tuple[str, ...]:
        """The hints about `function` when it has its own, else all of the exercise's."""
        own = next((f.hints for f in self.functions if f.name == function), ())
        return own or self.hints


@cache
def exercises() -> tuple[Exercise, ...]:
    """Every exercise, in order."""
    data = tomllib.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    return tuple(
        Exercise(
            name=entry["name"], title=entry["title"], file=entry["file"],
            points=int(entry["points"]), lesson=entry["lesson"],
            functions=tuple(Function(f["name"], tuple(f["params"]), tuple(f.get("hints", ())))
                            for f in entry["functions"]),
            # An exercise with several functions may list hints per function instead.
            hints=tuple(entry.get("hints") or [h for f in entry["functions"]
                                                for h in f.get("hints", ())]),
            weight=float(entry.get("weight", 1.0)),
            ahead=entry.get("ahead"),
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


def resolve(name: str) -> Exercise | None:
    """The exercise a learner means by `name`: "exercise1", "ex1" or "1"; None if none."""
    wanted = name.strip().lower()
    for prefix in ("exercise", "ex"):
        if wanted.startswith(prefix) and wanted[len(prefix):].isdigit():
            wanted = wanted[len(prefix):]
            break
    if wanted.isdigit():
        wanted = f"exercise{int(wanted)}"
    return next((e for e in exercises() if e.name == wanted), None)


def by_checks_module(module: str) -> Exercise:
    """The exercise whose checks live in `module`."""
    return next(e for e in exercises() if e.checks_module == module)
