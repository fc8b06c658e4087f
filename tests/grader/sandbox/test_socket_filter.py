"""The full tier's seccomp program, run here by a small classic-BPF interpreter, so its
decisions are checked on any machine (tests/adversarial/test_socket_families.py checks the
real filter where the full tier is available)."""

from __future__ import annotations

import struct

import pytest

from grader.sandbox import _confine

ALLOW = _confine.SECCOMP_RET_ALLOW
NO_FAMILY = _confine.SECCOMP_RET_ERRNO | _confine.EAFNOSUPPORT
NO_CALL = _confine.SECCOMP_RET_ERRNO | _confine.ENOSYS


def run(program, nr: int, arch: int, args: tuple[int, ...] = ()) -> int:
    data = struct.pack("<iIQ6Q", nr, arch, 0, *(list(args) + [0] * (6 - len(args))))
    pc, acc = 0, 0
    for _ in range(len(program) + 1):
        code, jt, jf, k = program[pc]
        if code == 0x20:
            acc = struct.unpack_from("<I", data, k)[0]
            pc += 1
        elif code in (0x15, 0x35):
            taken = acc == k if code == 0x15 else acc >= k
            pc += 1 + (jt if taken else jf)
        elif code == 0x06:
            return k
        else:
            raise AssertionError(f"unknown instruction {code:#x}")
        assert 0 <= pc < len(program), "a jump leaves the program"
    raise AssertionError("the program does not end")


@pytest.mark.parametrize("machine", sorted(_confine.SYSCALLS))
def test_only_unix_and_inet_sockets_are_allowed(machine):
    program = _confine.socket_filter(machine)
    arch, socket, socketpair, io_uring = _confine.SYSCALLS[machine]
    for call in (socket, socketpair):
        for family in (1, 2, 10):
            assert run(program, call, arch, (family, 1)) == ALLOW
        for family in (16, 17, 38, 40, 0, 255, 2**31):
            assert run(program, call, arch, (family, 1)) == NO_FAMILY
        assert run(program, call, arch, (1 | 2**32, 1)) == ALLOW  # only the int counts
    assert run(program, io_uring, arch) == NO_CALL
    assert run(program, 0, arch, (3,)) == ALLOW  # read(), and every other call
    assert run(program, socket, 0x40000003, (16,)) == NO_CALL  # a 32-bit call: refused
    assert run(program, _confine.X32_BIT | socket, arch, (16,)) == NO_CALL
