"""L1 Lab's grader.

One BLAS thread in the grading process, set before numpy loads: a multi-threaded matrix
product may sum in a different order from run to run, and the inputs of exercise 4's checks
are built with matrix products, so the same submission must see the same bits everywhere.
"""

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"
