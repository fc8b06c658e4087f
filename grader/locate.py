"""Find the learner's files: `exercises/` near the current directory, or what --submission
names; choose, for each exercise, its `.py` file or a notebook (`grader.candidates`); and read
each one once, safely.

The folder named on the command line (or found from the current directory) is trusted.
Below it, nothing is followed: every file graded is a regular file reached with no link in
any component (`exercises/`, the file), read once here (`grader.safe_open`) and handed on as
bytes. A link is reported by name and scores 0 for that item; it never stops grading.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from grader import candidates, notebook
from grader.catalog import Exercise
from grader.safe_open import Refused, read_beneath

MAX_SOURCE_BYTES = candidates.MAX_PY_BYTES
"""The largest `.py` file graded (a solution is a few KiB); a notebook may be larger
(`grader.notebook.MAX_NOTEBOOK_BYTES`: outputs and pictures)."""


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
    already: dict[str, Submitted] = field(default_factory=dict, compare=False, repr=False)
    """Files read while choosing among an exercise's candidates: graded as read then, never
    read again (one notebook may be graded for every exercise)."""

    def read(self, relative: str) -> Submitted:
        if relative not in self.already:
            self.already[relative] = read_submitted(self.root, relative)
        return self.already[relative]

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
    below the folder given or found: the file named, or in a folder its `.py` file or a
    notebook, as `grader.candidates` chooses."""
    if submission is not None and not submission.is_dir():
        if submission.suffix == ".ipynb":  # a notebook may define every exercise's functions
            return _readable(Located(submission.absolute().parent,
                                     {e.name: submission.name for e in exercises}))
        if len(exercises) != 1:
            raise NotFound(f"{submission} is one file; name one exercise to grade it, "
                           "or pass a folder to grade several.")
        if submission.suffix != ".py":
            raise NotFound(f"{submission} is not a Python file or a notebook; name your .py "
                           f"or .ipynb file, e.g. exercises/{exercises[0].file}.")
        root = submission.absolute().parent
        return Located(root, {exercises[0].name: submission.name})
    if submission is not None:
        root, folder = submission.resolve(), ""
    else:
        found = exercises_folder(cwd)
        root = found if found == cwd or found.name != "exercises" else found.parent
        # found above: `exercises/` is a component, never followed
        folder = "exercises" if root != found else ""
    if not folder and not any(_there(root / name) for e in exercises
                              for name in candidates.names(e)) and _there(root / "exercises"):
        folder = "exercises"  # the course folder given for the exercises in it
    return _chosen(Located(root, {}, folder), exercises)


def _chosen(located: Located, exercises: list[Exercise]) -> Located:
    """`located` with each exercise's file chosen among its candidates, by what they hold
    (`grader.candidates.choose`), each read once."""
    prefix = f"{located.folder}/" if located.folder else ""
    for exercise in exercises:
        there = [prefix + name for name in candidates.names(exercise)
                 if _candidate(located.root / (prefix + name))]
        if len(there) <= 1:
            located.names[exercise.name] = there[0] if there else prefix + exercise.file
            continue
        read = {relative: located.read(relative) for relative in there}
        chosen = candidates.choose(
            [(relative, read[relative].source) for relative in there], exercise)
        located.names[exercise.name] = chosen
    return _readable(located)


def _readable(located: Located) -> Located:
    """`located`, once sure that a notebook among its files can be read here."""
    notebooks = [name for name in located.names.values() if name.endswith(".ipynb")]
    if notebooks and not notebook.available():
        raise NotFound(f"{notebooks[0].rsplit('/', 1)[-1]} is a notebook, and reading "
                       f"notebooks needs nbformat: run {notebook.INSTALL}")
    return located


def read_submitted(root: Path, relative: str) -> Submitted:
    """The file `relative` beneath `root`, read once and safely (see `grader.safe_open`)."""
    path = root / relative
    is_notebook = relative.endswith(".ipynb")
    try:
        source = read_beneath(root, relative, notebook.MAX_NOTEBOOK_BYTES if is_notebook
                              else MAX_SOURCE_BYTES)
    except FileNotFoundError:
        return Submitted(path)
    except Refused as refused:
        return Submitted(path, problem=str(refused))
    except OSError as error:
        return Submitted(path, problem=f"{relative} cannot be read: {error.strerror}.")
    if not is_notebook and len(source) > MAX_SOURCE_BYTES:  # a notebook's says how to shrink it
        return Submitted(path, problem=f"{relative} is larger than "
                         f"{MAX_SOURCE_BYTES // 1024 // 1024} MiB; a solution is a few KiB: "
                         "submit the right file.")
    return Submitted(path, source)


def read_path(path: Path) -> Submitted:
    """`path` read as the one file its folder holds for grading (tests, the reference)."""
    path = Path(path).absolute()
    return read_submitted(path.parent, path.name)


def _candidate(path: Path) -> bool:
    """Whether `path` is a file to choose from: a regular file, or a link (never followed:
    it is chosen and reported); a FIFO or a device is no file, and never opened."""
    return path.is_symlink() or path.is_file()


def _there(path: Path) -> bool:
    """Whether anything is at `path`, a link included (never followed)."""
    return os.path.lexists(path)
