"""`grade doctor`: how the learner's code will be confined here, and what a higher tier needs."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from grader.sandbox import cgroups, exposure, isolation
from grader.sandbox.cputime import BACKSTOP
from grader.sandbox.isolation import Isolation, Tier

PROBE = "def probe():\n    return 1.0\n"


def diagnose() -> list[str]:
    """Lines for `grade doctor`: the tier, what it gives, what is missing, a live worker start."""
    found = isolation.detect()
    lines = [f"Isolation tier: {found.tier.value}"]
    lines += [f"  + {item}" for item in found.have]
    lines += [f"  - missing: {item}" for item in found.missing]
    if found.tier is Tier.REDUCED:
        lines += _readable_reference_lines()
    lines += cgroups.doctor_lines()
    wall = cgroups.Wall.open(memory=cgroups.MEMORY)
    try:
        lines += [f"  - fallback: {item}" for item in wall.details(found.tier.value)["fallbacks"]]
        lines.append(f"Time limits count CPU time (a busy machine changes no verdict); code "
                     f"that sleeps is stopped after {BACKSTOP} times its limit of waiting."
                     if _proc() else
                     "Time limits count wall-clock time here (no /proc): a busy machine can "
                     "make slow code run out of time.")
        lines.append(_start_line(found, wall))
    finally:
        wall.close()
    if found.tier is Tier.FULL:
        lines.append("Official grading can require it: grade all --require-isolation full")
    elif found.tier is Tier.REDUCED:
        lines.append("Official grading can require it: grade all --require-isolation reduced")
    else:
        lines.append("Fine for practice on your own machine; official grading should run as "
                     "root in a container (--require-isolation full).")
    return lines


def _readable_reference_lines() -> list[str]:
    """Each path with reference material other users can read, with its fix."""
    readable = exposure.readable_reference()
    if not readable:
        return ["No reference material here is readable by other users."]
    if exposure.landlock_abi():
        why = "Landlock keeps it from the worker here; fix it anyway, for kernels without it"
    else:
        why = "so can the worker, without Landlock"
    lines = [f"Reference material other users can read ({why}):"]
    lines += [f"  ! {path}: fix with `{fix}`" for path, fix in readable]
    return lines


def _proc() -> bool:
    return Path("/proc/self").is_dir()


def _start_line(found: Isolation, wall: cgroups.Wall) -> str:
    """Start one real worker, so a broken setup shows here rather than in a grading run."""
    from grader.sandbox.worker import Worker, WorkerDied, WorkerTimeout
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "probe.py"
        path.write_text(PROBE)
        path.chmod(0o644)
        started = time.perf_counter()
        cell = wall.cell()
        worker = Worker(path, ["probe"], source=PROBE.encode(), start_timeout=10.0,
                        tier=found.tier, cell=cell, memory=wall.memory)
        try:
            hello = worker.hello()
            seconds = time.perf_counter() - started
            inside = cell is not None and worker.process.pid in cell.pids()
            cpu = worker.used()[0]
        except (WorkerTimeout, WorkerDied) as error:
            return f"A test worker did not start: {str(error) or 'it timed out'}."
        finally:
            worker.close()
    if hello.get("confinement"):
        return f"A test worker could not confine itself: {hello['confinement']}."
    where = (f", inside its cgroup (it used {cpu:.2f} s of CPU time to start)" if inside
             else f" (it used {cpu:.2f} s of CPU time to start, read from {worker.meter.kind})")
    return f"A test worker started confined in {seconds * 1000:.0f} ms{where}."
