"""The geometry picture as terminal cells: pure Python, no curses, so it can be tested.

Curves are drawn in Braille dots, 2 × 4 per cell. A terminal cell is about twice as tall
as it is wide, so a Braille dot is square and a circle comes out round. Without Unicode
(a non-UTF-8 locale) each cell is one dot, twice as tall as wide, drawn with ASCII.
"""

from __future__ import annotations

import math

from grader.lesson.geometry import Problem, Solution, contour_points
from grader.lesson.geometry_view import contour_levels, half_width

Cell = tuple[str, str]
"""(text, style): one character, and the name of the style it is drawn in."""

# Styles, lowest first: where curves cross, the cell takes the highest style's colour.
AXIS, CONTOUR, TOUCH, CIRCLE, DIAMOND = "axis", "contour", "touch", "circle", "diamond"
RANK = {AXIS: 1, CONTOUR: 2, TOUCH: 3, CIRCLE: 4, DIAMOND: 5}
MARKS = {"centre": ("×", "x"), "l2": ("●", "O"), "l1": ("◆", "#")}
"""The glyphs of the centre and the two solutions (Unicode, ASCII), drawn in that order,
so the L1 solution stays visible where points coincide."""
ASCII = {AXIS: "+", CONTOUR: ".", TOUCH: ":", CIRCLE: "o", DIAMOND: "#"}
BRAILLE = 0x2800
BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row][column] in a cell


class _Dots:
    """Dots on a grid of cells, each cell remembering the highest style drawn into it."""

    def __init__(self, cols: int, rows: int, reach: float, unicode: bool) -> None:
        self.cols, self.rows, self.unicode = cols, rows, unicode
        self.sx, self.sy = (2, 4) if unicode else (1, 1)
        side = min(cols, 2 * rows)  # in cell widths; a row is two cell widths tall
        self.kx = side * self.sx / (2 * reach)
        self.ky = side * self.sy / (4 * reach)
        self.cells: dict[tuple[int, int], tuple[int, str]] = {}

    def to_dot(self, x: float, y: float) -> tuple[int, int]:
        return (math.floor(self.cols * self.sx / 2 + x * self.kx),
                math.floor(self.rows * self.sy / 2 - y * self.ky))

    def to_cell(self, x: float, y: float) -> tuple[int, int] | None:
        dx, dy = self.to_dot(x, y)
        col, row = dx // self.sx, dy // self.sy
        return (col, row) if 0 <= col < self.cols and 0 <= row < self.rows else None

    def dot(self, dx: int, dy: int, style: str) -> None:
        col, row = dx // self.sx, dy // self.sy
        if not (0 <= col < self.cols and 0 <= row < self.rows):
            return
        bits, old = self.cells.get((col, row), (0, AXIS))
        bit = BITS[dy % self.sy][dx % self.sx] if self.unicode else 1
        self.cells[(col, row)] = (bits | bit, style if RANK[style] >= RANK[old] else old)

    def line(self, a: tuple[float, float], b: tuple[float, float], style: str,
             dotted: bool = False) -> None:
        """A straight line from a to b, one dot per step along its longer direction."""
        (x0, y0), (x1, y1) = self.to_dot(*a), self.to_dot(*b)
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for k in range(0, steps + 1, 2 if dotted else 1):
            self.dot(round(x0 + (x1 - x0) * k / steps), round(y0 + (y1 - y0) * k / steps), style)

    def path(self, points: list[tuple[float, float]], style: str, dotted: bool = False) -> None:
        for a, b in zip(points, points[1:]):
            self.line(a, b, style, dotted)

    def cell(self, col: int, row: int) -> Cell:
        bits, style = self.cells.get((col, row), (0, ""))
        if not bits:
            return (" ", "")
        return (chr(BRAILLE + bits), style) if self.unicode else (ASCII[style], style)


def plot_cells(problem: Problem, solution: Solution, cols: int, rows: int,
               unicode: bool = True) -> list[list[Cell]]:
    """The picture in `rows` lists of `cols` cells: axes, loss contours, the circle, the
    diamond, the centre and both solutions, with w₁ to the right and w₂ up."""
    reach = half_width(problem)
    dots = _Dots(cols, rows, reach, unicode)
    dots.line((-reach, 0.0), (reach, 0.0), AXIS, dotted=True)
    dots.line((0.0, -reach), (0.0, reach), AXIS, dotted=True)
    detail = max(64, 8 * (cols + rows))
    for level, touches in contour_levels(problem, solution):
        dots.path(contour_points(problem, level, detail), TOUCH if touches else CONTOUR,
                  dotted=not touches)
    c = problem.budget
    dots.path([(c * math.cos(a), c * math.sin(a))
               for a in (2 * math.pi * k / detail for k in range(detail + 1))], CIRCLE)
    dots.path([(c, 0.0), (0.0, c), (-c, 0.0), (0.0, -c), (c, 0.0)], DIAMOND)
    grid = [[dots.cell(col, row) for col in range(cols)] for row in range(rows)]
    for name, point in (("centre", problem.center), ("l2", solution.l2), ("l1", solution.l1)):
        where = dots.to_cell(*point)
        if where is not None:
            grid[where[1]][where[0]] = (MARKS[name][0 if unicode else 1], name)
    for name, point in (("l2", solution.l2), ("l1", solution.l1)):
        where = dots.to_cell(*point)
        if where is not None:
            _name(grid, where, name.upper(), name)
    for text, point in (("w₁" if unicode else "w1", (reach, 0.0)),
                        ("w₂" if unicode else "w2", (0.0, reach))):
        _label(grid, dots, text, point)
    return grid


def _name(grid: list[list[Cell]], where: tuple[int, int], text: str, style: str) -> None:
    """`text` just right of a marker, or else just left of it, where the cells are blank:
    a name over a curve would hide the very point it names."""
    col, row = where
    for start in (col + 1, col - len(text)):
        cells = range(start, start + len(text))
        if all(0 <= c < len(grid[row]) and grid[row][c][0] in " ⠀" for c in cells):
            for c, char in zip(cells, text):
                grid[row][c] = (char, style)
            return


def _label(grid: list[list[Cell]], dots: _Dots, text: str, point: tuple[float, float]) -> None:
    """An axis name just inside the end of its axis, if the cells there are blank: half a
    name over a curve reads as noise."""
    col, row = dots.to_dot(*point)
    col, row = min(col // dots.sx, dots.cols - 1), max(row // dots.sy, 0)
    col = col - len(text) if point[1] == 0.0 else col + 2
    row = row + 1 if point[1] == 0.0 else row
    cells = range(col, col + len(text))
    if 0 <= row < dots.rows and all(0 <= c < dots.cols and grid[row][c][0] == " " for c in cells):
        for c, char in zip(cells, text):
            grid[row][c] = (char, "label")
