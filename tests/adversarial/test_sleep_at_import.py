"""time.sleep forever at import: the import is given up once, within the submission's time
limit, and every check fails at once with the same sentence."""


def test_sleep_at_import(hostile):
    graded = hostile("sleep_at_import", time_limit=1.5)
    assert graded.score == 0, graded.messages
    assert 'did not finish importing within 1.5 s' in graded.messages
