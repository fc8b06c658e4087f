"""What confinement costs: worker start, call round trip and kill per tier, and `grade
exercise3` whole-process time with and without confinement (interleaved runs).

Targets (issue 5): start under 150 ms and round trip under 0.3 ms median; confinement
costs under 10% on `grade exercise3`.

    python bench/worker_speed.py [--runs 15] [--calls 2000] [--grade-runs 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.sandbox.isolation import Tier, detect  # noqa: E402
from grader.sandbox.worker import Worker  # noqa: E402

SOLUTION = ROOT / "solutions" / "exercise1.py"
FORCE_TIER = """
import sys
from grader import cli
from grader.sandbox import isolation
isolation.detect.cache_clear()
found = isolation.detect()
tier = isolation.Tier(sys.argv[1])
isolation.detect = lambda: isolation.Isolation(tier, found.missing, found.have)
sys.argv = ["grade", *sys.argv[2:]]
cli.run()
"""


def worker_figures(tier: Tier, runs: int, calls: int) -> tuple[float, float, float]:
    starts, trips, kills = [], [], []
    w, lam = np.array([1.0, -2.0, 0.0, 3.5]), 0.5
    for _ in range(runs):
        started = time.perf_counter()
        worker = Worker(SOLUTION, ["sign_gradient"], source=SOLUTION.read_bytes(),
                        start_timeout=10.0, tier=tier)
        worker.hello()
        starts.append(time.perf_counter() - started)
        for _ in range(calls // runs):
            began = time.perf_counter()
            worker.call("sign_gradient", ["w", "lam"], [w, lam], timeout=2.0)
            trips.append(time.perf_counter() - began)
        began = time.perf_counter()
        worker.close()
        kills.append(time.perf_counter() - began)
    return statistics.median(starts), statistics.median(trips), statistics.median(kills)


def grade_times(tiers: list[Tier], runs: int) -> dict[Tier, list[float]]:
    times: dict[Tier, list[float]] = {tier: [] for tier in tiers}
    command = ["exercise3", "--submission", "solutions/exercise3.py"]
    for _ in range(runs):
        for tier in tiers:  # interleaved, so drift in machine load hits every tier alike
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", FORCE_TIER, tier.value, *command], cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times[tier].append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--grade-runs", type=int, default=9)
    args = parser.parse_args()
    found = detect().tier
    print(f"detected isolation tier: {found.value}; load average {os.getloadavg()[0]:.2f}")
    tiers = [t for t in (Tier.MINIMAL, Tier.REDUCED, Tier.FULL) if t.rank <= found.rank]
    usable = []
    for tier in tiers:
        try:
            start, trip, kill = worker_figures(tier, args.runs, args.calls)
        except Exception as error:  # noqa: BLE001 - e.g. reduced where Python is unreadable
            print(f"{tier.value:>8}: not measurable here ({error})")
            continue
        usable.append(tier)
        print(f"{tier.value:>8}: worker start median {start * 1000:.1f} ms (target < 150), "
              f"call round trip median {trip * 1000:.3f} ms (target < 0.3), "
              f"kill median {kill * 1000:.1f} ms")
    times = grade_times(usable, args.grade_runs)
    base = statistics.median(times[Tier.MINIMAL])
    for tier in usable:
        median = statistics.median(times[tier])
        print(f"grade exercise3, {tier.value:>8}: median {median:.3f} s "
              f"(min {min(times[tier]):.3f}) = {100 * (median / base - 1):+.1f}% vs minimal "
              f"(target < +10%), {args.grade_runs} interleaved runs")


if __name__ == "__main__":
    main()
