"""Killing the grader (its parent, its process group, kill(-1)): another uid, and outside
the worker's pid namespace, the grader cannot be signalled; only the worker dies."""

import pytest

from harness import promise
from grader.sandbox.isolation import Tier


def test_kill_grader(hostile):
    if not promise(Tier.REDUCED):
        pytest.skip("minimal tier: kill(-1) would end every process of this user")
    graded = hostile("kill_grader")
    assert graded.score == 0, graded.messages
    assert "SIGKILL" in graded.messages or "the grader survived" in graded.messages
