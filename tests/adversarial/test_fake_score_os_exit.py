"""Printing a fake score and pytest summary, then os._exit(0): the output goes nowhere and
the check fails because the worker exited."""


def test_fake_score_os_exit(hostile):
    graded = hostile("fake_score_os_exit")
    assert graded.score == 0, graded.messages
    assert 'exited with code 0' in graded.messages
