"""What check() copies from a notebook's namespace: the functions and what they use."""

from __future__ import annotations

import linecache
import subprocess
import sys
import textwrap

import numpy as np

from grader.catalog import find
from grader.kernel import collect


def cell(namespace: dict, source: str, filename: str) -> None:
    """Run `source` as a notebook cell would: with its text in linecache under `filename`."""
    source = textwrap.dedent(source)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)


def run(source: str) -> dict:
    namespace: dict = {"__name__": "submission"}
    exec(compile(source, "program", "exec"), namespace)
    return namespace


def test_the_functions_come_with_their_modules_helpers_and_plain_values() -> None:
    namespace: dict = {"__name__": "__main__"}
    cell(namespace, """
        import numpy as np
        from numpy import maximum as floor_at
        SHIFT = 0.0
        unused = object()
    """, "/tmp/cell1.py")
    cell(namespace, """
        def shrink(v, t):
            return np.sign(v) * floor_at(np.abs(v) - t + SHIFT, 0.0)
    """, "/tmp/cell2.py")
    cell(namespace, """
        def clamped_update(w, grad, lr, lam):
            v = w - lr * grad
            return shrink(v, lr * lam)
    """, "/tmp/cell3.py")
    program, notes = collect(find("exercise2"), namespace)
    assert notes == []
    assert "unused" not in program.source
    copied = run(program.source)
    args = (np.array([0.3, -2.0, 0.0]), np.array([1.0, 0.0, 0.2]), 1.0, 0.5)
    assert np.array_equal(copied["clamped_update"](*args), namespace["clamped_update"](*args))
    line = program.source.splitlines().index("    return shrink(v, lr * lam)") + 1
    span, in_cell = program.locate(line)
    assert (span.place, in_cell) == ("cell3.py", 4)  # the cell's own line numbers


def test_what_cannot_be_copied_is_named_in_a_note() -> None:
    namespace: dict = {"__name__": "__main__"}
    cell(namespace, """
        import numpy as np
        TABLE = np.ones(3)
        def sign_gradient(w, lam):
            return lam * np.sign(w) * TABLE[0]
    """, "/tmp/cell4.py")
    program, notes = collect(find("exercise1"), namespace)
    assert notes == ["TABLE (ndarray) is not copied: check() takes your functions, the modules "
                     "they import and plain numbers and strings. Define it inside the function "
                     "that uses it."]


def test_a_function_under_another_name_and_a_missing_one() -> None:
    namespace: dict = {"__name__": "__main__"}
    cell(namespace, "def mine(w, lam):\n    return w * 0.0\nsign_gradient = mine\n", "/tmp/c5.py")
    program, _ = collect(find("exercise1"), namespace)
    assert run(program.source)["sign_gradient"](1.0, 2.0) == 0.0
    empty, _ = collect(find("exercise2"), {})
    assert empty.source == "" and empty.kernel


def test_importing_the_package_stays_cheap() -> None:
    done = subprocess.run([sys.executable, "-c", "import sys\nfrom grader import check\n"
                           "print(sorted(m for m in ('numpy', 'pytest', 'hypothesis', 'click') "
                           "if m in sys.modules))"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
