"""time.sleep forever in a call uses no CPU time, so it is stopped by the wall-clock backstop
(10 times the call's 0.5 s) and told it sleeps, not that it computes too long."""


def test_sleep_forever(hostile):
    graded = hostile("sleep_forever")
    assert graded.score == 0, graded.messages
    assert 'it was stopped after 5 s of waiting while it used little CPU (it sleeps or blocks)' \
        in graded.messages
