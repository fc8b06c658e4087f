"""Float comparisons that pass every correct order of operations and nothing else."""

from __future__ import annotations

import numpy as np

from grader.failures import Call, Inconsistent, Mismatch

EPS = np.finfo(np.float64).eps


def ulps(expected: np.ndarray | float, *, n: int = 4) -> np.ndarray:
    """A tolerance of `n` units in the last place of `expected`: exact where it is 0."""
    return n * np.spacing(np.abs(np.asarray(expected, dtype=np.float64)))


def first_wrong(got: np.ndarray, expected: np.ndarray, tolerance) -> int | None:
    """The flat index of the first entry outside `tolerance`, or None."""
    bad = ~(np.abs(got - expected) <= tolerance)
    return int(np.flatnonzero(bad)[0]) if bad.any() else None


def expect_close(call: Call, got: np.ndarray | float, expected: np.ndarray | float,
                 tolerance, *, note: str = "") -> None:
    """Raise `Mismatch` unless every entry of `got` is within `tolerance` of `expected`."""
    got_a = np.asarray(got, dtype=np.float64)
    expected_a = np.asarray(expected, dtype=np.float64)
    index = first_wrong(got_a, expected_a, np.asarray(tolerance, dtype=np.float64))
    if index is not None:
        raise Mismatch(call, got, expected, note=note, index=index)


def expect_mask(call: Call, got: np.ndarray, expected: np.ndarray, ok: np.ndarray, *,
                note: str = "") -> None:
    """Raise `Mismatch` where the boolean mask `ok` (computed by the check) is False."""
    if not np.all(ok):
        raise Mismatch(call, got, expected, note=note, index=int(np.flatnonzero(~ok)[0]))


def expect_consistent(first: Call, first_got, second: Call, second_got, should_be, tolerance,
                      *, rule: str) -> None:
    """Raise `Inconsistent` unless `second_got` is within `tolerance` of `should_be`, the value
    that `first_got` and the lesson's rule imply for the second call."""
    second_a = np.asarray(second_got, dtype=np.float64)
    if first_wrong(second_a, np.asarray(should_be, dtype=np.float64),
                   np.asarray(tolerance, dtype=np.float64)) is not None:
        raise Inconsistent(first, first_got, second, second_got, rule)
