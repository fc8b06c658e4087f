"""The grading API: what `grade exerciseN`, `grade all` and a batch's grading process call.

The command line and the batch share this one function, so a student graded in a class
gets exactly the report `grade all` gives them alone.
"""

from __future__ import annotations

from pathlib import Path

from grader.catalog import Exercise
from grader.locate import NotFound, submission_files
from grader.program import Program
from grader.results import TELL_INSTRUCTOR, Report
from grader.submission import start_submissions

__all__ = ["GradingFailed", "NotFound", "grade", "grader_failed"]


class GradingFailed(Exception):
    """The grader itself could not grade (a bug or a broken installation), not the learner."""


def grade(exercises: list[Exercise], submission: Path | Program | None, cwd: Path, *,
          quiz: bool) -> Report:
    """Grade `submission` (a file for one exercise, a notebook, a folder, None for the
    `exercises/` folder found from `cwd`, or a `Program` such as a kernel's code) and, with
    `quiz`, the quiz answers beside it.

    Raises `NotFound` when there is nothing to grade there (the message says what to do) and
    `GradingFailed` when the grader itself broke."""
    if isinstance(submission, Program):
        files = {e.name: submission for e in exercises}
        quiz = False
    else:
        files = submission_files(list(exercises), submission, cwd)
    submissions = start_submissions(list(exercises), files)
    # Imported only now, so the workers boot while pytest and hypothesis load.
    from grader.grading import GraderError, run_checks
    from grader.quiz_item import QuizBroken, with_quiz
    try:
        report = run_checks(list(exercises), submissions)
        if quiz:
            folder = next(iter(files.values())).parent if files else None
            report = with_quiz(report, folder)
        return report
    except (GraderError, QuizBroken) as error:
        raise GradingFailed(str(error)) from None


def grader_failed(problem: str) -> str:
    """The one sentence a learner reads when the grader itself failed."""
    return f"the grader itself failed ({problem}). {TELL_INSTRUCTOR}"
