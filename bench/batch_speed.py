"""Students graded per minute by `grade batch --jobs 2`, and the batch's peak memory.

Builds a class of N students who each submit every exercise (the reference solutions, with
some exercises swapped for realistic wrong or stub versions from tests/fixtures/), grades it
from scratch with `grade batch`, and samples the memory of the whole process tree (the batch,
each student's grading process and its workers) every 50 ms. Goal (issue 18): at most 1.7
import floors of wall time per student on a 2-core machine, peak memory under 1 GB.

    python bench/batch_speed.py [--students 40] [--jobs 2] [--mix mixed|correct] [--cache warm|cold]
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader import catalog  # noqa: E402


def build_class(folder: Path, students: int, mix: str) -> None:
    solutions = {e.file: (ROOT / "solutions" / e.file).read_bytes() for e in catalog.exercises()}
    variants: list[tuple[str, bytes] | None] = [None]
    if mix == "mixed":
        for exercise in catalog.exercises():
            variants.append((exercise.file, (ROOT / "exercises" / exercise.file).read_bytes()))
            fixtures = sorted((ROOT / "tests" / "fixtures" / exercise.name).glob("wrong_*.py"))
            variants += [(exercise.file, path.read_bytes()) for path in fixtures[:3]]
    for number, variant in zip(range(students), itertools.cycle(variants)):
        student = folder / f"student{number:03d}"
        student.mkdir(parents=True)
        for name, data in {**solutions, **dict([variant] if variant else [])}.items():
            (student / name).write_bytes(data)
        (student / "quiz.txt").write_text("B\nC\nA\n")


def tree_memory(root: int) -> tuple[int, int]:
    """Resident memory of `root` and all its descendants, in bytes: (RSS, PSS) summed.

    RSS counts a page shared by several processes once in each (the grading processes are
    forks of one server and share most of their pages), so its sum overstates; PSS divides
    each shared page among the processes that share it, so its sum is the memory used."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
    wanted = {root}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    rss = pss = 0
    for pid in wanted:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
                for line in handle:
                    if line.startswith((b"Rss:", b"Pss:")):
                        value = int(line.split()[1]) * 1024
                        if line.startswith(b"Rss:"):
                            rss += value
                        else:
                            pss += value
        except OSError:
            continue
    return rss, pss


def cpu_group() -> tuple[Path, str] | None:
    """A new cgroup in this process's own, and its CPU usage file, to run the batch in: its
    walls and cells are made inside it, so it counts the CPU time of the batch and of every
    process it starts. None where this user may make none."""
    own = {name: path for line in Path("/proc/self/cgroup").read_text().splitlines()
           if line.count(":") >= 2 for names, path in [line.split(":", 2)[1:]]
           for name in (names.split(",") if names else [""])}
    candidates = [(Path("/sys/fs/cgroup/cpuacct"), own.get("cpuacct"), "cpuacct.usage")]
    for root in (Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup")):
        if (root / "cgroup.controllers").exists():
            candidates.append((root, own.get(""), "cpu.stat"))
    for root, inside, usage in candidates:
        if inside is None:
            continue
        group = root / inside.lstrip("/") / f"l1lab-bench-{os.getpid()}"
        try:
            group.mkdir()
        except OSError:
            continue
        return group, usage
    return None


def group_cpu(group: tuple[Path, str]) -> float:
    """CPU seconds used by every process that was ever in `group`."""
    text = (group[0] / group[1]).read_text()
    if group[1] == "cpuacct.usage":
        return int(text) / 1e9
    return int(text.split("usage_usec ", 1)[1].split()[0]) / 1e6


def floor_times(runs: int = 5) -> list[float]:
    """Seconds to start Python and import the grader's libraries: how fast the machine is now."""
    command = [sys.executable, "-c", "import numpy, hypothesis, pytest, click"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--mix", choices=["mixed", "correct"], default="mixed")
    parser.add_argument("--cache", choices=["warm", "cold"], default="warm",
                        help="warm: the replay book an earlier grading on this machine left "
                        "(every batch but the first); cold: an empty cache")
    args = parser.parse_args()
    floors = floor_times()  # before and after the batch: a VM's speed drifts
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "class"
        build_class(folder, args.students, args.mix)
        command = [sys.executable, "-m", "grader", "batch", str(folder), "--out",
                   str(Path(temp) / "grades.csv"), "--jobs", str(args.jobs)]
        # The replay book in a cache of its own; matplotlib's font cache (the class report's
        # plots) where it always is, as on an instructor's machine after the first batch.
        fonts = os.environ.get("MPLCONFIGDIR") or str(Path.home() / ".cache" / "matplotlib")
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(temp) / "cache"), "MPLCONFIGDIR": fonts}
        if args.cache == "warm":  # what the first batch (or any grading) leaves
            subprocess.run([sys.executable, "-c", "from grader import api; api.warm_up()"],
                           cwd=ROOT, env=env, check=True)
        peak_rss = peak_pss = 0
        group = cpu_group()

        def join_group() -> None:  # in the batch's process, before it starts
            if group is not None:
                (group[0] / "cgroup.procs").write_text("0")

        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL, env=env,
                                   preexec_fn=join_group)
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak_rss, peak_pss
            while not stop.is_set():
                rss, pss = tree_memory(process.pid)
                peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        code = process.wait()
        seconds = time.perf_counter() - start
        stop.set()
        sampler.join()
        cpu = group_cpu(group) if group is not None else None
        if group is not None:
            try:
                group[0].rmdir()
            except OSError:
                pass
    load = os.getloadavg()[0]
    after = floor_times()
    floor = statistics.median(floors + after)
    each = seconds / args.students
    print(f"grade batch --jobs {args.jobs}, {args.students} students ({args.mix}, "
          f"{len(catalog.exercises())} exercises and the quiz each), {args.cache} cache, "
          f"exit code {code}")
    print(f"{seconds:.1f} s: {args.students / seconds * 60:.1f} students per minute "
          f"({seconds / args.students:.2f} s each); load average at the end {load:.2f} on "
          f"{os.cpu_count()} CPUs")
    print(f"floor: `import numpy, hypothesis, pytest, click` takes {floor:.3f} s (median of "
          f"5 runs before and 5 after), so each student took {each / floor:.2f} floors of wall "
          "time (goal, issue 18: at most 1.7)")
    before_floor, after_floor = statistics.median(floors), statistics.median(after)
    print(f"  the floor drifted from {before_floor:.3f} s before to {after_floor:.3f} s after: "
          f"{each / before_floor:.2f} to {each / after_floor:.2f} floors by either alone")
    if cpu is not None:
        print(f"CPU time of the batch and all it started: {cpu:.1f} s, {cpu / args.students:.2f} s "
              f"a student ({cpu / seconds:.2f} cores busy on average; CPU time drifts with "
              "the host's speed too)")
    print(f"peak memory of the process tree: {peak_pss / 2**20:.0f} MiB (PSS: shared pages "
          f"counted once), {peak_rss / 2**20:.0f} MiB (RSS summed over processes)")


if __name__ == "__main__":
    main()
