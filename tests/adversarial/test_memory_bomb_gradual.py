"""Gradual memory growth that swallows MemoryError stays under RLIMIT_AS until the call's
time limit ends it."""


def test_memory_bomb_gradual(hostile):
    graded = hostile("memory_bomb_gradual")
    assert graded.score == 0, graded.messages
    assert 'did not return within 0.5 s' in graded.messages
