"""How a worker process is started: as a fork of the warm template (`template`), told in
a start message what a fresh worker's command line, environment and inherited state would
be, or afresh with that command line and environment where there is no template."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from grader.sandbox import template
from grader.sandbox.isolation import Tier
from grader.sandbox.template import Spawned

WORKER_SCRIPT = Path(__file__).with_name("worker_main.py")


def start(plan: Callable[..., dict], submission: Path, functions: list[str], tier: Tier,
          fds: tuple[int, int, int], request: int) -> tuple[Spawned | subprocess.Popen, dict]:
    """The worker for `submission` and the plan it follows. `plan(channel_fds=...)` makes
    the plan for where the worker keeps its channel; `fds`: the request pipe's read end,
    the reply pipe's write end and the source, which the worker keeps; `request`: the
    request pipe's write end, on which a fork of the template gets its start message."""
    forked = _fork(plan, submission, functions, tier, fds, request)
    if forked is not None:
        return forked
    req_read, resp_write, source_fd = fds
    planned = plan(channel_fds=[req_read, resp_write])
    command = [sys.executable, "-I", "-B", str(WORKER_SCRIPT), str(submission), str(req_read),
               str(resp_write), json.dumps(functions), json.dumps(planned), str(source_fd)]
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, pass_fds=fds, cwd=submission.parent,
        start_new_session=True, env=worker_env(tier, planned.get("home")))
    return process, planned


def _fork(plan: Callable[..., dict], submission: Path, functions: list[str], tier: Tier,
          fds: tuple[int, int, int], request: int) -> tuple[Spawned, dict] | None:
    """The worker as a fork of the warm template; None where there is no template."""
    found = template.shared(worker_env(Tier.MINIMAL))
    if found is None:
        return None
    planned = plan(channel_fds=[3, 4])  # where the fork keeps them
    message = json.dumps({
        "submission": str(submission), "functions": functions, "plan": planned,
        "env": worker_env(tier, planned.get("home")), "cwd": str(submission.parent),
        "umask": _umask(), "rlimits": _rlimits(), "cpus": _cpus(),
    }).encode()
    if len(message) > template.MAX_START:
        return None
    spawned = found.spawn(fds)
    if spawned is None:
        return None
    os.write(request, struct.pack(">I", len(message)) + message)  # fits the pipe's buffer
    return spawned, planned


def source_file(source: bytes) -> int:
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


def warm_template() -> None:
    """Start this process's warm template now, where there is one, so it imports numpy while
    the grader imports pytest; a process forked later (`grade all`'s second half, a batch's
    students) shares it."""
    template.shared(worker_env(Tier.MINIMAL))


RLIMITS = ("as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
           "nofile", "nproc", "rss", "rtprio", "sigpending", "stack")


def _rlimits() -> dict[str, tuple[int, int]]:
    """This process's resource limits, which a worker it started would inherit (a batch's
    grading process lowers its CPU time): a template's fork takes them on."""
    import resource  # only where there is a template (Linux)

    found = {}
    for name in RLIMITS:
        which = getattr(resource, f"RLIMIT_{name.upper()}", None)
        if which is not None:
            found[name] = resource.getrlimit(which)
    return found


def _cpus() -> list[int] | None:
    """The CPUs this process may run on, as a worker it started would inherit them."""
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None


def _umask() -> int:
    current = os.umask(0o077)
    os.umask(current)
    return current


def worker_env(tier: Tier, home: str | None = None) -> dict[str, str]:
    """A small environment: no grader secrets, one thread for numpy, same results anywhere.

    `home`: the worker's own scratch folder (reduced tier), its HOME and TMPDIR."""
    keep = ("PATH", "LANG", "LC_ALL", "HOME", "SYSTEMROOT", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    if tier is not Tier.MINIMAL:
        env["HOME"] = "/tmp"
    if home is not None:
        env["HOME"] = env["TMPDIR"] = home
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    return env
