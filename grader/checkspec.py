"""The one decorator every check wears, and what it declares."""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass
from typing import Callable, Literal

from hypothesis import settings

from grader.ahead import Ahead  # noqa: F401  (checks modules declare theirs with it)
from grader.determinism import configure

configure()  # the grading profile, before any check builds its `@settings`

Visibility = Literal["visible", "hidden"]


@dataclass(frozen=True)
class CheckSpec:
    """What a check declares about itself; its docstring's first line is its title."""

    name: str
    title: str
    points: int
    idea: str
    """One sentence: the idea of the lesson that a failure of this check breaks."""
    hint: str
    """One short nudge towards the fix, never the reference code."""
    visibility: Visibility
    """"hidden" checks run at submission but are left out of the student copy."""
    after: str | None
    """The check that must pass first; while it fails this one is skipped."""
    timeout: float | None
    """CPU seconds each call of the learner's code may use in this check (default: the grader's)."""
    function: str | None = None
    """The learner's function whose hints help when this check fails: the one named in
    `@check(function=...)`, else the first the check calls (`submission.NAME(...)`)."""


def check(*, points: int, idea: str, hint: str, visibility: Visibility = "visible",
          after: Callable | None = None, examples: int | None = None,
          timeout: float | None = None, function: str | None = None) -> Callable:
    """Declare a pytest function as a graded check.

    Put it above `@given`. The docstring's first line is the title the learner sees.
    `examples` overrides how many inputs hypothesis generates (the profile's default
    otherwise), on top of the pinned `@example`s; `timeout` gives each call of the
    learner's code more (or less) time than the grader's default. `function` names the
    learner's function whose hints `grade hint` gives when this check fails first.

    What a check draws must not depend on what the learner's code returned: no `assume`,
    `target` or `st.data()` draws after calling it. `grade batch` replays the inputs drawn
    for the reference (`grader.replay`); tests/grader/test_replay.py checks this holds.
    """
    if points < 0 or visibility not in ("visible", "hidden"):
        raise ValueError("points must be >= 0 and visibility 'visible' or 'hidden'")

    def decorate(test: Callable) -> Callable:
        doc = inspect.getdoc(test)
        if not doc:
            raise ValueError(f"check {test.__name__} needs a docstring: it is the learner's title")
        test.check_spec = CheckSpec(
            name=test.__name__.removeprefix("test_"), title=doc.splitlines()[0].rstrip("."),
            points=points, idea=idea, hint=hint, visibility=visibility,
            after=None if after is None else after.check_spec.name, timeout=timeout,
            function=function or next(iter(_called_functions(test)), None),
        )
        return test if examples is None else settings(max_examples=examples)(test)

    return decorate


def _called_functions(test: Callable) -> tuple[str, ...]:
    """The names the check's body looks up on `submission`, in the order they appear."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(test)))
    except (OSError, TypeError, SyntaxError):
        return ()
    names = [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
             and isinstance(node.value, ast.Name) and node.value.id == "submission"]
    return tuple(dict.fromkeys(names))
