"""The reference solutions, with each result kept by the value of its arguments.

A batch grades every student on the same inputs (`grader.replay`), so a check asks the
reference the same questions for every student. Its server grades the reference first, so
the answers are computed there once and every student's grading, a fork of it, reads them:
exercise 4's reference runs 500 steps and an SVD for each of them. The reference functions
are pure, so a kept result is the result; each call gets its own copy of an array.
"""

from __future__ import annotations

import hashlib
import types

import numpy as np

MAX_KEPT = 4096
"""Results kept per module; beyond it (a long `grade watch`) new ones are computed as usual."""


class RememberedReference:
    """The reference module `module`, whose functions keep their results."""

    def __init__(self, module: types.ModuleType) -> None:
        self._module = module
        self._kept: dict[bytes, object] = {}

    def __getattr__(self, name: str):
        value = getattr(self._module, name)
        if not isinstance(value, types.FunctionType):
            return value

        def remembered(*args, **kwargs):
            key = _key(name, args, kwargs)
            if key is None:
                return value(*args, **kwargs)
            if key not in self._kept:
                result = value(*args, **kwargs)
                if len(self._kept) >= MAX_KEPT:
                    return result
                self._kept[key] = result
            return _copy(self._kept[key])

        return remembered


def _key(name: str, args: tuple, kwargs: dict) -> bytes | None:
    """A digest of the call's arguments by value (dtype, shape and bytes of an array; type
    and repr of a number, so -0.0 and 0.0 differ), or None if one is of another kind."""
    digest = hashlib.sha256(name.encode())
    for value in (*args, *sorted(kwargs.items())):
        if not _feed(digest, value):
            return None
    return digest.digest()


def _feed(digest, value) -> bool:
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        digest.update(f"a{value.dtype.str}{value.shape}".encode())
        digest.update(np.ascontiguousarray(value).tobytes())
        return True
    if value is None or isinstance(value, (bool, int, float, str, np.floating, np.integer)):
        digest.update(f"s{type(value).__name__}:{value!r};".encode())
        return True
    if isinstance(value, (tuple, list)):
        digest.update(f"{type(value).__name__}{len(value)}(".encode())
        return all(_feed(digest, item) for item in value)
    return False


def _copy(result):
    if isinstance(result, np.ndarray):
        return result.copy()
    if isinstance(result, (tuple, list)):
        return type(result)(_copy(item) for item in result)
    return result
