"""How a class's submissions are laid out on disk, as downloaded: which files are whose.

`grade batch` grades a folder in one of these layouts (`find_layout` tells which):

- "folders": one folder per student, holding `exerciseN.py` and `quiz.txt` (or `exercises/`).
- "canvas": Canvas's "Download submissions": flat files named
  `LOGIN[_LATE]_USERID_FILEID_NAME`, where NAME is the uploaded name, with `-N` before the
  extension when the student uploaded that name again (`exercise1-2.py`). For each graded
  file the highest N wins, then the highest FILEID; a student is late if a file that won is.
- "moodle": Moodle's "Download all submissions": a folder per student named
  `FULL NAME_PARTICIPANT_assignsubmission_file_`, or flat files with that prefix.
- "gradescope": Gradescope's "Export submissions": `submission_metadata.yml` mapping each
  `submission_ID` folder to its submitters.

File names are the students' and hostile: a name is only ever matched, never joined into a
path beyond the class folder and one real (not linked) folder level, and files are read
through `take_snapshot`, which follows no link.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import click

from grader.course.snapshot import Snapshot, graded_names, take_snapshot

CANVAS = re.compile(r"(?P<login>[^_/]+?)(?P<late>_LATE)?_(?P<user>\d+)_(?P<file_id>\d+)_(?P<name>.+)")
MOODLE = re.compile(r"(?P<full_name>.+)_(?P<participant>\d+)_assignsubmission_file_(?P<name>.*)")
RESUBMITTED = re.compile(r"(?P<stem>.+)-(?P<n>\d{1,6})(?P<suffix>\.[^.]+)")
GRADESCOPE_METADATA = "submission_metadata.yml"


@dataclass(frozen=True)
class Student:
    """One student's graded files and what the download says about them."""

    folder: Path
    sources: dict[str, str]
    """Graded name (`exercise1.py`) -> its path relative to `folder`."""
    info: dict[str, str] = field(default_factory=dict)
    """What the LMS says: `lms_id`, `name`, `email`, `late` ("yes" or "no")."""


@dataclass(frozen=True)
class Layout:
    kind: str
    """"folders", "canvas", "moodle" or "gradescope"."""
    students: dict[str, Student]
    """By the name the gradebook and the records use, sorted."""
    ignored: int = 0
    """Entries of the class folder that belong to no student."""
    replaced: int = 0
    """Files a later upload of the same name replaced (Canvas)."""

    def snapshot(self, student: str) -> Snapshot:
        found = self.students[student]
        return take_snapshot(found.folder, found.sources)

    def describe(self, folder: Path) -> str:
        """One line: the layout found, for the batch to print."""
        what = {"folders": "one folder per student", "canvas": "a Canvas download",
                "moodle": "a Moodle download", "gradescope": "a Gradescope export"}[self.kind]
        count = len(self.students)
        text = f"{folder}: {what}, {count} student{'' if count == 1 else 's'}"
        late = sum(s.info.get("late") == "yes" for s in self.students.values())
        if self.kind == "canvas":
            text += f" ({late} late)"
        if self.replaced:
            text += f"; {self.replaced} earlier upload{'' if self.replaced == 1 else 's'} replaced"
        if self.ignored:
            text += f"; {self.ignored} other entr{'y' if self.ignored == 1 else 'ies'} ignored"
        return text + "."


def find_layout(folder: Path, *, skip: Path | None = None) -> Layout:
    """The layout of `folder`; per-student folders unless an LMS's files are found."""
    entries = [e for e in _entries(folder) if skip is None or (folder / e).resolve() != skip.resolve()]
    if GRADESCOPE_METADATA in entries:
        return _gradescope(folder, entries)
    # Links and special files count as files, so that the snapshot names them, never reads them.
    folders = [e for e in entries if _is(folder / e, stat.S_ISDIR)]
    files = [e for e in entries if e not in folders]
    if any(_canvas_file(name) for name in files):
        return _canvas(folder, entries, files)
    if any(MOODLE.fullmatch(name) for name in files + folders):
        return _moodle(folder, entries, files, folders)
    return Layout("folders", {name: Student(folder / name, {n: n for n in graded_names()})
                              for name in _student_folders(folder, entries)})


def _canvas_file(name: str) -> tuple[str, int, str] | None:
    """(graded name, resubmission number, the match) for a Canvas file of a graded name."""
    found = CANVAS.fullmatch(name)
    if found is None:
        return None
    original, again = found["name"], 0
    if (resubmitted := RESUBMITTED.fullmatch(original)) is not None:
        original, again = resubmitted["stem"] + resubmitted["suffix"], int(resubmitted["n"])
    top = {n for n in graded_names() if "/" not in n}
    return (original, again, found) if original in top else None


def _canvas(folder: Path, entries: list[str], files: list[str]) -> Layout:
    best: dict[str, dict[str, tuple[tuple[int, int], str, bool]]] = {}
    info: dict[str, dict[str, str]] = {}
    names: dict[tuple[str, str], str] = {}
    used = 0
    for name in files:
        if (parsed := _canvas_file(name)) is None:
            continue
        original, again, found = parsed
        key = (found["login"], found["user"])
        student = names.setdefault(key, _safe(f"{found['login']}_{found['user']}", best))
        rank = (again, int(found["file_id"]))
        chosen = best.setdefault(student, {})
        if original not in chosen or rank > chosen[original][0]:
            chosen[original] = (rank, name, bool(found["late"]))
        info.setdefault(student, {"lms_id": found["user"], "name": found["login"]})
        used += 1
    students = {}
    for student in sorted(best):
        late = any(is_late for _, _, is_late in best[student].values())
        students[student] = Student(folder, {o: n for o, (_, n, _) in sorted(best[student].items())},
                                    {**info[student], "late": "yes" if late else "no"})
    chosen = sum(len(s.sources) for s in students.values())
    return Layout("canvas", students, ignored=len(entries) - used, replaced=used - chosen)


def _moodle(folder: Path, entries: list[str], files: list[str], folders: list[str]) -> Layout:
    sources: dict[str, dict[str, str]] = {}
    info: dict[str, dict[str, str]] = {}
    names: dict[tuple[str, str], str] = {}
    used = 0
    top = {n for n in graded_names() if "/" not in n}
    for name in folders + files:
        found = MOODLE.fullmatch(name)
        is_folder = name in folders
        if found is None or (found["name"] if is_folder else found["name"] not in top):
            continue
        key = (found["full_name"], found["participant"])
        if key not in names:
            names[key] = _safe(f"{found['full_name']}_{found['participant']}", sources)
            sources[names[key]] = {}
        student = names[key]
        if is_folder:
            sources[student].update({n: f"{name}/{n}" for n in graded_names()})
        else:
            sources[student][found["name"]] = name
        info[student] = {"lms_id": found["participant"], "name": found["full_name"]}
        used += 1
    students = {s: Student(folder, sources[s], info[s]) for s in sorted(sources)}
    return Layout("moodle", students, ignored=len(entries) - used)


def _gradescope(folder: Path, entries: list[str]) -> Layout:
    metadata = _read_metadata(folder / GRADESCOPE_METADATA)
    students, used = {}, 1
    for key, entry in sorted(metadata.items(), key=lambda item: str(item[0])):
        if not isinstance(key, str) or key not in entries or not _is(folder / key, stat.S_ISDIR):
            continue
        submitters = _field(entry, "submitters")
        first = submitters[0] if isinstance(submitters, list) and submitters else {}
        info = {"lms_id": _text(_field(first, "sid")), "name": _text(_field(first, "name")),
                "email": _text(_field(first, "email"))}
        students[_safe(key, students)] = Student(folder / key, {n: n for n in graded_names()}, info)
        used += 1
    return Layout("gradescope", students, ignored=len(entries) - used)


def _field(entry: object, name: str) -> object:
    """`entry[":name"]` (Gradescope writes Ruby symbols) or `entry["name"]`, else None."""
    if not isinstance(entry, dict):
        return None
    return entry.get(f":{name}", entry.get(name))


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value)[:200]


def _read_metadata(path: Path) -> dict:
    try:
        import yaml
    except ImportError:
        raise click.UsageError(f"{path.parent} is a Gradescope export; reading its "
                               f"{GRADESCOPE_METADATA} needs PyYAML: pip install 'l1lab[report]'") from None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise OSError(0, "not a regular file")
            data = yaml.safe_load(handle.read(64 * 1024 * 1024))
    except OSError as error:
        raise click.UsageError(f"cannot read {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise click.UsageError(f"{path} is not valid YAML ({type(error).__name__}); "
                               "download the export again from Gradescope.") from None
    if not isinstance(data, dict):
        raise click.UsageError(f"{path} does not map submission folders to students; "
                               "download the export again from Gradescope.")
    return data


def _student_folders(folder: Path, entries: list[str]) -> list[str]:
    """The per-student folders: every folder but hidden ones, as the batch always took them."""
    graded = [name for name in graded_names() if "/" not in name and name in entries]
    if graded:
        raise click.UsageError(f"{folder} holds {graded[0]} itself, so it looks like one "
                               "student's folder: give grade batch the folder that holds one "
                               "folder per student (or grade this one with grade all --submission).")
    return sorted(e for e in entries if not e.startswith(".") and (folder / e).is_dir())


def _entries(folder: Path) -> list[str]:
    """Every name in `folder`, as `os.listdir` gives it: a name that is not UTF-8 keeps its
    bytes as surrogate escapes, and records and the CSV show it readably."""
    return sorted(os.listdir(folder))


def _is(path: Path, kind) -> bool:
    """Whether `path` itself (not what a link points to) is of `kind` (stat.S_ISREG, S_ISDIR)."""
    try:
        return kind(os.lstat(path).st_mode)
    except OSError:
        return False


def _safe(name: str, taken: dict) -> str:
    """A student name that is safe as a file name (no separators, no leading dot, at most
    120 bytes), and in a CSV cell (no leading + - = @, which spreadsheets read as a
    formula), and not in `taken`."""
    name = re.sub(r"[^\w.@+-]+", "_", name).lstrip(".+-=@") or "_"
    while len(name.encode("utf-8")) > 120:
        name = name[:-1]
    unique, n = name, 1
    while unique in taken:
        n += 1
        unique = f"{name}~{n}"
    return unique
