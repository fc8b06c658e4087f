"""What checks hold instead of the learner's module: a proxy that calls into the worker.

`submission.clamped_update(w, grad, lr, lam)` looks like a normal call, but runs in the
worker and returns an `Outcome`: what came back, already float64, plus whether the call
changed its inputs. `Outcome.array()` and `Outcome.number()` turn every way a return value
can be unusable into one exact `BadReturn` sentence.
"""

from __future__ import annotations

import contextlib
import importlib
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from grader import notebook
from grader.ahead import Ahead, EarlyCall
from grader.sandbox import isolation
from grader.catalog import Exercise, Function
from grader.failures import (Call, CannotLoad, Crashed, NoFile, NotStarted, OutOfTime, Raised,
                             Stalled, TimedOut, Unreadable, describe_exception)
from grader.locate import Submitted, read_path
from grader.planned_calls import PLAN_SHARE, Plan, Planned, Unplanned  # noqa: F401
from grader.outcome import Outcome, unreadable  # noqa: F401  (Outcome: the checks' type)
from grader.sandbox.cgroups import Wall
from grader.sandbox.cputime import BACKSTOP
from grader.program import Program, load_failure, top_level
from grader.sandbox.isolation import Tier
from grader.sandbox.worker import Malformed, Worker, WorkerDied, WorkerTimeout

TIME_LIMIT = 30.0
"""Seconds of CPU time (imports and calls, and all they start) one submission may use in all
its checks. Its calls may also wait BACKSTOP times that on the backstop's clock (`cputime`)."""


class ConfinementFailed(Exception):
    """The worker could not confine itself, so no learner code ran: the grader's fault."""

class Submission:
    """The learner's functions for one exercise, each called in a worker process.

    `file` is their `.py` file or notebook, read once (`grader.locate`), or a `Program`
    already built (a kernel's code). A notebook's bytes become a `Program`, whose source the
    worker runs; errors in it are placed back in the learner's cells."""

    def __init__(self, file: Submitted | Path | Program, exercise: Exercise, *,
                 call_timeout: float = 2.0, start_timeout: float = 10.0,
                 time_limit: float = TIME_LIMIT, tier: Tier | None = None,
                 wall: Wall | None = None, early: bool = False) -> None:
        """Time limits are CPU seconds: `call_timeout` per call, `start_timeout` for the
        import, `time_limit` for all of it; `wall`: the student's cgroup, which gives each
        worker a cell (see `grader.sandbox.cgroups`); `early`: start the calls the checks
        name `Ahead` in workers of their own (`begin`), where there is a core to spare."""
        self._given, self._scratch = file, None
        self.program = file if isinstance(file, Program) else None
        if self.program is not None:  # run from a private, empty folder: nothing left beside
            self._scratch = Path(tempfile.mkdtemp(prefix="l1lab-program-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._scratch, True)
            file = Submitted(self._scratch / exercise.file, b"")
        self.file = file if isinstance(file, Submitted) else read_path(file)
        self.path, self.exercise = self.file.path, exercise
        self.name = self.program.name if self.program is not None else self.path.name
        self._cannot_load: CannotLoad | None = None
        self._source = self._program_source() if self.file.source is not None else None
        self.call_timeout = self.default_timeout = call_timeout
        self.start_timeout = start_timeout
        self.time_limit = self.time_left = time_limit
        self.wait_left = BACKSTOP * time_limit
        self.tier = isolation.choose(tier)
        self.wall = wall
        self._worker: Worker | None = None
        self._seen_cpu = 0.0
        self.early = early
        self._early: dict[str, EarlyCall] = {}
        self._plan: Plan | None = None
        self._made: list[dict] | None = None
        self.start()

    def start(self) -> None:
        """Start the worker now, so it imports numpy while pytest collects the checks."""
        if self._worker is None and self._source is not None:
            if self._scratch is not None:
                self._scratch.mkdir(mode=0o700, exist_ok=True)
            self._start_limit = min(self.start_timeout, max(self.time_left, 0.5))
            self._start_backstop = min(BACKSTOP * self._start_limit, max(self.wait_left, 0.5))
            self._seen_cpu = 0.0
            self._worker = self._new_worker()

    def _new_worker(self) -> Worker:
        return Worker(self.path, [f.name for f in self.exercise.functions],
                      source=self._source, start_timeout=self._start_limit, tier=self.tier,
                      cell=self.wall.cell() if self.wall else None,
                      memory=self.wall.memory if self.wall else None,
                      start_backstop=self._start_backstop)

    def begin(self, calls: tuple[Ahead, ...]) -> None:
        """Start `calls` now, each in a worker of its own (`grader.ahead`), if this submission
        starts them early and has a worker to run them; the checks take their results."""
        if not self.early or self._worker is None:
            return
        for ahead in calls:
            arguments = ahead.arguments
            begun = self._early.get(ahead.function)
            if begun is not None:
                if begun.arguments_made():
                    continue
                del self._early[ahead.function]  # its thread could not make them: make
                begun.close()                      # them here, where a failure is the
                made = tuple(ahead.arguments())    # fixture's to report, and begin again
                arguments = lambda made=made: made  # noqa: E731
            worker = None
            try:
                worker = self._new_worker()
                self._early[ahead.function] = EarlyCall(
                    worker, self.exercise.function(ahead.function), arguments,
                    timeout=min(ahead.timeout, self.time_left),
                    backstop=min(BACKSTOP * ahead.timeout, self.wait_left))
            except (OSError, RuntimeError):  # no process, file or thread to spare: the
                if worker is not None:       # check makes its call as usual
                    worker.close()

    def again(self) -> Submission:
        """The same file with the same limits in a new worker, all its time still to use."""
        return Submission(self._given, self.exercise, call_timeout=self.default_timeout,
                          start_timeout=self.start_timeout, time_limit=self.time_limit,
                          tier=self.tier, wall=self.wall, early=self.early)

    def _program_source(self) -> bytes | None:
        """The bytes the worker runs: the `.py` file's own, or a program's source (a
        notebook's built from its bytes); None if the notebook cannot be read."""
        if self.program is None and self.path.suffix == ".ipynb":
            try:
                self.program = notebook.parse(self.file.source, self.path.name)
            except notebook.NotebookError as error:
                self._cannot_load = CannotLoad(str(error))
                return None
        if self.program is None:
            return self.file.source
        return self.program.source.encode("utf-8", errors="replace")  # a lone surrogate: "?"

    def arguments_made(self) -> None:
        """Wait until every call begun ahead has its arguments (see `EarlyCall`)."""
        for early in list(self._early.values()):
            early.arguments_made()

    def forget(self) -> None:
        """In a fork that leaves this submission to the process that started it: close this
        process's copies of its workers' channels, and nothing else (`Worker.forget`)."""
        for early in self._early.values():
            early.worker.forget()
        if self._worker is not None:
            self._worker.forget()

    def stop(self) -> None:
        """Start ending the worker; `close` finishes (see `Worker.stop`)."""
        for early in self._early.values():  # not taken by now: no check will take it
            early.worker.abandon()
        if self._worker is not None:
            self._worker.stop()

    def close(self) -> None:
        for early in self._early.values():
            early.close()
        self._early.clear()
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        if self._scratch is not None:  # made again if this submission is started again
            shutil.rmtree(self._scratch, ignore_errors=True)

    def _placed(self, error: dict) -> dict:
        return self.program.placed(error) if self.program is not None else error

    @contextlib.contextmanager
    def planned(self, plan: list[dict] | None) -> Iterator[Planned]:
        """Inside the block, send the calls `plan` names to the worker in batches and answer
        the checks' calls from them (`grader.planned_calls`). Yields the calls made."""
        planned = Planned(made=[])
        self._made = planned.made
        names = {f.name for f in self.exercise.functions}
        self._plan = Plan(plan) if plan and Plan.usable(plan, names) else None
        try:
            yield planned
        finally:
            planned.untaken = self._plan is not None and bool(self._plan.fetched)
            self._made, self._plan = None, None

    def __getattr__(self, name: str):
        try:
            function = self.exercise.function(name)
        except StopIteration:
            raise AttributeError(name) from None
        return lambda *args: self.call(function, *args)

    def call(self, function: Function, *args) -> Outcome:
        """Run `function(*args)` in the worker; raise a typed failure for anything but a value."""
        call = Call(function.name, function.params, tuple(_frozen(a) for a in args))
        if self._made is not None:
            self._made.append({"function": function.name, "args": [
                a if isinstance(a, np.ndarray) else float(a) for a in call.args]})
        reply = None
        if self._plan is not None:
            reply = self._plan.answer(function.name, call.args,
                                      lambda batch: self._batch(function, call, batch))
        return self._outcome(function, call, reply if reply is not None else
                             self._reply(function, call, args))

    def _reply(self, function: Function, call: Call, args: tuple):
        """The worker's answer to `call`, made now (or taken from a call begun ahead)."""
        worker = self._ready_worker(function)
        if self.time_left <= 0:
            raise OutOfTime(call, self.time_limit)
        if self.wait_left <= 0:
            raise OutOfTime(call, BACKSTOP * self.time_limit, waited=True)
        timeout = min(self.call_timeout, self.time_left)
        backstop = min(BACKSTOP * self.call_timeout, self.wait_left)
        early = self._early.get(function.name)
        if early is not None and early.matches(args):
            del self._early[function.name]
        else:
            early = None
        reply = None
        try:
            if early is not None:  # its result, as this call would have had it
                reply = early.take(timeout, backstop)
            if reply is None:
                early = None
                reply = worker.call(function.name, list(function.params), list(args),
                                    timeout=timeout, backstop=backstop)
        except WorkerTimeout as stop:
            worker.close()  # stopped here, it would have been this worker
            self._worker = None
            if stop.waited and backstop < BACKSTOP * self.call_timeout:
                raise OutOfTime(call, BACKSTOP * self.time_limit, waited=True) from None
            if stop.waited:
                raise Stalled(call, BACKSTOP * self.call_timeout) from None
            if timeout < self.call_timeout:
                raise OutOfTime(call, self.time_limit) from None
            raise TimedOut(call, self.call_timeout) from None
        except Malformed as malformed:
            self._worker = None
            raise Unreadable(call, malformed.how) from None
        except WorkerDied as died:
            self._worker = None
            raise Crashed(call, died.how) from None
        finally:
            self._spend(worker)
            if early is not None:
                self.time_left -= min(early.cpu, timeout)
                self.wait_left -= min(early.wait, backstop)
        return reply

    def _outcome(self, function: Function, call: Call, reply) -> Outcome:
        header = reply.header
        if not header.get("ok"):
            error = header.get("error") or {}
            if error.get("not_implemented"):
                raise NotStarted(function.name)
            raise Raised(call, self._placed(error))
        shape = header.get("shape")
        outcome = Outcome(call=call, type=str(header.get("type")), value=reply.value,
                          dtype=header.get("dtype"), shape=tuple(shape) if shape else None,
                          mutated=tuple(header.get("mutated") or ()),
                          aliased=header.get("aliased"),
                          extra={"too_large": header.get("too_large", False)})
        problem = unreadable(outcome)
        if problem:
            raise Unreadable(call, problem)
        return outcome

    def _batch(self, function: Function, call: Call, batch: list[dict]) -> list:
        """The worker's answers to `batch`, a plan's calls starting with `call`."""
        worker = self._ready_worker(function)
        if self.time_left <= 0:
            raise OutOfTime(call, self.time_limit)
        if self.wait_left <= 0:
            raise OutOfTime(call, BACKSTOP * self.time_limit, waited=True)
        try:
            return worker.call_many(
                [(c["function"], list(self.exercise.function(c["function"]).params), c["args"])
                 for c in batch],
                timeout=min(self.call_timeout, self.time_left),
                backstop=min(BACKSTOP * self.call_timeout, self.wait_left),
                budget=PLAN_SHARE * self.call_timeout)
        except (WorkerTimeout, WorkerDied):  # which call broke a limit is not known
            worker.close()
            self._worker = None
            raise Unplanned("a batch of planned calls was stopped") from None
        finally:
            self._spend(worker)

    def _ready_worker(self, function: Function) -> Worker:
        if self.file.problem is not None:
            raise CannotLoad(self.file.problem)
        if self.file.source is None:
            raise NoFile(f"There is no file {self.path}. Create it from the stub in exercises/.")
        if self._cannot_load is not None:  # an import that hung will hang again: wait once
            raise self._cannot_load
        self.start()
        if self._cannot_load is not None:  # a notebook that cannot be read
            raise self._cannot_load
        worker = self._worker
        if worker.started:
            return self._checked(worker.hello(), function)
        try:
            hello = worker.hello()
        except WorkerTimeout as stop:
            self._worker = None
            self._cannot_load = CannotLoad(_slow_import(
                self.name, stop.waited, self._start_limit, self._start_backstop, self.program))
            raise self._cannot_load from None
        except WorkerDied as died:
            self._worker = None
            self._cannot_load = CannotLoad(
                f"{self.name} stopped the Python process while it was being "
                f"{'run' if self.program else 'imported'}: {died.how}. Look at the code "
                f"{top_level(self.program)}.")
            raise self._cannot_load from None
        finally:
            self._spend(worker)
        return self._checked(hello, function)

    def _checked(self, hello: dict, function: Function) -> Worker:
        """The worker, if its hello says `function` can be called; else the typed failure."""
        if hello.get("confinement"):
            raise ConfinementFailed(f"the worker could not confine itself: {hello['confinement']}")
        if not hello.get("ready"):
            error = hello.get("error") or {}
            if error.get("not_implemented"):
                raise NotStarted(function.name)
            if self.program is not None:
                error = self._placed(error)
                raise CannotLoad(load_failure(self.program, error, describe_exception(
                    {**error, "where": error.get("in_cell")})))
            raise CannotLoad(f"{self.path.name} could not be imported: "
                             f"{describe_exception(error)}. Fix it, then grade again.")
        if function.name in hello.get("missing", []):
            params = ", ".join(function.params)
            advice = ("Run the cell that defines it, with the stub's name and parameters, then "
                      "check again." if self.program is not None and self.program.kernel
                      else "Keep the name and parameters of the stub.")
            raise CannotLoad(f"{self.name} has no function {function.name}({params}). {advice}")
        return self._worker

    def _spend(self, worker: Worker) -> None:
        """Take what `worker`'s last call (or import) used off what the exercise has: its CPU
        time since the last look (so also what ran between calls) and its wait."""
        cpu = worker.usage[0]
        self.time_left -= cpu - self._seen_cpu
        self._seen_cpu = cpu
        self.wait_left -= worker.last_wait()


def _slow_import(name: str, waited: bool, cpu: float, backstop: float,
                 program: Program | None) -> str:
    doing = "run" if program is not None else "imported"
    if waited:
        return (f"{name} was stopped while being {doing}, after {backstop:g} s of waiting "
                f"while it used little CPU (it sleeps or blocks). Look {top_level(program)} "
                "for time.sleep, input() or a wait that never ends.")
    return (f"{name} did not finish {'running' if program else 'importing'} within {cpu:g} s "
            f"of CPU time. Is there a loop or a long computation {top_level(program)}?")


def _frozen(arg):
    """A private copy of an argument, for the message that shows this call."""
    return np.array(arg, dtype=np.float64) if isinstance(arg, np.ndarray) else arg


def start_submissions(exercises: list[Exercise], files: dict[str, Submitted | Path | Program], *,
                      call_timeout: float = 2.0, time_limit: float = TIME_LIMIT,
                      tier: Tier | None = None, wall: Wall | None = None,
                      early: bool = False) -> dict[str, Submission]:
    """Start one worker per exercise, keyed by checks module, before pytest is even imported;
    each in a cell of the student's `wall`. `early`: see `Submission`."""
    return {e.checks_module: Submission(files[e.name], e, call_timeout=call_timeout,
                                        time_limit=time_limit, tier=tier, wall=wall, early=early)
            for e in exercises}


def begin_ahead(submissions: dict[str, Submission]) -> None:
    """Start the calls each exercise names ahead (its `ahead` module's `AHEAD`) in those of
    `submissions` that start calls early; a call already begun is not begun again. Needs
    neither pytest nor hypothesis, so a grading calls it before importing them. A module
    that fails here, or arguments the call's thread cannot make, are left to the check's
    fixture, which begins the calls again and reports what broke."""
    for submission in submissions.values():
        module = submission.exercise.ahead_module
        if not submission.early or module is None:
            continue
        try:
            submission.begin(importlib.import_module(module).AHEAD)
        except Exception:
            pass
