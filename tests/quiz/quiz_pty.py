"""Running the installed `quiz` in a real pseudo-terminal, as a learner would, for the tests.

Waits on text with generous timeouts, so a slow or busy machine cannot flake the tests.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pexpect

BIN = Path(sys.executable).parent
QUIZ = BIN / "quiz"
PROMPT = "Your answer (A-D): "
TIMEOUT = 30


def spawn(*args: str, color: bool = False, cwd: Path | None = None) -> pexpect.spawn:
    """Start `quiz ARGS` on a 40x120 terminal, in `cwd` (the current directory by default)."""
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env["TERM"] = "dumb"
    if not color:
        env["NO_COLOR"] = "1"
    return pexpect.spawn(
        str(QUIZ), list(args), cwd=None if cwd is None else str(cwd), env=env,
        encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 120),
    )


def ctrl_c(child: pexpect.spawn) -> None:
    """Press Ctrl-C once the child is waiting for input.

    A prompt is written before the read that waits for the answer. A Ctrl-C landing between
    the two is only noticed by Python when that read returns, at the next keypress, so a
    busy machine could leave the test waiting. Waiting until the process sleeps (in its
    read) first closes that gap; without /proc the key is pressed at once.
    """
    stat = Path(f"/proc/{child.pid}/stat")
    deadline = time.monotonic() + TIMEOUT
    while stat.exists() and time.monotonic() < deadline:
        if stat.read_text().rsplit(")", 1)[1].split()[0] == "S":
            break
        time.sleep(0.01)
    child.sendintr()


def finish(child: pexpect.spawn) -> str:
    """Wait for the process to end; return what it printed after the last expect."""
    child.expect(pexpect.EOF)
    rest = child.before
    child.close()
    return rest
