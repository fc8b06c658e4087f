"""The question bank: its data model, and loading it from TOML with validation.

The schema is documented in quiz/README.md. Validation stops at the first problem and
reports it as one `BankError` naming the file, the question and the fix, because an author
fixes one thing at a time and a single line is what the CLI can show without a traceback.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_BANK = Path(__file__).with_name("questions.toml")
OPTIONS_PER_QUESTION = 4
LETTERS = "ABCD"

_ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_TOP_KEYS = {"title", "sections", "question"}
_QUESTION_KEYS = {"id", "lesson", "section", "stem", "explanation", "option"}
_OPTION_KEYS = {"text", "correct", "why_wrong"}


@dataclass(frozen=True)
class Option:
    """One answer option, as written in the bank."""

    text: str
    """What the learner reads after the letter."""
    correct: bool
    """True for the question's one right answer."""
    why_wrong: str | None
    """One line naming the misconception behind a wrong option; None for the right one."""


@dataclass(frozen=True)
class Question:
    """One multiple-choice question with exactly one right option."""

    id: str
    """Stable identifier (lowercase words joined by hyphens); used in JSON results."""
    stem: str
    """The question text."""
    options: tuple[Option, ...]
    """The four options in bank order; letter A is the first."""
    explanation: str
    """Why the right answer is right; shown after every answer."""
    section: str
    """The lesson section to reread when the learner gets it wrong."""
    lesson: bool
    """True for the lesson page's own quiz questions, asked by default."""

    @property
    def correct_index(self) -> int:
        """Position of the right option in `options`."""
        return next(i for i, option in enumerate(self.options) if option.correct)


@dataclass(frozen=True)
class Bank:
    """A validated question bank."""

    path: Path
    """The file it was loaded from."""
    title: str
    """The lesson title, shown when a session starts."""
    sections: tuple[str, ...]
    """The lesson's section headings; every question names one."""
    questions: tuple[Question, ...]
    """All questions in file order."""

    @property
    def lesson_questions(self) -> tuple[Question, ...]:
        """The questions `quiz` asks by default: those marked lesson = true, or all if none is."""
        marked = tuple(q for q in self.questions if q.lesson)
        return marked or self.questions


class BankError(Exception):
    """A bank that cannot be used, with where the problem is and how to fix it."""

    def __init__(self, path: Path | str, where: str | None, problem: str, fix: str) -> None:
        self.path = Path(path)
        self.where = where
        self.problem = problem
        self.fix = fix
        location = f"{self.path}: {where}" if where else str(self.path)
        super().__init__(f"{location}: {problem}; {fix}")


def load_bank(path: Path | str | None = None) -> Bank:
    """Read and validate the bank at `path` (the shipped bank by default).

    Raises BankError for a file that is missing, not TOML, or breaks the schema.
    """
    path = DEFAULT_BANK if path is None else Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise BankError(path, None, f"cannot be read ({reason})", "check the path") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BankError(path, None, "is not UTF-8 text", "save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise BankError(
            path, None, f"is not valid TOML ({exc})", "fix the syntax at that line"
        ) from None
    return _Validator(path).bank(data)


def _normalise(text: str) -> str:
    """Collapse runs of whitespace, so multi-line TOML strings read as one paragraph."""
    return " ".join(text.split())


class _Validator:
    """Turns parsed TOML into a Bank, raising BankError at the first problem."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str | None, problem: str, fix: str) -> BankError:
        return BankError(self.path, where, problem, fix)

    def unknown_keys(self, table: dict[str, Any], known: set[str], where: str | None) -> None:
        for key in table:
            if key not in known:
                raise self.fail(
                    where,
                    f"unknown key {key!r}",
                    f"remove it or fix its spelling (known keys: {', '.join(sorted(known))})",
                )

    def text(self, table: dict[str, Any], key: str, where: str | None, fix: str) -> str:
        value = table.get(key)
        if value is None:
            raise self.fail(where, f"{key} is missing", fix)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"{key} must be non-empty text", fix)
        return _normalise(value)

    def bank(self, data: dict[str, Any]) -> Bank:
        self.unknown_keys(data, _TOP_KEYS, None)
        title = self.text(data, "title", None, 'add a top-level title = "..." naming the lesson')
        sections = self.sections(data.get("sections"))
        raw_questions = data.get("question")
        if not isinstance(raw_questions, list) or not raw_questions:
            raise self.fail(None, "has no questions", "add at least one [[question]] table")
        questions: list[Question] = []
        seen: dict[str, int] = {}
        for number, raw in enumerate(raw_questions, start=1):
            question = self.question(raw, number, sections)
            if question.id in seen:
                raise self.fail(
                    f'question "{question.id}" (number {number})',
                    f"duplicate id, already used by question number {seen[question.id]}",
                    "give each question its own id",
                )
            seen[question.id] = number
            questions.append(question)
        return Bank(self.path, title, sections, tuple(questions))

    def sections(self, value: Any) -> tuple[str, ...]:
        fix = 'list the lesson\'s section headings, e.g. sections = ["The L1 Penalty", ...]'
        if not isinstance(value, list) or not value:
            raise self.fail(None, "sections is missing or empty", fix)
        if not all(isinstance(s, str) and s.strip() for s in value):
            raise self.fail(None, "every entry of sections must be non-empty text", fix)
        sections = tuple(_normalise(s) for s in value)
        if len(set(sections)) != len(sections):
            raise self.fail(None, "sections lists a heading twice", "list each heading once")
        return sections

    def question(self, raw: Any, number: int, sections: tuple[str, ...]) -> Question:
        where = f"question number {number}"
        if not isinstance(raw, dict):
            raise self.fail(where, "is not a table", "write it as a [[question]] table")
        raw_id = raw.get("id")
        if not isinstance(raw_id, str) or not _ID_PATTERN.fullmatch(raw_id):
            raise self.fail(
                where,
                "id is missing or not lowercase words joined by hyphens",
                'add an id such as id = "constant-gradient"',
            )
        where = f'question "{raw_id}"'
        self.unknown_keys(raw, _QUESTION_KEYS, where)
        stem = self.text(raw, "stem", where, 'add stem = "..." with the question text')
        explanation = self.text(
            raw, "explanation", where, 'add explanation = "..." saying why the right answer is right'
        )
        section = self.text(raw, "section", where, "name the lesson section it tests")
        if section not in sections:
            raise self.fail(
                where,
                f"section {section!r} is not one of the bank's sections",
                "use a heading from the top-level sections list, spelled the same",
            )
        lesson = raw.get("lesson", False)
        if not isinstance(lesson, bool):
            raise self.fail(where, "lesson must be true or false", "write lesson = true or remove it")
        options = self.options(raw.get("option"), where)
        return Question(raw_id, stem, options, explanation, section, lesson)

    def options(self, value: Any, where: str) -> tuple[Option, ...]:
        if not isinstance(value, list) or len(value) != OPTIONS_PER_QUESTION:
            count = len(value) if isinstance(value, list) else 0
            raise self.fail(
                where,
                f"has {count} options",
                f"give it exactly {OPTIONS_PER_QUESTION} [[question.option]] tables",
            )
        options = tuple(
            self.option(raw, f"{where} option {letter}") for raw, letter in zip(value, LETTERS)
        )
        correct = [letter for option, letter in zip(options, LETTERS) if option.correct]
        if not correct:
            raise self.fail(
                where, "no option is marked correct", "add correct = true to the right option"
            )
        if len(correct) > 1:
            raise self.fail(
                where,
                f"{len(correct)} options ({', '.join(correct)}) are marked correct",
                "keep correct = true on exactly one option",
            )
        texts = [option.text for option in options]
        if len(set(texts)) != len(texts):
            raise self.fail(where, "two options have the same text", "make every option different")
        return options

    def option(self, raw: Any, where: str) -> Option:
        if not isinstance(raw, dict):
            raise self.fail(where, "is not a table", "write it as a [[question.option]] table")
        self.unknown_keys(raw, _OPTION_KEYS, where)
        text = self.text(raw, "text", where, 'add text = "..." with what the learner reads')
        correct = raw.get("correct", False)
        if not isinstance(correct, bool):
            raise self.fail(where, "correct must be true or false", "write correct = true or remove it")
        why_wrong = raw.get("why_wrong")
        if correct:
            if why_wrong is not None:
                raise self.fail(
                    where,
                    "the correct option has a why_wrong",
                    "remove it; the question's explanation covers the right answer",
                )
            return Option(text, True, None)
        fix = 'add why_wrong = "..." with one line on the misconception behind this option'
        if why_wrong is None:
            raise self.fail(where, "a wrong option has no why_wrong", fix)
        if not isinstance(why_wrong, str) or not why_wrong.strip():
            raise self.fail(where, "why_wrong must be non-empty text", fix)
        if "\n" in why_wrong.strip():
            raise self.fail(where, "why_wrong spans several lines", "shorten it to one line")
        return Option(text, False, why_wrong.strip())
