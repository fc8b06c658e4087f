"""`grade lesson geometry` on a terminal: the picture, redrawn at every key, with curses.

Plain curses from the standard library: the screen is a grid of cells redrawn as a whole,
which curses does well, and it adds no dependency. The picture itself comes from
geometry_canvas (cells) and geometry_keys (what keys do), both testable without a terminal.
"""

from __future__ import annotations

import curses
import locale
import os
import textwrap

from grader.lesson.geometry import Problem, Solution, solve
from grader.lesson.geometry_canvas import Cell, plot_cells
from grader.lesson.geometry_keys import BUDGET_STEP, MOVE, Picture, after_key
from grader.lesson.geometry_text import command, number, numbers, verdict, weights
from grader.lesson.geometry_view import contour_levels, half_width

PANEL = 42
"""Columns of text beside the picture."""
SMALLEST = (74, 20)
"""The smallest window (columns, rows) the picture is drawn in."""
QUIT = {"q", "Q", "\x1b", "\x04"}  # q, Esc, Ctrl-D; Ctrl-C arrives as KeyboardInterrupt


class CannotDraw(RuntimeError):
    """curses cannot run on this terminal (e.g. an unknown TERM); the message says why."""


def run_screen(problem: Problem) -> None:
    """Show `problem` until the learner quits; the terminal is restored however that is."""
    locale.setlocale(locale.LC_ALL, "")
    unicode = locale.getpreferredencoding(False).lower().replace("-", "") == "utf8"
    os.environ.setdefault("ESCDELAY", "25")  # Esc quits at once, not after curses' 1 s wait
    term = os.environ.get("TERM", "")
    try:
        curses.setupterm()
    except curses.error:
        raise CannotDraw(f"TERM={term} is not a terminal curses knows") from None
    if not curses.tigetstr("cup"):  # e.g. TERM=dumb: curses would run, and garble the screen
        raise CannotDraw(f"TERM={term} cannot move the cursor")
    try:
        curses.wrapper(_loop, Picture.of(problem), unicode)
    except KeyboardInterrupt:
        return  # Ctrl-C is one of the ways to quit; wrapper has already restored the terminal
    except curses.error as error:
        raise CannotDraw(str(error) or "curses failed") from None


def _loop(screen: curses.window, picture: Picture, unicode: bool) -> None:
    try:
        curses.curs_set(0)
    except curses.error:
        pass  # a terminal that cannot hide the cursor still shows the picture
    screen.keypad(True)
    styles = _styles()
    while True:
        draw(screen, picture, unicode, styles)
        key = screen.get_wch()
        if isinstance(key, str) and key in QUIT:
            return
        name = curses.keyname(key).decode() if isinstance(key, int) else key
        picture = after_key(picture, name)  # KEY_RESIZE changes nothing but is redrawn


def draw(screen: curses.window, picture: Picture, unicode: bool, styles: dict[str, int]) -> None:
    """The whole screen for `picture`, or a one-line message if the window is too small."""
    screen.erase()
    rows, cols = screen.getmaxyx()
    if cols < SMALLEST[0] or rows < SMALLEST[1]:
        _put(screen, 0, 0, f"This picture needs a window of at least {SMALLEST[0]} × "
                           f"{SMALLEST[1]}; this one is {cols} × {rows}. Make it larger, or "
                           "press q to quit."[:cols - 1], styles["text"])
        screen.refresh()
        return
    problem = picture.problem
    solution = solve(problem)
    plot_rows = rows - 1
    plot_cols = min(2 * plot_rows, cols - PANEL - 2)
    for row, cells in enumerate(plot_cells(problem, solution, plot_cols, plot_rows, unicode)):
        for col, text, style in _runs(cells):
            _put(screen, row, col, text, styles.get(style, 0))
    for row, (text, style) in enumerate(panel(problem, solution, plot_rows, unicode)):
        _put(screen, row, plot_cols + 2, text[:cols - plot_cols - 3], styles[style])
    save = f"Save it: {command(problem, 'geometry.png')}"
    _put(screen, rows - 1, 0, save if len(save) < cols else save[:cols - 2] + "…", styles["dim"])
    screen.refresh()


def panel(problem: Problem, solution: Solution, rows: int, unicode: bool) -> list[tuple[str, str]]:
    """The lines beside the picture, as (text, style); optional blocks are left out, and
    then blank lines, until it fits in `rows`."""
    l1, l2, centre = ("◆", "●", "×") if unicode else ("#", "O", "x")
    arrows = "← ↑ ↓ →" if unicode else "arrows "
    blocks: list[tuple[bool, list[tuple[str, str]]]] = [
        (True, [("L1 vs L2 constraint geometry", "title")]),
        (False, [("q(w) = A(w₁−X)² + 2B(w₁−X)(w₂−Y)", "text"), ("       + D(w₂−Y)²", "text")]),
        (True, [(f"centre X, Y    {numbers(problem.center, ', ')}", "text"),
                (f"shape A, B, D  {numbers(problem.shape, ', ')}", "text"),
                (f"budget C       {number(problem.budget)}", "text"),
                (f"axes reach     ±{number(half_width(problem))}", "dim")]),
        (True, [(f"{l1} L1  |w₁| + |w₂| ≤ C   the diamond", "l1"),
                (f"     w = {weights(solution.l1)}", "text"),
                (f"{l2} L2  w₁² + w₂² ≤ C²    the circle", "l2"),
                (f"     w = {weights(solution.l2)}", "text")]),
        (True, [(line, "text") for line in textwrap.wrap(verdict(problem, solution, advice=True),
                                                         PANEL - 1)]),
        (False, [(f"{centre} centre: where the loss alone is lowest", "text"),
                 *((line, "touch") for line in _contours_legend(problem, solution))]),
        (True, [("Keys", "title"),
                (f"{arrows}  move the centre by {number(MOVE)}", "text"),
                ("r R      turn the ellipses", "text"),
                ("s S      stretch them, or round them", "text"),
                (f"+ -      change C by {number(BUDGET_STEP)}", "text"),
                ("q Esc    quit", "text")]),
    ]
    for keep_optional, gap in ((True, True), (False, True), (False, False)):
        chosen = [lines for essential, lines in blocks if essential or keep_optional]
        spaced = [([("", "text")] if gap else []) + lines for lines in chosen]
        joined = [line for lines in spaced for line in lines][gap:]
        if len(joined) <= rows:
            return joined
    return joined[:rows]


def _contours_legend(problem: Problem, solution: Solution) -> list[str]:
    """What the solid ellipses are: only those that touch a budget are solid."""
    touching = sum(touches for _, touches in contour_levels(problem, solution))
    if touching == 0:
        return ["Ellipses: loss contours around the centre."]
    if touching == 2:
        return ["Ellipses: loss contours; the solid ones", "touch the diamond and the circle."]
    x, y = problem.center
    if x * x + y * y <= problem.budget ** 2:
        return ["Ellipses: loss contours; the solid one", "touches the diamond."]
    return ["Ellipses: loss contours; the solid one", "touches the diamond and the circle."]


def _runs(cells: list[Cell]) -> list[tuple[int, str, str]]:
    """A row of cells as (column, text, style) runs: one curses call per run, not per cell."""
    runs: list[tuple[int, str, str]] = []
    for col, (text, style) in enumerate(cells):
        if runs and runs[-1][2] == style:
            runs[-1] = (runs[-1][0], runs[-1][1] + text, style)
        else:
            runs.append((col, text, style))
    return [run for run in runs if run[1].strip()]


def _put(screen: curses.window, row: int, col: int, text: str, attr: int) -> None:
    try:
        screen.addstr(row, col, text, attr)
    except curses.error:
        pass  # writing the window's very last cell raises, though it is drawn


def _styles() -> dict[str, int]:
    """curses attributes per style: colour on a colour terminal without NO_COLOR, else
    bold and dim only (the glyphs ◆ ● × tell the points apart without colour)."""
    bold, dim = curses.A_BOLD, curses.A_DIM
    plain = {"text": 0, "title": bold, "dim": dim, "label": 0, "axis": dim, "contour": dim,
             "touch": 0, "circle": 0, "diamond": bold, "centre": bold, "l1": bold, "l2": bold}
    if os.environ.get("NO_COLOR") or not curses.has_colors():
        return plain
    curses.start_color()
    try:
        curses.use_default_colors()
        background = -1
    except curses.error:
        background = curses.COLOR_BLACK
    rich = curses.COLORS >= 256
    # The picture's colours in 256 colours (orange, blue, greens, grey), or the nearest of 8.
    colours = {"l1": (208, curses.COLOR_YELLOW), "l2": (39, curses.COLOR_CYAN),
               "touch": (114, curses.COLOR_GREEN), "contour": (65, curses.COLOR_GREEN),
               "axis": (244, curses.COLOR_WHITE)}
    pairs = {}
    for pair, (name, (many, few)) in enumerate(colours.items(), start=1):
        curses.init_pair(pair, many if rich else few, background)
        pairs[name] = curses.color_pair(pair)
    return {**plain, "diamond": pairs["l1"], "l1": pairs["l1"] | bold, "circle": pairs["l2"],
            "l2": pairs["l2"] | bold, "touch": pairs["touch"],
            "contour": pairs["contour"] | (0 if rich else dim),  # 8 colours: dim tells it apart
            "axis": pairs["axis"], "label": pairs["axis"]}
