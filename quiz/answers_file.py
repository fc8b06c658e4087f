"""The answers file `grade all` reads: where it is, what it holds, and saving it safely.

`grade all` grades `quiz.txt` in the learner's `exercises/` folder, which it finds from
the current directory (grader/locate.py). `find_exercises_folder` follows the same rule, so
the file `quiz` saves is the one `grade all` reads; a test holds the two rules together.
The quiz cannot call the grader's function: the grader imports the quiz, not the reverse.
"""

from __future__ import annotations

import enum
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from quiz.atomic import write_atomically
from quiz.bank import LETTERS, Question
from quiz.grading import QuizResult, parse_answers
from quiz.selection import PresentedQuestion

ANSWERS_FILE = "quiz.txt"
"""The file name `grade all` looks for in the exercises folder."""

_MAX_READ = 1 << 20
"""Bytes of an existing answers file read to compare it; a longer one is simply different."""

HEADER = "# Your answers to the lesson's quiz, saved by `quiz`. `grade all` reads this file."


class Saved(enum.Enum):
    """What became of a session's answers."""

    SAVED = "saved"
    """Written to a new file, or over different answers the learner agreed to replace."""
    UNCHANGED = "unchanged"
    """The file already holds these answers; it was left as it was."""
    KEPT = "kept"
    """The file holds other answers and the learner chose to keep them."""
    NO_FOLDER = "no folder"
    """There is no exercises/ folder in the current directory or above it."""
    IN_THE_WAY = "in the way"
    """A link, a folder or another non-file has the answers file's name; it was left alone."""
    FAILED = "failed"
    """Writing failed (permissions, a full disk); the old file, if any, is untouched."""


@dataclass(frozen=True)
class SaveOutcome:
    """The result of `save_answers`."""

    status: Saved
    """What happened."""
    letters: tuple[str, ...]
    """The answers, in the lettering and order `grade all` uses."""
    path: Path | None
    """The answers file, or None when no exercises folder was found."""
    detail: str = ""
    """For IN_THE_WAY, what is there ("a link"); for FAILED, the system's reason."""


def find_exercises_folder(start: Path) -> Path | None:
    """The learner's `exercises/` folder, found as `grade` finds it, or None.

    The first of `start` and its parents that holds an `exercises/` folder gives that
    folder; a folder on the way that is itself named `exercises` is the answer.
    """
    for folder in (start, *start.parents):
        if (folder / "exercises").is_dir():
            return folder / "exercises"
        if folder.name == "exercises":
            return folder
    return None


def bank_letters(
    presented: list[PresentedQuestion], result: QuizResult, lesson: tuple[Question, ...]
) -> tuple[str, ...]:
    """The session's answers as `grade all` reads them: bank lettering, lesson order.

    A shuffled session letters the options differently; each chosen option is lettered
    again by its place in the bank.
    """
    chosen = {
        shown.id: LETTERS[shown.question.options.index(shown.option(answer.given))]
        for shown, answer in zip(presented, result.questions)
    }
    return tuple(chosen[question.id] for question in lesson)


def answers_text(letters: tuple[str, ...]) -> str:
    """The file's content: a comment saying what it is, then the letters."""
    return f"{HEADER}\n{','.join(letters)}\n"


def save_answers(
    letters: tuple[str, ...], *, start: Path, confirm_replace: Callable[[Path], bool]
) -> SaveOutcome:
    """Save `letters` in the answers file of the exercises folder found from `start`.

    A file holding other answers is replaced only if `confirm_replace(path)` says yes; one
    holding the same answers is left as it is. A link, folder or other non-file with that
    name is never followed or replaced. The new file is written atomically.
    """
    folder = find_exercises_folder(start)
    if folder is None:
        return SaveOutcome(Saved.NO_FOLDER, letters, None)
    path = folder / ANSWERS_FILE
    try:
        there = _what_is_at(path)
    except OSError as error:
        return SaveOutcome(Saved.FAILED, letters, path, _reason(error))
    if there not in ("nothing", "a file"):
        return SaveOutcome(Saved.IN_THE_WAY, letters, path, there)
    if there == "a file":
        if _saved_letters(path) == letters:
            return SaveOutcome(Saved.UNCHANGED, letters, path)
        if not confirm_replace(path):
            return SaveOutcome(Saved.KEPT, letters, path)
    try:
        write_atomically(path, answers_text(letters).encode("utf-8"))
    except OSError as error:
        return SaveOutcome(Saved.FAILED, letters, path, _reason(error))
    return SaveOutcome(Saved.SAVED, letters, path)


def _what_is_at(path: Path) -> str:
    """What is at `path`, without following a link: "nothing", "a file", "a link"..."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "nothing"
    if stat.S_ISLNK(mode):
        return "a link"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a file" if stat.S_ISREG(mode) else "not a regular file"


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def _saved_letters(path: Path) -> tuple[str, ...] | None:
    """The letters in the existing file, or None if it cannot be read as answers."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(handle, "rb") as stream:
            text = stream.read(_MAX_READ).decode("utf-8", errors="replace")
        return tuple(parse_answers(text))
    except (OSError, ValueError):
        return None
