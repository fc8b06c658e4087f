"""Endless output to stdout and stderr goes to /dev/null: nothing fills, nothing hangs."""


def test_endless_output(hostile):
    graded = hostile("endless_output")
    assert graded.score == 0, graded.messages
    assert 'did not return within 0.5 s' in graded.messages
