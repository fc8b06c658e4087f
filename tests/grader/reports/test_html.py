"""The HTML that check() shows in a notebook: the text report's content, all of it escaped."""

from __future__ import annotations

from grader.reports.html import to_html
from grader.results import CheckResult, ExerciseResult, Report, Status


def report(message: str, status: Status = Status.FAILED) -> Report:
    checks = [CheckResult("a", "Returns an array", Status.PASSED, 1, 1),
              CheckResult("b", "Clamps <at> zero", status, 0, 2, message=message, kind="failed")]
    exercise = ExerciseResult("exercise2", "One L1 step", 1, 3, "failed", checks)
    return Report(1, 3, "failed", [exercise])


def test_marks_points_feedback_and_next_step() -> None:
    html = to_html(report("called f(w=[0.0]), got [1.0], expected [0.0].\nIdea.\nHint: look."))
    assert "✓</span> Returns an array (1/1)" in html
    assert "✗</span> Clamps &lt;at&gt; zero (0/2)" in html
    assert "called f(w=[0.0]), got [1.0], expected [0.0].\nIdea.\nHint: look." in html
    assert "Score: 1/3" in html and "grade hint exercise2" in html


def test_what_the_learner_controls_is_escaped() -> None:
    html = to_html(report("it raised ValueError: <script>alert(1)</script> & <u>"),
                   notes=["<img src=x onerror=alert(1)> (ndarray) is not copied"])
    assert "<script" not in html and "<img" not in html and "<u>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;u&gt;" in html
