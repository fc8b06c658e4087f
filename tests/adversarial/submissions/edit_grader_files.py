# Technique: edit the grader, the hidden checks, the solutions and numpy on disk.
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
TARGETS = [os.path.join(ROOT, p) for p in ("grader/checks/exercise1.py", "grader/compare.py",
                                           "solutions/exercise1.py", "grader/plugin.py")]
TARGETS.append(np.__file__)


def sign_gradient(w, lam):
    for path in TARGETS:
        try:
            with open(path, "a") as file:
                file.write("\n# l1lab-hostile was here\n")
        except OSError:
            pass
    raise RuntimeError("exploit failed")
