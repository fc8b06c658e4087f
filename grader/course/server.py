"""The batch's side of its grading server (`grader.course._grading_server`).

One server per batch process, shared by all its job slots: it is started when first needed
and asked to fork one grading process per student.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import select
import subprocess
import sys
import tempfile
import threading
import time

from grader import paths
from grader.sandbox import cgroups
from grader.sandbox.cputime import BACKSTOP, tree_cpu
from grader.sandbox.process_tree import kill_tree
from grader.text import tail

MAX_STDERR = 2000
_running: set[int] = set()
_running_lock = threading.Lock()


class OutOfTime(Exception):
    """A student's grading used up its CPU time, or waited past the backstop; it was killed."""

    def __init__(self, *, waited: bool) -> None:
        super().__init__("waited past the backstop" if waited else "out of CPU time")
        self.waited = waited


class ServerLost(Exception):
    """The grading server died or stopped answering."""

    def __init__(self, how: str, details: str = "") -> None:
        super().__init__(how)
        self.details = details


SERVER_START_TIMEOUT = 120.0
"""CPU seconds a new grading server may take to import and record the reference's inputs
(and BACKSTOP times that in wall-clock seconds, for one that hangs)."""
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
    """The batch side of `grader.course._grading_server`: ask it to fork a grading process, wait for it.

    Several job slots (threads) use one server at once: each request carries an id, and a
    reader thread hands each reply to the slot waiting for it."""

    def __init__(self) -> None:
        self._errors = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader.course._grading_server", str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors,
            # In the folder holding this grader, so `-m` finds it, not a `grader/` in the cwd.
            cwd=paths.PACKAGE_ROOT, start_new_session=True, env=_child_env())
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._waiting: dict[int, queue.SimpleQueue] = {}
        if not _ready(self.process) or _message(self.process.stdout.readline()) != {"ready": True}:
            self.stop()
            self._errors.seek(0)
            errors = self._errors.read().decode("utf-8", "replace").strip()
            raise ServerLost("it did not start", tail(errors, MAX_STDERR))
        threading.Thread(target=self._read_replies, daemon=True).start()

    def alive(self) -> bool:
        return self.process.poll() is None

    def grade(self, request: dict, timeout: float) -> int:
        """Run one grading process; its exit code, or OutOfTime once it has been killed.

        `timeout` is CPU seconds of the student's whole grading (their wall: the grading
        process and everything it starts), so a busy machine or a greedy neighbour cannot
        time an honest student out; BACKSTOP times that in wall-clock seconds stops one
        that sleeps."""
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
                code = self._wait_for(replies, pid, timeout).get("code")
            except OutOfTime:
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

    def _wait_for(self, replies: queue.SimpleQueue, pid: int, timeout: float) -> dict:
        """The reply with the exit code of grading process `pid`, or OutOfTime when the
        student's CPU time passes `timeout` (or wall-clock time BACKSTOP times that)."""
        started = time.monotonic()
        while True:
            try:
                return self._reply(replies, 0.25)
            except subprocess.TimeoutExpired:
                pass
            used = cgroups.wall_cpu_seconds(pid)
            if (tree_cpu(pid) if used is None else used) > timeout:
                raise OutOfTime(waited=False)
            if time.monotonic() - started > BACKSTOP * timeout:
                raise OutOfTime(waited=True)

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


def _ready(process: subprocess.Popen) -> bool:
    """True once the server has written its first line, before it used SERVER_START_TIMEOUT
    CPU seconds (a busy machine only makes it take longer) or waited BACKSTOP times that."""
    started = time.monotonic()
    while not select.select([process.stdout], [], [], 0.25)[0]:
        if tree_cpu(process.pid) > SERVER_START_TIMEOUT or \
                time.monotonic() - started > BACKSTOP * SERVER_START_TIMEOUT:
            return False
    return True


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


def _child_env() -> dict[str, str]:
    """One thread per numerical library, so parallel jobs share the cores fairly."""
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1")
    return env
