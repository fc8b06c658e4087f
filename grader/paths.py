"""Where the grader's own folders are, worked out in one place."""

from __future__ import annotations

import importlib.util
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
"""The folder that holds the `grader` package: the source checkout, or site-packages."""


def source_checkout() -> Path | None:
    """The source checkout the grader runs from (with its pyproject.toml), if it is one."""
    return PACKAGE_ROOT if (PACKAGE_ROOT / "pyproject.toml").is_file() else None


def package_folders(name: str) -> list[Path]:
    """Where the package `name` is installed (none if it is not)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(p).resolve() for p in spec.submodule_search_locations]


def solutions() -> Path | None:
    """The reference solutions' folder; None in a student copy, which has none."""
    folders = package_folders("solutions")
    return folders[0] if folders else None


def hidden() -> list[Path]:
    """The reference solutions and the hidden checks, wherever they are installed."""
    return package_folders("solutions") + package_folders("grader.checks")
