"""`grade lesson` and `grade lesson SECTION` through click, as a learner types them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.lesson.sections import sections


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("NO_COLOR", raising=False)


def run(*args: str):
    return CliRunner().invoke(main, ["lesson", *args])


def test_the_list_numbers_every_section_and_says_how_to_read_one() -> None:
    result = run()
    assert result.exit_code == 0, result.output
    for section in sections():
        assert f"{section.number:>2}. {section.title}\n" in result.output
    assert "grade lesson NUMBER" in result.output and "grade lesson geometry" in result.output
    assert "\x1b[" not in result.output  # no colour when not on a terminal


@pytest.mark.parametrize("args", [["5"], ["the geometric picture"], ["The", "Geometric", "Picture"],
                                  ["geometric"], ["the-geometric-picture"]])
def test_a_section_is_shown_by_number_or_name(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "5. The Geometric Picture"
    assert "grade lesson geometry" in result.output
    assert lines[-1] == "Next: `grade lesson 6`. All sections: `grade lesson`."
    assert max(map(len, lines)) <= 80


def test_every_section_named_by_hints_or_the_quiz_is_shown_by_name() -> None:
    from test_lesson_sections import names_in_hints, names_in_quiz
    for name in names_in_hints() | set(names_in_quiz()):
        result = run(name)
        assert result.exit_code == 0, (name, result.output)
        assert result.output.splitlines()[0].endswith(f". {name}")


def test_the_last_section_says_the_lesson_ends() -> None:
    result = run(str(len(sections())))
    assert result.exit_code == 0
    assert "That is the end of the lesson." in result.output


@pytest.mark.parametrize("args, says", [
    (["nonsense"], "Error: no lesson section matches 'nonsense'. Run `grade lesson` to list them.\n"),
    (["9"], "Error: there is no section 9: the lesson has sections 1 to 8. "
            "Run `grade lesson` to list them.\n"),
    (["l1"], "Error: 'l1' matches 3 sections (2 The L1 Penalty, 4 Why L1 Produces Exact Zeros, "
             "7 When to Use L1 vs L2); type more of the name, or its number.\n"),
])
def test_an_unknown_section_is_one_line_and_exit_2(args: list[str], says: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.output == says


def test_help_names_the_sections_and_the_picture() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "[SECTION | geometry | path]" in result.output and "geometry" in result.output
