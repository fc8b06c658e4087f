"""How far a worker can be confined on this machine, and the plan each worker follows.

Three tiers, detected once per process (the worker carries the plan out in `_confine`):

- full: root with CAP_SYS_ADMIN (a grading container or CI): namespaces, private tmpfs,
  solutions and hidden checks hidden, read-only filesystem, a uid of its own, rlimits.
- reduced: root without namespaces (e.g. Docker without CAP_SYS_ADMIN): uid drop + rlimits.
- minimal: not root (a learner's laptop): a subprocess with rlimits. Same verdicts.
"""

from __future__ import annotations

import ctypes
import enum
import functools
import itertools
import os
import shutil
import signal
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from grader import paths

SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")
SYSTEM = ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc", "/dev", "/proc",
          "/sys")
"""Top-level folders a full-tier worker still sees (read-only). Every other top-level folder
(/home, /root, /work, /opt, /srv, /var, ...) is covered by an empty tmpfs, so no other copy of
the course on the machine (a checkout, a backup) is readable; the interpreter and its
packages are bound back."""
SCRATCH_BYTES = 64 * 1024 * 1024
LIMITS = {"as": 1 << 30, "cpu": 60, "fsize": 16 * 1024 * 1024, "nofile": 64, "core": 0}
NPROC = 32
"""Processes (and threads) a confined worker may run at once: a fork bomb stops there."""
UID_BASE = 2_000_000_000
"""Each confined worker gets a uid of its own above this: no other process shares it, so
RLIMIT_NPROC counts only that worker and the worker can signal or trace nothing else."""

_uids = itertools.count()


class Tier(str, enum.Enum):
    """How strongly a worker is confined; compare with `rank`."""

    MINIMAL = "minimal"
    REDUCED = "reduced"
    FULL = "full"

    @property
    def rank(self) -> int:
        return ("minimal", "reduced", "full").index(self.value)


class IsolationTooLow(Exception):
    """Official grading asked for a tier this machine cannot give: nothing was graded."""


@dataclass(frozen=True)
class Isolation:
    tier: Tier
    missing: tuple[str, ...] = ()
    """What a higher tier needs here, one sentence each, for `grade doctor`."""
    have: tuple[str, ...] = field(default=())
    """What the detected tier gives, one sentence each."""


@functools.cache
def detect() -> Isolation:
    """The strongest tier this process can give its workers (probed once, a few ms)."""
    if not sys.platform.startswith("linux"):
        return Isolation(Tier.MINIMAL, ("Linux (namespaces and uid switching)",), _have(Tier.MINIMAL))
    if os.geteuid() != 0:
        return Isolation(Tier.MINIMAL, ("root: run the grader as root (e.g. in the grading "
                                        "container) so workers can drop to their own uid",),
                         _have(Tier.MINIMAL))
    unreachable = [p for p in _interpreter_paths() if not _world_readable(p)]
    namespaces = _probe_namespaces()
    if namespaces is None:
        return Isolation(Tier.FULL, (), _have(Tier.FULL))
    missing = [f"namespaces ({namespaces}): give the container CAP_SYS_ADMIN, or run where "
               "unshare(2) and mount(2) are allowed"]
    if unreachable:
        missing.append(f"{unreachable[0]} is not readable by an unprivileged uid, so without a "
                       "mount namespace the worker cannot drop privileges: install Python "
                       "where every user can read it")
        return Isolation(Tier.MINIMAL, tuple(missing), _have(Tier.MINIMAL))
    hidden = [p for p in paths.hidden() if _world_readable(p)]
    if hidden:
        missing.append(f"{hidden[0]} is readable by any user: chmod -R go-rwx it, since "
                       "without namespaces it cannot be hidden from the worker")
    return Isolation(Tier.REDUCED, tuple(missing), _have(Tier.REDUCED))


def require(tier: Tier) -> Isolation:
    """The detected isolation, or `IsolationTooLow` if it is below `tier`."""
    found = detect()
    if found.tier.rank < tier.rank:
        reason = f" (missing: {found.missing[0]})" if found.missing else ""
        raise IsolationTooLow(f"this machine gives isolation tier {found.tier.value}, but "
                              f"{tier.value} is required{reason}")
    return found


def choose(tier: Tier | None) -> Tier:
    """The tier to use: the detected one, or a lower one asked for (tests, benchmarks)."""
    found = detect().tier
    if tier is None:
        return found
    if tier.rank > found.rank:
        raise IsolationTooLow(f"isolation tier {tier.value} asked for, but this machine "
                              f"gives only {found.value}")
    if tier is Tier.REDUCED and not all(_world_readable(p) for p in _interpreter_paths()):
        raise IsolationTooLow("isolation tier reduced asked for, but an unprivileged uid "
                              "cannot read this Python installation")
    return tier


def plan(tier: Tier, channel_fds: list[int], cwd: Path) -> dict:
    """What the worker does to itself before it reads the learner's code (see `_confine`)."""
    limits = dict(LIMITS)
    if tier is Tier.MINIMAL:
        # Our own uid: its processes count too, so leave room above what runs already.
        if os.geteuid() != 0:
            limits["nproc"] = _own_process_count() + NPROC
        return {"tier": tier.value, "limits": limits, "cwd": str(cwd), "fds": channel_fds}
    limits["nproc"] = NPROC
    uid = UID_BASE + (os.getpid() % 100_000) * 1000 + next(_uids) % 1000
    if tier is Tier.REDUCED:
        return {"tier": tier.value, "uid": uid, "limits": limits, "cwd": "/", "fds": channel_fds}
    keep = sorted({str(Path(p).resolve()) for p in _interpreter_paths()})
    project = paths.source_checkout()
    masks = {m for m in SCRATCH if os.path.isdir(m)}
    masks |= {str(project)} if project else set()
    masks |= {entry.path for entry in os.scandir("/")
              if entry.is_dir(follow_symlinks=False) and entry.path not in SYSTEM}
    for path in keep:
        blocked = _first_closed_ancestor(path)
        if blocked:
            masks.add(blocked)
    masks = sorted(m for m in masks if not any(m != o and m.startswith(o + "/") for o in masks))
    return {"tier": tier.value, "uid": uid, "limits": limits, "cwd": "/tmp", "fds": channel_fds,
            "keep": keep, "masks": masks, "scratch": [m for m in SCRATCH if m in masks],
            "hide": [str(p) for p in paths.hidden()], "scratch_bytes": SCRATCH_BYTES}


def sweep(worker_plan: dict) -> None:
    """After a reduced-tier worker: end what its uid still runs, remove what it left in /tmp.

    (The full tier needs none of this: its namespaces and tmpfs vanish with it.)"""
    if worker_plan.get("tier") != Tier.REDUCED.value:
        return
    uid = worker_plan["uid"]
    for _ in range(20):  # a fork loop may refill; a few passes catch it under RLIMIT_NPROC
        pids = [int(e.name) for e in os.scandir("/proc") if e.name.isdigit() and _owner(e) == uid]
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for folder in SCRATCH:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if _owner(entry) == uid:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    try:
                        os.unlink(entry.path)
                    except OSError:
                        pass


def _interpreter_paths() -> list[str]:
    return list(dict.fromkeys([sys.base_prefix, sys.prefix, sys.exec_prefix]))


def _first_closed_ancestor(path: str) -> str | None:
    """The topmost folder on the way to `path` that other users cannot enter."""
    current = "/"
    for part in Path(path).parts[1:]:
        current = os.path.join(current, part)
        if not os.stat(current).st_mode & stat.S_IXOTH:
            return current
    return None


def _world_readable(path: str | Path) -> bool:
    path = str(path)
    if _first_closed_ancestor(os.path.dirname(path) or "/"):
        return False
    return bool(os.stat(path).st_mode & stat.S_IROTH)


def _owner(entry: os.DirEntry) -> int | None:
    try:
        return entry.stat(follow_symlinks=False).st_uid
    except OSError:
        return None


def _own_process_count() -> int:
    uid = os.getuid()
    try:
        return sum(1 for e in os.scandir("/proc") if e.name.isdigit() and _owner(e) == uid)
    except OSError:  # no /proc (macOS): assume a busy desktop
        return 1000


def _probe_namespaces() -> str | None:
    """None if a child can enter new namespaces and mount a tmpfs, else what failed."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return "no C library"
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child only makes raw system calls, then leaves without cleanup
        os.close(read)
        flags = 0x00020000 | 0x04000000 | 0x08000000 | 0x20000000 | 0x40000000
        what = b""
        if libc.unshare(flags) != 0:
            what = b"unshare: " + os.strerror(ctypes.get_errno()).encode()
        elif libc.mount(None, b"/", None, ctypes.c_ulong(16384 | (1 << 18)), None) != 0 or \
                libc.mount(b"tmpfs", b"/tmp", b"tmpfs", ctypes.c_ulong(0), b"size=4k") != 0:
            what = b"mount: " + os.strerror(ctypes.get_errno()).encode()
        os.write(write, what)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        what = pipe.read().decode()
    os.waitpid(pid, 0)
    return what or None


def _have(tier: Tier) -> tuple[str, ...]:
    every = ("rlimits: 1 GiB of memory, 60 s of CPU, 16 MiB per file, 64 open files",
             "a scrubbed environment and python -I; learner output goes to /dev/null",
             "per-call and per-submission time limits; the worker's process group is killed")
    if tier is Tier.MINIMAL:
        return every
    drop = (f"each worker runs as a uid of its own (from {UID_BASE}), with no new privileges "
            f"and at most {NPROC} processes",)
    if tier is Tier.REDUCED:
        return drop + every
    return drop + ("new pid, mount, network, IPC and UTS namespaces: the worker is pid 1, "
                   "sees no other process and no network, and all it starts dies with it",
                   "a seccomp filter: no sockets but AF_UNIX, AF_INET and AF_INET6 (no netlink, "
                   "vsock, packet or crypto sockets), no io_uring",
                   "private tmpfs on /tmp, /var/tmp, /dev/shm; the filesystem read-only; the "
                   "project folder, reference solutions and hidden checks hidden") + every
