"""Whole-process time of `grade EXERCISE` and `grade all` on the reference, next to the floor.

The floor is `python -c "import numpy, hypothesis, pytest, click"`: what any grader built
on these libraries pays before it does anything. `all` grades a course folder holding every
reference solution and the quiz's right answers. Each command is timed twice per round:
"cold", with an empty cache (a first grading, or a check that has never passed here), and
"warm", with the replay book an earlier grading left (`grader.replay_store`: what a learner
who grades again meets). "again" grades a realistic wrong answer a second time, with the cache
its first grading left: a learner working on an exercise, which is most of their runs. Goal
(issue 18): at most 2x the floor for exercise1-3, 3x for all.

    python bench/grade_speed.py [--runs 7] [EXERCISE | all ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader import catalog  # noqa: E402
from quiz.bank import load_bank  # noqa: E402
from quiz.selection import select_questions  # noqa: E402


def timed_once(command: list[str], cwd: Path, cache: Path | None) -> float:
    env = dict(os.environ)
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


WRONG = {"exercise1": "wrong_zero_gets_lam.py", "exercise2": "wrong_no_clamp.py",
         "exercise3": "wrong_l1_squared.py", "exercise4": "wrong_half_lam.py"}
"""A realistic wrong answer per exercise (tests/fixtures/), for the "again" rows."""


def solved_course(folder: Path) -> Path:
    """A course folder with every reference solution and the quiz's right answers."""
    exercises = folder / "exercises"
    exercises.mkdir(parents=True)
    for exercise in catalog.exercises():
        shutil.copy(ROOT / "solutions" / exercise.file, exercises / exercise.file)
    letters = ["ABCD"[[o.correct for o in q.question.options].index(True)]
               for q in select_questions(load_bank())]
    (exercises / "quiz.txt").write_text("\n".join(letters) + "\n")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", default=["exercise3", "all"])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    grade = [sys.executable, "-m", "grader"]
    with tempfile.TemporaryDirectory() as temp:
        course = solved_course(Path(temp) / "course")
        warm_cache = Path(temp) / "warm-cache"
        commands: dict[str, tuple[list[str], Path | None]] = {
            "floor": ([sys.executable, "-c", "import numpy, hypothesis, pytest, click"], None)}
        for target in args.targets:
            command = grade + [target] if target == "all" else grade + [target, "--submission",
                                                                        f"exercises/{target}.py"]
            commands[f"{target} cold"] = (command, "cold")
            commands[f"{target} warm"] = (command, warm_cache)
            timed_once(command, course, warm_cache)  # leaves the book a first grading leaves
            if target in WRONG:
                wrong = course / "exercises" / f"{target}-wrong.py"
                shutil.copy(ROOT / "tests" / "fixtures" / target / WRONG[target], wrong)
                again = grade + [target, "--submission", str(wrong.relative_to(course))]
                failing_cache = Path(temp) / f"failing-{target}"
                commands[f"{target} again"] = (again, failing_cache)
                timed_once(again, course, failing_cache)  # its first grading
        times: dict[str, list[float]] = {name: [] for name in commands}
        for round_ in range(args.runs):  # interleaved, so a busy machine slows all alike
            for name, (command, cache) in commands.items():
                if cache == "cold":
                    cache = Path(temp) / f"cold-{round_}-{name.split()[0]}"
                times[name].append(timed_once(command, course, cache))
    floor = statistics.median(times.pop("floor"))
    print(f"floor (import numpy, hypothesis, pytest, click): median {floor:.3f} s, {args.runs} runs")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"grade {name:<15} median {median:.3f} s (min {min(runs):.3f}, "
              f"max {max(runs):.3f}) = {median / floor:.2f}x floor")


if __name__ == "__main__":
    main()
