"""Replay the inputs hypothesis drew for a check, instead of drawing them again.

With `derandomize=True` and no `assume`, `target` or interactive draws in the checks,
hypothesis draws the same inputs, in the same order, for every submission until one fails:
what it draws next never depends on what the learner's code returned. So once a check has
passed for one submission (the reference, when a batch starts), the inputs it was called
with are known, and the next submission can simply be called with them, which skips most of
hypothesis's cost. If every replayed input passes, hypothesis would have passed too. If one
fails, the exercise is graded again in a new worker (`grader.grading`): the checks that
passed their replay replay again, and hypothesis runs as usual for the others, so the
learner sees the same smallest counterexample, found the same way, as when grading alone.

The book also keeps the calls of the learner's functions each check made with those inputs
(`plan`), so that a replay sends them to the worker in batches instead of one exchange per
call; `grader.submission.Submission.planned` makes sure the worker runs no call the check
does not make, in the order it makes them, or the replay counts as failed.

`grade batch` and `grade watch` turn this on (`enable`) after grading the reference once; a
single `grade` run replays what earlier runs on this machine kept (`grader.replay_store`).
"""

from __future__ import annotations

import contextlib
import copy
import functools
from collections import Counter
from collections.abc import Callable, Iterator

_book: dict[str, list[dict]] | None = None
counts: Counter = Counter()
"""How many replays passed ("passed"), failed ("fell back") or stopped ("gave up")."""


def enable(book: dict[str, list[dict]] | None = None) -> None:
    """Start keeping the inputs of every check that passes, for later submissions.

    `book` is what an earlier `disable()` returned, to replay it again."""
    global _book
    _book = dict(book or {}) if _book is None else {**(book or {}), **_book}


def disable() -> dict[str, list[dict]] | None:
    """Stop replaying and recording; return what was recorded, by check."""
    global _book
    book, _book = _book, None
    return book


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Neither replay nor record inside the block."""
    global _book
    book, _book = _book, None
    try:
        yield
    finally:
        _book = book


def enabled() -> bool:
    return _book is not None


def recorded(key: str) -> list[dict] | None:
    """The inputs of `key`'s last complete, passing hypothesis run, in call order."""
    return None if _book is None else _book.get(key)


def recorder(test: Callable, fixtures: set[str]) -> tuple[Callable, list[dict]]:
    """Wrap hypothesis's inner test so that it notes the drawn inputs of every call.

    The wrapper carries the test's name, source and signature (`functools.wraps`): with
    `derandomize=True` hypothesis seeds its draws from those, so the wrapped test draws
    exactly what the test draws unwrapped, in a grading that does not record."""
    calls: list[dict] = []

    @functools.wraps(test)
    def recording(*args, **kwargs):
        calls.append(copy.deepcopy({k: v for k, v in kwargs.items() if k not in fixtures}))
        return test(*args, **kwargs)

    return recording, calls


PLAN = " (calls)"
"""The book keeps, beside each check's inputs (under its key), the calls of the learner's
functions those inputs led to (under its key and this), so that a replay can send them to
the worker in batches (`grader.submission.Submission.planned`)."""


def plan(key: str) -> list[dict] | None:
    """The learner calls `key`'s recorded inputs led to, in order, if they are known."""
    return None if _book is None else _book.get(key + PLAN)


def keep_plan(key: str, calls: list[dict]) -> None:
    """Keep `calls` as the learner calls of `key`'s inputs, unless replay is off or they are
    known already."""
    if _book is not None and key + PLAN not in _book and key in _book:
        _book[key + PLAN] = calls


def keep(key: str, calls: list[dict]) -> None:
    """Keep `calls` as `key`'s inputs, unless replay is off or they are already known."""
    if _book is not None and key not in _book and calls:
        _book[key] = calls


def replay(test: Callable, fixtures: dict, calls: list[dict],
           stop: Callable[[], bool] = lambda: False) -> bool:
    """Call `test` with each recorded input; True if every call passed.

    Any exception counts as a failure here, and so does `stop()` turning true between
    calls; the caller then grades the exercise again, drawing this check's inputs, which
    reports it exactly as it would have been reported alone.
    """
    for drawn in calls:
        if stop():
            counts["gave up"] += 1
            return False
        try:
            test(**fixtures, **copy.deepcopy(drawn))
        except Exception:
            counts["fell back"] += 1
            return False
    counts["passed"] += 1
    return True
