"""Time limits count the learner's CPU time; one cgroup wall per student; nothing outlives a call.

Each test runs a real worker on a small file written here, in a wall made as grading makes
it (`Wall.open`), and looks from outside: the wall's cgroups, /proc, the worker's meter.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from grader import cli
from grader.sandbox import cgroups
from grader.sandbox.cgroup_probe import support
from grader.sandbox.isolation import NPROC_UNWALLED, Tier, detect
from grader.sandbox.worker import Worker, WorkerTimeout

SPIN = "def spin(x):\n    while True:\n        pass\n"
SLEEP = "import time\n\n\ndef nap(x):\n    time.sleep(x)\n    return x\n"
DAEMONS = '''import os, time


def daemons(x):
    """Start int(x) double-forked setsid busy loops, then return at once."""
    for _ in range(int(x)):
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                while True:
                    pass
            os._exit(0)
        os.wait()
    return x
'''
BURN_ELSEWHERE = '''import os, time


def burn(x):
    """A grandchild (reparented away from the worker) burns x s of CPU, then ends; the call
    returns once it has ended (its end closes the pipe)."""
    done, end = os.pipe()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            until = time.process_time() + x
            while time.process_time() < until:
                pass
        os._exit(0)
    os.close(end)
    os.wait()
    os.read(done, 1)
    return x
'''
walled = pytest.mark.skipif(not support().hierarchies, reason="no cgroup can be made here")


def worker(tmp_path: Path, source: str, name: str, wall: cgroups.Wall, *,
           tier: Tier | None = None) -> Worker:
    path = tmp_path / f"{name}_module.py"
    path.write_text(source)
    path.chmod(0o644)
    started = Worker(path, [name], source=path.read_bytes(), start_timeout=10.0, cell=wall.cell(), memory=wall.memory,
                     tier=tier)
    assert started.hello()["ready"], started.hello()
    return started


@pytest.fixture
def wall():
    made = cgroups.Wall.open(memory=cgroups.MEMORY)
    yield made
    made.close()


def running(path: Path) -> list[int]:
    """Processes (not zombies) whose command line names `path`: a fork keeps its parent's."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if str(path).encode() in (entry / "cmdline").read_bytes() and \
                    (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[0] != b"Z":
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue
    return found


def test_a_call_that_sleeps_past_its_cpu_limit_still_returns(tmp_path, wall):
    """1.5 s of sleep against a limit of 1 s of CPU time: not a time-out (wall-clock was)."""
    sleeper = worker(tmp_path, SLEEP, "nap", wall)
    try:
        reply = sleeper.call("nap", ["x"], [1.5], timeout=1.0)
        assert float(reply.value) == 1.5
        assert sleeper.used()[0] < 1.0
    finally:
        sleeper.close()


def test_a_loop_is_stopped_by_cpu_time_and_a_sleep_by_the_backstop(tmp_path, wall):
    spinner = worker(tmp_path, SPIN, "spin", wall)
    with pytest.raises(WorkerTimeout) as stop:
        spinner.call("spin", ["x"], [0.0], timeout=0.3)
    assert not stop.value.waited
    assert spinner.used()[0] >= 0.3
    sleeper = worker(tmp_path, SLEEP, "nap", wall)
    with pytest.raises(WorkerTimeout) as stop:
        sleeper.call("nap", ["x"], [60.0], timeout=0.2)
    assert stop.value.waited  # stopped after 2 s (10 x 0.2) of waiting, not of computing


def test_nothing_a_call_starts_outlives_it(tmp_path, wall):
    """Five setsid busy loops, double-forked so they leave the worker's process tree: gone
    once the call returns, not when grading ends."""
    spawner = worker(tmp_path, DAEMONS, "daemons", wall)
    try:
        own = set(running(spawner.submission))
        spawner.call("daemons", ["x"], [5.0], timeout=2.0)
        assert set(running(spawner.submission)) <= own, "a busy loop outlived its call"
        if spawner.cell is not None:
            assert len(spawner.cell.pids()) == len(own)
    finally:
        spawner.close()
    assert running(spawner.submission) == []


@walled
def test_cpu_time_counts_a_process_that_left_and_was_reaped_elsewhere(tmp_path, wall):
    """In the minimal tier the grandchild is reaped by init, outside the worker's tree: only
    the cgroup still counts its CPU time."""
    burner = worker(tmp_path, BURN_ELSEWHERE, "burn", wall, tier=Tier.MINIMAL)
    try:
        before = burner.used()[0]
        burner.call("burn", ["x"], [0.6], timeout=5.0)
        assert burner.used()[0] - before >= 0.55
    finally:
        burner.close()


@walled
def test_a_wall_holds_its_limits_and_is_gone_afterwards(tmp_path):
    made = cgroups.Wall.open(memory=512 << 20)
    paths = [path for _, path in made.paths]
    assert paths and all(path.is_dir() for path in paths)
    for hierarchy, path in made.paths:
        if hierarchy.version == 1 and "memory" in hierarchy.controllers:
            assert int((path / "memory.limit_in_bytes").read_text()) == 512 << 20
        if "pids" in hierarchy.controllers:
            assert (path / "pids.max").read_text().strip() == str(cgroups.WALL_PROCESSES)
    spinner = worker(tmp_path, DAEMONS, "daemons", made)
    assert spinner.process.pid in spinner.cell.pids()
    made.close()  # as after a grading: the worker and all it started end with the wall
    assert spinner.process.poll() is not None or spinner.process.wait(timeout=5) is not None
    assert not any(path.exists() for path in paths)
    spinner.close()


@walled
def test_walls_of_a_grader_that_died_are_swept(tmp_path):
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    left = cgroups.Wall.open(memory=cgroups.MEMORY, owner=dead)
    assert left.cell() is not None
    paths = [path for _, path in left.paths]
    cgroups.Wall.open(memory=cgroups.MEMORY).close()  # every new wall sweeps first
    assert not any(path.exists() for path in paths)


def test_without_cgroups_the_fallback_holds_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("L1LAB_CGROUPS", "off")
    support.cache_clear()
    try:
        made = cgroups.Wall.open(memory=cgroups.MEMORY)
        assert made.paths == [] and made.cell() is None
        details = made.details(detect().tier.value)
        assert details["resource_wall"] == "none"
        assert any("not per student" in line for line in details["fallbacks"])
        spawner = worker(tmp_path, DAEMONS, "daemons", made)
        try:
            if detect().tier.value != "minimal":
                assert spawner.plan["limits"]["nproc"] == NPROC_UNWALLED
            reply = spawner.call("daemons", ["x"], [np.float64(2.0)], timeout=2.0)
            assert float(reply.value) == 2.0
            if detect().tier.value != "minimal":  # the laptop tier promises no more
                time.sleep(0.1)
                assert len(running(spawner.submission)) <= 2
        finally:
            spawner.close()
        result = CliRunner().invoke(cli.main, ["doctor"])
        assert "Resource walls: none (switched off with L1LAB_CGROUPS=off)" in result.output
        assert "fallback: memory is limited per process" in result.output
    finally:
        support.cache_clear()


def test_doctor_shows_which_walls_this_machine_gives():
    result = CliRunner().invoke(cli.main, ["doctor"])
    assert result.exit_code == 0, result.output
    found = support()
    if found.hierarchies:
        assert f"Resource walls: {found.name()}" in result.output
        assert "inside its cgroup" in result.output
        for controller in found.controllers:
            assert controller in result.output
    else:
        assert "Resource walls: none" in result.output
    assert "Time limits count" in result.output
