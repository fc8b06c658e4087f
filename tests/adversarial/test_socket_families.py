"""Sockets of families the worker has no use for (netlink, vsock, packet, crypto) are refused
in the full tier by a seccomp filter; AF_UNIX still works."""

from harness import promise
from grader.sandbox.isolation import Tier


def test_socket_families(hostile):
    graded = hostile("socket_families")
    if promise(Tier.FULL):
        assert graded.score == 0, graded.messages
        assert ("refused netlink=EAFNOSUPPORT vsock=EAFNOSUPPORT packet=EAFNOSUPPORT "
                "alg=EAFNOSUPPORT; unix sockets work") in graded.messages
