"""An infinite loop in a call is stopped at the call's time limit."""


def test_infinite_loop(hostile):
    graded = hostile("infinite_loop")
    assert graded.score == 0, graded.messages
    assert 'did not return within 0.5 s' in graded.messages
