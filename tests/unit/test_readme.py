"""The README documents every rule the catalogue has, with its catalogue summary."""

from __future__ import annotations

from pathlib import Path

from syncspec.jobfile.rules.registry import all_rules

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_rule_is_in_the_readme_table() -> None:
    missing = [
        r.id
        for r in all_rules()
        if f"| {r.id} | {r.severity.value} | {r.summary.replace('|', chr(92) + '|')} |"
        not in README
    ]
    assert missing == []


def test_readme_lists_no_rule_the_catalogue_lacks() -> None:
    known = {r.id for r in all_rules()}
    listed = {line.split("|")[1].strip() for line in README.splitlines() if line.startswith("| SS")}
    assert listed - known == set()


def test_the_quick_start_test_command_is_what_ci_runs() -> None:
    """README "Quick start" and .ci/run install and test the same way (dependency groups)."""
    ci = (Path(__file__).resolve().parents[2] / ".ci/run").read_text(encoding="utf-8")
    prefix = "python3 -m venv .venv && . .venv/bin/activate && "
    (line,) = [x for x in README.splitlines() if x.startswith(prefix) and "pytest" in x]
    command = line.removeprefix(prefix)
    assert "--group test" in command
    assert command in ci.splitlines()
