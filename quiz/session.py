"""The interactive quiz: ask each question, read a letter, give feedback, keep score."""

from __future__ import annotations

from dataclasses import dataclass

import click

from quiz import render
from quiz.bank import LETTERS
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
