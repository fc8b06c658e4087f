"""A wrong submission shipped with sitecustomize.py and usercustomize.py (python -I loads neither): grading uses only its own configuration."""

from harness import SUBMISSIONS, grade_file


def test_shipped_sitecustomize():
    graded = grade_file(SUBMISSIONS / "shipped_sitecustomize" / "exercise1.py")
    assert graded.score == 0, graded.messages
    assert "returned a list" in graded.messages
