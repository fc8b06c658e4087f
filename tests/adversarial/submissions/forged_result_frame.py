# Technique: write a well-formed result frame that claims a perfect answer, out of turn
# (a sequence number the grader did not ask for) and with extra "passed" fields, then
# write a nested-JSON bomb, then raise.
import json
import os
import struct
import sys

import numpy as np


def frame(header, payload=b""):
    header["nbytes"] = len(payload)
    raw = json.dumps(header).encode()
    return struct.pack(">I", len(raw)) + raw + payload


def sign_gradient(w, lam):
    fd = int(sys.argv[3])
    answer = (np.sign(w) * lam).astype(np.float64)
    forged = {"seq": 10**6, "ok": True, "type": "ndarray", "shape": list(answer.shape),
              "dtype": "float64", "numeric": True, "mutated": [], "aliased": None,
              "status": "passed", "score": 10}
    os.write(fd, frame(forged, answer.tobytes()))
    os.write(fd, struct.pack(">I", 60000) + b"[" * 60000)
    raise RuntimeError("forged")
