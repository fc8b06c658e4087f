"""`grade batch`: grade a folder of student folders into a CSV gradebook, resumably.

Each student is one job (`grader.course.student_job`), run here in a pool of `jobs` threads that
each wait on one child process, or on a Dask cluster. After each job the student's JSON
record is written atomically; a record whose key (hash of the student's files, the grader's
own files and the limits) still matches is reused, which is what makes a rerun resume.
The CSV is rebuilt from the records, in sorted student order, every few seconds and at the
end, so it never holds a row twice or half a row.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import fcntl
import hashlib
import os
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from grader import paths
from grader.course import gradebook
from grader.course.server import ServerLost, kill_running, start_server
from grader.course.class_report import prepare_in_background, write_class_report
from grader.course.layouts import Layout, find_layout
from grader.course.roster import Extras, read_roster
from grader.course.roster import extras as roster_extras
from grader.course.snapshot import Snapshot
from grader.course.student_job import RETRY, JobResult, grade_snapshot
from grader.course.traits import snapshot_traits
from grader.files import write_atomically
from grader.reports.safe_text import file_name
from grader.sandbox.isolation import IsolationTooLow, Tier, require
from grader.text import head

CSV_EVERY = 5.0
"""Seconds between rewrites of the CSV while the batch runs."""


class BatchError(click.ClickException):
    """The batch itself cannot go on (not a student's problem)."""

    exit_code = 3


@dataclass(frozen=True)
class Settings:
    timeout: float
    """CPU seconds one student's grading (all its processes) may use before it is stopped."""
    memory_mb: int
    """MiB of memory all the processes of one student's grading may hold together."""
    isolation: Tier | None = None
    """The least confinement a report counts with (`--require-isolation`), or None."""


@dataclass(frozen=True)
class Summary:
    students: int
    reused: int
    """Students whose record from an earlier run still matched and was kept."""
    full_marks: int
    needs_attention: int
    """Students whose grading timed out or failed, wholly or on some check (status "error")."""


def reports_folder(out: Path) -> Path:
    """Where the per-student JSON records go: `grades/` beside `grades.csv`."""
    return out.with_suffix("") if out.suffix else out.with_name(f"{out.name}-reports")


def run_batch(folder: Path, out: Path, settings: Settings, *, jobs: int,
              scheduler: str | None = None, roster: Path | None = None) -> Summary:
    """Grade every student in `folder` not yet graded, then write the CSV `out` and the
    class report beside it."""
    reports = reports_folder(out)
    try:
        reports.mkdir(exist_ok=True)
    except OSError as error:
        raise click.UsageError(f"cannot create {reports}: {error.strerror}") from None
    with _exclusive(reports):
        _sweep(reports, out)
        layout = find_layout(folder, skip=reports)
        extras = roster_extras(layout, read_roster(roster) if roster else None)
        click.echo(layout.describe(folder), err=True)
        names = list(layout.students)
        fingerprint = grader_fingerprint(settings)
        done, todo = {}, []
        for name in names:
            data = gradebook.read_record(reports, name)
            key = _key(fingerprint, layout.snapshot(name).sha256)
            if (data is not None and data["batch"]["key"] == key and not data["batch"].get("retry")
                    and confined_enough(data, settings.isolation) is None):
                done[name] = _with_lms(reports, data, layout.students[name].info)
            else:
                todo.append(name)
        reused = len(done)
        runner = _dask_jobs if scheduler else _local_jobs
        last_csv = time.monotonic()
        try:
            if todo and not scheduler:
                prepare_in_background()  # the report's libraries load while the server starts
                _start_server()
            with click.progressbar(length=len(names), label="Grading", file=sys.stderr,
                                   show_pos=True,
                                   item_show_func=lambda name: name and file_name(name)) as bar:
                bar.update(reused)
                for name, snapshot, result in runner(layout, todo, settings, jobs, scheduler):
                    result = _required(result, settings.isolation)
                    data = gradebook.record(name, _key(fingerprint, snapshot.sha256),
                                            snapshot.sha256, result)
                    data["batch"]["traits"] = snapshot_traits(snapshot)
                    data["batch"]["lms"] = layout.students[name].info
                    try:
                        gradebook.write_record(reports, data, student=name)
                    except OSError as error:
                        raise BatchError(f"cannot write {reports}: {error.strerror}") from None
                    done[name] = data
                    bar.update(1, name)
                    if time.monotonic() - last_csv > CSV_EVERY:
                        _write_csv(out, [done[n] for n in names if n in done], extras)
                        last_csv = time.monotonic()
        except KeyboardInterrupt:
            _write_csv(out, [done[n] for n in names if n in done], extras)
            click.echo(f"\nStopped with {len(done)} of {len(names)} students graded; {out} lists "
                       "only those. Run the same command again to grade the rest.", err=True)
            raise
        records = [done[name] for name in names]
        _write_csv(out, records, extras)
        if extras.unmatched:
            click.echo(f"{len(extras.unmatched)} student(s) are not in the roster {roster}, "
                       f"e.g. {extras.unmatched[0]}: their roster columns are empty.", err=True)
        try:
            click.echo(write_class_report(out, records, layout=layout.kind), err=True)
        except OSError as error:
            raise BatchError(f"cannot write the class report beside {out}: {error.strerror}") from None
    return Summary(
        students=len(names), reused=reused,
        full_marks=sum(r["batch"]["outcome"] == "graded" and r["status"] == "passed" for r in records),
        needs_attention=sum(r["status"] == "error" for r in records),
    )


Jobs = Iterator[tuple[str, Snapshot, JobResult]]


def confined_enough(report: dict | None, required: Tier | None) -> str | None:
    """Why `report` does not count under `required` (graded with less confinement), or None."""
    if required is None or report is None:
        return None
    try:
        tier = Tier(report.get("isolation"))
    except ValueError:
        tier = Tier.MINIMAL
    if tier.rank >= required.rank:
        return None
    return (f"graded with isolation {tier.value}, but {required.value} is required: the "
            "report does not count; grade where grade doctor shows that tier")


def _required(result: JobResult, required: Tier | None) -> JobResult:
    """The job's result, or an error if its report was confined less than required (a Dask
    worker elsewhere can give a lower tier than this machine)."""
    why = confined_enough(result.report, required) if result.outcome == "graded" else None
    return result if why is None else JobResult("error", message=why, retry=True)


def _local_jobs(layout: Layout, todo: list[str], settings: Settings, jobs: int, _: str | None) -> Jobs:
    """Run at most `jobs` students at a time here; yield each as it finishes."""
    pending = iter(todo)
    running: dict[concurrent.futures.Future, tuple[str, Snapshot]] = {}

    def fill() -> None:
        while len(running) < jobs and (name := next(pending, None)) is not None:
            snapshot = layout.snapshot(name)
            future = pool.submit(grade_snapshot, snapshot, timeout=settings.timeout,
                                 memory_mb=settings.memory_mb)
            running[future] = (name, snapshot)

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        try:
            fill()
            while running:
                finished, _ = concurrent.futures.wait(running, return_when="FIRST_COMPLETED")
                done = [(*running.pop(future), future)
                        for future in sorted(finished, key=lambda f: running[f][0])]
                fill()  # the next students start before this one's record is written
                for name, snapshot, future in done:
                    yield name, snapshot, future.result()
        except BaseException:
            # Ctrl-C or an error here: the children are in sessions of their own and would
            # not get the terminal's signal, so stop them before leaving.
            kill_running()
            raise


def _start_server() -> None:
    """Start the grading server now, so a grader that cannot start fails the batch, not
    each student in turn."""
    try:
        start_server()
    except ServerLost as lost:
        last = lost.details.splitlines()[-1] if lost.details else ""
        raise BatchError(f"cannot start the grading server ({lost})" +
                         (f": {last}" if last else "")) from None


def _dask_jobs(layout: Layout, todo: list[str], settings: Settings, _: int, scheduler: str | None) -> Jobs:
    """Send every student to the Dask scheduler at `scheduler`; yield each as it finishes."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise click.UsageError("--scheduler needs Dask: pip install 'l1lab[dask]'") from None
    try:
        # How long to try is Dask's own setting: distributed.comm.timeouts.connect.
        client = Client(scheduler, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise BatchError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    with client:
        futures = {}
        for name in todo:
            snapshot = layout.snapshot(name)
            future = client.submit(grade_snapshot, snapshot, timeout=settings.timeout,
                                   memory_mb=settings.memory_mb, pure=False,
                                   key=f"l1lab-grade-{snapshot.sha256[:12]}-{len(futures)}")
            futures[future] = (name, snapshot)
        for future in as_completed(futures, loop=client.loop):
            name, snapshot = futures[future]
            try:
                result = future.result()
            except Exception as error:  # the cluster, not the student: a lost worker, say
                result = JobResult("error", message=f"the Dask job failed: {type(error).__name__}: "
                                   f"{head(str(error), 200)}{RETRY}", retry=True)
            yield name, snapshot, result


def grader_fingerprint(settings: Settings) -> str:
    """A hash of the grader's own files and the limits: change either and everyone is regraded."""
    digest = hashlib.sha256(f"{settings.timeout!r} {settings.memory_mb!r}".encode())
    root = paths.PACKAGE_ROOT
    for package in ("grader", "quiz", "solutions"):
        for path in sorted((root / package).rglob("*")):
            if path.suffix in {".py", ".toml", ".ini", ".txt"} and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _key(fingerprint: str, submission_sha256: str) -> str:
    return hashlib.sha256(f"{fingerprint} {submission_sha256}".encode()).hexdigest()


def _with_lms(reports: Path, data: dict, info: dict) -> dict:
    """A kept record, with what the download now says about the student (lateness, ids)."""
    if data["batch"].get("lms") != info:
        data["batch"]["lms"] = info
        with contextlib.suppress(OSError):  # the CSV is right either way; the record next run
            gradebook.write_record(reports, data)
    return data


def _write_csv(out: Path, records: list[dict], extras: Extras) -> None:
    try:
        write_atomically(out, gradebook.to_csv(records, extras))
    except OSError as error:
        raise BatchError(f"cannot write {out}: {error.strerror}") from None


@contextlib.contextmanager
def _exclusive(reports: Path) -> Iterator[None]:
    """Hold a lock on `reports` so two batches never write the same records at once."""
    with open(reports / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise click.UsageError(f"another `grade batch` is writing to {reports}; "
                                   "wait for it to finish.") from None
        yield


def _sweep(reports: Path, out: Path) -> None:
    """Delete temporary files left by a run that was killed mid-write (never a finished file)."""
    for leftover in [*reports.glob(".*.tmp"), *out.parent.glob(f".{out.name}.*.tmp")]:
        with contextlib.suppress(OSError):
            leftover.unlink()


def main(folder: Path, out: Path, *, jobs: int | None, timeout: float, memory_mb: int,
         scheduler: str | None, roster: Path | None = None,
         require_isolation: str | None = None) -> int:
    """Run the batch for the command line; return its exit code (see README, Batch grading)."""
    if not out.parent.is_dir():
        raise click.UsageError(f"cannot write {out}: the folder {out.parent} does not exist.")
    required = Tier(require_isolation) if require_isolation else None
    if required is not None and scheduler is None:
        try:
            require(required)
        except IsolationTooLow as error:
            raise BatchError(f"{error}; nothing was graded") from None
    jobs = jobs or len(os.sched_getaffinity(0))
    # `kill PID` stops the batch as Ctrl-C does: its grading processes and temporary files go too.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    summary = run_batch(folder, out, Settings(timeout, memory_mb, required), jobs=jobs,
                        scheduler=scheduler, roster=roster)
    if not summary.students:
        click.echo(f"{folder} holds no student folders: put each student's files in a folder "
                   "of their own inside it.", err=True)
    missing = summary.students - summary.full_marks - summary.needs_attention
    click.echo(f"Wrote {out}: {summary.students} student{'' if summary.students == 1 else 's'} "
               f"({summary.reused} kept from an earlier "
               f"run), {summary.full_marks} with full marks, {missing} with points missing, "
               f"{summary.needs_attention} to look at (grading timed out or failed; see the CSV). "
               f"Reports are in {reports_folder(out)}/.", err=True)
    return 1 if summary.needs_attention else 0
