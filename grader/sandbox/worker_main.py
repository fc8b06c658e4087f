"""The worker: the only process that imports and runs a learner's code.

Started by `grader.sandbox.worker` as
``python -I -B worker_main.py SUBMISSION REQ_FD RESP_FD FUNCTIONS PLAN SOURCE_FD``. It reads
the learner's file from SOURCE_FD (the grader read it, safely, and never by a path the
learner chose; SUBMISSION is only its name for tracebacks), confines itself as PLAN says (`_confine`, loaded by path), and only then
imports numpy and runs the learner's code. It deliberately imports nothing from the grader
(so no hidden check or reference code is loaded here) and speaks a tiny framed protocol
over two pipes:

    frame = 4-byte big-endian header length, JSON header, then `nbytes` of raw float64 data

Requests:  {"op": "call", "seq": N, "func": NAME, "args": [ARG, ...]} with ARG either
           {"kind": "float", "value": X} or {"kind": "array", "shape": [...]} (data follows);
           or {"op": "calls", "seq": N, "calls": [CALL, ...], "budget": S, "wait": S}: several
           calls, in order, each CALL as above plus its own "nbytes" (their data follows, in
           order). The worker stops after a call that raised, once the calls have used
           `budget` seconds of its CPU, `wait` seconds of the clock or "bytes" of answers, or
           while a process a call started is still there (hints only: the grader enforces
           the limits), and answers each call it made with its own response.
Responses: {"seq": N, "ok": true, "type": ..., "shape": [...] | null, "nbytes": N, "mutated": [...],
           "aliased": NAME | null} with the result as float64 data when it converts,
           or {"ok": false, "error": {...}} when the learner's code raised. The answer to the
           i-th of several calls has seq N + i and "done": true if the worker stopped there.

Only plain numbers cross back, converted to float64 here, so no object the learner returns
can reach the grader's process.
"""

from __future__ import annotations

import importlib.util
import json
import linecache
import os
import struct
import sys
import time
import traceback
import types

np = None  # numpy, imported only once the worker is confined

MAX_RESULT_BYTES = 64 * 1024 * 1024
MAX_TEXT = 300


def read_exact(fd: int, n: int) -> bytes:
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def write_frame(fd: int, header: dict, payload: bytes = b"") -> None:
    header["nbytes"] = len(payload)
    raw = json.dumps(header).encode()
    data = struct.pack(">I", len(raw)) + raw + payload
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def read_frame(fd: int) -> tuple[dict, bytes]:
    (size,) = struct.unpack(">I", read_exact(fd, 4))
    header = json.loads(read_exact(fd, size))
    return header, read_exact(fd, header.get("nbytes", 0))


def clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def describe_error(exc: BaseException, submission: str) -> dict:
    """The learner's exception and the deepest line of *their* file it passed through."""
    where = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if os.path.abspath(frame.filename) == submission:
            where = {"line": frame.lineno, "code": clip((frame.line or "").strip())}
    if isinstance(exc, SyntaxError) and exc.lineno and where is None:
        where = {"line": exc.lineno, "code": clip((exc.text or "").strip())}
    message = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
    return {
        "type": type(exc).__name__,
        "message": clip(message),
        "where": where,
        "not_implemented": isinstance(exc, NotImplementedError),
    }


def load_submission(path: str, source: bytes, functions: list[str]) -> tuple[object | None, dict]:
    """Run the learner's file (read before confinement) as a module named `submission`."""
    module = types.ModuleType("submission")
    module.__file__ = path
    sys.modules["submission"] = module  # as an import would: dataclasses and pickle look here
    text = source.decode("utf-8", errors="replace")
    linecache.cache[path] = (len(text), None, text.splitlines(True), path)
    try:
        exec(compile(source, path, "exec", dont_inherit=True), module.__dict__)
    except BaseException as exc:  # a broken file is the learner's to fix, never ours
        return None, {"ready": False, "error": describe_error(exc, path)}
    missing = [name for name in functions if not callable(getattr(module, name, None))]
    return module, {"ready": True, "missing": missing}


def convert(result: object) -> tuple[dict, bytes]:
    """Describe what came back and, where it is numeric, its float64 bytes."""
    header: dict = {"type": type(result).__name__, "shape": None, "dtype": None}
    if isinstance(result, bool) or isinstance(result, np.bool_):
        header["type"] = "bool"
        return header, b""
    if isinstance(result, np.ndarray):
        header["type"] = "ndarray"
        header["dtype"] = str(result.dtype)
        if result.dtype.kind not in "biuf" or result.nbytes > MAX_RESULT_BYTES:
            header["shape"] = list(result.shape)
            header["too_large"] = result.nbytes > MAX_RESULT_BYTES
            return header, b""
        array = np.array(result, dtype=np.float64, copy=True, subok=False)
    elif isinstance(result, (int, float, np.integer, np.floating)):
        header["type"] = "number"
        if isinstance(result, np.generic):
            header["dtype"] = str(result.dtype)
        array = np.array(float(result), dtype=np.float64)
    else:
        if not isinstance(result, (list, tuple)):
            return header, b""
        header["length"] = len(result)
        # A list of numbers is the wrong type but may hold the right values: the form check
        # says so, and the other checks still grade the values.
        array = _numbers(result)
        if array is None:
            return header, b""
    header["shape"] = list(array.shape)
    header["numeric"] = True
    return header, np.ascontiguousarray(array).tobytes()


def _numbers(items: list | tuple) -> object:
    """`items` as a float64 array when it is a (nested) sequence of plain numbers, else None."""
    import numpy as np

    if len(items) > MAX_RESULT_BYTES // 8:
        return None
    try:
        array = np.array(items, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None
    if array.dtype != np.float64 or array.nbytes > MAX_RESULT_BYTES:
        return None
    return array


def call(module: object, request: dict, payload: bytes, submission: str) -> tuple[dict, bytes]:
    args, arrays, offset = [], {}, 0
    for index, spec in enumerate(request["args"]):
        if spec["kind"] == "float":
            args.append(float(spec["value"]))
            continue
        count = int(np.prod(spec["shape"], dtype=np.int64))
        array = np.frombuffer(payload, np.float64, count, offset).reshape(spec["shape"]).copy()
        offset += 8 * count
        arrays[index] = (array, array.copy())
        args.append(array)
    try:
        result = getattr(module, request["func"])(*args)
        header, data = convert(result)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt are learner errors too
        return {"ok": False, "error": describe_error(exc, submission)}, b""
    names = request.get("names", [])
    header["ok"] = True
    header["mutated"] = [
        names[i] for i, (now, before) in arrays.items()
        if now.shape != before.shape or now.tobytes() != before.tobytes()
    ]
    header["aliased"] = next((names[i] for i, (a, _) in arrays.items() if result is a), None)
    return header, data


GRADER_PACKAGES = ("grader", "solutions")
"""The grader's own packages: the hidden checks and reference solutions are in them."""


class GraderHidden:
    """First on sys.meta_path: refuses to import the grader's own packages, wherever and
    however they are installed (editable or not). Learner code has no use for them.

    In the full tier they are also hidden by mounts, in the reduced one unreadable (Landlock,
    file modes); in the minimal tier, on the learner's own laptop, this is all there is."""

    @staticmethod
    def find_spec(name: str, path=None, target=None):
        if name.partition(".")[0] in GRADER_PACKAGES:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def forget_the_grader() -> None:
    """Take the grader out of the import system before the learner's code runs."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != root]
    sys.meta_path.insert(0, GraderHidden)
    for name in [n for n in sys.modules if n.partition(".")[0] in GRADER_PACKAGES]:
        del sys.modules[name]


def confine(plan: dict) -> None:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_confine.py")
    spec = importlib.util.spec_from_file_location("_confine", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.enter(plan)


def main() -> None:
    submission, req_fd, resp_fd = os.path.abspath(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    run(submission, req_fd, resp_fd, json.loads(sys.argv[4]), json.loads(sys.argv[5]),
        int(sys.argv[6]))


def run(submission: str, req_fd: int, resp_fd: int, functions: list[str], plan: dict,
        source_fd: int) -> None:
    """Read the learner's file, confine, load it and answer calls until the grader hangs up.
    Also what a fork of the warm template (`template_main`) runs, numpy already imported."""
    global np
    sys.dont_write_bytecode = True  # never leave __pycache__ in the learner's folder
    try:
        with open(source_fd, "rb") as file:  # before confinement, then closed
            source = file.read()
        confine(plan)
        import numpy
        forget_the_grader()
    except Exception as exc:  # noqa: BLE001 - no learner code has run: the grader's problem
        write_frame(resp_fd, {"seq": 0, "ready": False, "confinement": clip(f"{exc}")})
        return
    np = numpy
    module, hello = load_submission(submission, source, functions)
    hello["seq"] = 0
    write_frame(resp_fd, hello)
    while module is not None:
        try:
            request, payload = read_frame(req_fd)
        except EOFError:
            return
        batch = "calls" in request
        calls, view = (request["calls"] if batch else [request]), memoryview(payload)
        began, sent = (_CPU(), _CLOCK()) if batch else None, 0
        # Each call is made from this frame, as deep in the stack as a single one.
        for index, one in enumerate(calls):
            size = one["nbytes"] if batch else len(view)
            header, data = call(module, one, view[:size], submission)
            view = view[size:]
            header["seq"] = request.get("seq", 0) + index
            if batch:
                sent += len(data)
                header["done"] = _batch_ends(header, index == len(calls) - 1, began, sent, request)
            write_frame(resp_fd, header, data)
            if header.get("done"):
                break


_CPU, _CLOCK = time.process_time, time.monotonic
"""The clocks a batch reads, taken before any learner code runs (which may replace time's)."""


def _batch_ends(header: dict, last: bool, began: tuple[float, float], sent: int,
                request: dict) -> bool:
    """Whether a batch stops after this answer: after the last call, a call that raised, or
    once the batch used its budget of CPU time, of the clock or of answer bytes; or while a
    process a call started is still there, so that the grader ends it now, as it would after
    a single call. (Hints only: the grader holds the batch to its limits.)"""
    return (last or not header["ok"] or _CPU() - began[0] > request["budget"]
            or _CLOCK() - began[1] > request["wait"] or sent >= request["bytes"]
            or _has_children())


def _has_children() -> bool:
    """Whether a process this one started still runs (one that ended, not yet waited for,
    does not count: the grader leaves those too). True when it cannot tell."""
    waitid = getattr(os, "waitid", None)
    try:
        if waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
            return True  # children, none of them ended
    except ChildProcessError:
        return False
    except (OSError, TypeError):
        return True
    try:  # one has ended: are the others running?
        for thread in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{thread}/children", "rb") as handle:
                for pid in handle.read().split():
                    with open(f"/proc/{int(pid)}/stat", "rb") as stat:
                        if stat.read().rsplit(b")", 1)[1].split()[0] not in (b"Z", b"X"):
                            return True
    except (OSError, ValueError, IndexError):
        return True
    return False

if __name__ == "__main__":
    main()
