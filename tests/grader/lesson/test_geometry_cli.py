"""`grade lesson geometry` without a terminal: --format json and text, and its errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.lesson.geometry import Problem, solve
from grader.lesson.geometry_text import numbers
from reference_geometry import reference_l1, reference_l2
from test_geometry_solver import GRID


def geometry(*args: str):
    return CliRunner().invoke(main, ["lesson", "geometry", *args])


def as_options(problem: Problem) -> list[str]:
    return ["--center", numbers(problem.center), "--budget", repr(problem.budget),
            "--shape", numbers(problem.shape)]


def test_json_is_exactly_the_documented_document() -> None:
    result = geometry("--center", "1.8,1", "--budget", "1", "--shape", "1.5,0.5,1", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.output == '{"l1": [1.0, 0.0], "l2": [%r, %r], "l1_corner": true}\n' % (
        solve(Problem((1.8, 1.0), 1.0, (1.5, 0.5, 1.0))).l2)


def test_json_agrees_with_an_independent_solver_on_a_grid() -> None:
    for problem in GRID:
        result = geometry(*as_options(problem), "--format", "json")
        assert result.exit_code == 0, result.output
        document = json.loads(result.output)
        assert list(document) == ["l1", "l2", "l1_corner"]
        assert document["l1"] == pytest.approx(reference_l1(problem), abs=1e-12, rel=0)
        assert document["l2"] == pytest.approx(reference_l2(problem), abs=1e-12, rel=0)
        assert document["l1_corner"] == (0.0 in document["l1"])


def test_negative_numbers_are_read_as_values() -> None:
    result = geometry("--center", "-2,-0.5", "--budget", "1", "--shape", "1,0,1", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["l1"] == [-1.0, 0.0]


def test_without_a_terminal_it_prints_the_numbers_and_what_they_mean() -> None:
    result = geometry("--center", "1.8,1", "--budget", "1", "--shape", "1.5,0.5,1")
    assert result.exit_code == 0, result.output
    assert "w = (1.000000, 0.0)" in result.output
    assert "The L1 solution sits on a corner of the diamond: w₂ is exactly 0.0, while the L2 " \
           "solution keeps both weights nonzero." in result.output


@pytest.mark.parametrize("args, says", [
    (["--center", "2"], "Error: --center takes X,Y: 2 numbers separated by commas, like 1.8,1; got '2'."),
    (["--center", "a,b"], "Error: --center takes X,Y: 2 numbers separated by commas, like 1.8,1; got 'a,b'."),
    (["--shape", "1,0"], "Error: --shape takes A,B,D: 3 numbers separated by commas, like 1.5,0.5,1; got '1,0'."),
    (["--shape", "1,2,1"], "Error: the shape A,B,D = 1,2,1 does not give ellipses: A and D must be "
                           "at least 1e-06 and A·D must exceed B²."),
    (["--shape", "-1,0,1"], "does not give ellipses"),
    (["--budget", "0"], "Error: the budget C must be at least 1e-06; it is 0."),
    (["--budget", "-1"], "Error: the budget C must be at least 1e-06; it is -1."),
    (["--budget", "nan"], "Error: C must be a finite number, not nan."),
    (["--center", "inf,0"], "Error: X must be a finite number, not inf."),
    (["--center", "1e9,0"], "Error: X = 1e+09 is too large; keep every number within ±1e+06."),
])
def test_invalid_numbers_are_refused_in_one_line_with_exit_2(args: list[str], says: str) -> None:
    result = geometry(*args, "--format", "json")
    assert result.exit_code == 2
    assert says in result.output and result.output.count("\n") == 1
