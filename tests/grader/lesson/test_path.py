"""`grade lesson path`: the regularisation path of the story data, as text and as an image."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import paths
from grader.cli import main
from grader.lesson import path


def test_fewer_features_survive_as_lam_grows() -> None:
    data = path.path()
    by_lam = [kept for _, kept in sorted(zip(data["lam"], data["kept"]))]
    assert by_lam == sorted(by_lam, reverse=True) and by_lam[0] > by_lam[-1]
    assert dict(zip(data["lam"], data["kept"]))[data["story_lam"]] == 50


def test_the_text_marks_the_lessons_model() -> None:
    result = CliRunner().invoke(main, ["lesson", "path"])
    assert result.exit_code == 0, result.output
    story = next(line for line in result.output.splitlines() if "the lesson's model" in line)
    assert story.split()[:2] == ["1", "50"]


def test_the_picture_is_a_png_of_the_expected_size(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "path.png"
    result = CliRunner().invoke(main, ["lesson", "path", "--save", str(target)])
    assert result.exit_code == 0, result.output
    header = target.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (900, 500)
    bad = CliRunner().invoke(main, ["lesson", "path", "--save", str(tmp_path / "path.gif")])
    assert bad.exit_code == 2 and "name a .png or .svg file" in bad.output


@pytest.mark.skipif(paths.solutions() is None, reason="the reference is in the instructor's copy")
def test_the_shipped_counts_are_the_reference_solvers() -> None:
    from grader.course.lesson_path import kept_at

    data = dict(zip(path.path()["lam"], path.path()["kept"]))
    for lam in (6.5, 1.0):  # the sparse end converges fastest
        assert kept_at(lam, steps=1500)[0] == data[lam]
