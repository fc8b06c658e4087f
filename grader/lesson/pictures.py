"""The geometry picture as an image file (PNG or SVG), drawn with matplotlib.

matplotlib is an optional extra (`pip install 'l1lab[pictures]'`): grading never needs it,
and it is large. It is imported only when a picture is saved, with the Agg backend, which
needs no display and draws the same pixels everywhere.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from grader.files import replacing
from grader.lesson.geometry import Problem, Solution, contour_points, solve
from grader.lesson.geometry_text import SUBSCRIPTS, number, numbers, verdict, weights
from grader.lesson.geometry_view import contour_levels, half_width

if TYPE_CHECKING:  # matplotlib is optional: imported for real only when saving
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FORMATS = {".png": "png", ".svg": "svg"}
SIZE_INCHES, DPI = (9.0, 6.0), 100
"""A PNG is 900 × 600 pixels."""
L1_COLOUR, L2_COLOUR, LOSS_COLOUR = "#c2410c", "#1d4ed8", "#6b7280"


class PictureError(ValueError):
    """The picture cannot be written; the message is one line saying why and what to do."""


def save_picture(problem: Problem, path: Path) -> None:
    """Draw `problem` and write it to `path` (.png or .svg) atomically: a reader sees the
    old file or the whole new one, never half of it."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise PictureError(f"cannot save {path.name}: the picture can be saved as .png or .svg.")
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise PictureError("saving a picture needs matplotlib: "
                           "pip install 'l1lab[pictures]'") from None
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)  # Agg for this figure only: no display, no global backend switch
    draw(figure, problem, solve(problem))
    try:
        # An SVG holds random ids and the date unless they are fixed: fix them, so the same
        # picture is the same file every time.
        with replacing(path) as temp, matplotlib.rc_context({"svg.hashsalt": "l1lab"}):
            figure.savefig(temp, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    except OSError as error:
        raise PictureError(f"cannot write {path}: {error.strerror}.") from None


def draw(figure: Figure, problem: Problem, solution: Solution) -> None:
    """The diamond, the circle, loss contours and both solutions on the left; on the right
    the legend, the numbers and what they mean."""
    plot, panel = figure.subplots(1, 2, width_ratios=(3, 2))
    c, (x, y) = problem.budget, problem.center
    diamond = [(c, 0.0), (0.0, c), (-c, 0.0), (0.0, -c), (c, 0.0)]
    plot.fill(*zip(*diamond), color=L1_COLOUR, alpha=0.08, linewidth=0)
    plot.plot(*zip(*diamond), color=L1_COLOUR, linewidth=2, label="L1 budget |w₁| + |w₂| ≤ C")
    angles = [2 * math.pi * k / 360 for k in range(361)]
    plot.plot([c * math.cos(a) for a in angles], [c * math.sin(a) for a in angles],
              color=L2_COLOUR, linewidth=2, label="L2 budget w₁² + w₂² ≤ C²")
    for level, touches in contour_levels(problem, solution):
        xs, ys = zip(*contour_points(problem, level, 360))
        plot.plot(xs, ys, color=LOSS_COLOUR, linewidth=1.4 if touches else 0.8,
                  linestyle="-" if touches else "--",
                  label="loss contour touching a budget" if touches else "smaller loss contours")
    plot.plot([x], [y], marker="x", color="black", markersize=8, linestyle="none",
              label="centre: the loss without a budget")
    for name, w, marker, colour in (("L1", solution.l1, "D", L1_COLOUR),
                                    ("L2", solution.l2, "o", L2_COLOUR)):
        plot.plot([w[0]], [w[1]], marker=marker, color=colour, markersize=9, linestyle="none",
                  markeredgecolor="black", label=f"{name} solution")
        plot.annotate(name, w, xytext=(8, -14 if name == "L1" else 6), textcoords="offset points",
                      color=colour, fontweight="bold",
                      bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    reach = half_width(problem)
    plot.set(xlim=(-reach, reach), ylim=(-reach, reach), aspect="equal")
    plot.axhline(0.0, color="black", linewidth=0.6)
    plot.axvline(0.0, color="black", linewidth=0.6)
    plot.set_xlabel(SUBSCRIPTS[0])
    plot.set_ylabel(SUBSCRIPTS[1], rotation=0)
    plot.grid(True, color="#e5e7eb", linewidth=0.5)
    plot.set_title("L1 vs L2 constraint geometry", fontsize=12)
    _panel(panel, plot, problem, solution)


def _panel(panel: Axes, plot: Axes, problem: Problem, solution: Solution) -> None:
    panel.axis("off")
    handles, labels = plot.get_legend_handles_labels()
    unique = dict(zip(labels, handles))  # one legend entry for several contours
    panel.legend(unique.values(), unique.keys(), loc="upper left", frameon=False, fontsize=9)
    lines = [
        "q(w) = A(w₁−X)² + 2B(w₁−X)(w₂−Y) + D(w₂−Y)²",
        f"X, Y = {numbers(problem.center, ', ')}    A, B, D = {numbers(problem.shape, ', ')}",
        f"C = {number(problem.budget)}",
        "",
        f"L1:  w = {weights(solution.l1)}",
        f"L2:  w = {weights(solution.l2)}",
        "",
        *textwrap.wrap(verdict(problem, solution), 46),
    ]
    panel.text(0.0, 0.52, "\n".join(lines), va="top", fontsize=9, linespacing=1.5,
               transform=panel.transAxes)
