"""The folders show the architecture, and imports only point down.

`cli` is on top; `course` (grading a class, shipping a course) sits above the core; `sandbox`
(running learner code) and `reports` (writers) sit below it. The test reads every import in
the package, function-level ones included, so a shortcut upwards cannot hide in a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GRADER = Path(__file__).parents[2] / "grader"
LEAVES = {"grader.paths", "grader.text", "grader.results", "grader.catalog", "grader.files"}
"""Small modules with no grader imports of their own, usable from any layer."""


FRONT_ENDS = ("grader.cli", "grader.__main__", "grader.watch", "grader", "grader.jupyter")
"""What learners and instructors call: the command line (`grade watch` included), and
`from grader import check` in a notebook (the package's `__init__` offers it;
`grader.jupyter` does the work)."""


def layer(module: str) -> str:
    parts = module.split(".")
    if module in FRONT_ENDS:
        return "cli"
    if len(parts) > 2 and parts[1] in ("course", "sandbox", "reports", "checks", "lesson"):
        return parts[1]
    return "core"


MAY_IMPORT = {
    "cli": {"cli", "core", "course", "sandbox", "reports", "checks", "lesson"},
    "course": {"course", "core", "sandbox", "reports", "checks", "lesson"},
    "core": {"core", "sandbox", "checks"},
    "checks": {"checks", "core"},
    "lesson": {"lesson"},
    "sandbox": {"sandbox"},
    "reports": {"reports"},
}


def module_name(path: Path) -> str:
    relative = path.relative_to(GRADER.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def grader_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return [name for name in found if name.split(".")[0] == "grader"]


def target(name: str) -> str:
    """The module an imported name lives in: `grader.course.batch.main` -> `grader.course.batch`."""
    parts = name.split(".")
    while parts and not ((GRADER.parent / Path(*parts)).with_suffix(".py").is_file()
                         or (GRADER.parent / Path(*parts) / "__init__.py").is_file()):
        parts.pop()
    return ".".join(parts)


MODULES = sorted(GRADER.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GRADER)))
def test_imports_point_down(path: Path) -> None:
    importer = module_name(path)
    wrong = []
    for name in grader_imports(path):
        imported = target(name)
        if imported in LEAVES or imported == "grader" or imported == "":
            continue
        if layer(imported) not in MAY_IMPORT[layer(importer)]:
            wrong.append(f"{importer} ({layer(importer)}) imports {imported} ({layer(imported)})")
    assert wrong == []


def test_leaves_import_nothing_of_the_grader() -> None:
    for leaf in LEAVES:
        path = GRADER.parent / (leaf.replace(".", "/") + ".py")
        assert grader_imports(path) == [], leaf


def test_the_tree_shows_the_parts() -> None:
    folders = {p.name for p in GRADER.iterdir() if (p / "__init__.py").is_file()}
    assert {"sandbox", "reports", "course", "checks"} <= folders
    assert (GRADER / "sandbox" / "worker.py").is_file()
    assert (GRADER / "reports" / "gradescope.py").is_file()
    assert (GRADER / "course" / "batch.py").is_file()


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GRADER)))
def test_no_module_is_over_400_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400
