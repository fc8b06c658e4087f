"""gc.get_objects() in the worker holds no reference solution and no check."""


def test_gc_objects(hostile):
    graded = hostile("gc_objects")
    assert graded.score == 0, graded.messages
    assert 'no reference object' in graded.messages
