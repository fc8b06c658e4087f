"""The same submission gets the same JSON report on an idle machine and beside 16 busy
processes (8 per core on a 2-core machine), for a correct and a wrong submission of every
exercise: time limits count the learner's CPU time, not the machine's load.

The busy processes compete fairly (normal priority) and are started and killed here. Each
set of four submissions is graded in one `grade` run, as `grade all` would, to keep the cost
reasonable. `bench/load_compare.py` does the same for every fixture and prints the timings.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from grader.catalog import find
from grader.grading import grade

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CORRECT = {"exercise1": "correct_numpy_sign", "exercise2": "correct_minus_clip",
           "exercise3": "correct_norms", "exercise4": "correct_ista"}
WRONG = {"exercise1": "wrong_abs", "exercise2": "wrong_no_clamp",
         "exercise3": "wrong_forgot_mean", "exercise4": "wrong_too_few_steps"}
BUSY = 16


def reports() -> list[dict]:
    found = []
    for chosen in (CORRECT, WRONG):
        files = {name: FIXTURES / name / f"{stem}.py" for name, stem in chosen.items()}
        found.append(grade([find(name) for name in chosen], files).to_dict())
    return found


def busy_processes(count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def test_the_same_report_idle_and_beside_16_busy_processes():
    idle = reports()
    assert [r["score"] == r["max_score"] for r in idle] == [True, False]
    busy = busy_processes(BUSY)
    try:
        loaded = reports()
        assert all(p.poll() is None for p in busy), "the load ended before grading did"
        load = os.getloadavg()[0]
    finally:
        for process in busy:
            process.kill()
        for process in busy:
            process.wait()
    for alone, beside in zip(idle, loaded):
        assert beside == alone, f"load average {load:.1f}: the reports differ"
