"""`grade watch` in a real pseudo-terminal: a save regrades, a pass offers the next exercise."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pexpect
import pytest

from grader.course.stubs import write_stubs

ROOT = Path(__file__).parents[2]
GRADE = str(Path(sys.executable).with_name("grade"))
FOOTER = "Press q to quit."


@pytest.fixture
def watching(tmp_path: Path):
    write_stubs(tmp_path / "exercises")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    child = pexpect.spawn(GRADE, ["watch"], cwd=tmp_path, env=env, encoding="utf-8",
                          timeout=120, dimensions=(40, 120))
    child.expect("Total: 0/55")
    child.expect(FOOTER)
    yield tmp_path / "exercises", child
    child.terminate(force=True)


def save_by_rename(path: Path, source: Path) -> None:
    """Save as vim and VS Code do: write another file, then rename it over the old one."""
    temporary = path.with_name(".exercise.swp")
    shutil.copy(source, temporary)
    os.replace(temporary, path)


def test_a_wrong_save_fails_a_fixed_one_passes_and_q_quits(watching) -> None:
    folder, child = watching
    save_by_rename(folder / "exercise1.py", ROOT / "tests" / "fixtures" / "exercise1" / "wrong_abs.py")
    child.expect(r"Score: 3/10")
    child.expect("Stuck\\? Run: grade hint exercise1")
    child.expect(FOOTER)
    (folder / "exercise1.py").write_text((ROOT / "solutions" / "exercise1.py").read_text())
    child.expect("Score: 10/10")
    child.expect("Next: exercise2 \\(One L1 step that clamps at zero\\). Open exercise2.py")
    child.expect(FOOTER)
    child.send("q")
    child.expect("Stopped watching.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")


def test_ctrl_c_leaves_cleanly(watching) -> None:
    _, child = watching
    child.sendintr()
    child.expect("Stopped watching.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
