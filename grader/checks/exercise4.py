"""Checks for exercise 4: lasso_fit(X, y, lam) and selected_features(w), then the story.

Fairness: every small problem is well conditioned (strategies.py says how), and the story
data set is built so that plain ISTA (500 steps at lr = 1/L from w = 0) meets every
tolerance here with room to spare; tests/grader/test_exercise4_fairness.py and
test_exercise4_housing.py prove it with exactly that solver. The tolerances follow from
the objective's: within 1e-6 relative of the optimum, and optimality conditions within
1e-4 of the size of the data gradient, which a solver that close to the optimum meets.
"""

from __future__ import annotations

import functools
import importlib
import weakref
from dataclasses import replace

import numpy as np
from hypothesis import example, given

from grader.checks import housing, lasso
from grader.checks.story import AHEAD, STORY_TIMEOUT, story_arguments  # noqa: F401 (AHEAD)
from grader.checkspec import check
from grader.checks.strategies import (dead_lasso_problems, lam_max, lasso_problems,
                                      orthogonal_problems, selection_weight_vectors)
from grader.compare import expect_mask
from grader.failures import (BadReturn, Diverged, Mismatch, NamedCall, Stalled, Suboptimal,
                             TimedOut, Violation)

A = np.array
SMALL_TIMEOUT = 10.0
"""CPU seconds per call on a small problem: the reference needs about 5 ms."""
TOO_SLOW = ("The reference needs under a second. Do each step with whole-array products "
            "(X @ w and X.T @ r) instead of Python loops over the entries of X.")
STORY_FIT = "lasso_fit(X, y, lam=1.0) on the house-price data (1,000 houses x 1,000 features)"
STORY_SELECT = "selected_features(lasso_fit(X, y, lam=1.0)) on the house-price data"
SHOWN_NAMES = 12

# Pinned problems, each well conditioned (condition number of X at most 1.5). Together they
# catch the usual wrong solvers at once, before hypothesis searches and shrinks.
ORTHOGONAL = (A([[1.0, 1.0], [1.0, -1.0]]), A([3.0, 1.0]), 3.0)  # optimum [0.5, 0.0]
TALL = (A([[2.0, 3.0], [0.0, 3.0], [3.0, 2.0]]), A([3.0, -1.0, 1.0]), 1.5)  # [0.5192..., 0.0]
MIXED = (A([[2.0, 1.0], [0.0, 1.0], [1.0, -1.0]]), A([3.0, 1.0, -2.0]), 0.5)  # both nonzero
SCALED = (10 * TALL[0], TALL[1], 15.0)  # a fixed learning rate that suits X fails here
# Clamping with the old w's sign (and v's only where w is 0) settles on a wrong point here.
HYBRID = (A([[2.0, -4.0, 4.0], [-2.0, 1.0, 2.0], [2.0, 2.0, 1.0]]) / 3, A([0.5, 0.5, 0.5]), 7 / 72)


@functools.cache
def reference_tools():
    """`solutions.lasso`: the reference's ISTA step and the story's exact optimum, loaded in
    the grader's own process (never the worker) when a check first needs them. None in a
    student copy, which holds nothing that computes an answer: feedback there leaves out the
    diagnoses that need them."""
    try:
        return importlib.import_module("solutions.lasso")
    except ModuleNotFoundError:
        return None


def reference_step():
    """The reference's one step (`lasso.Step`), or None in a student copy."""
    tools = reference_tools()
    return tools.ista_step if tools is not None else None


def story_optimum(data: housing.Housing) -> np.ndarray:
    """The exact optimum on the story data, from the reference (full course only)."""
    signs = np.sign(data.coefficients[data.support])
    return reference_tools().optimum_on_support(data.X, data.y, data.support, signs, housing.LAM)


def fitted(out, p: int, *, form: bool = False) -> np.ndarray:
    """The learner's weights; inf or NaN is called what it is, divergence.

    With `form` (the first check) only the kind of result is looked at, so a diverging loop
    fails the checks whose lesson idea and hint are about reaching the minimum instead.
    """
    if form:
        return out.array(shape=(p,), form=True)
    try:
        return out.array(shape=(p,))
    except BadReturn:
        value = out.value
        if value is not None and value.size == p and not np.all(np.isfinite(value)):
            raise Diverged(out.call, value) from None
        raise


@check(points=1, idea="Training returns one weight per feature and leaves the data as it was.",
       hint="Start from w = np.zeros(X.shape[1]) and build new arrays; never write into X or y.",
       examples=5, timeout=SMALL_TIMEOUT)
@given(problem=lasso_problems())
@example(problem=ORTHOGONAL)
def test_returns_weights(submission, problem):
    """Returns a new array of p weights, leaving X and y unchanged"""
    X, y, lam = problem
    fitted(submission.lasso_fit(X, y, lam), X.shape[1], form=True)


@check(points=2, idea="When lam is at least max|2 X.T y / n|, no feature's data gradient at "
       "w = 0 is stronger than lam, so w = 0 is optimal: every weight stays exactly 0.",
       hint="From w = 0 the first step gives |v_i| <= lr * lam for every i; the clamp must "
       "turn each of them into exactly 0.0.", after=test_returns_weights,
       examples=8, timeout=SMALL_TIMEOUT)
@given(problem=dead_lasso_problems())
@example(problem=(MIXED[0], MIXED[1], 4.5))
@example(problem=(ORTHOGONAL[0], ORTHOGONAL[1], 4.5))
def test_zero_above_lam_max(submission, problem):
    """With lam >= max|2 X.T y / n| every weight is exactly 0"""
    X, y, lam = problem
    out = submission.lasso_fit(X, y, lam)
    got = fitted(out, X.shape[1])
    expect_mask(out.call, got, np.zeros_like(got), got == 0,
                note=f"(lam = {lam:.6g} is at least max|2 X.T y / n| = {lam_max(X, y):.6g})")


@check(points=2, idea="With orthogonal features each weight is on its own: the optimum is "
       "X.T y / n moved towards zero by lam / 2, and exactly 0 where that would cross zero.",
       hint="Here L = 2, so lr = 1/2 and the first clamped step from w = 0 already lands on "
       "the answer: check the factor 2 in the gradient and the clamp.",
       after=test_returns_weights, examples=8, timeout=SMALL_TIMEOUT)
@given(problem=orthogonal_problems())
@example(problem=ORTHOGONAL)
def test_orthogonal_design(submission, problem):
    """With orthogonal features (X.T @ X = n I) it returns soft(X.T y / n, lam / 2)"""
    X, y, lam = problem
    out = submission.lasso_fit(X, y, lam)
    got = fitted(out, X.shape[1])
    b = X.T @ y / X.shape[0]
    expected = np.sign(b) * np.maximum(np.abs(b) - lam / 2, 0.0)
    tolerance = 1e-9 * (np.abs(b) + lam)
    near = np.abs(np.abs(b) - lam / 2) <= tolerance
    close = np.abs(got - expected) <= tolerance
    ok = np.where((expected == 0) & ~near, got == 0, close | (near & (got == 0)))
    expect_mask(out.call, got, expected, ok)


@check(points=3, idea="At the Lasso minimum a nonzero weight's data gradient balances lam "
       "exactly and a zero weight's is at most lam in size: only features that justify their "
       "existence survive.",
       hint="Take all the steps at lr = 1/L and clamp with the sign of v; then compare "
       "(2/n) * X.T @ (y - X @ w) with lam yourself.", after=test_returns_weights,
       examples=12, timeout=SMALL_TIMEOUT)
@given(problem=lasso_problems())
@example(problem=TALL)
@example(problem=SCALED)
@example(problem=MIXED)
@example(problem=HYBRID)
def test_optimality_conditions(submission, reference, problem):
    """The weights meet the optimality (KKT) conditions of the Lasso"""
    X, y, lam = problem
    out = submission.lasso_fit(X, y, lam)
    got = fitted(out, X.shape[1])
    found = lasso.first_kkt_violation(X, y, got, lam, lasso.kkt_tolerance(X, y, lam))
    if found is not None:
        j, g_j = found
        note = lasso.kkt_note(j, got[j], g_j, lam)
        if reference is None:  # a student copy: no reference to diagnose against
            raise Violation(out.call, got, note)
        best = reference.lasso_fit(X, y, lam)
        note += " " + lasso.diagnose(X, y, lam, got, best, step=reference_step())
        raise Mismatch(out.call, got, best, note=note, index=j)


@check(points=2, idea="Lasso training minimises mean((X @ w - y)**2) + lam * ||w||_1; "
       "any method that reaches the minimum is right.",
       hint="Run all 500 steps at lr = 1/L from w = 0; stopping early or using a smaller step "
       "leaves you above the minimum.", visibility="hidden", after=test_returns_weights,
       examples=8, timeout=SMALL_TIMEOUT)
@given(problem=lasso_problems())
@example(problem=TALL)
@example(problem=SCALED)
@example(problem=HYBRID)
def test_objective_at_minimum(submission, reference, problem):
    """The objective is within 1e-6 (relative) of the minimum"""
    X, y, lam = problem
    out = submission.lasso_fit(X, y, lam)
    got = fitted(out, X.shape[1])
    best = reference.lasso_fit(X, y, lam)
    value, optimum = lasso.objective(X, y, got, lam), lasso.objective(X, y, best, lam)
    if value > optimum + lasso.objective_slack(X, y, optimum):
        raise Suboptimal(out.call, got, value, optimum, rtol=lasso.OBJECTIVE_RTOL,
                         note=lasso.diagnose(X, y, lam, got, best, step=reference_step()))


@check(points=2, idea="Feature selection reads the model: a feature is used exactly when its "
       "weight is not 0.0, and L1 makes the others exactly 0.0.",
       hint="Compare with w != 0, not with a small threshold, and return the positions, not "
       "the mask.")
@given(w=selection_weight_vectors())
@example(w=A([0.0, 2.5, 0.0, -1e-30]))
@example(w=A([0.0, -0.0, 0.0]))
@example(w=A([5e-324, 0.0, 7.0]))
def test_selected_features(submission, w):
    """selected_features returns the ascending int indices of the nonzero weights, tiny ones too"""
    out = submission.selected_features(w)
    got, expected = out.indices(), np.flatnonzero(w)
    if not np.array_equal(got, expected):
        index = None
        if got.size == expected.size:
            index = int(np.flatnonzero(got != expected)[0])
        raise Mismatch(out.call, got, expected, index=index,
                       note="(every weight that is not exactly 0.0 counts, however tiny; "
                       "-0.0 is zero)")


_story_weights: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def story_weights(submission) -> np.ndarray:
    """The learner's weights on the house-price data: one call, shared by the story checks."""
    if submission not in _story_weights:
        data = housing.housing()
        try:
            out = submission.lasso_fit(*story_arguments())
        except TimedOut as slow:
            raise TimedOut(NamedCall(slow.call.func, (), (), STORY_FIT), slow.seconds,
                           advice=TOO_SLOW) from None
        except Stalled as stuck:
            raise Stalled(NamedCall(stuck.call.func, (), (), STORY_FIT), stuck.seconds) from None
        out = replace(out, call=NamedCall(out.call.func, (), (), STORY_FIT))
        _story_weights[submission] = fitted(out, data.X.shape[1])
    return _story_weights[submission]


_story_diagnoses: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def warm_up() -> None:
    """Work out once, where gradings fork from (a batch's server, `grade watch`), what the
    story's diagnosis of every wrong answer needs: the step size of the 1,000 x 1,000 data
    (an SVD, 0.25 s of CPU)."""
    if reference_tools() is not None:
        lasso.step_size(housing.housing().X)


def story_diagnosis(submission) -> str:
    """What most likely went wrong with the learner's story weights, worked out once: it
    replays up to 500 steps on the 1,000 x 1,000 data, and two checks show it. Empty in a
    student copy, which has no reference to diagnose against."""
    if reference_tools() is None:
        return ""
    if submission not in _story_diagnoses:
        data = housing.housing()
        _story_diagnoses[submission] = lasso.diagnose(
            data.X, data.y, housing.LAM, story_weights(submission), story_optimum(data),
            step=reference_step())
    return _story_diagnoses[submission]


@check(points=1, idea="The same clamped update trains a real-sized model: 1,000 weights, "
       "500 steps of two matrix-vector products each, well under a second.",
       hint="Compute each step on whole arrays (X @ w and X.T @ r) at lr = 1/L; a larger "
       "step makes the weights blow up.", timeout=STORY_TIMEOUT)
def test_story_trains(submission):
    """Trains on the house-price data (1,000 houses, 1,000 features) in time"""
    story_weights(submission)


@check(points=4, idea="L1 keeps only the features that justify their existence: on the "
       "house-price data, exactly the 50 that move prices, every other weight exactly 0.",
       hint="Clamp with the sign of v, run all the steps at lr = 1/L, and count w != 0 exactly.",
       after=test_story_trains, timeout=STORY_TIMEOUT, function="lasso_fit")
def test_story_keeps_the_50(submission, say):
    """On the house-price data it keeps exactly the 50 features that matter"""
    data, got = housing.housing(), story_weights(submission)
    say(kept_summary(data, got))
    out = submission.selected_features(got)
    call = NamedCall(out.call.func, (), (), STORY_SELECT)
    chosen = replace(out, call=call).indices()
    if not np.array_equal(chosen, data.support):
        note = differences(data, chosen)
        if np.array_equal(chosen, np.flatnonzero(got)) and reference_tools() is not None:
            note += " " + story_diagnosis(submission)
        raise Mismatch(call, chosen, data.support, note=note)


@check(points=3, idea="The lesson's model is the minimum of mean((X @ w - y)**2) + lam * "
       "||w||_1, not just any sparse w: the kept weights must have the right sizes too.",
       hint="Check the factor 2 in the gradient and take all 500 steps at lr = 1/L.",
       after=test_story_trains, timeout=STORY_TIMEOUT)
def test_story_objective(submission):
    """On the house-price data the objective is within 1e-6 (relative) of the minimum"""
    data, got = housing.housing(), story_weights(submission)
    value = lasso.objective(data.X, data.y, got, housing.LAM)
    optimum = housing.OPTIMUM_OBJECTIVE
    if value > optimum + lasso.objective_slack(data.X, data.y, optimum):
        raise Suboptimal(NamedCall("lasso_fit", (), (), STORY_FIT), got, value, optimum,
                         rtol=lasso.OBJECTIVE_RTOL, note=story_diagnosis(submission))


SHOWN_ZEROS = 4


def kept_summary(data: housing.Housing, w: np.ndarray) -> str:
    """What the learner's model kept: how many, the biggest by name, how many exactly 0."""
    kept = np.flatnonzero(w)
    order = kept[np.argsort(-np.abs(w[kept]), kind="stable")]
    shown = ", ".join(f"{data.names[j]} ({w[j]:+.3g})" for j in order[:SHOWN_NAMES])
    more = f" and {kept.size - SHOWN_NAMES} more" if kept.size > SHOWN_NAMES else ""
    lines = [f"Your model keeps {kept.size} of the {w.size:,} features; "
             f"{int(np.sum(w == 0))} of {w.size:,} weights are exactly 0.0."]
    if kept.size:
        lines.append(weight_bars(w))
        lines.append(f"Biggest first: {shown}{more}.")
    zeroed = np.flatnonzero(w == 0)
    if zeroed.size:
        named = ", ".join(data.names[j] for j in zeroed[:SHOWN_ZEROS])
        rest = f" and {zeroed.size - SHOWN_ZEROS} more" if zeroed.size > SHOWN_ZEROS else ""
        lines.append(f"Exactly 0.0, not just small: {named}{rest}.")
    return "\n".join(lines)


BARS = "▁▂▃▄▅▆▇█"
BAR_COLUMNS = 60


def weight_bars(w: np.ndarray) -> str:
    """|w| sorted, largest first, one bar per kept weight (grouped beyond BAR_COLUMNS), then
    the weights that are exactly 0.0 counted, not drawn: that is what L1 does to them."""
    sizes = np.sort(np.abs(w[w != 0]))[::-1]
    groups = np.array_split(sizes, min(sizes.size, BAR_COLUMNS))
    peak = sizes[0]
    bars = "".join(BARS[min(len(BARS) - 1, int(g.max() / peak * len(BARS)))] for g in groups)
    zeros = int(np.sum(w == 0))
    return f"|w| largest first: {bars}" + (f" then {zeros:,} × 0.0" if zeros else "")


def differences(data: housing.Housing, chosen: np.ndarray) -> str:
    """Which features the learner's selection adds and drops, by name."""
    extra = np.setdiff1d(chosen, data.support)
    missing = np.setdiff1d(data.support, chosen)
    parts = []
    if extra.size:
        parts.append(f"it also keeps {_names(data, extra)}, which the optimum sets to exactly 0")
    if missing.size:
        parts.append(f"it drops {_names(data, missing)}, which the prices depend on")
    return "(" + "; ".join(parts) + ".)"


def _names(data: housing.Housing, columns: np.ndarray) -> str:
    named = ", ".join(f"'{data.names[j]}' (index {j})" for j in columns[:3])
    return named + (f" and {columns.size - 3} more" if columns.size > 3 else "")
