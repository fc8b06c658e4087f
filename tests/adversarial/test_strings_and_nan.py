"""Strings, NaN and object arrays in turns earn nothing, and the learner is told why."""


def test_strings_and_nan(hostile):
    graded = hostile("strings_and_nan")
    assert graded.score == 0, graded.messages
    # The first check looks at the form only (NaN is for the value checks), so the turns
    # show first as a function that answers the same input differently.
    assert "gave different results for the same input" in graded.messages
