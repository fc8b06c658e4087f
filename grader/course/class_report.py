"""The class report beside the gradebook: `analytics.json` always, `report.html` when the
`report` extra (Jinja2, matplotlib) is installed.

The page is one file with no outside link: the plots are inline SVG drawn by matplotlib,
the style is inline, and every string from a student (names, messages) goes through Jinja2's
autoescaping; only the SVG we draw from numbers is inserted as it is.
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

from grader.course.analytics import class_analytics, to_json
from grader.files import write_atomically

ANALYTICS = "analytics.json"
REPORT = "report.html"
TEMPLATES = Path(__file__).with_name("templates")
INSTALL_HINT = "pip install 'l1lab[report]'"


def write_class_report(out: Path, records: list[dict], *, layout: str = "folders") -> str:
    """Write the class report beside the gradebook `out`; return the line that says where."""
    analytics = class_analytics(records, layout=layout)
    write_atomically(out.with_name(ANALYTICS), to_json(analytics))
    try:
        html = render_html(analytics)
    except ImportError:
        return (f"Wrote {out.with_name(ANALYTICS)}; for the page {REPORT} beside it, "
                f"{INSTALL_HINT} and run the same command again.")
    write_atomically(out.with_name(REPORT), html)
    return f"Class report: {out.with_name(REPORT)} (numbers in {out.with_name(ANALYTICS)})."


_prepared: threading.Thread | None = None


def prepare_in_background() -> None:
    """Load Jinja2 and matplotlib and draw a first plot on a thread of its own (0.6 s), while
    the batch waits for its grading server, so the report at the end takes a tenth of that."""
    global _prepared
    if _prepared is None:
        _prepared = threading.Thread(target=_prepare, name="l1lab-report-prepare", daemon=True)
        _prepared.start()


def _prepare() -> None:
    try:
        import jinja2  # noqa: F401
        histogram_svg({"histogram": {"counts": [1], "edges": [0.0, 1.0]}, "mean": 0.5,
                       "max_score": 1})
    except Exception:  # noqa: BLE001 - not installed, or broken: the report says so itself
        pass


def render_html(analytics: dict) -> str:
    """The page for `analytics`; ImportError without Jinja2 or matplotlib."""
    if _prepared is not None:
        _prepared.join()  # matplotlib draws one figure at a time
    import jinja2
    from markupsafe import Markup

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["percent"] = lambda share: f"{100 * share:.0f}%"
    histogram = histogram_svg(analytics["scores"])
    return environment.get_template("class_report.html.j2").render(
        a=analytics, histogram=Markup(histogram))


def histogram_svg(scores: dict) -> str:
    """The score distribution as an inline <svg> element (no XML prolog), or "" if empty."""
    import matplotlib
    from matplotlib.figure import Figure

    counts, edges = scores["histogram"]["counts"], scores["histogram"]["edges"]
    if not counts:
        return ""
    with matplotlib.rc_context({"svg.hashsalt": "l1lab", "svg.fonttype": "path",
                                "font.family": "DejaVu Sans", "font.size": 10}):
        figure = Figure(figsize=(7.2, 2.6), layout="constrained")
        axes = figure.add_subplot()
        widths = [right - left for left, right in zip(edges, edges[1:])]
        axes.bar(edges[:-1], counts, width=widths, align="edge", color="#3b6fb6",
                 edgecolor="white", linewidth=1)
        if scores["mean"] is not None:
            axes.axvline(scores["mean"], color="#d9822b", linewidth=2,
                         label=f"mean {scores['mean']:.1f}")
            axes.legend(frameon=False, loc="upper left")
        axes.set_xlim(0, edges[-1])
        axes.set_xlabel(f"score out of {scores['max_score']}")
        axes.set_ylabel("students")
        axes.yaxis.get_major_locator().set_params(integer=True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and doctype: it sits inside HTML
    return re.sub(r"<svg ", '<svg role="img" aria-label="Histogram of total scores" '
                  'id="histogram" ', svg, count=1)
