"""`grade lesson`: click wiring for the lesson's text and its geometry picture.

It lives beside the lesson, not in grader/cli.py, which only adds it as one command.
Everything else is imported inside the commands: `grade exercise1` loads this module too,
and should not pay for the lesson.
Exit codes: 0 shown; 2 usage error (unknown section, invalid numbers, a picture that cannot
be written: unknown extension, no matplotlib, no permission), with one line saying why.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.lesson.geometry import Problem

EXIT_USAGE = 2


class LessonError(click.ClickException):
    """A one-line usage error ("Error: ..."), exit code 2."""

    exit_code = EXIT_USAGE


class LessonGroup(click.Group):
    """`grade lesson` alone lists the sections; any words that are not a subcommand
    (`geometry`) name a section, so `grade lesson the geometric picture` works unquoted."""

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str, click.Command, list[str]]:
        if args and args[0] in self.commands:
            return super().resolve_command(ctx, args)
        words = [a for a in args if not a.startswith("-")]
        return " ".join(words), _section_command, [a for a in args if a.startswith("-")]


def _color() -> bool | None:
    """Colour only on a terminal (click's default), and never with NO_COLOR set."""
    return False if os.environ.get("NO_COLOR") else None


@click.group("lesson", cls=LessonGroup, invoke_without_command=True,
             subcommand_metavar="[SECTION | geometry]")
@click.pass_context
def lesson(ctx: click.Context) -> None:
    """Read the lesson on L1 regularization in your terminal.

    `grade lesson` lists the sections; `grade lesson SECTION` shows one, named by its
    number or its name (any case, or the start of a word in it: `grade lesson geometric`).
    `grade lesson geometry` draws the L1 and L2 budgets with the loss around them.
    """
    if ctx.invoked_subcommand is None:
        from grader.lesson import render
        from grader.lesson.sections import sections
        render.show(render.contents_text(sections(), render.terminal_width()), color=_color())


@click.command("section")
@click.pass_context
def _section_command(ctx: click.Context) -> None:
    """Show one section of the lesson."""
    from grader.lesson import render
    from grader.lesson.sections import UnknownSection, find, sections
    try:
        section = find(ctx.info_name or "")
    except UnknownSection as error:
        raise LessonError(str(error)) from None
    text = render.section_text(section, len(sections()), render.terminal_width())
    render.show(text, color=_color())


@lesson.command("geometry")
@click.option("--center", default="1.8,1", show_default=True, metavar="X,Y",
              help="The unconstrained optimum, where the loss ellipses are centred.")
@click.option("--budget", default="1", show_default=True, metavar="C",
              help="The size of both budgets: |w1| + |w2| <= C and w1² + w2² <= C².")
@click.option("--shape", default="1.5,0.5,1", show_default=True, metavar="A,B,D",
              help="The loss A(w1-X)² + 2B(w1-X)(w2-Y) + D(w2-Y)²; needs A, D > 0 and AD > B².")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]),
              help="Print the solutions instead of drawing them: text, or json for programs.")
@click.option("--save", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the picture to FILE.png or FILE.svg (needs matplotlib).")
def geometry(center: str, budget: str, shape: str, fmt: str | None, save: Path | None) -> None:
    """Draw the L1 diamond and the L2 circle with the loss ellipses, and where each
    budget stops the weights.

    On a terminal the picture is interactive: arrow keys move the centre, r/R turn the
    ellipses, s/S stretch them, +/- change C, q quits. Elsewhere, or with --format, it
    prints the two solutions; with --save it writes an image.
    """
    from grader.lesson.geometry import GeometryError, Problem, solve, validate
    try:
        problem = validate(Problem(_numbers("--center", center, "X,Y", "1.8,1"),
                                   _numbers("--budget", budget, "C", "1")[0],
                                   _numbers("--shape", shape, "A,B,D", "1.5,0.5,1")))
    except GeometryError as error:
        raise LessonError(str(error)) from None
    if save is not None:
        _save(problem, save)
    if fmt is None and save is None and sys.stdin.isatty() and sys.stdout.isatty():
        from grader.lesson.geometry_screen import CannotDraw, run_screen
        try:
            run_screen(problem)
            return
        except CannotDraw as error:
            click.echo(f"Cannot draw here ({error}); here are the numbers instead.", err=True)
    solution = solve(problem)
    if fmt == "json":
        click.echo(json.dumps(solution.as_json()))
    elif fmt == "text" or save is None:
        from grader.lesson.geometry_text import summary
        click.echo("\n".join(summary(problem, solution)))


def _numbers(option: str, text: str, names: str, example: str) -> tuple[float, ...]:
    count = names.count(",") + 1
    parts = text.split(",")
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        values = ()
    if len(values) != count:
        raise LessonError(f"{option} takes {names}: {count} number{'s' if count > 1 else ''} "
                          f"separated by commas, like {example}; got {text!r}.")
    return values


def _save(problem: Problem, path: Path) -> None:
    from grader.lesson.pictures import PictureError, save_picture
    try:
        save_picture(problem, path)
    except PictureError as error:
        raise LessonError(str(error)) from None
    click.echo(f"Wrote {path}.", err=True)
