"""The interactive session: in a real pseudo-terminal with pexpect, and through CliRunner.

The pty tests spawn the installed `quiz` script beside the test interpreter, as a learner
would run it (tests/quiz/quiz_pty.py).
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from quiz_pty import PROMPT, QUIZ, ctrl_c, finish, spawn

from quiz.cli import EXIT_INTERRUPTED, main


@pytest.fixture(scope="module", autouse=True)
def _installed_script() -> None:
    if not QUIZ.exists():
        pytest.fail(f"{QUIZ} is missing; install the package (pip install -e .[test])")


# --- In a pseudo-terminal -------------------------------------------------------------


def test_full_run_with_feedback_score_and_sections_to_reread() -> None:
    child = spawn()
    child.expect_exact("L1 regularization (Lasso): quiz, 3 questions.")
    child.expect_exact("Question 1 of 3")
    child.expect_exact("Unlike L2, L1 regularization can produce exactly zero weights because...")
    child.expect_exact(PROMPT)
    child.sendline("b")
    child.expect_exact("Correct: B.")
    child.expect_exact("The L1 gradient λ·sign(w) has the same size")

    child.expect_exact("Question 2 of 3")
    child.expect_exact(PROMPT)
    child.sendline("A")
    child.expect_exact("Not quite. The answer is C.")
    child.expect_exact("You chose A: Both sizes are set by C")
    child.expect_exact("The diamond's corners sit on the axes")

    child.expect_exact("Question 3 of 3")
    child.expect_exact(PROMPT)
    child.sendline("d")
    child.expect_exact("Correct: D.")
    child.expect_exact("Score: 2/3")
    child.expect_exact("Reread these sections of the lesson:")
    child.expect_exact("  - The Geometric Picture (question 2)")
    rest = finish(child)
    assert "When to Use" not in rest
    assert child.exitstatus == 0


def test_bad_entry_reprompts_with_one_line_and_is_not_counted() -> None:
    child = spawn()
    child.expect_exact("Question 1 of 3")
    for bad in ["x", "", "AB", "1"]:
        child.expect_exact(PROMPT)
        child.sendline(bad)
        child.expect_exact("Please type one letter: A, B, C or D.")
        assert "Question" not in child.before
    child.expect_exact(PROMPT)
    child.sendline("B")
    child.expect_exact("Correct: B.")
    for letter in "CD":
        child.expect_exact(PROMPT)
        child.sendline(letter)
    child.expect_exact("Score: 3/3. You answered every question correctly.")
    rest = finish(child)
    assert "Reread" not in rest
    assert child.exitstatus == 0


def test_ctrl_d_at_a_prompt_ends_cleanly_with_the_score_so_far() -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    child.sendline("a")
    child.expect_exact("Not quite. The answer is B.")
    child.expect_exact("Question 2 of 3")
    child.expect_exact(PROMPT)
    child.sendeof()
    child.expect_exact("You stopped the quiz after 1 of 3 questions.")
    child.expect_exact("Score so far: 0/1")
    child.expect_exact("  - Why L1 Produces Exact Zeros (question 1)")
    rest = finish(child)
    assert "Traceback" not in rest and "Aborted" not in rest
    assert child.exitstatus == EXIT_INTERRUPTED


def test_ctrl_c_at_the_first_prompt_ends_cleanly() -> None:
    child = spawn()
    child.expect_exact(PROMPT)
    ctrl_c(child)
    child.expect_exact("You stopped the quiz before answering a question.")
    rest = finish(child)
    assert "Traceback" not in rest and "Aborted" not in rest
    assert child.exitstatus == EXIT_INTERRUPTED
    assert child.signalstatus is None


def test_shuffled_session_shows_the_seed_and_the_shuffled_order() -> None:
    child = spawn("--shuffle", "--seed", "3")
    child.expect_exact("Questions and options are shuffled with seed 3.")
    child.expect_exact("Question 1 of 3")
    child.expect_exact(PROMPT)
    ctrl_c(child)
    finish(child)


def test_colour_on_a_terminal_and_none_with_no_color() -> None:
    coloured = spawn(color=True)
    coloured.expect_exact(PROMPT)
    assert "\x1b[1m" in coloured.before  # the bold title and question header
    ctrl_c(coloured)
    finish(coloured)

    plain = spawn(color=False)
    plain.expect_exact(PROMPT)
    assert "\x1b[" not in plain.before
    ctrl_c(plain)
    finish(plain)


# --- Through CliRunner (not a terminal) -----------------------------------------------


def test_piped_answers_complete_the_session_without_colour() -> None:
    result = CliRunner().invoke(main, [], input="b\nz\nc\nd\n", color=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Please type one letter") == 1
    assert "Score: 3/3" in result.stdout
    assert "\x1b[" not in result.stdout


def test_end_of_input_midway_exits_130_with_the_score_so_far() -> None:
    result = CliRunner().invoke(main, ["--all"], input="b\nc\n")
    assert result.exit_code == EXIT_INTERRUPTED
    assert "You stopped the quiz after 2 of 15 questions." in result.stdout
    assert "Score so far: 2/2" in result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_session_output_is_the_same_on_every_run() -> None:
    runs = {CliRunner().invoke(main, ["--all"], input="a\n" * 15).stdout for _ in range(2)}
    assert len(runs) == 1
