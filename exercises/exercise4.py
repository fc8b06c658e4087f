"""Exercise 4, the capstone: Lasso feature selection on 1,000 candidate house-price features.

The lesson's promise: give a model 1,000 candidate features for house prices (square
footage, bedrooms, school proximity, roof age, fireplace, listing day-of-year, ...), most
of them noise, and L1 training leaves about 50 nonzero weights. The other 950 are exactly
zero, not just small, so you can read off which features the model uses.

Here you train that model with the clamped update of exercise 2, repeated. Minimise

    F(w) = mean((X @ w - y) ** 2) + lam * sum_i |w_i|

starting from w = 0. Each step:

1. the data gradient:  grad = (2 / n) * X.T @ (X @ w - y)      (n = number of rows of X)
2. the data step:      v = w - lr * grad
3. the L1 step:        each v_i moves towards zero by lr * lam and stops at exactly 0.0
                       if it would cross zero: w_i = sign(v_i) * max(|v_i| - lr * lam, 0)

That is proximal gradient descent (ISTA). Its step size: lr = 1 / L with

    L = 2 * sigma_max(X) ** 2 / n

where sigma_max(X) is the largest singular value of X (np.linalg.norm(X, 2)). A larger
step can overshoot and blow up; a much smaller one needs far more than 500 steps.
There is no intercept: fit w on X and y exactly as given (the house-price data are already
centred); do not centre or rescale them yourself.

You may go further (FISTA, stopping early once w stops changing, coordinate descent):
any method that reaches the minimum passes. The grader checks that your weights meet the
optimality conditions, that the objective is within 1e-6 (relative) of the optimum, and,
on a house-price data set of 1,000 houses and 1,000 features, that your model keeps
exactly the 50 features that matter.

Check your work with:  grade exercise4
"""

import numpy as np


def lasso_fit(X, y, lam, steps=500, lr=None):
    """Return the Lasso weights for X and y, found by `steps` clamped L1 steps from w = 0.

    X:     2-D numpy array of shape (n, p), one row per sample (do not change it).
    y:     1-D numpy array of n targets (do not change it).
    lam:   the L1 strength, a float > 0.
    steps: how many steps to take (500 by default).
    lr:    the learning rate; None means 1 / L with L = 2 * sigma_max(X) ** 2 / n.

    Returns a new numpy array of p weights, most of them exactly 0.0.
    """
    raise NotImplementedError("write lasso_fit")


def selected_features(w):
    """Return the indices of the nonzero weights of w, in ascending order, as an int array.

    A weight counts as selected whenever it is not exactly 0.0, however tiny it is.
    For w = [0.0, 2.5, 0.0, -1e-30] that is [1, 3].
    """
    raise NotImplementedError("write selected_features")
