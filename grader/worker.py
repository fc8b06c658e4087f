"""The grader's side of the worker boundary: start, talk to and kill one worker process.

The learner's code never runs in the grader's process. A `Worker` starts
`worker_main.py` in a new session (so the whole tree can be killed at once), sends it
float64 arguments, and reads back a JSON header plus raw float64 bytes, within a deadline.
It never unpickles and never trusts a size it did not bound.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WORKER_SCRIPT = Path(__file__).with_name("worker_main.py")
MAX_HEADER_BYTES = 64 * 1024
MAX_DATA_BYTES = 64 * 1024 * 1024


class WorkerTimeout(Exception):
    """The worker did not answer within its deadline; it has been killed."""


class WorkerDied(Exception):
    """The worker exited, crashed or broke the protocol; it has been killed."""

    def __init__(self, how: str) -> None:
        super().__init__(how)
        self.how = how


@dataclass(frozen=True)
class Reply:
    """One answer from the worker: its JSON header and, for numbers, a float64 array."""

    header: dict
    value: np.ndarray | None


class Worker:
    """One worker process running one submission file."""

    def __init__(self, submission: Path, functions: list[str], *, start_timeout: float) -> None:
        self.submission = submission
        req_read, self._req = os.pipe()
        self._resp, resp_write = os.pipe()
        command = [sys.executable, "-I", "-B", str(WORKER_SCRIPT), str(submission),
                   str(req_read), str(resp_write), json.dumps(functions)]
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, pass_fds=(req_read, resp_write),
            cwd=submission.parent, start_new_session=True, env=_worker_env(),
        )
        os.close(req_read)
        os.close(resp_write)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._resp, selectors.EVENT_READ)
        self._start_timeout = start_timeout
        self._hello: dict | None = None

    def hello(self) -> dict:
        """The worker's first message: whether the file imported and what it lacks."""
        if self._hello is None:
            self._hello = self._read(time.monotonic() + self._start_timeout).header
        return self._hello

    def call(self, func: str, names: list[str], args: list, *, timeout: float) -> Reply:
        """Call `func(*args)` in the worker; arrays travel as float64 bytes."""
        self.hello()
        specs, chunks = [], []
        for arg in args:
            if isinstance(arg, np.ndarray):
                array = np.ascontiguousarray(arg, dtype=np.float64)
                specs.append({"kind": "array", "shape": list(array.shape)})
                chunks.append(array.tobytes())
            else:
                specs.append({"kind": "float", "value": float(arg)})
        payload = b"".join(chunks)
        header = json.dumps({"op": "call", "func": func, "names": names, "args": specs,
                             "nbytes": len(payload)}).encode()
        deadline = time.monotonic() + timeout
        try:
            os.write(self._req, struct.pack(">I", len(header)) + header)
            _write_all(self._req, payload)
        except OSError:
            self._fail("the worker stopped reading")
        return self._read(deadline)

    def close(self) -> None:
        """Kill the worker and everything it started; idempotent and quick."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        for fd in (self._req, self._resp):
            try:
                os.close(fd)
            except OSError:
                pass
        self._selector.close()

    def _read(self, deadline: float) -> Reply:
        (size,) = struct.unpack(">I", self._read_exact(4, deadline))
        if size > MAX_HEADER_BYTES:
            self._fail("the worker sent a malformed message")
        try:
            header = json.loads(self._read_exact(size, deadline))
            nbytes = int(header.get("nbytes", 0))
        except (ValueError, TypeError, AttributeError):
            self._fail("the worker sent a malformed message")
        if not 0 <= nbytes <= MAX_DATA_BYTES or nbytes % 8:
            self._fail("the worker sent a malformed message")
        data = self._read_exact(nbytes, deadline)
        value = None
        if header.get("numeric"):
            try:
                shape = tuple(int(n) for n in header["shape"])
            except (KeyError, TypeError, ValueError):
                self._fail("the worker sent a malformed message")
            if min(shape, default=0) < 0 or int(np.prod(shape, dtype=np.int64)) * 8 != nbytes:
                self._fail("the worker sent a malformed message")
            value = np.frombuffer(data, dtype=np.float64).reshape(shape)
        return Reply(header, value)

    def _read_exact(self, n: int, deadline: float) -> bytes:
        chunks = []
        while n:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._selector.select(remaining):
                self.close()
                raise WorkerTimeout
            chunk = os.read(self._resp, min(n, 1 << 20))
            if not chunk:
                self._fail(_exit_description(self.process))
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _fail(self, how: str) -> None:
        self.close()
        raise WorkerDied(how)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _worker_env() -> dict[str, str]:
    """A small environment: no grader secrets, one thread for numpy, same results anywhere."""
    keep = ("PATH", "LANG", "LC_ALL", "HOME", "SYSTEMROOT", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    return env


def _exit_description(process: subprocess.Popen) -> str:
    try:
        code = process.wait(timeout=1.0)
    except subprocess.TimeoutExpired:
        return "the worker closed its channel"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"it was killed by {name}" + (" (a crash)" if name in {"SIGSEGV", "SIGBUS", "SIGABRT", "SIGFPE", "SIGILL"} else "")
    return f"the process exited with code {code}"
