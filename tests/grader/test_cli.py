"""The `grade` command as a learner and a course platform meet it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from grader.course.stubs import write_stubs
from click.testing import CliRunner

from grader import catalog
from grader.cli import main

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A learner's course folder holding fresh stubs, as the current directory."""
    write_stubs(tmp_path / "exercises")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def solve(course: Path, exercise: str) -> None:
    shutil.copy(ROOT / "solutions" / f"{exercise}.py", course / "exercises" / f"{exercise}.py")


def test_stub_scores_zero_and_says_to_start(course: Path) -> None:
    result = CliRunner().invoke(main, ["exercise1"])
    assert result.exit_code == 1
    assert "sign_gradient still raises NotImplementedError" in result.output
    assert "Score: 0/10" in result.output


def test_solution_scores_full_marks_with_exit_0(course: Path) -> None:
    solve(course, "exercise2")
    result = CliRunner().invoke(main, ["exercise2"])
    assert result.exit_code == 0, result.output
    assert "Score: 12/12" in result.output


def test_wrong_answer_shows_smallest_counterexample(course: Path) -> None:
    shutil.copy(FIXTURES / "exercise2" / "wrong_old_sign.py", course / "exercises" / "exercise2.py")
    result = CliRunner().invoke(main, ["exercise2"])
    assert result.exit_code == 1
    assert ("called clamped_update(w=[0.0], grad=[0.5], lr=1.0, lam=1.0), got [-0.5], "
            "expected [0.0]") in result.output
    assert "solutions" not in result.output and "np.maximum" not in result.output


def test_json_has_the_documented_shape_and_nothing_else_on_stdout(course: Path) -> None:
    solve(course, "exercise1")
    result = CliRunner().invoke(main, ["all", "--format", "json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 1
    assert set(data) >= {"version", "score", "max_score", "status", "exercises"}
    assert [e["name"] for e in data["exercises"]] == [*catalog.names(), "quiz"]
    first = data["exercises"][0]
    assert first["score"] == first["max_score"] == 10
    assert data["score"] == sum(e["score"] for e in data["exercises"])
    check = first["checks"][0]
    assert set(check) >= {"name", "status", "score", "max_score", "message"}
    assert data["exercises"][1]["checks"][0]["status"] == "failed"


def test_output_file_is_written_and_stdout_stays_empty(course: Path) -> None:
    solve(course, "exercise3")
    result = CliRunner().invoke(main, ["exercise3", "--format", "json", "--output", "r.json"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads((course / "r.json").read_text())["score"] == 10
    assert not [p for p in course.iterdir() if p.name.startswith(".r.json")]


def test_unknown_exercise_is_a_usage_error(course: Path) -> None:
    result = CliRunner().invoke(main, ["exercise9"])
    assert result.exit_code == 2
    assert "No such command 'exercise9'" in result.output


def test_missing_submission_path_is_a_usage_error(course: Path) -> None:
    result = CliRunner().invoke(main, ["exercise1", "--submission", "nowhere.py"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_no_exercises_folder_says_what_to_do(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["exercise1"])
    assert result.exit_code == 2
    assert "No exercises/ folder here or above" in result.output


def test_submission_folder_with_a_missing_file_scores_zero(tmp_path: Path) -> None:
    shutil.copy(ROOT / "solutions" / "exercise1.py", tmp_path / "exercise1.py")
    result = CliRunner().invoke(main, ["all", "--submission", str(tmp_path)])
    assert result.exit_code == 1
    assert "There is no file" in result.output
    total = sum(e.points for e in catalog.exercises()) + 3  # the quiz: 3 questions
    assert f"Total: 10/{total}" in result.output


def test_overview_table_names_the_next_exercise(course: Path) -> None:
    solve(course, "exercise1")
    result = CliRunner().invoke(main, [])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["exercise", "title", "status", "score"]
    assert any(line.startswith("exercise1") and "passed" in line and "10/10" in line for line in lines)
    assert any(line.startswith("exercise2") and "not started" in line for line in lines)
    assert "Next: exercise2" in result.output


def test_hints_come_one_more_each_time(course: Path) -> None:
    runner = CliRunner()
    outputs = [runner.invoke(main, ["hint", "exercise2"]).output for _ in range(4)]
    assert outputs[0].startswith("Hint 1 of 3 for exercise2:")
    assert outputs[1].startswith("Hint 2 of 3")
    assert outputs[2].startswith("Hint 3 of 3") and "last hint" in outputs[2]
    assert outputs[3].startswith("Hint 3 of 3")
    assert not (course / "exercises" / ".hints.json").exists()


def test_learner_print_output_does_not_reach_json_stdout(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["exercise1", "--format", "json", "--submission",
                                       str(FIXTURES / "exercise1" / "hostile_sys_exit.py")])
    data = json.loads(result.stdout)
    assert data["score"] == 0 and result.exit_code == 1


def test_console_script_runs_in_a_subprocess(course: Path) -> None:
    solve(course, "exercise1")
    grade = Path(sys.executable).parent / "grade"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([str(grade), "exercise1", "--format", "json"], cwd=course,
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["score"] == 10
    assert "Traceback" not in done.stderr


def test_grading_leaves_no_litter_in_the_learners_folder(course: Path) -> None:
    solve(course, "exercise2")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "grader", "all"], cwd=course / "exercises",
                   capture_output=True, env=env, timeout=300)
    litter = [p.name for p in (course / "exercises").rglob("*")
              if p.name in {".hypothesis", ".pytest_cache", "__pycache__"}]
    litter += [p.name for p in course.iterdir() if p.name in {".hypothesis", ".pytest_cache"}]
    assert litter == []


def test_a_broken_checks_module_is_the_graders_failure_not_an_interrupt(
        course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import grader.grading
    broken = tmp_path / "checks"
    broken.mkdir()
    (broken / "exercise1.py").write_text("def test_broken(:\n")
    monkeypatch.setattr(grader.grading, "CHECKS_DIR", broken)
    result = CliRunner().invoke(main, ["exercise1"])
    assert result.exit_code == 3
    assert "the grader itself failed" in result.output


def test_a_file_that_exits_while_imported_is_not_called_slow(tmp_path: Path) -> None:
    submission = tmp_path / "exercise1.py"
    submission.write_text("import os\nos._exit(0)\n")
    result = CliRunner().invoke(main, ["exercise1", "--submission", str(submission)])
    assert result.exit_code == 1
    assert "stopped the Python process while it was being imported" in result.output
    assert "did not finish importing" not in result.output


def test_output_file_gets_ordinary_permissions(course: Path) -> None:
    CliRunner().invoke(main, ["exercise1", "--format", "json", "--output", "r.json"])
    assert (course / "r.json").stat().st_mode & 0o777 == 0o666 & ~current_umask()


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_half_done_exercise_lists_its_checks_not_just_the_stub(tmp_path: Path) -> None:
    source = (ROOT / "solutions" / "exercise4.py").read_text()
    cut = source.index("def selected_features")
    submission = tmp_path / "exercise4.py"
    submission.write_text(source[:cut] + "def selected_features(w):\n"
                          "    raise NotImplementedError\n")
    result = CliRunner().invoke(main, ["exercise4", "--submission", str(submission)])
    assert result.exit_code == 1
    assert "selected_features still raises NotImplementedError" in result.output
    assert "✓" in result.output or "ok" in result.output
