"""The READMEs show the quiz's formats without giving away the lesson's answer key.

The key is computed from questions.toml, so the test keeps guarding the READMEs when a
question or an option order changes. A README gives the key away if it shows:

- the key as an answers list: in prose (`B, C, D`) or as a code span or block that reads
  as answers (one letter per line, comments and all);
- a transcript where question N says "The answer is X." or "Correct: X." with X its key;
- a JSON result example marking a lesson question's key letter `"correct": true`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from quiz.bank import LETTERS, load_bank
from quiz.grading import parse_answers

ROOT = Path(__file__).parents[2]
READMES = [ROOT / "README.md", ROOT / "quiz" / "README.md"]


def lesson_key() -> dict[str, str]:
    """The right letter of each lesson question, by id, in the order `quiz` asks them."""
    return {q.id: LETTERS[q.correct_index] for q in load_bank().lesson_questions}


def leaks(text: str, key: dict[str, str]) -> list[str]:
    """Every place in `text` that gives away the key (all of it, or one question's letter)."""
    letters = list(key.values())
    found = []
    in_prose = re.compile(r"(?<![\w,])" + r"\s*,\s*".join(letters) + r"(?![\w,])", re.I)
    found += [f"the key in the text: {m.group()!r}" for m in in_prose.finditer(text)]
    for block, span in re.findall(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", text, re.S):
        try:
            if parse_answers(block or span) == letters:
                found.append(f"the key as answers: {(block or span)!r}")
        except ValueError:
            pass
    questions = re.findall(r"Question (\d+) of \d+\n(.*?)(?=Question \d+ of|\Z)", text, re.S)
    for number, body in questions:
        for given in re.findall(r"(?:The answer is|Correct:) ([A-D])\b", body):
            if 1 <= int(number) <= len(letters) and given == letters[int(number) - 1]:
                found.append(f"question {number}'s answer in a transcript: {given}")
    for item in re.findall(r"\{[^{}]*\}", text):
        try:
            answer = json.loads(item)
        except ValueError:
            continue
        if answer.get("correct") is True and key.get(answer.get("id")) == answer.get("given"):
            found.append(f"{answer['id']}'s answer in a JSON example: {answer['given']}")
    return found


@pytest.mark.parametrize("readme", READMES, ids=lambda path: str(path.relative_to(ROOT)))
def test_readme_does_not_give_away_the_answer_key(readme: Path) -> None:
    assert leaks(readme.read_text(encoding="utf-8"), lesson_key()) == []


def test_each_kind_of_leak_is_caught() -> None:
    key = lesson_key()
    letters = list(key.values())
    first_id = next(iter(key))
    samples = [
        f"Write ({', '.join(letters).lower()}) in the file.",
        "```text\n# mine\n" + "\n".join(letters) + "\n```",
        f"Question 1 of 3\nStem\n\nYour answer (A-D): a\nNot quite. The answer is {letters[0]}.",
        f"Question 1 of 3\nStem\nYour answer (A-D): x\nCorrect: {letters[0]}.",
        json.dumps({"id": first_id, "given": letters[0], "correct": True}),
    ]
    for sample in samples:
        assert len(leaks(sample, key)) == 1, sample


def test_wrong_answers_and_placeholders_are_not_leaks() -> None:
    key = lesson_key()
    wrong = ["ABCD"[("ABCD".index(letter) + 1) % 4] for letter in key.values()]
    first_id = next(iter(key))
    samples = [
        f"`{','.join(wrong)}`",
        "Question 1 of 3\nStem\nNot quite. The answer is <the right letter>.",
        json.dumps({"id": first_id, "given": wrong[0], "correct": False}),
    ]
    for sample in samples:
        assert leaks(sample, key) == [], sample
