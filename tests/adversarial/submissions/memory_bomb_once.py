# Technique: one huge allocation (80 GB), touched so it is really used.
import numpy as np


def sign_gradient(w, lam):
    big = np.ones(10**10)
    return big[: len(w)]
