"""Checks for exercise 2: clamped_update(w, grad, lr, lam) = soft-threshold(w - lr*grad, lr*lam).

Floating point: a correct answer may compute v = w - lr*grad and the shrink in several
orders, each rounding differently, by a few units of the *inputs'* size (not the result's,
which can be tiny after cancellation). So every entry gets a tolerance of a few eps times
|w| + |lr*grad| + lr*lam. Where |v| lies within that tolerance of lr*lam, both 0 and the
barely-shrunk value are right. Everywhere else a zero must be exactly 0.0.
"""

import numpy as np
from hypothesis import example, given

from grader.checkspec import check
from grader.checks.strategies import (learning_rates, long_weight_vectors, positive_strengths,
                                      update_problems, weight_vectors)
from grader.compare import EPS, expect_mask
from grader.failures import Inconsistent

A = np.array


def _tolerance(w, grad, lr, lam):
    return 8 * EPS * (np.abs(w) + np.abs(lr * grad) + lr * lam)


def _near_threshold(w, grad, lr, lam):
    """Entries where rounding decides whether the weight lands on zero."""
    return np.abs(np.abs(w - lr * grad) - lr * lam) <= _tolerance(w, grad, lr, lam)


def acceptable(got, expected, w, grad, lr, lam):
    """Per entry: exactly 0 where it must be, otherwise within the tolerance."""
    close = np.abs(got - expected) <= _tolerance(w, grad, lr, lam)
    must_be_zero = (expected == 0) & ~_near_threshold(w, grad, lr, lam)
    return np.where(must_be_zero, got == 0, close | (_near_threshold(w, grad, lr, lam) & (got == 0)))


@check(points=1, idea="One update returns one new weight per old weight.",
       hint="Compute with numpy into a new array; do not write into w or grad.", examples=5)
@given(problem=update_problems())
@example(problem=(A([1.0, -2.0, 0.0]), A([0.5, 0.5, 0.5]), 0.1, 1.0))
def test_returns_array(submission, problem):
    """Returns a new float array shaped like w, leaving w and grad unchanged"""
    w, grad, lr, lam = problem
    submission.clamped_update(w, grad, lr, lam).array(shape=w.shape, form=True)


@check(points=2, idea="An L1 step is the data step, then a move of lr * lam towards zero "
       "that stops at zero.", hint="Take v = w - lr * grad first, then shrink |v| by lr * lam.",
       visibility="hidden", after=test_returns_array, examples=40)
@given(problem=update_problems())
@example(problem=(A([0.0]), A([0.5]), 1.0, 1.0))
@example(problem=(A([0.3]), A([1.0]), 1.0, 0.1))
@example(problem=(A([5.0, 0.002, -3.0]), A([0.0, 0.0, 1.0]), 0.1, 0.5))
def test_matches_reference(submission, reference, problem):
    """Every weight ends where one clamped L1 step puts it"""
    w, grad, lr, lam = problem
    out = submission.clamped_update(w, grad, lr, lam)
    got = out.array(shape=w.shape)
    expected = reference.clamped_update(w, grad, lr, lam)
    expect_mask(out.call, got, expected, acceptable(got, expected, w, grad, lr, lam))


@check(points=2, idea="A weight that the L1 push would carry past zero is clamped to exactly 0: "
       "that is how L1 makes exact zeros.",
       hint="Where |v| <= lr * lam the result must be exactly 0.0, not a tiny number and not "
       "a weight on the other side of zero.", after=test_returns_array)
@given(problem=update_problems())
@example(problem=(A([0.002]), A([0.0]), 0.1, 1.0))
@example(problem=(A([0.0]), A([0.5]), 1.0, 1.0))
@example(problem=(A([0.3]), A([1.0]), 0.5, 1.0))
@example(problem=(A([0.3]), A([1.0]), 1.0, 0.5))
@example(problem=(A([1.5]), A([0.0]), 2.0, 1.0))
def test_exact_zeros(submission, problem):
    """A weight the step would carry past zero ends at exactly 0.0"""
    w, grad, lr, lam = problem
    out = submission.clamped_update(w, grad, lr, lam)
    got = out.array(shape=w.shape)
    v = w - lr * grad
    crossing = (np.abs(v) < lr * lam) & ~_near_threshold(w, grad, lr, lam)
    expect_mask(out.call, got, np.where(crossing, 0.0, got), ~crossing | (got == 0))


@check(points=2, idea="L1 moves every surviving weight towards zero by the same fixed amount, "
       "lr * lam, however big it is.",
       hint="Shrink |v| by lr * lam and keep the sign of v (not of the old w).",
       after=test_returns_array)
@given(problem=update_problems(lams=positive_strengths()))
@example(problem=(A([5.0, -5.0]), A([0.0, 0.0]), 0.1, 1.0))
@example(problem=(A([0.3]), A([1.0]), 1.0, 0.1))
@example(problem=(A([1.0]), A([1.0]), 0.5, 0.2))
def test_shrinks_by_lr_lam(submission, problem):
    """A weight that stays nonzero moves towards zero by exactly lr * lam"""
    w, grad, lr, lam = problem
    out = submission.clamped_update(w, grad, lr, lam)
    got = out.array(shape=w.shape)
    v = w - lr * grad
    survives = (np.abs(v) > lr * lam) & ~_near_threshold(w, grad, lr, lam)
    expected = np.where(survives, np.sign(v) * (np.abs(v) - lr * lam), got)
    ok = ~survives | (np.abs(got - expected) <= _tolerance(w, grad, lr, lam))
    expect_mask(out.call, got, expected, ok)


@check(points=2, idea="A weight at zero stays exactly zero unless its data gradient is stronger "
       "than lam: L1 only keeps weights that justify their existence.",
       hint="At w = 0 use the sign of v = w - lr * grad, not the sign of w (which is 0).",
       after=test_returns_array)
@given(grad=weight_vectors(), lr=learning_rates(), lam=positive_strengths())
@example(grad=A([0.5]), lr=1.0, lam=1.0)
@example(grad=A([0.5, -2.0, 1.5]), lr=0.1, lam=1.0)
def test_zero_stays_zero(submission, grad, lr, lam):
    """A weight at zero stays at zero unless |grad| > lam"""
    zeros = np.zeros_like(grad)
    out = submission.clamped_update(zeros, grad, lr, lam)
    got = out.array(shape=grad.shape)
    near = _near_threshold(zeros, grad, lr, lam)
    stays, moves = (np.abs(grad) <= lam) & ~near, (np.abs(grad) > lam) & ~near
    expected = np.where(stays, 0.0, -np.sign(grad) * (lr * np.abs(grad) - lr * lam))
    expect_mask(out.call, got, expected, ~(stays & (got != 0)) & ~(moves & (got == 0)))


@check(points=1, idea="With lam = 0 there is no L1 push: the step is plain gradient descent.",
       hint="With lam = 0 nothing should be clamped: the result is w - lr * grad.",
       after=test_returns_array)
@given(problem=update_problems())
@example(problem=(A([1.0, -1.0]), A([1.0, -1.0]), 0.5, 0.0))
@example(problem=(A([0.0005]), A([0.0]), 1.0, 0.0))
def test_plain_descent_at_lam_zero(submission, problem):
    """With lam = 0 it is plain gradient descent, w - lr * grad"""
    w, grad, lr, _ = problem
    out = submission.clamped_update(w, grad, lr, 0.0)
    got = out.array(shape=w.shape)
    expected = w - lr * grad
    expect_mask(out.call, got, expected, np.abs(got - expected) <= _tolerance(w, grad, lr, 0.0))


@check(points=1, idea="Shrinking towards zero and clamping never pushes two weight vectors apart.",
       hint="Each weight should move by at most lr * lam beyond its data step, never past zero.",
       after=test_returns_array)
@given(problem=update_problems(max_size=2), other=weight_vectors(max_size=2))
@example(problem=(A([1.0]), A([0.0]), 1.0, 3.0), other=A([0.0]))
@example(problem=(A([0.1]), A([1.0]), 1.0, 1.0), other=A([0.0]))
@example(problem=(A([0.0]), A([0.5]), 1.0, 1.0), other=A([1.0]))
def test_non_expansive(submission, problem, other):
    """Two weight vectors never end up further apart than they started"""
    w, grad, lr, lam = problem
    w2 = np.resize(other, w.shape)
    first = submission.clamped_update(w, grad, lr, lam)
    one = first.array(shape=w.shape)
    second = submission.clamped_update(w2, grad, lr, lam)
    two = second.array(shape=w.shape)
    slack = _tolerance(w, grad, lr, lam) + _tolerance(w2, grad, lr, lam)
    if np.any(np.abs(one - two) > np.abs(w - w2) + slack):
        raise Inconsistent(first.call, one, second.call, two,
                           "The two results are further apart than the two w's were; "
                           "one L1 step never pushes two weights apart.")


@check(points=1, idea="The update works weight by weight, for any number of weights.",
       hint="Avoid anything that depends on the length of w.", visibility="hidden",
       after=test_matches_reference)
@given(w=long_weight_vectors(), lr=learning_rates(), lam=positive_strengths())
def test_long_arrays(submission, reference, w, lr, lam):
    """Works on long arrays (thousands of weights)"""
    grad = np.roll(w, 1) * 0.5
    out = submission.clamped_update(w, grad, lr, lam)
    got = out.array(shape=w.shape)
    expected = reference.clamped_update(w, grad, lr, lam)
    expect_mask(out.call, got, expected, acceptable(got, expected, w, grad, lr, lam))
