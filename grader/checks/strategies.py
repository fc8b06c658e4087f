"""Every input the checks draw, in one place, named as plurals.

Ranges are deliberately wider than a comfortable example: weights from 1e-6 to 1e6 next to
exact zeros, lr * lam well above 1, long arrays, and problems with one sample or one feature.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FINITE = dict(allow_nan=False, allow_infinity=False, allow_subnormal=False)
MAX_WEIGHT = 1e6


def magnitudes() -> st.SearchStrategy[float]:
    """Positive sizes from tiny to huge: 1e-6 to 1e6."""
    return st.floats(1e-6, MAX_WEIGHT, **FINITE)


def nonzero_weights() -> st.SearchStrategy[float]:
    """Weights of either sign with magnitude from 1e-6 to 1e6."""
    return st.builds(lambda sign, size: sign * size, st.sampled_from([1.0, -1.0]), magnitudes())


def weights() -> st.SearchStrategy[float]:
    """Single weights: exact zeros (both signs), tiny, ordinary and huge values."""
    return st.one_of(st.sampled_from([0.0, -0.0]), nonzero_weights(),
                     st.floats(-MAX_WEIGHT, MAX_WEIGHT, **FINITE))


def weight_vectors(*, elements: st.SearchStrategy[float] | None = None, min_size: int = 1,
                   max_size: int = 12) -> st.SearchStrategy[np.ndarray]:
    """1-D float64 arrays of weights."""
    return hnp.arrays(np.float64, st.integers(min_size, max_size),
                      elements=elements if elements is not None else weights())


def long_weight_vectors() -> st.SearchStrategy[np.ndarray]:
    """Long 1-D arrays (1,000 to 5,000 entries): a drawn vector repeated to that length."""
    return st.builds(np.resize, weight_vectors(max_size=30), st.integers(1000, 5000))


def strengths() -> st.SearchStrategy[float]:
    """Regularisation strengths lam >= 0, including 0 and values above 1."""
    return st.one_of(st.just(0.0), st.floats(1e-3, 1e3, **FINITE))


def positive_strengths() -> st.SearchStrategy[float]:
    """Regularisation strengths lam > 0."""
    return st.floats(1e-3, 1e3, **FINITE)


def learning_rates() -> st.SearchStrategy[float]:
    """Learning rates from 1e-3 to 10, so lr * lam runs from tiny to far above 1."""
    return st.floats(1e-3, 10.0, **FINITE)


def scale_factors() -> st.SearchStrategy[float]:
    """Factors to scale an input by, of either sign, never 0."""
    return st.sampled_from([2.0, -1.0, 0.5, -3.0, 10.0])


@st.composite
def update_problems(draw, *, weights_: st.SearchStrategy[np.ndarray] | None = None,
                    lams: st.SearchStrategy[float] | None = None):
    """(w, grad, lr, lam) for one clamped update, w and grad of the same length."""
    w = draw(weights_ if weights_ is not None else weight_vectors())
    grad = draw(hnp.arrays(np.float64, w.shape, elements=st.floats(-MAX_WEIGHT, MAX_WEIGHT, **FINITE)))
    return w, grad, draw(learning_rates()), draw(lams if lams is not None else strengths())


def targets(*, max_samples: int = 6) -> st.SearchStrategy[np.ndarray]:
    """Regression targets y: 1 to `max_samples` values in [-1e3, 1e3]."""
    return hnp.arrays(np.float64, st.integers(1, max_samples), elements=st.floats(-1e3, 1e3, **FINITE))


@st.composite
def regression_problems(draw, *, max_samples: int = 6, max_features: int = 5):
    """(w, X, y): X of shape (n, p) with n and p from 1, y of length n, w of length p."""
    n = draw(st.integers(1, max_samples))
    p = draw(st.integers(1, max_features))
    entries = st.floats(-100.0, 100.0, **FINITE)
    X = draw(hnp.arrays(np.float64, (n, p), elements=entries))
    y = draw(hnp.arrays(np.float64, n, elements=st.floats(-1e3, 1e3, **FINITE)))
    w = draw(hnp.arrays(np.float64, p, elements=st.floats(-1e3, 1e3, **FINITE)))
    return w, X, y
