"""Course autograding: Gradescope and JUnit output, the quiz as a graded item, the student
copy and the Gradescope bundle."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import catalog
from grader.cli import main
from grader.sandbox import isolation
from grader.sandbox.isolation import Tier
from grader.course.release import strip_hidden_checks

ROOT = Path(__file__).parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
LESSON_KEY = "B,C,D"  # the right answers to the lesson's three questions


@pytest.fixture
def submission(tmp_path: Path) -> Path:
    """A student's folder: exercise1 solved, exercise2 wrong, exercise3 missing, a quiz file."""
    folder = tmp_path / "submission"
    folder.mkdir()
    shutil.copy(ROOT / "solutions" / "exercise1.py", folder / "exercise1.py")
    shutil.copy(FIXTURES / "exercise2" / "wrong_old_sign.py", folder / "exercise2.py")
    (folder / "quiz.txt").write_text("# my answers\nB\nC\nA\n")
    return folder


def test_gradescope_results_add_up_and_follow_the_spec(submission: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = CliRunner().invoke(main, ["all", "--submission", str(submission),
                                       "--format", "gradescope", "--output", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert set(data) >= {"score", "execution_time", "output", "tests"}
    tests = data["tests"]
    assert data["score"] == sum(t["score"] for t in tests)
    assert {t["status"] for t in tests} <= {"passed", "failed"}
    assert {t["visibility"] for t in tests} <= {"visible", "hidden", "after_due_date", "after_published"}
    for test in tests:
        assert set(test) >= {"name", "number", "score", "max_score", "status", "output", "visibility"}
        assert 0 <= test["score"] <= test["max_score"]
    names = [t["name"] for t in tests]
    assert len(names) == len(set(names))
    quiz = [t for t in tests if t["name"].startswith("quiz:")]
    assert [t["score"] for t in quiz] == [1, 1, 0]
    assert "B" not in quiz[2]["output"].split("You answered A")[1]  # the right letter is not given
    first = next(t for t in tests if t["name"].startswith("exercise1:"))
    assert first["status"] == "passed" and first["score"] == first["max_score"]


def test_gradescope_gets_a_valid_file_even_when_the_grader_breaks(
        submission: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import grader.grading

    def broken(*args, **kwargs):
        raise RuntimeError("checks module exploded")

    monkeypatch.setattr(grader.grading, "run_checks", broken)
    out = tmp_path / "results.json"
    result = CliRunner().invoke(main, ["all", "--submission", str(submission),
                                       "--format", "gradescope", "--output", str(out)])
    assert result.exit_code == 0
    data = json.loads(out.read_text())
    visible = [t for t in data["tests"] if t["visibility"] == "visible"]
    hidden = [t for t in data["tests"] if t["visibility"] == "hidden"]
    assert data["score"] == 0
    assert "tell your instructor" in visible[0]["output"]
    assert "checks module exploded" in hidden[0]["output"]
    assert "checks module exploded" not in visible[0]["output"]


def test_junit_xml_parses_and_counts_failures(submission: Path) -> None:
    result = CliRunner().invoke(main, ["all", "--submission", str(submission), "--format", "junit"])
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert list(suites) == [*catalog.names(), "quiz"]
    assert suites["exercise1"].get("failures") == "0"
    assert int(suites["exercise2"].get("failures")) >= 1
    failure = suites["exercise2"].find("testcase/failure")
    assert "called clamped_update" in failure.get("message")
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites.values())


def test_quiz_answers_are_graded_in_grade_all(tmp_path: Path) -> None:
    (tmp_path / "quiz.txt").write_text(LESSON_KEY + "\n")
    result = CliRunner().invoke(main, ["all", "--submission", str(tmp_path), "--format", "json"])
    report = json.loads(result.stdout)
    quiz = report["exercises"][-1]
    assert (quiz["name"], quiz["score"], quiz["max_score"], quiz["status"]) == ("quiz", 3, 3, "passed")
    assert report["isolation"] in ("full", "reduced", "minimal")


@pytest.mark.parametrize(("content", "message"), [
    (None, "quiz.txt. Take the quiz with `quiz`"),
    ("B,C\n", "got 2 answers for 3 questions"),
    ("B,C,X\n", "not a letter A-D"),
])
def test_a_missing_or_malformed_quiz_file_scores_zero_with_a_reason(
        tmp_path: Path, content: str | None, message: str) -> None:
    if content is not None:
        (tmp_path / "quiz.txt").write_text(content)
    result = CliRunner().invoke(main, ["all", "--submission", str(tmp_path), "--format", "json"])
    quiz = json.loads(result.stdout)["exercises"][-1]
    assert quiz["score"] == 0
    assert message in quiz["checks"][0]["message"]


def test_strip_hidden_checks_keeps_visible_ones() -> None:
    source = (
        "@check(points=1, idea='i', hint='h')\n@given(x=st.none())\ndef test_a(x):\n    pass\n\n\n"
        "@check(points=2, idea='i', hint='h', visibility=\"hidden\")\n"
        "@given(x=st.none())\ndef test_b(x):\n    pass\n"
    )
    stripped = strip_hidden_checks(source)
    assert "def test_a" in stripped and "def test_b" not in stripped and "hidden" not in stripped


def test_release_has_no_solutions_or_hidden_checks_and_says_so(tmp_path: Path) -> None:
    out = tmp_path / "student"
    result = CliRunner().invoke(main, ["release", str(out)])
    assert result.exit_code == 0, result.output
    assert not (out / "solutions").exists() and not (out / "tests").exists()
    checks = "".join(p.read_text() for p in (out / "grader" / "checks").glob("*.py"))
    assert "def plain_ista" not in "".join(p.read_text() for p in (out / "grader").rglob("*.py"))
    assert 'visibility="hidden"' not in checks
    assert "solutions" not in (out / "pyproject.toml").read_text()
    readme = (out / "README.md").read_text()
    assert "grade exercise1" in readme and "solutions" not in readme and "Gradescope" not in readme
    assert "exercises/l1lab.ipynb" in readme  # the notebook way, beside files and a terminal
    assert (out / "exercises" / "l1lab.ipynb").read_bytes() == \
        (ROOT / "exercises" / "l1lab.ipynb").read_bytes()
    workflow = (out / ".github" / "workflows" / "classroom.yml").read_text()
    assert "grade all --submission exercises --format json" in workflow
    for exercise in catalog.exercises():
        assert f"python -m grader.course.classroom .l1lab-report.json {exercise.name} " in workflow
    copied = "".join(p.read_text() for p in out.rglob("*.py"))
    assert "def optimum" not in copied and "def soft_step" not in copied
    assert "run: pip install -e '.[notebook]'" in workflow  # students may work in l1lab.ipynb
    solved = tmp_path / "solved"
    solved.mkdir()
    for exercise in catalog.exercises():
        shutil.copy(ROOT / "solutions" / exercise.file, solved / exercise.file)
    # `python -m grader` from the copy's folder runs the copy's grader, not the installed one.
    done = subprocess.run([sys.executable, "-m", "grader", "all", "--submission", str(solved),
                           "--format", "json"], cwd=out, capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout)
    for exercise in report["exercises"][:-1]:
        assert exercise["score"] == exercise["max_score"], exercise
        assert exercise["hidden_checks"] > 0
        assert all(c["visibility"] == "visible" for c in exercise["checks"])
    text = subprocess.run([sys.executable, "-m", "grader", "exercise1", "--submission",
                           str(solved / "exercise1.py")], cwd=out, capture_output=True, text=True,
                          timeout=120).stdout
    assert "more checks run only when you submit" in text
    assert "All checks pass" not in text


def test_release_refuses_to_overwrite_a_folder(tmp_path: Path) -> None:
    (tmp_path / "student").mkdir()
    (tmp_path / "student" / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["release", str(tmp_path / "student")])
    assert result.exit_code == 2
    assert "already exists and is not empty" in result.output
    assert (tmp_path / "student" / "notes.txt").read_text() == "mine"


def test_gradescope_bundle_runs_against_a_fake_autograder_layout(tmp_path: Path) -> None:
    zip_path = tmp_path / "autograder.zip"
    result = CliRunner().invoke(main, ["gradescope-bundle", str(zip_path)])
    assert result.exit_code == 0, result.output
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as bundle:
        names = bundle.namelist()
        bundle.extractall(root / "source")
        mode = bundle.getinfo("run_autograder").external_attr >> 16
    assert {"setup.sh", "run_autograder", "l1lab/pyproject.toml", "l1lab/solutions/exercise1.py"} <= set(names)
    assert mode & 0o111
    assert subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")]).returncode == 0
    (root / "submission").mkdir()
    shutil.copy(ROOT / "solutions" / "exercise3.py", root / "submission" / "exercise3.py")
    (root / "submission" / "quiz.txt").write_text(LESSON_KEY)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "L1LAB_PYTHON": sys.executable}
    tier = isolation.detect().tier
    if tier is Tier.MINIMAL:  # run_autograder requires the reduced tier unless told otherwise
        env["L1LAB_REQUIRE_ISOLATION"] = "none"
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    [recorded] = [t for t in data["tests"] if t["name"].startswith("Isolation")]
    assert recorded["visibility"] == "hidden" and f"the {tier.value} isolation tier" in recorded["output"]
    by_exercise = {}
    for test in data["tests"]:
        name = test["name"].split(":")[0]
        by_exercise[name] = by_exercise.get(name, 0) + test["score"]
    assert by_exercise["exercise3"] == catalog.find("exercise3").points
    assert by_exercise["quiz"] == 3
    assert by_exercise["exercise1"] == 0


GRADE_EACH = """
import json, sys
from pathlib import Path
from grader.catalog import find
from grader.grading import grade
scores = {}
for name in sys.argv[1:]:
    path = Path(name)
    result = grade([find(path.parent.name)], {path.parent.name: path}).exercises[0]
    scores[path.parent.name + "/" + path.stem] = [result.score, result.max_score]
print(json.dumps(scores))
"""


def test_every_known_wrong_answer_loses_points_in_the_student_copy(tmp_path: Path) -> None:
    """The visible checks alone must catch every wrong fixture: GitHub Classroom runs only them."""
    out = tmp_path / "student"
    assert CliRunner().invoke(main, ["release", str(out)]).exit_code == 0
    wrong = sorted(str(p) for e in catalog.names() for p in (FIXTURES / e).glob("wrong_*.py"))
    done = subprocess.run([sys.executable, "-c", GRADE_EACH, *wrong], cwd=out,
                          capture_output=True, text=True, timeout=600)
    scores = json.loads(done.stdout)
    assert len(scores) == len(wrong)
    passing = [name for name, (score, max_score) in scores.items() if score == max_score]
    assert passing == []


def unzip_bundle(tmp_path: Path) -> Path:
    zip_path = tmp_path / "autograder.zip"
    assert CliRunner().invoke(main, ["gradescope-bundle", str(zip_path)]).exit_code == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(zip_path) as bundle:
        bundle.extractall(root / "source")
    (root / "submission").mkdir()
    shutil.copy(ROOT / "solutions" / "exercise3.py", root / "submission" / "exercise3.py")
    return root


def test_run_autograder_refuses_below_the_required_tier_and_says_why_to_the_instructor(
        tmp_path: Path) -> None:
    root = unzip_bundle(tmp_path)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "L1LAB_PYTHON": sys.executable,
           "L1LAB_REQUIRE_ISOLATION": "full"}
    command = ["bash", str(root / "source" / "run_autograder")]
    if os.geteuid() == 0:
        if not Path("/usr/bin/setpriv").exists():
            pytest.skip("setpriv is not installed: cannot take CAP_SYS_ADMIN away as root")
        command = ["/usr/bin/setpriv", "--bounding-set", "-sys_admin", "--inh-caps",
                   "-sys_admin", *command]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 0
    visible = [t for t in data["tests"] if t["visibility"] == "visible"]
    hidden = [t for t in data["tests"] if t["visibility"] == "hidden"]
    assert [t["name"] for t in visible] == ["The autograder could not start"]
    assert "but full is required" in hidden[0]["output"]
    assert "required" not in visible[0]["output"]


def test_setup_sh_builds_from_a_private_copy_and_leaves_no_build_folder(tmp_path: Path) -> None:
    from grader.course.bundle import SETUP_SH
    assert 'build="$(mktemp -d)"' in SETUP_SH
    install = next(line for line in SETUP_SH.splitlines() if "pip install" in line)
    assert '"$build/l1lab[notebook]"' in install and "/autograder/source" not in install
    assert "rm -rf \"$build\" /autograder/source/l1lab/build" in SETUP_SH
    assert "chmod -R go-rwx /autograder/source" in SETUP_SH
