"""Hand out an exercise's hints one at a time, remembering how many each learner has seen.

The count lives in the user's cache folder, keyed by the exercises folder, so the learner's
own folder stays clean.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from grader.catalog import Exercise
from grader.files import write_atomically


def state_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "l1lab" / "hints.json"


def next_hint(exercise: Exercise, folder: Path, *, reset: bool = False) -> tuple[int, str]:
    """The number (from 1) and text of the next hint; the last one repeats once all are seen.

    With `reset`, start again from the first hint.
    """
    path = state_file()
    try:
        seen = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(seen, dict):
            seen = {}
    except (OSError, ValueError):
        seen = {}
    key = f"{folder.resolve()}::{exercise.name}"
    shown = int(seen.get(key, 0)) if str(seen.get(key, 0)).isdigit() and not reset else 0
    number = min(shown + 1, len(exercise.hints))
    seen[key] = number
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(seen, indent=1, sort_keys=True))
    except OSError:
        pass  # a hint is still worth showing when the cache folder is read-only
    return number, exercise.hints[number - 1]
