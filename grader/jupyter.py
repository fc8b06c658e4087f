"""`from grader import check; check("exercise3")`: grade, from a notebook, the code run in it.

`check()` copies the exercise's functions as the kernel holds them now (`grader.kernel`)
and grades them exactly as `grade exercise3` grades a file: in a separate grading process
(`python -m grader.jupyter`), which starts the confined worker as always. Grading never
runs in the kernel: whatever the notebook has imported, patched or configured (numpy's
threads, hypothesis profiles, a monkeypatched function) cannot change a score.

The result shows as HTML in Jupyter and as the text report anywhere else.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader import catalog, paths
from grader.kernel import collect
from grader.program import Program
from grader.results import (TELL_INSTRUCTOR, CheckResult, ExerciseResult, Report, Status,
                            report_from_dict)

TIMEOUT = 600.0
"""Seconds one check() may take in all; the worker's own limits end a slow submission long before."""


@dataclass(frozen=True)
class Checked:
    """What `check()` returns: the graded exercise, shown as HTML in Jupyter."""

    report: Report
    notes: tuple[str, ...] = field(default=())
    """What could not be copied from the notebook, said before the results."""

    @property
    def exercise(self) -> ExerciseResult:
        return self.report.exercises[0]

    @property
    def score(self) -> int:
        return self.report.score

    @property
    def max_score(self) -> int:
        return self.report.max_score

    @property
    def checks(self) -> list[CheckResult]:
        return self.exercise.checks

    @property
    def status(self) -> str:
        return self.exercise.status

    def __str__(self) -> str:
        import click

        from grader.reports.text import to_text
        notes = "".join(f"Note: {note}\n" for note in self.notes)
        return notes + click.unstyle(to_text(self.report)).rstrip("\n")

    __repr__ = __str__

    def _repr_html_(self) -> str:
        from grader.reports.html import to_html
        return to_html(self.report, self.notes)


def check(exercise: str, namespace: dict) -> Checked:
    """Grade `exercise` on the functions `namespace` (the notebook's globals) defines now."""
    try:
        entry = catalog.find(exercise)
    except KeyError:
        raise ValueError(f"There is no exercise {exercise!r}; the exercises are "
                         f"{', '.join(catalog.names())}.") from None
    program, notes = collect(entry, namespace)
    with tempfile.TemporaryDirectory(prefix="l1lab-check-") as folder:
        request = Path(folder) / "request.json"
        request.write_text(json.dumps({"exercise": entry.name, "program": program.to_dict()}),
                           encoding="utf-8")
        outcome = _run(request)
    try:
        report = report_from_dict(json.loads(outcome.stdout))
    except (ValueError, KeyError, TypeError):
        last = (outcome.stderr.strip().splitlines() or ["no output"])[-1]
        report = _failed(entry, f"the grading process ended with code {outcome.returncode}: {last}")
    return Checked(report, tuple(notes))


def _run(request: Path) -> subprocess.CompletedProcess:
    """Run the grading process on `request`; on Ctrl-C or a timeout, end it and its workers."""
    launcher = ("import sys; sys.path.insert(0, sys.argv[1]); "
                "from grader.jupyter import main; main(sys.argv[2])")
    process = subprocess.Popen(
        [sys.executable, "-c", launcher, str(paths.PACKAGE_ROOT), str(request)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, env={**os.environ, "NO_COLOR": "1"})
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        _end(process)
        return subprocess.CompletedProcess(process.args, -signal.SIGKILL, "",
                                           f"stopped after {TIMEOUT:g} s")
    except BaseException:  # the learner interrupting the kernel
        _end(process)
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _end(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.communicate()


def _failed(exercise: catalog.Exercise, problem: str) -> Report:
    """A report that says the grader failed, costing the learner nothing."""
    check = CheckResult(name="grader", title="The grader ran", status=Status.ERROR, score=0,
                        max_score=0, message=f"The grader itself failed ({problem}). "
                        f"{TELL_INSTRUCTOR}", kind="error")
    result = ExerciseResult(name=exercise.name, title=exercise.title, score=0,
                            max_score=exercise.points, status="error", checks=[check])
    return Report(score=0, max_score=exercise.points, status="error", exercises=[result])


def main(request: str) -> None:
    """The grading process: grade the program in `request` and print the JSON report."""
    from grader import api
    from grader.reports.text import to_json
    data = json.loads(Path(request).read_text(encoding="utf-8"))
    entry = catalog.find(data["exercise"])
    try:
        report = api.grade([entry], Program.from_dict(data["program"]), Path.cwd(), quiz=False)
    except api.GradingFailed as error:
        report = _failed(entry, str(error))
    sys.stdout.write(to_json(report))
