"""The lesson's sections: every name that hints and the quiz send a learner to exists, in
the lesson's order, and every section reads well at any terminal width."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import click
import pytest

from grader.lesson import render
from grader.lesson.sections import UnknownSection, find, sections

ROOT = Path(__file__).parents[3]


def names_in_hints() -> set[str]:
    catalog = tomllib.loads((ROOT / "grader" / "exercises.toml").read_text(encoding="utf-8"))
    return {exercise["lesson"] for exercise in catalog["exercise"]}


def names_in_quiz() -> list[str]:
    """The bank's list of sections, then the section of every question, in file order."""
    bank = tomllib.loads((ROOT / "quiz" / "questions.toml").read_text(encoding="utf-8"))
    return [*bank["sections"], *(question["section"] for question in bank["question"])]


def test_every_section_a_hint_or_the_quiz_names_is_one_the_lesson_shows() -> None:
    titles = [s.title for s in sections()]
    named = names_in_hints() | set(names_in_quiz())
    assert named, "found no section names: has the format of exercises.toml or questions.toml changed?"
    assert sorted(named - set(titles)) == []


def test_the_quiz_lists_its_sections_in_the_lessons_order() -> None:
    """The quiz sorts 'reread these sections' by its list; it should match the lesson."""
    titles = [s.title for s in sections()]
    listed = tomllib.loads((ROOT / "quiz" / "questions.toml").read_text(encoding="utf-8"))["sections"]
    assert listed == sorted(listed, key=titles.index)


def test_sections_are_numbered_from_one_with_distinct_titles() -> None:
    every = sections()
    assert [s.number for s in every] == list(range(1, len(every) + 1))
    assert len({s.slug for s in every}) == len(every)
    assert every[-1].title == "Elastic Net"


@pytest.mark.parametrize("query, title", [
    ("5", "The Geometric Picture"),
    ("the geometric picture", "The Geometric Picture"),
    ("THE GEOMETRIC PICTURE", "The Geometric Picture"),
    ("the-geometric-picture", "The Geometric Picture"),
    ("geometric", "The Geometric Picture"),
    ("when to use", "When to Use L1 vs L2"),
    ("Practical Application: Feature Selection", "Practical Application: Feature Selection"),
    ("zeros", "Why L1 Produces Exact Zeros"),
    ("elastic", "Elastic Net"),
    ("quick", "Quick refresher"),
])
def test_a_section_is_found_by_number_name_slug_or_unique_prefix(query: str, title: str) -> None:
    assert find(query).title == title


@pytest.mark.parametrize("query, says", [
    ("0", "there is no section 0"),
    ("42", "there is no section 42"),
    ("lasso regression", "no lesson section matches"),
    ("l1", "'l1' matches 3 sections"),
    ("the", "'the' matches 3 sections"),
])
def test_an_unknown_or_ambiguous_name_says_what_to_do(query: str, says: str) -> None:
    with pytest.raises(UnknownSection, match=says) as error:
        find(query)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("width", [40, 60, 80, 88])
def test_prose_is_wrapped_to_the_width_and_formulas_are_kept_whole(width: int) -> None:
    for section in sections():
        text = click.unstyle(render.section_text(section, len(sections()), width))
        source_formulas = {line.rstrip() for line in section.body.splitlines()
                           if line.startswith(render.FORMULA)}
        for line in text.splitlines():
            # A command is never broken, so a long one may stand alone on a narrow screen.
            whole_command = line.startswith("`") and line.count("`") == 2
            assert len(line) <= width or line in source_formulas or whole_command, line
        assert source_formulas <= set(text.splitlines())
        assert render.GLUE not in text


def test_formulas_fit_a_narrow_terminal() -> None:
    for section in sections():
        for line in section.body.splitlines():
            if line.startswith(render.FORMULA):
                assert len(line) <= 64, (section.title, line)


def test_the_geometry_section_points_to_the_picture() -> None:
    body = find("The Geometric Picture").body
    assert "`grade lesson geometry`" in body and "--save" in body


def test_a_long_section_on_a_terminal_goes_through_the_pager(monkeypatch) -> None:
    paged, printed = [], []

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdout", Terminal())
    monkeypatch.setattr(click, "echo_via_pager", lambda text, color=None: paged.append(text))
    monkeypatch.setattr(click, "echo", lambda text, nl=True, color=None: printed.append(text))
    monkeypatch.setenv("LINES", "10")
    render.show("line\n" * 30, color=None)
    monkeypatch.setenv("LINES", "50")
    render.show("line\n" * 30, color=None)
    assert len(paged) == 1 and len(printed) == 1


def test_piped_output_is_never_paged(monkeypatch) -> None:
    monkeypatch.setattr("sys.stdout", io.StringIO())
    monkeypatch.setattr(click, "echo_via_pager", lambda *a, **k: pytest.fail("paged"))
    monkeypatch.setenv("LINES", "5")
    render.show("line\n" * 30, color=None)
