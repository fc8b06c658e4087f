"""The code a learner has run in a Jupyter kernel (or a Python session), as one `Program`.

`check("exercise2")` in a notebook grades the functions as they are in the kernel now: the
current `clamped_update` object, whichever cell last defined it. Its source comes from the
cell it was defined in (IPython keeps every cell's source in `linecache`), and with it what
it uses from the notebook: the modules it calls (`import numpy as np`), the helper functions
it calls (copied the same way), and plain numbers and strings. Anything else (an array, a
class, an object) is not copied, and the learner is told so. Nothing is run here: the
program is graded in the confined worker like any file.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import numbers
import sys
import textwrap
import types
from dataclasses import dataclass, field
from pathlib import Path

from grader.catalog import Exercise
from grader.program import Program, Span, first_line, lines_of

NAME = "Your notebook"
MAX_VALUE_CHARS = 10_000
"""A plain value longer than this when written out is not copied."""


@dataclass
class _Collector:
    imports: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    functions: list[tuple[str, str, int]] = field(default_factory=list)
    """(source, place, line in its cell) of each function copied, dependencies first."""
    aliases: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    done: set[str] = field(default_factory=set)
    copied: set[int] = field(default_factory=set)

    def name(self, name: str, namespace: dict) -> None:
        """Copy what `name` means in `namespace` into the program, once."""
        if name in self.done or name not in namespace:
            return
        self.done.add(name)
        value = namespace[name]
        if isinstance(value, types.ModuleType):
            module = value.__name__
            self.imports.append(f"import {module}" if module == name else f"import {module} as {name}")
        elif isinstance(value, types.FunctionType) and _defined_here(value):
            self.function(name, value)
        elif callable(value) and _import_line(name, value):
            self.imports.append(_import_line(name, value))
        elif _literal(value) is not None:
            self.values.append(f"{name} = {_literal(value)}")
        else:
            self.notes.append(f"{name} ({type(value).__name__}) is not copied: check() takes "
                              "your functions, the modules they import and plain numbers and "
                              "strings. Define it inside the function that uses it.")

    def function(self, name: str, function: types.FunctionType) -> None:
        if id(function) not in self.copied:
            self.copied.add(id(function))
            try:
                source = textwrap.dedent(inspect.getsource(function))
                tree = ast.parse(source)
            except (OSError, TypeError, SyntaxError, ValueError):
                self.notes.append(f"The source of {name} cannot be found; run the cell that "
                                  "defines it again.")
                return
            for used in sorted(_globals_used(function, tree)):
                self.name(used, function.__globals__)
            self.functions.append((source, _place(function), function.__code__.co_firstlineno))
        if function.__name__ != name:
            self.aliases.append(f"{name} = {function.__name__}")

    def program(self) -> Program:
        lines = [line + "\n" for line in [*self.imports, *self.values]]
        spans = []
        for source, place, offset in self.functions:
            body = lines_of(source)
            spans.append(Span(start=len(lines) + 1, length=len(body), place=place,
                              first_line=first_line(source), offset=offset))
            lines += [line + "\n" for line in body]
        lines += [line + "\n" for line in self.aliases]
        return Program(name=NAME, source="".join(lines), spans=tuple(spans), kernel=True)


def collect(exercise: Exercise, namespace: dict) -> tuple[Program, list[str]]:
    """The program of `exercise`'s functions as `namespace` holds them, and notes on what
    could not be copied."""
    collector = _Collector()
    for function in exercise.functions:
        collector.name(function.name, namespace)
    return collector.program(), collector.notes


def _defined_here(function) -> bool:
    """Defined in the notebook (or the script) that calls check(), not in an installed module."""
    module = getattr(function, "__module__", None)
    return module in (None, "__main__") or module not in sys.modules or \
        getattr(sys.modules[module], "__file__", None) is None


def _globals_used(function: types.FunctionType, tree: ast.AST) -> set[str]:
    """The global names the function reads when it runs, and those its decorators and
    defaults use when it is defined."""
    loaded = {node.id for node in ast.walk(tree)
              if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    names: set[str] = set()
    stack = [function.__code__]
    while stack:
        code = stack.pop()
        names.update(code.co_names)
        stack += [const for const in code.co_consts if isinstance(const, types.CodeType)]
    top = tree.body[0] if tree.body else None
    at_definition: set[str] = set()
    if isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for node in [*top.decorator_list, *top.args.defaults, *top.args.kw_defaults]:
            if node is not None:
                at_definition |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    return (names & loaded) | at_definition


def _place(function: types.FunctionType) -> str:
    """Where the learner wrote the function: "In [5]" for a notebook cell, else its file."""
    filename = function.__code__.co_filename
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    number = getattr(getattr(shell, "compile", None), "_filename_map", {}).get(filename)
    return f"In [{number}]" if number is not None else Path(filename).name


def _import_line(name: str, value: object) -> str | None:
    """`from module import thing as name` when that gives back this very object."""
    module = getattr(value, "__module__", None)
    attribute = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if not module or not attribute or "." in attribute or module == "__main__":
        return None
    try:
        if getattr(importlib.import_module(module), attribute) is not value:
            return None
    except (ImportError, AttributeError):
        return None
    return f"from {module} import {attribute}" + ("" if attribute == name else f" as {name}")


def _literal(value: object) -> str | None:
    """`value` written as Python that gives it back exactly, for plain data; else None."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, bytes)):
        text = repr(value)
    elif isinstance(value, numbers.Integral):
        text = repr(int(value))
    elif isinstance(value, numbers.Real):
        text = repr(float(value))
    elif isinstance(value, (tuple, list)):
        items = [_literal(item) for item in value]
        if any(item is None for item in items):
            return None
        text = ("(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
                if isinstance(value, tuple) else "[" + ", ".join(items) + "]")
    else:
        return None
    if len(text) > MAX_VALUE_CHARS or text in ("nan", "inf", "-inf"):
        return None
    return text
