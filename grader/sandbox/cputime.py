"""How much CPU a worker and everything it started has used, and how long it has waited.

Time limits count the learner's CPU time, so a busy machine or a greedy neighbour cannot
make a correct answer late. A `Meter` reads, best first:

- the worker's cgroup cell (`cgroups.Cell`): every process that was ever in it, also ones
  that left with setsid or were reaped elsewhere;
- else the worker's process tree in /proc: live processes plus the children they reaped
  (and, with a uid of its own, every process of that uid);
- else (no /proc, e.g. macOS) wall-clock time, as before.

`clock()` is the backstop's clock: wall-clock time minus the time the worker's main process
sat ready to run while others had the CPU (Linux's schedstat). It runs while the worker
computes, sleeps or blocks, not while a busy machine keeps it waiting; a backstop at
BACKSTOP times the CPU limit stops code that sleeps, never code that a busy machine slows.
"""

from __future__ import annotations

import os
import signal
import time

from grader.sandbox.cgroups import Cell

BACKSTOP = 10
"""The wall-clock backstop, in multiples of the CPU limit, for code that sleeps or blocks."""
RELOOK = 0.05
"""Seconds between fresh looks at the process tree while a call runs (no cgroup)."""
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
HAVE_PROC = os.path.isdir("/proc/self")


class Meter:
    """The CPU time and backstop clock of one worker (`root`) and all it starts."""

    def __init__(self, root: int, *, cell: Cell | None, nested: bool, uid: int | None) -> None:
        """`nested`: the learner's code runs in a child of `root` (the full tier's pid 1);
        `uid`: the worker's own uid, if it has one."""
        self.root, self.cell, self.nested, self.uid = root, cell, nested, uid
        self.kind = ("cgroup" if cell is not None and cell.cpu_seconds() is not None
                     else "process tree" if HAVE_PROC else "wall clock")
        self._started = time.monotonic()
        self._runner: int | None = None if nested else root
        self._schedstat: int | None = None
        self._queued0: float | None = None
        self._queued = 0.0
        self._cpu = 0.0
        self._members: set[int] = {root}
        self._last_pid: str | None = None
        self._looked = 0.0

    def cpu(self) -> float:
        """Seconds of CPU used so far by the worker and everything it started."""
        if self.kind == "cgroup":
            seconds = self.cell.cpu_seconds()
        elif self.kind == "process tree":
            fresh = time.monotonic() - self._looked > RELOOK
            seconds = sum(_cpu_of(pid) for pid in self._tree(fresh=fresh))
        else:
            seconds = time.monotonic() - self._started
        if seconds is not None:
            self._cpu = max(self._cpu, seconds)
        return self._cpu

    def clock(self) -> float:
        """Wall-clock seconds minus the time the learner's process waited for a CPU."""
        queued = self._read_queued()
        if queued is not None:
            if self._queued0 is None:
                self._queued0 = queued
            self._queued = max(self._queued, queued - self._queued0)
        return time.monotonic() - self._queued

    def runner(self) -> int | None:
        """The process that runs the learner's code; found once it has started."""
        if self._runner is None:
            pids = self.cell.pids() if self.cell is not None else _all_pids()
            self._runner = next((p for p in pids if _parent(p) == self.root), None)
        return self._runner

    def end_strays(self) -> None:
        """Kill every process the worker started that still runs (all but the worker)."""
        keep = {self.root, self.runner()}
        if None in keep:  # not started yet: nothing of the learner's has run
            return
        if self.cell is not None:
            self.cell.kill(keep)
            return
        if not HAVE_PROC:
            return
        for _ in range(50):
            strays = {p for p in self._tree(fresh=True) - keep if not _zombie(p)}
            if not strays:
                return
            for pid in strays:
                _stop(pid)
            for pid in strays:
                _kill(pid)
            self._last_pid = None  # look again: they may have started more meanwhile

    def close(self) -> None:
        if self._schedstat is not None:
            os.close(self._schedstat)
            self._schedstat = None

    def _read_queued(self) -> float | None:
        """Seconds the runner has spent ready to run but waiting for a CPU (None: unknown)."""
        runner = self.runner()
        if runner is None or not HAVE_PROC:
            return None
        try:
            if self._schedstat is None:
                self._schedstat = os.open(f"/proc/{runner}/schedstat", os.O_RDONLY | os.O_CLOEXEC)
            return int(os.pread(self._schedstat, 128, 0).split()[1]) / 1e9
        except (OSError, ValueError, IndexError):
            return None

    def _tree(self, *, fresh: bool) -> set[int]:
        """The worker's processes, looked up again if `fresh` (else those known, still there).
        A fresh look follows /proc/PID/task/TID/children where the kernel has them; else
        it reads all of /proc, and only when some process was created since the last look
        (the newest pid in /proc/loadavg moved): otherwise the set can only have shrunk."""
        if fresh:
            self._looked = time.monotonic()
            found = _descendants(self.root) if self.uid is None else None
            if found is not None:
                self._members = found
                return found
        newest = _newest_pid() if fresh else self._last_pid
        if not fresh or (newest is not None and newest == self._last_pid):
            self._members = {p for p in self._members if os.path.exists(f"/proc/{p}")}
            return self._members
        self._last_pid = newest
        parents: dict[int, list[int]] = {}
        mine = set()
        for pid in _all_pids():
            parents.setdefault(_parent(pid), []).append(pid)
            if self.uid is not None and _uid(pid) == self.uid:
                mine.add(pid)
        found, stack = {self.root}, [self.root]
        while stack:
            for child in parents.get(stack.pop(), []):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        self._members = found | mine
        return self._members


def tree_cpu(root: int) -> float:
    """CPU seconds of `root`, its live descendants and the children they reaped (from /proc)."""
    if not HAVE_PROC:
        return 0.0
    meter = Meter(root, cell=None, nested=False, uid=None)
    return sum(_cpu_of(pid) for pid in meter._tree(fresh=True))


def _descendants(root: int) -> set[int] | None:
    """`root` and every process below it, from /proc/PID/task/TID/children; None where the
    kernel does not give those files (CONFIG_PROC_CHILDREN)."""
    found, stack = {root}, [root]
    while stack:
        pid = stack.pop()
        try:
            threads = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for thread in threads:
            try:
                with open(f"/proc/{pid}/task/{thread}/children", "rb") as handle:
                    children = [int(c) for c in handle.read().split()]
            except FileNotFoundError:
                if not os.path.exists(f"/proc/{pid}/task/{thread}"):
                    continue
                return None
            except (OSError, ValueError):
                continue
            for child in children:
                if child not in found:
                    found.add(child)
                    stack.append(child)
    return found


def _all_pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _stat(pid: int) -> list[bytes]:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _parent(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[1]) if fields else None


def _cpu_of(pid: int) -> float:
    """utime + stime + cutime + cstime: its own CPU and that of the children it reaped."""
    fields = _stat(pid)
    return sum(int(f) for f in fields[11:15]) / TICK if len(fields) > 14 else 0.0


def _zombie(pid: int) -> bool:
    fields = _stat(pid)
    return not fields or fields[0] in (b"Z", b"X")


def _uid(pid: int) -> int | None:
    """The real uid (from status: /proc/PID itself belongs to root once a process changed uid)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"Uid:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _queued(pid: int) -> float | None:
    """Seconds `pid` has spent ready to run but waiting for a CPU (None: not known)."""
    try:
        with open(f"/proc/{pid}/schedstat", "rb") as handle:
            return int(handle.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


def _newest_pid() -> str | None:
    try:
        with open("/proc/loadavg") as handle:
            return handle.read().split()[-1]
    except (OSError, IndexError):
        return None


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGSTOP)
    except (ProcessLookupError, PermissionError):
        pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
