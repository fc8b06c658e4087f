"""A fork bomb is capped by RLIMIT_NPROC, stopped at the time limit, and (full tier) every
forked process dies with the worker's pid namespace: the harness finds no survivor."""


def test_fork_bomb(hostile):
    graded = hostile("fork_bomb")
    assert graded.score == 0, graded.messages
    assert 'did not return within 0.5 s' in graded.messages
