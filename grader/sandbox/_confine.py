"""The worker's side of confinement: runs in the worker before any learner code.

Loaded by path from `worker_main.py`, so it imports only the standard library (never the
grader, whose hidden parts must stay out of the worker). The grader's `isolation` module
decides the plan; this module carries it out and fails loudly rather than half-way:

- full: new pid, mount, network, IPC and UTS namespaces; the worker becomes pid 1 of its
  own pid namespace (a small root keeper outside waits for it and passes on how it ended),
  sees a fresh /proc, private tmpfs on /tmp, /var/tmp and /dev/shm, the project folder and
  the reference solutions and hidden checks covered by empty tmpfs, the rest of the
  filesystem read-only; the interpreter and venv bound back where the dropped uid can
  reach them. Then a uid of its own, no new privileges, rlimits.
- reduced: the uid drop and rlimits only (no namespaces).
- minimal: rlimits only (the learner's own laptop, not root).
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
NAMESPACES = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, AT_RECURSIVE, AT_FDCWD = 0x1, 0x2, 0x8000, -100
SYS_MOUNT_SETATTR = 442  # the same number on x86_64 and arm64
PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG = 38, 1

LIMITS = {"as": resource.RLIMIT_AS, "cpu": resource.RLIMIT_CPU, "nproc": resource.RLIMIT_NPROC,
          "fsize": resource.RLIMIT_FSIZE, "nofile": resource.RLIMIT_NOFILE,
          "core": resource.RLIMIT_CORE}


class ConfinementError(Exception):
    """The plan could not be carried out; no learner code may run."""


_libc = None


def libc():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise ConfinementError(f"{what}: {os.strerror(errno)}")


def mount(source: str | None, target: str, fstype: str | None, flags: int,
          data: str | None = None) -> None:
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    _check(libc().mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def enter(plan: dict) -> None:
    """Confine this process as `plan` says; in the full tier it returns in pid 1 of a new
    pid namespace, while the original process stays outside as the keeper and never returns."""
    tier = plan["tier"]
    _join(plan.get("cgroups", []))
    if tier == "full":
        _check(libc().unshare(NAMESPACES), "unshare")
        _become_pid_one(plan["fds"])
        _build_filesystem(plan)
    if tier in ("full", "reduced"):
        _drop_privileges(plan["uid"])
    os.chdir(plan["cwd"])
    _set_limits(plan["limits"], strict=tier != "minimal")
    # After the uid drop, which clears it: die with the grader even if it is killed.
    libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _join(files: list[str]) -> None:
    """Enter the worker's cgroup cell, so all it starts is counted and ended with it; and be
    the first a full memory wall ends, never the grader (set while privileged, it sticks)."""
    for path in files:
        try:
            with open(path, "w") as handle:
                handle.write("0")
        except OSError as error:
            raise ConfinementError(f"join {path}: {error.strerror}") from None
    try:
        with open("/proc/self/oom_score_adj", "w") as handle:
            handle.write("1000")
    except OSError:
        pass


def _become_pid_one(fds: list[int]) -> None:
    """Fork into the new pid namespace; the parent waits and ends as its child ended."""
    pid = os.fork()
    if pid == 0:
        return
    for fd in fds:
        os.close(fd)
    # The grader ends the worker by SIGTERM to this keeper, which the learner's code cannot
    # reach: killing pid 1 of the namespace ends every process in it, setsid or not.
    signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
    libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except ChildProcessError:
            os._exit(70)
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 70)


def _build_filesystem(plan: dict) -> None:
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    keep = [(path, os.open(path, os.O_PATH | os.O_DIRECTORY)) for path in plan["keep"]]
    for mask in plan["masks"]:
        mode = "1777" if mask in plan["scratch"] else "0755"
        mount("tmpfs", mask, "tmpfs", MS_NOSUID | MS_NODEV,
              f"mode={mode},size={plan['scratch_bytes']},nr_inodes=4096")
    for path, fd in keep:
        if any(_under(path, mask) for mask in plan["masks"]):
            os.makedirs(path, exist_ok=True)
            mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)
    for hidden in plan["hide"]:
        if os.path.isdir(hidden):
            mount("tmpfs", hidden, "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "mode=0555,size=4k")
    _read_only_everywhere()
    for scratch in plan["scratch"]:
        try:
            _set_mount_attr(scratch, 0, clear=MOUNT_ATTR_RDONLY)
        except ConfinementError:
            mount(None, scratch, None, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV)


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def _set_mount_attr(path: str, flags: int, *, set_: int = 0, clear: int = 0) -> None:
    attr = _MountAttr(set_, clear, 0, 0)
    _check(libc().syscall(SYS_MOUNT_SETATTR, AT_FDCWD, path.encode(), flags, ctypes.byref(attr),
                          ctypes.sizeof(attr)), f"mount_setattr {path}")


def _read_only_everywhere() -> None:
    """Every mount read-only and nosuid; one syscall on kernels from 5.12, else one by one."""
    try:
        _set_mount_attr("/", AT_RECURSIVE, set_=MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID)
        return
    except ConfinementError:
        pass
    with open("/proc/self/mountinfo") as table:
        targets = [line.split()[4].replace("\\040", " ") for line in table]
    for target in targets:
        try:
            mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID)
        except ConfinementError:
            if not target.startswith(("/proc", "/sys", "/dev")):
                raise


def _drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise ConfinementError("the uid drop did not take")
    _check(libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def _set_limits(limits: dict, *, strict: bool) -> None:
    """Lower each limit; on a laptop (not strict) a limit the system refuses (macOS and
    RLIMIT_AS) is skipped rather than stopping the learner from grading at all."""
    for name, value in limits.items():
        soft = int(value)
        hard = soft + 1 if name == "cpu" else soft  # SIGXCPU first, then SIGKILL
        try:
            _, current_hard = resource.getrlimit(LIMITS[name])
            if current_hard != resource.RLIM_INFINITY:
                soft, hard = min(soft, current_hard), min(hard, current_hard)
            resource.setrlimit(LIMITS[name], (soft, hard))
        except (ValueError, OSError):
            if strict:
                raise
