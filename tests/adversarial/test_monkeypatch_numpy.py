"""Monkeypatching numpy in the worker (comparisons, np.shape, np.sign) changes nothing in
the grader: it compares float64 bytes with its own numpy, and sees the wrong shape."""


def test_monkeypatch_numpy(hostile):
    graded = hostile("monkeypatch_numpy")
    assert graded.score == 0, graded.messages
    assert "returned an array of shape (4,)" in graded.messages
