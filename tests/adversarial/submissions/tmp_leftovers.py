# Technique: leave files in /tmp, /var/tmp and /dev/shm for the next submission to find.
import os


def sign_gradient(w, lam):
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        try:
            with open(os.path.join(folder, "l1lab-hostile-left.txt"), "w") as file:
                file.write("expected values: ...")
        except OSError:
            pass
    raise RuntimeError("left files behind")
