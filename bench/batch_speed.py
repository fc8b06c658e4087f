"""Students graded per minute by `grade batch --jobs 2`, and the batch's peak memory.

Builds a class of N students who each submit every exercise (the reference solutions, with
some exercises swapped for realistic wrong or stub versions from tests/fixtures/), grades it
from scratch with `grade batch`, and samples the memory of the whole process tree (the batch,
each student's grading process and its workers) every 50 ms. Goal (issue 6): at least 60
students per minute on a 2-core machine, peak memory under 1 GB.

    python bench/batch_speed.py [--students 40] [--jobs 2] [--mix mixed|correct]
"""

from __future__ import annotations

import argparse
import itertools
import os
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


def tree_rss(root: int) -> int:
    """Sum of the resident memory of `root` and all its descendants, in bytes."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, wanted = 0, {root}
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in wanted and pid not in wanted:
                wanted.add(pid)
                changed = True
    return sum(rss.get(pid, 0) for pid in wanted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--mix", choices=["mixed", "correct"], default="mixed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "class"
        build_class(folder, args.students, args.mix)
        command = [sys.executable, "-m", "grader", "batch", str(folder), "--out",
                   str(Path(temp) / "grades.csv"), "--jobs", str(args.jobs)]
        peak = 0
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, tree_rss(process.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        code = process.wait()
        seconds = time.perf_counter() - start
        stop.set()
        sampler.join()
    load = os.getloadavg()[0]
    print(f"grade batch --jobs {args.jobs}, {args.students} students ({args.mix}, "
          f"{len(catalog.exercises())} exercises and the quiz each), exit code {code}")
    print(f"{seconds:.1f} s: {args.students / seconds * 60:.1f} students per minute "
          f"({seconds / args.students:.2f} s each); peak memory of the process tree "
          f"{peak / 2**20:.0f} MiB; load average at the end {load:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
