"""The confined worker: tiers, fail-closed grading, the validated channel, time limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import cli
from grader.sandbox import isolation
from grader.catalog import find
from grader.grading import grade
from grader.sandbox.isolation import Isolation, Tier
from grader.sandbox.worker import _valid_hello, _valid_reply

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
LOOP = ROOT / "tests" / "adversarial" / "submissions" / "infinite_loop.py"


@pytest.fixture
def low_tier(monkeypatch):
    """Pretend this machine gives only the minimal tier."""
    found = Isolation(Tier.MINIMAL, ("root: run the grader as root",))
    monkeypatch.setattr(isolation, "detect", lambda: found)


@pytest.mark.parametrize("required", ["full", "reduced"])
def test_require_isolation_fails_closed_with_exit_3(low_tier, required):
    result = CliRunner().invoke(cli.main, ["exercise1", "--require-isolation", required,
                                           "--submission", str(ROOT / "solutions/exercise1.py")])
    assert result.exit_code == 3
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert f"minimal, but {required} is required" in lines[0]


def test_require_isolation_grades_when_the_tier_is_there():
    if isolation.detect().tier is not Tier.FULL:
        pytest.skip(f"this machine gives {isolation.detect().tier.value}, not full")
    result = CliRunner().invoke(cli.main, ["exercise1", "--require-isolation", "full",
                                           "--format", "json", "--submission",
                                           str(ROOT / "solutions/exercise1.py")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["isolation"] == "full"


def test_doctor_names_the_tier_and_what_is_missing(low_tier):
    result = CliRunner().invoke(cli.main, ["doctor"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Isolation tier: minimal\n")
    assert "missing: root" in result.output
    assert "A test worker started confined in" in result.output


def test_doctor_on_this_machine():
    result = CliRunner().invoke(cli.main, ["doctor"])
    assert result.exit_code == 0, result.output
    assert f"Isolation tier: {isolation.detect().tier.value}" in result.output
    assert "A test worker started confined in" in result.output


@pytest.mark.parametrize(("exercise", "path"), [
    ("exercise1", ROOT / "solutions/exercise1.py"),
    ("exercise1", FIXTURES / "exercise1/wrong_in_place.py"),
    ("exercise2", FIXTURES / "exercise2/wrong_in_place.py"),
], ids=lambda p: getattr(p, "stem", p))
def test_every_tier_gives_the_same_verdicts(exercise, path):
    tiers = [t for t in Tier if t.rank <= isolation.detect().tier.rank and t is not Tier.REDUCED]
    reports = [grade([find(exercise)], {exercise: path}, tier=t) for t in tiers]
    verdicts = [[(c.name, c.status, c.message) for c in r.exercises[0].checks] for r in reports]
    assert all(v == verdicts[0] for v in verdicts)
    assert [r.isolation for r in reports] == [t.value for t in tiers]


def test_a_higher_tier_than_the_machine_gives_is_refused(low_tier):
    with pytest.raises(isolation.IsolationTooLow):
        isolation.choose(Tier.FULL)


def test_the_submission_time_limit_ends_every_remaining_call():
    report = grade([find("exercise1")], {"exercise1": LOOP}, call_timeout=0.4, time_limit=0.2)
    first = report.exercises[0].checks[0]
    assert report.score == 0
    assert "used up the 0.2 s of CPU time it gets for this exercise" in first.message


@pytest.mark.parametrize("header", [
    None, [], {"ok": True}, {"seq": 2, "ok": True}, {"seq": 1, "ok": "yes"},
    {"seq": 1, "ok": True, "type": 3}, {"seq": 1, "ok": True, "type": "x", "shape": [-1]},
    {"seq": 1, "ok": True, "type": "x", "shape": "big"},
    {"seq": 1, "ok": True, "type": "x", "mutated": "w"},
    {"seq": 1, "ok": False, "error": {"type": "E", "where": {"line": "1"}}},
    {"seq": 1, "ok": False, "error": "boom"},
])
def test_a_malformed_reply_is_refused(header):
    assert _valid_reply(header, 1) is None


def test_a_valid_reply_keeps_only_checked_fields():
    header = {"seq": 1, "ok": True, "type": "ndarray" * 100, "shape": [3], "dtype": "float64",
              "numeric": True, "mutated": [], "aliased": None, "score": 10}
    reply = _valid_reply(header, 1)
    assert "score" not in reply and len(reply["type"]) == 300 and reply["shape"] == [3]


@pytest.mark.parametrize("header", [{"seq": 1, "ready": True, "missing": []},
                                    {"seq": 0, "ready": 1}, {"seq": 0, "ready": True},
                                    {"seq": 0, "ready": False, "error": None}])
def test_a_malformed_hello_is_refused(header):
    assert _valid_hello(header) is None
