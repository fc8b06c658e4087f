"""Hand out an exercise's hints one at a time, remembering how many each learner has seen.

The count lives in the user's cache folder, keyed by the exercises folder, so the learner's
own folder stays clean.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.catalog import Exercise
from grader.files import write_atomically
from grader.progress import cache_folder


def state_file() -> Path:
    return cache_folder() / "hints.json"


def next_hint(exercise: Exercise, folder: Path, *, reset: bool = False,
              function: str | None = None) -> tuple[int, int, str]:
    """The number (from 1), how many there are, and the text of the next hint; the last
    one repeats once all are seen. With `function`, the hints about that function (where it
    has its own). With `reset`, start again from the first hint.
    """
    hints = exercise.hints_for(function)
    key_name = exercise.name if hints == exercise.hints else f"{exercise.name}.{function}"
    path = state_file()
    try:
        seen = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(seen, dict):
            seen = {}
    except (OSError, ValueError):
        seen = {}
    key = f"{folder.resolve()}::{key_name}"
    shown = int(seen.get(key, 0)) if str(seen.get(key, 0)).isdigit() and not reset else 0
    number = min(shown + 1, len(hints))
    seen[key] = number
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(seen, indent=1, sort_keys=True))
    except OSError:
        pass  # a hint is still worth showing when the cache folder is read-only
    return number, len(hints), hints[number - 1]
