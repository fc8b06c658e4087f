"""Importing and patching the grader's helpers affects at most the worker's own copy (in
the full tier the grader is not even importable there)."""


def test_monkeypatch_test_helpers(hostile):
    graded = hostile("monkeypatch_test_helpers")
    assert graded.score == 0, graded.messages
    assert 'raised' in graded.messages
