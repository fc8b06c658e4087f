"""What each key does to the geometry picture: pure functions from one problem to the next.

The ellipses are turned and stretched through their axes (the angle of the long axis, the
ratio of the two curvatures, and their geometric mean, which is kept, so an ellipse keeps
its area). The centre and C are rounded to six decimals and the shape to six significant
digits, so the numbers stay short and the command the screen prints for its picture
reproduces that picture exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from grader.lesson.geometry import GeometryError, Problem, validate

MOVE = 0.1
"""How far an arrow key moves the centre."""
BUDGET_STEP = 0.1
"""How much + and - change C (never below BUDGET_STEP)."""
TURN = 15.0
"""Degrees that r and R turn the ellipses."""
STRETCH, MOST_STRETCHED = 1.5, 100.0
"""s multiplies the ratio of the ellipses' axes (squared) by STRETCH, S divides it; the ratio
stays between 1 (circles) and MOST_STRETCHED."""


@dataclass(frozen=True)
class Picture:
    """The problem on screen, and the ellipses' axes it was made from."""

    problem: Problem
    angle: float
    """Degrees from the w₁ axis to the ellipses' long axis."""
    ratio: float
    """The larger curvature over the smaller, at least 1."""

    @classmethod
    def of(cls, problem: Problem) -> Picture:
        a, b, d = problem.shape
        # The long axis is the eigenvector of H's smaller eigenvalue.
        angle = math.degrees(0.5 * math.atan2(2.0 * b, a - d)) + 90.0
        spread = math.hypot(0.5 * (a - d), b)
        ratio = (0.5 * (a + d) + spread) / (0.5 * (a + d) - spread)
        return cls(problem, angle % 180.0, ratio)

    def moved(self, dx: float, dy: float) -> Picture:
        x, y = self.problem.center
        return replace(self, problem=replace(self.problem, center=(_round(x + dx), _round(y + dy))))

    def budget_changed(self, step: float) -> Picture:
        budget = _round(self.problem.budget + step)
        if budget < BUDGET_STEP:
            return self
        return replace(self, problem=replace(self.problem, budget=budget))

    def turned(self, degrees: float) -> Picture:
        return self._reshaped((self.angle + degrees) % 180.0, self.ratio)

    def stretched(self, factor: float) -> Picture:
        return self._reshaped(self.angle, min(MOST_STRETCHED, max(1.0, self.ratio * factor)))

    def _reshaped(self, angle: float, ratio: float) -> Picture:
        a, b, d = self.problem.shape
        mean = math.sqrt(a * d - b * b)
        flat, steep = mean / math.sqrt(ratio), mean * math.sqrt(ratio)
        c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        digits = 5 - math.floor(math.log10(steep))  # six significant digits of the largest
        shape = (_round(flat * c * c + steep * s * s, digits), _round((flat - steep) * c * s, digits),
                 _round(flat * s * s + steep * c * c, digits))
        try:
            problem = validate(replace(self.problem, shape=shape))
        except GeometryError:  # rounding made it flat: keep the picture as it was
            return self
        return Picture(problem, angle, ratio)


def _round(value: float, digits: int = 6) -> float:
    return round(value, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def after_key(picture: Picture, key: str) -> Picture:
    """The picture after one key, named as curses names it (KEY_LEFT, "r", ...)."""
    if not isinstance(picture, Picture) or not isinstance(key, str):
        raise TypeError("after_key takes a Picture and a key name")
    actions = {
        "KEY_LEFT": lambda p: p.moved(-MOVE, 0.0), "KEY_RIGHT": lambda p: p.moved(MOVE, 0.0),
        "KEY_UP": lambda p: p.moved(0.0, MOVE), "KEY_DOWN": lambda p: p.moved(0.0, -MOVE),
        "+": lambda p: p.budget_changed(BUDGET_STEP), "-": lambda p: p.budget_changed(-BUDGET_STEP),
        # = and _ share keys with + and -: no Shift needed for + on most keyboards.
        "=": lambda p: p.budget_changed(BUDGET_STEP), "_": lambda p: p.budget_changed(-BUDGET_STEP),
        "r": lambda p: p.turned(TURN), "R": lambda p: p.turned(-TURN),
        "s": lambda p: p.stretched(STRETCH), "S": lambda p: p.stretched(1.0 / STRETCH),
    }
    action = actions.get(key)
    return action(picture) if action else picture
