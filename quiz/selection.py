"""Which questions a run asks, in which order, and how their options are lettered.

The interactive session and scripted grading both go through `select_questions`, so the
letters in `quiz --answers` always mean what the same flags would show on screen.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from quiz.bank import LETTERS, Bank, Option, Question


@dataclass(frozen=True)
class PresentedQuestion:
    """A question as one run shows it: its options in display order, lettered A-D."""

    question: Question
    """The question from the bank."""
    options: tuple[Option, ...]
    """The options in the order shown; `options[0]` is lettered A."""

    @property
    def id(self) -> str:
        """The question's id."""
        return self.question.id

    @property
    def answer(self) -> str:
        """The letter of the right option as shown."""
        return next(LETTERS[i] for i, option in enumerate(self.options) if option.correct)

    def option(self, letter: str) -> Option:
        """The option shown under `letter` (A-D, any case)."""
        return self.options[LETTERS.index(letter.upper())]


def select_questions(
    bank: Bank, *, all_questions: bool = False, seed: int | None = None
) -> list[PresentedQuestion]:
    """Pick the run's questions: the lesson's by default, the whole bank with `all_questions`.

    With a `seed`, the question order and then each question's options are shuffled with
    `random.Random(seed)`, so the same seed gives the same quiz on any machine.
    """
    questions = list(bank.questions if all_questions else bank.lesson_questions)
    if seed is None:
        return [PresentedQuestion(q, q.options) for q in questions]
    rng = random.Random(seed)
    rng.shuffle(questions)
    presented = []
    for question in questions:
        options = list(question.options)
        rng.shuffle(options)
        presented.append(PresentedQuestion(question, tuple(options)))
    return presented
