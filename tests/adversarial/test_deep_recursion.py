"""Recursion past the C stack crashes only the worker (or is stopped at the time limit);
the check says so."""

REASONS = ("SIGSEGV", "RecursionError", "MemoryError", "stopped the Python process",
           "did not return")


def test_deep_recursion(hostile):
    graded = hostile("deep_recursion")
    assert graded.score == 0, graded.messages
    assert any(text in graded.messages for text in REASONS), graded.messages
