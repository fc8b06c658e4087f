"""Reading or importing the reference solution: hidden under tmpfs in the full tier."""

from harness import promise
from grader.sandbox.isolation import Tier


def test_read_solutions(hostile):
    graded = hostile("read_solutions")
    if promise(Tier.FULL):
        assert graded.score == 0, graded.messages
        assert 'could not read the solution' in graded.messages
