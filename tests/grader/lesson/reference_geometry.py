"""An independent solver for `grade lesson geometry`, for the tests to check it against.

It shares nothing with grader/lesson/geometry.py but the problem: it samples the whole
boundary densely (numpy), then refines around the best sample by bisection on the sign of
the derivative along the boundary, which pins a minimiser to the last bit (refining on
loss values, as golden-section search does, cannot get closer than about 1e-8). For L1
the boundary is walked by perimeter and whether a corner is the answer is decided in
exact rational arithmetic; for L2 the circle is walked by angle.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from grader.lesson.geometry import Problem

def _hessian(problem: Problem) -> np.ndarray:
    a, b, d = problem.shape
    return np.array([[a, b], [b, d]])


def _loss(problem: Problem, points: np.ndarray) -> np.ndarray:
    delta = points - np.array(problem.center)
    return np.einsum("...i,ij,...j->...", delta, _hessian(problem), delta)


def _bisect(slope, lo: float, hi: float) -> float:
    """The minimiser on [lo, hi] of a convex function whose derivative is `slope`."""
    if slope(lo) >= 0.0:
        return lo
    if slope(hi) <= 0.0:
        return hi
    while True:
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            return lo if abs(slope(lo)) <= abs(slope(hi)) else hi
        if slope(mid) < 0.0:
            lo = mid
        else:
            hi = mid


CORNERS = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)]


def reference_l1(problem: Problem) -> tuple[float, float]:
    x, y = problem.center
    c = problem.budget
    if abs(x) + abs(y) <= c:
        return (x, y)
    h = _hessian(problem)
    s = np.linspace(0.0, 4.0, 4001)[:-1]
    edge, t = np.minimum(s.astype(int), 3), s - np.minimum(s.astype(int), 3)
    start = np.array(CORNERS)[edge] * c
    end = np.array(CORNERS)[(edge + 1) % 4] * c
    points = start + t[:, None] * (end - start)
    nearest = int(edge[int(np.argmin(_loss(problem, points)))])
    candidates = []
    for k in (nearest - 1, nearest, nearest + 1):
        p, q = np.array(CORNERS[k % 4]) * c, np.array(CORNERS[(k + 1) % 4]) * c
        direction = q - p
        # Whether a corner is the edge's minimiser is decided in exact rational arithmetic.
        if _exact_slope(problem, p, direction) >= 0:
            point = p
        elif _exact_slope(problem, q, direction) <= 0:
            point = q
        else:
            t = _bisect(lambda t: float(direction @ h @ (p + t * direction - problem.center)),
                        0.0, 1.0)
            point = p + t * direction
        candidates.append((float(_loss(problem, point)), tuple(float(v) + 0.0 for v in point)))
    return min(candidates)[1]


def _exact_slope(problem: Problem, corner: np.ndarray, direction: np.ndarray) -> Fraction:
    """directionᵀ H (corner - centre), exactly: the sign of q's slope along the edge."""
    a, b, d = map(Fraction, problem.shape)
    u, v = (Fraction(float(corner[i])) - Fraction(problem.center[i]) for i in (0, 1))
    du, dv = (Fraction(float(direction[i])) for i in (0, 1))
    return du * (a * u + b * v) + dv * (b * u + d * v)


def reference_l2(problem: Problem) -> tuple[float, float]:
    x, y = problem.center
    c = problem.budget
    if math.hypot(x, y) <= c:
        return (x, y)
    h = _hessian(problem)
    angles = np.linspace(0.0, 2.0 * np.pi, 4097)[:-1]
    circle = c * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    best = float(angles[int(np.argmin(_loss(problem, circle)))])
    step = 2.0 * np.pi / 4096

    def slope(theta: float) -> float:
        w = c * np.array([math.cos(theta), math.sin(theta)])
        return float((h @ (w - problem.center)) @ np.array([-math.sin(theta), math.cos(theta)]))

    theta = _bisect(slope, best - 2 * step, best + 2 * step)
    return (c * math.cos(theta), c * math.sin(theta))
