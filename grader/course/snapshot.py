"""What a batch grades of one student's folder: the graded files, read safely, as bytes.

A `Snapshot` travels to wherever the student is graded (this machine or a Dask worker), so
grading never reads the student's folder again.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Snapshot:
    """The files of one student's folder that are graded, keyed by relative POSIX path."""

    files: tuple[tuple[str, bytes], ...]
    too_big: tuple[str, ...] = ()
    """Files to grade that were too big to read."""
    not_regular: tuple[str, ...] = ()
    """Files to grade that are links, pipes or devices, not files: never read."""

    @property
    def sha256(self) -> str:
        digest = hashlib.sha256()
        for label, names in ((b"too big ", self.too_big), (b"not regular ", self.not_regular)):
            for name in names:
                encoded = name.encode("utf-8", "surrogateescape")
                digest.update(label + len(encoded).to_bytes(8, "big") + encoded)
        for name, data in self.files:
            encoded = name.encode("utf-8", "surrogateescape")
            digest.update(len(encoded).to_bytes(8, "big") + encoded)
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()


def take_snapshot(folder: Path) -> Snapshot:
    """Read the files `grade all` grades, in `folder` and in `folder/exercises`: the exercise
    files (`.py` and notebooks) and the quiz answers, nothing else, so no other file can crowd them out or
    change the key.

    Only regular files are read: a symlink or a special file (a FIFO, a device) is never
    followed or opened for reading, so a folder cannot make the batch hang or read outside
    it; it is named in `not_regular`. A file over MAX_FILE_BYTES is named in `too_big`.
    """
    files: list[tuple[str, bytes]] = []
    too_big: list[str] = []
    not_regular: list[str] = []
    for relative in graded_names():
        try:
            mode = os.lstat(folder / relative).st_mode
        except OSError:  # not there: that exercise is not started
            continue
        data = _read_regular(folder / relative, MAX_FILE_BYTES) if stat.S_ISREG(mode) else None
        if data is None:
            not_regular.append(relative)
        elif len(data) > MAX_FILE_BYTES:
            too_big.append(relative)
        else:
            files.append((relative, data))
    return Snapshot(tuple(files), tuple(too_big), tuple(not_regular))


def graded_names() -> list[str]:
    from grader import candidates, catalog
    from grader.quiz_item import ANSWERS_FILE

    # Each exercise's .py file and notebooks (`grader.candidates` chooses among them).
    exercise_files = [name for e in catalog.exercises() for name in candidates.names(e)]
    names = [*dict.fromkeys(exercise_files), ANSWERS_FILE]
    return names + [f"exercises/{name}" for name in names]


def _read_regular(path: Path, limit: int) -> bytes | None:
    """Up to `limit` + 1 bytes of `path` if it is a regular file (not through a symlink)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        with os.fdopen(os.dup(handle), "rb") as stream:
            return stream.read(limit + 1)
    finally:
        os.close(handle)
