"""A wrong submission shipped with a numpy.py that fakes comparisons (the submission's folder is never on sys.path): grading uses only its own configuration."""

from harness import SUBMISSIONS, grade_file


def test_shipped_numpy():
    graded = grade_file(SUBMISSIONS / "shipped_numpy" / "exercise1.py")
    assert graded.score == 0, graded.messages
    assert "returned a list" in graded.messages
