"""The grader's side of the worker boundary: start, talk to and kill one worker process.

The learner's code never runs in the grader's process. A `Worker` is given the learner's
file as bytes (read once by the grader, never again by path) and starts
`worker_main.py` in a new session (so the whole tree can be killed at once), confined as
`grader.sandbox.isolation` plans for the tier, sends it float64 arguments, and reads back a JSON
header plus raw float64 bytes, within a deadline. It never unpickles, never trusts a size
it did not bound, and checks every field of every header: the learner's code shares the
worker process, so anything on the channel may be forged, and a forgery must at worst fail
that one call, never the grader.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.sandbox import isolation
from grader.sandbox.isolation import Tier

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


class Malformed(WorkerDied):
    """The worker sent bytes that are not a well-formed answer (a forgery, garbage)."""

    def __init__(self, how: str = "the worker sent a malformed message") -> None:
        super().__init__(how)


@dataclass(frozen=True)
class Reply:
    """One answer from the worker: its JSON header and, for numbers, a float64 array."""

    header: dict
    value: np.ndarray | None


class Worker:
    """One worker process running one submission file."""

    def __init__(self, submission: Path, functions: list[str], *, source: bytes,
                 start_timeout: float, tier: Tier | None = None) -> None:
        """Run `source`, the bytes of the learner's file `submission` (a name for messages
        and tracebacks: the worker never opens it)."""
        self.submission = submission = submission.absolute()
        self.tier = isolation.choose(tier)
        source_fd = _source_file(source)
        req_read, self._req = os.pipe()
        self._resp, resp_write = os.pipe()
        self.plan = isolation.plan(self.tier, [req_read, resp_write], submission.parent)
        command = [sys.executable, "-I", "-B", str(WORKER_SCRIPT), str(submission),
                   str(req_read), str(resp_write), json.dumps(functions), json.dumps(self.plan),
                   str(source_fd)]
        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, pass_fds=(req_read, resp_write, source_fd),
                cwd=submission.parent, start_new_session=True, env=_worker_env(self.tier),
            )
        finally:
            os.close(req_read)
            os.close(resp_write)
            os.close(source_fd)
        os.set_blocking(self._req, False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._resp, selectors.EVENT_READ)
        self._start_timeout = start_timeout
        self._hello: dict | None = None
        self._seq = 0
        self._closed = False

    def hello(self) -> dict:
        """The worker's first message: whether the file imported and what it lacks."""
        if self._hello is None:
            self._hello = _valid_hello(self._read(time.monotonic() + self._start_timeout).header)
            if self._hello is None:
                self._fail("the worker sent a malformed message")
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
        self._seq += 1
        header = json.dumps({"op": "call", "func": func, "names": names, "args": specs,
                             "nbytes": len(payload), "seq": self._seq}).encode()
        deadline = time.monotonic() + timeout
        self._write_all(struct.pack(">I", len(header)) + header + payload, deadline)
        try:
            return read_reply(lambda n: self._read_exact(n, deadline), self._seq)
        except Malformed as malformed:
            self._fail(malformed.how, Malformed)

    def close(self) -> None:
        """Kill the worker and everything it started; idempotent and quick."""
        if self._closed:
            return
        self._closed = True
        if self.tier is Tier.FULL and self.process.poll() is None:
            # The keeper outside the namespace kills its pid 1, and with it every process
            # inside, including any that left the process group with setsid.
            try:
                os.kill(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=1.0)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        isolation.sweep(self.plan)
        for fd in (self._req, self._resp):
            try:
                os.close(fd)
            except OSError:
                pass
        self._selector.close()

    def _write_all(self, data: bytes, deadline: float) -> None:
        """Write a request, but never wait past the deadline on a worker that stopped reading."""
        view = memoryview(data)
        with selectors.DefaultSelector() as selector:
            selector.register(self._req, selectors.EVENT_WRITE)
            while view:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    self.close()
                    raise WorkerTimeout
                try:
                    view = view[os.write(self._req, view):]
                except BlockingIOError:
                    continue
                except OSError:
                    self._fail("the worker stopped reading")

    def _read(self, deadline: float) -> Reply:
        try:
            return read_frame(lambda n: self._read_exact(n, deadline))
        except Malformed as malformed:
            self._fail(malformed.how, Malformed)

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

    def _fail(self, how: str, kind: type[WorkerDied] = WorkerDied) -> None:
        self.close()
        raise kind(how)


def _source_file(source: bytes) -> int:
    """A descriptor of an anonymous file holding `source`, read from the start by the worker."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("submission", os.MFD_CLOEXEC)
    else:
        with tempfile.TemporaryFile() as file:
            fd = os.dup(file.fileno())
    view = memoryview(source)
    while view:
        view = view[os.write(fd, view):]
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def read_frame(read: Callable[[int], bytes]) -> Reply:
    """One frame, read with `read(n)` (exactly n bytes), with its size, header and data
    bounded and checked before use; `Malformed` for anything else, whatever the bytes."""
    (size,) = struct.unpack(">I", read(4))
    if size > MAX_HEADER_BYTES:
        raise Malformed
    try:
        header = json.loads(read(size))
        nbytes = header["nbytes"]
        if type(nbytes) is not int or not 0 <= nbytes <= MAX_DATA_BYTES or nbytes % 8:
            raise ValueError
        shape = None
        if header.get("numeric") is True:
            shape = tuple(header["shape"])
            if not all(type(n) is int and 0 <= n <= MAX_DATA_BYTES for n in shape) \
                    or len(shape) > 32 or 8 * _product(shape) != nbytes:
                raise ValueError
    except (WorkerTimeout, WorkerDied):
        raise
    except Exception:  # any bytes at all: a RecursionError from [[[[..., a huge int...
        raise Malformed from None
    data = read(nbytes)
    value = None if shape is None else np.frombuffer(data, dtype=np.float64).reshape(shape)
    return Reply(header, value)


def read_reply(read: Callable[[int], bytes], seq: int) -> Reply:
    """The answer to call number `seq`, read with `read(n)`, with only checked fields."""
    reply = read_frame(read)
    header = _valid_reply(reply.header, seq)
    if header is None:
        raise Malformed
    return Reply(header, reply.value)


def _product(shape: tuple[int, ...]) -> int:
    result = 1
    for n in shape:
        result *= n
    return result


def _worker_env(tier: Tier) -> dict[str, str]:
    """A small environment: no grader secrets, one thread for numpy, same results anywhere."""
    keep = ("PATH", "LANG", "LC_ALL", "HOME", "SYSTEMROOT", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    if tier is not Tier.MINIMAL:
        env["HOME"] = "/tmp"
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


MAX_TEXT = 300


def _text(value: object, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if type(value) is not str:
        raise ValueError
    return value[:MAX_TEXT]


def _error(value: object) -> dict:
    if type(value) is not dict:
        raise ValueError
    where = value.get("where")
    if where is not None:
        if type(where) is not dict or type(where.get("line")) is not int:
            raise ValueError
        where = {"line": where["line"], "code": _text(where.get("code"), optional=True)}
    if type(value.get("not_implemented", False)) is not bool:
        raise ValueError
    return {"type": _text(value.get("type")), "message": _text(value.get("message", "")),
            "where": where, "not_implemented": value.get("not_implemented", False)}


def _valid_hello(header: object) -> dict | None:
    """The worker's first message with only checked fields, or None if anything is off."""
    try:
        if type(header) is not dict or header.get("seq") != 0 or type(header.get("ready")) is not bool:
            raise ValueError
        if "confinement" in header:
            return {"ready": False, "confinement": _text(header["confinement"])}
        if not header["ready"]:
            return {"ready": False, "error": _error(header.get("error"))}
        missing = header.get("missing")
        if type(missing) is not list:
            raise ValueError
        return {"ready": True, "missing": [_text(name) for name in missing]}
    except (ValueError, KeyError, TypeError):
        return None


def _valid_reply(header: object, seq: int) -> dict | None:
    """A call's answer with only checked fields, or None if anything is off (or out of turn)."""
    try:
        if type(header) is not dict or header.get("seq") != seq or type(header.get("ok")) is not bool:
            raise ValueError
        if not header["ok"]:
            return {"ok": False, "error": _error(header.get("error"))}
        shape = header.get("shape")
        if shape is not None and (type(shape) is not list or
                                  not all(type(n) is int and n >= 0 for n in shape)):
            raise ValueError
        mutated, aliased = header.get("mutated", []), header.get("aliased")
        if type(mutated) is not list:
            raise ValueError
        return {"ok": True, "type": _text(header.get("type")), "shape": shape,
                "dtype": _text(header.get("dtype"), optional=True),
                "numeric": header.get("numeric") is True,
                "too_large": header.get("too_large") is True,
                "mutated": [_text(name) for name in mutated],
                "aliased": _text(aliased, optional=True)}
    except (ValueError, KeyError, TypeError):
        return None
