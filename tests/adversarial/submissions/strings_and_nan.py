# Technique: return strings, NaN and an object array in turns.
import numpy as np

CALLS = [0]


def sign_gradient(w, lam):
    CALLS[0] += 1
    kind = CALLS[0] % 3
    if kind == 0:
        return "0.0 " * len(w)
    if kind == 1:
        return np.full(len(w), np.nan)
    return np.array([object()] * len(w), dtype=object)
