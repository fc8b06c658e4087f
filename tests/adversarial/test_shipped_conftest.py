"""A wrong submission shipped with a conftest.py whose hook marks every test passed: grading uses only its own configuration."""

from harness import SUBMISSIONS, grade_file


def test_shipped_conftest():
    graded = grade_file(SUBMISSIONS / "shipped_conftest" / "exercise1.py")
    assert graded.score == 0, graded.messages
    assert "returned a list" in graded.messages
