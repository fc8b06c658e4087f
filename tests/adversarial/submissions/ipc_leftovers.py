# Technique: leave System V IPC objects (shared memory, a semaphore, a message queue) and a
# lock file behind, outliving the worker, for a later submission to find.
import ctypes

IPC_PRIVATE, IPC_CREAT = 0, 0o1000
libc = ctypes.CDLL(None)
libc.shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0o666)
libc.semget(IPC_PRIVATE, 1, IPC_CREAT | 0o666)
libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o666)
for folder in ("/run/lock", "/var/lock", "/tmp", "/dev/shm"):
    try:
        with open(f"{folder}/l1lab-hostile-leftover", "w") as file:
            file.write("x")
    except OSError:
        pass


def sign_gradient(w, lam):
    raise RuntimeError("left things behind")
