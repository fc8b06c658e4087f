"""One huge allocation fails inside the worker (RLIMIT_AS), not on the machine."""


def test_memory_bomb_once(hostile):
    graded = hostile("memory_bomb_once")
    assert graded.score == 0, graded.messages
    assert 'MemoryError' in graded.messages
