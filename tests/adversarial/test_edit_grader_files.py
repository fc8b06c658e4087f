"""Editing the grader, the hidden checks, the solutions or numpy on disk: read-only mounts
and another uid refuse it; the harness compares every protected file's hash."""

import pytest

from harness import promise
from grader.sandbox.isolation import Tier


def test_edit_grader_files(hostile):
    if not promise(Tier.REDUCED):
        pytest.skip("minimal tier: the submission runs as this user and would edit real files")
    graded = hostile("edit_grader_files")
    assert graded.score == 0, graded.messages
    assert "exploit failed" in graded.messages
