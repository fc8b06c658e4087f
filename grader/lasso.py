"""The Lasso problem the capstone grades: its objective, its optimality conditions, and what
a learner's wrong weights most likely tell about their code.

    minimise  F(w) = mean((X @ w - y) ** 2) + lam * sum|w_i|

w is optimal exactly when, with g = (2/n) X.T @ (y - X @ w), every g_j = lam * sign(w_j)
where w_j != 0 and |g_j| <= lam where w_j == 0 (the KKT conditions).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

OBJECTIVE_RTOL = 1e-6
"""How far above the optimum (relative) a learner's objective may be: the issue's tolerance."""


def objective(X: np.ndarray, y: np.ndarray, w: np.ndarray, lam: float) -> float:
    """F(w) = mean((X @ w - y) ** 2) + lam * ||w||_1."""
    r = X @ w - y
    return float(r @ r / X.shape[0] + lam * np.sum(np.abs(w)))


def objective_slack(X: np.ndarray, y: np.ndarray, optimum: float) -> float:
    """How much above `optimum` an objective may be: 1e-6 relative, plus rounding when it is ~0."""
    return OBJECTIVE_RTOL * abs(optimum) + 1e-12 * float(np.mean(y**2))


def correlations(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """g = (2/n) X.T @ (y - X @ w): minus the data gradient, one entry per feature."""
    return (2.0 / X.shape[0]) * (X.T @ (y - X @ w))


def kkt_tolerance(X: np.ndarray, y: np.ndarray, lam: float) -> float:
    """Slack for the optimality conditions: a solver stopped at 1e-6 relative passes."""
    return 1e-4 * (lam + float(np.max(np.abs(correlations(X, y, np.zeros(X.shape[1]))))))


def first_kkt_violation(X: np.ndarray, y: np.ndarray, w: np.ndarray, lam: float,
                        tolerance: float) -> tuple[int, float] | None:
    """(index, g_j) of the first feature whose optimality condition fails, or None."""
    g = correlations(X, y, w)
    bad = np.where(w != 0, np.abs(g - lam * np.sign(w)) > tolerance, np.abs(g) > lam + tolerance)
    if not bad.any():
        return None
    j = int(np.flatnonzero(bad)[0])
    return j, float(g[j])


def kkt_note(j: int, w_j: float, g_j: float, lam: float) -> str:
    """Why feature j breaks the optimality conditions, in the learner's terms."""
    g = f"(2/n) X[:, {j}].T @ (y - X @ w) = {g_j:.6g}"
    if w_j == 0:
        return (f"(at index {j} your weight is 0.0, but {g}, beyond lam = {lam:.6g}: this "
                "feature justifies its existence and must be nonzero.)")
    return (f"(at index {j} your weight is {w_j:.6g}, but {g}, not lam * sign(w) = "
            f"{lam * np.sign(w_j):.6g}: the weights are not yet at the minimum.)")


def diagnose(X: np.ndarray, y: np.ndarray, lam: float, got: np.ndarray, best: np.ndarray,
             solve: Callable[[float], np.ndarray]) -> str:
    """One or two sentences on what most likely went wrong, judged from the weights alone.

    `best` is the optimum at lam; `solve(lam2)` gives the optimum at another lam.
    """
    zeros_expected = best == 0
    if not np.array_equal(got, np.zeros_like(got)) and \
            objective(X, y, got, lam) > objective(X, y, np.zeros_like(got), lam):
        return ("Your weights give a larger objective than w = 0 does: the steps overshoot "
                "the minimum. Keep lr at most 1/L with L = 2 * sigma_max(X)**2 / n, and clamp "
                "with the sign of v = w - lr * grad, not of the old w.")
    if zeros_expected.any() and not (got == 0).any():
        zeros = int(zeros_expected.sum())
        return (f"None of your weights is exactly 0.0, but the optimum has {zeros} exact "
                f"zero{'s' if zeros > 1 else ''}: are you clamping at zero, with the sign of "
                "v = w - lr * grad? A weight the L1 step would carry past zero must become "
                "exactly 0.0.")
    doubled = solve(2 * lam)
    if np.max(np.abs(got - doubled)) <= 1e-3 * (1 + np.max(np.abs(doubled))):
        return (f"Your weights are the optimum for lam = {2 * lam:.6g}, twice the lam you "
                "were given: is the factor 2 missing from the data gradient "
                "(2/n) * X.T @ (X @ w - y)?")
    spurious = int(np.sum((got != 0) & zeros_expected))
    kept = ~zeros_expected
    close = (not kept.any()) or (np.linalg.norm(got[kept] - best[kept])
                                 <= 0.05 * np.linalg.norm(best[kept]))
    if close and spurious >= max(2, 0.1 * zeros_expected.sum()):
        return (f"{spurious} weights that should be exactly 0.0 are not, while the others "
                "are nearly right. That is the 2-cycle of clamping with the sign of the old w: "
                "at w = 0 its sign is 0, so a weight is pushed off zero, clamped back, pushed "
                "off again. Clamp with the sign of v = w - lr * grad.")
    return ("Your weights are not yet at the minimum: take all the steps (500 by default) "
            "at lr = 1/L with L = 2 * sigma_max(X)**2 / n, and clamp with the sign of "
            "v = w - lr * grad (with the old w's sign, weights keep bouncing off zero).")
