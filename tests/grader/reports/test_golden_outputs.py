"""The reports of a fixed set of example submissions are byte-identical to the golden files.

A change that is meant to alter no behaviour (a refactoring, a move of modules) must leave
every writer's output exactly as it was: the JSON report, Gradescope's results.json, JUnit
XML and the batch's CSV gradebook. After a change that is meant to alter output, look at the
difference, then write the files again with `L1LAB_UPDATE_GOLDEN=1 pytest tests/grader/reports/test_golden_outputs.py`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from grader.catalog import find
from grader.course import gradebook
from grader.course.student_job import JobResult
from grader.grading import grade
from grader.reports import gradescope
from grader.reports.junit import to_junit
from grader.reports.text import to_json, to_text

FIXTURES = Path(__file__).parents[3] / "tests" / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
CHOSEN = {
    "exercise1": ["correct_numpy_sign", "wrong_abs", "wrong_float32", "broken_syntax_error",
                  "stub_not_started"],
    "exercise2": ["correct_minus_clip", "wrong_no_clamp", "wrong_in_place"],
    "exercise3": ["correct_norms", "wrong_forgot_mean"],
    "exercise4": ["wrong_no_clamp"],
}


def _reports() -> list[tuple[str, object]]:
    chosen = []
    for exercise, stems in CHOSEN.items():
        for stem in stems:
            path = FIXTURES / exercise / f"{stem}.py"
            report = grade([find(exercise)], {exercise: path})
            chosen.append((f"{exercise}-{stem}", report))
    return chosen


@pytest.fixture(scope="module")
def reports() -> list[tuple[str, object]]:
    return _reports()


def _outputs(reports) -> dict[str, str]:
    # Paths differ between checkouts; the golden files hold them relative to the fixtures.
    def portable(text: str) -> str:
        return text.replace(str(FIXTURES), "<fixtures>")

    files: dict[str, str] = {}
    records = []
    for name, report in reports:
        files[f"{name}.json"] = portable(to_json(report))
        files[f"{name}.txt"] = portable(to_text(report))
        files[f"{name}.gradescope.json"] = portable(
            gradescope.dumps(gradescope.results(report, execution_time=1.0)))
        files[f"{name}.junit.xml"] = portable(to_junit(report, execution_time=1.0))
        data = gradebook.record(name, "key", "0" * 64, JobResult("graded", report=report.to_dict()))
        records.append(data)
    files["gradebook.csv"] = portable(gradebook.to_csv(records))
    return files


LONG_FLOAT = re.compile(r"-?\d+\.\d{12,}(?:e[-+]?\d+)?")


def _blas_free(text: str) -> str:
    """`text` with every number of 13 digits or more cut to 12 significant ones. The learner's
    exercise 4 weights come from numpy's matrix products, whose last bits depend on the
    machine's CPU (OpenBLAS picks its kernel by CPU: AVX-512 and AVX2 sum in different
    orders); the writers' output is compared, not the CPU's rounding."""
    return LONG_FLOAT.sub(lambda found: f"{float(found.group()):.12g}", text)


def test_every_writer_output_matches_its_golden_file(reports) -> None:
    outputs = _outputs(reports)
    if os.environ.get("L1LAB_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        for name, text in outputs.items():
            (GOLDEN / name).write_text(text, encoding="utf-8")
    differing = [name for name, text in outputs.items()
                 if not (GOLDEN / name).is_file()
                 or _blas_free((GOLDEN / name).read_text(encoding="utf-8")) != _blas_free(text)]
    assert differing == [], f"outputs differ from tests/golden/: {differing}"
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(outputs), "stale golden files"
