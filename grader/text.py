"""Cutting long text for reports, always with a visible mark where it was cut."""

from __future__ import annotations

MARK = "…"


def head(text: str, limit: int) -> str:
    """The start of `text`, at most `limit` characters, ending in … if anything was cut."""
    return text if len(text) <= limit else text[:limit - len(MARK)] + MARK


def tail(text: str, limit: int) -> str:
    """The end of `text` (where a traceback or log says what happened), at most `limit`
    characters, starting with … if anything was cut."""
    return text if len(text) <= limit else MARK + text[len(text) - limit + len(MARK):]
