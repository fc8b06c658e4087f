"""Reading other processes' /proc/*/cmdline: the worker's pid namespace holds only itself."""

from harness import promise
from grader.sandbox.isolation import Tier


def test_read_other_cmdlines(hostile):
    graded = hostile("read_other_cmdlines")
    if promise(Tier.FULL):
        assert graded.score == 0, graded.messages
        assert 'no other process visible' in graded.messages
