"""One batch job: grade one student's files in a child process with a time and memory limit.

The job takes a `Snapshot` (the student's files as bytes), so it runs the same on this
machine or on a Dask worker elsewhere: it writes the files to a private temporary folder and
has the grading server (`grader._grading_server`) fork a process that runs
`grade all` there under limits. Whatever the student's code does, the job returns a
`JobResult` within about its time limit and leaves no process behind.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import queue
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from grader import paths
from grader.text import tail

MAX_FILE_BYTES = 1024 * 1024
MAX_STDERR = 2000
KILL_GRACE = 5.0
"""Seconds of CPU time a grading process gets beyond the wall-clock limit before the kernel stops it."""

_running: set[int] = set()
_running_lock = threading.Lock()


@dataclass(frozen=True)
class Snapshot:
    """The files of one student's folder that are graded, keyed by relative POSIX path."""

    files: tuple[tuple[str, bytes], ...]
    too_big: tuple[str, ...] = ()
    """Files to grade that were too big to read."""
    not_regular: tuple[str, ...] = ()
    """Files to grade that are links, pipes or devices, not files: never read."""

    @property
    def sha256(self) -> str:
        digest = hashlib.sha256()
        for label, names in ((b"too big ", self.too_big), (b"not regular ", self.not_regular)):
            for name in names:
                encoded = name.encode("utf-8", "surrogateescape")
                digest.update(label + len(encoded).to_bytes(8, "big") + encoded)
        for name, data in self.files:
            encoded = name.encode("utf-8", "surrogateescape")
            digest.update(len(encoded).to_bytes(8, "big") + encoded)
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()


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


def take_snapshot(folder: Path) -> Snapshot:
    """Read the files `grade all` grades, in `folder` and in `folder/exercises`: the exercise
    files and the quiz answers, nothing else, so no other file can crowd them out or
    change the key.

    Only regular files are read: a symlink or a special file (a FIFO, a device) is never
    followed or opened for reading, so a folder cannot make the batch hang or read outside
    it; it is named in `not_regular`. A file over MAX_FILE_BYTES is named in `too_big`.
    """
    files: list[tuple[str, bytes]] = []
    too_big: list[str] = []
    not_regular: list[str] = []
    for relative in graded_names():
        try:
            mode = os.lstat(folder / relative).st_mode
        except OSError:  # not there: that exercise is not started
            continue
        data = _read_regular(folder / relative, MAX_FILE_BYTES) if stat.S_ISREG(mode) else None
        if data is None:
            not_regular.append(relative)
        elif len(data) > MAX_FILE_BYTES:
            too_big.append(relative)
        else:
            files.append((relative, data))
    return Snapshot(tuple(files), tuple(too_big), tuple(not_regular))


def graded_names() -> list[str]:
    from grader import catalog
    from grader.quiz_item import ANSWERS_FILE

    names = [e.file for e in catalog.exercises()] + [ANSWERS_FILE]
    return names + [f"exercises/{name}" for name in names]


def _read_regular(path: Path, limit: int) -> bytes | None:
    """Up to `limit` + 1 bytes of `path` if it is a regular file (not through a symlink)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        with os.fdopen(os.dup(handle), "rb") as stream:
            return stream.read(limit + 1)
    finally:
        os.close(handle)


def grade_snapshot(snapshot: Snapshot, *, timeout: float, memory_mb: int) -> JobResult:
    """Grade `snapshot` with `grade all` in a child process limited to `timeout` seconds of
    wall-clock time and `memory_mb` MiB of address space per process."""
    if snapshot.not_regular:
        return JobResult("error", message=f"not graded: {', '.join(snapshot.not_regular)} is a "
                         "link, a pipe or a device, not a file; put the file itself there")
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
        output, errors = Path(temp) / "report.json", Path(temp) / "stderr.txt"
        request = {"argv": ["all", "--submission", str(folder), "--format", "json",
                            "--output", str(output)],
                   "cwd": temp, "stderr": str(errors), "memory": memory_mb * 1024 * 1024,
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


class ServerLost(Exception):
    """The grading server died or stopped answering."""

    def __init__(self, how: str, details: str = "") -> None:
        super().__init__(how)
        self.details = details


SERVER_START_TIMEOUT = 120.0
"""Seconds a new grading server may take to import and record the reference's inputs."""
_server_lock = threading.Lock()
_server_now: GradingServer | None = None
_server_failed: ServerLost | None = None
"""Why the server could not start, if it could not: every later job fails at once with it."""


def start_server() -> None:
    """Start this process's grading server now; ServerLost, with the reason, if it cannot."""
    _server()


def _server() -> GradingServer:
    """This process's grading server, shared by all its job slots; started when first needed."""
    global _server_now, _server_failed
    with _server_lock:
        if _server_failed is not None:
            raise _server_failed
        if _server_now is None or not _server_now.alive():
            try:
                _server_now = GradingServer()
            except ServerLost as lost:
                _server_failed = lost
                raise
        return _server_now


class GradingServer:
    """The batch side of `grader._grading_server`: ask it to fork a grading process, wait for it.

    Several job slots (threads) use one server at once: each request carries an id, and a
    reader thread hands each reply to the slot waiting for it."""

    def __init__(self) -> None:
        self._errors = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader._grading_server", str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors,
            # In the folder holding this grader, so `-m` finds it, not a `grader/` in the cwd.
            cwd=paths.PACKAGE_ROOT, start_new_session=True, env=_child_env())
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._waiting: dict[int, queue.SimpleQueue] = {}
        ready, _, _ = select.select([self.process.stdout], [], [], SERVER_START_TIMEOUT)
        if not ready or _message(self.process.stdout.readline()) != {"ready": True}:
            self.stop()
            self._errors.seek(0)
            errors = self._errors.read().decode("utf-8", "replace").strip()
            raise ServerLost("it did not start", tail(errors, MAX_STDERR))
        threading.Thread(target=self._read_replies, daemon=True).start()

    def alive(self) -> bool:
        return self.process.poll() is None

    def grade(self, request: dict, timeout: float) -> int:
        """Run one grading process; its exit code, or TimeoutExpired once it has been killed."""
        replies: queue.SimpleQueue = queue.SimpleQueue()
        with self._lock:
            job = next(self._ids)
            self._waiting[job] = replies
            try:
                self.process.stdin.write(json.dumps({**request, "id": job}).encode() + b"\n")
                self.process.stdin.flush()
            except OSError:
                self._waiting.pop(job, None)
                self.stop()
                raise ServerLost("it closed its input") from None
        try:
            pid = self._reply(replies, 30).get("pid")
        except subprocess.TimeoutExpired:
            self.stop()
            raise ServerLost("it stopped answering") from None
        if not isinstance(pid, int):
            raise ServerLost("it did not start the grading process")
        with _running_lock:
            _running.add(pid)
        try:
            try:
                code = self._reply(replies, timeout).get("code")
            except subprocess.TimeoutExpired:
                kill_tree(pid)
                self._reply(replies, 30)
                raise
            except BaseException:
                kill_tree(pid)
                raise
        finally:
            with _running_lock:
                _running.discard(pid)
        if not isinstance(code, int):
            raise ServerLost("it sent no exit code")
        return code

    def _reply(self, replies: queue.SimpleQueue, timeout: float) -> dict:
        """The next reply for one job; TimeoutExpired after `timeout`, ServerLost if it died."""
        try:
            reply = replies.get(timeout=timeout)
        except queue.Empty:
            raise subprocess.TimeoutExpired(self.process.args, timeout) from None
        if reply is None:
            raise ServerLost("it exited")
        return reply

    def _read_replies(self) -> None:
        for line in self.process.stdout:
            reply = _message(line)
            with self._lock:
                replies = self._waiting.get(reply.get("id"))
                if "code" in reply:
                    self._waiting.pop(reply.get("id"), None)
            if replies is not None:
                replies.put(reply)
        with self._lock:  # the server is gone: every job still waiting has lost it
            waiting, self._waiting = list(self._waiting.values()), {}
        for replies in waiting:
            replies.put(None)
        self.process.wait()

    def stop(self) -> None:
        if self.alive():
            kill_tree(self.process.pid)
        self.process.wait()


def _message(line: bytes) -> dict:
    try:
        message = json.loads(line)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


def kill_running() -> None:
    """Kill every grading process this process started that is still running."""
    with _running_lock:
        pids = list(_running)
    for pid in pids:
        kill_tree(pid)


def kill_tree(pid: int) -> None:
    """SIGKILL `pid` and every process below it, including those in other sessions.

    The learner's workers run in their own sessions, so killing the process group is not
    enough. Each process is stopped first, so none can start another while the tree is
    walked; on systems without /proc only the process group is killed.
    """
    seen: set[int] = set()
    _signal(pid, signal.SIGSTOP)
    for _ in range(10):
        found = set(_descendants(pid)) - seen
        if not found:
            break
        for child in found:
            _signal(child, signal.SIGSTOP)
        seen |= found
    for target in (pid, *seen):
        _signal(target, signal.SIGKILL)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(name))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _signal(pid: int, number: int) -> None:
    try:
        os.kill(pid, number)
    except (ProcessLookupError, PermissionError):
        pass


def _child_env() -> dict[str, str]:
    """One thread per numerical library, so parallel jobs share the cores fairly."""
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1")
    return env


def _tail(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return tail(data[-4 * MAX_STDERR:].decode("utf-8", "replace").strip(), MAX_STDERR)

