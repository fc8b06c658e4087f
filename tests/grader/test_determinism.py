"""The same submission gets the same report, whatever the directory or process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
WRONG = ROOT / "tests" / "fixtures" / "exercise2" / "wrong_forgot_lr_on_lam.py"


def grade_json(cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "grader", "exercise2", "--format", "json",
                           "--submission", str(WRONG)], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    return done.stdout


def test_same_report_from_two_directories_and_processes(tmp_path: Path) -> None:
    first = grade_json(ROOT)
    second = grade_json(tmp_path)
    assert first == second
    assert '"status": "failed"' in first
