"""`from grader import check; check("exercise2")` in a real notebook, run by a real kernel.

The notebook is executed by nbclient with an ipykernel kernel of this very interpreter (the
test asserts it), and what check() reports must be what `grade exercise2` reports on the
same code in a `.py` file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
from nbformat.v4 import new_code_cell, new_notebook  # noqa: E402

ROOT = Path(__file__).parents[2]
CORRECT = (ROOT / "solutions" / "exercise2.py").read_text(encoding="utf-8")
WRONG = (ROOT / "tests" / "fixtures" / "exercise2" / "wrong_old_sign.py").read_text(encoding="utf-8")
SUMMARY = ("import json\nprint(json.dumps({'score': result.score, 'max_score': result.max_score, "
           "'checks': [[c.name, c.status.value, c.score, c.message] for c in result.checks]}))")


def grade_file(tmp_path: Path, name: str, source: str) -> dict:
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "grader", "exercise2", "--submission", str(path),
                           "--format", "json"], capture_output=True, text=True, cwd=tmp_path,
                          timeout=300)
    exercise = json.loads(done.stdout)["exercises"][0]
    return {"score": exercise["score"], "max_score": exercise["max_score"],
            "checks": [[c["name"], c["status"], c["score"], c["message"]]
                       for c in exercise["checks"]]}


def outputs(cell) -> dict[str, str]:
    found = {}
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            found["stdout"] = found.get("stdout", "") + output["text"]
        elif output["output_type"] in ("execute_result", "display_data"):
            found.update(output["data"])
        elif output["output_type"] == "error":
            found["error"] = f"{output['ename']}: {output['evalue']}"
    return found


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory):
    """One notebook, checked twice in place: with a correct function, then with a wrong one."""
    folder = tmp_path_factory.mktemp("notebook")
    cells = [
        new_code_cell("import sys\nprint(sys.executable)"),
        new_code_cell("from grader import check"),
        new_code_cell(CORRECT),
        new_code_cell("result = check('exercise2')\nresult"),
        new_code_cell(SUMMARY),
        new_code_cell(WRONG),
        new_code_cell("result = check('exercise2')\nresult"),
        new_code_cell(SUMMARY),
        new_code_cell("print(result)"),
        new_code_cell("def clamped_update(w, grad, lr, lam):\n    v = w - lr * grad\n"
                      "    raise ValueError('not yet')\n"),
        new_code_cell("check('exercise2')"),
    ]
    notebook = new_notebook(cells=cells)
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(folder)}}).execute()
    return notebook, folder


def test_the_kernel_is_this_interpreter(executed) -> None:
    notebook, _ = executed
    assert outputs(notebook.cells[0])["stdout"].strip() == sys.executable


@pytest.mark.parametrize(("summary_cell", "source"), [(4, CORRECT), (7, WRONG)],
                         ids=["correct", "wrong"])
def test_check_in_place_scores_as_grade_on_the_same_code_in_a_file(executed, tmp_path, summary_cell,
                                                                   source) -> None:
    notebook, _ = executed
    in_notebook = json.loads(outputs(notebook.cells[summary_cell])["stdout"])
    assert in_notebook == grade_file(tmp_path, "same_code", source)
    assert (in_notebook["score"] == in_notebook["max_score"]) is (source is CORRECT)


def test_the_result_shows_as_html_in_jupyter_and_as_text_elsewhere(executed) -> None:
    notebook, _ = executed
    wrong = outputs(notebook.cells[6])
    html = wrong["text/html"]
    assert "✗" in html and "✓" in html and "Score: " in html
    assert "called clamped_update(w=[0.0], grad=[0.5], lr=1.0, lam=1.0), got [-0.5], " \
           "expected [0.0]" in html
    assert "Hint: " in html and "<script" not in html
    text = outputs(notebook.cells[8])["stdout"]
    assert "exercise2: One L1 step that clamps at zero" in text and "\x1b[" not in text
    assert "Score: " in text


def test_an_exception_names_the_cell_as_jupyter_numbers_it(executed) -> None:
    notebook, _ = executed
    number = notebook.cells[9].execution_count
    html = outputs(notebook.cells[10])["text/html"]
    assert f"it raised ValueError: not yet (In [{number}], line 3: raise ValueError(&#x27;not " \
           "yet&#x27;))" in html


def test_checking_leaves_nothing_beside_the_notebook(executed) -> None:
    _, folder = executed
    assert sorted(p.name for p in folder.iterdir()) == []


def test_an_unknown_exercise_is_one_sentence() -> None:
    from grader import check
    with pytest.raises(ValueError, match=r"^There is no exercise 'exercise9'; the exercises are "
                                         r"exercise1, exercise2, exercise3, exercise4\.$"):
        check("exercise9")
