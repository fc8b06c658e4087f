"""A double-forked setsid daemon: it dies with the worker's pid namespace (full) or is
killed by uid (reduced); the harness finds no survivor and the decoy results file stays."""

import time

import pytest

from harness import promise
from grader.sandbox.isolation import Tier


def test_setsid_daemon(hostile, tmp_path):
    if not promise(Tier.REDUCED):
        pytest.skip("minimal tier: a setsid daemon can outlive the worker's process group")
    decoy = tmp_path / "results.json"
    decoy.write_text('{"score": 0}')
    decoy.chmod(0o666)
    graded = hostile("setsid_daemon")
    assert graded.score == 0, graded.messages
    time.sleep(0.3)  # the daemon, had it survived, rewrites every 0.1 s
    assert decoy.read_text() == '{"score": 0}'
