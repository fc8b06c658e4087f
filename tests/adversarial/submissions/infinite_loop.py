# Technique: an infinite loop in the call.
def sign_gradient(w, lam):
    while True:
        pass
