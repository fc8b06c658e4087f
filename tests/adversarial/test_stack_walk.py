"""Walking the stack with sys._getframe finds only the worker's frames: the expected values
live in the grader's process."""


def test_stack_walk(hostile):
    graded = hostile("stack_walk")
    assert graded.score == 0, graded.messages
    assert 'no expected value on the stack' in graded.messages
