"""Grade example submissions on the machine as it is, then beside busy processes, and compare.

The JSON reports must be identical (time limits count the learner's CPU time, not the
machine's load). The busy processes (`python -c "while True: pass"`, normal priority, 8 per
core by default) are started and killed here. Prints each submission's wall-clock time in
both runs and the machine's import floor, and exits 1 if any report differs.

    python bench/load_compare.py [--busy 16] [--all]

By default one correct and one wrong submission of every exercise (those of
tests/grader/test_load_invariance.py); with --all every fixture in tests/fixtures/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.catalog import find  # noqa: E402
from grader.grading import grade  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
CHOSEN = ["exercise1/correct_numpy_sign", "exercise1/wrong_abs",
          "exercise2/correct_minus_clip", "exercise2/wrong_no_clamp",
          "exercise3/correct_norms", "exercise3/wrong_forgot_mean",
          "exercise4/correct_ista", "exercise4/wrong_too_few_steps"]


def machine_floor() -> float:
    """Median seconds to start Python and import the grader's libraries."""
    command = [sys.executable, "-c", "import numpy, hypothesis, pytest, click"]
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(command, check=True)
        times.append(time.perf_counter() - start)
    return sorted(times)[2]


def grade_all(chosen: list[str]) -> dict[str, tuple[str, float]]:
    """Each submission's JSON report and the wall-clock seconds its grading took."""
    found = {}
    for item in chosen:
        exercise = item.split("/")[0]
        started = time.perf_counter()
        report = grade([find(exercise)], {exercise: FIXTURES / f"{item}.py"})
        found[item] = (json.dumps(report.to_dict(), sort_keys=True), time.perf_counter() - started)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=8 * (os.cpu_count() or 1))
    parser.add_argument("--all", action="store_true", help="every fixture, not one pair each")
    args = parser.parse_args()
    chosen = sorted(f"{p.parent.name}/{p.stem}" for p in FIXTURES.glob("exercise*/*.py")
                    if not p.stem.startswith("hostile")) if args.all else CHOSEN
    floor = machine_floor()
    idle = grade_all(chosen)
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(args.busy)]
    try:
        loaded = grade_all(chosen)
        load = os.getloadavg()[0]
    finally:
        for process in busy:
            process.kill()
        for process in busy:
            process.wait()
    differ = [item for item in chosen if idle[item][0] != loaded[item][0]]
    for item in chosen:
        mark = "DIFFERS" if item in differ else "same"
        print(f"{item:45s} {idle[item][1]:6.1f} s idle {loaded[item][1]:7.1f} s loaded  {mark}")
    print(f"{len(chosen) - len(differ)} of {len(chosen)} reports identical beside {args.busy} "
          f"busy processes (load average {load:.1f} on {os.cpu_count()} CPUs at the end)")
    print(f"machine speed: `import numpy, hypothesis, pytest, click` takes {floor:.3f} s "
          "(median of 5, before the load; about 0.30 s on a quiet machine here)")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
