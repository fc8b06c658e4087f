"""The red-team findings of issue 12, one test each; every one failed on the code before it.

Untrusted input outside the worker: exception text with lone surrogates, control characters
and escape sequences; student folder names of any bytes; links in a submission; forged
frames. These tests use only the command line and `grader.grading.grade`, so they run
against any version of the grader. Odd names, links and secrets are made in tmp_path.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.catalog import find
from grader.cli import main
from grader.grading import grade
from grader.results import Status

ROOT = Path(__file__).resolve().parents[2]
SECRET = "l1lab-secret-7f3a"
"""Written into every file a link points at: it must appear in no output."""
RAISES = "def sign_gradient(w, lam):\n    raise ValueError({text!r})\n"


def secret_solutions(tmp_path: Path) -> Path:
    """A copy of the reference solutions, each file carrying SECRET in a comment."""
    folder = tmp_path / "secret_solutions"
    if not folder.exists():
        folder.mkdir()
        for path in (ROOT / "solutions").glob("exercise*.py"):
            (folder / path.name).write_text(f"# {SECRET}\n{path.read_text()}")
    return folder


def root_only_file(tmp_path: Path) -> Path:
    path = tmp_path / "root_only.txt"
    path.write_text(f"{SECRET}\nB,C,D\n")
    path.chmod(0o600)
    return path


def raising(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exercise1.py"
    path.write_text(RAISES.format(text=text), encoding="utf-8")
    return path


def grade_all(folder: Path) -> tuple[dict, str]:
    done = subprocess.run([sys.executable, "-m", "grader", "all", "--submission", str(folder),
                           "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout), done.stdout + done.stderr


def item(report: dict, name: str) -> dict:
    return next(e for e in report["exercises"] if e["name"] == name)


def messages(entry: dict) -> str:
    return "\n".join(c["message"] for c in entry["checks"])


# --- text out -------------------------------------------------------------------------

def test_a_lone_surrogate_in_an_exception_is_written_with_output(tmp_path):
    source = raising(tmp_path, "oops \udc80")
    out = tmp_path / "report.txt"
    result = CliRunner().invoke(main, ["exercise1", "--submission", str(source), "--format",
                                       "text", "--output", str(out)])
    assert result.exit_code == 1, result.output
    assert "not caused by your code" not in result.output
    assert "ValueError: oops \\udc80" in out.read_text(encoding="utf-8")


def test_bel_and_nul_in_a_message_leave_the_junit_xml_well_formed(tmp_path):
    source = raising(tmp_path, "ding\x07 nul\x00 esc\x1b")
    result = CliRunner().invoke(main, ["exercise1", "--submission", str(source), "--format",
                                       "junit"])
    assert result.exit_code == 1, result.output
    root = ET.fromstring(result.stdout)
    failures = [f.text for f in root.iter("failure")]
    assert failures and all("ding\\x07 nul\\x00 esc\\x1b" in text for text in failures)


def test_escape_sequences_never_reach_the_terminal(tmp_path):
    fake = "\x1b[2J\x1b[H\x1b[32m✓ all checks pass\rScore: 10/10"
    source = raising(tmp_path, fake)
    result = CliRunner().invoke(main, ["exercise1", "--submission", str(source)], color=True)
    assert result.exit_code == 1
    assert "\x1b[2J" not in result.output and "\r" not in result.output
    assert "\\x1b[2J\\x1b[H\\x1b[32m✓ all checks pass\\rScore: 10/10" in result.output


# --- frames -------------------------------------------------------------------------------

FORGES_INT64_INF = '''
import json, os, struct, sys
import numpy as np


def lasso_fit(X, y, lam):
    return np.zeros(X.shape[1])


def selected_features(w):
    request = sys._getframe(1).f_locals["request"]  # the worker's request: its sequence number
    header = {"seq": request["seq"], "ok": True, "type": "ndarray", "dtype": "int64",
              "numeric": True, "shape": [2], "mutated": [], "aliased": None, "nbytes": 16}
    raw = json.dumps(header).encode()
    os.write(int(sys.argv[3]), struct.pack(">I", len(raw)) + raw + np.array([np.inf, 5.0]).tobytes())
    os._exit(0)
'''


def test_a_forged_int64_frame_holding_inf_is_the_learners_failure(tmp_path):
    path = tmp_path / "exercise4.py"
    path.write_text(FORGES_INT64_INF)
    report = grade([find("exercise4")], {"exercise4": path}, call_timeout=5.0)
    checks = {c.name: c for c in report.exercises[0].checks}
    assert all(c.status is not Status.ERROR for c in checks.values()), \
        [(c.name, c.details) for c in checks.values()]
    selected = checks["selected_features"]
    assert selected.status is Status.FAILED and selected.score == 0
    assert "returned something the grader cannot read" in selected.message


# --- links ------------------------------------------------------------------------------

def test_exercise4_linked_to_the_solution_scores_0(tmp_path):
    student = tmp_path / "student"
    student.mkdir()
    (student / "exercise4.py").symlink_to(secret_solutions(tmp_path) / "exercise4.py")
    report, output = grade_all(student)
    assert item(report, "exercise4")["score"] == 0
    assert "exercise4.py is a link; submit the file itself." in messages(item(report, "exercise4"))
    assert SECRET not in output


def test_an_exercises_folder_linked_to_the_solutions_scores_0(tmp_path):
    student = tmp_path / "student"
    student.mkdir()
    (student / "exercises").symlink_to(secret_solutions(tmp_path))
    report, output = grade_all(student)
    assert report["score"] == 0
    assert "exercises is a link; submit the folder itself." in messages(item(report, "exercise1"))
    assert SECRET not in output


def test_a_quiz_file_linked_to_a_root_only_file_shows_none_of_it(tmp_path):
    student = tmp_path / "student"
    student.mkdir()
    (student / "quiz.txt").symlink_to(root_only_file(tmp_path))
    report, output = grade_all(student)
    assert "quiz.txt is a link; submit the file itself." in messages(item(report, "quiz"))
    assert SECRET not in output


# --- a batch: names of any bytes, text of any characters, links --------------------------

LONG_NAME = "s" * 255
FORMULAS = ['=HYPERLINK("evil.example?x=1","10")', "@SUM(1+1)", "+cmd", "-2+3"]


SCENARIOS = {
    "surrogate": lambda folder: raising(_student(folder, "oops_surrogate"), "oops \udc80"),
    "long name": lambda folder: _solved(_student(folder, LONG_NAME)),
    "formulas": lambda folder: [_solved(_student(folder, name)) for name in FORMULAS],
    "link": lambda folder: (_student(folder, "exercises_linked") / "exercises").symlink_to(
        secret_solutions(folder.parent)),
}


def _student(folder: Path, name: str) -> Path:
    (folder / name).mkdir()
    return folder / name


def _solved(student: Path) -> None:
    shutil.copy(ROOT / "solutions" / "exercise1.py", student / "exercise1.py")


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    """`batches(scenario)`: one `grade batch` over a class of that scenario's students (run
    once per scenario, so each finding is tested on its own): its exit code, CSV text (or
    None), records and output."""
    done: dict[str, tuple] = {}

    def run(scenario: str) -> tuple[int, str | None, list[bytes], str]:
        if scenario not in done:
            tmp = tmp_path_factory.mktemp("batch")
            folder = tmp / "class"
            folder.mkdir()
            SCENARIOS[scenario](folder)
            out = tmp / "grades.csv"
            ran = subprocess.run([sys.executable, "-m", "grader", "batch", str(folder), "--out",
                                  str(out), "--jobs", "2", "--timeout", "120"], cwd=ROOT,
                                 capture_output=True, timeout=600,
                                 env={**os.environ, "TMPDIR": str(tmp)})
            csv_text = out.read_bytes().decode("utf-8-sig") if out.exists() else None
            reports = tmp / "grades"
            records = [p.read_bytes() for p in reports.glob("*.json")] if reports.is_dir() else []
            done[scenario] = (ran.returncode, csv_text, records,
                              (ran.stdout + ran.stderr).decode("utf-8", "replace"))
        return done[scenario]

    return run


def rows(csv_text: str | None) -> dict[str, dict[str, str]]:
    assert csv_text is not None, "no gradebook was written"
    return {row["student"]: row for row in csv.DictReader(io.StringIO(csv_text))}


def test_a_lone_surrogate_in_an_exception_does_not_stop_the_batch(batches):
    code, csv_text, records, output = batches("surrogate")
    assert code in (0, 1), output
    row = rows(csv_text)["oops_surrogate"]
    assert row["status"] == "failed" and row["exercise1"] == "0"
    for record in records:
        json.loads(record.decode("utf-8"))  # every record is valid UTF-8 and valid JSON


def test_a_folder_name_of_255_bytes_is_graded(batches):
    code, csv_text, _, output = batches("long name")
    assert code in (0, 1), output
    assert rows(csv_text)[LONG_NAME]["exercise1"] == "10"


def test_formula_names_are_defused_in_the_csv(batches):
    code, csv_text, _, output = batches("formulas")
    assert code in (0, 1), output
    table = rows(csv_text)
    for name in FORMULAS:
        assert table["'" + name]["exercise1"] == "10", name  # shown, with OWASP's apostrophe
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r"))
                   for row in csv.reader(io.StringIO(csv_text)) for cell in row)


def test_an_exercises_folder_linked_in_a_batch_scores_0_and_is_named(batches):
    code, csv_text, records, output = batches("link")
    assert code in (0, 1), output
    row = rows(csv_text)["exercises_linked"]
    assert row["total"] == "0" and row["status"] == "failed"
    record = next(json.loads(r) for r in records if b'"exercises_linked"' in r)
    assert "exercises is a link; submit the folder itself." in messages(item(record, "exercise1"))
    assert SECRET not in csv_text + output and not any(SECRET.encode() in r for r in records)
