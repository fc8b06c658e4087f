"""Exercise 4's story call, lasso_fit on the house-price data, named ahead.

This module imports only numpy and the data: the grading imports it (the exercise's
`ahead` in `exercises.toml`) and starts the call as soon as the learner's worker is up,
before it loads pytest, hypothesis and the checks (`grader.ahead`). The story's checks in
`exercise4` make the very same call, and take its result.
"""

from __future__ import annotations

from grader.ahead import Ahead
from grader.checks import housing

STORY_TIMEOUT = 20.0
"""CPU seconds per call on the house-price data: the reference needs about 0.6 s."""


def story_arguments() -> tuple:
    """The story's call, lasso_fit(X, y, lam): the same objects every time (cached)."""
    data = housing.housing()
    return data.X, data.y, housing.LAM


AHEAD = (Ahead("lasso_fit", story_arguments, STORY_TIMEOUT),)
"""The story's training starts as exercise 4's grading begins, beside everything else."""
