"""The interactive quiz: ask each question, read a letter, give feedback, keep score, and
save the answers where `grade all` reads them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from quiz import render
from quiz.answers_file import SaveOutcome, bank_letters, save_answers
from quiz.bank import LETTERS, Question
from quiz.grading import QuestionResult, QuizResult, grade_one
from quiz.selection import PresentedQuestion


@dataclass(frozen=True)
class SessionOutcome:
    """What a session ended with."""

    result: QuizResult
    """The answers given so far (all of them when `completed`)."""
    completed: bool
    """False when the learner stopped it with Ctrl-C or Ctrl-D."""


def run_session(
    presented: list[PresentedQuestion],
    *,
    title: str,
    sections: tuple[str, ...],
    seed: int | None = None,
    color: bool | None = None,
) -> SessionOutcome:
    """Ask the questions in order on the terminal and print the summary.

    `title` and `sections` come from the bank (the intro line, and the order in which to
    list sections to reread). Ctrl-C or Ctrl-D at any point stops the session; the summary
    then shows the score so far. `color` is passed to click.echo: None means "only on a
    terminal".
    """
    answered: list[QuestionResult] = []
    completed = False
    click.echo(render.session_intro(title, len(presented), seed), color=color)
    try:
        for number, question in enumerate(presented, start=1):
            click.echo(render.question_block(number, len(presented), question), color=color)
            given = _ask_letter(color)
            answered.append(grade_one(question, given))
            click.echo(render.feedback(question, given), color=color)
        completed = True
    except (click.Abort, KeyboardInterrupt, EOFError):
        # The prompt leaves the cursor after "^C" or the prompt text; start a fresh line.
        click.echo()
    result = QuizResult.of(answered)
    click.echo(render.session_summary(result, len(presented), sections), color=color)
    return SessionOutcome(result=result, completed=completed)


def _ask_letter(color: bool | None) -> str:
    """Prompt until the learner types one of A-D (any case); other input is not counted."""
    while True:
        raw = click.prompt("Your answer (A-D)", default="", show_default=False, prompt_suffix=": ")
        letter = raw.strip().upper()
        if len(letter) == 1 and letter in LETTERS:
            return letter
        click.echo(render.INVALID_ANSWER, color=color)


def save_for_grading(
    presented: list[PresentedQuestion],
    result: QuizResult,
    lesson: tuple[Question, ...],
    *,
    shuffled: bool,
    color: bool | None = None,
) -> SaveOutcome:
    """Save a finished session's answers to the lesson's questions for `grade all`.

    Asks before replacing a file that holds other answers; Enter, "n", Ctrl-D or Ctrl-C
    keep it. Ends with one line saying where the answers are, or why they were not saved.
    """
    cwd = Path.cwd()
    click.echo()
    outcome = save_answers(
        bank_letters(presented, result, lesson),
        start=cwd,
        confirm_replace=lambda path: _confirm_replace(path, cwd),
    )
    click.echo(render.saved_answers(outcome, cwd, shuffled=shuffled), color=color)
    return outcome


def _confirm_replace(path: Path, cwd: Path) -> bool:
    try:
        return click.confirm(render.replace_question(path, cwd), default=False)
    except click.Abort:
        # Ctrl-C or Ctrl-D leaves the cursor after the prompt; start a fresh line.
        click.echo()
        return False
