"""A frame that announces about 4 GiB on the channel is refused before anything is read."""


def test_huge_length_on_channel(hostile):
    graded = hostile("huge_length_on_channel")
    assert graded.score == 0, graded.messages
    assert 'malformed' in graded.messages
