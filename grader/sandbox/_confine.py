"""The worker's side of confinement: runs in the worker before any learner code.

Loaded by path from `worker_main.py`, so it imports only the standard library (never the
grader, whose hidden parts must stay out of the worker). The grader's `isolation` module
decides the plan; this module carries it out and fails loudly rather than half-way:

- full: new pid, mount, network, IPC and UTS namespaces; the worker becomes pid 1 of its
  own pid namespace (a small root keeper outside waits for it and passes on how it ended),
  sees a fresh /proc, private tmpfs on /tmp, /var/tmp and /dev/shm, the project folder and
  the reference solutions and hidden checks covered by empty tmpfs, the rest of the
  filesystem read-only; the interpreter and venv bound back where the dropped uid can
  reach them. Then a uid of its own, no new privileges, a seccomp filter that refuses every
  socket family but AF_UNIX, AF_INET and AF_INET6 (no netlink, vsock, packet, crypto...
  sockets: the worker needs none, and each is a way to the host or its kernel) and
  io_uring (which can open sockets without the socket call), then rlimits.
- reduced: the uid drop, rlimits and, where the kernel has it, Landlock: the worker may
  then read only the paths the plan lists (the interpreter and its packages, the system's
  folders: never the grader's own packages, its checkout, `.git` or `build/`) and write
  only its scratch folders, with no TCP and no signals beyond its own processes.
- minimal: rlimits only (the learner's own laptop, not root).
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import stat

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
    if tier == "full":
        _deny_socket_families()
    if plan.get("landlock"):
        _landlock(plan["landlock"])
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
    umask = os.umask(0o022)  # mount points the dropped uid can pass, whatever the grader's umask
    for path, fd in keep:
        if any(_under(path, mask) for mask in plan["masks"]):
            os.makedirs(path, exist_ok=True)
            mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        os.close(fd)
    os.umask(umask)
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


PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
EAFNOSUPPORT, ENOSYS = 97, 38
ALLOWED_FAMILIES = (1, 2, 10)  # AF_UNIX, AF_INET, AF_INET6 (the latter two in an empty netns)
SYSCALLS = {  # machine: (audit arch, socket, socketpair, io_uring_setup)
    "x86_64": (0xC000003E, 41, 53, 425),
    "aarch64": (0xC00000B7, 198, 199, 425),
}
X32_BIT = 0x40000000


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def socket_filter(machine: str) -> list[tuple[int, int, int, int]]:
    """The classic BPF program of `_deny_socket_families`, as (code, jt, jf, k) rows."""
    arch, socket, socketpair, io_uring = SYSCALLS[machine]
    load, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    deny_family, no_such_call = SECCOMP_RET_ERRNO | EAFNOSUPPORT, SECCOMP_RET_ERRNO | ENOSYS
    families = [(jeq, len(ALLOWED_FAMILIES) - i, 0, family)
                for i, family in enumerate(ALLOWED_FAMILIES)]
    return [
        (load, 0, 0, 4),                       # the calling convention (arch)
        (jeq, 1, 0, arch),
        (ret, 0, 0, no_such_call),              # a foreign one (32-bit calls): refused
        (load, 0, 0, 0),                       # the system call number
        (jge, 0, 1, X32_BIT),
        (ret, 0, 0, no_such_call),              # x32 calls: refused
        (jeq, 0, 1, io_uring),
        (ret, 0, 0, no_such_call),
        (jeq, 1, 0, socket),
        (jeq, 0, 2 + len(families), socketpair),
        (load, 0, 0, 16),                      # its first argument, the family (low 32 bits)
        *families,
        (ret, 0, 0, deny_family),
        (ret, 0, 0, SECCOMP_RET_ALLOW),
    ]


def _deny_socket_families() -> None:
    """Refuse sockets of every family but AF_UNIX, AF_INET and AF_INET6 (EAFNOSUPPORT), and
    io_uring; for this process and all it starts. Needs no_new_privs (set by the uid drop)."""
    machine = os.uname().machine
    if machine not in SYSCALLS:
        raise ConfinementError(f"no seccomp filter for this machine ({machine})")
    rows = socket_filter(machine)
    program = (_SockFilter * len(rows))(*[_SockFilter(*row) for row in rows])
    fprog = _SockFprog(len(rows), program)
    _check(libc().prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0),
           "seccomp filter")


SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_RULE_PATH_BENEATH = 1
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR, FS_TRUNCATE = 1, 2, 4, 8, 1 << 14
FS_RIGHTS = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1,
             5: (1 << 16) - 1}
"""Every filesystem right each Landlock ABI knows (all handled: what no rule grants is denied)."""
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | (1 << 15)
NET_TCP = 0b11  # bind and connect (ABI 4): handled with no rule, so no TCP at all
SCOPES = 0b11  # abstract unix sockets and signals (ABI 6): nothing outside the worker's own


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _landlock(rules: dict) -> None:
    """Restrict this process (and all it starts) to reading `rules["read"]` and writing
    `rules["write"]`. The grader planned it only where the kernel has Landlock, so a failure
    here stops grading rather than running the learner's code unrestricted."""
    syscall = libc().syscall
    abi = min(int(rules["abi"]), max(FS_RIGHTS))
    fs = FS_RIGHTS[abi]
    sizes = {1: 8, 2: 8, 3: 8, 4: 16, 5: 16}
    attr = _RulesetAttr(fs, NET_TCP if abi >= 4 else 0, SCOPES if int(rules["abi"]) >= 6 else 0)
    size = 24 if int(rules["abi"]) >= 6 else sizes[abi]
    ruleset = syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                  ctypes.c_uint32(0))
    if ruleset < 0:
        raise ConfinementError(f"landlock: {os.strerror(ctypes.get_errno())}")
    try:
        read = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
        for paths, rights in ((rules["read"], read), (rules["write"], fs)):
            for path in paths:
                _landlock_allow(ruleset, path, rights)
        _check(syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)),
               "landlock_restrict_self")
    finally:
        os.close(ruleset)


def _landlock_allow(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # gone, or closed to this uid: nothing to allow
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= FILE_RIGHTS
        rule = _PathBeneath(rights, fd)
        _check(libc().syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset),
                              ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH), ctypes.byref(rule),
                              ctypes.c_uint32(0)), f"landlock rule {path}")
    finally:
        os.close(fd)


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
