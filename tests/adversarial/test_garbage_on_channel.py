"""Garbage bytes written onto the result channel fail that call, never the grader."""


def test_garbage_on_channel(hostile):
    graded = hostile("garbage_on_channel")
    assert graded.score == 0, graded.messages
    assert 'malformed' in graded.messages
