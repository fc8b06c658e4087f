"""Whole-process time of `grade EXERCISE` on the reference solution, next to the floor.

The floor is `python -c "import numpy, hypothesis, pytest, click"`: what any grader built
on these libraries pays before it does anything. Goal (issue 2): median at most 3x the
floor and under 1.5 s for exercise3.

    python bench/grade_speed.py [--runs 7] [EXERCISE ...]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed_once(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """Run the commands in turn, `runs` rounds, so a busy machine slows them alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(timed_once(command))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", default=["exercise3"])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    commands = {"floor": [sys.executable, "-c", "import numpy, hypothesis, pytest, click"]}
    for name in args.exercises:
        commands[name] = [sys.executable, "-m", "grader", name, "--submission", f"solutions/{name}.py"]
    results = interleaved(commands, args.runs)
    floor = results.pop("floor")
    floor_median = statistics.median(floor)
    print(f"floor (import numpy, hypothesis, pytest, click): median {floor_median:.3f} s "
          f"(min {min(floor):.3f}, max {max(floor):.3f}, {args.runs} runs)")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"grade {name} (reference solution): median {median:.3f} s "
              f"(min {min(times):.3f}, max {max(times):.3f}) = {median / floor_median:.2f}x floor")


if __name__ == "__main__":
    main()
