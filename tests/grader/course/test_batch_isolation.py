"""`grade batch --require-isolation`: refuse to grade below the tier, and never count a report
confined less than required (a Dask worker elsewhere may give less than this machine)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.course.batch import _required, confined_enough
from grader.course.student_job import JobResult
from grader.sandbox import isolation
from grader.sandbox.isolation import Isolation, Tier

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def classroom(tmp_path: Path) -> Path:
    folder = tmp_path / "class" / "ada"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / "exercise1.py", folder / "exercise1.py")
    return folder.parent


@pytest.mark.parametrize("required", ["full", "reduced"])
def test_below_the_tier_nothing_is_graded_and_the_exit_is_3(classroom: Path, tmp_path: Path,
                                                           monkeypatch, required: str) -> None:
    monkeypatch.setattr(isolation, "detect", lambda: Isolation(Tier.MINIMAL, ("root",)))
    out = tmp_path / "grades.csv"
    result = CliRunner().invoke(main, ["batch", str(classroom), "--out", str(out),
                                       "--require-isolation", required])
    assert result.exit_code == 3
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"minimal, but {required} is required" in lines[0], result.output
    assert "nothing was graded" in lines[0]
    assert not out.exists()


def test_a_report_confined_less_than_required_does_not_count() -> None:
    graded = JobResult("graded", report={"isolation": "minimal", "exercises": []})
    assert _required(graded, None) is graded
    assert _required(graded, Tier.MINIMAL) is graded
    refused = _required(graded, Tier.REDUCED)
    assert refused.outcome == "error" and refused.retry
    assert "graded with isolation minimal, but reduced is required" in refused.message
    assert confined_enough({"isolation": "full"}, Tier.REDUCED) is None
    assert confined_enough({"isolation": "bogus"}, Tier.REDUCED) is not None


def test_the_batch_grades_at_the_tier_this_machine_gives(classroom: Path, tmp_path: Path) -> None:
    tier = isolation.detect().tier
    if tier is Tier.MINIMAL:
        pytest.skip("this machine gives only the minimal tier")
    out = tmp_path / "grades.csv"
    result = CliRunner().invoke(main, ["batch", str(classroom), "--out", str(out), "--jobs", "1",
                                       "--require-isolation", tier.value])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "grades" / "ada.json").read_text())
    assert report["isolation"] == tier.value and report["exercises"][0]["score"] == 10
