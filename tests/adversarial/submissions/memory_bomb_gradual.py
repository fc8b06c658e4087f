# Technique: gradual memory growth, swallowing MemoryError and trying again.
def sign_gradient(w, lam):
    hoard = []
    while True:
        try:
            hoard.append(bytearray(16 * 1024 * 1024))
        except MemoryError:
            hoard = hoard[len(hoard) // 2:]
