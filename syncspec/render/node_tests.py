"""Renderers of ``syncspec test`` results: pytest-like text and JUnit XML."""

from __future__ import annotations

import difflib
from xml.etree import ElementTree as ET

from syncspec.nodetest.casefile import ABSENT
from syncspec.nodetest.runner import CaseResult, Failure, TestReport, pretty

_RULE = "=" * 30


def summary(report: TestReport) -> str:
    return f"{report.passed} passed, {report.failed} failed"


def _diff(failure: Failure) -> list[str]:
    expected = pretty(failure.expected).splitlines()
    actual = pretty(failure.actual).splitlines()
    lines = list(difflib.unified_diff(expected, actual, "expected", "actual", lineterm="", n=3))
    if not lines:  # equal text but unequal values (1 vs true is not possible; types differ)
        return [f"- expected: {' '.join(expected)}", f"+ actual:   {' '.join(actual)}"]
    return lines


def failure_text(result: CaseResult) -> list[str]:
    """The body of one failure: where, what, and the diff of expected and actual."""
    case_file, case = result.file, result.case
    node = f"node {case.node}" + (f" ({result.node_type})" if result.node_type else "")
    lines = [
        f"{case_file.display}:{case_file.case_line(case.index)}: case {case.name!r}, "
        f"job {case_file.job}, {node}"
    ]
    for failure in result.failures:
        message = failure.message
        if failure.where:
            message += f"\n  at {failure.where}"
        lines.append(message)
        if failure.expected is not ABSENT:
            lines.extend(_diff(failure))
    return lines


def render_text(report: TestReport) -> str:
    lines = [f"{r.id} {'PASSED' if r.passed else 'FAILED'}" for r in report.results]
    failed = [r for r in report.results if not r.passed]
    if failed:
        lines += ["", f"{_RULE} FAILURES {_RULE}"]
        for result in failed:
            lines.append(f"___ {result.id} ___")
            lines.extend(failure_text(result))
            lines.append("")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def render_junit(report: TestReport) -> str:
    suites = ET.Element("testsuites", tests=str(len(report.results)),
                        failures=str(report.failed), errors="0")  # fmt: skip
    suite = ET.SubElement(suites, "testsuite", name="syncspec test",
                          tests=str(len(report.results)), failures=str(report.failed),
                          errors="0", skipped="0")  # fmt: skip
    for result in report.results:
        case_file = result.file
        attrs = {
            "classname": case_file.display,
            "name": result.case.name,
            "file": case_file.display,
        }
        if not result.passed:
            attrs["line"] = str(case_file.case_line(result.case.index))
        testcase = ET.SubElement(suite, "testcase", attrs)
        if not result.passed:
            failure = ET.SubElement(testcase, "failure",
                                    message=result.failures[0].message.splitlines()[0])  # fmt: skip
            failure.text = "\n".join(failure_text(result))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
