# Technique: a segfault through ctypes.
import ctypes


def sign_gradient(w, lam):
    return ctypes.string_at(0)
