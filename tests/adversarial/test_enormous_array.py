"""An 8 GB (broadcast) array is not copied across: the check fails on what came back."""


def test_enormous_array(hostile):
    graded = hostile("enormous_array")
    assert graded.score == 0, graded.messages
    assert 'called sign_gradient' in graded.messages
