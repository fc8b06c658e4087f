"""A class holding every hostile name, link and text of issue 12 beside honest students.

The batch must grade to the end (exit 0 or 1); every student has a row; honest students'
rows equal grading them alone; an item that is a link scores 0 and is named; and no secret
reached through a link appears in any output. The odd names, links and secrets are made
here, in tmp_path: none is committed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import batch_class
from grader.reports.safe_text import file_name, for_csv

ROOT = Path(__file__).resolve().parents[3]
SECRET = "l1lab-secret-5c21"
HONEST = ["ada_correct", "cy_stubs", "Zoë Müller"]
FORGES_INT64_INF = '''
import json, os, struct, sys
import numpy as np


def lasso_fit(X, y, lam):
    return np.zeros(X.shape[1])


def selected_features(w):
    request = sys._getframe(1).f_locals["request"]
    header = {"seq": request["seq"], "ok": True, "type": "ndarray", "dtype": "int64",
              "numeric": True, "shape": [2], "mutated": [], "aliased": None, "nbytes": 16}
    raw = json.dumps(header).encode()
    os.write(int(sys.argv[3]), struct.pack(">I", len(raw)) + raw + np.array([np.inf, 5.0]).tobytes())
    os._exit(0)
'''


def raising(text: str) -> bytes:
    return f"def sign_gradient(w, lam):\n    raise ValueError({text!r})\n".encode()


def build(tmp: Path) -> tuple[Path, dict[bytes, str]]:
    """The class folder, and each student folder's raw name -> what that student is."""
    secrets = tmp / "secrets"
    secrets.mkdir()
    for path in (ROOT / "solutions").glob("exercise*.py"):
        (secrets / path.name).write_text(f"# {SECRET}\n{path.read_text()}")
    root_only = tmp / "root_only.txt"
    root_only.write_text(f"{SECRET}\nB,C,D\n")
    root_only.chmod(0o600)

    folder = tmp / "class"
    batch_class.build(folder, slow=False, only=["ada_correct", "cy_stubs"])
    solution = (ROOT / "solutions" / "exercise1.py").read_bytes()
    files: dict[str, dict[str, bytes]] = {
        "Zoë Müller": {"exercise1.py": solution, "quiz.txt": b"B,C,D\n"},
        "oops_surrogate": {"exercise1.py": raising("oops \udc80")},
        "ansi_bel_nul": {"exercise1.py": raising("\x1b[2J\x1b[H\x07\x00\rScore: 10/10")},
        "é" * 127 + "s": {"exercise1.py": solution},  # 255 bytes
        '=HYPERLINK("evil.example?x=1","10")': {"exercise1.py": solution},
        "@SUM(1+1)": {"exercise1.py": solution},
        "+cmd": {"exercise1.py": solution},
        "-rf": {"exercise1.py": solution},
        "new\nline": {"exercise1.py": solution},
        "forged_frame": {"exercise4.py": FORGES_INT64_INF.encode()},
        "exercises_to_solutions": {},
        "exercise4_to_solution": {"exercise1.py": solution},
        "quiz_to_root_only": {"exercise1.py": solution},
        "fifo": {"exercise1.py": solution},
    }
    for name, contents in files.items():
        (folder / name).mkdir()
        for file, data in contents.items():
            (folder / name / file).write_bytes(data)
    os.mkdir(os.fsencode(folder) + b"/caf\xe9")  # not UTF-8
    (folder / os.fsdecode(b"caf\xe9") / "exercise1.py").write_bytes(solution)
    (folder / "exercises_to_solutions" / "exercises").symlink_to(secrets)
    (folder / "exercise4_to_solution" / "exercise4.py").symlink_to(secrets / "exercise4.py")
    (folder / "quiz_to_root_only" / "quiz.txt").symlink_to(root_only)
    os.mkfifo(folder / "fifo" / "exercise2.py")
    (folder / "folder_link").symlink_to(folder / "ada_correct")
    return folder, {os.fsencode(p.name): p.name for p in folder.iterdir() if p.is_dir()}


def grade_alone(student: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "grader", "all", "--submission", str(student),
                           "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def messages(record: dict, item: str) -> str:
    entry = next(e for e in record["exercises"] if e["name"] == item)
    return "\n".join(c["message"] for c in entry["checks"])


def test_a_hostile_class_grades_to_the_end_and_honest_rows_equal_grading_alone(tmp_path):
    folder, students = build(tmp_path)
    out = tmp_path / "out" / "grades.csv"
    out.parent.mkdir()
    (tmp_path / "tmp").mkdir()
    done = subprocess.run([sys.executable, "-m", "grader", "batch", str(folder), "--out", str(out),
                           "--jobs", "2", "--timeout", "120"], cwd=ROOT, capture_output=True,
                          timeout=900, env={**os.environ, "TMPDIR": str(tmp_path / "tmp")})
    output = (done.stdout + done.stderr).decode("utf-8")  # the summary is valid UTF-8 too
    assert done.returncode in (0, 1), output
    assert "\x1b[2J" not in output and "\x07" not in output

    raw_csv = out.read_bytes()
    text = raw_csv.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    shown = sorted(students.values())
    assert [row["student"] for row in table] == [for_csv(file_name(name)) for name in shown]
    by_name = dict(zip(shown, table))
    records = {}
    for path in out.with_suffix("").glob("*.json"):
        assert len(path.name.encode()) <= 255
        record = json.loads(path.read_bytes().decode("utf-8"))
        records[record["batch"]["student"]] = record
    assert sorted(records) == sorted(file_name(name) for name in shown)
    everything = raw_csv + b"".join(p.read_bytes() for p in out.parent.rglob("*") if p.is_file())
    assert SECRET.encode() not in everything + done.stdout + done.stderr

    # Honest students: exactly what grading them alone gives.
    for name in HONEST:
        alone = grade_alone(folder / name)
        record = dict(records[name])
        record.pop("batch")
        expected = json.loads(json.dumps(alone, ensure_ascii=False).replace(str(folder / name),
                                                                          "submission"))
        assert record == expected, name
        assert by_name[name]["total"] == str(alone["score"])

    # Hostile names: graded, readable, defused.
    for name in ["é" * 127 + "s", '=HYPERLINK("evil.example?x=1","10")', "@SUM(1+1)", "+cmd",
                 "-rf", "new\nline", os.fsdecode(b"caf\xe9")]:
        assert by_name[name]["exercise1"] == "10", name
    assert by_name["new\nline"]["student"] == "new\\nline"
    assert by_name[os.fsdecode(b"caf\xe9")]["student"] == "caf\\xe9"
    assert by_name["+cmd"]["student"] == "'+cmd"

    # Hostile text and frames: the learner's failure, shown safely.
    assert by_name["oops_surrogate"]["status"] == "failed"
    assert "oops \\udc80" in messages(records["oops_surrogate"], "exercise1")
    assert "\\x1b[2J" in messages(records["ansi_bel_nul"], "exercise1")
    forged = messages(records["forged_frame"], "exercise4")
    assert "returned something the grader cannot read" in forged
    assert by_name["forged_frame"]["status"] == "failed"

    # Links score 0 for their item, named; the rest is graded.
    for item in ("exercise1", "exercise2", "exercise3", "exercise4", "quiz"):
        assert by_name["exercises_to_solutions"][item] == "0"
        assert "exercises is a link" in messages(records["exercises_to_solutions"], item)
    assert by_name["exercise4_to_solution"]["exercise4"] == "0"
    assert by_name["exercise4_to_solution"]["exercise1"] == "10"
    assert "exercise4.py is a link" in messages(records["exercise4_to_solution"], "exercise4")
    assert by_name["quiz_to_root_only"]["quiz"] == "0"
    assert "quiz.txt is a link" in messages(records["quiz_to_root_only"], "quiz")
    assert "exercise2.py is not a regular file" in messages(records["fifo"], "exercise2")
    assert by_name["folder_link"]["status"] == "error"
    assert "this folder is a link" in by_name["folder_link"]["message"]
    shutil.rmtree(tmp_path / "tmp", ignore_errors=True)
