"""A replay's calls sent in batches (`grader.planned_calls`): the worker runs a call only if
the checks make it, in the order they make it, or the replay counts as failed.

The learner's function here answers with how many times it has been called, so each
answer shows which calls the worker really ran."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import catalog, planned_calls
from grader.sandbox.worker import Worker
from grader.planned_calls import Plan, Unplanned
from grader.submission import Submission

COUNTING = """
import numpy as np

calls = 0


def sign_gradient(w, lam):
    global calls
    calls += 1
    return np.full(w.shape, float(calls))
"""


@pytest.fixture
def counted(tmp_path, monkeypatch):
    """A submission of COUNTING, and the list of exchanges with its worker (calls sent)."""
    path = tmp_path / "exercise1.py"
    path.write_text(COUNTING)
    exchanges: list[int] = []
    original = Worker._exchange

    def exchange(self, header, payload, calls, *rest):
        exchanges.append(calls)
        return original(self, header, payload, calls, *rest)

    monkeypatch.setattr(Worker, "_exchange", exchange)
    made = Submission(path, catalog.find("exercise1"))
    yield made, exchanges
    made.close()


def planned(*ws) -> list[dict]:
    return [{"function": "sign_gradient", "args": [np.array(w, dtype=float), 1.0]} for w in ws]


def ran(outcome) -> int:
    return int(outcome.value.ravel()[0])


def test_a_plan_taken_as_made_answers_every_call_in_one_exchange(counted):
    made, exchanges = counted
    ws = [[1.0], [2.0, -1.0], [0.0], [-0.0, 5.0]]
    with made.planned(planned(*ws)) as plan:
        answers = [ran(made.sign_gradient(np.array(w), 1.0)) for w in ws]
    assert answers == [1, 2, 3, 4]
    assert exchanges == [4] and not plan.untaken
    assert [c["args"][0].tolist() for c in plan.made] == ws


def test_a_call_that_differs_before_its_batch_was_sent_is_made_alone(counted, monkeypatch):
    monkeypatch.setattr(planned_calls, "PLAN_CALLS", 2)
    made, exchanges = counted
    with made.planned(planned([1.0], [2.0], [3.0], [4.0])) as plan:
        first = [ran(made.sign_gradient(np.array([w]), 1.0)) for w in (1.0, 2.0)]
        other = ran(made.sign_gradient(np.array([9.0]), 1.0))
        after = ran(made.sign_gradient(np.array([4.0]), 1.0))
    assert first == [1, 2] and other == 3 and after == 4  # [3.0] and [4.0] as planned never ran
    assert exchanges == [2, 1, 1] and not plan.untaken


@pytest.mark.parametrize("sent", [[0.0], [1.0 + 2.0 ** -52]], ids=["-0.0", "one ulp"])
def test_a_call_that_differs_from_one_already_sent_fails_the_replay(counted, sent):
    made, _ = counted
    differs = np.array([-0.0]) if sent == [0.0] else np.array([1.0])
    with made.planned(planned([1.0], sent)):
        assert ran(made.sign_gradient(np.array([1.0]), 1.0)) == 1
        with pytest.raises(Unplanned):
            made.sign_gradient(differs, 1.0)


def test_answers_fetched_and_not_taken_fail_the_replay(counted):
    made, _ = counted
    with made.planned(planned([1.0], [2.0], [3.0])) as plan:
        ran(made.sign_gradient(np.array([1.0]), 1.0))
    assert plan.untaken


def test_a_plan_naming_what_the_exercise_does_not_have_is_not_used(counted):
    made, exchanges = counted
    foreign = [{"function": "os.system", "args": ["rm -rf /"]}]
    with made.planned(planned([1.0]) + foreign) as plan:
        assert ran(made.sign_gradient(np.array([1.0]), 1.0)) == 1
    assert exchanges == [1] and not plan.untaken


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
    | st.sampled_from(["sign_gradient", "function", "args"])
    | st.sampled_from([np.zeros(2), np.zeros(2, dtype=np.int64), np.zeros(0, dtype=bool)]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["function", "args"]) | st.text(max_size=3), inner, max_size=3),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(calls=values)
def test_any_plan_a_cache_file_may_hold_is_refused_or_well_formed(calls):
    """The plan comes from a file in the user's cache: whatever it holds, checking it never
    breaks, only calls of the exercise's own functions with float arguments are used, and
    a plan that is used can be sent."""
    usable = Plan.usable(calls, {"sign_gradient"})
    assert usable == (isinstance(calls, list) and all(
        type(c) is dict and sorted(c) == ["args", "function"] and isinstance(c["function"], str)
        and c["function"] == "sign_gradient"
        and isinstance(c["args"], list) and all(
            type(a) is float or isinstance(a, np.ndarray) and a.dtype == np.float64
            for a in c["args"]) for c in calls))
    if usable:
        assert [planned_calls._wired(**c)[0] for c in calls] == ["sign_gradient"] * len(calls)
