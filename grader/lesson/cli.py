"""`grade lesson`: click wiring for the lesson's text and its geometry picture.

It lives beside the lesson, not in grader/cli.py, which only adds it as one command.
Exit codes: 0 shown; 2 usage error (unknown section), with one line saying why.
"""

from __future__ import annotations

import os

import click

from grader.lesson import render
from grader.lesson.sections import UnknownSection, find, sections

EXIT_USAGE = 2


class LessonError(click.ClickException):
    """A one-line usage error ("Error: ..."), exit code 2."""

    exit_code = EXIT_USAGE


class LessonGroup(click.Group):
    """`grade lesson` alone lists the sections; any words that are not a subcommand
    name a section, so `grade lesson the geometric picture` works unquoted."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] in self.commands:
            return super().resolve_command(ctx, args)
        words = [a for a in args if not a.startswith("-")]
        return " ".join(words), _section_command, [a for a in args if a.startswith("-")]


def _color() -> bool | None:
    """Colour only on a terminal (click's default), and never with NO_COLOR set."""
    return False if os.environ.get("NO_COLOR") else None


@click.group("lesson", cls=LessonGroup, invoke_without_command=True,
             subcommand_metavar="[SECTION]")
@click.pass_context
def lesson(ctx: click.Context) -> None:
    """Read the lesson on L1 regularization in your terminal.

    `grade lesson` lists the sections; `grade lesson SECTION` shows one, named by its
    number or its name (any case, or the start of a word in it: `grade lesson geometric`).
    """
    if ctx.invoked_subcommand is None:
        render.show(render.contents_text(sections(), render.terminal_width()), color=_color())


@click.command("section")
@click.pass_context
def _section_command(ctx: click.Context) -> None:
    """Show one section of the lesson."""
    try:
        section = find(ctx.info_name or "")
    except UnknownSection as error:
        raise LessonError(str(error)) from None
    text = render.section_text(section, len(sections()), render.terminal_width())
    render.show(text, color=_color())
