"""Checks for exercise 1: sign_gradient(w, lam) = lam * sign(w)."""

import numpy as np
from hypothesis import example, given

from grader.checkspec import check
from grader.checks.strategies import (long_weight_vectors, nonzero_weights, positive_strengths,
                                      scale_factors, strengths, weight_vectors)
from grader.compare import expect_close, expect_consistent, ulps

A = np.array


@check(points=1, idea="The gradient has one entry per weight.",
       hint="Build a new array with numpy; do not write into w.", examples=5)
@given(w=weight_vectors(), lam=strengths())
@example(w=A([1.0, -2.0, 0.0]), lam=1.0)
def test_returns_array(submission, w, lam):
    """Returns a new float array shaped like w, leaving w unchanged"""
    submission.sign_gradient(w, lam).array(shape=w.shape, form=True)


@check(points=2, idea="The gradient of lam * |w_i| is lam * sign(w_i).",
       hint="Multiply lam by the sign of each weight.", visibility="hidden", examples=40,
       after=test_returns_array)
@given(w=weight_vectors(), lam=strengths())
@example(w=A([5.0, -5.0, -0.001]), lam=0.5)
def test_matches_lam_times_sign(submission, reference, w, lam):
    """Every entry is lam * sign(w_i)"""
    out = submission.sign_gradient(w, lam)
    expected = reference.sign_gradient(w, lam)
    expect_close(out.call, out.array(shape=w.shape), expected, ulps(expected))


@check(points=3, idea="The L1 push has the same size, lam, for w = 100 and for w = 0.001.",
       hint="Use the sign of w, not w itself: the size of the weight must not matter.",
       after=test_returns_array)
@given(w=weight_vectors(elements=nonzero_weights()), lam=positive_strengths())
@example(w=A([100.0, 0.001]), lam=1.0)
@example(w=A([1e-6, -1e6]), lam=0.1)
def test_same_size_for_every_weight(submission, w, lam):
    """Every nonzero weight gets a push of size lam, however big or small it is"""
    out = submission.sign_gradient(w, lam)
    expected = np.where(w > 0, lam, -lam)
    expect_close(out.call, out.array(shape=w.shape), expected, ulps(expected))


@check(points=1, idea="At w = 0 the lesson uses the subgradient 0, as np.sign(0.0) does.",
       hint="Make sure a weight of exactly 0 gives exactly 0, not lam and not NaN.",
       after=test_returns_array)
@given(w=weight_vectors(), lam=positive_strengths())
@example(w=A([0.0]), lam=1.0)
@example(w=A([-0.0, 2.0]), lam=1.0)
def test_zero_at_zero(submission, w, lam):
    """A weight at exactly 0 gets a gradient of exactly 0"""
    w = np.where(np.arange(w.size) % 2 == 0, 0.0, w)
    out = submission.sign_gradient(w, lam)
    got = out.array(shape=w.shape)
    expect_close(out.call, got, np.where(w == 0, 0.0, got), ulps(np.where(w == 0, 0.0, got)))


@check(points=1, idea="|w| is symmetric, so its slope flips sign with w: sign(-w) = -sign(w).",
       hint="Negative weights must get -lam, positive ones +lam.", after=test_returns_array)
@given(w=weight_vectors(elements=nonzero_weights()), lam=positive_strengths())
def test_odd(submission, w, lam):
    """Flipping the sign of every weight flips the sign of the gradient"""
    first = submission.sign_gradient(w, lam)
    plus = first.array(shape=w.shape)
    second = submission.sign_gradient(-w, lam)
    expect_consistent(first.call, plus, second.call, second.array(shape=w.shape), -plus,
                      ulps(plus), rule="Flipping the sign of w should flip the sign of the gradient.")


@check(points=1, idea="The penalty is lam times ||w||_1, so its gradient grows in step with lam.",
       hint="The gradient is lam times something that does not depend on lam.",
       after=test_returns_array)
@given(w=weight_vectors(), lam=positive_strengths(), factor=scale_factors())
def test_linear_in_lam(submission, w, lam, factor):
    """Scaling lam scales the gradient by the same factor"""
    factor = abs(factor)
    first = submission.sign_gradient(w, lam)
    base = first.array(shape=w.shape)
    second = submission.sign_gradient(w, lam * factor)
    expected = base * factor
    expect_consistent(first.call, base, second.call, second.array(shape=w.shape), expected,
                      ulps(expected) + ulps(base) * factor,
                      rule=f"Multiplying lam by {factor:g} should multiply the gradient by {factor:g}.")


@check(points=1, idea="The gradient is computed weight by weight, for any number of weights.",
       hint="Avoid anything that depends on the length of w.", visibility="hidden",
       after=test_matches_lam_times_sign)
@given(w=long_weight_vectors(), lam=strengths())
def test_long_arrays(submission, reference, w, lam):
    """Works on long arrays (thousands of weights)"""
    out = submission.sign_gradient(w, lam)
    expected = reference.sign_gradient(w, lam)
    expect_close(out.call, out.array(shape=w.shape), expected, ulps(expected))

