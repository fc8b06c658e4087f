"""A finished `quiz` saves its answers where `grade all` reads them, asking before replacing.

The pty tests run the installed `quiz` in a copy of a learner's course folder (the course's
exercises/ stubs), and the first one then runs the installed `grade all` there, as a learner
would, to see the quiz item scored from the saved file.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
from pathlib import Path

import pexpect
import pytest
from grader.course.stubs import write_stubs
from click.testing import CliRunner
from quiz_pty import BIN, PROMPT, ctrl_c, finish, spawn

from quiz import answers_file
from quiz.answers_file import ANSWERS_FILE, find_exercises_folder
from quiz.bank import LETTERS, load_bank
from quiz.cli import EXIT_INTERRUPTED, main
from quiz.selection import select_questions

ROOT = Path(__file__).parents[2]
REPLACE = "exercises/quiz.txt already holds other answers. Replace them with this session's? [y/N]: "
SAVED = "Saved your answers in exercises/quiz.txt, where `grade all` reads them."
KEPT = "Kept the answers already in exercises/quiz.txt; this session's answers were not saved."


def key() -> list[str]:
    """The right letters of the lesson's questions, in order."""
    return [LETTERS[q.correct_index] for q in load_bank().lesson_questions]


def wrong(letter: str) -> str:
    return LETTERS[(LETTERS.index(letter) + 1) % len(LETTERS)]


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A learner's course folder holding exercises/ with the stubs; the current directory."""
    folder = tmp_path / "course"
    write_stubs(folder / "exercises")
    monkeypatch.chdir(folder)
    return folder


def answer(child: pexpect.spawn, letters: list[str]) -> None:
    for letter in letters:
        child.expect_exact(PROMPT)
        child.sendline(letter.lower())


# --- In a pseudo-terminal, then graded -----------------------------------------------


def test_a_finished_quiz_is_saved_and_grade_all_scores_it(course: Path) -> None:
    given = [key()[0], wrong(key()[1]), key()[2]]
    child = spawn(cwd=course)
    answer(child, given)
    child.expect_exact("Score: 2/3")
    child.expect_exact(SAVED)
    assert "Traceback" not in finish(child)
    assert child.exitstatus == 0

    graded = subprocess.run([str(BIN / "grade"), "all", "--format", "json"], cwd=course,
                            capture_output=True, text=True, timeout=300)
    report = json.loads(graded.stdout)
    [quiz] = [item for item in report["exercises"] if item["name"] == "quiz"]
    assert (quiz["score"], quiz["max_score"], quiz["status"]) == (2, 3, "failed")
    assert [check["status"] for check in quiz["checks"]] == ["passed", "failed", "passed"]


def test_different_saved_answers_are_replaced_only_after_asking(course: Path) -> None:
    (course / "exercises" / ANSWERS_FILE).write_text("# mine\n" + ",".join(map(wrong, key())))
    child = spawn(cwd=course)
    answer(child, key())
    child.expect_exact(REPLACE)
    child.sendline("y")
    child.expect_exact(SAVED)
    finish(child)
    assert child.exitstatus == 0
    saved = (course / "exercises" / ANSWERS_FILE).read_text()
    assert saved == answers_file.answers_text(tuple(key()))


@pytest.mark.parametrize("decline", ["n", "enter", "ctrl-d", "ctrl-c"])
def test_declining_keeps_the_old_file_byte_for_byte(course: Path, decline: str) -> None:
    path = course / "exercises" / ANSWERS_FILE
    old = "# my own answers\n" + "\n".join(map(wrong, key())) + "\n"
    path.write_text(old)
    child = spawn(cwd=course)
    answer(child, key())
    child.expect_exact(REPLACE)
    {"n": lambda: child.sendline("n"), "enter": lambda: child.sendline(""),
     "ctrl-d": child.sendeof, "ctrl-c": lambda: ctrl_c(child)}[decline]()
    child.expect_exact(KEPT)
    rest = finish(child)
    assert "Traceback" not in rest and "Aborted" not in rest
    assert child.exitstatus == 0
    assert path.read_text() == old
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


# --- Through CliRunner ---------------------------------------------------------------


def take(*args: str, answers: list[str] | None = None, extra_input: str = ""):
    letters = key() if answers is None else answers
    return CliRunner().invoke(main, list(args), input="\n".join(letters) + "\n" + extra_input)


def test_the_same_answers_are_not_rewritten_and_no_question_is_asked(course: Path) -> None:
    path = course / "exercises" / ANSWERS_FILE
    path.write_text("# my comment stays\n" + "\n".join(key()).lower() + "\n")
    before = path.read_bytes()
    result = take()
    assert result.exit_code == 0
    assert "Replace" not in result.output
    assert result.output.rstrip().endswith("Your answers are already saved in exercises/quiz.txt.")
    assert path.read_bytes() == before


def test_saving_from_inside_the_exercises_folder(course: Path, monkeypatch) -> None:
    (course / "exercises" / "notes").mkdir()
    monkeypatch.chdir(course / "exercises" / "notes")
    result = take()
    assert result.exit_code == 0
    assert f"Saved your answers in {course / 'exercises' / ANSWERS_FILE}," in result.output
    assert (course / "exercises" / ANSWERS_FILE).is_file()


def test_a_shuffled_session_saves_the_letters_grade_all_expects(course: Path) -> None:
    shown = [p.answer for p in select_questions(load_bank(), seed=3)]
    result = take("--shuffle", "--seed", "3", answers=shown)
    assert result.exit_code == 0
    assert SAVED in result.output
    saved = (course / "exercises" / ANSWERS_FILE).read_text()
    assert saved.splitlines()[-1] == ",".join(key())


@pytest.mark.parametrize("kind", ["link", "folder"])
def test_a_link_or_folder_in_the_way_is_left_alone(course: Path, tmp_path: Path, kind: str) -> None:
    path = course / "exercises" / ANSWERS_FILE
    target = tmp_path / "elsewhere.txt"
    target.write_text("not yours\n")
    if kind == "link":
        path.symlink_to(target)
    else:
        path.mkdir()
    result = take()
    assert result.exit_code == 0
    assert "Replace" not in result.output
    assert (f"Your answers were not saved: exercises/quiz.txt is a {kind}, so it was left "
            f"alone. Remove it, then write {','.join(key())} in a file of that name.") in result.output
    assert target.read_text() == "not yours\n"
    assert path.is_symlink() if kind == "link" else path.is_dir()


def test_without_an_exercises_folder_you_are_told_how_to_save(tmp_path: Path) -> None:
    result = take()
    assert result.exit_code == 0
    assert result.output.rstrip().splitlines()[-1] == (
        "Your answers were not saved: there is no exercises/ folder here or above. Run `quiz` "
        f"from your course folder, or write {','.join(key())} in exercises/quiz.txt yourself.")
    assert list(Path.cwd().iterdir()) == []


def test_a_failed_write_says_so_and_leaves_the_old_file(course: Path, monkeypatch) -> None:
    path = course / "exercises" / ANSWERS_FILE
    path.write_text("A,A,A\n")

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)
    result = take(extra_input="y\n")
    assert result.exit_code == 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert ("Your answers were not saved: cannot write exercises/quiz.txt "
            f"({os.strerror(errno.ENOSPC)}). Write {','.join(key())} in it yourself.") in result.output
    assert path.read_text() == "A,A,A\n"
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("args", [["--all"], ["--bank", "BANK"]])
def test_other_sessions_do_not_touch_the_answers_file(course: Path, write_bank, args) -> None:
    args = [str(write_bank()) if a == "BANK" else a for a in args]
    count = len(select_questions(load_bank(args[1]) if "--bank" in args else load_bank(),
                                 all_questions="--all" in args))
    result = take(*args, answers=["a"] * count)
    assert result.exit_code == 0, result.output
    assert not (course / "exercises" / ANSWERS_FILE).exists()
    assert ("`quiz --all` does not save your answers" in result.output) == ("--all" in args)


def test_a_stopped_session_saves_nothing(course: Path) -> None:
    result = take(answers=key()[:1])
    assert result.exit_code == EXIT_INTERRUPTED
    assert not (course / "exercises" / ANSWERS_FILE).exists()


# --- The same file and folder as the grader ------------------------------------------


def test_the_folder_and_file_name_are_the_graders(tmp_path: Path) -> None:
    from grader.locate import NotFound, exercises_folder
    from grader.quiz_item import ANSWERS_FILE as GRADER_ANSWERS_FILE

    assert ANSWERS_FILE == GRADER_ANSWERS_FILE
    for folder in ["course/exercises", "course/exercises/sub/deep", "course/src/x",
                   "loose/exercises/exercises", "nothing/here"]:
        (tmp_path / folder).mkdir(parents=True)
    for start in ["course", "course/exercises", "course/exercises/sub/deep", "course/src/x",
                  "loose/exercises", "nothing/here"]:
        try:
            expected = exercises_folder(tmp_path / start)
        except NotFound:
            expected = None
        assert find_exercises_folder(tmp_path / start) == expected, start
