"""The few ways a learner's code can fail a check, each with one learner-facing sentence.

Checks never format their own messages: they raise one of these, and `report` adds the
lesson idea and the hint. `LearnerFailure`s are ordinary exceptions, so hypothesis shrinks
them to the smallest counterexample. `Abort`s are `BaseException`s on purpose: hypothesis
lets them through at once, because shrinking a timeout or a crash would cost a time limit
per attempt and teach nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_SHOWN = 12
"""Arrays with more entries than this are described ("1,000 values"), never shown elided."""


def show(value: object) -> str:
    """A value as the learner would type it: floats exact and short; large arrays described."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return show(value[()])
        if value.size > MAX_SHOWN:
            return describe(value)
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, np.integer):
        return str(int(value))  # indices: an int array shows as [1, 3], not [1.0, 3.0]
    if isinstance(value, (float, np.floating, int)) and not isinstance(value, bool):
        return repr(float(value) + 0.0)  # + 0.0 shows -0.0 as 0.0: both are right
    return repr(value)


def describe(array: np.ndarray) -> str:
    """A large array in words: its size and what is notable about it."""
    if array.ndim > 1:
        return f"a {' x '.join(f'{n:,}' for n in array.shape)} array"
    kind = "indices" if array.dtype.kind in "iu" else "values"
    text = f"{array.size:,} {kind}"
    if kind == "values":
        zeros = int(np.sum(array == 0))
        text += f" ({zeros:,} exactly 0.0)" if zeros else " (none exactly 0.0)"
    return text


@dataclass(frozen=True)
class Call:
    """One call of a learner's function, shown as `name(param=value, ...)`."""

    func: str
    params: tuple[str, ...]
    args: tuple

    def __str__(self) -> str:
        shown = ", ".join(f"{p}={show(a)}" for p, a in zip(self.params, self.args))
        return f"{self.func}({shown})"


@dataclass(frozen=True)
class NamedCall(Call):
    """A call whose arguments are too big to show, described in words instead."""

    label: str = ""

    def __str__(self) -> str:
        return self.label


class LearnerFailure(Exception):
    """The learner's code did something wrong; `str()` is what they are told."""

    kind = "failed"
    teaches = True
    """Whether the check's lesson idea and hint apply (not for a crash or a syntax error)."""
    blocks = True
    """Whether the checks that wait for this one (`after=`) are skipped while it fails: not
    for a form problem (a list, inputs changed in place) whose values can still be graded."""


class Mismatch(LearnerFailure):
    """The call returned a value, but not the expected one."""

    def __init__(self, call: Call, got: object, expected: object, *, note: str = "",
                 index: int | None = None) -> None:
        self.call, self.got, self.expected = call, got, expected
        text = f"called {call}, got {show(got)}, expected {show(expected)}"
        if index is not None and isinstance(got, np.ndarray) and got.size > MAX_SHOWN:
            text += (f" (first wrong at index {index}: got {show(got.flat[index])}, "
                     f"expected {show(np.asarray(expected).flat[index])})")
        super().__init__(text + (f" {note}" if note else ""))


class Violation(LearnerFailure):
    """The result breaks a condition the lesson states, with no single expected value to show."""

    def __init__(self, call: Call, got: object, condition: str) -> None:
        self.call = call
        super().__init__(f"called {call}, got {show(got)}. {condition}")


class Inconsistent(LearnerFailure):
    """Two calls whose results, side by side, break a rule of the lesson.

    Neither result is called "expected": the check cannot tell which of the two is wrong.
    """

    def __init__(self, first: Call, first_got: object, second: Call, second_got: object,
                 rule: str) -> None:
        self.call = second
        super().__init__(f"called {first}, got {show(first_got)}; then called {second}, "
                         f"got {show(second_got)}. {rule}")


class BadReturn(LearnerFailure):
    """The call returned the wrong kind of thing (a list, None, NaN, a wrong shape...)."""

    def __init__(self, call: Call, problem: str, *, blocks: bool = True) -> None:
        self.call, self.blocks = call, blocks
        super().__init__(f"called {call}: {problem}")


class Diverged(LearnerFailure):
    """An iterative method returned inf or NaN: its steps grew instead of shrinking."""

    def __init__(self, call: Call, got: np.ndarray) -> None:
        self.call, self.got = call, got
        bad = "NaN" if np.any(np.isnan(got)) else "inf"
        super().__init__(f"called {call}, got {show(got)}: the weights grew to {bad}, so each "
                         "step overshot the minimum by more than the last: the step size is too large")


class Suboptimal(LearnerFailure):
    """The call returned weights, but their objective is above the optimum's."""

    def __init__(self, call: Call, got: np.ndarray, objective: float, optimum: float, *,
                 rtol: float, note: str = "") -> None:
        self.call, self.got = call, got
        gap = (objective - optimum) / abs(optimum) if optimum else float("inf")
        text = (f"called {call}, got {show(got)}, whose objective is {show(objective)}; the "
                f"optimum is {show(optimum)}, {gap:.3g} higher relative, allowed {rtol:g}")
        super().__init__(text + (f". {note}" if note else ""))


class Raised(LearnerFailure):
    """The learner's function raised an exception."""

    teaches = False

    def __init__(self, call: Call, error: dict) -> None:
        self.call, self.error = call, error
        super().__init__(f"called {call}, it raised {describe_exception(error)}")


class Abort(BaseException):
    """A failure that ends the check at once, without shrinking."""

    kind = "failed"
    teaches = False

    def __str__(self) -> str:
        return self.args[0] if self.args else ""


class NotStarted(Abort):
    """The function is still the stub."""

    kind = "not started"

    def __init__(self, func: str) -> None:
        super().__init__(f"{func} still raises NotImplementedError: replace the stub "
                         "with your code, then grade again.")


class CannotLoad(Abort):
    """The submission file could not be imported, or lacks a function."""


class NoFile(CannotLoad):
    """The exercise's file is not there: the exercise is not started yet."""

    kind = "not started"


class TimedOut(Abort):
    """A call did not return within its limit of CPU time."""

    def __init__(self, call: Call, seconds: float, *,
                 advice: str = "Look for a loop that never ends.") -> None:
        self.call, self.seconds = call, seconds
        super().__init__(f"called {call}, it did not return within {seconds:g} s of CPU time. "
                         f"{advice}")


class Stalled(Abort):
    """A call was stopped by the wall-clock backstop: it waited, using little CPU."""

    def __init__(self, call: Call, seconds: float) -> None:
        self.call, self.seconds = call, seconds
        super().__init__(f"called {call}, it was stopped after {seconds:g} s of waiting while "
                         "it used little CPU (it sleeps or blocks). Look for time.sleep, input() "
                         "or a wait that never ends.")


class Crashed(Abort):
    """The worker running the learner's code died during a call."""

    def __init__(self, call: Call, how: str) -> None:
        super().__init__(f"called {call}, and your code stopped the Python process: {how}.")


def describe_exception(error: dict) -> str:
    """`ValueError: message (line 12 of your file: `code`)`; a notebook's error gives its
    `place` instead ("cell 5, line 3")."""
    text = error.get("type") or "an exception"
    if error.get("message"):
        text += f": {error['message']}"
    where = error.get("where")
    if where:
        text += f" ({where['place']}" if where.get("place") else f" (line {where['line']} of your file"
        text += f": {where['code']})" if where.get("code") else ")"
    if text.startswith("ModuleNotFoundError: No module named 'exercise"):
        text += (". Each exercise file is graded on its own: copy what you need from the other "
                 "file into this one")
    return text


class OutOfTime(Abort):
    """The submission used up its total time; its remaining calls are not run."""

    def __init__(self, call: Call, seconds: float, *, waited: bool = False) -> None:
        if waited:
            super().__init__(f"called {call}: not run, because your code has spent the "
                             f"{seconds:g} s of waiting it may spend in this exercise while "
                             "using little CPU (it sleeps or blocks). Look for time.sleep, "
                             "input() or a wait that never ends.")
        else:
            super().__init__(f"called {call}: not run, because your code has used up the "
                             f"{seconds:g} s of CPU time it gets for this exercise. Look for "
                             "a loop that never ends or a very slow computation.")


class Unreadable(Abort):
    """What came back cannot be converted or checked (a forged or garbled answer): the
    learner's failure, never the grader's."""

    def __init__(self, call: Call, detail: str) -> None:
        self.call = call
        super().__init__(f"called {call}: it returned something the grader cannot read "
                         f"({detail}). Return a plain numpy array or number, as the "
                         "docstring asks.")
