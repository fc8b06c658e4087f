"""Export the bank as a QTI 1.2 zip that Canvas imports (Settings > Import Course Content).

The zip holds an IMS content package:

    imsmanifest.xml              names the assessment file as an imsqti_xmlv1p2 resource
    quiz-<title>/quiz-<title>.xml  questestinterop > assessment > section > item, one per question

Each item is in Canvas's QTI 1.2 flavour: `question_type` multiple_choice_question and
`points_possible` in its itemmetadata, a single-choice response_lid whose render_choice
lists the options in bank order, and resprocessing that sets SCORE to 100 for the right
option's ident. Feedback is linked the way Canvas exports it: a respcondition per option
points (displayfeedback) at an itemfeedback `<option ident>_fb`, holding the option's
feedback ("Correct." or its why_wrong), and `general_fb` holds the explanation and the
section to reread: the same texts as the GIFT export.

Text is marked text/html, so it is HTML-escaped first; ElementTree then escapes it for XML.
Characters XML 1.0 forbids, and every other control character, become U+FFFD (the visible
replacement character), so any bank gives well-formed XML. The output is the same bytes
for the same bank: no dates, no random identifiers.
"""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
import zipfile

from quiz.bank import LETTERS, Bank, Question
from quiz.feedback import general_feedback, option_feedback

QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
"""The QTI 1.2 namespace of the assessment file."""
CONTENT_PACKAGE = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
"""The IMS content package namespace of imsmanifest.xml, as in Canvas's exports."""
MANIFEST = "imsmanifest.xml"
POINTS = 1
"""Points per question, as `grade all` gives them."""
RESPONSE = "response1"
"""The ident of each item's response_lid."""
GENERAL_FEEDBACK = "general_fb"
"""The ident of each item's general feedback, as Canvas names it."""
IMPORT_HINT = "In Canvas: Settings > Import Course Content > QTI .zip file."

_NOT_XML_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def xml_text(text: str) -> str:
    """`text` with control characters and characters XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML_TEXT.sub("\ufffd", text)


def assessment_ident(title: str) -> str:
    """A stable identifier from the bank's title: `quiz-` and its lowercase words."""
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return f"quiz-{words}" if words else "quiz"


def option_ident(question: Question, index: int) -> str:
    """The ident of a question's option at `index`: the question's id and its letter."""
    return f"{question.id}-{LETTERS[index].lower()}"


def bank_to_qti_zip(bank: Bank) -> bytes:
    """The whole bank as a QTI 1.2 zip, questions and options in bank order."""
    ident = assessment_ident(bank.title)
    files = {
        MANIFEST: _to_bytes(_manifest(ident)),
        f"{ident}/{ident}.xml": _to_bytes(_assessment(bank, ident)),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, _ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _to_bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    """A child element; `text` is set as is (callers make it XML-safe).

    Tags are written unqualified under the root's `xmlns` declaration: ElementTree's own
    default_namespace option refuses unqualified attributes, and every attribute here is.
    """
    child = ET.SubElement(parent, tag, attrib)
    child.text = text
    return child


def _manifest(ident: str) -> ET.Element:
    root = ET.Element("manifest", xmlns=CONTENT_PACKAGE, identifier=f"{ident}-manifest")
    metadata = _add(root, "metadata")
    _add(metadata, "schema", "IMS Content")
    _add(metadata, "schemaversion", "1.1.3")
    _add(root, "organizations")
    resource = _add(_add(root, "resources"), "resource", identifier=ident, type="imsqti_xmlv1p2")
    _add(resource, "file", href=f"{ident}/{ident}.xml")
    return root


def _assessment(bank: Bank, ident: str) -> ET.Element:
    root = ET.Element("questestinterop", xmlns=QTI)
    assessment = _add(root, "assessment", ident=ident, title=xml_text(bank.title))
    section = _add(assessment, "section", ident="root_section")
    for question in bank.questions:
        section.append(_item(question))
    return root


def _item(question: Question) -> ET.Element:
    item = ET.Element("item", ident=question.id, title=xml_text(question.id))
    idents = [option_ident(question, i) for i in range(len(question.options))]
    fields = _add(_add(item, "itemmetadata"), "qtimetadata")
    for label, entry in (("question_type", "multiple_choice_question"),
                         ("points_possible", f"{POINTS:.1f}"),
                         ("original_answer_ids", ",".join(idents))):
        field = _add(fields, "qtimetadatafield")
        _add(field, "fieldlabel", label)
        _add(field, "fieldentry", entry)

    presentation = _add(item, "presentation")
    _material(presentation, question.stem)
    choices = _add(_add(presentation, "response_lid", ident=RESPONSE, rcardinality="Single"),
                   "render_choice")
    for ident, option in zip(idents, question.options):
        _material(_add(choices, "response_label", ident=ident), option.text)

    processing = _add(item, "resprocessing")
    _add(_add(processing, "outcomes"), "decvar", maxvalue="100", minvalue="0",
         varname="SCORE", vartype="Decimal")
    _condition(processing, None, GENERAL_FEEDBACK)
    for ident in idents:
        _condition(processing, ident, f"{ident}_fb")
    right = _condition(processing, idents[question.correct_index], None, continue_="No")
    _add(right, "setvar", "100", action="Set", varname="SCORE")

    _feedback(item, GENERAL_FEEDBACK, general_feedback(question))
    for ident, option in zip(idents, question.options):
        _feedback(item, f"{ident}_fb", option_feedback(option))
    return item


def _material(parent: ET.Element, text: str) -> None:
    """A material holding `text` as HTML."""
    _add(_add(parent, "material"), "mattext", html.escape(xml_text(text), quote=False),
         texttype="text/html")


def _condition(processing: ET.Element, ident: str | None, feedback: str | None, *,
               continue_: str = "Yes") -> ET.Element:
    """A respcondition for choosing `ident` (any answer when None), showing `feedback`."""
    condition = _add(processing, "respcondition", **{"continue": continue_})
    test = _add(condition, "conditionvar")
    if ident is None:
        _add(test, "other")
    else:
        _add(test, "varequal", ident, respident=RESPONSE)
    if feedback is not None:
        _add(condition, "displayfeedback", feedbacktype="Response", linkrefid=feedback)
    return condition


def _feedback(item: ET.Element, ident: str, text: str) -> None:
    _material(_add(_add(item, "itemfeedback", ident=ident), "flow_mat"), text)
