"""Filling the disk: RLIMIT_FSIZE stops any one file at 16 MiB (SIGXFSZ) and, in the full
tier, /tmp, /var/tmp and /dev/shm are private tmpfs; the harness finds nothing left."""


def test_fill_disk(hostile):
    graded = hostile("fill_disk")
    assert graded.score == 0, graded.messages
    assert any(text in graded.messages for text in ['SIGXFSZ', 'raised', 'did not return']), graded.messages
