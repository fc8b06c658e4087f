"""What a reduced-tier worker may read, and which reference material other users can read.

Without namespaces (the reduced tier) nothing can be hidden by mounts. Two things stand
between the learner's code and the reference instead:

- Landlock (Linux 5.13+, needs no privilege): the worker restricts itself to reading the
  interpreter, its packages and the system's folders, and to writing a scratch folder of
  its own (its TMPDIR and HOME) and /dev/shm; it cannot even list /tmp, where `grade batch`
  keeps the students' copies. `landlock_rules` lists the readable paths here, in the
  grader, leaving out the grader's own packages (solutions, hidden checks), its source
  checkout (with `.git` and any `build/`) and every folder the install came from;
  `_confine` applies them in the worker.
- File modes: `readable_reference` lists each path holding reference material that an
  unprivileged user can read, for `grade doctor` to name with its fix. Where Landlock is
  missing, they are what the worker can read.
"""

from __future__ import annotations

import ctypes
import functools
import json
import operator
import os
import shutil
import stat
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from grader import paths

SYSTEM_READ = ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc", "/proc",
               "/sys", "/dev")
"""System folders a worker reads (shared libraries, locale, /proc/self, /dev/urandom)."""
SHARED_WRITE = ("/dev/shm", "/dev/null")
"""Where a Landlock-confined worker may write besides its own scratch folder (POSIX shared
memory and semaphores; anything its uid leaves there is swept after it)."""
SCRATCH_PREFIX = "/tmp/l1lab-worker-"
OWN_PACKAGES = ("grader", "solutions", "quiz")
"""This distribution's packages: the worker needs none of them once it is confined."""


def landlock_plan(scratch: str) -> dict | None:
    """The Landlock part of a reduced-tier plan, or None where the kernel has no Landlock."""
    abi = landlock_abi()
    if not abi:
        return None
    write = [scratch, *(p for p in SHARED_WRITE if os.path.exists(p))]
    return {"abi": abi, "read": landlock_rules(), "write": write}


def private_scratch(uid: int) -> str:
    """A new folder only `uid` may enter, for the worker's TMPDIR and HOME (swept with it)."""
    path = f"{SCRATCH_PREFIX}{operator.index(uid)}"
    shutil.rmtree(path, ignore_errors=True)  # a killed grader's leftover of the same uid
    os.mkdir(path, 0o700)
    os.chown(path, uid, uid)
    return path


@functools.cache
def landlock_abi() -> int:
    """The kernel's Landlock ABI version, or 0 where there is none (or it is blocked)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        version = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def install_sources() -> list[Path]:
    """The folders this distribution was installed from (pip's direct_url.json), if any:
    a source tree with solutions, a `build/` folder and maybe `.git`."""
    try:
        text = metadata.distribution("l1lab").read_text("direct_url.json")
        url = json.loads(text or "{}").get("url", "")
    except (metadata.PackageNotFoundError, ValueError, OSError):
        return []
    if not url.startswith("file://"):
        return []
    return [Path(url[len("file://"):])]


def private_paths() -> list[Path]:
    """Everything of ours the worker must not read: our packages, the source checkout and
    the folders the install came from."""
    found = [folder for name in OWN_PACKAGES for folder in paths.package_folders(name)]
    found += paths.hidden()
    checkout = paths.source_checkout()
    if checkout is not None:
        found.append(checkout)
    found += install_sources()
    return sorted({Path(os.path.realpath(p)) for p in found})


@functools.cache
def landlock_rules() -> list[str]:
    """The paths a Landlock-confined worker may read (and execute)."""
    private = private_paths()
    prefixes = {Path(os.path.realpath(p)) for p in (sys.base_prefix, sys.prefix, sys.exec_prefix)}
    roots = {*(Path(p) for p in SYSTEM_READ if os.path.exists(p)), *prefixes}
    roots |= {Path(os.path.realpath(entry)) for entry in worker_sys_path() if os.path.isdir(entry)}
    read: set[str] = set()
    for root in sorted(roots):
        if root not in private:
            read.update(_allowed_below(root, private))
    return sorted(read)


@functools.cache
def worker_sys_path() -> list[str]:
    """sys.path as the worker has it (`python -I`: the interpreter's and its site's folders,
    no current folder, no PYTHONPATH), so no folder the grader alone was given (pytest's
    rootdir, a checkout `python -m grader` runs from) is readable by the worker."""
    done = subprocess.run([sys.executable, "-I", "-c", "import json, sys; print(json.dumps(sys.path))"],
                          capture_output=True, text=True, timeout=60, env={})
    try:
        return [p for p in json.loads(done.stdout) if isinstance(p, str) and p]
    except ValueError:
        return []


def _allowed_below(root: Path, private: list[Path]) -> list[str]:
    """`root`, or if a private path is inside it, each of its entries that holds none."""
    inside = [p for p in private if _inside(p, root) and p != root]
    if not inside:
        return [str(root)]
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return []
    allowed = []
    for entry in entries:
        path = Path(entry.path)
        if path in private:
            continue
        if entry.is_dir(follow_symlinks=False) and any(_inside(p, path) for p in inside):
            allowed += _allowed_below(path, private)
        elif not entry.is_symlink():
            allowed.append(str(path))
    return allowed


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def readable_reference() -> list[tuple[Path, str]]:
    """(path, how to fix it) for each path with reference material that a user other than
    its owner can read: what a reduced-tier worker reads where Landlock is missing."""
    candidates: list[Path] = list(paths.hidden())
    for source in {*filter(None, [paths.source_checkout()]), *install_sources()}:
        candidates += [source / "solutions", source / "grader" / "checks", source / "build"]
        candidates += _git_folders(source)
    found: list[Path] = []
    for path in sorted(set(candidates)):
        if not any(_inside(path, f) for f in found) and path.exists() and _readable_by_others(path):
            found.append(path)
    return [(path, f"chmod -R go-rwx {path}") for path in found]


def _git_folders(source: Path) -> list[Path]:
    """The checkout's `.git`, and for a worktree (a `.git` file) the repository it names."""
    git = source / ".git"
    if git.is_file():
        try:
            line = git.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return [git]
        if line.startswith("gitdir:"):
            gitdir = (source / line[len("gitdir:"):].strip()).resolve()
            common = gitdir.parent.parent if gitdir.parent.name == "worktrees" else gitdir
            return [gitdir, common]
    return [git]


def _readable_by_others(path: Path) -> bool:
    """Whether a user who is neither owner nor in the group can open `path`."""
    current = Path("/")
    for part in path.parts[1:-1]:
        current = current / part
        try:
            if not os.stat(current).st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    need = stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(mode) else 0)
    return mode & need == need
