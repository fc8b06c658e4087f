"""The lesson's sections as terminal text, and how that text reaches the learner.

Text is wrapped to the terminal's width, but never wider than WIDEST columns: long lines
are hard to read, and a wide window should not make them longer. Formula lines (indented
by four spaces in the source) are never rewrapped, since a broken formula misleads.
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap

import click

from grader.lesson.sections import LESSON_TITLE, Section

WIDEST = 88
FORMULA = "    "
BULLET = "- "
GLUE = "\u00a0"  # textwrap breaks only at ASCII whitespace, so a no-break space holds


def terminal_width() -> int:
    """The width to wrap at: the terminal's (80 when there is none), at most WIDEST."""
    return max(40, min(WIDEST, shutil.get_terminal_size((80, 24)).columns - 1))


def section_text(section: Section, total: int, width: int) -> str:
    """One section: a heading, its wrapped body, and where to go next."""
    heading = wrap(f"{section.number}. {section.title}", width)
    lines = [click.style(line, bold=True) for line in heading]
    lines += ["═" * max(map(len, heading)), ""]
    lines += body_lines(section.body, width)
    lines.append("")
    if section.number < total:
        lines += wrap(f"Next: `grade lesson {section.number + 1}`. "
                      "All sections: `grade lesson`.", width)
    else:
        lines += wrap("That is the end of the lesson. All sections: `grade lesson`.", width)
    return "\n".join(lines) + "\n"


def wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """`text` as lines of at most `width`, never breaking a `command` or a short (x, y)."""
    lines = textwrap.wrap(_glue(text), width=width, initial_indent=first, subsequent_indent=rest,
                          break_on_hyphens=False, break_long_words=False)
    return [line.replace(GLUE, " ") for line in lines]


def body_lines(body: str, width: int) -> list[str]:
    """Paragraphs and bullets wrapped to `width`; formula lines kept exactly as written."""
    lines: list[str] = []
    for block in body.split("\n\n"):
        for kind, text in _items(block.split("\n")):
            if kind == "formula":
                lines.append(text)
                continue
            first, rest = ("  • ", "    ") if kind == "bullet" else ("", "")
            lines += wrap(text, width, first, rest)
        lines.append("")
    return lines[:-1]


def _glue(text: str) -> str:
    """Join the spaces of a `command` or a short (x, y) so no line break splits it: a
    command cut in two cannot be copied, and a point cut in two reads as two numbers."""
    text = re.sub(r"`[^`]*`", lambda m: m.group().replace(" ", GLUE), text)
    return re.sub(r"\([^()]{1,24}\)", lambda m: m.group().replace(" ", GLUE), text)


def _items(rows: list[str]) -> list[tuple[str, str]]:
    """A block's rows as (kind, text): formula rows as they are, and the rest joined into
    paragraphs and bullets (a bullet's further rows are indented by two spaces)."""
    items: list[tuple[str, str]] = []
    for row in rows:
        if row.startswith(FORMULA):
            items.append(("formula", row.rstrip()))
        elif row.startswith(BULLET):
            items.append(("bullet", row[len(BULLET):].strip()))
        elif items and items[-1][0] != "formula":
            items[-1] = (items[-1][0], f"{items[-1][1]} {row.strip()}")
        else:
            items.append(("paragraph", row.strip()))
    return items


def contents_text(sections: tuple[Section, ...], width: int) -> str:
    """The numbered list of sections, and how to read one."""
    lines = [click.style(f"{LESSON_TITLE}: the lesson in {len(sections)} sections", bold=True), ""]
    lines += [f"  {s.number:>2}. {s.title}" for s in sections]
    lines.append("")
    how = ("Read one with `grade lesson NUMBER` or by name: `grade lesson 5` and "
           "`grade lesson geometric` show the same section. See the L1 and L2 budgets "
           "drawn with `grade lesson geometry`.")
    lines += wrap(how, width)
    return "\n".join(lines) + "\n"


def show(text: str, *, color: bool | None) -> None:
    """Print `text`; through a pager only on a terminal and when it is taller than it."""
    height = shutil.get_terminal_size((80, 24)).lines
    if sys.stdout.isatty() and text.count("\n") >= height:
        click.echo_via_pager(text, color=color)
    else:
        click.echo(text, nl=False, color=color)
