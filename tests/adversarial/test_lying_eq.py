"""An object whose __eq__ is always True never reaches the grader: only float64 bytes do."""


def test_lying_eq(hostile):
    graded = hostile("lying_eq")
    assert graded.score == 0, graded.messages
    assert 'returned a Liar' in graded.messages
