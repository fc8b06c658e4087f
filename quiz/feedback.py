"""What an LMS shows after an answer, the same in every export (GIFT, QTI)."""

from __future__ import annotations

from quiz.bank import Option, Question

CORRECT = "Correct."
"""The feedback on the right option; the explanation follows as general feedback."""


def option_feedback(option: Option) -> str:
    """The feedback shown when this option is chosen: why it is wrong, or CORRECT."""
    return CORRECT if option.correct else option.why_wrong or ""


def general_feedback(question: Question) -> str:
    """The feedback shown after any answer: the explanation and the section to reread."""
    return f"{question.explanation} (Lesson section: {question.section}.)"
