"""The grading API: what `grade exerciseN`, `grade all` and a batch's grading process call.

The command line and the batch share this one function, so a student graded in a class
gets exactly the report `grade all` gives them alone.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from pathlib import Path

from grader.catalog import Exercise
from grader.locate import NotFound, locate
from grader.program import Program
from grader.results import TELL_INSTRUCTOR, Report
from grader.sandbox.cgroups import MEMORY, Wall
from grader.sandbox.worker_start import warm_template
from grader.submission import begin_ahead, start_submissions

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
    exercises = list(exercises)
    try:
        # Two exercises or more on two cores: half of them in a fork (`grader.side_by_side`);
        # not in a batch, whose job slots use the cores already, nor in a process with other
        # threads (a Jupyter kernel), which a fork would copy in the middle of their work.
        # (The thread of a call begun ahead starts after this test; `grader.side_by_side`
        # says how the fork keeps clear of it.)
        side_by_side = own and len(exercises) > 1 and _cores() > 1 and _one_thread()
        warm_template()
        # A call the checks name ahead runs in a worker of its own where a core is free
        # (`grader.ahead`); not in a batch, which keeps every core busy already.
        early = own and _cores() > 1
        # Workers start first, so they boot while pytest loads; side by side, only those of
        # the exercises with a call named ahead, which then stay in this process.
        submissions = start_submissions(
            [e for e in exercises if early and e.ahead] if side_by_side else exercises,
            files, wall=wall, early=early)
        begin_ahead(submissions)  # before pytest and hypothesis load: a third of a second sooner
        from grader.grading import GraderError, run_checks
        from grader.quiz_item import QuizBroken, with_quiz
        from grader.replay_store import remembered
        _freeze_imports()
        try:
            with remembered() as memory:
                if side_by_side:
                    from grader.side_by_side import grade_side_by_side
                    report = grade_side_by_side(exercises, files, wall, early=early,
                                                started=submissions)
                else:
                    report = run_checks(exercises, submissions)
                memory.note(report.exercises)
            if quiz:
                report = with_quiz(report, located)
            return report
        except (GraderError, QuizBroken) as error:
            raise GradingFailed(str(error)) from None
    finally:
        if own:
            wall.close()


_frozen = False


def _freeze_imports() -> None:
    """Keep what is imported, which lives as long as the process, out of every garbage
    collection from now on (a full one costs 30 ms; hypothesis runs one per grading). Once
    per process only: in a long one (a Jupyter kernel, `grade watch`) a second freeze would
    also freeze the cyclic garbage the gradings between left, for good."""
    global _frozen
    if not _frozen:
        gc.freeze()
        _frozen = True


def _one_thread() -> bool:
    return threading.active_count() == 1


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def grader_failed(problem: str) -> str:
    """The one sentence a learner reads when the grader itself failed."""
    return f"the grader itself failed ({problem}). {TELL_INSTRUCTOR}"


def warm_up() -> None:
    """Make later gradings in this process (or in forks of it) fast: import everything a
    grading needs, and record the inputs hypothesis draws for each check on the reference
    solutions, so a grading replays them instead of drawing again (`grader.replay`; a
    failing replay is graded again, drawing afresh what failed, so no result changes). The
    reference itself replays what earlier gradings on this machine kept
    (`grader.replay_store`), so a warm-up after the first one mostly runs the checks instead
    of drawing their inputs."""
    from grader import catalog, grading, paths, replay, replay_store

    for exercise in catalog.exercises():
        __import__(exercise.checks_module)
    import grader.quiz_item  # noqa: F401
    folder = paths.solutions()
    if folder is None:  # a student copy: nothing to record, every check draws its inputs
        replay.enable()
        return
    exercises = list(catalog.exercises())
    # A reference that fails a check records nothing for it: that check then draws as usual.
    # Exercise 4's story trains beside the other checks where a core is free (`grader.ahead`).
    with replay_store.lasting():
        grading.grade(exercises, {e.name: folder / e.file for e in exercises},
                      early=_cores() > 1)
    for exercise in exercises:  # what the gradings of wrong answers share, worked out once
        getattr(sys.modules[exercise.checks_module], "warm_up", lambda: None)()
