"""The pytest plugin that turns hidden check functions into graded results.

It hands each check the `submission` proxy and the `reference` module for its exercise,
skips a check while the one it depends on fails, and records every outcome as a
`CheckResult` with the learner-facing message, so nothing is read from pytest's output.
"""

from __future__ import annotations

import importlib
import traceback

import pytest
from hypothesis.errors import Flaky

from grader import replay
from grader.catalog import by_checks_module
from grader.checkspec import CheckSpec
from grader.failures import Abort, LearnerFailure
from grader.remembered_reference import RememberedReference
from grader.results import GRADER_BROKE, CheckResult, Status
from grader.submission import Submission
from grader.text import tail

REPLAY_BUDGET = 3.0
"""Seconds of the learner's own CPU time one exercise's replays may take (a correct solution
needs well under 0.5 s) before the exercise is graded from scratch instead."""
_references: dict[str, RememberedReference] = {}
FLAKY = ("Your function gave different results for the same input. Make it depend only on "
         "its arguments (no global state, no randomness), then grade again.")


class GradingPlugin:
    def __init__(self, submissions: dict[str, Submission], *,
                 replay_only: dict[str, set[str]] | None = None,
                 replay_spent: dict[str, float] | None = None) -> None:
        """`replay_only`: a second pass (`grader.grading`), which replays only these checks
        (by module, the checks that passed their replay in the first pass), draws the others
        and records nothing; `replay_spent`: the replay time the first pass used, by module
        (REPLAY_BUDGET covers both passes)."""
        self.submissions = submissions
        self.replay_only = replay_only
        self.results: dict[str, list[CheckResult]] = {module: [] for module in submissions}
        self._status: dict[tuple[str, str], Status] = {}
        self._unblocked: set[tuple[str, str]] = set()
        """Checks that failed on form alone: the checks after them still grade the values."""
        self._said: list[str] = []
        self.interrupted = False
        """True when the user pressed Ctrl-C (pytest reports a broken checks module the same way)."""
        self.replay_time: dict[str, float] = dict(replay_spent or {})
        self.unreplayed: set[str] = set()
        """Checks modules where a replay failed: their results are to be thrown away."""
        self.replay_passed: dict[str, set[str]] = {}
        """By checks module, the checks whose every replayed input passed. In the first pass
        the replays go on after one fails (without recording results), to learn this."""
        self._unlearnable: set[str] = set()
        """Modules where learning stopped: replay gave up on slow code, or a call was cut off."""

    def pytest_addoption(self, parser: pytest.Parser) -> None:
        # pytest's own text for a failure is never shown (`_record` reads the exception), but
        # it is made for every failure: the default long form parses the source of every
        # frame, hypothesis's included (about 0.2 s a failing check). The terminal plugin,
        # switched off here, owns `--tb`; this gives its setting the cheap native form.
        parser.addoption("--l1lab-traceback", dest="tbstyle", default="native",
                         help="pytest's traceback style for the grader's checks")

    @pytest.fixture(scope="module")
    def submission(self, request) -> Submission:
        submission = self.submissions[request.module.__name__]
        submission.begin(getattr(request.module, "AHEAD", ()))  # `grader.ahead.Ahead`
        yield submission
        submission.stop()  # ends while the next exercise is graded; `grading` closes it

    @pytest.fixture(scope="module")
    def reference(self, request):
        """The reference solution module, its results kept for this process and its forks
        (`grader.remembered_reference`); None in a student copy, which has no solutions/.

        Hidden checks may rely on it; a visible check may use it only for extra feedback.
        """
        name = "solutions." + by_checks_module(request.module.__name__).name
        if name not in _references:
            try:
                _references[name] = RememberedReference(importlib.import_module(name))
            except ModuleNotFoundError:
                return None
        return _references[name]

    @pytest.fixture(scope="module")
    def say(self):
        """`say(text)`: add a line to the learner's feedback for this check, shown even on a pass."""
        return self._said.append

    def pytest_keyboard_interrupt(self, excinfo) -> None:
        # pytest stops on a collection error with Session.Interrupted, a KeyboardInterrupt
        # subclass: only the real one is the user's Ctrl-C.
        self.interrupted = excinfo.type is KeyboardInterrupt

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items[:] = [
            item for item in items
            if _spec(item) is not None and item.module.__name__ in self.submissions
        ]

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        spec = _spec(item)
        self._said.clear()
        if item.module.__name__ in self.unreplayed and not self._learning(item):
            pytest.skip("Graded again without replay.")
        self.submissions[item.module.__name__].call_timeout = (
            spec.timeout or self.submissions[item.module.__name__].default_timeout)
        before = (item.module.__name__, spec.after)
        if self._status.get(before, Status.PASSED) is not Status.PASSED and before not in self._unblocked:
            title = next(r.title for r in self.results[item.module.__name__] if r.name == spec.after)
            pytest.skip(f'Skipped until "{title}" passes.')

    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> bool | None:
        """Replay a hypothesis check's recorded inputs (`grader.replay`) instead of drawing them.

        If one fails, the exercise goes into `unreplayed`: its results are thrown away and
        `grader.grading` grades it again in a new worker, drawing the checks that did not pass
        their replay, so what the learner sees is exactly what grading alone would show. Its
        later hypothesis checks are still replayed here, only to learn which pass. Slow code
        gives up replaying after REPLAY_BUDGET seconds of its own time (both passes together),
        so that grading it again costs at most that much more than grading it alone."""
        calls = replay.recorded(pyfuncitem.nodeid)
        handle = getattr(pyfuncitem.obj, "hypothesis", None)
        module = pyfuncitem.module.__name__
        if calls is None or handle is None:
            return None
        if self.replay_only is not None and pyfuncitem.nodeid not in self.replay_only.get(module, ()):
            return None  # a second pass draws what did not pass its replay
        submission = self.submissions[module]
        started = submission.time_left
        spent = self.replay_time.get(module, 0.0)

        def over_budget() -> bool:
            return spent + started - submission.time_left > REPLAY_BUDGET

        learning = module in self.unreplayed
        plan, planned = replay.plan(pyfuncitem.nodeid), None
        try:
            with submission.planned(plan) as planned:
                passed = replay.replay(handle.inner_test, _fixtures(pyfuncitem), calls,
                                       stop=over_budget)
        except Abort:  # a time limit or a crash: final, unless the result is thrown away
            if not learning and not (planned and planned.untaken):  # (calls after it ran)
                raise
            self._unlearnable.add(module)
            passed = False
        else:
            passed = passed and not planned.untaken
            if passed and plan is None:
                replay.keep_plan(pyfuncitem.nodeid, planned.made)
        self.replay_time[module] = spent + started - submission.time_left
        if passed:
            self.replay_passed.setdefault(module, set()).add(pyfuncitem.nodeid)
        else:
            self.unreplayed.add(module)
            if self.replay_time[module] > REPLAY_BUDGET:  # slow code: grade it from scratch
                self._unlearnable.add(module)
                self.replay_passed.pop(module, None)
        return True

    def _learning(self, item: pytest.Item) -> bool:
        """Whether `item`, in a module whose replay failed, is still replayed in the first
        pass, only to learn whether it passes (its result is thrown away)."""
        return (self.replay_only is None and item.module.__name__ not in self._unlearnable
                and getattr(getattr(item, "obj", None), "hypothesis", None) is not None
                and replay.recorded(item.nodeid) is not None)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        """Record the inputs of a hypothesis check that passes, when replay is on."""
        handle = getattr(getattr(item, "obj", None), "hypothesis", None)
        if (handle is None or not replay.enabled() or self.replay_only is not None
                or replay.recorded(item.nodeid) is not None):
            return (yield)
        original = handle.inner_test
        handle.inner_test, calls = replay.recorder(original, set(_fixtures(item)))
        submission = self.submissions[item.module.__name__]
        try:
            with submission.planned(None) as planned:
                result = yield
        finally:
            handle.inner_test = original
        replay.keep(item.nodeid, calls)
        replay.keep_plan(item.nodeid, planned.made)
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self._record(item, call, report)
        return report

    def _record(self, item: pytest.Item, call: pytest.CallInfo, report) -> None:
        spec = _spec(item)
        result = CheckResult(name=spec.name, title=spec.title, status=Status.PASSED,
                             score=spec.points, max_score=spec.points, visibility=spec.visibility)
        if report.skipped:
            result.status, result.score = Status.SKIPPED, 0
            result.message = str(call.excinfo.value.msg) if call.excinfo else "Skipped."
        elif report.failed:
            result.score = 0
            error = call.excinfo.value
            if isinstance(error, Flaky) and _learner_failure_in(error) is not None:
                result.status, result.kind, result.message = Status.FAILED, "failed", FLAKY
            elif isinstance(error, (LearnerFailure, Abort)):
                result.status, result.kind = Status.FAILED, error.kind
                result.message = feedback(str(error), spec, lesson_hint=error.teaches)
                if not getattr(error, "blocks", True):
                    self._unblocked.add((item.module.__name__, spec.name))
            else:
                result.status, result.kind = Status.ERROR, "error"
                result.message = GRADER_BROKE
                result.details = tail("".join(traceback.format_exception(error)), 4000)
        if self._said:
            said = "\n".join(self._said)
            result.message = f"{said}\n{result.message}" if result.message else said
        self._status[(item.module.__name__, spec.name)] = result.status
        self.results[item.module.__name__].append(result)


def feedback(problem: str, spec: CheckSpec, *, lesson_hint: bool = True) -> str:
    """The learner's message: what went wrong, the lesson idea it breaks, one hint."""
    first = problem
    if not first.endswith((".", "?", "!")):
        first += "."
    if not lesson_hint:
        return first
    return f"{first}\n{spec.idea}\nHint: {spec.hint}"


def _fixtures(item: pytest.Function) -> dict:
    """The fixture values pytest passes to `item`'s function, by name."""
    return {name: item.funcargs[name] for name in item._fixtureinfo.argnames}


def _spec(item: pytest.Item) -> CheckSpec | None:
    return getattr(getattr(item, "function", None), "check_spec", None)


def _learner_failure_in(error: BaseException) -> BaseException | None:
    for inner in getattr(error, "exceptions", ()):
        if isinstance(inner, (LearnerFailure, Abort)):
            return inner
    return None
