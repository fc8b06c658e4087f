"""`grade release`: the student copy of the course, without solutions or hidden checks.

The copy keeps the stubs, the quiz, the grader and its visible checks, so students can
`pip install -e .` it and run `grade exerciseN` locally. Hidden checks are cut out of the
checks modules' source, and `release.toml` records how many there were, so a local run
says plainly that they still run at submission instead of claiming "all passed".
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import shutil
import tempfile
from pathlib import Path

from grader import catalog, paths
from grader.checkspec import CheckSpec
from grader.course.starter import up_to_date
from grader.student_copy import MANIFEST, Hidden

PROJECT = paths.PACKAGE_ROOT
COPIED = ("README.md", "pyproject.toml", "exercises", "quiz", "grader")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis", ".pytest_cache",
                                 "*.egg-info", "release.toml")
REPORT = ".l1lab-report.json"
"""Where the Classroom workflow's grading step writes the JSON report its check steps read."""
GITIGNORE = f"""\
# Written by `grade release`: what a student's work leaves that is not theirs to commit.
.venv/
__pycache__/
.hypothesis/
.pytest_cache/
*.egg-info/
{REPORT}
"""


class ReleaseError(Exception):
    """The release cannot be made; the message says what to do."""


def make_release(out: Path) -> dict[str, Hidden]:
    """Write the student copy to `out` (which must not exist yet, or be empty)."""
    if not (PROJECT / "pyproject.toml").is_file() or not (PROJECT / "solutions").is_dir():
        raise ReleaseError("grade release needs the instructor's source folder (with solutions/); "
                           "run it from a checkout installed with pip install -e .")
    if not up_to_date(PROJECT / "exercises"):
        raise ReleaseError("exercises/l1lab.ipynb is not the notebook the stubs give; run "
                           "grade notebook, then release.")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReleaseError(f"{out} already exists and is not empty; name a new folder.")
    out.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    building.chmod(0o755)  # mkdtemp makes 0700; students and course tools must read the copy
    try:
        hidden = _build(building)
        if out.exists():
            out.rmdir()
        building.rename(out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return hidden


def copy_project(names: tuple[str, ...], root: Path) -> None:
    """Copy these top-level files and folders of the project into `root`, without caches."""
    for name in names:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=IGNORED)
        else:
            shutil.copy2(source, root / name)


def _build(root: Path) -> dict[str, Hidden]:
    copy_project(COPIED, root)
    (root / "README.md").write_text(student_readme(), encoding="utf-8")
    pyproject = root / "pyproject.toml"
    text = re.sub(r',\s*"solutions"', "", pyproject.read_text(encoding="utf-8"))
    # The project's own test settings (xdist options, its tests folder) are not the copy's: a
    # learner running pytest there without the test extra would get "unrecognized arguments".
    text = re.sub(r"\n\[tool\.pytest\.ini_options\].*?(?=\n\[|\Z)", "", text, flags=re.S)
    pyproject.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    hidden: dict[str, Hidden] = {}
    visible: dict[str, list[CheckSpec]] = {}
    for exercise in catalog.exercises():
        specs = check_specs(exercise)
        left_out = [spec for spec in specs if spec.visibility == "hidden"]
        hidden[exercise.name] = Hidden(len(left_out), sum(s.points for s in left_out))
        visible[exercise.name] = [spec for spec in specs if spec.visibility != "hidden"]
        path = root / "grader" / "checks" / f"{exercise.name}.py"
        path.write_text(strip_hidden_checks(path.read_text(encoding="utf-8")), encoding="utf-8")
    workflow = root / ".github" / "workflows" / "classroom.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(classroom_workflow(visible), encoding="utf-8")
    (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    lines = ["# Written by `grade release`: checks left out of this student copy.", "[hidden]"]
    lines += [f'{name} = {{ checks = {h.checks}, points = {h.points} }}' for name, h in hidden.items()]
    (root / "grader" / MANIFEST.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return hidden


def student_readme() -> str:
    """The student copy's README: the learner's loop only, no instructor material."""
    rows = "\n".join(f"| {e.name} | {e.title} | {e.points} |" for e in catalog.exercises())
    return f"""\
# L1 Lab: exercises and a quiz for L1 regularization (Lasso)

Set up and see where you are:

```sh
python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/grade
```

Then `source .venv/bin/activate`, so that you can type `grade` and `quiz` directly.

## How to work

1. Read the lesson, then open `exercises/exercise1.py`. Its docstring says what to write;
   replace the `raise NotImplementedError` with your code.
2. Run `grade exercise1`. You see each check with a mark and, for a failing one, the
   smallest input on which your code goes wrong, what it returned and what was expected.
3. Stuck? `grade hint exercise1` gives the next hint, one more each time you ask.
4. `grade` alone shows every exercise, its status and score, and what to do next.
5. Take the lesson's quiz with `quiz`, then write your letters (for example `A,B,C`) in
   `exercises/quiz.txt`.

Or work in a notebook: open `exercises/l1lab.ipynb` in Jupyter (`pip install jupyterlab`),
write each function in its cell, run it, and run the `check("exerciseN")` cell under it.

| exercise | what you build | points |
|---|---|---|
{rows}

Some checks run only when you submit: `grade` says how many, so a local run that passes
everything here is not the final score.
"""


def check_specs(exercise: catalog.Exercise) -> list[CheckSpec]:
    """Every check of `exercise`, in the order its module defines them."""
    module = importlib.import_module(exercise.checks_module)
    return [f.check_spec for f in vars(module).values() if hasattr(f, "check_spec")]


def classroom_workflow(visible: dict[str, list[CheckSpec]]) -> str:
    """A GitHub Classroom autograding workflow with one step per visible check.

    One plain step grades everything once into a JSON report; then each visible check is a
    `classroom-resources/autograding-command-grader` step whose command
    (`python -m grader.course.classroom`) exits 0, earning that check's points, when the
    check passed. The reporter adds them up: partial credit per check, and a total equal to
    the visible points. Strings are written as JSON, which YAML reads as the same text.
    """
    steps, env, ids = [], [], []
    for exercise in catalog.exercises():
        for spec in visible.get(exercise.name, []):
            step_id = f"{exercise.name}_{spec.name}".replace("-", "_")
            name = json.dumps(f"{exercise.name}: {spec.title}")
            command = json.dumps(f"python -m grader.course.classroom {REPORT} {exercise.name} "
                                 f"{spec.name}")
            steps.append(f"""\
    - name: {name}
      id: {step_id}
      uses: classroom-resources/autograding-command-grader@v1
      with:
        test-name: {name}
        command: {command}
        timeout: 1
        max-score: {spec.points}
""")
            env.append(f"        {step_id.upper()}_RESULTS: \"${{{{steps.{step_id}.outputs.result}}}}\"\n")
            ids.append(step_id)
    grade = json.dumps(f"grade all --submission exercises --format json --output {REPORT}")
    return f"""\
# Written by `grade release`. GitHub Classroom runs it on every push of a student's repo:
# one grading run, then one step per visible check, worth that check's points.
name: Autograding Tests
"on": [push, workflow_dispatch, repository_dispatch]
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    steps:
    - uses: actions/checkout@v4
    - uses: actions/setup-python@v5
      with:
        python-version: "3.11"
    - run: pip install -e '.[notebook]'
    - name: Grade every exercise once
      run: {grade}
      continue-on-error: true
      timeout-minutes: 15
{"".join(steps)}\
    - name: Autograding Reporter
      uses: classroom-resources/autograding-grading-reporter@v1
      env:
{"".join(env)}\
      with:
        runners: {",".join(ids)}
"""


def strip_hidden_checks(source: str) -> str:
    """`source` without the top-level functions declared `@check(..., visibility="hidden")`."""
    lines = source.splitlines(keepends=True)
    cut: list[tuple[int, int]] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and any(_is_hidden(d) for d in node.decorator_list):
            start = min(d.lineno for d in node.decorator_list) - 1
            cut.append((start, node.end_lineno))
    for start, end in reversed(cut):
        del lines[start:end]
    return "".join(lines)


def _is_hidden(decorator: ast.expr) -> bool:
    return (isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "check"
            and any(k.arg == "visibility" and isinstance(k.value, ast.Constant)
                    and k.value.value == "hidden" for k in decorator.keywords))
