"""What the batch keeps of each student's files for the class report: normal forms, quiz letters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.course.snapshot import Snapshot
from grader.course.traits import MAX_SOURCE_BYTES, normal_form, quiz_answers, snapshot_traits

ORIGINAL = b'''import numpy as np


def clamped_update(w, grad, lr, lam):
    """One L1 step."""
    v = w - lr * grad          # the data step
    shrunk = np.abs(v) - lr * lam
    return np.sign(v) * np.maximum(shrunk, 0.0)
'''

DISGUISED = b'''import numpy as np
def clamped_update(weights, g, step, strength):
    # my own work, honestly
    moved = weights - step * g

    "a comment as a string"
    smaller = np.abs(moved) - step * strength
    return np.sign(moved) * np.maximum(smaller, 0.0)
'''

DIFFERENT = ORIGINAL.replace(b"np.maximum(shrunk, 0.0)", b"np.minimum(shrunk, 0.0)")


def test_comments_blank_lines_docstrings_and_local_names_do_not_change_the_normal_form():
    assert normal_form(ORIGINAL) == normal_form(DISGUISED)
    assert normal_form(ORIGINAL).nodes > 20


def test_different_code_has_a_different_normal_form():
    assert normal_form(ORIGINAL).hash != normal_form(DIFFERENT).hash
    # names that are not local (modules, functions called) are part of the code
    assert normal_form(ORIGINAL).hash != normal_form(ORIGINAL.replace(b"np.sign", b"np.abs")).hash


def test_files_that_do_not_parse_get_no_normal_form():
    assert normal_form(b"def f(:\n") is None
    assert normal_form(b"\x00\x01garbage") is None
    assert normal_form(b"x = 1\n" + b"#" * MAX_SOURCE_BYTES) is None  # over the cap
    assert normal_form(b"x = (" * 300 + b")" * 300) is None  # too deeply nested
    assert normal_form(b"x = a" + b" + a" * 50_000) is None  # too deep for the transformer


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | st.text(alphabet="(){}[]:=+-*/ \n\tdefreturnlambdaxw0.,'\"#",
                                         max_size=400).map(str.encode))
def test_any_bytes_give_a_normal_form_or_none_and_never_raise(source):
    form = normal_form(source)
    assert form is None or (len(form.hash) == 64 and form.nodes >= 1)


def test_snapshot_traits_read_the_files_grade_all_would_grade():
    top = Snapshot(files=(("exercise2.py", ORIGINAL), ("quiz.txt", b"b, c\n# done\nA\n"),
                          ("exercises/exercise2.py", DIFFERENT)))
    traits = snapshot_traits(top)
    assert traits["normal_forms"] == {"exercise2": {"hash": normal_form(ORIGINAL).hash,
                                                    "nodes": normal_form(ORIGINAL).nodes}}
    assert traits["quiz_answers"] == ["B", "C", "A"]
    # no exercise file at the top: grade all grades exercises/
    nested = Snapshot(files=(("exercises/exercise2.py", DIFFERENT), ("exercises/quiz.txt", b"D")))
    assert snapshot_traits(nested) == {
        "normal_forms": {"exercise2": {"hash": normal_form(DIFFERENT).hash,
                                       "nodes": normal_form(DIFFERENT).nodes}},
        "quiz_answers": ["D"]}


def test_unreadable_quiz_answers_are_none():
    assert quiz_answers(None) is None
    assert quiz_answers(b"B, Z, A") is None
    assert quiz_answers(bytes(range(256))) is None
