"""`grade watch`: the time from a save to the result, next to a cold `grade EXERCISE`.

Both grade the reference solution of EXERCISE in a learner's folder of stubs; the floor
`python -c "import numpy, hypothesis, pytest, click"` is measured in the same run. Goal
(issue 14): a regrade after a save takes at most a third of a cold `grade EXERCISE`.

    python bench/watch_speed.py [--runs 7] [EXERCISE]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.course.stubs import stub_source, write_stubs  # noqa: E402

GRADE = str(Path(sys.executable).with_name("grade"))


def save(path: Path, text: str) -> None:
    """Save as most editors do: a new file renamed over the old one."""
    temporary = path.with_name(path.name + ".new")
    temporary.write_text(text)
    os.replace(temporary, path)


def timed(command: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercise", nargs="?", default="exercise3")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = write_stubs(Path(temp) / "exercises")
        path = folder / f"{args.exercise}.py"
        solved, stub = (ROOT / "solutions" / path.name).read_text(), stub_source(args.exercise)
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(temp) / "cache"), "NO_COLOR": "1"}
        child = pexpect.spawn(GRADE, ["watch"], cwd=temp, env=env, encoding="utf-8",
                              timeout=120, dimensions=(50, 150))
        child.expect("Press q to quit")
        floor, cold, warm = [], [], []
        for run in range(args.runs):
            floor.append(timed([sys.executable, "-c", "import numpy, hypothesis, pytest, click"],
                               ROOT, env))
            save(path, solved + f"# run {run}\n")
            start = time.perf_counter()
            child.expect("Score: ")
            warm.append(time.perf_counter() - start)
            child.expect("Press q to quit")
            cold.append(timed([GRADE, args.exercise], Path(temp), env))
            save(path, stub + f"# run {run}\n")
            child.expect("Press q to quit")
        child.send("q")
        child.expect(pexpect.EOF)
    f, c, w = (statistics.median(x) for x in (floor, cold, warm))
    print(f"floor (import numpy, hypothesis, pytest, click): median {f:.3f} s ({args.runs} runs)")
    print(f"cold `grade {args.exercise}` (reference): median {c:.3f} s = {c / f:.2f}x floor")
    print(f"`grade watch` regrade after a save: median {w:.3f} s = {w / f:.2f}x floor, "
          f"{w / c:.2f} of cold (goal: at most 0.33)")


if __name__ == "__main__":
    main()
