"""time.sleep forever at import: the import is given up once, by the wall-clock backstop
(10 times its CPU limit: a sleep uses no CPU), and every check fails at once with the same
sentence, which says it slept rather than computed."""


def test_sleep_at_import(hostile):
    graded = hostile("sleep_at_import", time_limit=0.5)
    assert graded.score == 0, graded.messages
    assert 'was stopped while being imported, after 5 s of waiting while it used little CPU ' \
           '(it sleeps or blocks)' in graded.messages
