"""Long text in reports is cut to its limit with a visible mark, never silently."""

from grader.text import MARK, head, tail


def test_short_text_is_kept_whole():
    assert head("abc", 3) == "abc" and tail("abc", 3) == "abc"


def test_head_keeps_the_start_and_marks_the_cut():
    cut = head("abcdefghij", 5)
    assert cut == "abcd" + MARK and len(cut) == 5


def test_tail_keeps_the_end_and_marks_the_cut():
    cut = tail("Traceback ...\nValueError: the real reason", 20)
    assert cut.startswith(MARK) and cut.endswith("the real reason") and len(cut) == 20
