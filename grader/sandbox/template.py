"""The grader's side of the warm template (`template_main`): a process that has imported
numpy once and forks each worker, so a worker starts in milliseconds instead of 0.1 CPU-s.

One template serves a process and every fork of it (a batch's grading server and its
students, `grade all`'s two halves): each asks over the shared control socket, with a reply
socket of its own, so requests never mix. A `Spawned` is the part of `subprocess.Popen` a
`Worker` uses: its pid (safe to signal, with its process group, until `release`, because
the template reaps it only then), `poll`, `wait` and `returncode`.

Where the kernel cannot do this (no pidfd, not Linux), or the template cannot start,
`shared()` is None and workers are started afresh as before: same plan, same verdicts.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(__file__).with_name("template_main.py")
TITLE_ROOM = 4400
"""Bytes of command line a fork may rewrite: a fresh worker's, with a path of up to 4096."""
FORK_WAIT = 120.0
"""Seconds a grader waits for the template to fork a worker (it takes milliseconds, or the
time of numpy's import on its first request) before it takes the template as gone."""
MAX_START = 60_000
"""Bytes of a worker's start message: it must fit the request pipe's buffer (64 KiB)."""


class Template:
    """One warm template process, started by this process (its `owner`)."""

    def __init__(self, env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-B", str(SCRIPT), str(theirs.fileno()), str(os.getpid()),
                 "-" * TITLE_ROOM],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),), start_new_session=True, env=env, cwd="/")
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.control = ours
        self.owner = os.getpid()
        self.broken = False

    def spawn(self, fds: tuple[int, int, int]) -> Spawned | None:
        """Ask for a worker that keeps `fds` (request pipe, reply pipe, source) and reads
        its start message from the request pipe first; None if the template is gone."""
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            socket.send_fds(self.control, [b"spawn"], [*fds, theirs.fileno()])
        except OSError:
            mine.close()
            self.broken = True
            return None
        finally:
            theirs.close()
        return Spawned(mine, self)

    def close(self) -> None:
        """Give up on this template (it ended or is stuck): close this process's end and, in
        the process that started it, end it and the workers it still has."""
        self.control.close()
        if os.getpid() == self.owner:
            self.process.kill()
            self.process.wait()


class Spawned:
    """A worker the template forked: what `Worker` needs of a `subprocess.Popen`."""

    def __init__(self, reply: socket.socket, template: Template) -> None:
        self._reply, self._template = reply, template
        self._pid: int | None = None
        self._told = False  # the pid message has come (or never will)
        self.failure: str | None = None
        """Why the template could not fork it (no process to spare...), if it could not."""
        self.returncode: int | None = None

    @property
    def pid(self) -> int | None:
        """Its pid, waiting for the template to fork it; None if the template ended first
        (or has not answered in FORK_WAIT seconds: then it is stuck, and so taken as ended)."""
        end = time.monotonic() + FORK_WAIT
        while not self._told:
            if not self._receive(max(0.0, end - time.monotonic())):
                self._told = True
                self.release()
        if self._pid is None and self.failure is None:  # the template is gone: the next
            self._template.broken = True  # worker starts afresh, or from a new template
        return self._pid

    def poll(self) -> int | None:
        while self.returncode is None and self._receive(0):
            pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            left = None if end is None else max(0.0, end - time.monotonic())
            if not self._receive(left):
                raise subprocess.TimeoutExpired("worker", timeout)
        return self.returncode

    def release(self) -> None:
        """Let the template reap it (and kill it first if it still runs)."""
        self._reply.close()

    def _receive(self, timeout: float | None) -> bool:
        """Read one message if one comes within `timeout` seconds; False if none did."""
        if self._reply.fileno() < 0:
            self._told, self.returncode = True, self.returncode or -signal.SIGKILL
            return True
        ready, _, _ = select.select([self._reply], [], [], timeout)
        if not ready:
            return False
        try:
            message = json.loads(self._reply.recv(256) or b"null")
        except (OSError, ValueError):
            message = None
        if isinstance(message, dict) and isinstance(message.get("pid"), int) and not self._told:
            self._pid, self._told = message["pid"], True
        elif isinstance(message, dict) and isinstance(message.get("code"), int):
            self._told, self.returncode = True, message["code"]
        elif isinstance(message, dict) and isinstance(message.get("failed"), str) and not self._told:
            self._told, self.failure, self.returncode = True, message["failed"], -signal.SIGKILL
        else:  # the template is gone: its workers died with it
            self._told, self.returncode = True, -signal.SIGKILL
        return True


_template: Template | None = None


def shared(env: dict[str, str]) -> Template | None:
    """This process's template (inherited from the process it was forked from, or started
    now with `env`), or None where workers must be started afresh."""
    global _template
    if _template is not None and _template.broken:
        if os.getpid() == _template.owner:
            _template.close()
        _template = None
    if _template is None and usable():
        try:
            _template = Template(env)
        except OSError:
            return None
    return _template


def started() -> Template | None:
    """The template if one is running for this process (for tests and `grade doctor`)."""
    return _template


def usable() -> bool:
    return (sys.platform.startswith("linux") and hasattr(os, "pidfd_open")
            and hasattr(socket, "send_fds") and hasattr(os, "waitid"))
