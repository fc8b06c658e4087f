# Technique: deep recursion past the C stack, with the recursion limit lifted.
import sys

sys.setrecursionlimit(10**8)


def down(n):
    return down(n + 1) + 1


def sign_gradient(w, lam):
    return down(0)
