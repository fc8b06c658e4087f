"""The question bank: the shipped one is valid and complete; broken ones are rejected clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz.bank import DEFAULT_BANK, BankError, load_bank
from quiz.cli import main

LESSON_STEM = "Unlike L2, L1 regularization can produce exactly zero weights because..."

# Every idea of the lesson the issue lists, with the questions that ask it.
IDEAS = {
    "constant-magnitude gradient": {"constant-gradient", "why-exact-zeros", "abs-derivative"},
    "exact zeros by clamping": {"clamp-at-zero", "why-exact-zeros"},
    "L2's proportional push that never arrives": {"l2-never-arrives"},
    "diamond vs circle geometry": {"diamond-corners"},
    "corners in high dimensions": {"corners-high-dimensions"},
    "feature selection": {"feature-selection"},
    "interpretability": {"interpretability"},
    "when to choose L1 / L2 / Elastic Net": {"choose-regularizer", "elastic-net-strengths"},
    "correlated feature groups": {"correlated-groups"},
    "L1 vs weight decay in deep learning": {"deep-learning-weight-decay"},
    "strong weights survive": {"strong-weight-survives"},
    "the L1 penalty itself": {"penalty-formula"},
}


# --- The shipped bank -----------------------------------------------------------------


def test_shipped_bank_is_valid() -> None:
    bank = load_bank()
    assert bank.path == DEFAULT_BANK
    assert len(bank.questions) >= 12


def test_shipped_bank_starts_with_the_lessons_three_questions() -> None:
    bank = load_bank()
    lesson = bank.lesson_questions
    assert len(lesson) == 3
    assert bank.questions[:3] == lesson
    assert lesson[0].stem == LESSON_STEM
    assert [q.section for q in lesson] == [
        "Why L1 Produces Exact Zeros",
        "The Geometric Picture",
        "When to Use L1 vs L2",
    ]


def test_shipped_bank_asks_every_idea_of_the_lesson() -> None:
    ids = {q.id for q in load_bank().questions}
    for idea, question_ids in IDEAS.items():
        assert question_ids <= ids, f"no question asks about {idea}"


def test_shipped_bank_uses_every_section_and_spreads_the_right_letters() -> None:
    bank = load_bank()
    assert {q.section for q in bank.questions} == set(bank.sections)
    letters = ["ABCD"[q.correct_index] for q in bank.questions]
    # No letter should be a safe guess: each is right for at least 3 of the 15 questions.
    assert all(letters.count(letter) >= 3 for letter in "ABCD"), letters


def test_shipped_bank_wrong_options_each_explain_their_misconception() -> None:
    for question in load_bank().questions:
        for option in question.options:
            if not option.correct:
                assert option.why_wrong and option.why_wrong.endswith("."), question.id


def test_quiz_check_accepts_the_shipped_bank() -> None:
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert "15 questions, 3 in the lesson's quiz" in result.output


# --- Rejections -----------------------------------------------------------------------


def _two_correct(data):
    data["question"][1]["option"][2] = {"text": "Wrong answer two", "correct": True}


def _none_correct(data):
    data["question"][1]["option"][0] = {"text": "Right answer", "why_wrong": "No."}


def _duplicate_id(data):
    data["question"][2]["id"] = "q-one"


def _missing_explanation(data):
    del data["question"][1]["explanation"]


def _three_options(data):
    del data["question"][1]["option"][3]


def _wrong_option_without_reason(data):
    del data["question"][1]["option"][1]["why_wrong"]


def _correct_option_with_reason(data):
    data["question"][1]["option"][0]["why_wrong"] = "It is right."


def _reason_on_two_lines(data):
    data["question"][1]["option"][1]["why_wrong"] = "One line.\nAnd another."


def _unknown_section(data):
    data["question"][1]["section"] = "Third section"


def _misspelt_key(data):
    data["question"][1]["explenation"] = data["question"][1].pop("explanation")


def _empty_stem(data):
    data["question"][1]["stem"] = "  "


def _bad_id(data):
    data["question"][0]["id"] = "Question One"


def _no_questions(data):
    data["question"] = []


def _same_option_text(data):
    data["question"][1]["option"][2]["text"] = "Wrong answer one"


REJECTIONS = [
    # (mutation, where the message must point, what it must say)
    (_two_correct, 'question "q-two"', "2 options (A, C) are marked correct; keep correct = true on exactly one"),
    (_none_correct, 'question "q-two"', "no option is marked correct; add correct = true"),
    (_duplicate_id, 'question "q-one" (number 3)', "duplicate id, already used by question number 1"),
    (_missing_explanation, 'question "q-two"', "explanation is missing; add explanation ="),
    (_three_options, 'question "q-two"', f"has 3 options; give it exactly 4"),
    (_wrong_option_without_reason, 'question "q-two" option B', "no why_wrong; add why_wrong ="),
    (_correct_option_with_reason, 'question "q-two" option A', "the correct option has a why_wrong"),
    (_reason_on_two_lines, 'question "q-two" option B', "why_wrong spans several lines"),
    (_unknown_section, 'question "q-two"', "'Third section' is not one of the bank's sections"),
    (_misspelt_key, 'question "q-two"', "unknown key 'explenation'; remove it or fix its spelling"),
    (_empty_stem, 'question "q-two"', "stem must be non-empty text"),
    (_bad_id, "question number 1", "id is missing or not lowercase words joined by hyphens"),
    (_no_questions, None, "has no questions; add at least one [[question]] table"),
    (_same_option_text, 'question "q-two"', "two options have the same text"),
]


@pytest.mark.parametrize(("mutate", "where", "message"), REJECTIONS,
                         ids=[m.__name__.lstrip("_") for m, _, _ in REJECTIONS])
def test_validator_rejects(write_bank, mutate, where, message) -> None:
    path = write_bank(mutate)
    with pytest.raises(BankError) as caught:
        load_bank(path)
    assert caught.value.where == where
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}: ")


def test_the_test_bank_itself_is_valid(write_bank) -> None:
    bank = load_bank(write_bank())
    assert [q.id for q in bank.lesson_questions] == ["q-one", "q-two"]


def test_toml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('title = "Unclosed\n', encoding="utf-8")
    with pytest.raises(BankError, match=r"broken\.toml: is not valid TOML \(.*line 1"):
        load_bank(path)


def test_missing_file_is_a_bank_error(tmp_path: Path) -> None:
    with pytest.raises(BankError, match="cannot be read"):
        load_bank(tmp_path / "absent.toml")


@pytest.mark.parametrize("args", [["check"], [], ["--answers", "A,A"], ["export"]],
                         ids=["check", "session", "scripted", "export"])
def test_cli_reports_a_malformed_bank_in_one_line_with_exit_2(write_bank, args) -> None:
    path = write_bank(_two_correct)
    result = CliRunner().invoke(main, ["--bank", str(path), *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f'Error: {path}: question "q-two": 2 options (A, C) are marked correct; '
        "keep correct = true on exactly one option\n"
    )
    assert not isinstance(result.exception, BankError)  # handled, not a traceback


def test_subcommands_take_bank_after_the_command_too(write_bank) -> None:
    path = write_bank(_missing_explanation)
    result = CliRunner().invoke(main, ["check", "--bank", str(path)])
    assert result.exit_code == 2
    assert "explanation is missing" in result.stderr
