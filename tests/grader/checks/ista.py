"""The fairness yardstick for exercise 4, kept out of the package: it is a solution."""

import numpy as np


def plain_ista(X: np.ndarray, y: np.ndarray, lam: float, steps: int = 500) -> np.ndarray:
    """The method the stub teaches, `steps` clamped steps at lr = 1/L from w = 0.

    The fairness yardstick: the project's tests prove it meets every tolerance of the checks
    on every problem they grade, so a learner who writes it is never failed.
    """
    n = X.shape[0]
    lr = n / (2 * np.linalg.norm(X, 2) ** 2)
    w = np.zeros(X.shape[1])
    for _ in range(steps):
        v = w - lr * (2 / n) * (X.T @ (X @ w - y))
        w = np.sign(v) * np.maximum(np.abs(v) - lr * lam, 0.0)
    return w
