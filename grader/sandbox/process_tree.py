"""Killing a whole process tree, including processes that left for sessions of their own."""

from __future__ import annotations

import os
import signal


def kill_tree(pid: int) -> None:
    """SIGKILL `pid` and every process below it, including those in other sessions.

    The learner's workers run in their own sessions, so killing the process group is not
    enough. Each process is stopped first, so none can start another while the tree is
    walked; on systems without /proc only the process group is killed.
    """
    seen: set[int] = set()
    _signal(pid, signal.SIGSTOP)
    for _ in range(10):
        found = set(_descendants(pid)) - seen
        if not found:
            break
        for child in found:
            _signal(child, signal.SIGSTOP)
        seen |= found
    for target in (pid, *seen):
        _signal(target, signal.SIGKILL)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(name))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _signal(pid: int, number: int) -> None:
    try:
        os.kill(pid, number)
    except (ProcessLookupError, PermissionError):
        pass
