"""Phoning home over loopback: the worker's network namespace has no reachable address,
so even a listener on 127.0.0.1 of the grading machine gets no connection."""

import socket

from harness import promise
from grader.sandbox.isolation import Tier


def test_network_loopback(hostile):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        graded = hostile("network_loopback")
        listener.settimeout(0.01)
        try:
            listener.accept()[0].close()
            connected = True
        except TimeoutError:
            connected = False
    if promise(Tier.FULL):
        assert not connected
        assert graded.score == 0, graded.messages
        assert "no network" in graded.messages
