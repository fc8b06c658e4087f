"""What grading produces: plain dataclasses that the text and JSON reports render."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum

FORMAT_VERSION = 1


class Status(str, Enum):
    """How one check ended."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    """Not run, because a check it depends on did not pass; it scores 0."""
    ERROR = "error"
    """The grader broke, not the learner's code: the learner is told to contact the instructor."""


TELL_INSTRUCTOR = "This is not caused by your code: please tell your instructor."
"""What a learner reads whenever the grader, not their code, broke."""
GRADER_BROKE = ("The grader itself failed on this check; it will not count against you. "
                + TELL_INSTRUCTOR)
"""A check's message when the grader, not the learner's code, failed on it."""


@dataclass
class CheckResult:
    name: str
    """Stable identifier, e.g. "zero_at_zero"."""
    title: str
    """What the check verifies, in the learner's words."""
    status: Status
    score: int
    max_score: int
    message: str = ""
    """Learner-facing feedback: the counterexample, the lesson idea and a hint; empty on a pass."""
    visibility: str = "visible"
    kind: str = ""
    """Why it failed, for summaries: "not started", "failed", or "" when it did not."""
    details: str = ""
    """For instructors only: the grader's own traceback when the status is error."""


@dataclass
class ExerciseResult:
    name: str
    title: str
    score: int
    max_score: int
    status: str
    """"passed", "failed", "not started" or "error"."""
    checks: list[CheckResult] = field(default_factory=list)
    hidden_checks: int = 0
    """Checks left out of this student copy (`grade release`); they run at submission."""


@dataclass
class Report:
    score: int
    max_score: int
    status: str
    """"passed" (full marks), "failed" or "error" (the grader broke somewhere)."""
    exercises: list[ExerciseResult]
    version: int = FORMAT_VERSION
    isolation: str = ""
    """How the learner's code was confined: "full", "reduced" or "minimal" (`grade doctor`)."""
    isolation_details: dict = field(default_factory=dict)
    """The student's resource wall ("resource_wall": "cgroup v1: cpu, ..." or "none") and the
    fallbacks that hold where a wall is missing, one sentence each."""

    def to_dict(self) -> dict:
        data = asdict(self)
        data = {"version": data.pop("version"), **data}
        for exercise in data["exercises"]:
            for check in exercise["checks"]:
                check["status"] = Status(check["status"]).value
                del check["kind"]
                if not check["details"]:
                    del check["details"]
        return data


def report_from_dict(data: dict) -> Report:
    """A `Report` back from its JSON form (`Report.to_dict`)."""
    exercises = [
        ExerciseResult(**{**exercise, "checks": [
            CheckResult(**{**check, "status": Status(check["status"])})
            for check in exercise["checks"]]})
        for exercise in data["exercises"]
    ]
    return Report(**{**data, "exercises": exercises})


def exercise_status(checks: list[CheckResult]) -> str:
    """One word for an exercise, from its checks."""
    if any(c.status is Status.ERROR for c in checks):
        return "error"
    if all(c.status is Status.PASSED for c in checks):
        return "passed"
    if any(c.status is Status.PASSED for c in checks):
        return "failed"  # begun: a function still a stub is one failing check among others
    first = next(c for c in checks if c.status is not Status.PASSED)
    return "not started" if first.kind == "not started" else "failed"


def overall_status(exercises: list[ExerciseResult]) -> str:
    if any(e.status == "error" for e in exercises):
        return "error"
    return "passed" if all(e.status == "passed" for e in exercises) else "failed"
