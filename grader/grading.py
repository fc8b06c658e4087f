"""Grade submissions: start the workers, run the hidden checks under pytest, add up points."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

import grader.checks
from grader import replay
from grader.sandbox import isolation
from grader.catalog import Exercise
from grader.sandbox.cgroups import MEMORY, Wall
from grader.sandbox.isolation import Tier
from grader.plugin import GradingPlugin
from grader.student_copy import hidden_in_release
from grader.results import (CheckResult, ExerciseResult, Report, exercise_status,
                            overall_status)
from grader.submission import TIME_LIMIT, Submission, begin_ahead, start_submissions

CHECKS_DIR = Path(grader.checks.__file__).parent
PYTEST_INI = Path(__file__).with_name("grading.ini")


class GraderError(Exception):
    """The grader could not run its own checks: a bug or a broken installation."""


def grade(exercises: list[Exercise], files: dict[str, Path], *, call_timeout: float = 2.0,
          time_limit: float = TIME_LIMIT, tier: Tier | None = None,
          memory: int = MEMORY, early: bool = False) -> Report:
    """Grade `files[exercise.name]` for each exercise and return the report.

    `call_timeout` and `time_limit` are CPU seconds per call and per submission; `tier`
    forces a lower isolation tier than the detected one (see `grader.sandbox.isolation`);
    `memory` is what all the student's processes may hold together; `early` starts the
    calls the checks name ahead in workers of their own (`grader.ahead`)."""
    wall = Wall.open(memory=memory)
    try:
        submissions = start_submissions(exercises, files, call_timeout=call_timeout,
                                        time_limit=time_limit, tier=tier, wall=wall,
                                        early=early)
        return run_checks(exercises, submissions)
    finally:
        wall.close()


def run_checks(exercises: list[Exercise], submissions: dict[str, Submission]) -> Report:
    """Run the hidden checks against workers already started by `start_submissions` (the
    caller closes their wall).

    Where a replayed input failed (`grader.replay`), the exercise is graded again in a new
    worker: the checks whose replay passed are replayed once more (they make exactly the
    calls drawing would make, so the worker meets what it would meet alone) and the others
    draw their inputs, find and shrink the failure. Should a replay that passed once fail
    now (code that keeps state between calls), the exercise is graded a third time, wholly
    from scratch."""
    begin_ahead(submissions)  # if the caller has not already
    first = _checks_pass(exercises, submissions)
    results = first.results
    if first.unreplayed:
        again = {module: submissions[module].again() for module in first.unreplayed}
        second = _checks_pass([e for e in exercises if e.checks_module in again], again,
                              replay_only=first.replay_passed, replay_spent=first.replay_time)
        results.update({m: r for m, r in second.results.items() if m not in second.unreplayed})
        if second.unreplayed:
            third = {module: again[module].again() for module in second.unreplayed}
            with replay.paused():
                results.update(_checks_pass([e for e in exercises if e.checks_module in third],
                                            third).results)
    exercise_results = [_exercise_result(e, results[e.checks_module]) for e in exercises]
    tiers = [s.tier for s in submissions.values()] or [isolation.detect().tier]
    tier = min(tiers, key=lambda t: t.rank).value
    wall = next((s.wall for s in submissions.values() if s.wall is not None), None) or Wall.none()
    return Report(score=sum(r.score for r in exercise_results),
                  max_score=sum(r.max_score for r in exercise_results),
                  status=overall_status(exercise_results), exercises=exercise_results,
                  isolation=tier, isolation_details=wall.details(tier))


def merged(reports: list[Report], exercises: list[Exercise]) -> Report:
    """One report of `exercises` from reports that each graded some of them."""
    by_name = {result.name: result for report in reports for result in report.exercises}
    results = [by_name[exercise.name] for exercise in exercises]
    lowest = min(reports, key=lambda report: Tier(report.isolation).rank)
    return Report(score=sum(r.score for r in results), max_score=sum(r.max_score for r in results),
                  status=overall_status(results), exercises=results,
                  isolation=lowest.isolation, isolation_details=lowest.isolation_details)


def _checks_pass(exercises: list[Exercise], submissions: dict[str, Submission],
                 **replaying) -> GradingPlugin:
    """One pytest session over the exercises' checks; the plugin holds the results.
    `replaying`: the plugin's settings for a second pass."""
    plugin = GradingPlugin(submissions, **replaying)
    try:
        code = _run_pytest([str(CHECKS_DIR / f"{e.name}.py") for e in exercises], plugin)
    finally:
        for submission in submissions.values():
            submission.stop()
        for submission in submissions.values():
            submission.close()
    if code == pytest.ExitCode.INTERRUPTED and plugin.interrupted:  # Ctrl-C, caught by pytest
        raise KeyboardInterrupt
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise GraderError(f"pytest could not run the checks (exit code {int(code)})")
    return plugin


def _exercise_result(exercise: Exercise, checks: list[CheckResult]) -> ExerciseResult:
    if not checks:
        raise GraderError(f"no checks ran for {exercise.name}")
    hidden = hidden_in_release().get(exercise.name)
    return ExerciseResult(name=exercise.name, title=exercise.title,
                          score=sum(c.score for c in checks),
                          max_score=sum(c.max_score for c in checks),
                          status=exercise_status(checks), checks=checks,
                          hidden_checks=hidden.checks if hidden else 0)


def _run_pytest(paths: list[str], plugin: GradingPlugin) -> int:
    """Run pytest in-process on our own check files only, ignoring the user's config and plugins."""
    if not paths:  # pytest would collect the current folder: the learner's own files
        raise GraderError("no checks to run")
    # Plain asserts (checks fail through LearnerFailure; rewriting costs 30 ms a run), and
    # no garbage collection hunt for unraisable exceptions at the end (50 ms).
    args = ["-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:logging",
            "-p", "no:junitxml", "-p", "no:doctest", "-p", "no:pastebin",
            "-p", "no:hypothesispytest", "-p", "no:unraisableexception",
            "-p", "no:threadexception", "--assert=plain", "--noconftest", "-c", str(PYTEST_INI),
            "--rootdir", str(CHECKS_DIR), *paths]
    with _pytest_environment():
        return pytest.main(args, plugins=[plugin])


@contextlib.contextmanager
def _pytest_environment():
    """No plugin autoloading and no PYTEST_ADDOPTS: a learner's setup must not change grading."""
    saved = {key: os.environ.get(key) for key in
             ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    os.environ.pop("PYTEST_ADDOPTS", None)
    os.environ.pop("PYTEST_PLUGINS", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
