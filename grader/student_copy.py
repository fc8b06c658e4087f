"""What a student copy (`grade release`) leaves out, read back when that copy grades.

The release writes `release.toml` beside this module; the full course has none.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

MANIFEST = Path(__file__).with_name("release.toml")


@dataclass(frozen=True)
class Hidden:
    """The hidden checks of one exercise that a student copy leaves out."""

    checks: int
    points: int


def hidden_in_release() -> dict[str, Hidden]:
    """In a student copy, the hidden checks left out per exercise; empty in the full course."""
    if not MANIFEST.is_file():
        return {}
    data = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    return {name: Hidden(int(v["checks"]), int(v["points"])) for name, v in data.get("hidden", {}).items()}
