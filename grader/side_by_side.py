"""Grade the exercises of `grade all` in two processes at once, on a machine with two cores.

The grader spends most of a grading waiting for the learner's worker or drawing inputs, one
exercise after another, so one core sits idle. Here the grader forks after it has imported
pytest and hypothesis (the fork shares them); the fork grades one group of exercises, this
process the other, each with its own workers in the same resource wall. The fork sends its
results, and the replay records it made (`grader.replay`), back through a pipe. Each
exercise is graded exactly as it would be alone (its own workers, checks and limits), so
the report is the one a single process gives, only sooner.

An exercise whose call named ahead (exercise 4's story) has begun stays in this process,
where that call's thread runs. The fork waits until the thread has made the call's
arguments, after which the thread only talks to its worker and imports nothing: a fork in
the middle of an import would inherit that module's lock held by a thread it does not
have, and hang on its first import of the module. The fork closes its copies of those
workers' channels and leaves them alone.
"""

from __future__ import annotations

import os
import pickle
import signal
import time
import warnings
from collections.abc import Collection

from grader import replay
from grader.catalog import Exercise
from grader.grading import GraderError, merged, run_checks
from grader.results import Report
from grader.sandbox.cgroups import Wall
from grader.submission import Submission, start_submissions

QUIT_GRACE = 2.0
"""Seconds the fork has to close its workers when this process stops early."""


def split(exercises: list[Exercise], here: Collection[str] = ()) -> tuple[list[Exercise],
                                                                       list[Exercise]]:
    """Two groups of about the same grading time (by each exercise's `weight`), each in
    catalog order. The exercises whose checks modules are in `here` (their workers started
    already) are in the first group, which this process grades; otherwise the heaviest
    exercise goes to the second group, which the fork grades."""
    groups: tuple[list[Exercise], list[Exercise]] = (
        [e for e in exercises if e.checks_module in here], [])
    loads = [sum(e.weight for e in groups[0]), 0.0]
    for exercise in sorted((e for e in exercises if e.checks_module not in here),
                           key=lambda e: -e.weight):
        lighter = 1 if loads[1] <= loads[0] else 0
        groups[lighter].append(exercise)
        loads[lighter] += exercise.weight
    order = {e.name: i for i, e in enumerate(exercises)}
    return (sorted(groups[0], key=lambda e: order[e.name]),
            sorted(groups[1], key=lambda e: order[e.name]))


def grade_side_by_side(exercises: list[Exercise], files: dict, wall: Wall, *,
                       early: bool = False, started: dict[str, Submission] | None = None
                       ) -> Report:
    """Grade `exercises` (at least two) in this process and a fork, and merge the reports;
    `early`: see `grader.submission.Submission`. `started`: submissions begun already (by
    checks module), graded in this process (see above)."""
    started = started or {}
    here, there = split(exercises, started)
    if not there:  # nothing for a fork to do
        return run_checks(exercises, _submissions(exercises, started, files, wall, early))
    for submission in started.values():
        submission.arguments_made()
    read, write = os.pipe()
    try:
        with warnings.catch_warnings():  # Python 3.12+ warns of any other thread; the
            warnings.simplefilter("ignore", DeprecationWarning)  # story's only does I/O now
            pid = os.fork()
    except OSError:  # no process to spare (a process limit): grade them all here
        os.close(read)
        os.close(write)
        return run_checks(exercises, _submissions(exercises, started, files, wall, early))
    if pid == 0:  # the fork: grade `there`, send the result, and leave without cleanup
        os.close(read)
        _fork_main(there, files, wall, write, early, started)
    os.close(write)
    reaped = False
    try:
        mine = run_checks(here, _submissions(here, started, files, wall, early))
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        reaped = True
    finally:
        if not reaped:
            _stop(pid)
    try:
        kind, payload, book, counts = pickle.loads(data)  # written by our own fork
    except Exception:
        raise GraderError("the second grading process ended without a report") from None
    if kind == "interrupted":
        raise KeyboardInterrupt
    if kind == "failed":
        raise GraderError(payload)
    if book is not None and replay.enabled():
        replay.enable(book)
    replay.counts.update(counts)
    return merged([mine, payload], exercises)


def _submissions(exercises: list[Exercise], started: dict[str, Submission], files: dict,
                 wall: Wall, early: bool) -> dict[str, Submission]:
    """The submissions of `exercises`: those `started` already, and the others started now."""
    return {**{m: s for m, s in started.items() if any(e.checks_module == m for e in exercises)},
            **start_submissions([e for e in exercises if e.checks_module not in started],
                                files, wall=wall, early=early)}


def _fork_main(exercises: list[Exercise], files: dict, wall: Wall, write: int,
               early: bool, started: dict[str, Submission]) -> None:
    """The fork's whole life: it never returns into the caller's code (its finally blocks
    would close the parent's wall)."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # _stop: end as on Ctrl-C
        for submission in started.values():  # the parent's: its workers are reaped when
            submission.forget()                # the parent ends them, not when we do
        before = replay.counts.copy()
        try:
            report = run_checks(exercises, start_submissions(exercises, files, wall=wall,
                                                             early=early))
            message = ("report", report, replay.disable(), replay.counts - before)
        except GraderError as error:
            message = ("failed", str(error), None, replay.counts - before)
        except KeyboardInterrupt:
            message = ("interrupted", None, None, replay.counts - before)
        with os.fdopen(write, "wb") as pipe:
            pickle.dump(message, pipe)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _stop(pid: int) -> None:
    """Ask the fork to close its workers and end; kill it if it has not within QUIT_GRACE."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + QUIT_GRACE
    while time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            return
        time.sleep(0.01)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass

