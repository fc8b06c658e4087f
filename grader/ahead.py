"""A call of the learner's code started before its check runs, in a worker of its own.

Exercise 4's story trains the learner's model on 1,000 x 1,000 data: most of a second of
their CPU, which the grader would otherwise spend waiting, one core idle. An exercise
names such a call (`Ahead`); as soon as its grading has the learner's worker, before
pytest and hypothesis are even imported, a thread makes the call's arguments and starts
the call in a second worker (same file, same confinement, a cell of the same wall), and
the grading goes on meanwhile. When the check makes the call, with the very same
argument objects, it takes that result instead of calling again.

Nothing the learner sees changes. The result is judged by the limits the check's own call
would have had then (`take`): a call that used more CPU than that is a timeout, exactly as
if it had run there and then; what the early worker cannot settle (its import failed, it
crashed, it was stopped under a more generous limit than the check's) is called again, the
usual way. The early worker's import is not charged to the learner; its call is, once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from grader.catalog import Function
from grader.sandbox.frames import Reply, WorkerTimeout
from grader.sandbox.worker import Worker


@dataclass(frozen=True)
class Ahead:
    """A call an exercise's checks will make, worth starting before they run.

    List them in the `AHEAD` of a small module that imports neither hypothesis nor pytest,
    named by the exercise's `ahead` in `exercises.toml`: the grading then starts them as
    soon as the learner's worker is up, a third of a second before the checks have even
    loaded. `function` is called with `arguments()` in a worker of its own, on another core
    while the other checks run; the check that then calls `function` with the very same
    objects takes that result, judged by its own limits, so no report changes. Worth it only
    for a call that costs the learner's code much more than starting a worker (20 ms)."""

    function: str
    arguments: Callable[[], tuple]
    """Makes the call's arguments, on the early call's thread; the check must pass these
    same objects, so it must hand every thread the same ones (cache them, under a lock)."""
    timeout: float
    """The CPU seconds the check that makes the call gives it (its `@check(timeout=...)`)."""


class EarlyCall:
    """One call of `function` running in `worker` on a thread of its own."""

    def __init__(self, worker: Worker, function: Function, arguments: Callable[[], tuple], *,
                 timeout: float, backstop: float) -> None:
        """`arguments()` makes the call's arguments, on the thread (the grader goes on
        importing meanwhile); `timeout` and `backstop` are the call's limits, at least those
        the check's own call will have."""
        self.worker, self.function = worker, function
        self.args: tuple | None = None
        self.timeout, self.backstop = timeout, backstop
        self.outcome: Reply | WorkerTimeout | None = None
        self.cpu = self.wait = 0.0
        self._made = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(arguments,), daemon=True,
                                        name=f"l1lab-early-{function.name}")
        self._thread.start()

    def _run(self, arguments: Callable[[], tuple]) -> None:
        try:
            try:  # a failure is the check's to report: it makes the arguments itself
                self.args = tuple(arguments())
            finally:
                self._made.set()
            hello = self.worker.hello()
            if (hello.get("confinement") or not hello.get("ready")
                    or self.function.name in hello.get("missing", [])):
                return  # the check's own call says what is wrong, as always
            try:
                self.outcome = self.worker.call(self.function.name, list(self.function.params),
                                                list(self.args), timeout=self.timeout,
                                                backstop=self.backstop)
            except WorkerTimeout as stop:
                self.outcome = stop
            self.cpu, self.wait = self.worker.last_cpu(), self.worker.last_wait()
        except Exception:  # it crashed, sent garbage or was abandoned: called again, as usual
            self.outcome = None
        finally:
            self.worker.close()

    def arguments_made(self) -> bool:
        """Wait until the thread has made the call's arguments; whether it could. From then
        on the thread imports nothing (it only talks to its worker): a fork made after this
        cannot inherit a module lock it holds (`grader.side_by_side`)."""
        self._made.wait()
        return self.args is not None

    def matches(self, args: tuple) -> bool:
        """Whether a call with `args` is this one (the same objects, not equal copies)."""
        self._made.wait()
        mine = self.args
        return mine is not None and len(args) == len(mine) and all(
            a is b for a, b in zip(args, mine))

    def take(self, timeout: float, backstop: float) -> Reply | None:
        """The reply as the check's own call, with these limits, would have had it; raises
        WorkerTimeout where that call would have been stopped; None where this one cannot
        say (the check then makes its call itself)."""
        try:
            self._thread.join()
        except BaseException:  # Ctrl-C while waiting: nothing is left running
            self.close()
            raise
        outcome = self.outcome
        if isinstance(outcome, Reply):
            if self.cpu > timeout:
                raise WorkerTimeout(waited=False)
            return outcome
        if isinstance(outcome, WorkerTimeout):
            if self.cpu >= timeout:
                raise WorkerTimeout(waited=False)
            if outcome.waited and self.backstop >= backstop:
                raise WorkerTimeout(waited=True)
        return None

    def close(self) -> None:
        """Stop the call if it still runs, and end its worker."""
        self.worker.abandon()
        self._thread.join()
        self.worker.close()
