"""Every piece of text the quiz shows, built as strings; the callers decide where it goes.

Text is wrapped at a fixed width, not the terminal's, so a given run prints the same bytes
everywhere. Styling uses click.style; click.echo removes it when colour is off.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import click

from quiz.answers_file import ANSWERS_FILE, SaveOutcome, Saved
from quiz.bank import LETTERS
from quiz.grading import QuestionResult, QuizResult
from quiz.selection import PresentedQuestion

WIDTH = 76


def wrap(text: str, indent: str = "", hanging: str | None = None) -> str:
    """Wrap `text` at WIDTH; the first line starts with `indent`, the rest with `hanging`."""
    return textwrap.fill(
        text,
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if hanging is None else hanging,
        break_on_hyphens=False,
    )


def session_intro(title: str, count: int, seed: int | None) -> str:
    """The lines shown before the first question."""
    noun = "question" if count == 1 else "questions"
    lines = [click.style(f"{title}: quiz, {count} {noun}.", bold=True)]
    if seed is not None:
        lines.append(f"Questions and options are shuffled with seed {seed}.")
    lines.append("Type the letter of your answer and press Enter. Ctrl-D or Ctrl-C stops the quiz.")
    return "\n".join(lines)


def question_block(number: int, total: int, presented: PresentedQuestion) -> str:
    """A question with its lettered options, preceded by a blank line."""
    lines = ["", click.style(f"Question {number} of {total}", bold=True)]
    lines.append(wrap(presented.question.stem))
    lines.append("")
    for letter, option in zip(LETTERS, presented.options):
        lines.append(wrap(option.text, indent=f"  {letter}. ", hanging="     "))
    lines.append("")
    return "\n".join(lines)


INVALID_ANSWER = "Please type one letter: A, B, C or D."


def feedback(presented: PresentedQuestion, given: str) -> str:
    """Right or wrong, the right letter, why the chosen option is wrong, and the explanation."""
    answer = presented.answer
    if given == answer:
        lines = [click.style(f"Correct: {answer}.", fg="green", bold=True)]
    else:
        lines = [click.style(f"Not quite. The answer is {answer}.", fg="red", bold=True)]
        why_wrong = presented.option(given).why_wrong or ""
        lines.append(wrap(f"You chose {given}: {why_wrong}"))
    lines.append(wrap(presented.question.explanation))
    return "\n".join(lines)


def score_line(result: QuizResult, *, so_far: bool = False) -> str:
    """`Score: N/M`, or `Score so far: N/M`."""
    label = "Score so far" if so_far else "Score"
    return click.style(f"{label}: {result.score}/{result.max_score}", bold=True)


def reread(result: QuizResult, sections: tuple[str, ...]) -> str:
    """Which lesson sections to reread for the missed questions, in the lesson's order.

    Empty when no question was missed.
    """
    missed: dict[str, list[int]] = {}
    for number, r in enumerate(result.questions, start=1):
        if not r.correct:
            missed.setdefault(r.section, []).append(number)
    if not missed:
        return ""
    lines = ["Reread these sections of the lesson:"]
    for section in sorted(missed, key=sections.index):
        numbers = missed[section]
        noun = "question" if len(numbers) == 1 else "questions"
        lines.append(f"  - {section} ({noun} {_join(numbers)})")
    return "\n".join(lines)


def _join(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def session_summary(result: QuizResult, total: int, sections: tuple[str, ...]) -> str:
    """The end of a session: the score and what to reread, or how far an early stop got."""
    lines = [""]
    if result.max_score < total:
        if result.max_score == 0:
            lines.append("You stopped the quiz before answering a question.")
            return "\n".join(lines)
        lines.append(f"You stopped the quiz after {result.max_score} of {total} questions.")
        lines.append(score_line(result, so_far=True))
    elif result.passed:
        lines.append(score_line(result) + ". You answered every question correctly.")
    else:
        lines.append(score_line(result))
    if text := reread(result, sections):
        lines.append(text)
    return "\n".join(lines)


def scripted_report(result: QuizResult, sections: tuple[str, ...]) -> str:
    """The plain-text report of `quiz --answers`: one line per question, then the score."""
    width = max(len(r.id) for r in result.questions)
    lines = [_result_line(number, r, width) for number, r in enumerate(result.questions, 1)]
    lines.append(score_line(result))
    if text := reread(result, sections):
        lines.append(text)
    return "\n".join(lines)


def _result_line(number: int, r: QuestionResult, width: int) -> str:
    verdict = "right" if r.correct else f"wrong, the answer is {r.answer}"
    return f"{number:>2}. {r.id:<{width}}  {r.given}  {verdict}"


NOT_SAVED_WITH_ALL = (
    "`quiz --all` does not save your answers; `quiz` alone saves the lesson's three for `grade all`."
)


def shown_path(path: Path, cwd: Path) -> str:
    """`path` relative to `cwd` when it is inside it, else in full."""
    relative = os.path.relpath(path, cwd)
    return str(path) if relative.startswith("..") else relative


def replace_question(path: Path, cwd: Path) -> str:
    """The yes/no question before replacing a saved answers file with other answers."""
    return f"{shown_path(path, cwd)} already holds other answers. Replace them with this session's?"


def saved_answers(outcome: SaveOutcome, cwd: Path, *, shuffled: bool) -> str:
    """One line saying where the answers were saved, or why not and how to save them."""
    letters = ",".join(outcome.letters)
    if shuffled:
        letters += " (the unshuffled quiz's letters)"
    if outcome.status is Saved.NO_FOLDER or outcome.path is None:
        return ("Your answers were not saved: there is no exercises/ folder here or above. "
                f"Run `quiz` from your course folder, or write {letters} "
                f"in exercises/{ANSWERS_FILE} yourself.")
    where = shown_path(outcome.path, cwd)
    if outcome.status is Saved.SAVED:
        return f"Saved your answers in {where}, where `grade all` reads them."
    if outcome.status is Saved.UNCHANGED:
        return f"Your answers are already saved in {where}."
    if outcome.status is Saved.KEPT:
        return f"Kept the answers already in {where}; this session's answers were not saved."
    if outcome.status is Saved.IN_THE_WAY:
        return (f"Your answers were not saved: {where} is {outcome.detail}, so it was left "
                f"alone. Remove it, then write {letters} in a file of that name.")
    return (f"Your answers were not saved: cannot write {where} ({outcome.detail}). "
            f"Write {letters} in it yourself.")
