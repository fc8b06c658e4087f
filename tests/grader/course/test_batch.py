"""`grade batch`: a class of 25 students, killed mid-run and resumed, against grading alone."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

import batch_class
from grader.course.stubs import stub_source
from grader.course import gradebook
from grader.cli import main
from grader.course.snapshot import take_snapshot
from grader.course.student_job import JobResult, grade_snapshot

ROOT = Path(__file__).resolve().parents[3]
TIMEOUT = "60"
"""Far above any real student's time even on a busy machine; only zed's endless loop hits a limit."""


def batch(folder: Path, out: Path, tmp: Path, *args: str) -> subprocess.Popen:
    """Start `grade batch` as its own process, with its temporary files under `tmp`."""
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmp)}
    return subprocess.Popen([sys.executable, "-m", "grader", "batch", str(folder), "--out", str(out),
                             "--jobs", "2", "--timeout", TIMEOUT, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def records(reports: Path) -> dict[str, tuple[int, int]]:
    """Each finished record's identity on disk: (inode, mtime), which change when rewritten."""
    found = {}
    for path in reports.iterdir():
        if path.name.startswith("."):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))  # never half a file
        assert data["batch"]["student"] == path.stem
        found[path.stem] = (path.stat().st_ino, path.stat().st_mtime_ns)
    return found


def processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if text in command:
                found.append(command)
    return found


def wait_until_no_process_mentions(text: str, seconds: float = 10.0) -> list[str]:
    deadline = time.monotonic() + seconds
    while (left := processes_mentioning(text)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def grade_alone(student: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "grader", "all", "--submission", str(student),
                           "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def rows(csv_text: str) -> list[dict[str, str]]:
    assert csv_text.startswith("\ufeff")  # the byte-order mark Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(csv_text.removeprefix("\ufeff"))))


def test_a_class_killed_mid_run_resumes_and_matches_grading_each_student_alone(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out" / "grades.csv"
    out.parent.mkdir()
    names = batch_class.build(folder, slow=False)
    assert len(names) >= 20
    reports = out.with_suffix("")

    with ThreadPoolExecutor(max_workers=1) as pool:  # grade alone, meanwhile, for comparison
        alone_future = pool.submit(lambda: {n: grade_alone(folder / n) for n in names})

        first = batch(folder, out, tmp_path / "tmp1")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and first.poll() is None:
            if reports.is_dir() and len([p for p in reports.glob("*.json")]) >= 4:
                break
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.communicate()
        before = records(reports)
        assert 4 <= len(before) < len(names), "the batch should be killed part way through"
        assert wait_until_no_process_mentions(str(tmp_path / "tmp1")) == [], \
            "grading processes outlived the killed batch"

        second = batch(folder, out, tmp_path / "tmp2")
        _, stderr = second.communicate(timeout=300)
        alone = alone_future.result()
    assert "Grading" in stderr and f"{len(before)} kept from an earlier run" in stderr
    after = records(reports)
    assert sorted(after) == names
    assert {n: after[n] for n in before} == before, "students graded before the kill were regraded"
    assert not [p for p in reports.iterdir() if p.name.endswith(".tmp")]

    table = rows(out.read_text(encoding="utf-8"))
    assert [row["student"] for row in table] == names  # each once, sorted
    # 1 when some student's grading failed or timed out (to look at), else 0
    code = 1 if any(row["status"] in ("error", "timed out") for row in table) else 0
    assert second.returncode == code, stderr
    special = next(row for row in table if row["student"] == "xia_special_files")
    # A FIFO and a link to /dev/zero: never read, each scores 0 for its item, named.
    assert special["status"] == "failed" and special["exercise2"] == special["exercise3"] == "0"
    assert special["exercise1"] == "10"
    for row in table:
        report = alone[row["student"]]
        items = {entry["name"]: entry for entry in report["exercises"]}
        assert list(row)[1:1 + len(items)] == list(items)
        assert {name: int(row[name]) for name in items} == \
            {name: entry["score"] for name, entry in items.items()}, row["student"]
        assert (int(row["total"]), int(row["max_total"])) == (report["score"], report["max_score"])
        assert row["status"] == report["status"]
    differ = set()  # every message too, word for word (paths are the record's own)
    for name in names:
        record = json.loads((reports / f"{name}.json").read_text(encoding="utf-8"))
        if record.pop("batch")["outcome"] == "graded":
            expected = json.loads(json.dumps(alone[name]).replace(str(folder / name), "submission"))
            if record != expected:
                differ.add(name)
    assert differ == set(), differ
    by_name = {row["student"]: row for row in table}
    assert by_name["ada_correct"]["exercise1"] == by_name["ada_correct"]["exercise3"] == "10"

    # Run again: nothing is regraded and the CSV is byte for byte the same.
    csv_before = out.read_bytes()
    third = batch(folder, out, tmp_path / "tmp3")
    _, stderr = third.communicate(timeout=120)
    assert third.returncode == code and f"{len(names)} kept from an earlier run" in stderr
    assert out.read_bytes() == csv_before and records(reports) == after

    # Change one student's file: only that student is graded again.
    (folder / "ada_correct" / "exercise1.py").write_text(stub_source("exercise1"))
    fourth = batch(folder, out, tmp_path / "tmp4")
    _, stderr = fourth.communicate(timeout=120)
    assert fourth.returncode == code, stderr
    changed = {n for n, identity in records(reports).items() if after[n] != identity}
    assert changed == {"ada_correct"}
    assert rows(out.read_text(encoding="utf-8"))[0]["exercise1"] == "0"

    # A student the batch itself failed (its grading server was lost, say) is graded again
    # by the next run of the same command; nobody else is.
    lost = reports / f"{names[1]}.json"
    data = json.loads(lost.read_text(encoding="utf-8"))
    data["batch"].update(outcome="error", retry=True, message="the grading server stopped")
    lost.write_text(json.dumps(data), encoding="utf-8")
    before_fifth = records(reports)
    fifth = batch(folder, out, tmp_path / "tmp5")
    _, stderr = fifth.communicate(timeout=120)
    assert fifth.returncode == code, stderr
    assert {n for n, identity in records(reports).items() if before_fifth[n] != identity} == {names[1]}
    assert json.loads(lost.read_text(encoding="utf-8"))["batch"]["outcome"] == "graded"


def test_a_student_past_the_time_limit_is_stopped_and_the_others_still_graded(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "grades.csv"
    batch_class.build(folder, only=[batch_class.SLOW_STUDENT, "cy_stubs"])
    started = time.monotonic()
    run = batch(folder, out, tmp_path / "tmp", "--timeout", "6")
    _, stderr = run.communicate(timeout=120)
    assert run.returncode == 1, stderr  # 1: some student was not graded
    assert time.monotonic() - started < 40
    table = {row["student"]: row for row in rows(out.read_text(encoding="utf-8"))}
    slow = table[batch_class.SLOW_STUDENT]
    assert slow["status"] == "timed out" and slow["total"] == "" and "6 s" in slow["message"]
    assert table["cy_stubs"]["status"] == "failed" and table["cy_stubs"]["total"] == "0"
    assert wait_until_no_process_mentions(str(tmp_path / "tmp")) == []


@pytest.mark.parametrize("args, message", [
    (["missing", "--out", "g.csv"], "does not exist"),
    (["afile", "--out", "g.csv"], "is a file"),
    (["class", "--out", "nowhere/g.csv"], "does not exist"),
    (["class", "--out", "g.csv", "--jobs", "0"], "--jobs"),
    (["class"], "--out"),
    (["class", "--out", "g.csv", "--timeout", "nan"], "must be a number of seconds"),
    (["class", "--out", "g.csv", "--timeout", "inf"], "--timeout"),
])
def test_bad_input_is_one_line_and_exit_code_2(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "class").mkdir()
    (tmp_path / "afile").write_text("")
    result = CliRunner().invoke(main, ["batch", *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_a_second_batch_on_the_same_gradebook_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "class").mkdir()
    (tmp_path / "grades").mkdir()
    with open(tmp_path / "grades" / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = CliRunner().invoke(main, ["batch", "class", "--out", "grades.csv"])
    assert result.exit_code == 2 and "another `grade batch`" in result.output


def test_an_empty_class_writes_a_header_only_gradebook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "class").mkdir()
    result = CliRunner().invoke(main, ["batch", "class", "--out", "grades.csv"])
    assert result.exit_code == 0, result.output
    assert "class holds no student folders" in result.output
    assert (tmp_path / "grades.csv").read_text(encoding="utf-8") == (
        "\ufeffstudent,exercise1,exercise2,exercise3,exercise4,quiz,total,max_total,status,message\n")


def test_the_snapshot_names_special_files_skips_others_and_hashes_contents(tmp_path):
    batch_class.build(tmp_path, slow=False, only=["xia_special_files", "vic_big_and_hidden"])
    special = take_snapshot(tmp_path / "xia_special_files")
    assert [name for name, _ in special.files] == ["exercise1.py"]
    assert special.not_regular == ("exercise2.py",) and special.links == ("exercise3.py",)
    big = take_snapshot(tmp_path / "vic_big_and_hidden")
    assert [name for name, _ in big.files] == ["exercise1.py", "exercise2.py", "exercise3.py"]
    before = big.sha256
    assert take_snapshot(tmp_path / "vic_big_and_hidden").sha256 == before
    (tmp_path / "vic_big_and_hidden" / "data.bin").write_text("not graded\n")
    assert take_snapshot(tmp_path / "vic_big_and_hidden").sha256 == before
    (tmp_path / "vic_big_and_hidden" / "exercise2.py").write_text("# changed\n")
    assert take_snapshot(tmp_path / "vic_big_and_hidden").sha256 != before


def test_other_files_never_crowd_out_the_graded_ones(tmp_path):
    student = tmp_path / "many_files" / "exercises"
    (student / "data").mkdir(parents=True)
    for number in range(600):
        (student / "data" / f"{number:03d}.csv").write_text("1,2\n")
    (student / "aaa.bin").write_bytes(b"\0" * (20 * 1024 * 1024))
    for path in sorted((ROOT / "solutions").glob("exercise*.py")):
        (student / path.name).write_bytes(path.read_bytes())
    (student / "quiz.txt").write_text("B\nC\nD\n")
    snapshot = take_snapshot(tmp_path / "many_files")
    assert [name for name, _ in snapshot.files] == [
        "exercises/exercise1.py", "exercises/exercise2.py", "exercises/exercise3.py",
        "exercises/exercise4.py", "exercises/quiz.txt"]


def test_a_graded_file_too_big_to_read_is_named_not_silently_dropped(tmp_path):
    (tmp_path / "exercise1.py").write_bytes(b"#" * (2 * 1024 * 1024))
    snapshot = take_snapshot(tmp_path)
    assert snapshot.too_big == ("exercise1.py",) and snapshot.files == ()
    result = grade_snapshot(snapshot, timeout=60, memory_mb=1024)
    assert result.outcome == "error" and "exercise1.py is larger than 1 MiB" in result.message


def test_the_gradebook_quotes_messages_and_leaves_ungraded_cells_empty():
    report = {"version": 1, "score": 3, "max_score": 4, "status": "failed", "exercises": [
        {"name": "exercise1", "score": 3, "max_score": 3, "status": "passed", "checks": []},
        {"name": "quiz", "score": 0, "max_score": 1, "status": "not started", "checks": []}]}
    graded = gradebook.record("b, \"the\" student", "k", "h", JobResult("graded", report=report))
    stopped = gradebook.record("a", "k", "h", JobResult("timed out", message="took\nlonger, sorry"))
    text = gradebook.to_csv([stopped, graded])
    empty = {"exercise2": "", "exercise3": "", "exercise4": ""}  # not in this report: empty
    assert rows(text) == [
        {"student": "a", "exercise1": "", **empty, "quiz": "", "total": "", "max_total": "",
         "status": "timed out", "message": "took longer, sorry"},
        {"student": "b, \"the\" student", "exercise1": "3", **empty, "quiz": "0", "total": "3",
         "max_total": "4", "status": "failed", "message": "quiz not started 0/1"},
    ]
    assert gradebook.to_csv([stopped, graded]) == text


def test_kill_stops_the_batch_like_ctrl_c_and_leaves_nothing_behind(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "grades.csv"
    names = batch_class.build(folder, slow=False)
    run = batch(folder, out, tmp_path / "tmp")
    reports = out.with_suffix("")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(reports.glob("*.json"))) < 2:
        time.sleep(0.05)
    run.terminate()
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    graded = len(list(reports.glob("*.json")))
    assert 2 <= graded < len(names)
    assert f"Stopped with {graded} of {len(names)} students graded" in stderr
    assert "Run the same command again" in stderr and "Traceback" not in stderr
    assert len(rows(out.read_text(encoding="utf-8"))) == graded
    assert wait_until_no_process_mentions(str(tmp_path / "tmp")) == []
    assert list((tmp_path / "tmp").iterdir()) == []  # no copy of any student's files left


def test_a_single_students_folder_given_as_the_class_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ada" / "data").mkdir(parents=True)
    (tmp_path / "ada" / "exercise1.py").write_text("x = 1\n")
    result = CliRunner().invoke(main, ["batch", "ada", "--out", "grades.csv"])
    assert result.exit_code == 2 and "looks like one student's folder" in result.output
    assert not (tmp_path / "grades.csv").exists()


def test_a_batch_stopped_while_its_grading_server_starts_still_says_how_to_resume(tmp_path):
    folder, out = tmp_path / "class", tmp_path / "grades.csv"
    names = batch_class.build(folder, slow=False, only=["ada_correct", "cy_stubs"])
    run = batch(folder, out, tmp_path / "tmp")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not processes_mentioning(
            f"grader.course._grading_server {run.pid}"):
        time.sleep(0.01)
    run.terminate()
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    assert f"Stopped with 0 of {len(names)} students graded" in stderr
    assert wait_until_no_process_mentions(f"grader.course._grading_server {run.pid}") == []


def test_a_record_that_is_not_the_batchs_own_is_not_trusted(tmp_path):
    report = {"version": 1, "score": 3, "max_score": 4, "status": "failed", "exercises": []}
    data = gradebook.record("ada", "k", "h", JobResult("graded", report=report))
    gradebook.write_record(tmp_path, data)
    assert gradebook.read_record(tmp_path, "ada") == data
    for change in ({"score": "x"}, {"batch": {**data["batch"], "outcome": 7}}):
        gradebook.write_record(tmp_path, {**data, **change})
        assert gradebook.read_record(tmp_path, "ada") is None
