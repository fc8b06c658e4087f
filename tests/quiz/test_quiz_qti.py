"""`quiz export --format qti`: a Canvas QTI 1.2 zip that parses and round-trips the bank.

The reader below follows the package the way an importer does: the manifest names the
assessment file; each option's feedback is found through its respcondition's
displayfeedback link, and the right option is the one whose respcondition sets SCORE 100.
"""

from __future__ import annotations

import errno
import html
import io
import os
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_quiz_export import parse_gift

from quiz.bank import Bank, Option, Question, load_bank
from quiz.cli import main
from quiz.qti import bank_to_qti_zip

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"


@dataclass
class QtiItem:
    ident: str
    title: str
    question_type: str
    points: float
    stem: str
    options: list[tuple[str, str]]
    """(ident, text) in the order shown."""
    right: list[str]
    """Idents whose respcondition sets SCORE to 100."""
    feedback: dict[str, str]
    """Option ident -> the feedback its respcondition displays."""
    general: str | None


def read_package(data: bytes) -> tuple[str, list[QtiItem]]:
    """The assessment title and its items, from the zip's bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = ET.fromstring(archive.read("imsmanifest.xml"))
        [resource] = manifest.iter(CP + "resource")
        assert resource.get("type") == "imsqti_xmlv1p2"
        href = resource.find(CP + "file").get("href")
        assert sorted(archive.namelist()) == sorted(["imsmanifest.xml", href])
        root = ET.fromstring(archive.read(href))
    assert root.tag == QTI + "questestinterop"
    [assessment] = root.findall(QTI + "assessment")
    assert assessment.get("ident") == resource.get("identifier")
    [section] = assessment.findall(QTI + "section")
    return assessment.get("title"), [read_item(item) for item in section.findall(QTI + "item")]


def text_in(parent: ET.Element) -> str:
    """The text of the material directly under `parent`, HTML unescaped."""
    [mattext] = parent.findall(f"{QTI}material/{QTI}mattext")
    assert mattext.get("texttype") == "text/html"
    return html.unescape(mattext.text or "")


def read_item(item: ET.Element) -> QtiItem:
    meta = {field.findtext(QTI + "fieldlabel"): field.findtext(QTI + "fieldentry")
            for field in item.iter(QTI + "qtimetadatafield")}
    presentation = item.find(QTI + "presentation")
    [response] = presentation.findall(QTI + "response_lid")
    assert response.get("rcardinality") == "Single"
    labels = response.findall(f"{QTI}render_choice/{QTI}response_label")
    feedbacks = {fb.get("ident"): text_in(fb.find(QTI + "flow_mat"))
                 for fb in item.findall(QTI + "itemfeedback")}
    [score] = item.findall(f"{QTI}resprocessing/{QTI}outcomes/{QTI}decvar")
    assert (score.get("varname"), score.get("maxvalue")) == ("SCORE", "100")
    right, per_option, general = [], {}, None
    for condition in item.iter(QTI + "respcondition"):
        equal = condition.find(f"{QTI}conditionvar/{QTI}varequal")
        if equal is not None:
            assert equal.get("respident") == response.get("ident")
        setvar = condition.find(QTI + "setvar")
        if setvar is not None and (setvar.get("varname"), setvar.text) == ("SCORE", "100"):
            right.append(equal.text)
        shown = condition.find(QTI + "displayfeedback")
        if shown is not None:
            text = feedbacks[shown.get("linkrefid")]
            if equal is None:
                general = text
            else:
                per_option[equal.text] = text
    return QtiItem(
        ident=item.get("ident"), title=item.get("title"), question_type=meta["question_type"],
        points=float(meta["points_possible"]), stem=text_in(presentation),
        options=[(label.get("ident"), text_in(label)) for label in labels],
        right=right, feedback=per_option, general=general,
    )


def export(*args: str):
    return CliRunner().invoke(main, ["export", *args])


# --- The shipped bank ----------------------------------------------------------------


def test_every_question_round_trips_and_matches_the_gift_export(tmp_path: Path) -> None:
    out = tmp_path / "l1.zip"
    result = export("--format", "qti", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == (f"Wrote 15 questions to {out}. "
                             "In Canvas: Settings > Import Course Content > QTI .zip file.\n")
    bank = load_bank()
    title, items = read_package(out.read_bytes())
    gift = parse_gift(export("--format", "gift").stdout)
    assert title == bank.title
    assert len(items) == len(gift) == len(bank.questions)
    for item, question, gift_question in zip(items, bank.questions, gift):
        assert (item.ident, item.title) == (question.id, question.id)
        assert (item.question_type, item.points) == ("multiple_choice_question", 1.0)
        assert item.stem == question.stem == gift_question.stem
        texts = [text for _, text in item.options]
        assert texts == [option.text for option in question.options]
        assert texts == [answer.text for answer in gift_question.answers]
        idents = [ident for ident, _ in item.options]
        assert len(set(idents)) == 4
        assert item.right == [idents[question.correct_index]]
        assert [item.feedback[ident] for ident in idents] == [
            "Correct." if option.correct else option.why_wrong for option in question.options]
        assert [item.feedback[ident] for ident in idents] == [a.feedback for a in gift_question.answers]
        assert [ident in item.right for ident in idents] == [a.correct for a in gift_question.answers]
        assert item.general == gift_question.general_feedback


def test_the_zip_is_the_same_bytes_every_time(tmp_path: Path) -> None:
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    for out in (first, second):
        assert export("--format", "qti", "-o", str(out)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


# --- Any text ------------------------------------------------------------------------

AWKWARD = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f", "\t", "\n",
           "\r", "\ud800", "\udfff", "\ufffe", "\uffff", "\U0001f600", "\U0010ffff", "&", "<",
           ">", "]]>", "&amp;", "<b>", '"', "'", "\u2028"]
texts = st.lists(st.one_of(st.characters(exclude_categories=()), st.sampled_from(AWKWARD)),
                 max_size=30).map("".join)


def visible(text: str) -> str:
    """The text a reader should get back: every control character, lone surrogate and
    XML-forbidden noncharacter shown as U+FFFD, everything else as it was."""
    return "".join("\ufffd" if unicodedata.category(c) in ("Cc", "Cs") or c in "\ufffe\uffff"
                   else c for c in text)


@settings(max_examples=150, derandomize=True, database=None, deadline=None)
@given(title=texts, stem=texts, options=st.lists(texts, min_size=4, max_size=4),
       why=st.lists(texts, min_size=3, max_size=3), explanation=texts, section=texts,
       right=st.integers(0, 3))
@example(title="T\x00", stem="a\x01b & <c> ]]> \U0001f600 \ud800", options=["\x1b[31m", "", "<", "&lt;"],
         why=["\x7f", "\ufffe", "\r\n"], explanation="\U0010ffff", section="§", right=2)
def test_any_text_gives_well_formed_xml_that_round_trips_what_is_printable(
        title, stem, options, why, explanation, section, right) -> None:
    reasons = iter(why)
    question = Question(
        id="q-1", stem=stem, explanation=explanation, section=section, lesson=True,
        options=tuple(Option(text, i == right, None if i == right else next(reasons))
                      for i, text in enumerate(options)),
    )
    got_title, [item] = read_package(bank_to_qti_zip(Bank(Path("b.toml"), title, (section,), (question,))))
    assert got_title == visible(title)
    assert item.stem == visible(stem)
    assert [text for _, text in item.options] == [visible(text) for text in options]
    idents = [ident for ident, _ in item.options]
    assert item.right == [idents[right]]
    assert [item.feedback[ident] for ident in idents] == [
        "Correct." if option.correct else visible(option.why_wrong) for option in question.options]
    assert item.general == visible(f"{explanation} (Lesson section: {section}.)")


# --- Where it is written -------------------------------------------------------------


def test_qti_needs_an_output_file() -> None:
    result = export("--format", "qti")
    assert result.exit_code == 2
    assert "--format qti writes a zip file; name it with --output FILE.zip" in result.stderr


def test_a_folder_is_never_clobbered(tmp_path: Path) -> None:
    result = export("--format", "qti", "--output", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {tmp_path} is a folder; name a file inside it, "
                             f"e.g. {tmp_path / 'quiz.zip'}\n")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "l1.zip"
    result = export("--format", "qti", "--output", str(out))
    assert result.exit_code == 2
    assert result.stderr == (f"Error: cannot write {out} (No such file or directory); check that "
                             "its folder exists and that you may write there\n")


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "l1.zip"
    out.write_bytes(b"the previous export")

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)
    result = export("--format", "qti", "--output", str(out))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "No space left on device" in result.stderr
    assert "Traceback" not in result.output
    assert out.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["l1.zip"]


def test_an_existing_file_is_replaced_and_gift_can_go_to_a_file_too(tmp_path: Path) -> None:
    out = tmp_path / "l1.gift"
    out.write_text("old")
    result = export("--format", "gift", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == export("--format", "gift").stdout
