"""A fake summary, then sys.exit(0): SystemExit is the learner's exception, like any other."""


def test_fake_summary_sys_exit(hostile):
    graded = hostile("fake_summary_sys_exit")
    assert graded.score == 0, graded.messages
    assert 'SystemExit' in graded.messages
