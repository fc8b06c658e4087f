"""Strings, NaN and object arrays are each named exactly, and earn nothing."""


def test_strings_and_nan(hostile):
    graded = hostile("strings_and_nan")
    assert graded.score == 0, graded.messages
    assert 'NaN' in graded.messages
