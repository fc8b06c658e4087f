"""The batch's files: one JSON record per student, and the CSV gradebook built from them.

A record is `grade all`'s JSON report (version 1) with one more key, "batch", that says
whose it is, what was graded (a hash of the student's files and of the settings) and how
grading ended. When grading ended without a report (the time limit, a crash), the record is a
report with status "error", no exercises and the reason in "batch".

Student folder names may be any bytes a filesystem allows. A record's "student" is the
name made readable (`safe_text.file_name`), and its file is named so that it always fits:
the name itself when it is plain, else a safe prefix of it plus a hash of its bytes. The CSV
is UTF-8 with a byte-order mark, so Excel reads it as UTF-8 as LibreOffice and pandas do,
and every text cell is `safe_text.for_csv`: no cell is ever run as a formula.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from grader import catalog
from grader.files import write_atomically
from grader.quiz_item import NAME as QUIZ
from grader.course.student_job import JobResult
from grader.reports.safe_text import file_name, for_csv, json_safe, name_bytes
from grader.text import head

if TYPE_CHECKING:
    from grader.course.roster import Extras

FIXED_HEAD = ["student"]
FIXED_TAIL = ["total", "max_total", "status", "message"]
MAX_MESSAGE = 200
OUTCOMES = ("graded", "timed out", "error")
BOM = "\ufeff"
"""Starts the CSV: without it Excel reads UTF-8 as the system's legacy encoding."""
PLAIN_BYTES = 100
"""The longest name kept as is in a record's file name (a file name may have 255 bytes)."""
_PLAIN = re.compile(r"[^./~\\=+@-][^/~\\]*")


def record(student: str, key: str, submission_sha256: str, result: JobResult) -> dict:
    """The JSON record for one student's `result`."""
    report = result.report or {"version": 1, "score": 0, "max_score": 0, "status": "error",
                               "exercises": []}
    return {**report, "batch": {
        "student": file_name(student), "outcome": result.outcome, "key": key,
        "submission_sha256": submission_sha256, "message": result.message,
        "details": result.details, "retry": result.retry,
    }}


def record_path(folder: Path, student: str) -> Path:
    """Where the record of the student folder `student` (a name as `os.listdir` gives it) is."""
    return folder / f"{record_stem(student)}.json"


def record_stem(student: str) -> str:
    """`student` itself if it is a plain name, else a safe prefix of it and a hash of its
    bytes: no two folders share a record, and every record's name fits the filesystem."""
    if _PLAIN.fullmatch(student) and student.isprintable() and \
            len(name_bytes(student)) <= PLAIN_BYTES:  # isprintable: no surrogate escapes
        return student
    prefix = re.sub(r"[^A-Za-z0-9_.-]+", "_", file_name(student))[:40].lstrip("._-")
    return f"{prefix or 'student'}~{hashlib.sha256(name_bytes(student)).hexdigest()[:12]}"


def write_record(folder: Path, data: dict, *, student: str | None = None) -> None:
    """Write `data` as the record of the folder `student` (by default the record's own)."""
    write_atomically(record_path(folder, student or data["batch"]["student"]),
                     json.dumps(json_safe(data), indent=2, ensure_ascii=False) + "\n")


def read_record(folder: Path, student: str) -> dict | None:
    """The student's record, or None when there is none or it cannot be read."""
    try:
        data = json.loads(record_path(folder, student).read_text(encoding="utf-8"))
        batch = data["batch"]
        if (batch["student"] != file_name(student) or not isinstance(data["exercises"], list)
                or batch["outcome"] not in OUTCOMES or type(data["score"]) is not int
                or type(data["max_score"]) is not int):
            return None  # not a record this batch wrote: grade the student again
        return data
    except (OSError, ValueError, KeyError, TypeError):
        return None


def to_csv(records: list[dict], extras: Extras | None = None) -> str:
    """The gradebook: one row per record in the order given, one column per graded item;
    `extras` adds the roster's columns in front, the LMS's at the end (`grader.course.roster`)."""
    items = [e.name for e in catalog.exercises()] + [QUIZ]  # the same columns for any class
    for data in records:
        for entry in data["exercises"]:
            if entry["name"] not in items:
                items.append(entry["name"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    lead, trail = (extras.lead, extras.trail) if extras else ([], [])
    writer.writerow([for_csv(cell) for cell in (*lead, *FIXED_HEAD, *items, *FIXED_TAIL, *trail)])
    for data in records:
        before, after = (extras.cells.get(data["batch"]["student"], ([""] * len(lead), [""] * len(trail)))
                         if extras else ([], []))
        writer.writerow([for_csv(cell) for cell in (*before, *_row(data, items), *after)])
    for before in extras.absent if extras else []:
        row = [*before, "", *([""] * len(items)), "", "", "no submission", "", *([""] * len(trail))]
        writer.writerow([for_csv(cell) for cell in row])
    return BOM + out.getvalue()


def _row(data: dict, items: list[str]) -> list[str]:
    batch = data["batch"]
    if batch["outcome"] != "graded":
        return [batch["student"], *([""] * len(items)), "", "", batch["outcome"],
                _short(batch["message"])]
    scores = {entry["name"]: entry for entry in data["exercises"]}
    cells = [str(scores[name]["score"]) if name in scores else "" for name in items]
    return [batch["student"], *cells, str(data["score"]), str(data["max_score"]),
            data["status"], _short(summary(data))]


def summary(data: dict) -> str:
    """What kept a graded student from full marks, item by item; empty at full marks."""
    parts = []
    for entry in data["exercises"]:
        if entry["status"] == "error":
            parts.append(f"{entry['name']}: the grader failed on a check (see the JSON report)")
        elif entry["status"] != "passed":
            parts.append(f"{entry['name']} {entry['status']} {entry['score']}/{entry['max_score']}")
    return "; ".join(parts)


def _short(text: str) -> str:
    return head(" ".join(text.split()), MAX_MESSAGE)
