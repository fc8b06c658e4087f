"""An ndarray subclass whose __array_ufunc__ and __eq__ always agree: only its float64
values and shape cross to the grader, and the shape is wrong."""


def test_ndarray_subclass(hostile):
    graded = hostile("ndarray_subclass")
    assert graded.score == 0, graded.messages
    assert "returned an array of shape (4,)" in graded.messages
