"""The lesson's quiz as one graded item of `grade all`: letters read from `quiz.txt`.

A submission folder may hold `quiz.txt` with the answers to the lesson's three questions,
in order ("B,C,D" or one letter per line; `#` starts a comment). Each question is worth
one point. The feedback names the lesson section to reread but never the right letter, so
one student's report cannot hand the answers to another. `quiz.txt` is read as the exercise
files are (`grader.locate`): a link or anything but a regular file is never opened.
"""

from __future__ import annotations

from dataclasses import replace
from quiz.bank import BankError, load_bank
from quiz.grading import grade, parse_answers
from quiz.selection import select_questions

from grader.locate import Located
from grader.results import CheckResult, ExerciseResult, Report, Status, exercise_status, overall_status

NAME = "quiz"
ANSWERS_FILE = "quiz.txt"
TITLE = "The lesson's quiz"


class QuizBroken(Exception):
    """The shipped question bank is malformed: the grader's fault, not the learner's."""


def grade_quiz(located: Located | None) -> ExerciseResult:
    """Grade `quiz.txt` beside the exercise files against the lesson's questions."""
    try:
        presented = select_questions(load_bank())
    except BankError as error:
        raise QuizBroken(str(error)) from None
    checks = [CheckResult(name=q.id, title=f"Question {n}: {q.question.stem}", status=Status.FAILED,
                          score=0, max_score=1) for n, q in enumerate(presented, start=1)]
    relative = f"{located.folder}/{ANSWERS_FILE}" if located and located.folder else ANSWERS_FILE
    answers = located.read(relative) if located is not None else None
    problem = None
    if answers is not None and answers.problem is not None:
        problem, kind = answers.problem, "failed"
    elif answers is None or answers.source is None:
        where = answers.path if answers is not None else ANSWERS_FILE
        problem = (f"There is no {where}. Take the quiz with `quiz` from your course folder; "
                   "it saves your answers there.")
        kind = "not started"
    else:
        try:
            result = grade(presented, parse_answers(answers.source.decode("utf-8", errors="replace")))
        except ValueError as error:
            problem, kind = f"{ANSWERS_FILE}: {error}.", "failed"
    if problem is not None:
        checks[0].message, checks[0].kind = problem, kind
        for check in checks[1:]:
            check.status, check.message = Status.SKIPPED, f"Skipped until {ANSWERS_FILE} can be read."
    else:
        for check, answer in zip(checks, result.questions):
            if answer.correct:
                check.status, check.score = Status.PASSED, 1
            else:
                check.kind = "failed"
                check.message = (f"You answered {answer.given}, which is not right. "
                                 f"Reread \"{answer.section}\" and try the quiz again.")
    return ExerciseResult(name=NAME, title=TITLE, score=sum(c.score for c in checks),
                          max_score=len(checks), status=exercise_status(checks), checks=checks)


def with_quiz(report: Report, located: Located | None) -> Report:
    """The report with the quiz added as its last item and the totals updated."""
    exercises = [*report.exercises, grade_quiz(located)]
    return replace(report, score=sum(e.score for e in exercises),
                   max_score=sum(e.max_score for e in exercises),
                   status=overall_status(exercises), exercises=exercises)
