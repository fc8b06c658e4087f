"""Reading or importing the hidden checks, or the grader's git history: the whole project
folder is hidden in the full tier."""

from harness import promise
from grader.sandbox.isolation import Tier


def test_read_hidden_checks(hostile):
    graded = hostile("read_hidden_checks")
    if promise(Tier.FULL):
        assert graded.score == 0, graded.messages
        assert 'nothing hidden was readable' in graded.messages
