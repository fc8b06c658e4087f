"""A replay's calls, sent to the worker in batches: one exchange for many calls.

A replay (`grader.replay`) calls a check with inputs it was called with before, so the calls
it will make of the learner's functions are known too (the book keeps them: the plan). A
`Plan` sends them in batches of up to PLAN_CALLS and answers each call the check makes from
the batch, after comparing it, to the last bit of every argument, with the one sent:

- a call that differs from the next planned one before its batch was sent ends the plan:
  it and the rest are made one by one, as without a plan;
- a call that differs from one already sent raises `Unplanned`, and so does a batch that
  breaks a limit (which of its calls broke it is not known); the replay then counts as
  failed, and so does one that leaves answers untaken (`Planned.untaken`).

A failed replay is graded again as `grader.grading` describes. So a replay that passes made,
in the worker, exactly the calls it would have made one by one, in the same order; one that
does not is thrown away.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from grader.sandbox.frames import Reply
from grader.sandbox.worker import wire

PLAN_CALLS = 64
PLAN_BYTES = 1 << 20
"""At most this many planned calls, with at most this many bytes of arguments, go to the
worker in one exchange."""
PLAN_SHARE = 0.1
"""The worker stops a batch once its calls have used this share of one call's CPU limit, so
that a batch stays well within the limit each of its calls has alone."""


class Unplanned(Exception):
    """A replay's calls did not go as planned: the replay fails (see the module)."""


@dataclass
class Planned:
    """What a block with a plan saw: the calls made in it (the plan for next time) and
    whether answers fetched for the plan were left untaken (the replay then fails)."""

    made: list[dict]
    untaken: bool = False


class Plan:
    """The calls of a plan not yet sent, and the answers to those sent but not yet taken."""

    def __init__(self, calls: list[dict]) -> None:
        self.waiting: deque[dict] = deque(calls)
        self.fetched: deque[tuple[tuple, Reply]] = deque()

    @staticmethod
    def usable(calls: object, functions: set[str]) -> bool:
        """Whether `calls` is a list of calls (`{"function", "args"}`) of `functions`, each
        argument a float64 array or a float, as the checks' calls are recorded."""
        return isinstance(calls, list) and all(
            isinstance(c, dict) and c.keys() == {"function", "args"}
            and isinstance(c["function"], str) and c["function"] in functions
            and isinstance(c["args"], list) and all(
                isinstance(a, float) or isinstance(a, np.ndarray) and a.dtype == np.float64
                for a in c["args"])
            for c in calls)

    def answer(self, function: str, args: tuple,
               fetch: Callable[[list[dict]], list[Reply]]) -> Reply | None:
        """The answer to `function(*args)` from the plan, the next batch sent with `fetch`
        (which raises `Unplanned` if the batch breaks a limit) when needed; None once the
        plan has ended, and the call is to be made alone."""
        wired = _wired(function, args)
        if not self.fetched:
            if not self.waiting or _wired(**self.waiting[0]) != wired:
                self.waiting.clear()  # nothing of it was sent: go on without it
                return None
            batch, size = [], 0
            while self.waiting and len(batch) < PLAN_CALLS and (not batch or size < PLAN_BYTES):
                batch.append(self.waiting.popleft())
                size += sum(a.nbytes for a in batch[-1]["args"] if isinstance(a, np.ndarray))
            try:
                replies = fetch(batch)
            except Unplanned:
                self.waiting.clear()
                raise
            self.fetched.extend((_wired(**c), r) for c, r in zip(batch, replies))
            self.waiting.extendleft(reversed(batch[len(replies):]))
        sent, reply = self.fetched.popleft()
        if sent != wired:
            raise Unplanned(f"{function} was not called as planned")
        return reply


def _wired(function: str, args) -> tuple:
    """A call as the worker receives it: equal for two calls exactly when it would run the
    same call (the same function, the same bits in every argument)."""
    specs, data = wire(list(args))
    return function, json.dumps(specs), data
