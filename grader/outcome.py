"""One call's result as the grader sees it, and the typed failures for its form."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grader.failures import BadReturn, Call, show

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


def unreadable(outcome: Outcome) -> str:
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
    # A list or tuple of numbers comes with its values (the form check names the type).
    if (outcome.type not in ("number", "ndarray", "list", "tuple")
            or (outcome.type == "number" and value.ndim)):
        return f"numbers sent for {outcome._what()}"
    if outcome.type == "ndarray" and kind not in ("b", "i", "u", "f"):
        return f"numbers sent for an array of dtype {outcome.dtype}"
    if kind in ("b", "i", "u") and not (np.all(np.isfinite(value)) and np.all(value == np.round(value))
                                        and np.all(np.abs(value) <= 2.0**64)):
        return f"values that no {outcome.dtype} array can hold"
    return ""
