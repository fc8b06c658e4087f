"""A wrong submission shipped with a pytest.ini that would collect nothing: grading uses only its own configuration."""

from harness import SUBMISSIONS, grade_file


def test_shipped_pytest_ini():
    graded = grade_file(SUBMISSIONS / "shipped_pytest_ini" / "exercise1.py")
    assert graded.score == 0, graded.messages
    assert "returned a list" in graded.messages
