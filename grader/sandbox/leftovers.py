"""What a reduced-tier worker's uid leaves behind, removed after it.

Without namespaces, a worker's files in shared folders and its System V IPC objects
(shared memory, semaphores, message queues) outlive it. Every worker has a uid of its own,
so whatever that uid owns there is its, and goes. (The full tier needs none of this: its
tmpfs and IPC namespace vanish with it.)
"""

from __future__ import annotations

import ctypes
import os
import shutil
import stat

SHARED_FOLDERS = ("/run/lock", "/var/lock", "/dev/mqueue")
"""World-writable folders beside the scratch ones, where lock files and POSIX queues go."""
DEPTH = 3
"""How deep to look inside world-writable subfolders (/tmp/.X11-unix and the like)."""
IPC_RMID = 0
IPC_TABLES = {"shm": "shmctl", "sem": "semctl", "msg": "msgctl"}
"""/proc/sysvipc/<table> and the call that removes one of its objects."""


def remove_files(uid: int, folders: tuple[str, ...]) -> None:
    """Remove every file and folder owned by `uid` in `folders`, looking a few levels into
    world-writable subfolders owned by others (where the uid could also write)."""
    seen: set[str] = set()
    for folder in folders:
        real = os.path.realpath(folder)
        if real not in seen:  # /var/lock is often a link to /run/lock
            seen.add(real)
            _remove_in(real, uid, DEPTH)


def _remove_in(folder: str, uid: int, depth: int) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if info.st_uid == uid:
            if stat.S_ISDIR(info.st_mode):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass
        elif depth > 1 and stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_IWOTH:
            _remove_in(entry.path, uid, depth - 1)


def remove_ipc(uid: int) -> None:
    """Remove the System V shared memory, semaphores and message queues `uid` created or owns.

    Only their owner, their creator or CAP_SYS_ADMIN may remove them, and the reduced tier is
    exactly root without CAP_SYS_ADMIN: a short-lived child becomes `uid` to do it."""
    found = {call: owned_ipc(table, uid) for table, call in IPC_TABLES.items()}
    if not any(found.values()):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return
    pid = os.fork()
    if pid == 0:  # only raw system calls here, then leave without cleanup
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            for call, idents in found.items():
                for ident in idents:
                    if call == "semctl":
                        libc.semctl(ctypes.c_int(ident), ctypes.c_int(0), ctypes.c_int(IPC_RMID))
                    else:
                        getattr(libc, call)(ctypes.c_int(ident), ctypes.c_int(IPC_RMID), None)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def owned_ipc(table: str, uid: int) -> list[int]:
    """Ids of the objects in /proc/sysvipc/`table` whose owner or creator is `uid`."""
    try:
        with open(f"/proc/sysvipc/{table}") as listing:
            header, *rows = [line.split() for line in listing]
    except (OSError, ValueError):
        return []
    column = {name: i for i, name in enumerate(header)}
    ident = next((name for name in ("shmid", "semid", "msqid") if name in column), None)
    if ident is None or "uid" not in column or "cuid" not in column:
        return []
    found = []
    for row in rows:
        try:
            if uid in (int(row[column["uid"]]), int(row[column["cuid"]])):
                found.append(int(row[column[ident]]))
        except (IndexError, ValueError):
            continue
    return found
