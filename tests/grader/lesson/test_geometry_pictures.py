"""`grade lesson geometry --save`: an image of the expected kind and size, written whole."""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.lesson.pictures import DPI, SIZE_INCHES

pytest.importorskip("matplotlib", reason="install the test extra: pip install -e '.[test]'")

OPTIONS = ["--center", "-0.6,2.2", "--budget", "1.3", "--shape", "1,0.9,2"]


def save(path: Path, *more: str):
    return CliRunner().invoke(main, ["lesson", "geometry", *OPTIONS, "--save", str(path), *more])


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_a_png_of_the_documented_size(tmp_path: Path) -> None:
    result = save(tmp_path / "geometry.png")
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {tmp_path / 'geometry.png'}.\n"
    assert png_size((tmp_path / "geometry.png").read_bytes()) == (
        round(SIZE_INCHES[0] * DPI), round(SIZE_INCHES[1] * DPI))
    assert [p.name for p in tmp_path.iterdir()] == ["geometry.png"]  # no temporary file left


def test_the_png_shows_the_picture(tmp_path: Path) -> None:
    """Not blank: the diamond's and the circle's colours are both in it."""
    from matplotlib.image import imread
    save(tmp_path / "geometry.png")
    pixels = (imread(tmp_path / "geometry.png")[..., :3] * 255).round().astype(int)
    colours = {tuple(p) for p in pixels.reshape(-1, 3)}
    assert (0xc2, 0x41, 0x0c) in colours and (0x1d, 0x4e, 0xd8) in colours


def test_an_svg_with_json_on_stdout_and_the_same_bytes_every_time(tmp_path: Path) -> None:
    result = save(tmp_path / "a.svg", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["l1_corner"] is True  # only JSON on stdout
    save(tmp_path / "b.svg")
    text = (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "<svg" in text
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


def test_an_existing_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "geometry.png"
    target.write_text("old")
    assert save(target).exit_code == 0
    assert png_size(target.read_bytes())[0] > 0


@pytest.mark.parametrize("name", ["geometry.jpg", "geometry", "geometry.PNG.txt"])
def test_an_unknown_extension_is_refused_in_one_line(tmp_path: Path, name: str) -> None:
    result = save(tmp_path / name)
    assert result.exit_code == 2
    assert result.output == f"Error: cannot save {name}: the picture can be saved as .png or .svg.\n"
    assert list(tmp_path.iterdir()) == []


def test_without_matplotlib_it_says_how_to_install_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    result = save(tmp_path / "geometry.png")
    assert result.exit_code == 2
    assert result.output == "Error: saving a picture needs matplotlib: pip install 'l1lab[pictures]'\n"
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    result = save(tmp_path / "missing" / "geometry.png")
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: cannot write {tmp_path / 'missing' / 'geometry.png'}")
    assert result.output.count("\n") == 1
