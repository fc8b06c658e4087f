"""A loop that ignores SIGTERM, SIGINT and SIGALRM and swallows BaseException is still
stopped: the worker is killed with SIGKILL, which no code can catch."""


def test_loop_ignoring_signals(hostile):
    graded = hostile("loop_ignoring_signals")
    assert graded.score == 0, graded.messages
    assert 'did not return within 0.5 s' in graded.messages
