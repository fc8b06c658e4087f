"""Gradescope's results.json: one test entry per check, totals that add up.

Spec: https://gradescope-autograders.readthedocs.io/en/latest/specs/ (fields `score`,
`execution_time`, `output`, `tests[]` with `name`, `number`, `score`, `max_score`,
`status`, `output`, `visibility`). Our hidden checks become `after_due_date` tests, so a
student sees them once the deadline has passed; the grader's own tracebacks are `hidden`.
"""

from __future__ import annotations

import json

from grader.reports.safe_text import json_safe
from grader.results import GRADER_BROKE, Report, Status
from grader.text import tail

VISIBILITY = {"visible": "visible", "hidden": "after_due_date"}


def results(report: Report, *, execution_time: float) -> dict:
    """The results.json document for `report`."""
    tests = []
    for number, exercise in enumerate(report.exercises, start=1):
        for sub, check in enumerate(exercise.checks, start=1):
            tests.append({
                "name": f"{exercise.name}: {check.title}",
                "number": f"{number}.{sub}",
                "score": check.score,
                "max_score": check.max_score,
                "status": "passed" if check.status is Status.PASSED else "failed",
                "output": check.message,
                "visibility": VISIBILITY.get(check.visibility, "visible"),
            })
            if check.details:
                tests.append(_hidden_details(f"{number}.{sub}", check.details))
    return {
        "score": report.score,
        "execution_time": round(execution_time),
        "output": f"Score: {report.score}/{report.max_score}.",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def grader_failed(details: str, *, execution_time: float) -> dict:
    """A valid results.json for when the grader itself could not grade."""
    return {
        "score": 0,
        "execution_time": round(execution_time),
        "output": GRADER_BROKE,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {"name": "The autograder could not run", "number": "0.1", "score": 0, "max_score": 0,
             "status": "failed", "output": GRADER_BROKE, "visibility": "visible"},
            _hidden_details("0.2", details),
        ],
    }


def _hidden_details(number: str, details: str) -> dict:
    return {"name": "Details for the instructor", "number": number, "score": 0, "max_score": 0,
            "status": "failed", "output": tail(details, 8000), "visibility": "hidden"}


def dumps(document: dict) -> str:
    """The document as JSON text, valid UTF-8 whatever the learner's text holds."""
    return json.dumps(json_safe(document), indent=2) + "\n"
