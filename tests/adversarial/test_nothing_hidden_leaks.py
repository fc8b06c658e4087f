"""Nothing hidden leaks: a course's git history, a build folder an install left, a
classmate's copy in a batch, and a scavenger of everything importable each score what a
stub scores, in every tier this machine gives.

The reduced tier needs root without CAP_SYS_ADMIN and an interpreter every user can read:
the last tests build a venv from /usr/bin/python3.11 with this package installed (not
editable) and run `grade all` under `setpriv` with CAP_SYS_ADMIN dropped, with the
reference readable by any user in the install, a build folder and a git repository beside
it, and a classmate's copy written as `grade batch` writes it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from grader import catalog
from grader.course.snapshot import Snapshot
from grader.course.student_job import write_private_copy
from grader.grading import grade
from grader.sandbox.isolation import Tier, detect
from harness import ROOT, SUBMISSIONS

ATTACKS = ("git_history", "build_folder", "classmate_copy", "scavenger")
SETPRIV = Path("/usr/bin/setpriv")
PYTHON = Path("/usr/bin/python3.11")
NO_SYS_ADMIN = [str(SETPRIV), "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin"]


def attack_folder(parent: Path, name: str) -> Path:
    """A submission folder whose every exerciseN.py is the attack `name`."""
    folder = parent / name
    folder.mkdir(parents=True)
    for exercise in catalog.exercises():
        shutil.copy(SUBMISSIONS / f"{name}.py", folder / exercise.file)
    return folder


STUB = {e.name: 0 for e in catalog.exercises()}
"""What a stub scores on each exercise (`grade dev-check` proves it). The stubs in exercises/
may be solved by now, so they are not graded here."""


def scores(report) -> dict[str, int]:
    return {e.name: e.score for e in report.exercises if e.name in STUB}


def grade_everything(folder: Path, tier: Tier | None = None, *, call_timeout: float = 2.0):
    exercises = catalog.exercises()
    return grade(exercises, {e.name: folder / e.file for e in exercises}, tier=tier,
                 call_timeout=call_timeout, time_limit=max(10.0, 6 * call_timeout))


def test_the_scavenger_finds_the_reference_where_it_can_import_it(tmp_path: Path) -> None:
    """Its technique works: given only numpy and a copy of solutions/ to import, it finds a
    function for all five names. So when it finds none in a worker, nothing was importable."""
    shutil.copytree(ROOT / "solutions", tmp_path / "reachable" / "solutions",
                    ignore=shutil.ignore_patterns("__pycache__"))
    numpy_only = tmp_path / "numpy-only"
    numpy_only.mkdir()
    import numpy
    site = Path(numpy.__file__).parent.parent
    for entry in site.iterdir():
        if entry.name == "numpy" or entry.name.startswith("numpy.libs"):
            (numpy_only / entry.name).symlink_to(entry)
    code = (f"import sys, runpy, json; sys.path[:0] = [{str(tmp_path / 'reachable')!r}, "
            f"{str(numpy_only)!r}]; sys.argv = ['scavenger']; "
            f"print(json.dumps(runpy.run_path({str(SUBMISSIONS / 'scavenger.py')!r})['FOUND']))")
    done = subprocess.run([sys.executable, "-I", "-S", "-c", code], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert sorted(found) == sorted(f.name for e in catalog.exercises() for f in e.functions)
    assert all(where.startswith("solutions.") for where in found.values()), found


@pytest.mark.parametrize("tier", [t for t in Tier if t is not Tier.REDUCED],
                         ids=lambda t: t.value)
def test_the_scavenger_scores_what_a_stub_scores_in_every_tier(tmp_path: Path, tier: Tier) -> None:
    if tier.rank > detect().tier.rank:
        pytest.skip(f"this machine gives {detect().tier.value}, not {tier.value}")
    report = grade_everything(attack_folder(tmp_path, "scavenger"), tier)
    assert scores(report) == STUB, report.to_dict()
    messages = [c.message for e in report.exercises for c in e.checks]
    assert any("found nothing that computes" in m for m in messages)


def course_repository(parent: Path) -> Path:
    """A git repository of the course with the solutions committed, readable by any user."""
    course = parent / "course"
    shutil.copytree(ROOT / "solutions", course / "solutions",
                    ignore=shutil.ignore_patterns("__pycache__"))
    git = ["git", "-C", str(course), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "solutions"]):
        subprocess.run(git + command, check=True, capture_output=True)
    return course


def build_folder(parent: Path) -> Path:
    """What `pip install SOURCE` leaves in SOURCE: build/lib with solutions and checks."""
    lib = parent / "source" / "build" / "lib"
    shutil.copytree(ROOT / "solutions", lib / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "grader" / "checks", lib / "grader" / "checks",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return lib


def classmate(parent: Path) -> Path:
    """A classmate's copy, written as `grade batch` writes it, holding the solutions."""
    temp = Path(tempfile.mkdtemp(prefix="l1lab-batch-classmate-", dir="/tmp"))
    files = tuple((e.file, (ROOT / "solutions" / e.file).read_bytes()) for e in catalog.exercises())
    write_private_copy(Snapshot(files), temp)
    return temp


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_attacks_work_where_nothing_confines_them(tmp_path: Path) -> None:
    """The minimal tier (same uid, no confinement) is the control: there the git history
    and the build folder give the reference away, so the tiers that stop them are tested."""
    course_repository(tmp_path)
    build_folder(tmp_path)
    for name in ("git_history", "build_folder"):
        # Searching the disk for a repository takes its time on the first call.
        report = grade_everything(attack_folder(tmp_path / "attacks", name), Tier.MINIMAL,
                                  call_timeout=20.0)
        assert report.score == sum(e.points for e in catalog.exercises()), (name, scores(report))


def test_the_attacks_score_what_a_stub_scores_in_the_full_tier(tmp_path: Path) -> None:
    if detect().tier is not Tier.FULL:
        pytest.skip(f"this machine gives {detect().tier.value}, not full")
    if shutil.which("git"):
        course_repository(tmp_path)
    build_folder(tmp_path)
    copy = classmate(tmp_path)
    try:
        for name in ("git_history", "build_folder", "classmate_copy"):
            report = grade_everything(attack_folder(tmp_path / "attacks", name))
            assert scores(report) == STUB, (name, report.to_dict())
    finally:
        shutil.rmtree(copy, ignore_errors=True)


# The reduced tier, under setpriv.

def readable_by_others(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o005 == 0o005 for p in [path, *path.parents])


@pytest.fixture(scope="module")
def reduced_install():
    """A world-readable venv made from /usr/bin/python3.11, with this package copied in as a
    non-editable install would put it and this interpreter's packages (numpy...) on its
    path; beside it a build folder and a git repository of the course, all readable."""
    if not SETPRIV.exists():
        pytest.skip("setpriv is not installed (util-linux): cannot drop CAP_SYS_ADMIN")
    if os.geteuid() != 0:
        pytest.skip("the reduced tier needs root (without CAP_SYS_ADMIN)")
    if not PYTHON.exists():
        pytest.skip(f"{PYTHON} is missing: the reduced tier needs a Python every user can read")
    site = Path(sysconfig.get_paths()["purelib"])
    if not readable_by_others(site):
        pytest.skip(f"{site} is not readable by other users, so a confined worker cannot "
                    "import numpy from it")
    root = Path(tempfile.mkdtemp(prefix="l1lab-reduced-"))
    try:
        root.chmod(0o755)
        subprocess.run([str(PYTHON), "-m", "venv", "--without-pip", str(root / "venv")],
                       check=True, capture_output=True)
        target = Path(subprocess.run([str(root / "venv" / "bin" / "python"), "-c",
                                      "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                     check=True, capture_output=True, text=True).stdout.strip())
        (target / "l1lab-dependencies.pth").write_text(f"{site}\n")
        for package in ("grader", "solutions", "quiz"):
            shutil.copytree(ROOT / package, target / package,
                            ignore=shutil.ignore_patterns("__pycache__", "release.toml"))
        build_folder(root)
        if shutil.which("git"):
            course_repository(root)
        for name in ATTACKS:
            attack_folder(root / "attacks", name)
        (root / "leftovers").mkdir()
        shutil.copy(SUBMISSIONS / "ipc_leftovers.py", root / "leftovers" / "exercise1.py")
        subprocess.run(["chmod", "-R", "a+rX", str(root)], check=True)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def grade_reduced(install: Path, folder: Path) -> dict:
    done = subprocess.run(NO_SYS_ADMIN + [str(install / "venv" / "bin" / "python"), "-m", "grader",
                                          "all", "--submission", str(folder), "--format", "json",
                                          "--require-isolation", "reduced"],
                          cwd=install, capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def test_doctor_under_setpriv_gives_the_reduced_tier_with_landlock(reduced_install: Path) -> None:
    done = subprocess.run(NO_SYS_ADMIN + [str(reduced_install / "venv" / "bin" / "python"), "-m",
                                          "grader", "doctor"],
                          cwd=reduced_install, capture_output=True, text=True, timeout=120)
    assert "Isolation tier: reduced" in done.stdout, done.stdout + done.stderr
    assert "A test worker started confined" in done.stdout, done.stdout
    assert "+ Landlock:" in done.stdout, done.stdout


def test_every_attack_scores_what_a_stub_scores_in_the_reduced_tier(reduced_install: Path) -> None:
    copy = classmate(reduced_install)
    try:
        for name in ATTACKS:
            report = grade_reduced(reduced_install, reduced_install / "attacks" / name)
            assert report["isolation"] == "reduced"
            got = {e["name"]: e["score"] for e in report["exercises"] if e["name"] in STUB}
            assert got == STUB, (name, json.dumps(report, indent=1)[:3000])
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def worker_ipc() -> list[str]:
    """System V IPC objects owned by any worker uid (every grader's workers' uids are above
    UID_BASE; in the full tier they live in a namespace of their own and never show here)."""
    from grader.sandbox.isolation import UID_BASE
    found = []
    for table in ("shm", "sem", "msg"):
        with open(f"/proc/sysvipc/{table}") as listing:
            header, *rows = [line.split() for line in listing]
        uid = header.index("uid")
        found += [f"{table}: {' '.join(row)}" for row in rows if int(row[uid]) >= UID_BASE]
    return found


def test_nothing_the_worker_leaves_survives_it_in_the_reduced_tier(reduced_install: Path) -> None:
    before = set(worker_ipc())
    report = grade_reduced(reduced_install, reduced_install / "leftovers")
    assert report["isolation"] == "reduced"
    assert set(worker_ipc()) <= before, worker_ipc()
    for folder in ("/run/lock", "/var/lock", "/tmp", "/dev/shm"):
        assert not os.path.exists(f"{folder}/l1lab-hostile-leftover"), folder
