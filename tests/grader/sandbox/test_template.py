"""The warm template (`grader.sandbox.template`): a worker forked from it starts as a fresh
worker would, keeps nothing of the template's but numpy, and never outlives its grader or
its template."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import socket
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.sandbox import isolation, template
from grader.sandbox.isolation import Tier
from grader.sandbox.template import Spawned
from grader.sandbox.worker import Worker, WorkerDied
from grader.sandbox.worker_start import warm_template

TIERS = [t for t in Tier if t.rank <= isolation.detect().tier.rank and t is not Tier.REDUCED]

PROBE = '''
import hashlib, json, os, resource, signal, sys
import numpy as np

def _facets():
    try:
        import grader
        hidden = "grader importable"
    except ModuleNotFoundError:
        hidden = "grader hidden"
    limits = {name: resource.getrlimit(getattr(resource, name))
              for name in sorted(dir(resource)) if name.startswith("RLIMIT_")}
    return {
        "argv": [os.path.basename(sys.argv[0]), sys.argv[1], sys.argv[4], len(sys.argv)],
        "env": sorted(os.environ.items()),
        "umask": _umask(),
        "cwd": os.getcwd(),
        "limits": limits,
        "stack": resource.getrlimit(resource.RLIMIT_STACK),
        "depth": _depth(),
        "orig_argv": [os.path.basename(a) for a in sys.orig_argv[:4]],
        "path": sys.path,
        "flags": [sys.flags.isolated, sys.flags.no_user_site, sys.dont_write_bytecode],
        "hidden": hidden,
        "threads": len(os.listdir("/proc/self/task")),
        "signals": [str(signal.getsignal(s)) for s in
                    (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGCHLD)],
        "modules": sorted(m for m in sys.modules if m.startswith(("grader", "solutions"))),
        "uid": os.getuid() >= 2_000_000_000 or os.getuid(),
        "cpus": sorted(os.sched_getaffinity(0)),
    }

def _depth():
    reached = 0
    def down():
        nonlocal reached
        reached += 1
        down()
    try:
        down()
    except RecursionError:
        pass
    return reached

def _umask():
    current = os.umask(0o077)
    os.umask(current)
    return current

def facet(i):
    name = sorted(_facets())[int(i)]
    raise ValueError(name + " " + hashlib.sha256(json.dumps(_facets()[name]).encode()).hexdigest()
                     + " " + json.dumps(_facets()[name])[:150])

def count(x):
    return float(len(_facets()))

def descriptors(x):
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink("/proc/self/fd/" + name)
        except OSError:
            continue
        kept = not target.startswith(("socket:", "anon_inode:"))
        found.append(float(name) if kept else -1.0)
    return np.array(sorted(found))

def draw(x):
    return np.random.rand(3)

def title(x):
    with open("/proc/self/cmdline", "rb") as handle:
        return float(sys.argv[1].encode("utf-8", "surrogateescape") in handle.read())
'''
FUNCTIONS = ["facet", "count", "descriptors", "draw", "title"]


def start(folder: Path, tier: Tier, name: str = "probe.py", source: str = PROBE) -> Worker:
    path = folder / name
    worker = Worker(path, FUNCTIONS, source=source.encode(), start_timeout=10.0, tier=tier)
    assert worker.hello()["ready"], worker.hello()
    return worker


def facets(worker: Worker) -> dict[str, str]:
    found = {}
    for i in range(int(worker.call("count", ["x"], [0.0], timeout=5.0).value)):
        message = worker.call("facet", ["i"], [float(i)], timeout=5.0).header["error"]["message"]
        name, digest, shown = message.split(" ", 2)
        found[name] = (digest, shown)
    return found


@pytest.fixture
def no_template(monkeypatch):
    monkeypatch.setattr(template, "usable", lambda: False)
    monkeypatch.setattr(template, "_template", None)


@pytest.mark.parametrize("tier", TIERS, ids=lambda t: t.value)
def test_a_fork_of_the_template_starts_as_a_fresh_worker_would(tmp_path, tier, monkeypatch):
    # A template of this test's own, started now and before the changes below: one an earlier
    # test left may have been started under other signal dispositions (a full suite's first
    # run once had one whose workers ignored SIGINT), which this test is not about.
    monkeypatch.setattr(template, "_template", None)
    warm_template()
    mine = template.started()
    try:
        _compare_with_a_fresh_worker(tmp_path, tier, monkeypatch)
    finally:
        if mine is not None:
            mine.close()


def _compare_with_a_fresh_worker(tmp_path, tier, monkeypatch):
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    lowered = 4 << 20 if hard == resource.RLIM_INFINITY else min(4 << 20, hard)
    resource.setrlimit(resource.RLIMIT_STACK, (lowered, hard))  # a limit the grader lowered
    umask = os.umask(0o027)  # and a umask it set, both after the template started
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})  # and the CPUs it was placed on
    try:
        forked = start(tmp_path, tier)
        assert isinstance(forked.process, Spawned)
        seen_forked = facets(forked)
        forked.close()
        with monkeypatch.context() as patch:
            patch.setattr(template, "usable", lambda: False)
            patch.setattr(template, "_template", None)
            fresh = start(tmp_path, tier)
            assert not isinstance(fresh.process, Spawned)
            seen_fresh = facets(fresh)
            fresh.close()
    finally:
        resource.setrlimit(resource.RLIMIT_STACK, (soft, hard))
        os.umask(umask)
        os.sched_setaffinity(0, cpus)
    assert set(seen_forked) == set(seen_fresh)
    for name in seen_fresh:
        assert seen_forked[name] == seen_fresh[name], name
    assert seen_forked["stack"][1] == json.dumps([lowered, hard])
    assert seen_forked["umask"][1] == str(0o027)
    assert seen_forked["cpus"][1] == json.dumps([min(cpus)])


@pytest.mark.parametrize("tier", TIERS, ids=lambda t: t.value)
def test_a_fork_holds_its_channel_and_nothing_of_the_template(tmp_path, tier):
    worker = start(tmp_path, tier)
    try:
        assert isinstance(worker.process, Spawned)
        kept = list(worker.call("descriptors", ["x"], [0.0], timeout=5.0).value)
        assert -1.0 not in kept, "a socket or other anonymous descriptor reached the learner"
        assert {0.0, 1.0, 2.0, 3.0, 4.0} <= set(kept) and max(kept) <= 5.0, kept
        assert worker.call("title", ["x"], [0.0], timeout=5.0).value == 1.0
    finally:
        worker.close()


def test_the_template_is_one_thread_and_keeps_no_worker_data(tmp_path):
    worker = start(tmp_path, TIERS[-1])
    worker.close()
    pid = template.started().process.pid
    assert os.listdir(f"/proc/{pid}/task") == [str(pid)]
    end = time.monotonic() + 20  # it reaps a released worker when it next looks
    while (kinds := descriptors_of(pid)) != ["/dev/null"] * 3 + ["anon_inode", "socket"] \
            and time.monotonic() < end:
        time.sleep(0.01)
    assert kinds == ["/dev/null"] * 3 + ["anon_inode", "socket"]  # its epoll and control socket
    with open(f"/proc/{pid}/limits") as handle:  # room for two descriptors per live worker
        files = next(line for line in handle if line.startswith("Max open files")).split()
    assert files[3] == files[4] == str(resource.getrlimit(resource.RLIMIT_NOFILE)[1])


def descriptors_of(pid: int) -> list[str]:
    kinds = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            kinds.append(os.readlink(f"/proc/{pid}/fd/{fd}").split(":")[0])
        except OSError:
            continue
    return sorted(kinds)


def test_two_forks_draw_different_random_numbers(tmp_path):
    first, second = start(tmp_path, TIERS[-1]), start(tmp_path, TIERS[-1])
    try:
        assert isinstance(first.process, Spawned) and isinstance(second.process, Spawned)
        draws = [w.call("draw", ["x"], [0.0], timeout=5.0).value for w in (first, second)]
        assert not np.array_equal(*draws)
    finally:
        first.close()
        second.close()


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def gone_within(pid: int, seconds: float = 20.0) -> bool:
    """True once `pid` has ended (a liveness bound, far above the milliseconds it takes)."""
    end = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < end:
        time.sleep(0.01)
    return not alive(pid)


SLEEPER = "import time\ntime.sleep(600)\n"


def test_a_worker_whose_grader_dies_is_killed(tmp_path):
    warm_template()  # inherited by the fork below
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # a grader that starts a worker, then dies without a word
        try:
            worker = Worker(tmp_path / "sleeper.py", ["f"], source=SLEEPER.encode(),
                            start_timeout=60.0)
            os.write(write, str(worker.process.pid).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        pid = int(pipe.read())
    os.waitpid(child, 0)
    assert gone_within(pid)


def test_workers_end_with_their_template_and_the_next_one_starts(tmp_path):
    worker = Worker(tmp_path / "sleeper.py", ["f"], source=SLEEPER.encode(), start_timeout=60.0)
    pid = worker.process.pid
    old = template.started()
    os.kill(old.process.pid, signal.SIGKILL)
    assert gone_within(pid)
    with pytest.raises(WorkerDied):
        worker.hello()
    worker.close()
    after = start(tmp_path, TIERS[-1])  # afresh at once, and from a new template after
    assert after.call("count", ["x"], [0.0], timeout=5.0).value > 0
    after.close()
    again = start(tmp_path, TIERS[-1])
    assert isinstance(again.process, Spawned) and template.started() is not old
    again.close()


def test_without_a_template_workers_start_afresh(tmp_path, no_template):
    worker = start(tmp_path, TIERS[-1])
    assert not isinstance(worker.process, Spawned)
    assert worker.call("title", ["x"], [0.0], timeout=5.0).value == 1.0
    worker.close()


NAMES = st.text(st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)),
                min_size=1, max_size=60).map(lambda s: s + ".py")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES, raw=st.binary(min_size=0, max_size=3).filter(lambda b: b"/" not in b and b"\0" not in b))
def test_any_file_name_reaches_the_fork_intact(tmp_path, name, raw):
    name = os.fsdecode(os.fsencode(name) + raw) if raw else name  # bytes that are not UTF-8
    if name in (".", "..") or len(os.fsencode(name)) > 255:
        return
    worker = start(tmp_path, TIERS[-1], name=name)
    try:
        assert isinstance(worker.process, Spawned)
        assert worker.call("title", ["x"], [0.0], timeout=5.0).value == 1.0
        message = worker.call("facet", ["i"], [0.0], timeout=5.0).header["error"]["message"]
        argv = ["worker_main.py", str(tmp_path / name), json.dumps(FUNCTIONS), 7]
        assert message.split(" ")[:2] == ["argv", hashlib.sha256(json.dumps(argv).encode()).hexdigest()]
    finally:
        worker.close()


def test_a_closed_grader_end_ends_the_worker(tmp_path):
    worker = Worker(tmp_path / "sleeper.py", ["f"], source=SLEEPER.encode(), start_timeout=60.0)
    pid = worker.process.pid
    assert isinstance(worker.process, Spawned)
    worker.process.release()  # as if the grader closed its end without a word
    assert gone_within(pid)
    worker.close()


def test_a_forged_control_message_is_ignored(tmp_path):
    warm_template()
    found = template.started()
    socket.send_fds(found.control, [b"spawn"], [0])  # wrong count of descriptors
    found.control.send(b"nonsense")
    worker = start(tmp_path, TIERS[-1])
    assert worker.call("count", ["x"], [0.0], timeout=5.0).value > 0
    worker.close()


def test_a_stuck_template_is_given_up_on_and_replaced(tmp_path, monkeypatch):
    warm_template()
    stuck = template.started()
    os.kill(stuck.process.pid, signal.SIGSTOP)
    try:
        monkeypatch.setattr(template, "FORK_WAIT", 0.5)
        worker = Worker(tmp_path / "probe.py", FUNCTIONS, source=PROBE.encode(), start_timeout=10.0)
        assert worker.hello() == {"ready": False, "confinement": "the worker template ended"}
        worker.close()
        assert stuck.broken
        after = start(tmp_path, TIERS[-1])
        assert after.call("count", ["x"], [0.0], timeout=5.0).value > 0
        after.close()
        assert template.started() is not stuck
        assert stuck.process.poll() == -signal.SIGKILL  # ended by the process that started it
    finally:
        if stuck.process.poll() is None:
            stuck.process.kill()


def test_a_fork_that_fails_fails_that_worker_only(monkeypatch):
    """No process to spare (EAGAIN): the template answers that request with the reason and
    goes on serving; the grader's worker says so, and the template is not given up on."""
    from grader.sandbox import template_main

    control, grader_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pipes = [os.pipe() for _ in range(3)]
    socket.send_fds(grader_end, [b"spawn"], [pipes[0][0], pipes[1][1], pipes[2][0], theirs.fileno()])
    theirs.close()

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(template_main.os, "fork", no_fork)
    import selectors
    with selectors.DefaultSelector() as selector:
        assert template_main._spawn(control, selector, {}, worker=None) is True
    found = template.Template.__new__(template.Template)
    found.broken = False
    spawned = Spawned(mine, found)
    assert spawned.pid is None
    assert spawned.failure == "Resource temporarily unavailable"
    assert not found.broken
    for read, write in pipes:  # the template closed the copies it was sent
        os.close(read)
        os.close(write)
    control.close()
    grader_end.close()
