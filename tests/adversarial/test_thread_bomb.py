"""A thread bomb is capped by RLIMIT_NPROC and stopped at the time limit."""


def test_thread_bomb(hostile):
    graded = hostile("thread_bomb")
    assert graded.score == 0, graded.messages
    assert 'did not return within 0.5 s' in graded.messages
