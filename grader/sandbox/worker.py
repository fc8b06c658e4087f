"""The grader's side of the worker boundary: start, talk to and kill one worker process.

The learner's code never runs in the grader's process. A `Worker` is given the learner's
file as bytes (read once by the grader, never again by path) and runs `worker_main` in a new
session (so the whole tree can be killed at once): forked from the warm template
(`grader.sandbox.template`, which imported numpy once) where there is one, else started
afresh; either way confined as `grader.sandbox.isolation` plans for the tier, sends it
float64 arguments, and reads back a JSON header plus raw float64 bytes, within a limit of
CPU time (`cputime`: the worker's and all it starts, so a busy machine changes nothing) and
a wall-clock backstop for code that sleeps. After its import and after each call (or batch of
calls, `call_many`, which a replay uses to send many in one exchange), every process it
started is killed. It never unpickles, never trusts a size it did not bound, and
checks every field of every header: the learner's code shares the worker process, so
anything on the channel may be forged, and a forgery must at worst fail that one call, never
the grader.
"""

from __future__ import annotations

import functools
import json
import os
import select
import selectors
import signal
import struct
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.sandbox import isolation, worker_start
from grader.sandbox.cgroups import Cell
from grader.sandbox.cputime import BACKSTOP, Meter
from grader.sandbox.frames import (MAX_DATA_BYTES, MAX_HEADER_BYTES, Malformed, Reply, WorkerDied,  # noqa: F401
                                    WorkerTimeout, _valid_hello, _valid_reply, read_frame, read_reply)
from grader.sandbox.isolation import NPROC, NPROC_UNWALLED, Tier
from grader.sandbox.template import Spawned


BATCH_ANSWER_BYTES = 1 << 20
"""The worker ends a batch of calls (`call_many`) once its answers hold this many bytes."""


@dataclass(frozen=True)
class _Limit:
    cpu: float
    """The meter's CPU reading at which the worker is stopped."""
    clock: float
    """The meter's backstop clock at which the worker is stopped."""


class Worker:
    """One worker process running one submission file."""

    def __init__(self, submission: Path, functions: list[str], *, source: bytes,
                 start_timeout: float, tier: Tier | None = None, cell: Cell | None = None,
                 memory: int | None = None, start_backstop: float | None = None) -> None:
        """Run `source`, the bytes of the learner's file `submission` (a name for messages
        and tracebacks: the worker never opens it). `start_timeout`: CPU seconds the import
        may take (its backstop: BACKSTOP times that, or `start_backstop`); `cell`: the
        worker's cgroup, if there is one; `memory`: bytes of address space per process."""
        self.submission = submission = submission.absolute()
        self.tier = isolation.choose(tier)
        source_fd = worker_start.source_file(source)
        req_read, self._req = os.pipe()
        self._resp, resp_write = os.pipe()
        walled = cell is not None and cell.has("pids")
        plan = functools.partial(isolation.plan, self.tier, cwd=submission.parent,
                                 cgroups=cell.join_files() if cell else [],
                                 processes=NPROC if walled else NPROC_UNWALLED, memory=memory)
        try:
            self.process, self.plan = worker_start.start(
                plan, submission, functions, self.tier, (req_read, resp_write, source_fd),
                self._req)
        finally:
            os.close(req_read)
            os.close(resp_write)
            os.close(source_fd)
        os.set_blocking(self._req, False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._resp, selectors.EVENT_READ)
        self.cell = cell
        self._meter: Meter | None = None
        self._used = self._began = (0.0, time.monotonic())
        self._start_timeout = start_timeout
        self._start_backstop = BACKSTOP * start_timeout if start_backstop is None else start_backstop
        self._hello: dict | None = None
        self._buffer = bytearray()
        self._seq = 0
        self._closed = False
        self._stopping = False
        self._abandoned = threading.Event()

    @property
    def meter(self) -> Meter:
        """The worker's CPU meter, made once its pid is known (a template's fork is asked
        for without waiting, so it starts while the grader goes on)."""
        if self._meter is None:
            self._meter = Meter(self.process.pid, cell=self.cell, nested=self.tier is Tier.FULL,
                                uid=self.plan.get("uid"))
        return self._meter

    def hello(self) -> dict:
        """The worker's first message: whether the file imported and what it lacks."""
        if self._hello is None and self.process.pid is None:  # its template could not fork it
            failure = getattr(self.process, "failure", None)
            self._hello = {"ready": False, "confinement": "the worker template ended" if failure
                           is None else f"the worker could not be started ({failure})"}
            self.close()
        if self._hello is None:
            limit = self._limit(self._start_timeout, self._start_backstop)
            self._hello = _valid_hello(self._read(limit).header)
            self.used()
            if self._hello is None:
                self._fail("the worker sent a malformed message")
            self.meter.end_strays()  # whatever its import started ends with the import
        return self._hello

    @property
    def started(self) -> bool:
        """True once the worker has said hello (its import has ended)."""
        return self._hello is not None

    def used(self) -> tuple[float, float]:
        """(CPU seconds used by the worker and all it started, its backstop clock), read
        now; after `close`, as they were when it was closed."""
        if not self._closed:
            self._used = (self.meter.cpu(), self.meter.clock())
        return self._used

    @property
    def usage(self) -> tuple[float, float]:
        """`used()` as it was read last: at the end of the last call or import, or at close."""
        return self._used

    def last_wait(self) -> float:
        """Seconds on the backstop's clock the last call (or the import) took."""
        return self._used[1] - self._began[1]

    def last_cpu(self) -> float:
        """CPU seconds the last call (or the import) used, with all it started."""
        return self._used[0] - self._began[0]

    def abandon(self) -> None:
        """From another thread: make the thread waiting on this worker stop waiting (within
        50 ms), close the worker and raise WorkerDied; `close` afterwards as usual."""
        self._abandoned.set()

    def call(self, func: str, names: list[str], args: list, *, timeout: float,
             backstop: float | None = None) -> Reply:
        """Call `func(*args)` in the worker; arrays travel as float64 bytes. The call may use
        `timeout` seconds of CPU time, and wait BACKSTOP times that (or `backstop`) seconds
        on the backstop's clock."""
        specs, payload = wire(args)
        header = {"op": "call", "func": func, "names": names, "args": specs}
        return self._exchange(header, payload, 1, timeout, backstop)[0]

    def call_many(self, calls: list[tuple[str, list[str], list]], *, timeout: float,
                  backstop: float, budget: float) -> list[Reply]:
        """Make `calls` (each `(func, names, args)` as for `call`) in order, in one exchange:
        the answers to the first of them, up to and including one that raised or the one
        after which they had used `budget` of CPU (or of the clock, times BACKSTOP). All of
        them together may use `timeout` seconds of CPU and `backstop` of the clock, so a
        batch that passes its limits holds no call that would fail its own."""
        specs, chunks = [], []
        for func, names, args in calls:
            arg_specs, data = wire(args)
            specs.append({"func": func, "names": names, "args": arg_specs, "nbytes": len(data)})
            chunks.append(data)
        header = {"op": "calls", "calls": specs, "budget": budget, "wait": BACKSTOP * budget,
                  "bytes": BATCH_ANSWER_BYTES}
        return self._exchange(header, b"".join(chunks), len(calls), timeout, backstop)

    def _exchange(self, header: dict, payload: bytes, calls: int, timeout: float,
                  backstop: float | None) -> list[Reply]:
        self.hello()
        first = self._seq + 1
        header = json.dumps({**header, "nbytes": len(payload), "seq": first}).encode()
        limit = self._limit(timeout, BACKSTOP * timeout if backstop is None else backstop)
        self._write_all(struct.pack(">I", len(header)) + header + payload, limit)
        replies: list[Reply] = []
        room = MAX_DATA_BYTES + (BATCH_ANSWER_BYTES if calls > 1 else 0)

        def read(n: int) -> bytes:  # a batch's answers together hold what one may, and a bit
            nonlocal room
            room -= n
            return self._read_exact(n, limit)

        try:
            while len(replies) < calls:
                reply = read_reply(read, first + len(replies), max_data=room)
                replies.append(reply)
                if calls > 1 and (not reply.header["ok"] or reply.header["done"]):
                    break
        except Malformed as malformed:
            self._fail(malformed.how, Malformed)
        self._seq = first + calls - 1  # an answer to a call not made is out of turn
        self.used()
        self.meter.end_strays()  # nothing the calls started outlives them
        return replies

    def stop(self) -> None:
        """Start ending a full-tier worker without waiting (its pid namespace takes about
        15 ms to go): stop several, then `close` each, and they end together."""
        if not self._closed and self.tier is Tier.FULL and not self._stopping:
            self.used()
            self._stopping = True
            try:
                os.kill(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        """Kill the worker and everything it started; idempotent and quick."""
        if self._closed:
            return
        if self.process.pid is None:  # its template ended before it forked: nothing ran
            self._closed = True
            if self.cell is not None:
                self.cell.remove()
            self._close_channel()
            return
        if not self._stopping:
            self.used()
        self._closed = True
        if self.tier is Tier.FULL and self.process.poll() is None:
            # The keeper outside the namespace kills its pid 1, and with it every process
            # inside, including any that left the process group with setsid.
            try:
                if not self._stopping:
                    os.kill(self.process.pid, signal.SIGTERM)
                _wait_for_end(self.process, 1.0)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        if isinstance(self.process, Spawned):
            self.process.release()  # only now may the template reap it and its pid be reused
        isolation.sweep(self.plan)
        self.meter.close()
        if self.cell is not None:
            self.cell.remove()  # also what left the process group: setsid, double forks
        self._close_channel()

    def forget(self) -> None:
        """In a fork that leaves this worker to the process that started it: close this
        process's copies of its channel and of the template's reply socket (the template
        reaps a worker only when every copy is closed), without stopping it."""
        self._closed = True
        if isinstance(self.process, Spawned):
            self.process.release()
        self._close_channel()

    def _close_channel(self) -> None:
        for fd in (self._req, self._resp):
            try:
                os.close(fd)
            except OSError:
                pass
        self._selector.close()

    def _limit(self, cpu: float, backstop: float) -> _Limit:
        self._began = self.used()
        return _Limit(self._began[0] + cpu, self._began[1] + backstop)

    def _wait(self, selector: selectors.BaseSelector, limit: _Limit) -> None:
        """Wait until the channel is ready; past the CPU limit or the backstop, kill the
        worker and raise WorkerTimeout. Whatever is ready is read first, so a grader slowed
        by a busy machine never stops a worker that has answered."""
        pause = 0.002
        while not selector.select(pause):
            if self._abandoned.is_set():
                self._fail("no longer wanted")
            if self.meter.cpu() >= limit.cpu:
                self.close()
                raise WorkerTimeout(waited=False)
            if self.meter.clock() >= limit.clock:
                self.close()
                raise WorkerTimeout(waited=True)
            pause = min(2 * pause, 0.05)

    def _write_all(self, data: bytes, limit: _Limit) -> None:
        """Write a request, but never wait past the limits on a worker that stopped reading.
        Most requests fit the pipe at once; only the rest waits for the worker to read."""
        view = memoryview(data)
        view = view[self._write_some(view):]
        if not view:
            return
        with selectors.DefaultSelector() as selector:
            selector.register(self._req, selectors.EVENT_WRITE)
            while view:
                self._wait(selector, limit)
                view = view[self._write_some(view):]

    def _write_some(self, view: memoryview) -> int:
        try:
            return os.write(self._req, view)
        except BlockingIOError:
            return 0
        except OSError:
            self._fail("the worker stopped reading")

    def _read(self, limit: _Limit) -> Reply:
        try:
            return read_frame(lambda n: self._read_exact(n, limit))
        except Malformed as malformed:
            self._fail(malformed.how, Malformed)

    def _read_exact(self, n: int, limit: _Limit) -> bytes:
        """`n` bytes of the channel. Each read takes what is there (up to 64 KiB more than
        asked), so a reply's length, header and data usually come in one wait and one read;
        the rest waits in the buffer for the next frame."""
        while len(self._buffer) < n:
            self._wait(self._selector, limit)
            chunk = os.read(self._resp, min(max(n - len(self._buffer), 1 << 16), 1 << 20))
            if not chunk:
                self._fail(_exit_description(self.process))
            self._buffer += chunk
        taken = bytes(self._buffer[:n])
        del self._buffer[:n]
        return taken

    def _fail(self, how: str, kind: type[WorkerDied] = WorkerDied) -> None:
        self.close()
        raise kind(how)


def wire(args: list) -> tuple[list[dict], bytes]:
    """How `args` travel to the worker: their specs and their float64 bytes. Two calls with
    the same wire form are the same call, to the last bit (-0.0, NaN payloads)."""
    specs, chunks = [], []
    for arg in args:
        if isinstance(arg, np.ndarray):
            array = np.ascontiguousarray(arg, dtype=np.float64)
            specs.append({"kind": "array", "shape": list(array.shape)})
            chunks.append(array.tobytes())
        else:
            specs.append({"kind": "float", "value": float(arg)})
    return specs, b"".join(chunks)


def _wait_for_end(process: subprocess.Popen, timeout: float) -> None:
    """Wait up to `timeout` seconds for `process` to end, waking the moment it does: a pidfd
    becomes readable then (Popen.wait with a timeout polls, and sleeps 12 ms a worker)."""
    try:
        fd = os.pidfd_open(process.pid)
    except (AttributeError, OSError):  # before Linux 5.3, or it has ended and been reaped
        process.wait(timeout=timeout)
        return
    try:
        select.select([fd], [], [], timeout)
    finally:
        os.close(fd)


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
