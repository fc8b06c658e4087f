"""The `quiz` command: wires click options to the functions that do the work."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from quiz import render
from quiz.atomic import write_atomically
from quiz.bank import DEFAULT_BANK, Bank, BankError, load_bank
from quiz.gift import IMPORT_HINT as GIFT_IMPORT_HINT
from quiz.gift import bank_to_gift
from quiz.grading import grade, parse_answers
from quiz.qti import IMPORT_HINT as QTI_IMPORT_HINT
from quiz.qti import bank_to_qti_zip
from quiz.selection import PresentedQuestion, select_questions
from quiz.session import run_session, save_for_grading

EXIT_INTERRUPTED = 130
"""Exit code when the learner stops an interactive session with Ctrl-C or Ctrl-D."""


class QuizError(click.ClickException):
    """A one-line error for a malformed bank or malformed answers; exits with code 2."""

    exit_code = 2


def _color() -> bool | None:
    """False when NO_COLOR is set (https://no-color.org), else None: colour only on a tty."""
    return False if os.environ.get("NO_COLOR") else None


def _load(path: Path | None) -> Bank:
    try:
        return load_bank(path)
    except BankError as exc:
        raise QuizError(str(exc)) from None


_bank_option = click.option(
    "--bank",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Use this question bank (a TOML file) instead of the lesson's.",
)


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("--all", "all_questions", is_flag=True,
              help="Ask every question in the bank, not only the lesson's three.")
@click.option("--shuffle", is_flag=True, help="Shuffle the questions and their options (needs --seed).")
@click.option("--seed", type=int, metavar="N", help="Seed for --shuffle; the same N gives the same order.")
@click.option("--answers", metavar="LETTERS",
              help="Grade these letters, in question order, without prompting (e.g. B,D,A).")
@click.option("--answers-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Grade the letters in this file without prompting (format in quiz/README.md).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How --answers reports the result.")
@_bank_option
@click.pass_context
def main(
    ctx: click.Context,
    all_questions: bool,
    shuffle: bool,
    seed: int | None,
    answers: str | None,
    answers_file: Path | None,
    output_format: str,
    bank: Path | None,
) -> None:
    """Take the quiz for the lesson "L1 regularization (Lasso)".

    Without options, ask the lesson's three questions one at a time: type a letter, read
    why it is right or wrong, and see your score and what to reread at the end.

    With --answers or --answers-file, grade the letters without asking anything.

    \b
    Exit codes:
      0    the session finished, or every scripted answer is right
      1    a scripted answer is wrong
      2    bad options, malformed answers, or a malformed question bank
      130  you stopped the session with Ctrl-C or Ctrl-D
    """
    ctx.obj = bank
    if os.environ.get("NO_COLOR"):
        ctx.color = False
    session_options = all_questions or shuffle or seed is not None or answers is not None
    if ctx.invoked_subcommand is not None:
        if session_options or answers_file or output_format != "text":
            raise click.UsageError(
                f"give quiz options such as --all or --answers without {ctx.invoked_subcommand!r}"
            )
        return
    if shuffle and seed is None:
        raise click.UsageError("--shuffle needs --seed N, so the same order can be shown again")
    if seed is not None and not shuffle:
        raise click.UsageError("--seed only has an effect together with --shuffle")
    if answers is not None and answers_file is not None:
        raise click.UsageError("give --answers or --answers-file, not both")
    scripted = answers is not None or answers_file is not None
    if output_format == "json" and not scripted:
        raise click.UsageError("--format json needs --answers or --answers-file")

    loaded = _load(bank)
    presented = select_questions(loaded, all_questions=all_questions, seed=seed)
    if scripted:
        text = _read_answers_file(answers_file) if answers_file else (answers or "")
        ctx.exit(_grade_and_report(presented, text, output_format, loaded.sections))
    outcome = run_session(
        presented, title=loaded.title, sections=loaded.sections, seed=seed, color=_color()
    )
    if not outcome.completed:
        ctx.exit(EXIT_INTERRUPTED)
    if loaded.path.resolve() == DEFAULT_BANK.resolve():  # what `grade all` grades
        if all_questions:
            click.echo("\n" + render.NOT_SAVED_WITH_ALL)
        else:
            save_for_grading(presented, outcome.result, loaded.lesson_questions,
                             shuffled=shuffle, color=_color())
    ctx.exit(0)


def _read_answers_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QuizError(f"{path}: cannot be read as UTF-8 text ({exc})") from None


def _grade_and_report(
    presented: list[PresentedQuestion], text: str, output_format: str, sections: tuple[str, ...]
) -> int:
    """Grade the answers and print the report (JSON alone on stdout); return the exit code.

    Malformed answers raise QuizError (exit 2) before anything is printed on stdout.
    """
    try:
        result = grade(presented, parse_answers(text))
    except ValueError as exc:
        raise QuizError(f"answers: {exc}") from None
    if output_format == "json":
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        click.echo(render.scripted_report(result, sections), color=_color())
    return 0 if result.passed else 1


@main.command()
@click.option("--format", "output_format", type=click.Choice(["gift", "qti"]), default="gift",
              show_default=True,
              help="gift: Moodle's GIFT text. qti: a QTI 1.2 zip for Canvas (needs --output).")
@click.option("--output", "-o", type=click.Path(path_type=Path), metavar="FILE",
              help="Write to FILE (replacing it) instead of printing.")
@_bank_option
@click.pass_obj
def export(group_bank: Path | None, output_format: str, output: Path | None,
           bank: Path | None) -> None:
    """Export the whole question bank in an LMS import format.

    \b
    quiz export > l1-quiz.gift
        Moodle: Question bank > Import > GIFT format
    quiz export --format qti --output l1-quiz.zip
        Canvas: Settings > Import Course Content > QTI .zip file
    """
    if output_format == "qti" and output is None:
        raise click.UsageError("--format qti writes a zip file; name it with --output FILE.zip")
    loaded = _load(bank or group_bank)
    if output is None:
        click.echo(bank_to_gift(loaded), nl=False)
        return
    if output_format == "qti":
        data, hint = bank_to_qti_zip(loaded), QTI_IMPORT_HINT
    else:
        data, hint = bank_to_gift(loaded).encode("utf-8"), GIFT_IMPORT_HINT
    _write_export(output, data, suffix=output_format if output_format == "gift" else "zip")
    click.echo(f"Wrote {len(loaded.questions)} questions to {output}. {hint}")


def _write_export(output: Path, data: bytes, *, suffix: str) -> None:
    """Write an export atomically; one-line errors for a folder or an unwritable place."""
    if output.is_dir():
        example = os.path.join(output, f"quiz.{suffix}")
        raise QuizError(f"{output} is a folder; name a file inside it, e.g. {example}")
    try:
        write_atomically(output, data)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise QuizError(f"cannot write {output} ({reason}); check that its folder exists "
                        "and that you may write there") from None


@main.command()
@_bank_option
@click.pass_obj
def check(group_bank: Path | None, bank: Path | None) -> None:
    """Validate a question bank and say what it holds.

    Exits 0 when the bank is valid, 2 with a one-line message naming the problem otherwise.
    """
    loaded = _load(bank or group_bank)
    lesson = sum(q.lesson for q in loaded.questions)
    click.echo(
        f"{loaded.path}: {len(loaded.questions)} questions, "
        f"{lesson} in the lesson's quiz, {len(loaded.sections)} sections. The bank is valid."
    )
