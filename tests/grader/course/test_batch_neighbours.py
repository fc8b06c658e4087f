"""A hog beside honest students: `grade batch --jobs 2` with one student whose code burns
every CPU it can reach (dozens of setsid busy loops at import and in every call) and three
honest students. Each honest record is exactly the report they get graded alone; the hog
is stopped by its own CPU time and leaves nothing running.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
HOG = '''import os


def burn(*args):
    """Dozens of busy loops in sessions of their own, and this one too."""
    for _ in range(24):
        try:
            if os.fork() == 0:
                os.setsid()
                while True:
                    pass
        except OSError:
            break
    while True:
        pass


burn_at_import = os.fork()
if burn_at_import == 0:
    burn()
sign_gradient = clamped_update = elastic_net_loss = lasso_fit = selected_features = burn
'''
HONEST = {
    "ana_correct": {n: (ROOT / "solutions" / f"{n}.py").read_bytes()
                    for n in ("exercise1", "exercise2", "exercise3", "exercise4")},
    "bo_mixed": {"exercise1": (FIXTURES / "exercise1" / "correct_copysign.py").read_bytes(),
                 "exercise2": (FIXTURES / "exercise2" / "wrong_old_sign.py").read_bytes(),
                 "exercise3": (FIXTURES / "exercise3" / "correct_einsum_float.py").read_bytes(),
                 "exercise4": (FIXTURES / "exercise4" / "correct_fista.py").read_bytes()},
    "cy_wrong_capstone": {"exercise4": (FIXTURES / "exercise4" / "wrong_half_lam.py").read_bytes()},
}
TIMEOUT = "20"
"""CPU seconds per student: several times what an honest one needs, and the hog's end."""


def grade_alone(student: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "grader", "all", "--submission", str(student),
                           "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def running_under(folder: Path) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if str(folder).encode() in command and state != b"Z":
            found.append(command.replace(b"\0", b" ").decode(errors="replace"))
    return found


def test_a_hog_changes_no_honest_students_record(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "grades.csv"
    for name, files in {"aaa_hog": {n: HOG.encode() for n in ("exercise1", "exercise2",
                                                              "exercise3", "exercise4")},
                        **HONEST}.items():
        (folder / name).mkdir(parents=True)
        for exercise, data in files.items():
            (folder / name / f"{exercise}.py").write_bytes(data)
        (folder / name / "quiz.txt").write_text("B\nC\nA\n")
    alone = {name: grade_alone(folder / name) for name in HONEST}

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    done = subprocess.run([sys.executable, "-m", "grader", "batch", str(folder), "--out",
                           str(out), "--jobs", "2", "--timeout", TIMEOUT], cwd=ROOT,
                          env={**os.environ, "TMPDIR": str(scratch)}, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode in (0, 1), done.stderr
    for name, report in alone.items():
        record = json.loads((out.with_suffix("") / f"{name}.json").read_text(encoding="utf-8"))
        assert record.pop("batch")["outcome"] == "graded", name
        expected = json.loads(json.dumps(report).replace(str(folder / name), "submission"))
        assert record == expected, f"{name} was graded differently beside the hog"
    hog = json.loads((out.with_suffix("") / "aaa_hog.json").read_text(encoding="utf-8"))
    assert hog["score"] == 0
    assert running_under(folder) == [] and running_under(scratch) == []
