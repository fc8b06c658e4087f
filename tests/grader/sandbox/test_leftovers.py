"""After a reduced-tier worker: its System V IPC objects and its files in /run/lock, /var/lock
and the scratch folders are removed, and nobody else's are."""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from grader.sandbox import leftovers

UID = 2_099_999_001  # above the worker uids any grader on this machine hands out now
IPC_PRIVATE, IPC_CREAT = 0, 0o1000

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another uid")


def as_uid(uid: int, action) -> None:
    """Run `action` in a child that has dropped to `uid`, and wait for it."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            action()
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def make_ipc() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0o600) >= 0
    assert libc.semget(IPC_PRIVATE, 1, IPC_CREAT | 0o600) >= 0
    assert libc.msgget(IPC_PRIVATE, IPC_CREAT | 0o600) >= 0


def test_ipc_objects_of_the_uid_are_removed_and_no_others() -> None:
    as_uid(UID, make_ipc)
    as_uid(UID + 1, make_ipc)
    try:
        for table in ("shm", "sem", "msg"):
            assert leftovers.owned_ipc(table, UID), table
        leftovers.remove_ipc(UID)
        for table in ("shm", "sem", "msg"):
            assert leftovers.owned_ipc(table, UID) == [], table
            assert leftovers.owned_ipc(table, UID + 1), table
    finally:
        leftovers.remove_ipc(UID)
        leftovers.remove_ipc(UID + 1)


@pytest.mark.skipif(not os.path.isdir("/run/lock"), reason="no /run/lock here")
def test_files_of_the_uid_in_lock_and_scratch_folders_are_removed() -> None:
    top = Path(tempfile.mkdtemp(prefix="l1lab-leftovers-"))  # pytest's tmp_path is closed to others
    top.chmod(0o755)
    shared = top / "shared"
    shared.mkdir(mode=0o1777)
    shared.chmod(0o1777)
    inner = shared / "inner"
    inner.mkdir()
    inner.chmod(0o1777)
    mine = [Path(f"/run/lock/l1lab-test-{UID}.lock"), shared / "f", shared / "d", inner / "g"]

    def leave() -> None:
        mine[0].write_text("x")
        mine[1].write_text("x")
        (mine[2] / "deep").mkdir(parents=True)
        mine[3].write_text("x")

    theirs = shared / "theirs"
    theirs.write_text("keep")
    try:
        as_uid(UID, leave)
        assert all(p.exists() for p in mine)
        leftovers.remove_files(UID, ("/run/lock", "/var/lock", str(shared)))
        assert [p for p in mine if p.exists()] == []
        assert theirs.read_text() == "keep"
    finally:
        mine[0].unlink(missing_ok=True)
        shutil.rmtree(top, ignore_errors=True)
