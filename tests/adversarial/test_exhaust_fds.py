"""Exhausting file descriptors (RLIMIT_NOFILE) does not stop the answer from coming back:
the call is judged on what it returned, a list."""


def test_exhaust_fds(hostile):
    graded = hostile("exhaust_fds")
    assert graded.score == 0, graded.messages
    assert 'returned a list' in graded.messages
