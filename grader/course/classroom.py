"""One GitHub Classroom step per visible check: did that check pass in the report?

The student copy's workflow (`grader.course.release.classroom_workflow`) grades once with
`grade all --format json --output REPORT`, then runs, in one command-grader step per
visible check,

    python -m grader.course.classroom REPORT EXERCISE CHECK

which exits 0 (the step earns its points) when that check passed in REPORT and 1 otherwise,
printing the check's title and message for the student.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

USAGE = "usage: python -m grader.course.classroom REPORT EXERCISE CHECK"


def check_passed(report: dict, exercise: str, check: str) -> tuple[bool, str]:
    """(whether `check` of `exercise` passed in `report`, what the student reads)."""
    for entry in report.get("exercises", []):
        if entry.get("name") != exercise:
            continue
        for result in entry.get("checks", []):
            if result.get("name") == check:
                status = result.get("status")
                text = f"{exercise}: {result.get('title', check)}: {status}"
                message = result.get("message") or ""
                return status == "passed", text + (f"\n{message}" if message else "")
    return False, f"{exercise}: no result for check {check} in the report; grading failed."


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(USAGE, file=sys.stderr)
        return 2
    path, exercise, check = argv
    try:
        report = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"cannot read the report {path}: {error}; the grading step before this one "
              "failed, see its output.", file=sys.stderr)
        return 1
    passed, text = check_passed(report if isinstance(report, dict) else {}, exercise, check)
    print(text)
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
