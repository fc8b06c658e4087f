"""Checks for exercise 3: elastic_net_loss(w, X, y, lam1, lam2).

Floating point: `|got - ref| <= 1e-9 * |ref| + 1e-12 * scale`, where scale bounds the
sizes of everything summed along the way. A relative tolerance alone would fail correct
code whose loss is exactly 0, and X @ w - y may cancel to far less than its terms.
"""

import numpy as np
from hypothesis import example, given
from hypothesis import strategies as st

from grader.checkspec import check
from grader.checks.strategies import (regression_problems, scale_factors, strengths, targets,
                                      weight_vectors)
from grader.compare import expect_close
from grader.failures import show

A = np.array


def _scale(w, X, y, lam1, lam2):
    """A bound on the size of the terms summed: what rounding errors are proportional to.

    (Each penalty is bounded by (lam1 + lam2) times both norms, rather than written out:
    the student copy ships this module and must hold nothing that computes the loss.)"""
    data = np.mean((np.abs(X) @ np.abs(w) + np.abs(y)) ** 2)
    return data + (lam1 + lam2) * (np.sum(np.abs(w)) + np.sum(w**2))


def tolerance(expected, w, X, y, lam1, lam2):
    return 1e-9 * abs(expected) + 1e-12 * _scale(w, X, y, lam1, lam2)


@check(points=1, idea="A loss is one number that training makes smaller.",
       hint="Add the three terms up into one float; np.mean and np.sum each give one number.",
       examples=5)
@given(problem=regression_problems(), lam1=strengths(), lam2=strengths())
@example(problem=(A([1.0, -2.0]), A([[1.0, 0.0], [0.0, 1.0]]), A([1.0, 1.0])), lam1=0.5, lam2=0.5)
def test_returns_number(submission, problem, lam1, lam2):
    """Returns one number, leaving w, X and y unchanged"""
    w, X, y = problem
    submission.elastic_net_loss(w, X, y, lam1, lam2).number(form=True)


@check(points=1, idea="The data loss is the mean squared error: the average over samples of "
       "(prediction - target) ** 2, with prediction = X @ w.",
       hint="With lam1 = lam2 = 0 only np.mean((X @ w - y) ** 2) is left: check yours against it.",
       after=test_returns_number)
@given(problem=regression_problems())
@example(problem=(A([1.0]), A([[1.0]]), A([1.0])))
@example(problem=(A([1.0, -2.0]), A([[1.0, 2.0], [3.0, 4.0]]), A([0.5, -1.0])))
def test_data_term(submission, problem):
    """With lam1 = lam2 = 0 the loss is the mean of (X @ w - y) ** 2"""
    w, X, y = problem
    out = submission.elastic_net_loss(w, X, y, 0.0, 0.0)
    expected = float(np.mean((X @ w - y) ** 2))
    expect_close(out.call, out.number(), expected, tolerance(expected, w, X, y, 0.0, 0.0))


@check(points=2, idea="Elastic Net is the data loss plus lam1 * ||w||_1 plus lam2 * ||w||_2^2.",
       hint="Check each of the three terms on its own, with the other two set to zero.",
       visibility="hidden", after=test_returns_number, examples=40)
@given(problem=regression_problems(), lam1=strengths(), lam2=strengths())
@example(problem=(A([1.0]), A([[1.0]]), A([1.0])), lam1=0.0, lam2=0.0)
@example(problem=(A([1.0, -2.0]), A([[1.0, 2.0], [3.0, 4.0]]), A([0.5, -1.0])), lam1=0.1, lam2=0.2)
def test_matches_reference(submission, reference, problem, lam1, lam2):
    """The loss equals mean squared error + lam1 * sum|w| + lam2 * sum w^2"""
    w, X, y = problem
    out = submission.elastic_net_loss(w, X, y, lam1, lam2)
    expected = float(reference.elastic_net_loss(w, X, y, lam1, lam2))
    expect_close(out.call, out.number(), expected, tolerance(expected, w, X, y, lam1, lam2))


@check(points=1, idea="With all weights at zero the model predicts 0, so the loss is the mean "
       "of y squared and neither penalty adds anything.",
       hint="The data term is the mean over samples of (X @ w - y) ** 2.",
       after=test_returns_number)
@given(y=targets(), features=st.integers(1, 5), lam1=strengths(), lam2=strengths())
@example(y=A([1.0, 3.0]), features=1, lam1=1.0, lam2=1.0)
def test_zero_weights(submission, y, features, lam1, lam2):
    """With w = 0 the loss is mean(y ** 2)"""
    X = np.ones((y.size, features))
    w = np.zeros(features)
    out = submission.elastic_net_loss(w, X, y, lam1, lam2)
    expected = float(np.mean(y**2))
    expect_close(out.call, out.number(), expected, tolerance(expected, w, X, y, lam1, lam2))


@check(points=2, idea="The L1 penalty lam1 * sum|w_i| treats w and -w alike and grows in "
       "proportion to the weights.",
       hint="Use the absolute values of the weights, summed, times lam1: no squares, no root.",
       after=test_returns_number)
@given(w=weight_vectors(max_size=5), samples=st.integers(1, 5), lam1=st.floats(0.1, 10.0),
       factor=scale_factors())
@example(w=A([1.0, -2.0]), samples=1, lam1=1.0, factor=2.0)
def test_l1_term(submission, w, samples, lam1, factor):
    """The L1 term is lam1 * sum|w_i|: the same for -w, twice as big for 2 * w"""
    X, y = np.zeros((samples, w.size)), np.zeros(samples)
    first = submission.elastic_net_loss(w, X, y, lam1, 0.0)
    base, expected = first.number(), lam1 * np.sum(np.abs(w))
    expect_close(first.call, base, expected, tolerance(expected, w, X, y, lam1, 0.0),
                 note="(with X = 0 and y = 0 only the L1 term is left)")
    out = submission.elastic_net_loss(factor * w, X, y, lam1, 0.0)
    expected = abs(factor) * base
    expect_close(out.call, out.number(), expected,
                 tolerance(expected, factor * w, X, y, lam1, 0.0),
                 note=f"({abs(factor):g} times what it gave for w={show(w)})")


@check(points=2, idea="The L2 penalty lam2 * sum w_i^2 grows with the square of the weights.",
       hint="Square each weight, sum, multiply by lam2; do not take a square root.",
       after=test_returns_number)
@given(w=weight_vectors(max_size=5), samples=st.integers(1, 5), lam2=st.floats(0.1, 10.0),
       factor=scale_factors())
@example(w=A([1.0, -2.0]), samples=1, lam2=1.0, factor=2.0)
def test_l2_term(submission, w, samples, lam2, factor):
    """The L2 term is lam2 * sum w_i^2: four times as big for 2 * w"""
    X, y = np.zeros((samples, w.size)), np.zeros(samples)
    first = submission.elastic_net_loss(w, X, y, 0.0, lam2)
    base, expected = first.number(), lam2 * np.sum(w**2)
    expect_close(first.call, base, expected, tolerance(expected, w, X, y, 0.0, lam2),
                 note="(with X = 0 and y = 0 only the L2 term is left)")
    out = submission.elastic_net_loss(factor * w, X, y, 0.0, lam2)
    expected = factor**2 * base
    expect_close(out.call, out.number(), expected,
                 tolerance(expected, factor * w, X, y, 0.0, lam2),
                 note=f"({factor**2:g} times what it gave for w={show(w)})")


@check(points=1, idea="The data loss is a mean over samples, so it does not grow with the "
       "number of samples; only the penalties decide how big the weights may be.",
       hint="Divide the sum of squared errors by n (np.mean), not by p and not at all.",
       after=test_returns_number)
@given(problem=regression_problems(), lam1=strengths(), lam2=strengths())
@example(problem=(A([1.0]), A([[1.0]]), A([0.0])), lam1=0.0, lam2=0.0)
def test_duplicated_samples(submission, problem, lam1, lam2):
    """Listing every sample twice leaves the loss unchanged"""
    w, X, y = problem
    base = submission.elastic_net_loss(w, X, y, lam1, lam2).number()
    X2, y2 = np.vstack([X, X]), np.concatenate([y, y])
    out = submission.elastic_net_loss(w, X2, y2, lam1, lam2)
    expect_close(out.call, out.number(), base, 2 * tolerance(base, w, X, y, lam1, lam2),
                 note="(the same as for the samples listed once)")
