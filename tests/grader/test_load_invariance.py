"""The same submission gets the same JSON report on an idle machine and beside 4 busy
processes on its one core, for a correct and a wrong submission of every exercise: time
limits count the learner's CPU time, not the machine's load.

The busy processes compete fairly (normal priority) and are started and killed here. Each
set of four submissions is graded in one `grade` run, as `grade all` would, to keep the cost
reasonable. The loaded grading and its busy processes share one core (the grading gets a
fifth of it), so the tests running beside this one keep the other cores.
`bench/load_compare.py` does the same for every fixture and prints the timings.
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
BUSY = 4
"""Busy processes on the one core the loaded grading may use."""


def reports() -> list[dict]:
    found = []
    for chosen in (CORRECT, WRONG):
        files = {name: FIXTURES / name / f"{stem}.py" for name, stem in chosen.items()}
        found.append(grade([find(name) for name in chosen], files).to_dict())
    return found


def busy_processes(count: int) -> list[subprocess.Popen]:
    """`count` endless loops on the CPUs this process may use (they inherit its set)."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def test_the_same_report_idle_and_beside_4_busy_processes_on_its_core():
    idle = reports()
    assert [r["score"] == r["max_score"] for r in idle] == [True, False]
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})  # the grading's workers take this process's set
    try:
        busy = busy_processes(BUSY)
        try:
            loaded = reports()
            assert all(p.poll() is None for p in busy), "the load ended before grading did"
            ran = sum(_cpu_seconds(p.pid) for p in busy)
        finally:
            for process in busy:
                process.kill()
            for process in busy:
                process.wait()
    finally:
        os.sched_setaffinity(0, cpus)
    for alone, beside in zip(idle, loaded):
        assert beside == alone, f"beside {ran:.0f} CPU-s of busy loops: the reports differ"
    assert ran > 1.0  # they did compete for the core


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
