"""`grade lesson geometry` on a terminal: in a real pseudo-terminal (pexpect), read back
as a terminal would show it (pyte), and the pure pieces it is drawn from.

TERM is screen-256color: its terminfo has no `rep` (repeat a character), which pyte does
not know, so every character curses means is one pyte sees.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest
import pyte

from grader.lesson.geometry import Problem, solve
from grader.lesson.geometry_canvas import MARKS, plot_cells
from grader.lesson.geometry_keys import MOST_STRETCHED, Picture, after_key
from grader.lesson.geometry_screen import panel

GRADE = Path(sys.executable).parent / "grade"
RIGHT, UP, ESC, CTRL_C = "\x1bOC", "\x1bOA", "\x1b", "\x03"  # as screen-256color sends them
TIMEOUT = 30
START = ["--center", "1.8,1", "--budget", "1", "--shape", "1.5,0.5,1"]


class Terminal:
    """`grade lesson geometry` in a pty of `rows` × `cols`, and the screen it shows."""

    def __init__(self, args: list[str], rows: int = 40, cols: int = 120) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "LINES", "COLUMNS")}
        env.update(TERM="screen-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = b""
        self.child = pexpect.spawn(str(GRADE), ["lesson", "geometry", *args], env=env,
                                   dimensions=(rows, cols), timeout=TIMEOUT)

    def read(self) -> None:
        try:
            while True:
                data = self.child.read_nonblocking(65536, timeout=0.1)
                self.raw += data
                self.stream.feed(data)
        except (pexpect.TIMEOUT, pexpect.EOF):
            pass

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, what, *, timeout: float = TIMEOUT) -> str:
        """Read until the screen holds `what` (a string, or a test on the screen's text)."""
        test = what if callable(what) else (lambda text: what in text)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read()
            if test(self.text()):
                return self.text()
        raise AssertionError(f"the screen never showed {what!r}; it shows:\n{self.text()}")

    def press(self, *keys: str) -> None:
        for key in keys:
            self.child.send(key)
            time.sleep(0.05)  # one key per read, as a learner types, so Esc is never a prefix

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.raw += self.child.before or b""
        self.child.close()
        return self.child.exitstatus


def shown(text: str) -> dict[str, object]:
    """The numbers the screen shows: its save command's options, and both solutions."""
    command = re.search(r"--center (\S+) --budget (\S+) --shape (\S+)", text)
    l1, l2 = re.findall(r"w = \(([-0-9.e+]+), ([-0-9.e+]+)\)", text)[:2]
    return {"options": ["--center", command[1], "--budget", command[2], "--shape", command[3]],
            "l1": [float(v) for v in l1], "l2": [float(v) for v in l2]}


def json_mode(options: list[str]) -> dict[str, object]:
    done = subprocess.run([str(GRADE), "lesson", "geometry", *options, "--format", "json"],
                          capture_output=True, text=True, timeout=TIMEOUT, check=True)
    return json.loads(done.stdout)


def assert_consistent_with_json_mode(text: str) -> list[str]:
    numbers = shown(text)
    document = json_mode(numbers["options"])
    assert numbers["l1"] == pytest.approx(document["l1"], abs=5e-7)
    assert numbers["l2"] == pytest.approx(document["l2"], abs=5e-7)
    assert ("is exactly 0.0" in text) == document["l1_corner"]
    return numbers["options"]


@pytest.fixture(scope="module", autouse=True)
def _installed_script() -> None:
    if not GRADE.exists():
        pytest.fail(f"{GRADE} is missing; install the package (pip install -e .[test])")


def test_keys_change_the_picture_consistently_with_json_mode() -> None:
    term = Terminal(START)
    text = term.wait_for("w = (0.863722, 0.503969)")
    assert "◆" in text and "●" in text and "×" in text and "q Esc" in text
    beside = " ".join(line[78:].strip() for line in text.splitlines())  # the panel's text
    assert "The L1 solution sits on a corner of the diamond: w₂ is exactly 0.0, while the L2 " \
           "solution keeps both weights nonzero." in beside
    assert assert_consistent_with_json_mode(text) == START

    term.press(RIGHT, "+")
    text = term.wait_for("budget C       1.1")
    assert assert_consistent_with_json_mode(text)[:4] == ["--center", "1.9,1", "--budget", "1.1"]

    term.press("r", "s", UP, UP)
    text = term.wait_for("centre X, Y    1.9, 1.2")
    options = assert_consistent_with_json_mode(text)
    assert options[-1] != "1.5,0.5,1"  # turned and stretched

    term.press("-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-")
    text = term.wait_for("budget C       0.1")  # and no lower
    assert_consistent_with_json_mode(text)
    term.press("q")
    assert term.finish() == 0
    assert b"Traceback" not in term.raw


@pytest.mark.parametrize("key", [ESC, CTRL_C, "q"])
def test_each_quit_key_restores_the_terminal_and_exits_0(key: str) -> None:
    term = Terminal(START)
    term.wait_for("w = (")
    term.press(key)
    assert term.finish() == 0
    assert b"Traceback" not in term.raw and b"Interrupted" not in term.raw
    assert b"\x1b[?1049l" in term.raw[-200:]  # left the alternate screen: restored


def test_a_small_window_gets_one_line_and_the_picture_after_a_resize() -> None:
    term = Terminal(START, rows=12, cols=50)
    text = term.wait_for("This picture needs a window of at least")
    assert "w = (" not in text
    term.child.setwinsize(40, 120)
    term.screen.resize(40, 120)
    term.wait_for("w = (0.863722, 0.503969)")
    term.child.setwinsize(24, 80)
    term.screen.resize(24, 80)
    text = term.wait_for(lambda t: "q Esc" in t and t.count("\n") == 23)
    assert "w = (0.863722, 0.503969)" in text
    term.press("q")
    assert term.finish() == 0


@pytest.mark.parametrize("term, says", [("dumb", "TERM=dumb cannot move the cursor"),
                                         ("no-such-terminal", "TERM=no-such-terminal is not a terminal curses knows")])
def test_a_terminal_that_cannot_draw_gets_the_numbers(term: str, says: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(TERM=term, LANG="C.UTF-8")
    child = pexpect.spawn(str(GRADE), ["lesson", "geometry", *START], env=env, encoding="utf-8",
                          dimensions=(40, 120), timeout=TIMEOUT)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert f"Cannot draw here ({says}); here are the numbers instead." in child.before
    assert "w = (1.000000, 0.0)" in child.before


# --- The pieces, without a terminal --------------------------------------------------

PROBLEM = Problem((1.8, 1.0), 1.0, (1.5, 0.5, 1.0))


@pytest.mark.parametrize("unicode", [True, False])
def test_the_canvas_has_the_size_asked_and_every_marker(unicode: bool) -> None:
    grid = plot_cells(PROBLEM, solve(PROBLEM), 76, 38, unicode)
    assert len(grid) == 38 and all(len(row) == 76 for row in grid)
    text = "".join(char for row in grid for char, _ in row)
    for unicode_mark, ascii_mark in MARKS.values():
        assert (unicode_mark if unicode else ascii_mark) in text
    assert text.isascii() != unicode


def test_the_l1_marker_sits_on_the_corner_where_the_diamond_meets_the_axis() -> None:
    grid = plot_cells(PROBLEM, solve(PROBLEM), 76, 38)
    row = next(r for r, cells in enumerate(grid) if any(c == "◆" for c, _ in cells))
    col = [c for c, _ in grid[row]].index("◆")
    # The view reaches ±2.5 across 76 columns: w = (1, 0) is 38 + 1 × 76 / 5 columns in.
    assert (row, col) in {(19, 53), (18, 53)}


def test_the_panel_fits_any_height_it_is_given() -> None:
    for rows in range(19, 40):
        lines = panel(PROBLEM, solve(PROBLEM), rows, True)
        assert len(lines) <= rows and all(len(text) <= 41 for text, _ in lines)
        assert any("w = (1.000000, 0.0)" in text for text, _ in lines)
        assert any("q Esc" in text for text, _ in lines)


def test_keys_move_turn_stretch_and_resize_the_budget() -> None:
    picture = Picture.of(PROBLEM)
    assert after_key(picture, "KEY_LEFT").problem.center == (1.7, 1.0)
    assert after_key(picture, "KEY_DOWN").problem.center == (1.8, 0.9)
    assert after_key(picture, "+").problem.budget == 1.1
    assert after_key(picture, "KEY_RESIZE") == picture
    low = picture
    for _ in range(20):
        low = after_key(low, "-")
    assert low.problem.budget == 0.1
    turned = after_key(picture, "r")
    a, b, d = turned.problem.shape
    assert a + d == pytest.approx(2.5, abs=1e-5) and a * d - b * b == pytest.approx(1.25, abs=1e-5)
    for _ in range(12):  # twelve turns of 15° = 180°: the same ellipses again
        turned = after_key(turned, "R")
    assert turned.problem.shape == pytest.approx(after_key(picture, "r").problem.shape, abs=1e-5)
    stretched = picture
    for _ in range(30):
        stretched = after_key(stretched, "s")
    assert stretched.ratio == MOST_STRETCHED
    for _ in range(30):
        stretched = after_key(stretched, "S")
    assert stretched.ratio == 1.0 and stretched.problem.shape[1] == 0.0
