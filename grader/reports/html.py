"""Render a `Report` as HTML for a Jupyter notebook's output area (what `check()` shows).

The same content as the text report: each check with a mark and its points, and under a
failing one the call, what came back, what was expected, the lesson idea and one hint.
Every piece of text is escaped: messages quote what the learner's code returned.
"""

from __future__ import annotations

from html import escape

from grader.results import ExerciseResult, Report, Status

MARKS = {Status.PASSED: ("✓", "#1a7f37"), Status.FAILED: ("✗", "#cf222e"),
         Status.SKIPPED: ("–", "#9a6700"), Status.ERROR: ("!", "#8250df")}
BOX = "font-family: sans-serif; line-height: 1.4; margin: 0.3em 0"
MESSAGE = ("white-space: pre-wrap; margin: 0.2em 0 0.5em 1.6em; padding: 0.3em 0.5em; "
           "background: rgba(127, 127, 127, 0.1); font-size: 90%")


def to_html(report: Report, notes: list[str] | tuple[str, ...] = ()) -> str:
    """The report as one self-contained HTML fragment (inline styles, no scripts)."""
    parts = [f'<div class="l1lab-report" style="{BOX}">']
    for note in notes:
        parts.append(f"<div>Note: {escape(note)}</div>")
    for exercise in report.exercises:
        parts += _exercise(exercise)
    if len(report.exercises) > 1:
        parts.append(f"<div><b>Total: {report.score}/{report.max_score}</b></div>")
    parts.append("</div>")
    return "\n".join(parts)


def _exercise(exercise: ExerciseResult) -> list[str]:
    parts = [f"<div><b>{escape(exercise.name)}: {escape(exercise.title)}</b></div>"]
    if exercise.status == "not started":
        first = next((c for c in exercise.checks if c.message), None)
        if first is not None:
            parts.append(_message(first.message))
    else:
        for check in exercise.checks:
            mark, color = MARKS[check.status]
            parts.append(f'<div><span style="color: {color}; font-weight: bold">{mark}</span> '
                         f"{escape(check.title)} ({check.score}/{check.max_score})</div>")
            if check.message:
                parts.append(_message(check.message))
    parts.append(f"<div><b>Score: {exercise.score}/{exercise.max_score}</b></div>")
    if exercise.hidden_checks:
        many = exercise.hidden_checks != 1
        parts.append(f"<div>{exercise.hidden_checks} more check{'s' if many else ''} "
                     f"run{'' if many else 's'} only when you submit; this score counts the "
                     "checks you can run here.</div>")
    parts.append(f"<div>{escape(_next_step(exercise))}</div>")
    return parts


def _message(text: str) -> str:
    return f'<div style="{MESSAGE}">{escape(text)}</div>'


def _next_step(exercise: ExerciseResult) -> str:
    if exercise.status == "passed":
        return "All checks here pass." if exercise.hidden_checks else "All checks pass. Well done."
    if exercise.status == "not started":
        return ("Replace the raise NotImplementedError in the exercise's cell with your code, "
                "run that cell, then check again.")
    if exercise.status == "error":
        return "Something went wrong in the grader, not in your code: please tell your instructor."
    return (f"Fix your code, run its cell again, then check again. Stuck? In a terminal, "
            f"grade hint {exercise.name} gives the next hint.")
