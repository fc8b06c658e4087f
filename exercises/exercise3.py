"""Exercise 3: the Elastic Net loss.

Elastic Net adds both penalties to the data loss:

    L = mean((X @ w - y) ** 2) + lam1 * sum_i |w_i| + lam2 * sum_i w_i ** 2

The first term is the mean squared error over the n samples. The L1 term (lam1) brings
sparsity, exact zeros; the L2 term (lam2) brings smoothness and keeps groups of
correlated features together.

Check your work with:  grade exercise3
"""

import numpy as np


def elastic_net_loss(w, X, y, lam1, lam2):
    """Return the Elastic Net loss as one number.

    w:    1-D numpy array of p weights.
    X:    2-D numpy array of shape (n, p), one row per sample.
    y:    1-D numpy array of n targets.
    lam1: the L1 strength, a float >= 0.
    lam2: the L2 strength, a float >= 0.

    Do not change the arrays. Returns a float.
    """
    raise NotImplementedError("write elastic_net_loss")
