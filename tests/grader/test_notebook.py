"""Reading a notebook as a submission: which code is graded, and hostile notebooks."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from grader import notebook
from grader.notebook import NotebookError, code_cells, parse, program, python_of
from grader.program import Program, lines_of, still_stub


def nb(*cells: dict, version: int = 4) -> bytes:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": version,
                       "nbformat_minor": 5}).encode()


def code(source, tags=None) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {"tags": tags or []},
            "outputs": [], "source": source, "id": "x"}


def markdown(source: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": source, "id": "m"}


def test_magics_shell_escapes_and_help_become_pass_on_the_same_line() -> None:
    cell = ("%matplotlib inline\nimport numpy as np\n!pip install numpy\nfiles = !ls\n"
            "np.sign?\nfor i in range(2):\n    %time x = i\n")
    assert python_of(cell) == ("pass\nimport numpy as np\npass\npass\npass\n"
                               "for i in range(2):\n    pass\n")


def test_a_cell_magic_drops_the_whole_cell_and_valid_python_is_kept_as_it_is() -> None:
    assert python_of("%%time\nx = 1\n") is None
    modulo = "x = (7\n% 3)\n"  # a line starting with % that is Python, not a magic
    assert python_of(modulo) == modulo


def test_cells_are_numbered_as_the_learner_sees_them_and_skip_grading_is_left_out() -> None:
    raw = nb(markdown("# Title"), code("a = 1\n"), code("raise SystemExit", ["skip-grading"]),
             markdown("text"), code(["def f():\n", "    return a\n"]), code("  \n"))
    assert code_cells(raw, "n.ipynb") == [(2, "a = 1\n"), (5, "def f():\n    return a\n")]


def test_the_program_maps_each_line_back_to_its_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    built = program([(2, "a = 1\n"), (5, "%matplotlib inline\ndef f():\n    return a\n")], "n.ipynb")
    namespace: dict = {}
    monkeypatch.setitem(sys.modules, "grader", sys.modules["grader"])  # the prelude replaces it
    exec(compile(built.source, "n", "exec"), namespace)
    assert namespace["f"]() == 1
    line = built.source.splitlines().index("    return a") + 1
    span, in_cell = built.locate(line)
    assert (span.place, in_cell, span.first_line) == ("cell 5", 3, "%matplotlib inline")
    assert built.locate(1) is None  # the prelude is no cell of the learner's


def test_check_and_display_do_nothing_in_the_graded_program() -> None:
    built = program([(1, "from grader import check\ncheck('exercise1')\ndisplay(3)\n")], "n.ipynb")
    saved = sys.modules.get("grader")
    try:
        exec(compile(built.source, "n", "exec"), {})
    finally:
        sys.modules["grader"] = saved


def test_an_error_is_placed_in_its_cell() -> None:
    built = program([(3, "x = 1\ny = oops\n")], "n.ipynb")
    error = {"type": "NameError", "message": "no", "where": {"line": 3, "code": "y = oops"}}
    placed = built.placed(error)
    assert placed["where"]["place"] == "cell 3, line 2"
    assert placed["first_line"] == "x = 1"


@pytest.mark.parametrize(("raw", "says"), [
    (b'{"cells": [', "not valid JSON"),
    (b"\xff\xfe\x00", "not UTF-8"),
    (b"[1, 2]", "Jupyter can open"),
    (nb({"cell_type": "code"}, 7), "Jupyter can open"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": 3}).encode(),
     "in Jupyter, save it"),
    (nb(code("a = 1"), 42), "in Jupyter, save it"),
    (nb(code("a = 1"), code(17)), "cell 2 of work.ipynb has no readable source"),
    (b"[" * 100_000 + b"]" * 100_000, "Jupyter can open"),
])
def test_a_broken_notebook_is_one_sentence(raw: bytes, says: str) -> None:
    with pytest.raises(NotebookError) as caught:
        parse(raw, "work.ipynb")
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("plain", [False, True])
def test_a_cell_that_is_no_cell_is_named_by_its_number(plain: bool) -> None:
    with pytest.raises(NotebookError, match="^cell 2 of work.ipynb is not a notebook cell"):
        code_cells(nb(markdown("# Hi"), {"cell_type": 5, "metadata": {}, "source": ""}),
                   "work.ipynb", plain=plain)


def test_a_huge_notebook_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(NotebookError, match="larger than 16 MiB. Clear its outputs"):
        parse(b" " * (notebook.MAX_NOTEBOOK_BYTES + 1), "big.ipynb")


def test_without_nbformat_the_learner_is_told_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "nbformat", None)
    assert not notebook.available()
    with pytest.raises(NotebookError, match=r"^Reading notebooks needs nbformat: run "
                                            r"pip install 'l1lab\[notebook\]'$"):
        parse(nb(code("a = 1")), "work.ipynb")
    # The plain reader (used to see whether a notebook is started) needs no nbformat.
    assert code_cells(nb(code("a = 1")), "work.ipynb", plain=True) == [(1, "a = 1")]


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from(["cell_type", "source", "metadata", "tags",
                                                      "cells", "nbformat", "code", "x"]),
                                      inner, max_size=4), max_leaves=20)
CELLS = st.lists(st.fixed_dictionaries(
    {"cell_type": st.sampled_from(["code", "markdown", "raw", 3]),
     "source": st.text() | st.lists(st.text(), max_size=3) | JSON,
     "metadata": st.fixed_dictionaries({"tags": st.lists(st.sampled_from(["skip-grading", "x"]))})
     | JSON}) | JSON, max_size=5)


@settings(max_examples=150, suppress_health_check=list(HealthCheck), deadline=None)
@given(raw=st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode())
       | CELLS.map(lambda cells: json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                            "nbformat_minor": 5}).encode()))
@example(raw=b'{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [3]}')
@example(raw=b'{"nbformat": 4, "nbformat_minor": 5, "metadata": [], "cells": [{"cell_type": '
             b'"code", "source": "%%time", "metadata": {"tags": 5}}]}')
def test_any_bytes_give_a_program_or_one_sentence(raw: bytes) -> None:
    try:
        built = parse(raw, "work.ipynb")
    except NotebookError as error:
        assert "\n" not in str(error) and str(error).endswith((".", "]", "'"))
        return
    assert isinstance(built, Program)
    lines = built.source.count("\n")
    for span in built.spans:
        assert 1 < span.start and span.start + span.length - 1 <= lines


@pytest.mark.parametrize(("source", "stub"), [
    ('def f(x):\n    """Doc."""\n    raise NotImplementedError("write f")\n', True),
    ("def f(x):\n    raise NotImplementedError\n", True),
    ("def g(x):\n    return x\n", True),  # f is not there at all
    ("def f(x):\n    return x\n", False),
    ("f = lambda x: x\n", False),
    ("from mylib import f\n", False),
    ("def f(x):\n    raise NotImplementedError\ndef f(x):\n    return 1\n", False),
    ("def f(x:\n", False),  # a syntax error is graded, so the learner sees it
])
def test_a_file_is_still_the_stub_only_while_it_has_not_begun_the_functions(source, stub) -> None:
    assert still_stub(source, ["f"]) is stub


LINE_TEXT = st.lists(st.sampled_from(list("x=1 (%!?)\n\r\t\x0c\u2028'\"#:\ud800")
                                     + ["pass", "def f():", "    "])).map("".join)


@settings(max_examples=300, deadline=None)
@given(source=LINE_TEXT | st.text())
@example(source='s = "a\u2028b"\n%time 1\n')
@example(source='s = "a\x0cb"\n')
def test_every_cell_keeps_its_line_numbers_and_any_text_can_be_written(source: str, tmp_path_factory
                                                                         ) -> None:
    python = python_of(source)
    if python is None:
        assert source.lstrip().startswith("%%")
        return
    assert len(lines_of(python)) == len(lines_of(source))
    built = program([(7, source)], "n.ipynb")
    if built.spans:
        span = built.spans[0]
        program_lines = lines_of(built.source)
        assert program_lines[span.start - 1:span.start - 1 + span.length] == lines_of(python)
    built.write(tmp_path_factory.mktemp("w") / "p.py")
