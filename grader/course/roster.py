"""`grade batch --roster roster.csv`: who each student is in the LMS, for importing grades back.

The roster is the LMS's own list of students, as it exports it (Canvas: the gradebook
export; Moodle: the assignment's grading worksheet; Gradescope: the roster export), or any
CSV with a header row. A row belongs to a student when one of its cells names them:

- a `student` column equal to the name the gradebook gives them (their folder's name);
- an id column (`ID`, `SID`, `Student ID`, `Identifier`, `SIS User ID`, `User ID`,
  `Username`, `Login`) equal to the id the download carries: Canvas's user id, Moodle's
  participant number (`Participant 12345` counts), the SID in Gradescope's metadata;
- an `Email` column equal to the email in Gradescope's metadata.

The gradebook then starts with every roster column, so importing it back finds the columns
the LMS matches students on; roster students with no submission get a row of their own.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import click

from grader.course.layouts import Layout

ID_COLUMNS = {"id", "sid", "studentid", "identifier", "sisuserid", "userid", "username", "login",
              "sisloginid"}
EMAIL_COLUMNS = {"email", "emailaddress"}
MAX_ROSTER_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Extras:
    """Columns the gradebook adds around its own: the roster's before, the LMS's after."""

    lead: list[str] = field(default_factory=list)
    trail: list[str] = field(default_factory=list)
    cells: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    """Student -> (lead cells, trail cells)."""
    absent: list[list[str]] = field(default_factory=list)
    """The lead cells of roster rows that match no student: they submitted nothing."""
    unmatched: list[str] = field(default_factory=list)
    """Students no roster row names."""


def read_roster(path: Path) -> tuple[list[str], list[list[str]]]:
    """The roster's header and rows; a one-line UsageError if it cannot be used."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_ROSTER_BYTES + 1)
    except OSError as error:
        raise click.UsageError(f"cannot read the roster {path}: {error.strerror}") from None
    if len(data) > MAX_ROSTER_BYTES:
        raise click.UsageError(f"the roster {path} is over 16 MiB; give the LMS's list of students.")
    text = data.decode("utf-8-sig", errors="replace")
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as error:
        raise click.UsageError(f"the roster {path} is not a CSV file ({error}).") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise click.UsageError(f"the roster {path} is empty; give a CSV with a header row.")
    header = [cell.strip() for cell in rows[0]]
    keys = {_key(name) for name in header}
    if not keys & (ID_COLUMNS | EMAIL_COLUMNS | {"student"}):
        raise click.UsageError(f"the roster {path} has no column to match students on: give it "
                               "a student, ID or Email column (see README, Batch grading).")
    width = len(header)
    # Canvas's gradebook export has a "Points Possible" row under its header: not a student.
    body = [row for row in rows[1:] if row[0].strip() != "Points Possible"]
    return header, [(row + [""] * width)[:width] for row in body]


def extras(layout: Layout, roster: tuple[list[str], list[list[str]]] | None) -> Extras:
    """The extra gradebook columns for this layout and roster."""
    trail = ["late"] if layout.kind == "canvas" else []
    trail_cells = {name: [s.info.get("late", "")] if trail else []
                   for name, s in layout.students.items()}
    if roster is None:
        return Extras(trail=trail, cells={n: ([], c) for n, c in trail_cells.items()})
    header, rows = roster
    columns = [_key(name) for name in header]
    by = {"student": {name: name for name in layout.students},
          "id": {s.info["lms_id"]: n for n, s in layout.students.items() if s.info.get("lms_id")},
          "email": {s.info["email"].lower(): n for n, s in layout.students.items() if s.info.get("email")}}
    owner: dict[str, int] = {}
    for index, row in enumerate(rows):
        for column, cell in zip(columns, row):
            kind = "id" if column in ID_COLUMNS else "email" if column in EMAIL_COLUMNS else column
            cell = cell.strip()
            if kind == "id":
                cell = re.sub(r"^participant\s*", "", cell, flags=re.I)  # Moodle's worksheet
            elif kind == "email":
                cell = cell.lower()
            if kind in by and cell in by[kind]:
                owner.setdefault(by[kind][cell], index)
    cells = {name: (rows[owner[name]] if name in owner else [""] * len(header), trail_cells[name])
             for name in layout.students}
    used = set(owner.values())
    return Extras(lead=header, trail=trail, cells=cells,
                  absent=[row for index, row in enumerate(rows) if index not in used],
                  unmatched=[name for name in layout.students if name not in owner])


def _key(column: str) -> str:
    return re.sub(r"[^a-z0-9]", "", column.lower())
