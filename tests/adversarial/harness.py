"""The adversarial suite's harness: grade a hostile submission through the real grader
and assert what every technique must leave intact.

Each test grades one file from `submissions/` (a realistic attack on exercise1) with short
time limits, then the harness asserts: the grader finished in bounded time, the report is
valid JSON with no grader error, no process of the submission survives, no protected file
changed and nothing was left in /tmp, /var/tmp or /dev/shm. The test then asserts the points
(a hostile submission earns only what its own honest return values earn: here, nothing).

Where this machine cannot give the full tier, `promise()` says so with a warning and the
test checks the promise of the tier it has instead of passing silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import find
from grader.grading import grade
from grader.sandbox.cgroups import MEMORY
from grader.sandbox.isolation import SCRATCH, Tier, detect
from grader.results import Report, Status

ROOT = Path(__file__).resolve().parents[2]
SUBMISSIONS = Path(__file__).with_name("submissions")
PROTECTED = ("grader", "solutions", "exercises", "tests/adversarial/submissions", "pyproject.toml")
MARKER = "l1lab-hostile"
"""Hostile submissions name what they leave behind with this, so the harness can look for it."""
BOUND = 20.0
"""CPU seconds one grading may take (the grader and every process the submission started);
wall-clock time only guards against a hang, far above it: this machine may be busy."""


@dataclass
class Graded:
    report: Report
    seconds: float
    tier: Tier

    @property
    def score(self) -> int:
        return self.report.score

    @property
    def messages(self) -> str:
        return "\n".join(f"{c.name}: {c.status.value}: {c.message}"
                         for e in self.report.exercises for c in e.checks)


def promise(needed: Tier) -> bool:
    """True if this machine gives `needed`; otherwise say which weaker promise is checked."""
    tier = detect().tier
    if tier.rank >= needed.rank:
        return True
    warnings.warn(f"isolation tier here is {tier.value}, not {needed.value}: this test checks "
                  f"only what the {tier.value} tier promises (bounded time, valid result)")
    return False


def snapshot() -> dict[str, str]:
    hashes = {}
    for top in PROTECTED:
        path = ROOT / top
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()
                                                     and "__pycache__" not in p.parts)
        for file in files:
            hashes[str(file)] = hashlib.sha256(file.read_bytes()).hexdigest()
    return hashes


def left_behind() -> list[str]:
    found = []
    for folder in SCRATCH:
        try:
            found += [os.path.join(folder, n) for n in os.listdir(folder) if MARKER in n]
        except OSError:
            pass
    return found


def survivors(path: Path) -> list[int]:
    """Processes still running the submission's file (a fork keeps its parent's cmdline).

    Other graders may run on this machine at the same time, so a worker uid alone says
    nothing about this submission."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry.name}/cmdline", "rb") as file:
                cmdline = file.read()
            with open(f"/proc/{entry.name}/stat") as file:
                state = file.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and str(path).encode() in cmdline:
            found.append(int(entry.name))
    return found


def _cpu() -> float:
    """CPU seconds of this process and the children it has reaped (workers, and through
    their keepers everything they started)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def grade_file(path: Path, *, call_timeout: float = 0.5, time_limit: float = 3.0,
               tier: Tier | None = None, memory: int = MEMORY) -> Graded:
    """Grade `path` as exercise1 and assert the promises every technique must keep."""
    before, scratch_before = snapshot(), set(left_behind())
    started, cpu = time.monotonic(), _cpu()
    report = grade([find("exercise1")], {"exercise1": path}, call_timeout=call_timeout,
                   time_limit=time_limit, tier=tier, memory=memory)
    seconds, cpu = time.monotonic() - started, _cpu() - cpu
    graded = Graded(report, seconds, Tier(report.isolation))
    assert cpu < BOUND and seconds < 15 * BOUND, f"grading took {cpu:.1f} s of CPU, {seconds:.0f} s"
    data = json.loads(json.dumps(report.to_dict()))
    assert data["isolation"] == graded.tier.value
    assert data["status"] in ("passed", "failed"), graded.messages
    checks = [c for e in report.exercises for c in e.checks]
    assert checks and all(c.status is not Status.ERROR for c in checks), graded.messages
    assert 0 <= report.score <= report.max_score
    deadline = time.monotonic() + 2.0
    while survivors(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    alive = survivors(path)
    if promise(Tier.FULL) or graded.tier is Tier.REDUCED:
        assert not alive, f"processes outlived grading: {alive}"
    after = snapshot()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    # (Run in a tree others are editing, this also catches their saves: the names tell.)
    assert not changed, f"protected files changed: {changed}"
    if graded.tier is not Tier.MINIMAL:
        assert set(left_behind()) <= scratch_before, f"left behind: {left_behind()}"
    return graded
