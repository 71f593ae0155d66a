"""Renderers of a validation report: text, json, github workflow commands."""

from __future__ import annotations

from typing import Any

from syncspec.jobfile.problems import Problem, Severity
from syncspec.jobfile.validate import ValidationReport

FORMAT_VERSION = 1
FORMATS = ("text", "json", "github")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(report: ValidationReport) -> str:
    checked = _plural(report.files_checked, "file")
    if not report.problems:
        return f"{checked} checked, no problems"
    return (
        f"{_plural(report.errors, 'error')}, {_plural(report.warnings, 'warning')} in "
        f"{_plural(report.files_with_problems, 'file')} ({checked} checked)"
    )


def _message(problem: Problem) -> str:
    return f"{problem.message} ({problem.hint})" if problem.hint else problem.message


_WARNING = {Severity.ERROR: "", Severity.WARNING: "warning: "}


def render_text(report: ValidationReport) -> str:
    lines = [
        f"{p.file}:{p.line}:{p.col}: {p.rule} {_WARNING[p.severity]}{_message(p)}"
        for p in report.problems
    ]
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def report_data(report: ValidationReport) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "files_checked": report.files_checked,
        "counts": {"error": report.errors, "warning": report.warnings},
        "problems": [
            {
                "rule": p.rule,
                "severity": p.severity.value,
                "message": p.message,
                "file": p.file,
                "line": p.line,
                "col": p.col,
                "hint": p.hint,
                **({"files": list(p.files)} if p.files else {}),  # a notice for several files
            }
            for p in report.problems
        ],
    }


def render_json(report: ValidationReport) -> str:
    import json  # --format json only: validate's start-up stays lean

    return json.dumps(report_data(report), indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: ValidationReport) -> str:
    """GitHub Actions workflow commands (one annotation per problem), then the summary."""
    lines = []
    for p in report.problems:
        props = (
            f"file={_escape_property(p.file)},line={p.line},col={p.col},"
            f"title={_escape_property(p.rule)}"
        )
        lines.append(f"::{p.severity.value} {props}::{_escape_data(_message(p))}")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "github": render_github}


def render(report: ValidationReport, fmt: str) -> str:
    return RENDERERS[fmt](report)
