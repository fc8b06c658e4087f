"""Find the learner's files: `exercises/` near the current directory, or what --submission
names; and read each one once, safely.

The folder named on the command line (or found from the current directory) is trusted.
Below it, nothing is followed: every file graded is a regular file reached with no link in
any component (`exercises/`, the file), read once here (`grader.safe_open`) and handed on as
bytes. A link is reported by name and scores 0 for that item; it never stops grading.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import Exercise
from grader.safe_open import Refused, read_beneath

MAX_SOURCE_BYTES = 4 * 1024 * 1024
"""The largest file graded (a solution is a few KiB)."""


class NotFound(Exception):
    """No submission could be found; the message says what to do."""


@dataclass(frozen=True)
class Submitted:
    """One graded file, read once: its bytes, or why there are none."""

    path: Path
    """Where it is: for messages and tracebacks only, never opened again."""
    source: bytes | None = None
    """The file's bytes; None when it is not there or was refused."""
    problem: str | None = None
    """Why it was refused, for the learner ("exercise4.py is a link; submit the file itself.")."""


@dataclass(frozen=True)
class Located:
    """Where a submission's files are: a trusted folder, and names relative to it."""

    root: Path
    names: dict[str, str]
    """Each exercise's file, relative to `root` ("exercise1.py" or "exercises/exercise1.py")."""
    folder: str = ""
    """The folder the exercise files are in, relative to `root` ("" or "exercises")."""

    def read(self, relative: str) -> Submitted:
        return read_submitted(self.root, relative)

    def files(self) -> dict[str, Submitted]:
        return {name: self.read(relative) for name, relative in self.names.items()}


def exercises_folder(start: Path) -> Path:
    """The learner's `exercises/` folder: in `start` or above it, or `start` itself."""
    for folder in (start, *start.parents):
        if (folder / "exercises").is_dir():
            return folder / "exercises"
        if folder.name == "exercises":
            return folder
    raise NotFound("No exercises/ folder here or above. Run grade from your course folder, "
                   "or name your file with --submission PATH.")


def locate(exercises: list[Exercise], submission: Path | None, cwd: Path) -> Located:
    """Where each exercise's file is (it may not exist yet), without following any link
    below the folder given or found."""
    if submission is not None and not submission.is_dir():
        if len(exercises) != 1:
            raise NotFound(f"{submission} is one file; name one exercise to grade it, "
                           "or pass a folder to grade several.")
        if submission.suffix != ".py":
            raise NotFound(f"{submission} is not a Python file; name your .py file, "
                           f"e.g. exercises/{exercises[0].file}.")
        root = submission.absolute().parent
        return Located(root, {exercises[0].name: submission.name})
    if submission is not None:
        root = submission.resolve()
    else:
        found = exercises_folder(cwd)
        root = found if found == cwd or found.name != "exercises" else found.parent
        if root != found:  # found above: `exercises/` is a component, never followed
            return Located(root, {e.name: f"exercises/{e.file}" for e in exercises}, "exercises")
    if not any(_there(root / e.file) for e in exercises) and _there(root / "exercises"):
        # the course folder given for the exercises in it
        return Located(root, {e.name: f"exercises/{e.file}" for e in exercises}, "exercises")
    return Located(root, {e.name: e.file for e in exercises})


def read_submitted(root: Path, relative: str) -> Submitted:
    """The file `relative` beneath `root`, read once and safely (see `grader.safe_open`)."""
    path = root / relative
    try:
        source = read_beneath(root, relative, MAX_SOURCE_BYTES)
    except FileNotFoundError:
        return Submitted(path)
    except Refused as refused:
        return Submitted(path, problem=str(refused))
    except OSError as error:
        return Submitted(path, problem=f"{relative} cannot be read: {error.strerror}.")
    if len(source) > MAX_SOURCE_BYTES:
        return Submitted(path, problem=f"{relative} is larger than "
                         f"{MAX_SOURCE_BYTES // 1024 // 1024} MiB; a solution is a few KiB: "
                         "submit the right file.")
    return Submitted(path, source)


def read_path(path: Path) -> Submitted:
    """`path` read as the one file its folder holds for grading (tests, the reference)."""
    path = Path(path).absolute()
    return read_submitted(path.parent, path.name)


def _there(path: Path) -> bool:
    """Whether anything is at `path`, a link included (never followed)."""
    return os.path.lexists(path)
