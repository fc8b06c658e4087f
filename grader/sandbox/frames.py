"""The worker's answers as the grader reads them: frames bounded and checked before use.

Pure functions of the bytes read: whatever a learner's code writes on the channel, the
grader gets a checked `Reply` or `Malformed`, never a crash (fuzzed in
tests/grader/sandbox/test_frames.py).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MAX_HEADER_BYTES = 64 * 1024
MAX_DATA_BYTES = 64 * 1024 * 1024


class WorkerTimeout(Exception):
    """The worker did not answer within its limit; it has been killed."""

    def __init__(self, *, waited: bool) -> None:
        super().__init__("stopped by the backstop" if waited else "out of CPU time")
        self.waited = waited
        """True: stopped by the wall-clock backstop (it slept or blocked), not its CPU limit."""


class WorkerDied(Exception):
    """The worker exited, crashed or broke the protocol; it has been killed."""

    def __init__(self, how: str) -> None:
        super().__init__(how)
        self.how = how


class Malformed(WorkerDied):
    """The worker sent bytes that are not a well-formed answer (a forgery, garbage)."""

    def __init__(self, how: str = "the worker sent a malformed message") -> None:
        super().__init__(how)


@dataclass(frozen=True)
class Reply:
    """One answer from the worker: its JSON header and, for numbers, a float64 array."""

    header: dict
    value: np.ndarray | None


def read_frame(read: Callable[[int], bytes], max_data: int = MAX_DATA_BYTES) -> Reply:
    """One frame, read with `read(n)` (exactly n bytes), with its size, header and data
    (at most `max_data` bytes) bounded and checked before use; `Malformed` for anything
    else, whatever the bytes."""
    (size,) = struct.unpack(">I", read(4))
    if size > MAX_HEADER_BYTES:
        raise Malformed
    try:
        header = json.loads(read(size))
        nbytes = header["nbytes"]
        if type(nbytes) is not int or not 0 <= nbytes <= max_data or nbytes % 8:
            raise ValueError
        shape = None
        if header.get("numeric") is True:
            shape = tuple(header["shape"])
            if not all(type(n) is int and 0 <= n <= MAX_DATA_BYTES for n in shape) \
                    or len(shape) > 32 or 8 * _product(shape) != nbytes:
                raise ValueError
    except (WorkerTimeout, WorkerDied):
        raise
    except Exception:  # any bytes at all: a RecursionError from [[[[..., a huge int...
        raise Malformed from None
    data = read(nbytes)
    value = None if shape is None else np.frombuffer(data, dtype=np.float64).reshape(shape)
    return Reply(header, value)


def read_reply(read: Callable[[int], bytes], seq: int, max_data: int = MAX_DATA_BYTES) -> Reply:
    """The answer to call number `seq`, read with `read(n)`, with only checked fields."""
    reply = read_frame(read, max_data)
    header = _valid_reply(reply.header, seq)
    if header is None:
        raise Malformed
    return Reply(header, reply.value)


def _product(shape: tuple[int, ...]) -> int:
    result = 1
    for n in shape:
        result *= n
    return result


MAX_TEXT = 300


def _text(value: object, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if type(value) is not str:
        raise ValueError
    return value[:MAX_TEXT]


def _error(value: object) -> dict:
    if type(value) is not dict:
        raise ValueError
    where = value.get("where")
    if where is not None:
        if type(where) is not dict or type(where.get("line")) is not int:
            raise ValueError
        where = {"line": where["line"], "code": _text(where.get("code"), optional=True)}
    if type(value.get("not_implemented", False)) is not bool:
        raise ValueError
    return {"type": _text(value.get("type")), "message": _text(value.get("message", "")),
            "where": where, "not_implemented": value.get("not_implemented", False)}


def _valid_hello(header: object) -> dict | None:
    """The worker's first message with only checked fields, or None if anything is off."""
    try:
        if type(header) is not dict or header.get("seq") != 0 or type(header.get("ready")) is not bool:
            raise ValueError
        if "confinement" in header:
            return {"ready": False, "confinement": _text(header["confinement"])}
        if not header["ready"]:
            return {"ready": False, "error": _error(header.get("error"))}
        missing = header.get("missing")
        if type(missing) is not list:
            raise ValueError
        return {"ready": True, "missing": [_text(name) for name in missing]}
    except (ValueError, KeyError, TypeError):
        return None


def _valid_reply(header: object, seq: int) -> dict | None:
    """A call's answer with only checked fields, or None if anything is off (or out of turn)."""
    try:
        if type(header) is not dict or header.get("seq") != seq or type(header.get("ok")) is not bool:
            raise ValueError
        if not header["ok"]:
            return {"ok": False, "error": _error(header.get("error"))}
        shape = header.get("shape")
        if shape is not None and (type(shape) is not list or
                                  not all(type(n) is int and n >= 0 for n in shape)):
            raise ValueError
        mutated, aliased = header.get("mutated", []), header.get("aliased")
        if type(mutated) is not list:
            raise ValueError
        return {"ok": True, "done": header.get("done") is True,
                "type": _text(header.get("type")), "shape": shape,
                "dtype": _text(header.get("dtype"), optional=True),
                "numeric": header.get("numeric") is True,
                "too_large": header.get("too_large") is True,
                "mutated": [_text(name) for name in mutated],
                "aliased": _text(aliased, optional=True)}
    except (ValueError, KeyError, TypeError):
        return None
