"""Every writer's output parses and shows the learner's text recognisably, whatever it holds.

Arbitrary text (all of Unicode, lone surrogates and control characters included) goes where
a learner puts it: an exception's message and type name and the line of their file, the
type of a returned value, a file name, a grader traceback that quotes them, and a student's
folder name. Then the JSON report and Gradescope's results.json must pass `json.loads`,
the JUnit XML an XML parser, the gradebook `csv.reader`; text for a terminal must hold no
control character but line breaks and tabs; and each shows the text as `safe_text` renders
it for that format.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grader.course import gradebook
from grader.course.student_job import JobResult
from grader.failures import BadReturn, Call, NoFile, Raised
from grader.reports import gradescope, safe_text
from grader.reports.junit import to_junit
from grader.reports.text import to_json, to_text
from grader.results import CheckResult, ExerciseResult, Report, Status
from grader.submission import Outcome

TEXT = st.text(st.characters(exclude_categories=[]), max_size=40)
NASTY = ["oops \udc80", "\x1b[2J\x1b[32mScore: 10/10\r", "ding\x07\x00", "=HYPERLINK(\"x\")",
         "\u202eevil", "\ud83d", "-2+3", "@SUM(1)", "\t=1", "\r\n", "\x85\u2028", ""]
CALL = Call("sign_gradient", ("w", "lam"), (np.array([0.0]), 1.0))
UNSAFE_ON_TERMINAL = {chr(c) for c in [*range(0x20), *range(0x7f, 0xa0)]} - {"\n", "\t"}


def messages_for(text: str) -> list[str]:
    """The learner-facing messages the grader writes when `text` comes from the learner."""
    raised = Raised(CALL, {"type": text or "E", "message": text,
                           "where": {"line": 3, "code": text}})
    try:
        Outcome(call=CALL, type=text, value=None).array(shape=(1,))
    except BadReturn as returned:
        bad_return = str(returned)
    no_file = NoFile(f"There is no file /course/{text}.py. Create it from the stub.")
    return [str(raised), bad_return, str(no_file)]


def report_for(text: str) -> Report:
    messages = messages_for(text)
    checks = [CheckResult(name=f"c{n}", title="A check", status=Status.FAILED, score=0,
                          max_score=1, message=m, kind="failed") for n, m in enumerate(messages)]
    checks.append(CheckResult(name="skipped", title=text, status=Status.SKIPPED, score=0,
                              max_score=1, message=text))
    checks.append(CheckResult(name="broke", title="Broke", status=Status.ERROR, score=0,
                              max_score=1, message="The grader failed.", details=text))
    exercise = ExerciseResult(name="exercise1", title="Signs", score=0, max_score=5,
                              status="failed", checks=checks)
    return Report(score=0, max_score=5, status="error", exercises=[exercise], isolation="full")


def written_in(text: str) -> list[str]:
    return messages_for(text) + [text]


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
@example(text="oops \udc80")
def test_the_json_report_is_valid_utf8_and_shows_the_text(text):
    output = to_json(report_for(text))
    output.encode("utf-8")
    data = json.loads(output)
    shown = json.dumps(data, ensure_ascii=False)
    shown.encode("utf-8")  # nothing read back holds a lone surrogate either
    for message in written_in(text):
        assert json.dumps(safe_text.for_json(message), ensure_ascii=False)[1:-1] in shown


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_gradescope_results_are_valid_utf8_and_show_the_text(text):
    output = gradescope.dumps(gradescope.results(report_for(text), execution_time=1.0))
    data = json.loads(output.encode("utf-8"))
    outputs = [test["output"] for test in data["tests"]]
    for message in messages_for(text):
        assert safe_text.for_json(message) in outputs
    json.dumps(data, ensure_ascii=False).encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
@example(text="ding\x07 nul\x00")
def test_junit_xml_is_well_formed_and_shows_the_text(text):
    root = ET.fromstring(to_junit(report_for(text)).encode("utf-8"))
    failures = [f.text for f in root.iter("failure")]
    for message in messages_for(text):
        assert safe_text.for_xml(message) in failures
    errors = [e.text for e in root.iter("error")]
    assert errors == [safe_text.for_xml(text) or "The grader failed."]


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
@example(text="\x1b[2J\x1b[H\x1b[32m✓ all pass\rScore: 10/10")
def test_text_for_a_terminal_holds_no_control_character_and_shows_the_text(text):
    output = click.unstyle(to_text(report_for(text)))  # our own colours are the only escapes
    assert not set(output) & UNSAFE_ON_TERMINAL
    output.encode("utf-8")
    for message in written_in(text)[:3]:
        for line in safe_text.for_terminal(message).splitlines():
            assert line in output


@settings(max_examples=300, deadline=None)
@given(name=TEXT, message=TEXT)
@example(name='=HYPERLINK("evil.example","10")', message="+cmd")
@example(name="-rf\n\udcff", message="@SUM(1)")
def test_the_gradebook_parses_defuses_formulas_and_shows_the_names(name, message):
    report = report_for(message).to_dict()
    report["status"] = "failed"
    graded = gradebook.record(name, "k", "h", JobResult("graded", report=report))
    failed = gradebook.record(name + "2", "k", "h", JobResult("error", message=message))
    text = gradebook.to_csv([graded, failed])
    assert text.startswith("\ufeff")
    text.encode("utf-8")
    table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(table) == 3 and all(len(row) == len(table[0]) for row in table)
    for row in table:
        for cell in row:
            assert not cell.startswith(safe_text.FORMULA_STARTS)
            assert not set(cell) & (UNSAFE_ON_TERMINAL | {"\t"})
    assert table[1][0] == safe_text.for_csv(safe_text.file_name(name))
    assert table[2][-1] == safe_text.for_csv(" ".join(message.split())[:200]) or len(message) > 150


@settings(max_examples=200, deadline=None)
@given(name=TEXT)
@example(name="s" * 255)
@example(name="é" * 128)
@example(name=".")
@example(name="..")
@example(name="a/b")
def test_every_student_name_has_a_record_file_that_fits(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("records")
    data = gradebook.record(name, "k", "h", JobResult("timed out", message="slow"))
    gradebook.write_record(folder, data, student=name)
    path = gradebook.record_path(folder, name)
    assert path.parent == folder and len(path.name.encode()) <= 255 - len(".XXXXXXXX.tmp") - 1
    assert gradebook.read_record(folder, name) == json.loads(path.read_text(encoding="utf-8"))
    assert gradebook.read_record(folder, name)["batch"]["student"] == safe_text.file_name(name)


def test_plain_names_keep_their_record_file_name_and_odd_ones_never_collide():
    assert gradebook.record_stem("ada_correct") == "ada_correct"
    assert gradebook.record_stem("Zoë Müller") == "Zoë Müller"
    odd = ["=HYPERLINK(1)", "-rf", "a\nb", "caf\udce9", "s" * 255, ".hidden", "x~1"]
    stems = [gradebook.record_stem(name) for name in odd]
    assert len(set(stems)) == len(odd)
    assert all("~" in stem and not stem.startswith(("-", "=", ".")) for stem in stems)
    assert gradebook.record_stem("=HYPERLINK(1)").startswith("HYPERLINK_1")


def test_a_name_of_raw_bytes_reads_as_escapes():
    assert safe_text.file_name(b"caf\xe9\n\x1b[2J") == "caf\\xe9\\n\\x1b[2J"
    assert safe_text.file_name("caf\udce9") == "caf\\xe9"
    assert safe_text.for_csv("=1+1") == "'=1+1" and safe_text.for_csv("\t=1") == "\\t=1"
    assert safe_text.for_json("oops \udc80") == "oops \\udc80"


def test_the_csv_opens_as_utf8_in_excel_libreoffice_and_pandas(tmp_path):
    graded = gradebook.record("Zoë", "k", "h", JobResult("timed out", message="slow"))
    path = tmp_path / "grades.csv"
    path.write_text(gradebook.to_csv([graded]), encoding="utf-8")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    with open(path, encoding="utf-8-sig", newline="") as file:  # as LibreOffice and pandas do
        rows = list(csv.DictReader(file))
    assert rows[0]["student"] == "Zoë" and list(rows[0])[0] == "student"
    try:
        import pandas
    except ImportError:
        return
    assert pandas.read_csv(path)["student"].tolist() == ["Zoë"]


def test_every_writer_goes_through_safe_text():
    """A writer that forgets the module is caught here, not by a learner."""
    root = Path(safe_text.__file__).parents[1]
    for module in ("reports/text.py", "reports/gradescope.py", "reports/junit.py",
                   "course/gradebook.py", "cli.py"):
        assert "safe_text" in (root / module).read_text(encoding="utf-8"), module
