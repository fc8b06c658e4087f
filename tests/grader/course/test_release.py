"""The student copy: no function in it computes what an exercise asks for, and it is a
working GitHub Classroom template (a .gitignore, a workflow GitHub's schema accepts, only
actions that exist, partial credit per visible check)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import check_jsonschema
import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from grader import catalog
from grader.cli import main
from grader.course.release import check_specs
from grader.grading import grade
from grader.sandbox.isolation import Tier

ROOT = Path(__file__).parents[3]
SCHEMA = Path(check_jsonschema.__file__).parent / "builtin_schemas" / "vendor" / "github-workflows.json"
ACTIONS = {"actions/checkout@v4", "actions/setup-python@v5",
           "classroom-resources/autograding-command-grader@v1",
           "classroom-resources/autograding-grading-reporter@v1"}
"""The actions the workflow may use: GitHub's own, and GitHub Classroom's grader and reporter."""


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "student"
    result = CliRunner().invoke(main, ["release", str(out)])
    assert result.exit_code == 0, result.output
    return out


def workflow(copy: Path) -> dict:
    return yaml.safe_load((copy / ".github" / "workflows" / "classroom.yml").read_text())


def test_the_workflow_is_valid_for_github(copy: Path) -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(workflow(copy), schema)


def test_the_workflow_uses_only_actions_that_exist(copy: Path) -> None:
    steps = workflow(copy)["jobs"]["run-autograding-tests"]["steps"]
    assert {s["uses"] for s in steps if "uses" in s} <= ACTIONS


def test_one_step_per_visible_check_with_its_points_and_the_reporter_adds_them_all(copy: Path) -> None:
    steps = workflow(copy)["jobs"]["run-autograding-tests"]["steps"]
    graders = [s for s in steps if s.get("uses") == "classroom-resources/autograding-command-grader@v1"]
    visible = [(e.name, spec) for e in catalog.exercises() for spec in check_specs(e)
               if spec.visibility == "visible"]
    assert [(s["with"]["command"].split()[-2:], s["with"]["max-score"]) for s in graders] == \
        [([name, spec.name], spec.points) for name, spec in visible]
    assert sum(s["with"]["max-score"] for s in graders) == sum(spec.points for _, spec in visible)
    reporter = steps[-1]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    ids = [s["id"] for s in graders]
    assert reporter["with"]["runners"].split(",") == ids
    assert reporter["env"] == {f"{i.upper()}_RESULTS": f"${{{{steps.{i}.outputs.result}}}}" for i in ids}


def test_pytest_in_the_copy_runs_without_the_projects_test_options(copy: Path) -> None:
    """The copy ships no tests folder and maybe no pytest-xdist: the project's addopts
    (-n auto ...) would make a learner's own `pytest` there fail before it starts."""
    settings = tomllib.loads((copy / "pyproject.toml").read_text())
    assert "pytest" not in settings.get("tool", {})
    assert settings["project"]["scripts"]["grade"] == "grader.cli:run"
    (copy / "test_mine.py").write_text("def test_mine():\n    assert 1 + 1 == 2\n")
    try:
        result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:xdist", "-p",
                                 "no:cacheprovider", "-q", "test_mine.py"], cwd=copy,
                                capture_output=True, text=True, timeout=120)
    finally:
        (copy / "test_mine.py").unlink()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_gitignore_keeps_what_is_not_the_students_work_out(copy: Path) -> None:
    ignored = (copy / ".gitignore").read_text().splitlines()
    for pattern in (".venv/", "__pycache__/", ".hypothesis/", ".pytest_cache/", "*.egg-info/"):
        assert pattern in ignored


def test_a_check_step_passes_exactly_when_its_check_passed(tmp_path: Path) -> None:
    """What each Classroom step runs, on a real report: partial credit per check."""
    submission = tmp_path / "exercises"
    submission.mkdir()
    (submission / "exercise2.py").write_text(
        (ROOT / "tests" / "fixtures" / "exercise2" / "wrong_old_sign.py").read_text())
    report = tmp_path / "report.json"
    CliRunner().invoke(main, ["exercise2", "--submission", str(submission), "--format", "json",
                              "--output", str(report)])
    checks = json.loads(report.read_text())["exercises"][0]["checks"]
    outcomes = {}
    for entry in checks:
        done = subprocess.run([sys.executable, "-m", "grader.course.classroom", str(report),
                               "exercise2", entry["name"]], capture_output=True, text=True,
                              timeout=60)
        outcomes[entry["name"]] = (done.returncode, entry["status"])
        assert entry["title"] in done.stdout
    assert {code for code, status in outcomes.values() if status == "passed"} == {0}
    assert {code for code, status in outcomes.values() if status != "passed"} == {1}
    assert 0 < sum(code == 0 for code, _ in outcomes.values()) < len(outcomes)
    missing = subprocess.run([sys.executable, "-m", "grader.course.classroom",
                              str(tmp_path / "none.json"), "exercise2", "x"],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "cannot read the report" in missing.stderr


# No function of the copy computes what an exercise asks for.

LIST_FUNCTIONS = """
import importlib, inspect, json, sys
from pathlib import Path
copy, arities = Path(sys.argv[1]), json.loads(sys.argv[2])
sys.path.insert(0, str(copy))
found = []
for top in ("grader", "quiz", "exercises"):
    for path in sorted((copy / top).rglob("*.py")):
        parts = path.relative_to(copy).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name.endswith("__main__"):
            continue
        module = importlib.import_module(name)
        assert module.__file__.startswith(str(copy)), module.__file__
        for attr, value in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(value) or value.__module__ != name:
                continue
            signature = inspect.signature(value)
            for function, count in arities.items():
                try:
                    signature.bind(*[None] * count)
                except TypeError:
                    continue
                found.append([name, attr, function])
print(json.dumps(found))
"""

SHIM = """\
import importlib
import sys

# The worker refuses to import the grader; here the grader is the copy under test.
sys.meta_path[:] = [f for f in sys.meta_path if getattr(f, "__name__", "") != "GraderHidden"]
sys.path.insert(0, {copy!r})
"""
BIND = """
def {function}(*args):
    return getattr(importlib.import_module({module!r}), {attr!r})(*args)
"""


def arities() -> dict[str, int]:
    """How many arguments the checks pass each function (lasso_fit: X, y, lam)."""
    return {f.name: 3 if f.name == "lasso_fit" else len(f.params)
            for e in catalog.exercises() for f in e.functions}


def rounds(candidates: list[list[str]]) -> list[dict[str, list[tuple[str, str, str]]]]:
    """Candidates grouped so that each round grades every exercise at most once, with at
    most one candidate per function. A function's checks that need another function run
    only after that one's own checks pass, so a round scores 0 exactly when each of its
    candidates would alone (with stubs beside it)."""
    queues = {f.name: [c for c in candidates if c[2] == f.name]
              for e in catalog.exercises() for f in e.functions}
    grouped = []
    while any(queues.values()):
        round_ = {}
        for exercise in catalog.exercises():
            picked = [tuple(queues[f.name].pop(0)) for f in exercise.functions if queues[f.name]]
            if picked:
                round_[exercise.name] = picked
        grouped.append(round_)
    return grouped


def test_no_function_of_the_copy_scores_more_than_a_stub(copy: Path, tmp_path: Path) -> None:
    """Every public function of the copy that can be called as an exercise's function is
    graded as that function, with all the checks, hidden ones included: each exercise must
    score 0, as a stub does. (A function that cannot even take the arguments raises
    TypeError on every call, so it is not graded.)"""
    listed = subprocess.run([sys.executable, "-c", LIST_FUNCTIONS, str(copy), json.dumps(arities())],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    candidates = json.loads(listed.stdout)
    assert len(candidates) > 50, listed.stderr  # the scan saw the copy
    scored = {}
    for number, round_ in enumerate(rounds(candidates)):
        folder = tmp_path / f"round{number}"
        folder.mkdir()
        exercises = [catalog.find(name) for name in round_]
        for exercise in exercises:
            (folder / exercise.file).write_text(SHIM.format(copy=str(copy)) + "".join(
                BIND.format(function=f, module=m, attr=a) for m, a, f in round_[exercise.name]))
        report = grade(exercises, {e.name: folder / e.file for e in exercises}, tier=Tier.MINIMAL,
                       call_timeout=2.0, time_limit=10.0)
        for result in report.exercises:
            if result.score:
                scored[" and ".join(f"{m}.{a} as {f}" for m, a, f in round_[result.name])] = result.score
    assert scored == {}
