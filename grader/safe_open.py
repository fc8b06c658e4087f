"""Read a learner's file beneath a folder without following any link on the way.

A student's upload may hold links (a git clone, a zip): `exercises/` linked to the reference
solutions, `exercise4.py` linked to a classmate's file, `quiz.txt` linked to a file only
root may read. The grader often runs as root, so it must never open a path the student
chose. `read_beneath(root, "exercises/exercise4.py")` opens each component relative to the
one before it, refuses a link in any of them and anything that is not a regular file, and
returns the bytes, read once: nothing is opened by that path again.

On Linux 5.6 and later one `openat2(RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH)` call resolves
the whole path in the kernel; elsewhere (an older kernel, a container that forbids the call,
macOS) each component is opened with `O_NOFOLLOW` from the one before, which refuses the same
links.
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat
import sys
from pathlib import Path

SYS_OPENAT2 = 437  # the same number on every Linux architecture
RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS, RESOLVE_BENEATH = 0x02, 0x04, 0x08
O_PATH = getattr(os, "O_PATH", 0)


class Refused(Exception):
    """The path is there but is not to be read: a link on the way, or not a regular file.
    `str()` is the learner's sentence, naming the component."""

    def __init__(self, problem: str, name: str, *, link: bool = False) -> None:
        super().__init__(problem)
        self.name = name
        """The component refused ("exercises" or "exercises/exercise4.py")."""
        self.link = link
        """Whether it is a link (else it is not a regular file)."""


class _OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64),
                ("resolve", ctypes.c_uint64)]


_openat2_works: bool | None = None if sys.platform.startswith("linux") else False


def read_beneath(root: Path | int, relative: str, limit: int) -> bytes:
    """Up to `limit` + 1 bytes of the regular file `relative` (a "/"-separated path, no "..")
    beneath the folder `root` (a path, trusted, or an open folder descriptor).

    Raises `FileNotFoundError` if it is not there and `Refused` if a component is a link or
    the file is not a regular file."""
    parts = relative.split("/")
    if not relative or any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"not a plain relative path: {relative!r}")
    root_fd = root if isinstance(root, int) else os.open(root, os.O_RDONLY | os.O_DIRECTORY |
                                                         os.O_CLOEXEC)
    try:
        try:
            fd = _open_beneath(root_fd, parts)
        except NotADirectoryError:  # a file where a folder was looked for: nothing there
            raise FileNotFoundError(errno.ENOENT, "not there", relative) from None
        try:
            return _read(fd, limit)
        finally:
            os.close(fd)
    finally:
        if not isinstance(root, int):
            os.close(root_fd)


def _open_beneath(root_fd: int, parts: list[str]) -> int:
    """A read-only descriptor of the regular file at `parts` beneath `root_fd`."""
    global _openat2_works
    if _openat2_works is not False:
        try:
            fd = _open_with_openat2(root_fd, parts)
        except OSError as error:
            if error.errno in (errno.ENOSYS, errno.EPERM, errno.EINVAL) and not _openat2_works:
                _openat2_works = False  # no openat2 here (old kernel, seccomp): walk instead
            elif error.errno != errno.ELOOP:  # ELOOP: a link somewhere; the walk names it
                raise
        else:
            _openat2_works = True
            return fd
    return _open_by_walking(root_fd, parts)


def _open_with_openat2(root_fd: int, parts: list[str]) -> int:
    resolve = RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS
    # First a descriptor that opens nothing (O_PATH): a device is never opened as root.
    where = _openat2(root_fd, "/".join(parts), O_PATH | os.O_CLOEXEC, resolve)
    try:
        before = os.fstat(where)
        _require_regular(before, parts)
        fd = _openat2(root_fd, "/".join(parts),
                      os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC, resolve)
    finally:
        os.close(where)
    return _same_regular_file(fd, where_stat=before, parts=parts)


def _openat2(dir_fd: int, path: str, flags: int, resolve: int) -> int:
    how = _OpenHow(flags, 0, resolve)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    fd = libc.syscall(ctypes.c_long(SYS_OPENAT2), ctypes.c_int(dir_fd),
                      ctypes.c_char_p(os.fsencode(path)), ctypes.byref(how),
                      ctypes.c_size_t(ctypes.sizeof(how)))
    if fd < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), path)
    return fd


def _open_by_walking(root_fd: int, parts: list[str]) -> int:
    """Open each folder with O_NOFOLLOW from the one before, then the file the same way."""
    fd = os.dup(root_fd)
    try:
        for depth, part in enumerate(parts[:-1], start=1):
            _refuse_link(fd, part, parts[:depth], folder=True)
            following = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                                dir_fd=fd)
            os.close(fd)
            fd = following
        _refuse_link(fd, parts[-1], parts, folder=False)
        before = os.stat(parts[-1], dir_fd=fd, follow_symlinks=False)
        _require_regular(before, parts)
        try:
            file = os.open(parts[-1], os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY |
                           os.O_CLOEXEC, dir_fd=fd)
        except OSError as error:
            if error.errno == errno.ELOOP:  # swapped for a link since the look just now
                raise _link(parts, folder=False) from None
            raise
        return _same_regular_file(file, where_stat=before, parts=parts)
    finally:
        os.close(fd)


def _refuse_link(dir_fd: int, part: str, shown: list[str], *, folder: bool) -> None:
    if stat.S_ISLNK(os.stat(part, dir_fd=dir_fd, follow_symlinks=False).st_mode):
        raise _link(shown, folder=folder)


def _link(parts: list[str], *, folder: bool) -> Refused:
    name = "/".join(parts)
    what = "folder" if folder else "file"
    return Refused(f"{name} is a link; submit the {what} itself.", name, link=True)


def _require_regular(found: os.stat_result, parts: list[str]) -> None:
    if not stat.S_ISREG(found.st_mode):
        name = "/".join(parts)
        raise Refused(f"{name} is not a regular file (a folder, a pipe or a device); submit "
                      "the file itself.", name)


def _same_regular_file(fd: int, *, where_stat: os.stat_result | None, parts: list[str]) -> int:
    """`fd` if it is a regular file (and the one looked at, if given), else close it and refuse."""
    try:
        now = os.fstat(fd)
        _require_regular(now, parts)
        if where_stat is not None and (now.st_dev, now.st_ino) != (where_stat.st_dev,
                                                                    where_stat.st_ino):
            raise Refused(f"{'/'.join(parts)} changed while it was being read; submit it again.",
                          "/".join(parts))
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read(fd: int, limit: int) -> bytes:
    chunks, left = [], limit + 1
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
