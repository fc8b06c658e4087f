"""Reference computations the exercise 4 checks need beyond the answers themselves.

They compute what exercises ask for (one step is exercise 2's answer, a loop of them
exercise 4's), so they live here, beside the solutions: never in the student copy, hidden
from the worker in the full tier and unreadable to it in the reduced one. The checks load
this module at grading time, in the grader's own process.
"""

import numpy as np

from solutions.exercise2 import clamped_update


def ista_step(X, y, w, lam, lr):
    """One step of the lesson's method (ISTA): the data step, then the clamped L1 step."""
    n = X.shape[0]
    return clamped_update(w, (2.0 / n) * (X.T @ (X @ w - y)), lr, lam)


def optimum_on_support(X, y, support, signs, lam):
    """The exact Lasso optimum when it keeps exactly `support`, with these `signs`.

    On a fixed support S with fixed signs s the optimality conditions are linear:
    (2/n) X_S.T (y - X_S w_S) = lam * s. The project's tests prove the result meets every
    condition (the other features' included) for the story data and the lams the grader uses.
    """
    n = X.shape[0]
    XS = X[:, support]
    w = np.zeros(X.shape[1])
    w[support] = np.linalg.solve(XS.T @ XS, XS.T @ y - n * lam / 2 * np.asarray(signs))
    return w
