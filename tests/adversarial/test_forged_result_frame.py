"""A well-formed result frame written out of turn (wrong sequence number), then a nested
JSON bomb, fails that call: the grader checks every header and never trusts the worker."""


def test_forged_result_frame(hostile):
    graded = hostile("forged_result_frame")
    assert graded.score == 0, graded.messages
    assert 'malformed' in graded.messages
