"""Which cgroups this machine gives the grader: the hierarchies it may make walls in.

Read from /proc/self/mountinfo and /proc/self/cgroup once per process, then proved with a
mkdir and rmdir in each (see `grader.sandbox.cgroups`, which makes the walls).
"""

from __future__ import annotations

import functools
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

WANTED = ("cpu", "cpuacct", "memory", "pids")
PREFIX = "l1lab-"


@dataclass(frozen=True)
class Hierarchy:
    """One mounted cgroup hierarchy we may make walls in."""

    version: int
    controllers: frozenset[str]
    base: Path
    """This process's own cgroup in it: walls are made inside, so outer limits still hold."""


@dataclass(frozen=True)
class Support:
    """The cgroups this machine gives the grader, or why there are none."""

    hierarchies: tuple[Hierarchy, ...] = ()
    problem: str = ""

    @property
    def version(self) -> int | None:
        return self.hierarchies[0].version if self.hierarchies else None

    @property
    def controllers(self) -> frozenset[str]:
        return frozenset().union(*(h.controllers for h in self.hierarchies))

    def name(self) -> str:
        """"cgroup v1: cpu, cpuacct, memory, pids", or "none"."""
        if not self.hierarchies:
            return "none"
        return f"cgroup v{self.version}: " + (", ".join(sorted(self.controllers)) or "no controllers")


@functools.cache
def support() -> Support:
    """Which cgroups this process can make walls in (probed once: a mkdir and rmdir each)."""
    choice = os.environ.get("L1LAB_CGROUPS", "").lower()
    if choice in ("off", "none", "0"):
        return Support(problem="switched off with L1LAB_CGROUPS=off")
    if not sys.platform.startswith("linux"):
        return Support(problem="cgroups are Linux's")
    if os.geteuid() != 0:
        return Support(problem="not root")
    try:
        mounts = _mounts()
        own = _own_cgroups()
    except OSError as error:
        return Support(problem=f"cannot read /proc ({error.strerror})")
    v1 = [h for h in _v1_hierarchies(mounts, own) if _usable(h.base)]
    v2 = [h for h in _v2_hierarchies(mounts, own) if _usable(h.base)]
    if choice == "v2" or (not v1 and choice != "v1"):
        chosen = v2
    else:
        chosen = v1
    if not chosen:
        found = "no cgroup hierarchy is mounted" if not mounts else \
            "the grader cannot create cgroups under its own (run as root, with /sys/fs/cgroup writable)"
        return Support(problem=found)
    return Support(tuple(chosen))


def _mounts() -> list[tuple[str, str, str, set[str]]]:
    """(mount point, root inside the hierarchy, fstype, options) of every cgroup mount."""
    found = []
    with open("/proc/self/mountinfo") as table:
        for line in table:
            left, _, right = line.partition(" - ")
            fields, tail = left.split(), right.split()
            if len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
                point = fields[4].replace("\\040", " ")
                found.append((point, fields[3], tail[0], set(tail[2].split(","))))
    return found


def _own_cgroups() -> dict[str, str]:
    """This process's cgroup path per v1 controller list ("cpu,cpuacct") and "" for v2."""
    own = {}
    with open("/proc/self/cgroup") as table:
        for line in table:
            parts = line.rstrip("\n").split(":", 2)
            if len(parts) == 3:
                own[parts[1]] = parts[2]
    return own


def _inside(point: str, root: str, path: str) -> Path:
    relative = path[len(root):] if root != "/" and path.startswith(root) else path
    return Path(point) / relative.lstrip("/")


def _v1_hierarchies(mounts, own) -> list[Hierarchy]:
    found = []
    for point, root, fstype, options in mounts:
        controllers = frozenset(options) & set(WANTED)
        if fstype != "cgroup" or not controllers:
            continue
        key = next((k for k in own if k and set(k.split(",")) & controllers), None)
        if key is not None:
            found.append(Hierarchy(1, controllers, _inside(point, root, own[key])))
    return found


def _v2_hierarchies(mounts, own) -> list[Hierarchy]:
    for point, root, fstype, _ in mounts:
        if fstype == "cgroup2" and "" in own:
            base = _inside(point, root, own[""])
            return [Hierarchy(2, _v2_controllers(base), base)]
    return []


def _v2_controllers(base: Path) -> frozenset[str]:
    """The controllers a v2 wall under `base` gets; enabled for our subtree where we may
    (not while `base` itself holds processes, unless it is the root: then the wall gets
    accounting and kill without limits)."""
    try:
        available = set((base / "cgroup.controllers").read_text().split())
        enabled = set((base / "cgroup.subtree_control").read_text().split())
    except OSError:
        return frozenset()
    for controller in ({"cpu", "memory", "pids"} & available) - enabled:
        try:
            (base / "cgroup.subtree_control").write_text(f"+{controller}")
            enabled.add(controller)
        except OSError:
            pass
    return frozenset(enabled & {"cpu", "memory", "pids"})


def _usable(base: Path) -> bool:
    probe = base / f"{PREFIX}{os.getpid()}-probe"
    try:
        probe.mkdir()
    except FileExistsError:
        pass
    except OSError:
        return False
    remove_dir(probe)
    return True


def remove_dir(path: Path) -> None:
    """Remove an empty cgroup; its last processes may take a moment to leave it."""
    for attempt in range(100):
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.002 * min(attempt + 1, 10))
