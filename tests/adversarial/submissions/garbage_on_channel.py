# Technique: write garbage bytes onto the result channel, then return the right answer.
import os
import sys

import numpy as np


def sign_gradient(w, lam):
    os.write(int(sys.argv[3]), b"\x00\x00\x00\x10{not json at all}" + os.urandom(64))
    return np.sign(w) * lam
