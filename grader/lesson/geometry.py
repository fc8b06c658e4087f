"""The L1 vs L2 constraint geometry with two weights, solved exactly.

The data loss is q(w) = (w - c)ᵀ H (w - c) with H = [[A, B], [B, D]] positive definite and
c = (X, Y) the unconstrained optimum, so its level sets are ellipses centred on c. Under
the budget ‖w‖₁ ≤ C (a diamond) or ‖w‖₂ ≤ C (a circle) the minimiser is unique, because q
is strictly convex and both balls are convex. Both are found in closed form (L1) or by a
safeguarded root find to machine precision (L2), never on a grid, so a corner solution
comes back with an exact 0.0, as the lesson promises.

Plain Python floats throughout: two weights need no numpy, and IEEE doubles are the same
everywhere, so the numbers shown are the same on every machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

LARGEST = 1e6
"""No number may be larger than this in size: it keeps q and μ far from overflow."""
SMALLEST = 1e-6
"""C, A and D must be at least this: a smaller budget or curvature is not a picture."""


class GeometryError(ValueError):
    """Arguments that do not describe a picture; the message is one line for the learner."""


@dataclass(frozen=True)
class Problem:
    """One picture: the ellipses' centre and shape, and the budget of both balls."""

    center: tuple[float, float]
    """(X, Y): the unconstrained optimum, where the ellipses are centred."""
    budget: float
    """C: the radius of the circle and the half-diagonal of the diamond."""
    shape: tuple[float, float, float] = (1.0, 0.0, 1.0)
    """(A, B, D): q(w) = A(w1-X)² + 2B(w1-X)(w2-Y) + D(w2-Y)²."""

    def loss(self, w: tuple[float, float]) -> float:
        """q(w), the data loss at w (0 at the centre)."""
        a, b, d = self.shape
        u, v = w[0] - self.center[0], w[1] - self.center[1]
        return a * u * u + 2.0 * b * u * v + d * v * v


@dataclass(frozen=True)
class Solution:
    """The two constrained minimisers of one problem."""

    l1: tuple[float, float]
    """The minimiser of q over the diamond |w1| + |w2| ≤ C."""
    l2: tuple[float, float]
    """The minimiser of q over the disc w1² + w2² ≤ C²."""

    @property
    def l1_corner(self) -> bool:
        """True exactly when one L1 weight is 0.0 (the diamond's corners are on the axes)."""
        return self.l1[0] == 0.0 or self.l1[1] == 0.0

    def as_json(self) -> dict[str, object]:
        """The `--format json` document."""
        return {"l1": list(self.l1), "l2": list(self.l2), "l1_corner": self.l1_corner}


def validate(problem: Problem) -> Problem:
    """Return `problem` unchanged, or raise GeometryError saying in one line what is wrong."""
    (x, y), budget, (a, b, d) = problem.center, problem.budget, problem.shape
    named = {"X": x, "Y": y, "C": budget, "A": a, "B": b, "D": d}
    for name, value in named.items():
        if not math.isfinite(value):
            raise GeometryError(f"{name} must be a finite number, not {value}.")
        if abs(value) > LARGEST:
            raise GeometryError(f"{name} = {value:g} is too large; keep every number within "
                                f"±{LARGEST:g}.")
    if budget < SMALLEST:
        raise GeometryError(f"the budget C must be at least {SMALLEST:g}; it is {budget:g}.")
    if a < SMALLEST or d < SMALLEST or a * d - b * b <= 0.0:
        raise GeometryError(f"the shape A,B,D = {a:g},{b:g},{d:g} does not give ellipses: "
                            f"A and D must be at least {SMALLEST:g} and A·D must exceed B².")
    return problem


def solve(problem: Problem) -> Solution:
    """Both constrained minimisers of a valid problem."""
    validate(problem)
    return Solution(l1=solve_l1(problem), l2=solve_l2(problem))


def solve_l1(problem: Problem) -> tuple[float, float]:
    """The minimiser over the diamond |w1| + |w2| ≤ C.

    With the centre outside, the minimiser lies on the boundary: on one of the four edges,
    each a segment on which q is a 1-D convex quadratic whose minimum has a closed form.
    Corners are built from C and 0.0 directly, so a corner solution has an exact zero.
    """
    x, y = problem.center
    budget = problem.budget
    if abs(x) + abs(y) <= budget:
        return (x, y)
    best: tuple[float, tuple[float, float]] | None = None
    for s1 in (1.0, -1.0):
        for s2 in (1.0, -1.0):
            point = _best_on_edge(problem, s1, s2)
            value = problem.loss(point)
            if best is None or value < best[0]:
                best = (value, point)
    assert best is not None
    return best[1]


def _best_on_edge(problem: Problem, s1: float, s2: float) -> tuple[float, float]:
    """The minimiser of q on the edge from the corner (s1·C, 0) to the corner (0, s2·C).

    Along w(t) = (s1·C·(1 - t), s2·C·t) the slope of q at a corner k is -2·C·uᵀH(c - k)
    with u = (-s1, s2). A slope within rounding of zero counts as zero: the minimiser is
    then the corner itself (round inputs such as c = (-3, 0.9), H = [[5, 4], [4, 4]] hit
    this exactly), and any other answer would differ from it by less than that rounding.
    """
    (x, y), budget, (a, b, d) = problem.center, problem.budget, problem.shape
    ux, uy = -s1, s2
    start, end = (s1 * budget, 0.0), (0.0, s2 * budget)
    pull_start, noise_start = _pull(problem, ux, uy, x - start[0], y - start[1])
    if pull_start <= noise_start:
        return start
    pull_end, noise_end = _pull(problem, ux, uy, x - end[0], y - end[1])
    if pull_end >= -noise_end:
        return end
    curvature = budget * (a * ux * ux + 2.0 * b * ux * uy + d * uy * uy)  # > 0: H is definite
    t = pull_start / curvature
    return (s1 * budget * (1.0 - t), s2 * budget * t)


def _pull(problem: Problem, ux: float, uy: float, px: float, py: float) -> tuple[float, float]:
    """uᵀH(px, py), and a bound on its rounding error (8 ulps of its terms' sizes)."""
    a, b, d = problem.shape
    terms = (ux * a * px, ux * b * py, uy * b * px, uy * d * py)
    return math.fsum(terms), 8 * 2.2e-16 * sum(abs(term) for term in terms)


def solve_l2(problem: Problem) -> tuple[float, float]:
    """The minimiser over the disc w1² + w2² ≤ C².

    With the centre outside, the KKT conditions give w(μ) = (H + μI)⁻¹ H c for the μ > 0
    with ‖w(μ)‖ = C. ‖w(μ)‖ falls strictly from ‖c‖ > C towards 0 as μ grows, so the root
    is unique; it is bracketed and found by Newton on 1/C - 1/‖w(μ)‖ (nearly linear in μ,
    so Newton is fast), falling back to bisection whenever a step leaves the bracket.
    """
    x, y = problem.center
    budget = problem.budget
    if math.hypot(x, y) <= budget:
        return (x, y)
    a, b, d = problem.shape
    largest = 0.5 * (a + d) + math.hypot(0.5 * (a - d), b)
    lo, hi = 0.0, largest * math.hypot(x, y) / budget  # ‖w(hi)‖ ≤ λmax‖c‖ / hi = C
    mu = 0.0
    for _ in range(200):
        (w1, w2), slope = _shrunk(problem, mu)
        norm = math.hypot(w1, w2)
        gap = 1.0 / budget - 1.0 / norm
        if gap == 0.0:
            break
        if gap > 0.0:
            lo = mu
        else:
            hi = mu
        if hi - lo <= 2e-16 * hi:
            break
        new = mu - gap * norm * norm / slope
        if new == mu:  # the Newton step is below one unit in the last place: converged
            break
        mu = new if lo < new < hi else 0.5 * (lo + hi)
    w1, w2 = _shrunk(problem, mu)[0]
    # At the root ‖w‖ = C exactly; rescaling removes the last few ulps of rounding in the
    # norm (an ill-conditioned H leaves ‖w‖ = C·(1 + 1e-15)), so w is never outside.
    scale = budget / math.hypot(w1, w2)
    return (w1 * scale, w2 * scale)


def _shrunk(problem: Problem, mu: float) -> tuple[tuple[float, float], float]:
    """w(μ) = (H + μI)⁻¹ H c, and d‖w‖/dμ = -wᵀ(H + μI)⁻¹w / ‖w‖ (from dw/dμ = -(H + μI)⁻¹w)."""
    (x, y), (a, b, d) = problem.center, problem.shape
    g1, g2 = a * x + b * y, b * x + d * y
    p, r = a + mu, d + mu
    det = p * r - b * b
    w1, w2 = (r * g1 - b * g2) / det, (p * g2 - b * g1) / det
    v1, v2 = (r * w1 - b * w2) / det, (p * w2 - b * w1) / det
    norm = math.hypot(w1, w2)
    return (w1, w2), -(w1 * v1 + w2 * v2) / norm


def contour_points(problem: Problem, level: float, count: int) -> list[tuple[float, float]]:
    """`count` points around the ellipse q(w) = level, for drawing (closed: first = last)."""
    a, b, d = problem.shape
    x, y = problem.center
    # H = R diag(l1, l2) Rᵀ; the ellipse is c + √level · R diag(1/√l1, 1/√l2) (cos s, sin s).
    angle = 0.5 * math.atan2(2.0 * b, a - d)
    cos, sin = math.cos(angle), math.sin(angle)
    l1 = a * cos * cos + 2.0 * b * sin * cos + d * sin * sin
    l2 = a * sin * sin - 2.0 * b * sin * cos + d * cos * cos
    r1, r2 = math.sqrt(level / l1), math.sqrt(level / l2)
    points = []
    for k in range(count + 1):
        s = 2.0 * math.pi * k / count
        u, v = r1 * math.cos(s), r2 * math.sin(s)
        points.append((x + cos * u - sin * v, y + sin * u + cos * v))
    return points
