"""The learner's progress: what the last grading of each exercise gave.

Kept in the user's cache folder beside the hint counts, keyed by the exercises folder, so
the learner's own folder stays clean. A record counts only while the file is unchanged
(its hash), so an edit is never mistaken for a pass. It lets a pass say what comes next,
the last pass say the course is complete, and `grade hint` give the hints of the function
whose check fails first.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from pathlib import Path

from grader import candidates, catalog
from grader.catalog import Exercise
from grader.files import write_atomically
from grader.results import ExerciseResult, Status


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "l1lab"


def _state_file() -> Path:
    return cache_folder() / "progress.json"


def _key(folder: Path, name: str) -> str:
    return f"{folder.resolve()}::{name}"


def _digest(folder: Path, exercise: Exercise) -> str | None:
    """The hash of the files that may be graded for `exercise`: its `.py` file, or, once a
    notebook is beside it, that file and the notebooks together (`grader.candidates`), so
    that a change to whichever is graded forgets the record."""
    names = candidates.names(exercise)
    if not any((folder / name).exists() for name in names[1:]):
        names = names[:1]
    digest = hashlib.sha256()
    for name in names:
        try:
            data = (folder / name).read_bytes()
        except FileNotFoundError:
            data = b""
        except OSError:
            return None
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest() if len(names) > 1 else _plain(folder / names[0])


def _plain(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _load() -> dict:
    try:
        data = json.loads(_state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record(folder: Path, results: list[ExerciseResult]) -> None:
    """Remember how each graded exercise in `folder` did (best effort: a read-only cache
    folder only loses the 'what next' line)."""
    data = _load()
    for result in results:
        exercise = catalog.resolve(result.name)
        if exercise is None:
            continue
        data[_key(folder, exercise.name)] = {
            "sha256": _digest(folder, exercise), "status": result.status,
            "score": result.score, "max_score": result.max_score,
            "function": _first_failing_function(exercise, result),
        }
    try:
        _state_file().parent.mkdir(parents=True, exist_ok=True)
        write_atomically(_state_file(), json.dumps(data, indent=1, sort_keys=True))
    except OSError:
        pass


def last(folder: Path, exercise: Exercise) -> dict | None:
    """The record of `exercise` in `folder`, if its file has not changed since."""
    entry = _load().get(_key(folder, exercise.name))
    if not isinstance(entry, dict) or entry.get("sha256") != _digest(folder, exercise):
        return None
    return entry


def failing_function(folder: Path, exercise: Exercise) -> str | None:
    """The function whose check failed first at the last grading of the current file."""
    entry = last(folder, exercise)
    function = entry.get("function") if entry else None
    return function if isinstance(function, str) else None


def what_next(folder: Path, passed: Exercise, *, watching: bool = False,
              notebook: str | None = None) -> str:
    """After `passed` passes: the next exercise to do, or that the course is complete.
    `watching`: the learner runs `grade watch`, which grades a file when it is saved;
    `notebook`: the notebook `passed` was written in, where the next one goes too."""
    order = list(catalog.exercises())
    start = order.index(passed)
    for exercise in order[start + 1:] + order[:start]:
        entry = last(folder, exercise)
        if entry is None or entry.get("status") != "passed":
            then = (f"Run: grade {exercise.name}" if not watching
                    else f"Its section in {notebook} is next; saving the notebook grades it."
                    if notebook else f"Open {exercise.file} beside this one; saving it grades it.")
            return f"Next: {exercise.name} ({exercise.title}). {then}"
    from grader.locate import Located
    from grader.quiz_item import grade_quiz  # the quiz is cheap to grade: no learner code

    quiz = grade_quiz(Located(root=folder, names={}))
    entries = [last(folder, e) or {} for e in order]
    score = sum(int(e.get("score", 0)) for e in entries) + quiz.score
    total = sum(int(e.get("max_score", 0)) for e in entries) + quiz.max_score
    if quiz.status != "passed":
        return (f"Every exercise passes. One thing is left: the lesson's quiz ({quiz.score}/"
                f"{quiz.max_score} so far). Run: quiz")
    return f"You have completed L1 Lab: every exercise and the quiz pass, {score}/{total}."


def _first_failing_function(exercise: Exercise, result: ExerciseResult) -> str | None:
    failing = next((c for c in result.checks if c.status is Status.FAILED), None)
    if failing is None:
        return None
    try:
        module = importlib.import_module(exercise.checks_module)
    except ImportError:
        return None
    for value in vars(module).values():
        spec = getattr(value, "check_spec", None)
        if spec is not None and spec.name == failing.name:
            return spec.function
    return None
