"""The batch's files: one JSON record per student, and the CSV gradebook built from them.

A record is `grade all`'s JSON report (version 1) with one more key, "batch", that says
whose it is, what was graded (a hash of the student's files and of the settings) and how
grading ended. When grading ended without a report (the time limit, a crash), the record is a
report with status "error", no exercises and the reason in "batch".
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from grader import catalog
from grader.files import write_atomically
from grader.quiz_item import NAME as QUIZ
from grader.course.student_job import JobResult
from grader.text import head

if TYPE_CHECKING:
    from grader.course.roster import Extras

FIXED_HEAD = ["student"]
FIXED_TAIL = ["total", "max_total", "status", "message"]
MAX_MESSAGE = 200
OUTCOMES = ("graded", "timed out", "error")


def record(student: str, key: str, submission_sha256: str, result: JobResult) -> dict:
    """The JSON record for one student's `result`."""
    report = result.report or {"version": 1, "score": 0, "max_score": 0, "status": "error",
                               "exercises": []}
    return {**report, "batch": {
        "student": student, "outcome": result.outcome, "key": key,
        "submission_sha256": submission_sha256, "message": result.message,
        "details": result.details, "retry": result.retry,
    }}


def record_path(folder: Path, student: str) -> Path:
    return folder / f"{student}.json"


def write_record(folder: Path, data: dict) -> None:
    write_atomically(record_path(folder, data["batch"]["student"]),
                     json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def read_record(folder: Path, student: str) -> dict | None:
    """The student's record, or None when there is none or it cannot be read."""
    try:
        data = json.loads(record_path(folder, student).read_text(encoding="utf-8"))
        batch = data["batch"]
        if (batch["student"] != student or not isinstance(data["exercises"], list)
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
    writer.writerow([*lead, *FIXED_HEAD, *items, *FIXED_TAIL, *trail])
    for data in records:
        before, after = (extras.cells.get(data["batch"]["student"], ([""] * len(lead), [""] * len(trail)))
                         if extras else ([], []))
        writer.writerow([*before, *_row(data, items), *after])
    for before in extras.absent if extras else []:
        writer.writerow([*before, "", *([""] * len(items)), "", "", "no submission", "", *([""] * len(trail))])
    return out.getvalue()


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
