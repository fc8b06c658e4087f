"""The exact L1 and L2 solvers of `grade lesson geometry`, against an independent solver
(reference_geometry.py) on a grid, and hypothesis properties on drawn problems."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader.lesson.geometry import GeometryError, Problem, solve, validate
from reference_geometry import reference_l1, reference_l2

CENTRES = [-3.0, -1.2, -0.4, 0.0, 0.3, 0.9, 2.5]
BUDGETS = [0.5, 1.0, 2.2]
SHAPES = [(1.0, 0.0, 1.0), (1.0, 0.3, 2.0), (2.0, -0.9, 1.0), (0.2, 0.1, 3.0), (5.0, 4.0, 4.0)]
GRID = [Problem((x, y), c, s) for x, y, c, s in itertools.product(CENTRES, CENTRES, BUDGETS, SHAPES)]


@pytest.mark.parametrize("shape", SHAPES)
def test_agrees_with_an_independent_solver_on_a_grid(shape) -> None:
    problems = [p for p in GRID if p.shape == shape]
    for problem in problems:
        solution = solve(problem)
        for got, expected in ((solution.l1, reference_l1(problem)),
                              (solution.l2, reference_l2(problem))):
            assert got == pytest.approx(expected, abs=1e-12, rel=0), problem
        assert solution.l1_corner == (0.0 in solution.l1)
        # The exact reference and the solver may differ on a corner only where the exact
        # minimiser of the float inputs is within rounding of it: c = (2.5, 0.3), C = 2.2
        # is exactly a corner in decimals and 1e-16 from one in binary.
        expected = reference_l1(problem)
        if solution.l1_corner != (0.0 in expected):
            assert min(map(abs, expected)) <= 1e-15 * problem.budget, problem


def test_the_grid_holds_corners_edges_and_inside_centres() -> None:
    """The grid is only worth something if it exercises every kind of answer."""
    kinds = set()
    for problem in GRID:
        x, y = problem.center
        inside = abs(x) + abs(y) <= problem.budget
        kinds.add("inside" if inside else "corner" if solve(problem).l1_corner else "edge")
    assert kinds == {"inside", "corner", "edge"}


def test_a_corner_is_exact_and_not_negative_zero() -> None:
    solution = solve(Problem((0.5, -3.0), 1.0))
    assert solution.l1 == (0.0, -1.0) and math.copysign(1.0, solution.l1[0]) == 1.0
    assert solution.l1_corner
    assert all(v != 0.0 for v in solve(Problem((2.0, 0.8), 1.0)).l2)


def test_a_centre_inside_is_its_own_answer() -> None:
    solution = solve(Problem((0.3, -0.2), 1.0, (1.0, 0.3, 2.0)))
    assert solution.l1 == (0.3, -0.2) and solution.l2 == (0.3, -0.2)


@pytest.mark.parametrize("problem, says", [
    (Problem((1.0, 1.0), 0.0), "budget C must be at least"),
    (Problem((1.0, 1.0), -1.0), "budget C must be at least"),
    (Problem((1.0, 1.0), 1.0, (1.0, 1.0, 1.0)), "does not give ellipses"),
    (Problem((1.0, 1.0), 1.0, (-1.0, 0.0, 1.0)), "does not give ellipses"),
    (Problem((math.nan, 1.0), 1.0), "X must be a finite number"),
    (Problem((1.0, 1.0), math.inf), "C must be a finite number"),
    (Problem((1e7, 1.0), 1.0), r"X = 1e\+07 is too large"),
])
def test_arguments_are_refused_with_one_line(problem: Problem, says: str) -> None:
    with pytest.raises(GeometryError, match=says) as error:
        validate(problem)
    assert "\n" not in str(error.value)


# --- Properties on drawn problems ------------------------------------------------------

# Derandomised and without a database, like the grader's own checks: the same run everywhere.
PROPERTIES = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def problems() -> st.SearchStrategy[Problem]:
    coordinates = st.floats(-50.0, 50.0)
    shapes = st.tuples(st.floats(0.01, 100.0), st.floats(-0.99, 0.99), st.floats(0.01, 100.0)).map(
        lambda s: (s[0], s[1] * math.sqrt(s[0] * s[2]), s[2]))
    return st.builds(Problem, st.tuples(coordinates, coordinates), st.floats(0.01, 20.0), shapes)


def _scale(problem: Problem) -> float:
    return max(1.0, problem.budget, *map(abs, problem.center))


@PROPERTIES
@given(problem=problems())
@example(problem=Problem((0.0, 5.0), 1.0, (1.0, 0.0, 1.0)))
@example(problem=Problem((3.0, 3.0), 1.0, (1.0, 0.0, 1.0)))
@example(problem=Problem((0.0, 3.0), 1.0, (91.0, 9.241286013726661, 1.0)))  # ‖w‖ was C·(1 + 1e-15)
def test_both_solutions_are_feasible(problem: Problem) -> None:
    solution = solve(problem)
    assert abs(solution.l1[0]) + abs(solution.l1[1]) <= problem.budget * (1 + 4e-16)
    assert math.hypot(*solution.l2) <= problem.budget * (1 + 4e-16)
    assert solution.l1_corner == (0.0 in solution.l1)


@PROPERTIES
@given(problem=problems(), angle=st.floats(0.0, 2 * math.pi), fraction=st.floats(0.0, 1.0),
       nudge=st.floats(-1e-3, 1e-3))
def test_no_feasible_point_is_better(problem: Problem, angle: float, fraction: float,
                                     nudge: float) -> None:
    solution = solve(problem)
    c = problem.budget * fraction
    direction = (math.cos(angle), math.sin(angle))
    on_diamond = tuple(c * v / (abs(direction[0]) + abs(direction[1])) for v in direction)
    on_circle = tuple(c * v for v in direction)
    # A point on the circle just beside the solution: a wrong answer loses here first.
    theta = math.atan2(solution.l2[1], solution.l2[0]) + nudge
    beside = (problem.budget * math.cos(theta), problem.budget * math.sin(theta))
    slack = 1e-12 * _scale(problem) ** 2 * max(problem.shape)
    assert problem.loss(solution.l1) <= problem.loss(on_diamond) + slack
    assert problem.loss(solution.l2) <= problem.loss(on_circle) + slack
    assert problem.loss(solution.l2) <= problem.loss(beside) + slack
