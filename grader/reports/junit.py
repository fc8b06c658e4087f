"""JUnit XML, the report format CI systems and test reporters read: a testsuite per exercise."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from grader.reports.safe_text import for_xml
from grader.results import Report, Status


def to_junit(report: Report, *, execution_time: float = 0.0) -> str:
    """The report as a <testsuites> document; a check is a testcase, its points are properties.

    Every text is `for_xml`, so the document is well-formed whatever the learner's text holds."""
    root = ET.Element("testsuites", name="l1lab", tests=str(_count(report)),
                      time=f"{execution_time:.3f}")
    for exercise in report.exercises:
        checks = exercise.checks
        suite = ET.SubElement(root, "testsuite", name=for_xml(exercise.name), tests=str(len(checks)),
                              failures=str(sum(c.status is Status.FAILED for c in checks)),
                              errors=str(sum(c.status is Status.ERROR for c in checks)),
                              skipped=str(sum(c.status is Status.SKIPPED for c in checks)))
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="score", value=str(exercise.score))
        ET.SubElement(properties, "property", name="max_score", value=str(exercise.max_score))
        for check in checks:
            case = ET.SubElement(suite, "testcase", classname=for_xml(f"l1lab.{exercise.name}"),
                                 name=for_xml(f"{check.name}: {check.title}"))
            message = for_xml(check.message)
            first_line = message.splitlines()[0] if message else ""
            if check.status is Status.FAILED:
                ET.SubElement(case, "failure", message=first_line).text = message
            elif check.status is Status.SKIPPED:
                ET.SubElement(case, "skipped", message=first_line)
            elif check.status is Status.ERROR:
                ET.SubElement(case, "error", message=first_line).text = for_xml(
                    check.details or check.message)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _count(report: Report) -> int:
    return sum(len(e.checks) for e in report.exercises)
