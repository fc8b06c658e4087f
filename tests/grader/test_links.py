"""Only the student's own files are graded: no link is followed below the submission folder,
in any component, and nothing but a regular file is opened.

A link scores 0 for the item it stands for, is named ("exercise4.py is a link; submit the
file itself") and never stops grading. Links, FIFOs and secrets are made here in tmp_path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import safe_open
from grader.cli import main
from grader.locate import read_submitted
from grader.safe_open import Refused, read_beneath

ROOT = Path(__file__).resolve().parents[2]
SECRET = "l1lab-secret-7f3a"
"""Written into every file a link points at: it must appear in no output."""


@pytest.fixture(params=["openat2", "walk"])
def resolver(request, monkeypatch):
    """Run a test with the kernel's openat2, and again with the O_NOFOLLOW walk."""
    if request.param == "walk":
        monkeypatch.setattr(safe_open, "_openat2_works", False)
    elif not sys.platform.startswith("linux"):
        pytest.skip("openat2 is Linux only")
    return request.param


def secret_solutions(tmp_path: Path) -> Path:
    """A copy of the reference solutions, each file carrying SECRET in a comment."""
    folder = tmp_path / "secret_solutions"
    folder.mkdir()
    for path in (ROOT / "solutions").glob("exercise*.py"):
        (folder / path.name).write_text(f"# {SECRET}\n{path.read_text()}")
    return folder


def root_only_file(tmp_path: Path) -> Path:
    path = tmp_path / "root_only.txt"
    path.write_text(f"{SECRET}\nB,C,D\n")
    path.chmod(0o600)
    return path


def grade_json(*args: str, cwd: Path = ROOT) -> tuple[dict, str]:
    done = subprocess.run([sys.executable, "-m", "grader", *args, "--format", "json"], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout), done.stdout + done.stderr


def items(report: dict) -> dict[str, dict]:
    return {e["name"]: e for e in report["exercises"]}


def messages(item: dict) -> str:
    return "\n".join(c["message"] for c in item["checks"])


# --- reading beneath a folder -----------------------------------------------------------

def test_a_link_in_any_component_is_refused_by_name(tmp_path, resolver):
    target = tmp_path / "elsewhere"
    (target / "exercises").mkdir(parents=True)
    (target / "exercises" / "exercise1.py").write_text(SECRET)
    (target / "exercise1.py").write_text(SECRET)
    student = tmp_path / "student"
    (student / "exercises").mkdir(parents=True)
    (student / "exercises" / "exercise1.py").symlink_to(target / "exercise1.py")
    (student / "exercise2.py").symlink_to("exercises/exercise1.py")  # relative, inside
    (student / "dir_link").symlink_to(target / "exercises")
    (student / "fine.py").write_text("x = 1\n")

    with pytest.raises(Refused, match=r"^exercises/exercise1.py is a link; submit the file itself"):
        read_beneath(student, "exercises/exercise1.py", 100)
    with pytest.raises(Refused, match=r"^exercise2.py is a link; submit the file itself"):
        read_beneath(student, "exercise2.py", 100)
    with pytest.raises(Refused, match=r"^dir_link is a link; submit the folder itself") as refused:
        read_beneath(student, "dir_link/exercise1.py", 100)
    assert refused.value.link and refused.value.name == "dir_link"
    assert read_beneath(student, "fine.py", 100) == b"x = 1\n"
    with pytest.raises(FileNotFoundError):
        read_beneath(student, "missing.py", 100)
    with pytest.raises(FileNotFoundError):
        read_beneath(student, "fine.py/below.py", 100)
    with pytest.raises(ValueError):
        read_beneath(student, "../elsewhere/exercise1.py", 100)


def test_pipes_devices_and_folders_are_never_opened(tmp_path, resolver):
    os.mkfifo(tmp_path / "fifo.py")  # opening it for reading the usual way would block
    (tmp_path / "folder.py").mkdir()
    for name in ("fifo.py", "folder.py"):
        with pytest.raises(Refused, match=f"^{name} is not a regular file") as refused:
            read_beneath(tmp_path, name, 100)
        assert not refused.value.link
    if os.geteuid() == 0:
        os.mknod(tmp_path / "zero.py", 0o600 | 0o020000, os.makedev(1, 5))  # /dev/zero
        with pytest.raises(Refused, match="^zero.py is not a regular file"):
            read_beneath(tmp_path, "zero.py", 100)


def test_reading_stops_one_byte_past_the_limit(tmp_path, resolver):
    (tmp_path / "big.py").write_bytes(b"#" * 1000)
    assert len(read_beneath(tmp_path, "big.py", 10)) == 11
    submitted = read_submitted(tmp_path, "big.py")
    assert submitted.source == b"#" * 1000 and submitted.problem is None


def test_the_kernel_resolver_is_used_where_there_is_one(tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("openat2 is Linux only")
    (tmp_path / "a.py").write_text("1")
    read_beneath(tmp_path, "a.py", 10)
    assert safe_open._openat2_works in (True, False)  # decided once: True on Linux >= 5.6
    if os.uname().release.split(".")[:2] >= ["5", "6"]:
        assert safe_open._openat2_works is True


# --- grading: a link scores 0 for its item, named, and never stops grading --------------
# (exercise4.py, exercises/ and quiz.txt linked in `grade all --submission`: the red-team
# findings, in tests/adversarial/test_red_team_findings.py)

def test_an_exercises_folder_linked_to_a_classmate_scores_0_when_found_from_here(tmp_path):
    classmate = tmp_path / "classmate"
    classmate.mkdir()
    shutil.copy(ROOT / "solutions" / "exercise1.py", classmate / "exercise1.py")
    course = tmp_path / "course"
    course.mkdir()
    (course / "exercises").symlink_to(classmate)
    report, _ = grade_json("exercise1", cwd=course)
    assert report["score"] == 0
    assert "exercises is a link; submit the folder itself." in messages(report["exercises"][0])


def test_one_file_named_on_the_command_line_that_is_a_link_is_refused(tmp_path):
    (tmp_path / "exercise1.py").symlink_to(secret_solutions(tmp_path) / "exercise1.py")
    result = CliRunner().invoke(main, ["exercise1", "--submission", str(tmp_path / "exercise1.py"),
                                       "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["score"] == 0
    assert "exercise1.py is a link; submit the file itself." in messages(report["exercises"][0])


def test_the_gradescope_script_rejects_links_too(tmp_path):
    zip_path = tmp_path / "autograder.zip"
    result = CliRunner().invoke(main, ["gradescope-bundle", str(zip_path)])
    assert result.exit_code == 0, result.output
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as bundle:
        bundle.extractall(root / "source")
    submission = root / "submission"
    submission.mkdir()
    (submission / "exercises").symlink_to(root / "source" / "l1lab" / "solutions")
    (submission / "quiz.txt").symlink_to(root_only_file(tmp_path))
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "L1LAB_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    text = (root / "results" / "results.json").read_text()
    data = json.loads(text)
    assert data["score"] == 0
    assert "exercises is a link; submit the folder itself." in text
    assert SECRET not in text
