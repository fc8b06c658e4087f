"""`grade doctor`: how the learner's code will be confined here, and what a higher tier needs."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from grader.sandbox import isolation
from grader.sandbox.isolation import Isolation, Tier

PROBE = "def probe():\n    return 1.0\n"


def diagnose() -> list[str]:
    """Lines for `grade doctor`: the tier, what it gives, what is missing, a live worker start."""
    found = isolation.detect()
    lines = [f"Isolation tier: {found.tier.value}"]
    lines += [f"  + {item}" for item in found.have]
    lines += [f"  - missing: {item}" for item in found.missing]
    lines.append(_start_line(found))
    if found.tier is Tier.FULL:
        lines.append("Official grading can require it: grade all --require-isolation full")
    elif found.tier is Tier.REDUCED:
        lines.append("Official grading can require it: grade all --require-isolation reduced")
    else:
        lines.append("Fine for practice on your own machine; official grading should run as "
                     "root in a container (--require-isolation full).")
    return lines


def _start_line(found: Isolation) -> str:
    """Start one real worker, so a broken setup shows here rather than in a grading run."""
    from grader.sandbox.worker import Worker, WorkerDied, WorkerTimeout
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "probe.py"
        path.write_text(PROBE)
        path.chmod(0o644)
        started = time.perf_counter()
        worker = Worker(path, ["probe"], source=PROBE.encode(), start_timeout=10.0,
                        tier=found.tier)
        try:
            hello = worker.hello()
            seconds = time.perf_counter() - started
        except (WorkerTimeout, WorkerDied) as error:
            return f"A test worker did not start: {str(error) or 'it timed out'}."
        finally:
            worker.close()
    if hello.get("confinement"):
        return f"A test worker could not confine itself: {hello['confinement']}."
    return f"A test worker started confined in {seconds * 1000:.0f} ms."
