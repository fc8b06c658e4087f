"""Instructor's tool: compute the regularisation path that `grade lesson path` draws.

    python -m grader.course.lesson_path

It trains the reference Lasso (`solutions/exercise4.py`) on the house-price data for a
range of lam, counts the features each model keeps, and writes `grader/lesson/path.json`,
which ships with the lesson: a student copy draws the path without any reference code.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from grader.checks import housing
from grader.files import write_atomically
from grader.lesson.path import DATA, LAMS

STEPS = 3000
"""ISTA steps per lam: enough for the kept count to settle at every lam of the path."""


def kept_at(lam: float, steps: int = STEPS) -> tuple[int, list[int]]:
    """How many features the reference keeps at `lam`, and which (largest |w| first)."""
    from solutions.exercise4 import lasso_fit  # the reference: only in the instructor's copy

    data = housing.housing()
    w = lasso_fit(data.X, data.y, lam, steps=steps)
    kept = np.flatnonzero(w)
    return int(kept.size), [int(j) for j in kept[np.argsort(-np.abs(w[kept]), kind="stable")]]


def compute(steps: int = STEPS) -> dict:
    data = housing.housing()
    kept, entering, seen = [], [], set()
    for lam in sorted(LAMS, reverse=True):  # from the sparsest model down
        count, columns = kept_at(lam, steps)
        kept.append(count)
        entering += [data.names[j] for j in columns if j not in seen][:3]
        seen |= set(columns)
    return {"lam": sorted(LAMS, reverse=True), "kept": kept, "story_lam": housing.LAM,
            "features": data.X.shape[1], "first_kept": entering[:12], "steps": steps}


def main() -> None:
    path = Path(DATA)
    write_atomically(path, json.dumps(compute(), indent=1) + "\n")
    print(f"Wrote {path}.")


if __name__ == "__main__":
    main()
