"""Grading a list of answer letters, without prompting: the scripted mode and the Python API.

    >>> result = grade_answers(parse_answers("D,A,C"))
    >>> result.score, result.max_score
    (0, 3)

`QuizResult.to_json()` is the `quiz --answers ... --format json` document; its shape is
documented in quiz/README.md and versioned by `JSON_VERSION`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quiz.bank import LETTERS, load_bank
from quiz.selection import PresentedQuestion, select_questions

JSON_VERSION = 1
"""Version of the JSON result document; bumped when its shape changes."""


@dataclass(frozen=True)
class QuestionResult:
    """How one question was answered."""

    id: str
    """The question's id in the bank."""
    given: str
    """The letter given, upper case, as lettered in this run."""
    answer: str
    """The right letter in this run."""
    correct: bool
    """Whether `given` is the right letter."""
    section: str
    """The lesson section the question tests."""


@dataclass(frozen=True)
class QuizResult:
    """The outcome of grading one set of answers."""

    score: int
    """Number of right answers; one point per question."""
    max_score: int
    """Number of questions graded."""
    questions: tuple[QuestionResult, ...]
    """Per-question results, in question order."""

    @classmethod
    def of(cls, results: list[QuestionResult]) -> QuizResult:
        """The result of these question results, one point each."""
        score = sum(r.correct for r in results)
        return cls(score=score, max_score=len(results), questions=tuple(results))

    @property
    def passed(self) -> bool:
        """True when every answer is right."""
        return self.score == self.max_score

    @property
    def sections_to_reread(self) -> tuple[str, ...]:
        """Lesson sections of the missed questions, each once, in question order."""
        return tuple(dict.fromkeys(r.section for r in self.questions if not r.correct))

    def to_json(self) -> dict[str, Any]:
        """The documented JSON document: {version, score, max_score, questions}."""
        return {
            "version": JSON_VERSION,
            "score": self.score,
            "max_score": self.max_score,
            "questions": [
                {"id": r.id, "given": r.given, "correct": r.correct} for r in self.questions
            ],
        }


def parse_answers(text: str) -> list[str]:
    """Read answer letters from "B,D,A" or one letter per line.

    Blank lines and `#` comments are ignored; letters may be lower case and may carry
    spaces around them. Raises ValueError naming the first entry that is not one of A-D.
    """
    letters: list[str] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0]
        if not line.strip():
            continue
        for item in line.split(","):
            item = item.strip()
            position = len(letters) + 1
            if not item:
                raise ValueError(
                    f"answer {position} (line {line_number}) is empty; "
                    "write one letter per question, e.g. B,D,A"
                )
            if not re.fullmatch(r"[A-Da-d]", item):
                raise ValueError(
                    f"answer {position} (line {line_number}) is {item!r}, not a letter A-D; "
                    "write one letter per question, e.g. B,D,A"
                )
            letters.append(item.upper())
    if not letters:
        raise ValueError("no answers found; write one letter per question, e.g. B,D,A")
    return letters


def grade(presented: list[PresentedQuestion], letters: list[str]) -> QuizResult:
    """Grade `letters` against the questions as presented, one letter per question.

    Raises ValueError when the count differs or a letter is not one of A-D.
    """
    if len(letters) != len(presented):
        raise ValueError(
            f"got {len(letters)} answer{'s' if len(letters) != 1 else ''} "
            f"for {len(presented)} questions; give exactly one letter per question"
        )
    results = []
    for position, (question, letter) in enumerate(zip(presented, letters), start=1):
        given = letter.strip().upper()
        if len(given) != 1 or given not in LETTERS:
            raise ValueError(f"answer {position} is {letter!r}, not a letter A-D")
        results.append(grade_one(question, given))
    return QuizResult.of(results)


def grade_one(question: PresentedQuestion, given: str) -> QuestionResult:
    """The result of answering `question` with the letter `given` (one of A-D, upper case)."""
    return QuestionResult(
        id=question.id,
        given=given,
        answer=question.answer,
        correct=given == question.answer,
        section=question.question.section,
    )


def grade_answers(
    letters: list[str],
    *,
    all_questions: bool = False,
    seed: int | None = None,
    bank_path: Path | str | None = None,
) -> QuizResult:
    """Grade answer letters for the questions `quiz` would ask with the same options.

    `all_questions` is `--all`, `seed` is `--shuffle --seed N`, `bank_path` is `--bank`.
    Raises ValueError for malformed answers and quiz.bank.BankError for a broken bank (the
    latter is the instructor's problem, never the learner's).
    """
    bank = load_bank(bank_path)
    return grade(select_questions(bank, all_questions=all_questions, seed=seed), letters)
