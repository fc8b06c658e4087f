"""The warm template: imports numpy once, then forks one worker per request.

Started by `grader.sandbox.template` as ``python -I -B template_main.py CONTROL_FD PARENT
PADDING``, with the environment a worker gets (PADDING is room for a fork to write its own
command line). Like `worker_main` (which it loads by path), it imports nothing from the
grader, and it never reads a learner's file, name or plan: those reach each fork through the
fork's own request pipe, so no student's data is in this process for a later student's fork
to find. A fork starts in milliseconds instead of importing numpy again (0.1 CPU-s), then
runs `worker_main.run`, confinement and all, exactly as a fresh worker does.

The control socket (SOCK_SEQPACKET, shared by the grader and its forks) carries requests:

    b"spawn" with four descriptors: the request pipe's read end, the reply pipe's write
    end, the learner's source, and a reply socket of this worker alone.

On the reply socket this process sends ``{"pid": PID}`` once it has forked, and
``{"code": CODE}`` (as `subprocess`'s returncode) when the worker has ended. It reaps the
worker only once the grader closes its end, so the grader may signal the worker's pid and
process group until then without hitting a stranger that reused the number; a grader that
closes its end early (or dies) gets its worker killed. When the control socket is closed by
every holder, every worker is killed and this process exits; it also dies with its parent.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import resource
import selectors
import signal
import socket
import sys
from typing import NamedTuple

PR_SET_PDEATHSIG = 1
THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
FIRST_FREE = 6
"""A fork keeps its request pipe, reply pipe and source as descriptors 3, 4 and 5."""


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    _die_with(int(sys.argv[2]))
    _retitle([sys.executable, "-I", "-B", __file__])
    _more_descriptors()
    worker = _load("worker_main")
    for name in THREADS:  # forks copy only the thread that forks: numpy must have no other
        os.environ[name] = "1"
    import numpy

    worker.np = numpy
    worker.forget_the_grader()
    forked = serve(control, worker)
    # A fork: from here on it is the worker, at the depth of stack a fresh one has (the
    # learner's recursion limit counts the frames below their code).
    start = _become_worker(forked, worker)
    try:
        worker.run(os.path.abspath(start["submission"]), 3, 4, start["functions"],
                   start["plan"], 5)
    finally:
        os._exit(0)


class _Fork(NamedTuple):
    template: int
    fds: list[int]


def serve(control: socket.socket, worker) -> _Fork:
    """Fork a worker per request until every holder of `control` has closed it; returns
    only in a fork, having let go of everything of the template's."""
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ, None)
    children: dict[int, _Child] = {}
    while True:
        for key, _ in selector.select():
            if key.data is None:
                spawned = _spawn(control, selector, children, worker)
                if isinstance(spawned, _Fork):
                    for sock in [control, *(c.reply for c in children.values())]:
                        sock.detach()  # closed by number in the fork; never by these objects
                    selector.close()
                    children.clear()  # no other student's worker is known to this one
                    return spawned
                if not spawned:
                    for child in children.values():
                        child.kill()
                    os._exit(0)
            else:
                kind, child = key.data
                if kind == "exit":
                    child.ended(selector)
                else:
                    child.released(selector)
                if child.done:
                    del children[child.pid]


class _Child:
    def __init__(self, pid: int, reply: socket.socket) -> None:
        self.pid, self.reply = pid, reply
        self.pidfd = os.pidfd_open(pid)
        self.code: int | None = None
        self.gone = self.done = False

    def ended(self, selector: selectors.BaseSelector) -> None:
        """It has ended: tell the grader how, but keep its pid until the grader lets go."""
        selector.unregister(self.pidfd)
        try:
            info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)
            self.code = info.si_status if info.si_code == os.CLD_EXITED else -info.si_status
        except ChildProcessError:
            self.code = -signal.SIGKILL
        if self.gone:
            self._reap()
        else:
            try:
                self.reply.send(json.dumps({"code": self.code}).encode())
            except OSError:
                pass

    def released(self, selector: selectors.BaseSelector) -> None:
        """The grader closed its end (or died): end the worker if it runs, then reap it."""
        selector.unregister(self.reply)
        self.gone = True
        if self.code is None:
            self.kill()
        else:
            self._reap()

    def kill(self) -> None:
        for target in (-self.pid, self.pid):
            try:
                os.kill(target, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def _reap(self) -> None:
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        os.close(self.pidfd)
        self.reply.close()
        self.done = True


def _spawn(control: socket.socket, selector: selectors.BaseSelector,
           children: dict[int, _Child], worker) -> bool | _Fork:
    """Serve one request; False once the control socket is closed by all its holders; in
    the fork, what it is to keep."""
    try:
        message, fds, _, _ = socket.recv_fds(control, 64, 4)
    except InterruptedError:
        return True
    if not message and not fds:
        return False
    if message != b"spawn" or len(fds) != 4:
        for fd in fds:
            os.close(fd)
        return True
    reply, pid = None, None
    try:
        reply = socket.socket(fileno=fds[3])
        template = os.getpid()
        pid = os.fork()
        if pid == 0:
            reply.detach()
            return _Fork(template, fds)
        child = _Child(pid, reply)
    except OSError as error:  # no process or descriptor to spare: this request fails, not all
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        _refuse(reply, fds[3], f"{error.strerror or error}")
        return True
    finally:
        if pid != 0:
            for fd in fds[:3]:
                os.close(fd)
    children[pid] = child
    selector.register(child.pidfd, selectors.EVENT_READ, ("exit", child))
    selector.register(reply, selectors.EVENT_READ, ("release", child))
    try:
        reply.send(json.dumps({"pid": pid}).encode())
    except OSError:
        pass  # the grader is gone already: its end reads as closed, and the worker is killed
    return True


def _refuse(reply: socket.socket | None, fd: int, why: str) -> None:
    """Tell the grader its worker could not be started, and let go of its reply socket."""
    try:
        if reply is None:
            os.write(fd, json.dumps({"failed": why}).encode())
        else:
            reply.send(json.dumps({"failed": why}).encode())
    except OSError:
        pass
    if reply is not None:
        reply.close()
    else:
        os.close(fd)


def _become_worker(forked: _Fork, worker) -> dict:
    """Keep only the fork's three descriptors (never the control socket: with it a learner
    could ask for workers of their own plan), then take on what a fresh worker would have:
    its start message says what. Ends the fork if any of it fails."""
    channel = False
    try:
        _die_with(forked.template)
        os.setsid()
        high = [os.dup(fd) for fd in forked.fds[:3]]
        for number, fd in enumerate(high, start=3):
            os.dup2(fd, number)
        os.closerange(FIRST_FREE, os.sysconf("SC_OPEN_MAX"))
        channel = True
        start, _ = worker.read_frame(3)
        os.environ.clear()
        os.environ.update(start["env"])
        for name, (soft, hard) in start["rlimits"].items():  # what a child of the grader inherits
            _set_rlimit(name, soft, hard)
        os.umask(start["umask"])
        if start.get("cpus"):
            os.sched_setaffinity(0, start["cpus"])
        os.chdir(start["cwd"])
        # What a fresh worker's command line says, for `ps` and for the learner's code alike.
        sys.argv = [worker.__file__, start["submission"], "3", "4", json.dumps(start["functions"]),
                    json.dumps(start["plan"]), "5"]
        sys.orig_argv = [sys.executable, "-I", "-B", *sys.argv]
        _retitle(sys.orig_argv[:5])
        return start
    except BaseException as exc:  # noqa: BLE001 - before any learner code: the grader's problem
        try:
            if channel:
                worker.write_frame(4, {"seq": 0, "ready": False,
                                       "confinement": worker.clip(f"template: {exc}")})
        except BaseException:  # noqa: BLE001
            pass
        os._exit(0)


def _set_rlimit(name: str, soft: int, hard: int) -> None:
    try:
        resource.setrlimit(getattr(resource, f"RLIMIT_{name.upper()}"), (soft, hard))
    except (AttributeError, ValueError, OSError):  # not ours to raise: this lower one stays
        pass


def _more_descriptors() -> None:
    """Room for two descriptors per live worker (its pidfd and reply socket), however many
    job slots a batch runs: the soft limit up to the hard one. Each fork gets the grader's
    own limits back from its start message."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        pass


def _retitle(words: list[str]) -> None:
    """Rewrite this process's command line in place (as setproctitle does), within the room
    the padding argument left: a fork then reads in `ps` as the worker it is, naming the
    file it runs (how the tests and an instructor find a submission's processes)."""
    try:
        with open("/proc/self/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        start, end = int(fields[45]), int(fields[46])  # arg_start and arg_end
    except (OSError, IndexError, ValueError):
        return
    text = b"\0".join(os.fsencode(word) for word in words)[: end - start - 1]
    ctypes.memmove(start, text.ljust(end - start, b"\0"), end - start)


def _die_with(parent: int) -> None:
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(0)


def _load(name: str):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    main()
