"""The grading API: what `grade exerciseN`, `grade all` and a batch's grading process call.

The command line and the batch share this one function, so a student graded in a class
gets exactly the report `grade all` gives them alone.
"""

from __future__ import annotations

from pathlib import Path

from grader.catalog import Exercise
from grader.locate import NotFound, locate
from grader.program import Program
from grader.results import TELL_INSTRUCTOR, Report
from grader.sandbox.cgroups import MEMORY, Wall
from grader.submission import start_submissions

__all__ = ["GradingFailed", "NotFound", "grade", "grader_failed", "warm_up"]


class GradingFailed(Exception):
    """The grader itself could not grade (a bug or a broken installation), not the learner."""


def grade(exercises: list[Exercise], submission: Path | Program | None, cwd: Path, *,
          quiz: bool, wall: Wall | None = None) -> Report:
    """Grade `submission` (a file for one exercise, a notebook, a folder, None for the
    `exercises/` folder found from `cwd`, or a `Program` such as a kernel's code) and, with
    `quiz`, the quiz answers beside it.

    The learner's processes run in `wall` (a batch's grading process is in its student's
    wall already, and its server removes it), or else in a wall made here for this grading.
    Checks that passed in an earlier grading on this machine replay the inputs they drew then
    (`grader.replay_store`). Raises `NotFound` when there is nothing to grade there (the
    message says what to do) and `GradingFailed` when the grader itself broke."""
    if isinstance(submission, Program):
        located, files = None, {e.name: submission for e in exercises}
        quiz = False
    else:
        located = locate(list(exercises), submission, cwd)
        files = located.files()
    own = wall is None
    wall = Wall.open(memory=MEMORY) if own else wall
    try:
        submissions = start_submissions(list(exercises), files, wall=wall)
        # Imported only now, so the workers boot while pytest and hypothesis load.
        from grader.grading import GraderError, run_checks
        from grader.quiz_item import QuizBroken, with_quiz
        from grader.replay_store import remembered
        try:
            with remembered():
                report = run_checks(list(exercises), submissions)
            if quiz:
                report = with_quiz(report, located)
            return report
        except (GraderError, QuizBroken) as error:
            raise GradingFailed(str(error)) from None
    finally:
        if own:
            wall.close()


def grader_failed(problem: str) -> str:
    """The one sentence a learner reads when the grader itself failed."""
    return f"the grader itself failed ({problem}). {TELL_INSTRUCTOR}"


def warm_up() -> None:
    """Make later gradings in this process (or in forks of it) fast: import everything a
    grading needs, and record the inputs hypothesis draws for each check on the reference
    solutions, so a grading replays them instead of drawing again (`grader.replay`; a
    failing replay is graded again from scratch, so no result changes)."""
    from grader import catalog, grading, paths, replay

    for exercise in catalog.exercises():
        __import__(exercise.checks_module)
    import grader.quiz_item  # noqa: F401
    replay.enable()
    folder = paths.solutions()
    if folder is None:  # a student copy: nothing to record, every check draws its inputs
        return
    exercises = list(catalog.exercises())
    # A reference that fails a check records nothing for it: that check then draws as usual.
    grading.grade(exercises, {e.name: folder / e.file for e in exercises})
