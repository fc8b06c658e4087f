"""`grade lesson path`: how many features the Lasso keeps as lam grows, on the story's data.

The numbers come from `path.json` beside this module, computed once with the reference
solver by `python -m grader.course.lesson_path`, so the student copy ships no solver.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("path.json")
LAMS = tuple(round(float(v), 4) for v in (0.05, 0.08, 0.12, 0.2, 0.3, 0.5, 0.7, 1.0, 1.4, 2.0,
                                           3.0, 4.5, 6.5))
"""The lams of the path, around the story's lam = 1.0."""
BAR = 40


@cache
def path() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def as_text() -> str:
    """The path as a small bar chart: one row per lam, the story's lam marked."""
    data = path()
    rows = sorted(zip(data["lam"], data["kept"]))
    most = max(data["kept"]) or 1
    lines = [f"Features kept by the Lasso on the house-price data ({data['features']:,} "
             "candidate features), as lam grows:", "", "     lam  kept"]
    for lam, kept in rows:
        bar = "█" * max(1 if kept else 0, round(kept / most * BAR))
        mark = "  <- the lesson's model (exercise 4)" if lam == data["story_lam"] else ""
        lines.append(f"  {lam:6g}  {kept:4d} {bar}{mark}")
    lines += ["", "A larger lam pushes every weight towards zero by more each step, so fewer "
              "features can justify a nonzero weight; every other weight is exactly 0.0.",
              "The first features to survive as lam shrinks: " + ", ".join(data["first_kept"][:6])
              + "."]
    return "\n".join(lines) + "\n"


def save(target: Path) -> None:
    """The same path as an image (PNG or SVG), written atomically; needs matplotlib."""
    from grader.files import replacing
    from grader.lesson.pictures import PictureError

    if target.suffix.lower() not in (".png", ".svg"):
        raise PictureError(f"{target.name}: name a .png or .svg file.")
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise PictureError("drawing a picture needs matplotlib: "
                           "pip install 'l1lab[pictures]'") from None
    data = path()
    figure = Figure(figsize=(9, 5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    lams, kept = zip(*sorted(zip(data["lam"], data["kept"])))
    axes.plot(lams, kept, "-o", color="#1f77b4", linewidth=2)  # measured points, joined
    axes.axvline(data["story_lam"], color="#d62728", linestyle="--",
                 label=f"lam = {data['story_lam']:g}: the lesson's model keeps "
                       f"{dict(zip(lams, kept))[data['story_lam']]}")
    axes.set_xscale("log")
    axes.set_xlabel("lam (log scale)")
    axes.set_ylabel(f"features kept (of {data['features']:,})")
    axes.set_title("The Lasso's regularisation path on the house-price data")
    axes.legend()
    axes.grid(alpha=0.3)
    with replacing(target) as temporary:
        figure.savefig(temporary, format=target.suffix.lower().lstrip("."))
