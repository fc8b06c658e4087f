"""What a batch grades of one student's folder: the graded files, read safely, as bytes.

A `Snapshot` travels to wherever the student is graded (this machine or a Dask worker), so
grading never reads the student's folder again.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from grader.safe_open import Refused, read_beneath

MAX_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Snapshot:
    """The files of one student's folder that are graded, keyed by relative POSIX path."""

    files: tuple[tuple[str, bytes], ...]
    too_big: tuple[str, ...] = ()
    """Files to grade that were too big to read."""
    not_regular: tuple[str, ...] = ()
    """Files to grade that are pipes, devices or folders, not files: never read."""
    links: tuple[str, ...] = ()
    """Links where a graded file or `exercises/` would be: never followed. Each scores 0 for
    what it stands for, named, as when the folder is graded alone."""
    folder_link: bool = False
    """The student's folder itself is a link (to another student's, say): not graded."""

    @property
    def sha256(self) -> str:
        digest = hashlib.sha256(b"folder link" if self.folder_link else b"")
        for label, names in ((b"too big ", self.too_big), (b"not regular ", self.not_regular),
                             (b"link ", self.links)):
            for name in names:
                encoded = name.encode("utf-8", "surrogateescape")
                digest.update(label + len(encoded).to_bytes(8, "big") + encoded)
        for name, data in self.files:
            encoded = name.encode("utf-8", "surrogateescape")
            digest.update(len(encoded).to_bytes(8, "big") + encoded)
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()


def take_snapshot(folder: Path, sources: Mapping[str, str] | None = None) -> Snapshot:
    """Read the files `grade all` grades, in `folder` and in `folder/exercises`: the exercise
    files (`.py` and notebooks) and the quiz answers, nothing else, so no other file can
    crowd them out or change the key. `sources` maps graded names to other paths relative
    to `folder` (an LMS download names files its own way: `grader.course.layouts`).

    Only regular files are read, reached with no link in any component (the student's
    folder, `exercises/`, the file; `grader.safe_open`): a link is never followed (it is named
    in `links`) and a special file (a FIFO, a device) never opened (named in `not_regular`),
    so a folder cannot make the batch hang or read outside it. A file over MAX_FILE_BYTES is
    named in `too_big`.
    """
    try:
        root = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(folder):
            return Snapshot((), folder_link=True)
        raise
    files: list[tuple[str, bytes]] = []
    too_big: list[str] = []
    not_regular: list[str] = []
    links: list[str] = []
    try:
        for relative, source in (sources or {name: name for name in graded_names()}).items():
            try:
                data = read_beneath(root, source, MAX_FILE_BYTES)
            except FileNotFoundError:  # not there: that exercise is not started
                continue
            except Refused as refused:
                if not refused.link:
                    not_regular.append(relative)
                elif refused.name not in links:
                    links.append(refused.name)
                continue
            except OSError:  # unreadable: as if a special file, never graded
                not_regular.append(relative)
                continue
            if len(data) > MAX_FILE_BYTES:
                too_big.append(relative)
            else:
                files.append((relative, data))
    finally:
        os.close(root)
    return Snapshot(tuple(files), tuple(too_big), tuple(not_regular), tuple(links))


def graded_names() -> list[str]:
    from grader import candidates, catalog
    from grader.quiz_item import ANSWERS_FILE

    # Each exercise's .py file and notebooks (`grader.candidates` chooses among them).
    exercise_files = [name for e in catalog.exercises() for name in candidates.names(e)]
    names = [*dict.fromkeys(exercise_files), ANSWERS_FILE]
    return names + [f"exercises/{name}" for name in names]
