"""Find the learner's files: `exercises/` near the current directory, or what --submission names."""

from __future__ import annotations

from pathlib import Path

from grader import candidates, notebook
from grader.catalog import Exercise


class NotFound(Exception):
    """No submission could be found; the message says what to do."""


def exercises_folder(start: Path) -> Path:
    """The learner's `exercises/` folder: in `start` or above it, or `start` itself."""
    for folder in (start, *start.parents):
        if (folder / "exercises").is_dir():
            return folder / "exercises"
        if folder.name == "exercises":
            return folder
    raise NotFound("No exercises/ folder here or above. Run grade from your course folder, "
                   "or name your file with --submission PATH.")


def submission_files(exercises: list[Exercise], submission: Path | None,
                     cwd: Path) -> dict[str, Path]:
    """Map each exercise to the file to grade for it (which may not exist yet): the file named,
    or in a folder its `.py` file or notebook as `grader.candidates` chooses."""
    if submission is not None and not submission.is_dir():
        if submission.suffix == ".ipynb":  # a notebook may define every exercise's functions
            return _readable({e.name: submission.resolve() for e in exercises})
        if len(exercises) != 1:
            raise NotFound(f"{submission} is one file; name one exercise to grade it, "
                           "or pass a folder to grade several.")
        if submission.suffix != ".py":
            raise NotFound(f"{submission} is not a Python file or a notebook; name your .py "
                           f"or .ipynb file, e.g. exercises/{exercises[0].file}.")
        return {exercises[0].name: submission.resolve()}
    folder = submission.resolve() if submission is not None else exercises_folder(cwd)
    if not any(candidates.present(folder, e) for e in exercises) and (folder / "exercises").is_dir():
        folder = folder / "exercises"  # the course folder given for the exercises in it
    return _readable({e.name: candidates.choose(folder, e) for e in exercises})


def _readable(files: dict[str, Path]) -> dict[str, Path]:
    """`files`, once sure that a notebook among them can be read here."""
    if any(path.suffix == ".ipynb" for path in files.values()) and not notebook.available():
        raise NotFound(f"{next(p for p in files.values() if p.suffix == '.ipynb').name} is a "
                       f"notebook, and reading notebooks needs nbformat: run {notebook.INSTALL}")
    return files
