"""time.sleep forever in a call is stopped at the call's time limit."""


def test_sleep_forever(hostile):
    graded = hostile("sleep_forever")
    assert graded.score == 0, graded.messages
    assert 'did not return within 0.5 s' in graded.messages
