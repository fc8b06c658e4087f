"""Find the learner's files: `exercises/` near the current directory, or what --submission names."""

from __future__ import annotations

from pathlib import Path

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
    """Map each exercise to the file to grade for it (which may not exist yet)."""
    if submission is not None and not submission.is_dir():
        if len(exercises) != 1:
            raise NotFound(f"{submission} is one file; name one exercise to grade it, "
                           "or pass a folder to grade several.")
        if submission.suffix != ".py":
            raise NotFound(f"{submission} is not a Python file; name your .py file, "
                           f"e.g. exercises/{exercises[0].file}.")
        return {exercises[0].name: submission.resolve()}
    folder = submission.resolve() if submission is not None else exercises_folder(cwd)
    if not any((folder / e.file).is_file() for e in exercises) and (folder / "exercises").is_dir():
        folder = folder / "exercises"  # the course folder given for the exercises in it
    return {e.name: folder / e.file for e in exercises}
