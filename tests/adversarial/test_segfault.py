"""A segfault (ctypes.string_at(0)) crashes only the worker; the check says so."""


def test_segfault(hostile):
    graded = hostile("segfault")
    assert graded.score == 0, graded.messages
    assert 'SIGSEGV' in graded.messages
