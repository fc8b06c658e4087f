"""Render a `Report` for people (text) and for course platforms (JSON)."""

from __future__ import annotations

import json
import sys

import click

from grader import catalog
from grader.reports.safe_text import for_terminal, json_safe
from grader.results import ExerciseResult, Report, Status

MARKS = {Status.PASSED: ("✓", "green"), Status.FAILED: ("✗", "red"),
         Status.SKIPPED: ("-", "yellow"), Status.ERROR: ("!", "magenta")}
ASCII_MARKS = {Status.PASSED: "ok", Status.FAILED: "X", Status.SKIPPED: "-", Status.ERROR: "!"}


def to_json(report: Report) -> str:
    """The JSON report (version 1): ASCII, valid UTF-8 whatever the learner's text holds."""
    return json.dumps(json_safe(report.to_dict()), indent=2) + "\n"


def to_text(report: Report, *, color: bool = False) -> str:
    """Each exercise's checks with a mark and points, feedback under each failure, the score.

    Learner text (messages, and anything else that could hold it) is shown `for_terminal`:
    no escape sequence or control character in it reaches the terminal."""
    lines: list[str] = []
    for exercise in report.exercises:
        lines += _exercise_lines(exercise, color=color)
    if len(report.exercises) > 1:
        lines.append(click.style(f"Total: {report.score}/{report.max_score}", bold=True, fg=None))
    return "\n".join(lines) + "\n"


def _exercise_lines(exercise: ExerciseResult, *, color: bool) -> list[str]:
    lines = [click.style(for_terminal(f"{exercise.name}: {exercise.title}"), bold=True)]
    if exercise.status == "not started":
        # One reason is enough: every other check waits for the same thing.
        first = next(c for c in exercise.checks if c.message)
        lines += ["  " + line for line in _lines(first.message)]
    else:
        # The first failure in full (what went wrong, the idea, the hint); later ones in
        # their first line: fixing the first often fixes the rest, and it fits on a screen.
        first_failure = next((c for c in exercise.checks if c.status is Status.FAILED), None)
        for check in exercise.checks:
            mark, fg = _mark(check.status)
            lines.append(f"  {click.style(mark, fg=fg)} {for_terminal(check.title)} "
                         f"({check.score}/{check.max_score})")
            message = _lines(check.message) if check.message else []
            if check.status is Status.FAILED and check is not first_failure:
                message = message[:1]
            lines += ["      " + line for line in message]
    lines.append(click.style(f"Score: {exercise.score}/{exercise.max_score}", bold=True))
    if exercise.hidden_checks:
        many = exercise.hidden_checks != 1
        lines.append(f"{exercise.hidden_checks} more check{'s' if many else ''} "
                     f"run{'' if many else 's'} only when you submit; this score counts the "
                     "checks you can run here.")
    lines.append(_next_step(exercise))
    lines.append("")
    return [line for line in lines if line is not None]


def _lines(message: str) -> list[str]:
    """A message's lines, safe for a terminal."""
    return for_terminal(message).splitlines()


def _next_step(exercise: ExerciseResult) -> str | None:
    graded = exercise.name in catalog.names()
    if exercise.status == "passed":
        return "All checks here pass." if exercise.hidden_checks else "All checks pass. Well done."
    if exercise.status == "not started" and graded:
        return f"Open {exercise.name}.py, read the docstring and replace the stub."
    if exercise.status == "failed" and graded:
        return f"Stuck? Run: grade hint {exercise.name}"
    return None


def _mark(status: Status) -> tuple[str, str]:
    mark, fg = MARKS[status]
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        mark.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        mark = ASCII_MARKS[status]
    return mark, fg


def overview(report: Report) -> str:
    """A table of every exercise with its status and score, and which one to do next."""
    rows = [("exercise", "title", "status", "score")]
    rows += [(for_terminal(e.name, keep=""), for_terminal(e.title, keep=""), e.status,
              f"{e.score}/{e.max_score}") for e in report.exercises]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    todo = next((e for e in report.exercises if e.status != "passed"), None)
    lines.append("")
    lines.append(f"Total: {report.score}/{report.max_score}")
    if todo is None:
        lines.append("Every exercise passes. Well done.")
    elif todo.name in catalog.names():
        lines.append(f"Next: {todo.name} ({todo.title}). Run: grade {todo.name}")
    else:
        lines.append(f"Next: {todo.title}. Run: quiz (at the end it saves your answers where "
                     "grade reads them).")
    return "\n".join(lines) + "\n"
