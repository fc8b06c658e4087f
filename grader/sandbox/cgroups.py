"""One resource wall per student: a cgroup around every process their code starts.

A `Wall` is made for one student's grading (`grade exerciseN`/`all`: one per run; `grade
batch`: one per student, holding their grading process too) with the student's CPU share,
their total memory and their total process count. Each worker gets a `Cell` inside it: the
worker joins its cell before any learner code runs, so everything it starts is counted there,
also processes that left with setsid or were reaped elsewhere. The grader reads a cell's CPU
time (`cputime`), kills everything in it but the worker after each call, and removes it.

cgroup v1 (one hierarchy per controller, as on most hosts with a hybrid setup) and v2 are
both used. Where no cgroup can be made (not root, /sys/fs/cgroup read-only, not Linux),
`Wall.open` gives a wall without one and `details()` says what holds instead.
Set L1LAB_CGROUPS=off (or v1, v2) to choose.
"""

from __future__ import annotations

import itertools
import os
import signal
import time
from pathlib import Path

from grader.sandbox.cgroup_probe import PREFIX, WANTED, Hierarchy, Support, remove_dir, support

MEMORY = 1 << 30
"""Bytes all of one student's processes may hold together, unless told otherwise."""
WALL_PROCESSES = 64
"""Processes and threads one student's wall may hold at once (a grading needs about 12)."""
CELL_PROCESSES = 32
_walls = itertools.count(1)
FALLBACK_CPU = {
    "full": "CPU time and leftover processes are found in the worker's pid namespace",
    "reduced": "CPU time and leftover processes are found by the worker's uid; the CPU time "
               "of a process that ended outside the worker's tree is not counted",
    "minimal": "CPU time and leftover processes are found in the worker's process tree; a "
               "process that leaves it (a daemon's double fork) is neither counted nor stopped",
}
"""Without a cgroup counting CPU time: where the worker's processes are found instead."""


class Cell:
    """One worker's cgroup inside a wall: its CPU time, its processes, and their end."""

    def __init__(self, paths: list[tuple[Hierarchy, Path]]) -> None:
        self.paths = paths
        self._fds: dict[str, int] = {}
        """Files read after every call, held open: a pread costs microseconds, an open ten times more."""
        self._usage = next(((str(path / "cpuacct.usage"), 1e9) for h, path in paths
                            if h.version == 1 and "cpuacct" in h.controllers), None) or \
            next(((str(path / "cpu.stat"), 1e6) for h, path in paths if h.version == 2), None)
        self._pids_current = next((str(path / "pids.current") for h, path in paths
                                   if "pids" in h.controllers), None)

    def join_files(self) -> list[str]:
        """The files a process writes "0" into to move itself here (done by the worker)."""
        return [str(path / "cgroup.procs") for _, path in self.paths]

    def has(self, controller: str) -> bool:
        return any(controller in h.controllers for h, _ in self.paths)

    def pids(self) -> set[int]:
        """Every live process in the cell (a zombie is not listed)."""
        if not self.paths:
            return set()
        try:  # opened anew: cgroup v1 keeps the list of an open file for a while
            with open(self.paths[0][1] / "cgroup.procs", "rb") as handle:
                return {int(word) for word in handle.read().split()}
        except OSError:
            return set()

    def cpu_seconds(self) -> float | None:
        """CPU time used by every process that was ever in the cell; None if not counted."""
        if self._usage is None:
            return None
        path, unit = self._usage
        text = self._read(path)
        try:
            if unit == 1e9:
                return int(text) / unit
            return int(text.split(b"usage_usec ", 1)[1].split()[0]) / unit
        except (TypeError, ValueError, IndexError):
            return None

    def _read(self, path: str) -> bytes | None:
        try:
            if path not in self._fds:
                self._fds[path] = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            return os.pread(self._fds[path], 65536, 0)
        except OSError:
            return None

    def _close_files(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def tasks(self) -> int | None:
        """Processes and threads in the cell now, zombies included (the pids controller's
        count, read from a file held open); None without that controller."""
        path = self._pids_current
        try:
            return None if path is None else int(self._read(path) or b"")
        except ValueError:
            return None

    def kill(self, keep: set[int] = frozenset()) -> bool:
        """SIGKILL every process in the cell but `keep` (processes in the cell); True once
        only `keep` is left."""
        if keep:  # the usual case after a call, told without listing the cell
            count = self.tasks()
            if count is not None and count <= len(keep):
                return True
        for attempt in range(200):
            others = self.pids() - keep
            if not others:
                return True
            for pid in others:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.001 * min(attempt, 10))  # a killed process leaves in microseconds
        return False

    def remove(self) -> None:
        """Kill everything left and remove the cell (deepest first)."""
        self.kill()
        self._close_files()
        for _, path in reversed(self.paths):
            remove_dir(path)


class Wall(Cell):
    """One student's cgroup: their CPU share, total memory and process count; cells inside."""

    def __init__(self, paths: list[tuple[Hierarchy, Path]], support_: Support, *,
                 memory: int, problem: str = "") -> None:
        super().__init__(paths)
        self.support, self.memory, self.problem = support_, memory, problem
        self._cells = itertools.count(1)

    @classmethod
    def open(cls, *, memory: int, owner: int | None = None) -> Wall:
        """Make a wall of `memory` bytes in total and WALL_PROCESSES processes, named by the
        process that owns it (this one), or a wall without a cgroup if none can be made."""
        found = support()
        if not found.hierarchies:
            return cls([], found, memory=memory, problem=found.problem)
        sweep()
        owner = os.getpid() if owner is None else owner
        name = f"{PREFIX}{owner}-{next(_walls)}"
        paths: list[tuple[Hierarchy, Path]] = []
        try:
            for hierarchy in found.hierarchies:
                path = hierarchy.base / name
                path.mkdir()
                paths.append((hierarchy, path))
                _limit(hierarchy, path, memory=memory, processes=WALL_PROCESSES)
        except OSError as error:
            for _, path in reversed(paths):
                remove_dir(path)
            return cls([], found, memory=memory,
                       problem=f"a cgroup could not be made ({error.strerror})")
        return cls(paths, found, memory=memory)

    @classmethod
    def none(cls, memory: int = MEMORY) -> Wall:
        """A wall without a cgroup: what holds when grading without one."""
        found = support()
        return cls([], found, memory=memory, problem=found.problem or "not asked for")

    def cell(self) -> Cell | None:
        """A new cell for one worker, limited to CELL_PROCESSES; None without a wall."""
        if not self.paths:
            return None
        name = f"w{os.getpid()}-{next(self._cells)}"  # unique in a fork that shares the wall
        paths = []
        try:
            for hierarchy, wall in self.paths:
                (wall / name).mkdir()
                paths.append((hierarchy, wall / name))
                if "pids" in hierarchy.controllers:
                    (wall / name / "pids.max").write_text(str(CELL_PROCESSES))
        except OSError:
            Cell(paths).remove()
            return None
        return Cell(paths)

    def join(self) -> None:
        """Move this process into the wall (a batch's grading process, before it grades)."""
        for path in self.join_files():
            with open(path, "w") as handle:
                handle.write("0")

    def close(self) -> None:
        """Kill everything in the wall and its cells and remove them; idempotent."""
        for _, wall in self.paths:
            try:
                cells = [p for p in wall.iterdir() if p.is_dir()]
            except OSError:
                continue
            for cell in cells:
                _remove_tree(cell)
        self.remove()

    def details(self, tier: str) -> dict:
        """What this wall gives, for the JSON report's `isolation_details`; `tier` is the
        isolation tier, which decides what holds where the wall is missing."""
        have = self.support.controllers if self.paths else frozenset()
        missing = []
        if not self.paths:
            missing.append(f"no cgroup ({self.problem}): each worker's limits hold per process")
        if "cpu" not in have:
            missing.append("no CPU share per student: their processes compete with all others")
        if "memory" not in have:
            missing.append("memory is limited per process (address space), not per student")
        if "pids" not in have:
            missing.append("processes are limited per worker (a lower RLIMIT_NPROC), not per "
                           "student")
        if not os.path.isdir("/proc/self"):
            missing.append("no /proc: time limits count wall-clock time, so a busy machine "
                           "can make slow code run out of time")
        elif not self.counts_cpu():
            missing.append(FALLBACK_CPU[tier])
        return {"resource_wall": self.support.name() if self.paths else "none",
                "fallbacks": missing}

    def counts_cpu(self) -> bool:
        return bool(self.paths) and (self.support.version == 2 or "cpuacct" in self.support.controllers)


def sweep() -> None:
    """Remove the walls of grader processes that died without removing them (kill -9)."""
    for hierarchy in support().hierarchies:
        try:
            entries = list(hierarchy.base.iterdir())
        except OSError:
            continue
        for entry in entries:
            owner = _owner(entry.name)
            if owner is not None and not _alive(owner):
                _remove_tree(entry)


def remove_walls_of(owner: int) -> None:
    """Kill everything in the walls `owner` made and remove them (after it has ended)."""
    for hierarchy in support().hierarchies:
        for entry in hierarchy.base.glob(f"{PREFIX}{owner}-*"):
            if _owner(entry.name) == owner:
                _remove_tree(entry)


def wall_cpu_seconds(owner: int) -> float | None:
    """CPU time used so far in the walls `owner` made; None if there are none to read."""
    total, found = 0.0, False
    for hierarchy in support().hierarchies:
        for entry in hierarchy.base.glob(f"{PREFIX}{owner}-*"):
            wall = Cell([(hierarchy, entry)])
            seconds = wall.cpu_seconds()
            wall._close_files()
            if seconds is not None and _owner(entry.name) == owner:
                total, found = total + seconds, True
    return total if found else None


def doctor_lines() -> list[str]:
    """What `grade doctor` says about resource walls here."""
    found = support()
    if not found.hierarchies:
        return [f"Resource walls: none ({found.problem})"]
    lines = [f"Resource walls: {found.name()}"]
    for hierarchy in found.hierarchies:
        lines.append(f"  + {', '.join(sorted(hierarchy.controllers)) or 'accounting only'}: "
                     f"walls made in {hierarchy.base}")
    have = found.controllers
    if "cpu" in have:
        lines.append("  + each student's processes get one CPU share, however many they start")
    if "memory" in have:
        lines.append("  + each student's memory is limited in total (grade batch --memory)")
    if "pids" in have:
        lines.append(f"  + each student may run at most {WALL_PROCESSES} processes in total")
    if found.version == 2 or "cpuacct" in have:
        lines.append("  + CPU time counts every process a worker starts, even ones that leave it")
    for controller in WANTED:
        if controller not in have and not (controller == "cpuacct" and found.version == 2):
            lines.append(f"  - missing: the {controller} controller (the fallback holds instead)")
    return lines


def _limit(hierarchy: Hierarchy, path: Path, *, memory: int, processes: int) -> None:
    have = hierarchy.controllers
    if hierarchy.version == 1:
        if "memory" in have:
            (path / "memory.limit_in_bytes").write_text(str(memory))
            swap = path / "memory.memsw.limit_in_bytes"
            if swap.exists():  # no swapping past the limit either
                swap.write_text(str(memory))
        if "pids" in have:
            (path / "pids.max").write_text(str(processes))
        return
    if "memory" in have:
        (path / "memory.max").write_text(str(memory))
        if (path / "memory.swap.max").exists():
            (path / "memory.swap.max").write_text("0")
    if "pids" in have:
        (path / "pids.max").write_text(str(processes))


def _remove_tree(path: Path) -> None:
    try:
        children = [p for p in path.iterdir() if p.is_dir()]
    except OSError:
        return
    for child in children:
        _remove_tree(child)
    Cell([(Hierarchy(1, frozenset(), path.parent), path)]).remove()


def _owner(name: str) -> int | None:
    if not name.startswith(PREFIX):
        return None
    try:
        return int(name[len(PREFIX):].split("-", 1)[0])
    except ValueError:
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
