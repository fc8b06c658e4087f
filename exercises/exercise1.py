"""Exercise 1: the gradient of the L1 penalty.

The L1 penalty is lam * ||w||_1 = lam * sum_i |w_i|. The derivative of |w_i| is
sign(w_i): +1 for a positive weight, -1 for a negative one. So the gradient of the
penalty is

    lam * sign(w_i)

Its size does not depend on how big the weight is: w_i = 100 and w_i = 0.001 get the
same push, lam. That constant push is what drives small weights all the way to zero.

At w_i == 0 the function |w| has a kink; the lesson uses the subgradient 0 there
(numpy's np.sign(0.0) is 0.0).

Check your work with:  grade exercise1
"""

import numpy as np


def sign_gradient(w, lam):
    """Return the gradient of lam * ||w||_1 with respect to w.

    w:   1-D numpy array of floats (do not change it).
    lam: the regularisation strength, a float >= 0.

    Returns a new numpy array shaped like w: lam where w > 0, -lam where w < 0,
    and exactly 0 where w == 0.
    """
    raise NotImplementedError("write sign_gradient")
