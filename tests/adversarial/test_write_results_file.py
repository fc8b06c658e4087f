"""Overwriting results files: in the full tier the worker sees only a private /tmp and a
read-only filesystem, and the report is written by the grader after the worker is dead."""

import json
import subprocess
import sys

import pytest

from harness import ROOT, SUBMISSIONS, promise
from grader.sandbox.isolation import Tier


def test_write_results_file(tmp_path):
    if not promise(Tier.REDUCED):
        pytest.skip("minimal tier: the submission would overwrite this user's real files")
    decoy = tmp_path / "results.json"
    decoy.write_text('{"score": 0}')
    decoy.chmod(0o666)
    output = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "grader", "exercise1", "--submission",
                           str(SUBMISSIONS / "write_results_file.py"), "--format", "json",
                           "--output", str(output)], cwd=ROOT, capture_output=True, timeout=60)
    assert done.returncode == 1, done.stderr
    report = json.loads(output.read_text())
    assert report["score"] == 0 and report["isolation"] in ("full", "reduced")
    assert decoy.read_text() == '{"score": 0}'
