"""Write files so that a reader never sees half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(path: Path, mode: int | None = None) -> Iterator[Path]:
    """A temporary path beside `path` to write to; renamed onto `path` when the block ends
    normally, removed when it raises. Readers see the old file or the whole new one, with
    `mode` (default: what open() would give)."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(temp)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        # mkstemp makes 0600; give what open() would, unless told otherwise
        os.chmod(temp, 0o666 & ~_umask() if mode is None else mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that no reader ever sees half of it."""
    with replacing(path) as temp:
        temp.write_text(text, encoding="utf-8")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
