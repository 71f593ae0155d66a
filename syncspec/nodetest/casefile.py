"""Case files of ``syncspec test``: discovery, loading with positions, and their shape.

A case file (``tests/*.yaml`` of the config repo, or ``tests_dir``)::

    job: calendar-events-incremental      # the label of a job in jobs/
    cases:
      - name: the cursor goes into the context
        node: add-last-synced-at          # a V4 node name (legacy: the resource)
        given: {resources: {get-last-synced-at: {value: "2024-01-01T00:00:00Z"}}}
        expect: {last_synced_at: "2024-01-01T00:00:00Z"}
      - name: the webhook runs only with a webhook id
        node: webhook
        given: {args: {integrated_account_id: a1}}
        expect_run: false

Files load through the job-file loader (same YAML rules, same SS0xx problems); their shape is
checked here (SS9xx). A malformed file is a problem with ``file:line:col``, never an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncspec.jobfile.discovery import discover_job_files
from syncspec.jobfile.problems import Finding, Problem, Rule, Severity
from syncspec.jobfile.rules.kit import did_you_mean
from syncspec.jobfile.yaml import loader
from syncspec.jobfile.yaml.locate import compose, locate, positions, to_problems

RULES: tuple[Rule, ...] = (
    Rule("SS901", Severity.ERROR, "case file: unknown key"),
    Rule("SS902", Severity.ERROR, "case file: required key missing"),
    Rule("SS903", Severity.ERROR, "case file: value of the wrong type"),
    Rule("SS904", Severity.ERROR, "case file: a case expects nothing (no expect, no expect_run)"),
    Rule("SS905", Severity.ERROR, "case file: two cases with the same name"),
)
FILE_KEYS = ("job", "cases")
CASE_KEYS = ("name", "node", "given", "expect", "expect_run")
# ``expect`` absent is not ``expect: null`` (which expects the node to produce null)
ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "<absent>"})()


@dataclass(frozen=True)
class Case:
    name: str
    node: str
    given: Any
    expect: Any  # ABSENT when not written
    expect_run: bool | None
    index: int  # position in the file's ``cases`` list


@dataclass
class CaseFile:
    path: Path
    display: str
    text: str
    job: str
    cases: list[Case] = field(default_factory=list)

    def case_line(self, index: int) -> int:
        """1-based line of case ``index`` (from the C composer's node marks)."""

        if not hasattr(self, "_doc"):
            self._doc = compose(self.text)
        if self._doc is None:
            return 1
        where = positions(self.text)
        return locate(self._doc, ("cases", index, "name"), on_key=True, where=where)[0]


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "a list" if isinstance(value, list) else "a mapping"
    )


def _shape(data: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []

    def err(
        rule: str,
        message: str,
        path: tuple[str | int, ...],
        hint: str | None = None,
        on_key: bool = False,
    ) -> None:
        out.append(Finding(rule, Severity.ERROR, message, path, hint, on_key))

    for key in data:
        if key not in FILE_KEYS:
            err(
                "SS901",
                f"unknown key `{key}` in a case file",
                (key,),
                did_you_mean(str(key), FILE_KEYS) or "a case file has `job:` and `cases:`",
                on_key=True,
            )
    job = data.get("job")
    if "job" not in data:
        err("SS902", "`job:` is missing: name the label of a job in the jobs directory", ())
    elif not isinstance(job, str) or not job.strip():
        err("SS903", f"`job` must be a job's label (a string), not {_type_name(job)}", ("job",))
    cases = data.get("cases")
    if "cases" not in data:
        err("SS902", "`cases:` is missing: a list of cases", ())
        return out
    if not isinstance(cases, list):
        err("SS903", f"`cases` must be a list of cases, not {_type_name(cases)}", ("cases",))
        return out
    names: dict[str, int] = {}
    for index, case in enumerate(cases):
        where: tuple[str | int, ...] = ("cases", index)
        if not isinstance(case, dict):
            err("SS903", f"a case must be a mapping, not {_type_name(case)}", where)
            continue
        for key in case:
            if key not in CASE_KEYS:
                err(
                    "SS901",
                    f"unknown key `{key}` in a case",
                    (*where, key),
                    did_you_mean(str(key), CASE_KEYS) or f"keys: {', '.join(CASE_KEYS)}",
                    on_key=True,
                )
        for key in ("name", "node"):
            value = case.get(key)
            if key not in case:
                err("SS902", f"the case has no `{key}:`", where)
            elif not isinstance(value, str) or not value.strip():
                err(
                    "SS903",
                    f"`{key}` must be a non-empty string, not {_type_name(value)}",
                    (*where, key),
                )
        if "given" in case and not isinstance(case["given"], dict):
            err(
                "SS903",
                f"`given` must be a mapping (the input document), not {_type_name(case['given'])}",
                (*where, "given"),
            )
        if "expect_run" in case and not isinstance(case["expect_run"], bool):
            shown = _type_name(case["expect_run"])
            err("SS903", f"`expect_run` must be true or false, not {shown}", (*where, "expect_run"))
        if "expect" not in case and "expect_run" not in case:
            err(
                "SS904",
                "the case expects nothing",
                where,
                "add `expect:` (what the node produces), `expect_run:` (true/false)",
            )
        name = case.get("name")
        if isinstance(name, str):
            if name in names:
                first = names[name] + 1
                err(
                    "SS905",
                    f"a case named {name!r} is already in this file (case {first})",
                    (*where, "name"),
                )
            names.setdefault(name, index)
    return out


def load_case_file(path: Path, display: str) -> tuple[CaseFile | None, list[Problem]]:
    """One case file, or its problems."""

    parsed = loader.read_path(path, display)
    if parsed.data is None:
        return None, [_for_case_files(p) for p in parsed.problems]
    assert parsed.text is not None
    findings = _shape(parsed.data)
    if findings:
        return None, to_problems(display, parsed.text, findings)
    data = parsed.data
    cases = [
        Case(
            name=c["name"],
            node=c["node"],
            given=c.get("given") or {},
            expect=c.get("expect", ABSENT),
            expect_run=c.get("expect_run"),
            index=i,
        )
        for i, c in enumerate(data["cases"])
    ]
    return CaseFile(path, display, parsed.text, data["job"], cases), []


def _for_case_files(problem: Problem) -> Problem:
    """The loader speaks of job files; say what a case file should be instead."""
    messages = {
        "SS005": "file is empty: expected a case file (`job:` and `cases:`)",
        "SS007": "the top level must be a mapping with `job:` and `cases:`",
    }
    if problem.rule not in messages:
        return problem
    return Problem(
        problem.rule,
        problem.severity,
        messages[problem.rule],
        problem.file,
        problem.line,
        problem.col,
        problem.hint,
    )


def discover_case_files(paths: Sequence[Path]) -> list[Path]:
    """Case files under ``paths``, found as job files are (symlinks may not leave the cwd)."""

    return discover_job_files(paths, Path.cwd()).files
