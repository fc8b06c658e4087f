"""The words and numbers of the geometry picture, shared by the terminal screen, the text
summary and the saved image, so that all three say the same thing in the same way."""

from __future__ import annotations

from grader.lesson.geometry import Problem, Solution

SUBSCRIPTS = ("w₁", "w₂")


def weight(value: float) -> str:
    """A solution's weight: an exact zero as 0.0, anything else with six decimals, so an
    exact zero never hides among rounded ones (1e-9 shows as 1.000e-09, not 0.000000)."""
    if value == 0.0:
        return "0.0"
    if abs(value) < 5e-4 or abs(value) >= 1e5:
        return f"{value:.3e}"
    return f"{value:.6f}"


def weights(w: tuple[float, float]) -> str:
    """(w₁, w₂) as weight() writes them."""
    return f"({weight(w[0])}, {weight(w[1])})"


def number(value: float) -> str:
    """A parameter as briefly as it can be written and read back exactly: 2, 0.8, 1e-06."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def numbers(values: tuple[float, ...], sep: str = ",") -> str:
    """Parameters joined by commas, as the command-line options take them: 2,0.8 (or, for
    reading, with sep=", ")."""
    return sep.join(number(v) for v in values)


def command(problem: Problem, save: str | None = None) -> str:
    """The `grade lesson geometry` command that shows this very problem."""
    text = (f"grade lesson geometry --center {numbers(problem.center)} "
            f"--budget {number(problem.budget)} --shape {numbers(problem.shape)}")
    return f"{text} --save {save}" if save else text


def verdict(problem: Problem, solution: Solution, *, advice: bool = False) -> str:
    """One or two sentences on where each solution sits, and whether L1 found a zero.
    With `advice`, an edge solution also says how to move towards a corner."""
    (x, y), budget = problem.center, problem.budget
    if abs(x) + abs(y) <= budget:
        inside = ("The centre is inside the diamond, so neither budget holds the weights back: "
                  "both solutions are the centre itself.")
        return inside + (" Move it out, or lower C." if advice else "")
    if solution.l1_corner:
        zero = SUBSCRIPTS[solution.l1.index(0.0)]
        l1 = f"The L1 solution sits on a corner of the diamond: {zero} is exactly 0.0"
    else:
        l1 = "The L1 solution lies on an edge of the diamond, with both weights nonzero"
    if x * x + y * y <= budget * budget:
        l2 = "; the centre is inside the circle, so the L2 solution is the centre itself."
    elif 0.0 in solution.l2:
        l2 = f", and here the L2 solution has {SUBSCRIPTS[solution.l2.index(0.0)]} = 0.0 too."
    elif solution.l1_corner:
        l2 = ", while the L2 solution keeps both weights nonzero."
    else:
        l2 = ", like the L2 solution."
    hint = (" Move the centre towards an axis, or turn the ellipses, and it slides to a corner."
            if advice and not solution.l1_corner else "")
    return l1 + l2 + hint


def summary(problem: Problem, solution: Solution) -> list[str]:
    """The text `grade lesson geometry` prints when it cannot draw: the problem, both
    solutions and the verdict, one item per line."""
    return [
        f"Loss q(w) = A(w₁−X)² + 2B(w₁−X)(w₂−Y) + D(w₂−Y)² with X,Y = {numbers(problem.center)} "
        f"and A,B,D = {numbers(problem.shape)}; budget C = {number(problem.budget)}.",
        f"L1, |w₁| + |w₂| ≤ C:  w = {weights(solution.l1)}",
        f"L2, w₁² + w₂² ≤ C²:   w = {weights(solution.l2)}",
        verdict(problem, solution),
    ]
