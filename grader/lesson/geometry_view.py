"""What the geometry picture shows, in the terminal and in an image alike: how far the
axes reach, and which loss contours to draw."""

from __future__ import annotations

import math

from grader.lesson.geometry import Problem, Solution

NICE = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)


def half_width(problem: Problem) -> float:
    """How far each axis reaches from 0: room for both budgets and the centre, rounded up
    to a round number, so that small moves of the centre do not rescale the picture."""
    x, y = problem.center
    need = 1.15 * max(problem.budget, abs(x), abs(y)) + 0.1 * problem.budget
    scale = 10.0 ** math.floor(math.log10(need))
    return next(scale * n for n in (*NICE, 10.0) if scale * n >= need)


def contour_levels(problem: Problem, solution: Solution) -> list[tuple[float, bool]]:
    """(level, touches) for each contour q(w) = level to draw, smallest first: the two
    contours that just touch the diamond and the circle (touches=True), at the solutions,
    and two inside them, so the eye sees the ellipses grow from the centre."""
    touching = sorted({problem.loss(solution.l1), problem.loss(solution.l2)} - {0.0})
    if touching:
        inner = touching[0]
    else:  # the centre is inside both budgets: show ellipses about half as big as C
        a, b, d = problem.shape
        inner = (0.5 * problem.budget) ** 2 * math.sqrt(a * d - b * b) * 4
    levels = [(inner * f * f, False) for f in (1 / 3, 2 / 3)]
    levels += [(level, True) for level in touching]
    return levels
