"""Files left in /tmp, /var/tmp and /dev/shm vanish with the worker's private tmpfs (full
tier) or are swept after it (reduced); the harness checks the real folders."""


def test_tmp_leftovers(hostile):
    graded = hostile("tmp_leftovers")
    assert graded.score == 0, graded.messages
    assert 'left files behind' in graded.messages
