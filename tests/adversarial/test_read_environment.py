"""The grader's secrets: the worker's environment is scrubbed, and other processes'
/proc/*/environ is out of sight (pid namespace) or of reach (another uid)."""

from harness import promise
from grader.sandbox.isolation import Tier


def test_read_environment(hostile, monkeypatch):
    monkeypatch.setenv("L1LAB_TEST_SECRET", "s3cret-token")
    graded = hostile("read_environment")
    if promise(Tier.REDUCED):
        assert graded.score == 0, graded.messages
        assert "no secret found" in graded.messages
