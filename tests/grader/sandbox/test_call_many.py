"""Several calls in one exchange (`Worker.call_many`): the same answers as one by one, no
call after one that raised, a batch that stops at its CPU budget, and limits for the whole.

Every time here is the worker's CPU time, so no result depends on the machine's load."""

from __future__ import annotations

import numpy as np
import pytest

from grader.sandbox.worker import Worker, WorkerDied, WorkerTimeout

COUNTER = """
import json
import os
import struct
import sys
import time

import numpy as np

calls = 0


def f(w, lam):
    global calls
    calls += 1
    if lam < 0:
        raise ValueError("lam must not be negative")
    return lam * np.sign(w) + calls


def count():
    return float(calls)


def burn(seconds):
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass
    return seconds


def spawn(seconds):
    if os.fork() == 0:
        time.sleep(seconds)
        os._exit(0)
    return seconds


def big(megabytes):
    return np.zeros(int(megabytes * 2 ** 20) // 8)


def no_clock():
    time.process_time = time.monotonic = None
    return 0.0


def flood(count):
    # Forged answers of 2 MiB each, with the sequence numbers the grader waits for.
    request = sys._getframe(2).f_locals["request"]
    for index in range(int(count)):
        header = json.dumps({"seq": request["seq"] + index, "ok": True, "done": False,
                             "type": "ndarray", "shape": [2 ** 18], "numeric": True,
                             "nbytes": 2 ** 21}).encode()
        os.write(4, struct.pack(">I", len(header)) + header + bytes(2 ** 21))
    return 0.0
"""
NAMES = ["f", "count", "burn", "spawn", "big", "no_clock", "flood"]


@pytest.fixture
def worker(tmp_path):
    path = tmp_path / "counter.py"
    started = Worker(path, NAMES, source=COUNTER.encode(), start_timeout=10.0)
    yield started
    started.close()


def many(worker, calls, *, timeout=5.0, budget=5.0):
    return worker.call_many(calls, timeout=timeout, backstop=10 * timeout, budget=budget)


def test_the_answers_are_those_of_the_calls_made_one_by_one(tmp_path, worker):
    w = np.array([1.0, -2.0, -0.0, 3.5])
    calls = [("f", ["w", "lam"], [w * k, float(k)]) for k in range(1, 6)]
    batched = many(worker, calls)
    alone = Worker(tmp_path / "counter.py", NAMES, source=COUNTER.encode(), start_timeout=10.0)
    try:
        single = [alone.call(f, names, args, timeout=5.0) for f, names, args in calls]
    finally:
        alone.close()
    assert len(batched) == len(single) == 5
    for one, other in zip(batched, single):
        assert one.value.tobytes() == other.value.tobytes()
        assert {k: v for k, v in one.header.items() if k != "done"} == \
            {k: v for k, v in other.header.items() if k != "done"}
    assert [r.header["done"] for r in batched] == [False] * 4 + [True]
    assert worker.call("count", [], [], timeout=5.0).value == 5.0  # and the worker goes on


def test_no_call_runs_after_one_that_raised(worker):
    w = np.ones(3)
    answers = many(worker, [("f", ["w", "lam"], [w, 1.0]), ("f", ["w", "lam"], [w, -1.0]),
                            ("f", ["w", "lam"], [w, 2.0])])
    assert [a.header["ok"] for a in answers] == [True, False]
    assert answers[1].header["error"]["message"] == "lam must not be negative"
    assert worker.call("count", [], [], timeout=5.0).value == 2.0


def test_a_batch_stops_once_its_calls_have_used_their_cpu_budget(worker):
    answers = many(worker, [("burn", ["seconds"], [0.05])] * 6, budget=0.04)
    assert len(answers) == 1 and answers[0].header["done"]
    rest = many(worker, [("burn", ["seconds"], [0.02])] * 6, budget=0.03)
    assert len(rest) == 2  # 0.02 s of CPU each: past 0.03 s after the second


def test_the_limit_holds_for_the_whole_batch(worker):
    """Each call alone is within 0.2 s; all of them together are not: the batch is stopped
    (and the caller cannot tell which call broke the limit, so it grades without batches)."""
    with pytest.raises(WorkerTimeout):
        many(worker, [("burn", ["seconds"], [0.05])] * 8, timeout=0.2)


def test_a_batch_stops_while_a_process_a_call_started_runs(worker):
    """After a single call the grader ends what it started; a batch stops there, so the
    next call meets what it would meet after a single call."""
    answers = many(worker, [("spawn", ["seconds"], [30.0])] + [("f", ["w", "lam"], [np.ones(1), 1.0])] * 3)
    assert len(answers) == 1 and answers[0].header["done"]
    assert worker.meter.cell is None or worker.meter.cell.tasks() in (None, 1, 2)
    assert len(many(worker, [("f", ["w", "lam"], [np.ones(1), 1.0])] * 3)) == 3


def test_a_batch_stops_after_a_megabyte_of_answers_and_cannot_be_flooded(worker):
    assert len(many(worker, [("big", ["megabytes"], [0.4])] * 6)) == 3  # 1.2 MiB after three
    with pytest.raises(WorkerDied):  # 40 forged answers of 2 MiB: past what a batch may hold
        many(worker, [("flood", ["count"], [40.0])] + [("count", [], [])] * 39)


def test_code_that_replaces_the_clocks_breaks_neither_single_calls_nor_batches(worker):
    assert worker.call("no_clock", [], [], timeout=5.0).header["ok"]
    assert len(many(worker, [("f", ["w", "lam"], [np.ones(2), 1.0])] * 3)) == 3
    assert worker.call("count", [], [], timeout=5.0).header["ok"]
