"""Fixtures of the adversarial suite; the promises themselves are in `harness.py`."""

from __future__ import annotations

import pytest

from harness import SUBMISSIONS, grade_file

# The hostile folders ship their own conftest.py and pytest.ini: never collect them here.
collect_ignore = ["submissions"]


@pytest.fixture
def hostile():
    """`hostile("name")` grades `submissions/name.py` as exercise1 under the harness."""
    return lambda name, **options: grade_file(SUBMISSIONS / f"{name}.py", **options)
