"""Keep the replay book (`grader.replay`) in the user's cache, so the next grading replays it.

A check's inputs depend only on the checks' code, the hypothesis and numpy versions and the
interpreter (`derandomize=True`), never on the submission. So the inputs of a check that
passed once on this machine are the inputs of every later grading with the same code, and a
learner's next `grade` can call their function with them instead of drawing them again. A
replay that fails is thrown away and the exercise is graded again, its failing checks drawn
afresh (`grader.grading`), so no report changes; only the time does.

The file is named after a hash of everything that decides the inputs, so an upgrade or an
edited check simply starts a new file. It is read with an unpickler that builds nothing but
numbers, strings, lists, tuples, dicts and numeric numpy arrays, and only from a file this
user owns and nobody else may write: a stranger's bytes there are ignored, never run.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import pickle
import platform
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import numpy as np

import grader.checks
from grader import paths, replay
from grader.files import replacing
from grader.progress import cache_folder

MAX_BYTES = 32 * 1024 * 1024
"""A larger file is not read (the whole course's book, with its calls, is about 2 MB)."""
_ALLOWED = {("numpy", "dtype"), ("numpy._core.numeric", "_frombuffer"),
            ("numpy.core.numeric", "_frombuffer")}
_DTYPES = {np.dtype(np.float64), np.dtype(np.int64), np.dtype(np.bool_)}
_SCALARS = (bool, int, float, str)


class Memory:
    """What a grading inside `remembered` tells the store: which checks did not pass."""

    def __init__(self, failing: set[str]) -> None:
        self.failing = failing

    def note(self, results: list) -> None:
        """Remember which of the graded checks failed: the next grading draws their inputs
        afresh instead of replaying them (a replay that fails costs a second pass), and
        replays the checks that passed."""
        for result in results:
            for check in result.checks:
                key = f"{result.name}.py::test_{check.name}"
                if check.status == "passed":
                    self.failing.discard(key)
                elif check.status != "skipped":  # a skipped check keeps what it had
                    self.failing.add(key)


@contextlib.contextmanager
def remembered() -> Iterator[Memory]:
    """Replay inside the block what earlier gradings recorded, and keep what this one adds.

    A check that failed last time is not replayed but drawn: a learner working on it would
    pay for a replay that fails and a second pass each time. The exercise's other checks
    are replayed, so grading again draws only what failed (a drawn check's result is kept
    only if every replay of its exercise passed, i.e. made the very calls drawing makes;
    otherwise the exercise is graded again as `grader.grading` describes). Does nothing when replay is already on (a batch's server or
    `grade watch` warmed up)."""
    if replay.enabled():
        yield Memory(set())
        return
    path = book_file()
    book, failing = load(path), _failing(path)
    memory = Memory(set(failing))
    replay.enable({key: calls for key, calls in book.items() if key not in failing})
    try:
        yield memory
    finally:
        grown = {**book, **(replay.disable() or {})}
        if grown.keys() - book.keys() or memory.failing != failing:
            save(path, grown, memory.failing)


@contextlib.contextmanager
def lasting() -> Iterator[None]:
    """Turn replay on for good (a warm-up), from the book earlier gradings here kept, and
    keep what the block adds to it. Every kept check is replayed: the block grades the
    reference, which passes them all."""
    path = book_file()
    book = load(path)
    replay.enable(book)
    yield
    grown = replay.disable() or {}
    replay.enable(grown)
    if grown.keys() - book.keys():
        save(path, grown, _failing(path))


def book_file() -> Path:
    """The cache file for the checks and libraries installed now."""
    return cache_folder() / f"replay-{_fingerprint()}.pickle"


def load(path: Path) -> dict[str, list[dict]]:
    """The book in `path`, or an empty one if it is missing, foreign, too big or not a book."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return {}
    try:
        info = os.fstat(fd)
        if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid()
                or info.st_mode & 0o022 or info.st_size > MAX_BYTES):
            return {}
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError:
        return {}
    finally:
        os.close(fd)
    try:
        book = _Unpickler(io.BytesIO(data)).load()
    except Exception:  # any malformed byte string: the book is simply not there
        return {}
    return book if _is_book(book) else {}


def save(path: Path, book: dict[str, list[dict]], failing: set[str] = frozenset()) -> None:
    """Write `book` to `path` (readable by this user only), and beside it the checks that
    failed last; remove older books. Best effort: a cache that cannot be written only
    costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path, mode=0o600) as temp:
            temp.write_bytes(pickle.dumps(book, protocol=pickle.HIGHEST_PROTOCOL))
        with replacing(_failing_file(path), mode=0o600) as temp:
            temp.write_text(json.dumps(sorted(failing)), encoding="utf-8")
        for old in path.parent.glob("replay-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def _failing_file(path: Path) -> Path:
    return path.with_name("replay-failing.json")


def _failing(path: Path) -> set[str]:
    """The checks that failed when last graded (none if the file is unreadable)."""
    try:
        names = json.loads(_failing_file(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()


def _fingerprint() -> str:
    """A hash of what decides the inputs: the checks (and the solutions they may draw data
    from), the grading profile, how they are recorded, and the versions of hypothesis, numpy
    and Python."""
    digest = hashlib.sha256()
    for part in (hypothesis.__version__, np.__version__, sys.version, platform.machine(),
                 sys.byteorder):
        digest.update(part.encode() + b"\0")
    checks = Path(grader.checks.__file__).parent
    solutions = paths.solutions()
    sources = sorted(checks.glob("*.py")) + [Path(__file__).with_name(name) for name in
                                             ("determinism.py", "checkspec.py", "replay.py")]
    sources += sorted(solutions.glob("*.py")) if solutions else []
    for source in sources:
        data = source.read_bytes()
        digest.update(source.name.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()[:24]


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a replay book")
        return super().find_class(module, name)


def _is_book(book: object) -> bool:
    return (isinstance(book, dict) and all(
        isinstance(key, str) and isinstance(calls, list) and all(
            isinstance(call, dict) and all(isinstance(k, str) and _is_value(v)
                                           for k, v in call.items())
            for call in calls)
        for key, calls in book.items()))


def _is_value(value: object, depth: int = 0) -> bool:
    if isinstance(value, _SCALARS) or value is None:
        return True
    if isinstance(value, np.ndarray):
        return value.dtype in _DTYPES
    if isinstance(value, (list, tuple)) and depth < 4:
        return all(_is_value(item, depth + 1) for item in value)
    return False
