"""The class's numbers from student records: diagnoses, item analysis, groups, edge cases."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from grader.course.analytics import class_analytics, diagnosis, to_json
from quiz.bank import load_bank
from quiz.selection import select_questions

QUESTIONS = [q.id for q in select_questions(load_bank())]

IDEA = "The gradient of lam * |w_i| is lam * sign(w_i)."
HINT = "Hint: Multiply lam by the sign of each weight."


def test_a_wrong_value_is_diagnosed_by_the_lesson_idea_whatever_the_counterexample():
    one = f"called sign_gradient(w=[5.0, -5.0], lam=0.5), got [0.5, 0.5], expected [0.5, -0.5].\n{IDEA}\n{HINT}"
    two = f"called sign_gradient(w=[1e-06], lam=2.0), got [1.0], expected [2.0] (a note).\n{IDEA}\n{HINT}"
    said = f"Your model keeps 1000 of the 1,000 features.\n{one}"
    assert diagnosis(one) == diagnosis(two) == diagnosis(said) == IDEA


def test_a_wrong_kind_of_result_is_diagnosed_by_what_was_returned():
    message = (f"called elastic_net_loss(w=[1.0, -2.0], X=[[1.0, 0.0]], y=[1.0], lam1=0.5, lam2=0.5): "
               f"it returned an array of shape (2,); return one number.\nA loss is one number.\n{HINT}")
    assert diagnosis(message) == "it returned an array of shape (N,)"


def test_crashes_time_outs_and_files_that_do_not_load_are_diagnosed_by_what_happened():
    assert diagnosis("called f(w=[1.0]), it raised ValueError: bad (line 3 of your file: `x`).") == "it raised ValueError"
    assert diagnosis("called f(w=[1.0]), it did not return within 2 s. Look for a loop.") == "a call did not return in time"
    assert diagnosis("exercise1.py could not be imported: SyntaxError: expected ':' (line 6).") == \
        "the file could not be imported: SyntaxError"
    assert diagnosis("sign_gradient still raises NotImplementedError: replace the stub.") == \
        "sign_gradient still raises NotImplementedError: replace the stub."
    assert diagnosis("") == "no message"


@given(st.text(max_size=300))
def test_any_message_has_a_short_diagnosis(message):
    found = diagnosis(message)
    assert isinstance(found, str) and found and len(found) <= max(160, len(message))


def _record(student, outcome="graded", *, quiz=None, answers=None, exercise1="passed", score=None):
    checks = [{"name": "c1", "title": "C1", "status": exercise1, "score": 2 * (exercise1 == "passed"),
               "max_score": 2, "message": "" if exercise1 == "passed" else f"called f(), got 1, expected 2.\n{IDEA}\n{HINT}"}]
    exercises = [{"name": "exercise1", "title": "E1", "score": checks[0]["score"], "max_score": 2,
                  "status": "passed" if exercise1 == "passed" else "failed", "checks": checks}]
    if quiz is not None:
        qchecks = [{"name": QUESTIONS[i], "title": f"Q{i}", "status": "passed" if ok else "failed",
                    "score": int(ok), "max_score": 1, "message": ""} for i, ok in enumerate(quiz)]
        exercises.append({"name": "quiz", "title": "Quiz", "score": sum(quiz), "max_score": len(quiz),
                          "status": "failed", "checks": qchecks})
    total = sum(e["score"] for e in exercises)
    return {"version": 1, "score": total if score is None else score, "max_score": 5,
            "status": "failed", "exercises": exercises if outcome == "graded" else [],
            "batch": {"student": student, "outcome": outcome, "message": "stopped" if outcome != "graded" else "",
                      "traits": {"quiz_answers": answers, "normal_forms": {}}}}


def test_counts_rates_and_the_students_to_look_at():
    records = [_record("a"), _record("b", exercise1="failed"), _record("c", exercise1="skipped"),
               _record("d", "timed out"), _record("e", "error")]
    found = class_analytics(records)
    assert found["students"] == {"total": 5, "graded": 3, "timed_out": 1, "error": 1,
                                 "full_marks": 0, "late": 0}
    check = found["checks"][0]
    assert (check["passed"], check["failed"], check["skipped"], check["pass_rate"]) == (1, 1, 1, 0.3333)
    assert found["diagnoses"][0]["diagnosis"] == IDEA and found["diagnoses"][0]["students"] == ["b"]
    assert [s["student"] for s in found["needs_attention"]] == ["d", "e"]
    assert sum(found["scores"]["histogram"]["counts"]) == 3
    json.loads(to_json(found))


def test_discrimination_is_the_point_biserial_correlation_with_the_rest_score():
    lesson = class_analytics([])["quiz"]
    n = len(lesson)
    # question 0 right for the strong students only; the rest split evenly
    patterns = [(True, True, True), (True, False, True), (False, True, False), (False, False, False),
                (True, True, False)]
    letters = [[q.get("answer") if ok else "A" if q.get("answer") != "A" else "B"
                for q, ok in zip(lesson, pattern)] for pattern in patterns]
    scores = [2, 2, 0, 0, 2]  # exercise1 passed by a, b, e
    records = [_record(name, quiz=list(pattern), answers=answers, exercise1="passed" if s else "failed")
               for name, pattern, answers, s in zip("abcde", patterns, letters, scores)]
    found = class_analytics(records)["quiz"]
    assert len(found) == n == 3
    for position, item in enumerate(found):
        right = np.array([p[position] for p in patterns], dtype=float)
        rest = np.array([r["score"] for r in records], dtype=float) - right
        assert item["discrimination"] == round(float(np.corrcoef(right, rest)[0, 1]), 4)
        assert item["correct"] == int(right.sum()) and item["students"] == 5
        chosen = {o["letter"]: o["chosen"] for o in item["options"]}
        assert sum(chosen.values()) == 5 and chosen[item["answer"]] == int(right.sum())


def test_discrimination_is_none_when_nothing_varies_and_unreadable_answers_are_left_out():
    records = [_record(name, quiz=[True, True, True], answers=[q["answer"] for q in class_analytics([])["quiz"]])
               for name in "abc"] + [_record("d", quiz=[False, False, False], answers=None)]
    found = class_analytics(records)["quiz"]
    assert all(item["discrimination"] is None and item["students"] == 3 for item in found)


def test_similar_groups_leave_out_stubs_and_single_students():
    records = [_record(name) for name in "abcd"]
    for record, digest in zip(records, ["h1", "h1", "h2", "h1"]):
        record["batch"]["traits"]["normal_forms"] = {"exercise1": {"hash": digest, "nodes": 40}}
    records[3]["exercises"][0]["status"] = "not started"
    found = class_analytics(records)["similar"]
    assert [(g["exercise"], g["students"], g["nodes"]) for g in found] == [("exercise1", ["a", "b"], 40)]
