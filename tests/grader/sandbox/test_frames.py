"""Whatever the worker sends back is the learner's answer: anything that cannot be read or
checked fails that call with "returned something the grader cannot read", never the grader.

The learner's code shares the worker process, so it can write any bytes onto the channel.
The decoder is fuzzed here with arbitrary bytes and with forged headers (the end-to-end
forgery, a frame claiming int64 and sending inf, is in tests/adversarial/test_red_team_findings.py).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from unittest import mock

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

import grader.submission as submission_module
from grader.catalog import find
from grader.failures import Abort, LearnerFailure
from grader.locate import Submitted
from grader.sandbox.worker import Malformed, WorkerDied, read_reply

W = np.array([0.0, 2.5, -1.0])


def frame(header: object, payload: bytes = b"", *, nbytes: int | None = None) -> bytes:
    if isinstance(header, dict) and nbytes is None:
        header = {**header, "nbytes": len(payload)}
    raw = json.dumps(header).encode()
    return struct.pack(">I", len(raw)) + raw + payload


class Channel:
    """The bytes one worker sent, read as `Worker` reads its pipe."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def read(self, n: int) -> bytes:
        if self.at + n > len(self.data):
            raise WorkerDied("the process exited with code 0")  # what EOF becomes
        chunk = self.data[self.at:self.at + n]
        self.at += n
        return chunk


def fake_worker(data: bytes):
    class FakeWorker:
        started = True
        usage = (0.0, 0.0)  # (CPU seconds, backstop clock): a worker that used nothing

        def __init__(self, *args, **kwargs) -> None:
            pass

        def last_wait(self) -> float:
            return 0.0

        def hello(self) -> dict:
            return {"ready": True, "missing": []}

        def call(self, func, names, args, *, timeout, backstop=None):
            try:
                return read_reply(Channel(data).read, 1)
            except Malformed:
                raise
            except WorkerDied:
                raise

        def close(self) -> None:
            pass

    return FakeWorker


def answer(data: bytes, function: str) -> None:
    """Call `function` of exercise4 on a worker that sent `data`; every way the outcome is
    used must return a sound value or fail as the learner's failure."""
    exercise = find("exercise4")
    with mock.patch.object(submission_module, "Worker", fake_worker(data)):
        sub = submission_module.Submission(Submitted(Path("/nowhere/exercise4.py"), b"x"),
                                           exercise)
        try:
            out = sub.call(exercise.function(function), W)
        except (LearnerFailure, Abort):
            return
    for use in (lambda: out.array(shape=W.shape), out.number, out.indices):
        try:
            value = use()
        except (LearnerFailure, Abort):
            continue
        assert np.all(np.isfinite(value))
        if isinstance(value, np.ndarray) and value.dtype == np.int64:  # indices: exactly what came
            assert value.ndim == 1 and np.all(np.diff(value) > 0)
            assert np.array_equal(value.astype(np.float64), out.value)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=200))
@example(data=b"")
@example(data=b"\x00\x00\x00\x02{}")
@example(data=b"\xff\xff\xff\xff")
def test_arbitrary_bytes_are_always_the_learners_failure(data):
    answer(data, "selected_features")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
DTYPES = st.sampled_from(["float64", "float32", "int64", "uint64", "bool", "object", "<U3",
                          "complex128", "i4,i4", "(3,)f8", "[", "float64\x00", "datetime64[ns]"])
VALUES = st.lists(st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [2.0**63, -2.0**63, 2.0**64, 1e300, 0.5, -1.0]), max_size=4)


FORGERIES = {  # field: what a forger may put there instead of what the worker sends
    "seq": st.sampled_from([2, None, "1", 1.5]),
    "ok": st.sampled_from([False, 1, None]),
    "type": st.sampled_from(["number", "list", "bool", "\x1b[2J", 7, None]),
    "dtype": DTYPES | st.none(),
    "numeric": st.sampled_from([False, 1]),
    "shape": st.sampled_from([[], [1, 1], None, [-1], "2"]),
    "mutated": st.sampled_from([["w"], "w", [1], None]),
    "aliased": st.sampled_from(["w", 3]),
    "too_large": st.booleans(),
    "error": JSON,
    "length": JSON,
}


@st.composite
def forged_replies(draw) -> bytes:
    """What the worker sends for an array of `values`, with a few fields forged."""
    values = draw(VALUES)
    header = {"seq": 1, "ok": True, "type": "ndarray", "dtype": draw(DTYPES),
              "numeric": True, "shape": [len(values)], "mutated": [], "aliased": None}
    for field in draw(st.lists(st.sampled_from(sorted(FORGERIES)), max_size=2, unique=True)):
        header[field] = draw(FORGERIES[field])
    if header.get("numeric") is True and header.get("shape") != [len(values)]:
        values = values[:1] if header.get("shape") in ([], [1, 1]) and values else values
    return frame(header, np.array(values, dtype=np.float64).tobytes())


@settings(max_examples=300, deadline=None)
@given(data=forged_replies(), function=st.sampled_from(["selected_features", "lasso_fit"]))
@example(data=frame({"seq": 1, "ok": True, "type": "ndarray", "dtype": "int64", "numeric": True,
                     "shape": [2], "mutated": [], "aliased": None},
                    np.array([np.inf, 5.0]).tobytes()), function="selected_features")
@example(data=frame({"seq": 1, "ok": True, "type": "ndarray", "dtype": "int64", "numeric": True,
                     "shape": [1], "mutated": [], "aliased": None},
                    np.array([np.nan]).tobytes()), function="selected_features")
def test_forged_headers_are_always_the_learners_failure(data, function):
    answer(data, function)
