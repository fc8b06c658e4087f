"""One batch job: grade one student's files in a child process with a time and memory limit.

The job takes a `Snapshot` (the student's files as bytes), so it runs the same on this
machine or on a Dask worker elsewhere: it writes the files to a private temporary folder and
has the grading server (`grader.course._grading_server`) fork a process that runs
`grade all` there under limits. Whatever the student's code does, the job returns a
`JobResult` within about its time limit and leaves no process behind.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.course.server import MAX_STDERR, ServerLost, _server
from grader.course.snapshot import MAX_FILE_BYTES, Snapshot
from grader.text import tail

KILL_GRACE = 5.0
"""Seconds of CPU time a grading process gets beyond the wall-clock limit before the kernel stops it."""


@dataclass(frozen=True)
class JobResult:
    """How one student's grading ended."""

    outcome: str
    """"graded" (there is a report), "timed out" or "error" (no report)."""
    report: dict | None = None
    """`grade all`'s JSON report, when there is one."""
    message: str = ""
    """Why there is no report, in one sentence for the instructor."""
    details: str = ""
    """The end of the grading process's stderr, for the instructor."""
    retry: bool = False
    """The batch failed, not the student's code (a lost server or cluster worker): the next
    run of the same command grades this student again."""

RETRY = "; run the same command again to grade this student"


def grade_snapshot(snapshot: Snapshot, *, timeout: float, memory_mb: int) -> JobResult:
    """Grade `snapshot` with `grade all` in a child process limited to `timeout` seconds of
    wall-clock time and `memory_mb` MiB of address space per process."""
    if snapshot.folder_link:
        return JobResult("error", message="not graded: this folder is a link to another folder, "
                         "not the student's own; put the student's own files in it")
    if snapshot.too_big:
        return JobResult("error", message=f"not graded: {', '.join(snapshot.too_big)} is larger "
                         f"than {MAX_FILE_BYTES // 1024 // 1024} MiB (a solution is a few KiB); "
                         "look at the file")
    _sweep_scratch()
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-",
                                     ignore_cleanup_errors=True) as temp:
        # Modes as in a student's own folder: a worker that drops to its own uid reads it.
        os.chmod(temp, 0o755)
        folder = Path(temp) / "submission"
        folder.mkdir(mode=0o755)
        for name, data in snapshot.files:
            target = folder / name
            target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            target.write_bytes(data)
            target.chmod(0o644)
        _stand_ins(folder, snapshot)
        output, errors = Path(temp) / "report.json", Path(temp) / "stderr.txt"
        request = {"submission": str(folder), "output": str(output), "cwd": temp, "stderr": str(errors), "memory": memory_mb * 1024 * 1024,
                   "cpu": int(timeout + KILL_GRACE)}
        try:
            code = _server().grade(request, timeout)
        except subprocess.TimeoutExpired:
            return JobResult("timed out", message=f"grading took longer than {timeout:g} s "
                             "and was stopped")
        except ServerLost as lost:
            return JobResult("error", message=f"the grading server stopped ({lost}){RETRY}",
                             details=lost.details or _tail(errors), retry=True)
        return _result(code, output, errors, folder)


LINK_TARGET = "/nonexistent/l1lab: a link in the student's folder"


def _stand_ins(folder: Path, snapshot: Snapshot) -> None:
    """Where the student's folder has a link or a special file, put one that leads nowhere
    (a dangling link, an empty FIFO), so grading names it and scores it 0 exactly as
    grading the folder alone does, and still reads nothing through it."""
    for name in snapshot.links:
        target = folder / name
        target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        if not os.path.lexists(target):
            os.symlink(LINK_TARGET, target)
    for name in snapshot.not_regular:
        target = folder / name
        target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        if not os.path.lexists(target):
            os.mkfifo(target, 0o644)


SCRATCH_PREFIX = "l1lab-batch-"
_swept = False


def _sweep_scratch() -> None:
    """Once per process: delete the temporary folders of batch processes that were killed
    (with kill -9, say) before they could, named by the pid of the process that made them."""
    global _swept
    if _swept:
        return
    _swept = True
    scratch = Path(tempfile.gettempdir())
    for folder in scratch.glob(f"{SCRATCH_PREFIX}*-*"):
        try:
            pid = int(folder.name[len(SCRATCH_PREFIX):].split("-", 1)[0])
            if folder.lstat().st_uid != os.geteuid() or not folder.is_dir():
                continue
            os.kill(pid, 0)
        except ProcessLookupError:  # its batch is gone
            shutil.rmtree(folder, ignore_errors=True)
        except (ValueError, OSError):  # not ours, or its process still runs
            continue


def _result(code: int, output: Path, errors: Path, folder: Path) -> JobResult:
    # The temporary folder differs on every run; the record must not.
    details = _tail(errors).replace(str(folder.parent), "<temp>")
    if code not in (0, 1, 3):  # 3 still writes a report: a check the grader broke on
        try:
            how = f"was killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
        except ValueError:
            how = f"was killed by signal {-code}"
        last = details.splitlines()[-1] if details else ""
        # Nothing of ours sends SIGKILL but the time limit (reported above as "timed out"): it
        # came from outside, the kernel's out-of-memory killer or a person, so try again.
        killed = code == -signal.SIGKILL
        return JobResult("error", message=f"the grading process {how}" + (f": {last}" if last else "")
                         + (RETRY if killed else ""), details=details, retry=killed)
    try:
        report = json.loads(output.read_text(encoding="utf-8").replace(str(folder), "submission"))
    except (OSError, ValueError):
        report = None
    if not isinstance(report, dict) or not isinstance(report.get("exercises"), list):
        return JobResult("error", message=f"grading exited with code {code} but wrote no valid "
                         "report", details=details)
    return JobResult("graded", report=report)


def _tail(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return tail(data[-4 * MAX_STDERR:].decode("utf-8", "replace").strip(), MAX_STDERR)

