"""`grade batch` on LMS downloads: Canvas, Moodle and Gradescope layouts, and --roster."""

from __future__ import annotations

import csv
import io
import os
import string
import subprocess
import sys
import tempfile
from pathlib import Path

import click
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.course.stubs import stub_source
from grader.course.layouts import find_layout
from grader.course.roster import extras, read_roster

ROOT = Path(__file__).resolve().parents[3]
SOLVED = {n: (ROOT / "solutions" / f"{n}.py").read_bytes() for n in ("exercise1", "exercise2")}
WRONG1 = (ROOT / "tests/fixtures/exercise1/wrong_forgot_lam.py").read_bytes()
STUB2 = stub_source("exercise2").encode()  # never exercises/: it may be solved

# Three students as each LMS names them: (folder name, Canvas login, user id, Moodle name,
# participant, files as graded).
STUDENTS = [
    ("ann", "leeann", "340934", "Ann Lee", "101", {"exercise1.py": SOLVED["exercise1"], "quiz.txt": b"B,C,D\n"}),
    ("bob", "smithbob", "340935", "Bob Smith", "102", {"exercise1.py": WRONG1, "exercise2.py": SOLVED["exercise2"]}),
    ("cat", "odonnellcat", "340936", "Cát O'Donnell", "103", {"exercise2.py": STUB2, "quiz.txt": b"A,A,A\n"}),
]


def write(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def as_folders(folder: Path) -> None:
    for name, *_, files in STUDENTS:
        for file, data in files.items():
            write(folder / name / file, data)


def as_canvas(folder: Path) -> None:
    """Bob uploaded exercise1 twice (late the second time): the first, correct, one must lose."""
    for _, login, user, _, _, files in STUDENTS:
        for file, data in files.items():
            write(folder / f"{login}_{user}_{7000 + len(file)}_{file}", data)
    write(folder / "smithbob_340935_6000_exercise1.py", SOLVED["exercise1"])  # older upload
    os.remove(folder / "smithbob_340935_7012_exercise1.py")
    write(folder / "smithbob_340935_6001_exercise1.py", SOLVED["exercise1"])
    write(folder / "smithbob_LATE_340935_7100_exercise1-1.py", WRONG1)  # the latest: wrong
    write(folder / "leeann_340934_7200_notes.txt", "not graded")


def as_moodle(folder: Path) -> None:
    for _, _, _, full_name, participant, files in STUDENTS:
        for file, data in files.items():
            write(folder / f"{full_name}_{participant}_assignsubmission_file_" / file, data)


def as_gradescope(folder: Path) -> None:
    lines = []
    for index, (name, *_, files) in enumerate(STUDENTS):
        for file, data in files.items():
            write(folder / f"submission_{900 + index}" / file, data)
        lines += [f"submission_{900 + index}:", "  :submitters:", f"  - :name: {name.title()}",
                  f"    :sid: '{500 + index}'", f"    :email: {name}@example.edu",
                  "  :status: processed"]
    write(folder / "submission_metadata.yml", "\n".join(lines) + "\n")


def test_a_canvas_download_is_grouped_per_student_latest_resubmission_winning():
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        as_canvas(folder)
        layout = find_layout(folder)
        assert layout.kind == "canvas"
        assert list(layout.students) == ["leeann_340934", "odonnellcat_340936", "smithbob_340935"]
        bob = layout.students["smithbob_340935"]
        assert bob.sources["exercise1.py"] == "smithbob_LATE_340935_7100_exercise1-1.py"
        assert bob.info == {"lms_id": "340935", "name": "smithbob", "late": "yes"}
        assert layout.students["leeann_340934"].info["late"] == "no"
        assert dict(layout.snapshot("smithbob_340935").files)["exercise1.py"] == WRONG1
        assert layout.describe(folder) == (f"{folder}: a Canvas download, 3 students (1 late); "
                                           "2 earlier uploads replaced; 1 other entry ignored.")


def test_a_moodle_download_in_folders_or_flat_and_a_gradescope_export_are_recognised(tmp_path):
    as_moodle(tmp_path / "moodle")
    layout = find_layout(tmp_path / "moodle")
    assert (layout.kind, list(layout.students)) == ("moodle", ["Ann_Lee_101", "Bob_Smith_102", "Cát_O_Donnell_103"])
    assert layout.students["Ann_Lee_101"].info == {"lms_id": "101", "name": "Ann Lee"}
    flat = tmp_path / "flat"
    for _, _, _, full_name, participant, files in STUDENTS:
        for file, data in files.items():
            write(flat / f"{full_name}_{participant}_assignsubmission_file_{file}", data)
    flat_layout = find_layout(flat)
    assert flat_layout.kind == "moodle" and list(flat_layout.students) == list(layout.students)
    for name in layout.students:
        assert flat_layout.snapshot(name).sha256 == layout.snapshot(name).sha256

    as_gradescope(tmp_path / "gs")
    layout = find_layout(tmp_path / "gs")
    assert (layout.kind, list(layout.students)) == ("gradescope", ["submission_900", "submission_901", "submission_902"])
    assert layout.students["submission_901"].info == {"lms_id": "501", "name": "Bob", "email": "bob@example.edu"}


def test_hostile_names_and_links_in_a_download_are_never_followed(tmp_path):
    secret = tmp_path / "secret.py"
    write(secret, "SECRET = 1\n")
    canvas = tmp_path / "canvas"
    write(canvas / "eve_1_1_exercise1.py", "x = 1\n")
    (canvas / "eve_1_2_exercise2.py").symlink_to(secret)
    snapshot = find_layout(canvas).snapshot("eve_1")
    # Named as the download names it, so the instructor finds the link.
    assert snapshot.links == ("eve_1_2_exercise2.py",) and b"SECRET" not in b"".join(d for _, d in snapshot.files)

    moodle = tmp_path / "moodle"
    write(moodle / "Eve_1_assignsubmission_file_" / "x.txt", "")
    (moodle / "Mal_2_assignsubmission_file_").symlink_to(tmp_path)  # a link, not a folder
    assert list(find_layout(moodle).students) == ["Eve_1"]

    gradescope = tmp_path / "gs"
    write(gradescope / "submission_1" / "exercise1.py", "x = 1\n")
    write(gradescope / "submission_metadata.yml", "../secret.py: {}\n/etc: {}\nsubmission_1: {}\n")
    assert list(find_layout(gradescope).students) == ["submission_1"]
    write(gradescope / "submission_metadata.yml", "[unclosed\n")
    with pytest.raises(click.UsageError, match="is not valid YAML"):
        find_layout(gradescope)


NAME_PARTS = st.text(alphabet=string.ascii_letters + "_-.+@=<>'\" 0123456789é", min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(NAME_PARTS, st.sampled_from(["", "_LATE"]), st.integers(0, 10**9),
                          st.sampled_from(["exercise1.py", "exercise2-3.py", "quiz.txt", "x.py"])),
                min_size=1, max_size=6),
       st.sampled_from(["canvas", "moodle"]))
def test_any_file_names_give_safe_student_names(parts, kind):
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        for login, late, number, file in parts:
            name = (f"{login}{late}_{number}_{number + 1}_{file}" if kind == "canvas"
                    else f"{login}_{number}_assignsubmission_file_{file}")
            if len(name.encode()) < 250:
                write(folder / name, b"x = 1\n")
        layout = find_layout(folder)
        for student in layout.students:
            assert "/" not in student and not student.startswith((".", "+", "-", "=", "@"))
            assert 0 < len(student.encode()) <= 120
            assert {n for n, _ in layout.snapshot(student).files} <= {"exercise1.py", "exercise2.py", "quiz.txt"}


def test_a_roster_adds_the_lms_columns_and_a_row_for_who_submitted_nothing(tmp_path):
    as_canvas(tmp_path / "class")
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section\n"
                      "    Points Possible,,,,\n"
                      "\"Lee, Ann\",340934,S1,alee,A\n\"Smith, Bob\",340935,S2,bsmith,A\n"
                      "\"Doe, Dan\",340999,S9,ddoe,B\n")
    found = extras(find_layout(tmp_path / "class"), read_roster(roster))
    assert found.lead == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert found.cells["smithbob_340935"] == (["Smith, Bob", "340935", "S2", "bsmith", "A"], ["yes"])
    assert found.absent == [["Doe, Dan", "340999", "S9", "ddoe", "B"]]
    assert found.unmatched == ["odonnellcat_340936"]
    (tmp_path / "bad.csv").write_text("Name,Score\nAnn,3\n")
    with pytest.raises(click.UsageError, match="no column to match students on"):
        read_roster(tmp_path / "bad.csv")


def grade(folder: Path, out: Path, *args: str) -> tuple[str, list[dict[str, str]]]:
    out.mkdir()
    done = subprocess.run([sys.executable, "-m", "grader", "batch", str(folder), "--out",
                           str(out / "grades.csv"), "--jobs", "2", "--timeout", "120", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stderr, list(csv.DictReader(io.StringIO((out / "grades.csv").read_text(encoding="utf-8-sig"))))


SCORES = ["exercise1", "exercise2", "exercise3", "exercise4", "quiz", "total", "max_total", "status"]


NAMES = {"canvas": ["leeann_340934", "smithbob_340935", "odonnellcat_340936"],
         "moodle": ["Ann_Lee_101", "Bob_Smith_102", "Cát_O_Donnell_103"],
         "gradescope": ["submission_900", "submission_901", "submission_902"]}
"""ann, bob and cat as each layout names them."""


def test_the_same_students_get_the_same_scores_from_every_layout(tmp_path):
    for kind, lay_out in (("folders", as_folders), ("canvas", as_canvas), ("moodle", as_moodle),
                          ("gradescope", as_gradescope)):
        lay_out(tmp_path / kind)
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID,SIS User ID\nAnn,340934,S1\nBob,340935,S2\nCat,340936,S3\nDan,340999,S4\n")
    said, folders = grade(tmp_path / "folders", tmp_path / "out-folders")
    assert "one folder per student, 3 students." in said
    expected = {row["student"]: {k: row[k] for k in SCORES} for row in folders}
    assert list(expected) == ["ann", "bob", "cat"] and len({r["total"] for r in folders}) == 3
    for kind, what in (("canvas", "a Canvas download"), ("moodle", "a Moodle download"),
                       ("gradescope", "a Gradescope export")):
        args = ("--roster", str(roster)) if kind == "canvas" else ()
        said, rows = grade(tmp_path / kind, tmp_path / f"out-{kind}", *args)
        assert f"{tmp_path / kind}: {what}, 3 students" in said
        by_name = {row["student"]: {k: row[k] for k in SCORES} for row in rows if row["student"]}
        assert {folder: by_name[name] for folder, name in zip(expected, NAMES[kind])} == expected, kind
        if kind == "canvas":  # the roster's columns first, then the gradebook's, lateness last
            assert list(rows[0])[:4] == ["Student", "ID", "SIS User ID", "student"]
            assert list(rows[0])[-1] == "late"
            assert [(r["ID"], r["student"], r["late"], r["status"]) for r in rows] == [
                ("340934", "leeann_340934", "no", "failed"), ("340936", "odonnellcat_340936", "no", "failed"),
                ("340935", "smithbob_340935", "yes", "failed"), ("340999", "", "", "no submission")]
