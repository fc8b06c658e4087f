"""Exercise 2: one L1-regularised gradient step that clamps at zero.

The lesson's L1 update is

    w <- w - lr * dL_data/dw - lr * lam * sign(w)

Every weight moves towards zero by the same fixed amount, lr * lam, each step. A weight
that would overshoot zero is clamped to exactly 0. Do it in two parts:

1. the data step:  v = w - lr * grad
2. the L1 step:    each v_i moves towards zero by lr * lam, and stops at exactly 0.0
                   if it would cross zero:
                   out_i = sign(v_i) * max(|v_i| - lr * lam, 0)

Use the sign of v (after the data step), not of the old w. One consequence: a weight
at zero stays exactly zero unless its data gradient is stronger than lam (|grad_i| > lam).
That is how L1 leaves most weights of a model at exactly zero.

Check your work with:  grade exercise2
"""

import numpy as np


def clamped_update(w, grad, lr, lam):
    """Return the weights after one clamped L1 gradient step.

    w:    1-D numpy array, the current weights (do not change it).
    grad: 1-D numpy array shaped like w, the gradient of the data loss at w.
    lr:   the learning rate, a float > 0.
    lam:  the L1 strength, a float >= 0.

    Returns a new numpy array shaped like w.
    """
    raise NotImplementedError("write clamped_update")
