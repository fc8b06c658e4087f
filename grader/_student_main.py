"""One student's grading process: set its limits, then run `grade all` in this interpreter.

Started by `grader.student_job` as
``python -m grader._student_main MEMORY_BYTES CPU_SECONDS PARENT_PID all --submission ...``.
The limits are set here, after exec, rather than in a `preexec_fn`, because the parent has
threads (a thread pool, or a Dask worker) and forking with `preexec_fn` there can deadlock.
Every process this one starts (the learner's workers) inherits the limits, so a memory bomb
or an orphaned endless loop stops on its own even if the grader above it is gone.
"""

from __future__ import annotations

import ctypes
import os
import resource
import runpy
import signal
import sys

PR_SET_PDEATHSIG = 1


def main() -> None:
    memory, cpu, parent = (int(value) for value in sys.argv[1:4])
    if memory > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if cpu > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    try:  # Linux: die with the batch process, even when it is killed with SIGKILL.
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the batch process died before prctl took effect
        os._exit(3)
    sys.argv = ["grade", *sys.argv[4:]]
    runpy.run_module("grader", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
