"""What checks hold instead of the learner's module: a proxy that calls into the worker.

`submission.clamped_update(w, grad, lr, lam)` looks like a normal call, but runs in the
worker and returns an `Outcome`: what came back, already float64, plus whether the call
changed its inputs. `Outcome.array()` and `Outcome.number()` turn every way a return value
can be unusable into one exact `BadReturn` sentence.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader import notebook
from grader.sandbox import isolation
from grader.catalog import Exercise, Function
from grader.failures import (Abort, BadReturn, Call, CannotLoad, Crashed, NoFile, NotStarted,
                             Raised, TimedOut, describe_exception, show)
from grader.locate import Submitted, read_path
from grader.program import Program, load_failure, top_level
from grader.sandbox.isolation import Tier
from grader.sandbox.worker import Malformed, Worker, WorkerDied, WorkerTimeout

TIME_LIMIT = 30.0
"""Seconds of worker time (imports and calls) one submission may use in all its checks."""


class OutOfTime(Abort):
    """The submission used up its total time; its remaining calls are not run."""

    def __init__(self, call: Call, seconds: float) -> None:
        super().__init__(f"called {call}: not run, because your code has used up the "
                         f"{seconds:g} s it gets for this exercise. Look for a loop that never "
                         "ends or a very slow computation.")


class Unreadable(Abort):
    """What came back cannot be converted or checked (a forged or garbled answer): the
    learner's failure, never the grader's."""

    def __init__(self, call: Call, detail: str) -> None:
        self.call = call
        super().__init__(f"called {call}: it returned something the grader cannot read "
                         f"({detail}). Return a plain numpy array or number, as the "
                         "docstring asks.")


class ConfinementFailed(Exception):
    """The worker could not confine itself, so no learner code ran: the grader's fault."""

DESCRIPTIONS = {"list": "a list", "tuple": "a tuple", "NoneType": "None", "bool": "a bool",
                "str": "a string", "dict": "a dict"}


@dataclass(frozen=True)
class Outcome:
    """One call's result as the grader sees it."""

    call: Call
    type: str
    """The Python type of the return value ("ndarray", "number", "list", ...)."""
    value: np.ndarray | None
    """The result as a float64 array (0-d for a number); None when it is not numeric."""
    dtype: str | None = None
    shape: tuple[int, ...] | None = None
    mutated: tuple[str, ...] = ()
    """Names of the arguments the call changed in place."""
    aliased: str | None = None
    """The argument that was returned itself, instead of a new array."""
    extra: dict = field(default_factory=dict)

    def array(self, *, shape: tuple[int, ...], form: bool = False) -> np.ndarray:
        """The result as a float64 array of `shape`, or a `BadReturn` that says what is wrong.

        With `form` (an exercise's first check) it must be exactly a new float64 array of
        `shape` with the inputs left as they were, and its values are not looked at. Without
        it, values that can be read (a list of numbers, an array of the right size in another
        shape) are graded: a form problem costs only the form check's points."""
        problem, readable = self._form_problem(shape), self._readable(shape)
        if form:
            if problem:
                raise BadReturn(self.call, problem, blocks=readable is None)
            self._check_inputs()
            return self.value
        if readable is None:
            raise BadReturn(self.call, problem or "it returned something the grader cannot read.")
        self._check_finite(readable)
        return readable

    def _form_problem(self, shape: tuple[int, ...]) -> str | None:
        if self.type != "ndarray":
            return (f"it returned {self._what()}; return a numpy array of shape {_shape(shape)}, "
                    "for example with np.array(...).")
        if self.value is None and self.extra.get("too_large"):
            return (f"it returned an array of shape {_shape(self.shape or ())}, far too large "
                    "to be an answer here.")
        if self.value is None:
            return f"it returned an array of dtype {self.dtype}; return an array of floats."
        if self.dtype in ("float16", "float32"):
            return (f"it returned an array of dtype {self.dtype}, which keeps only a few "
                    "digits; return float64, numpy's default.")
        if self.value.shape != shape:
            return (f"it returned an array of shape {_shape(self.value.shape)}; expected shape "
                    f"{_shape(shape)}, the same as w.")
        return None

    def _readable(self, shape: tuple[int, ...]) -> np.ndarray | None:
        """The values, in `shape`, when they can be graded despite a form problem."""
        if (self.value is None or self.type not in ("ndarray", "list", "tuple")
                or self.dtype in ("float16", "float32")
                or self.value.size != int(np.prod(shape, dtype=np.int64))):
            return None
        return self.value.reshape(shape)

    def number(self, *, form: bool = False) -> float:
        """The result as one float, or a `BadReturn` that says what is wrong. With `form`
        (an exercise's first check) the inputs must also be left as they were."""
        if form:
            self._check_inputs()
        if self.value is None or self.type not in ("number", "ndarray"):
            raise BadReturn(self.call, f"it returned {self._what()}; return one number "
                            "(a float).")
        if self.value.size != 1:
            raise BadReturn(self.call, f"it returned an array of shape {_shape(self.value.shape)}; "
                            "return one number. Did you forget to sum or average?")
        if self.dtype in ("float16", "float32"):
            raise BadReturn(self.call, f"it returned a {self.dtype} number, which keeps only a "
                            "few digits; compute in float64, numpy's default.")
        self._check_finite()
        return float(self.value.reshape(()))

    def indices(self, *, form: bool = False) -> np.ndarray:
        """The result as a 1-D int array of distinct ascending indices, or a `BadReturn`. With
        `form` the inputs must also be left as they were."""
        if form:
            self._check_inputs()
        if self.type != "ndarray":
            raise BadReturn(self.call, f"it returned {self._what()}; return a numpy array "
                            "of integer indices.")
        if _kind(self.dtype) not in ("i", "u") or self.value is None:
            raise BadReturn(self.call, f"it returned an array of dtype {self.dtype}; return "
                            "the positions as integers (an int array), not a mask or floats.")
        if self.value.ndim != 1:
            raise BadReturn(self.call, f"it returned an array of shape {_shape(self.value.shape)}; "
                            "return a 1-D array of indices.")
        huge = np.abs(self.value) >= 2.0**62  # beyond int64 once cast: never a position
        if np.any(huge):
            raise BadReturn(self.call, f"it returned index {show(self.value[huge][0])}, far "
                            "beyond any position in w.")
        steps = np.diff(self.value)
        if np.any(steps == 0):
            repeated = int(self.value[1:][steps == 0][0])
            raise BadReturn(self.call, f"index {repeated} appears more than once; list each "
                            "index once.")
        if np.any(steps < 0):
            first = int(np.flatnonzero(steps < 0)[0])
            raise BadReturn(self.call, f"index {int(self.value[first])} comes before index "
                            f"{int(self.value[first + 1])}; return the indices in ascending "
                            "order.")
        return self.value.astype(np.int64)

    def _check_inputs(self) -> None:
        """Inputs changed in place cost the form check; the values are still graded."""
        if self.mutated:
            raise BadReturn(self.call, f"it changed its argument {self.mutated[0]} in place; "
                            "compute a new array and leave the inputs as they were.",
                            blocks=False)
        if self.aliased:
            raise BadReturn(self.call, f"it returned its argument {self.aliased} itself; "
                            "return a new array.", blocks=False)

    def _check_finite(self, value: np.ndarray | None = None) -> None:
        value = self.value if value is None else value
        if not np.all(np.isfinite(value)):
            bad = "NaN" if np.any(np.isnan(value)) else "inf"
            raise BadReturn(self.call, f"the result contains {bad}. Look for a division by "
                            "zero or an overflow.")

    def _what(self) -> str:
        if self.type == "ndarray":
            return f"an array of dtype {self.dtype}"
        return DESCRIPTIONS.get(self.type, f"a {self.type}")


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _kind(dtype: str | None) -> str:
    """numpy's one-letter kind of a dtype name ("i" for "int64"), or "" if it is not one."""
    try:
        return np.dtype(dtype).kind if dtype else ""
    except Exception:  # any text at all may come from a forged frame
        return ""


class Submission:
    """The learner's functions for one exercise, each called in a worker process.

    `file` is their `.py` file or notebook, read once (`grader.locate`), or a `Program`
    already built (a kernel's code). A notebook's bytes become a `Program`, whose source the
    worker runs; errors in it are placed back in the learner's cells."""

    def __init__(self, file: Submitted | Path | Program, exercise: Exercise, *,
                 call_timeout: float = 2.0, start_timeout: float = 10.0,
                 time_limit: float = TIME_LIMIT, tier: Tier | None = None) -> None:
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
        self.tier = isolation.choose(tier)
        self._worker: Worker | None = None
        self.start()

    def start(self) -> None:
        """Start the worker now, so it imports numpy while pytest collects the checks."""
        if self._worker is None and self._source is not None:
            if self._scratch is not None:
                self._scratch.mkdir(mode=0o700, exist_ok=True)
            self._start_limit = min(self.start_timeout, max(self.time_left, 0.5))
            self._worker = Worker(self.path, [f.name for f in self.exercise.functions],
                                  source=self._source, start_timeout=self._start_limit,
                                  tier=self.tier)

    def again(self) -> Submission:
        """The same file with the same limits in a new worker, all its time still to use."""
        return Submission(self._given, self.exercise, call_timeout=self.default_timeout,
                          start_timeout=self.start_timeout, time_limit=self.time_limit,
                          tier=self.tier)

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

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        if self._scratch is not None:  # made again if this submission is started again
            shutil.rmtree(self._scratch, ignore_errors=True)

    def _placed(self, error: dict) -> dict:
        return self.program.placed(error) if self.program is not None else error

    def __getattr__(self, name: str):
        try:
            function = self.exercise.function(name)
        except StopIteration:
            raise AttributeError(name) from None
        return lambda *args: self.call(function, *args)

    def call(self, function: Function, *args) -> Outcome:
        """Run `function(*args)` in the worker; raise a typed failure for anything but a value."""
        call = Call(function.name, function.params, tuple(_frozen(a) for a in args))
        worker = self._ready_worker(function)
        if self.time_left <= 0:
            raise OutOfTime(call, self.time_limit)
        timeout = min(self.call_timeout, self.time_left)
        started = time.monotonic()
        try:
            reply = worker.call(function.name, list(function.params), list(args),
                                timeout=timeout)
        except WorkerTimeout:
            self._worker = None
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
            self.time_left -= time.monotonic() - started
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
        problem = _unreadable(outcome)
        if problem:
            raise Unreadable(call, problem)
        return outcome

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
        started = time.monotonic()
        try:
            hello = self._worker.hello()
        except WorkerTimeout:
            self._worker = None
            self._cannot_load = CannotLoad(
                f"{self.name} did not finish {'running' if self.program else 'importing'} within "
                f"{self._start_limit:g} s. Is there a loop or a long computation "
                f"{top_level(self.program)}?")
            raise self._cannot_load from None
        except WorkerDied as died:
            self._worker = None
            self._cannot_load = CannotLoad(
                f"{self.name} stopped the Python process while it was being "
                f"{'run' if self.program else 'imported'}: {died.how}. Look at the code "
                f"{top_level(self.program)}.")
            raise self._cannot_load from None
        finally:
            self.time_left -= time.monotonic() - started
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


def _unreadable(outcome: Outcome) -> str:
    """Why an answer cannot be what the worker says it is ("" if it can): only a forged or
    garbled frame gets here, since the worker converts every real value consistently."""
    value, kind = outcome.value, _kind(outcome.dtype)
    if outcome.dtype is not None and not kind:
        return "an unknown dtype"
    if value is None:
        if outcome.type == "number" or (outcome.type == "ndarray" and kind in ("b", "i", "u", "f")
                                        and not outcome.extra.get("too_large")):
            return "numbers announced but not sent"
        return ""
    if outcome.type not in ("number", "ndarray") or (outcome.type == "number" and value.ndim):
        return f"numbers sent for {outcome._what()}"
    if outcome.type == "ndarray" and kind not in ("b", "i", "u", "f"):
        return f"numbers sent for an array of dtype {outcome.dtype}"
    if kind in ("b", "i", "u") and not (np.all(np.isfinite(value)) and np.all(value == np.round(value))
                                        and np.all(np.abs(value) <= 2.0**64)):
        return f"values that no {outcome.dtype} array can hold"
    return ""


def _frozen(arg):
    """A private copy of an argument, for the message that shows this call."""
    return np.array(arg, dtype=np.float64) if isinstance(arg, np.ndarray) else arg


def start_submissions(exercises: list[Exercise], files: dict[str, Submitted | Path | Program], *,
                      call_timeout: float = 2.0, time_limit: float = TIME_LIMIT,
                      tier: Tier | None = None) -> dict[str, Submission]:
    """Start one worker per exercise, keyed by checks module, before pytest is even imported."""
    return {e.checks_module: Submission(files[e.name], e, call_timeout=call_timeout,
                                        time_limit=time_limit, tier=tier)
            for e in exercises}
