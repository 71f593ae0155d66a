"""Data-driven rule tests: tests/examples/valid/*.yaml and tests/examples/invalid/<RULE>/*.yaml.

Each invalid file starts with ``# expect: SS203:14`` (rule id and 1-based line; several
comma-separated); ``SS701:19:9`` also pins the 1-based column (problems inside expressions).
A rule directory is validated as one set of files, so project rules (labels unique across
files, ...) can be shown with two files. The harness knows no rule: any family's
directories work the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from syncspec.jobfile.rules.registry import all_rules
from syncspec.jobfile.validate import validate_paths

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
VALID = sorted((EXAMPLES / "valid").glob("*.y*ml"))
INVALID_DIRS = sorted(p for p in (EXAMPLES / "invalid").iterdir() if p.is_dir())
_EXPECT = re.compile(rb"^# expect: (.+)$")
_ITEM = re.compile(r"^(SS\d{3}):(\d+)(?::(\d+))?$")

# Rules whose example cannot be a committed file; each names the unit test that covers it.
NOT_A_FILE = {
    "SS011": "tests/unit/test_loader.py::test_file_over_the_size_bound",
    "SS012": "tests/unit/test_loader.py::test_unreadable_file_via_a_dangling_symlink",
    # needs a profile (syncspec.toml) that lacks the value
    "SS014": "tests/unit/test_vars.py::test_a_value_missing_in_one_profile_names_it",
}


def expectations(path: Path) -> set[tuple[str, int]]:
    return {(rule, line) for rule, line, _ in _expected_items(path)}


def expected_columns(path: Path) -> set[tuple[str, int, int]]:
    """The expectations that pin a column too."""
    return {(rule, line, col) for rule, line, col in _expected_items(path) if col is not None}


def _expected_items(path: Path) -> set[tuple[str, int, int | None]]:
    first = path.read_bytes().split(b"\n", 1)[0]
    m = _EXPECT.match(first)
    assert m, f"{path}: the first line must be '# expect: SSnnn:LINE[, SSnnn:LINE...]'"
    out: set[tuple[str, int, int | None]] = set()
    for item in m.group(1).decode().split(","):
        found = _ITEM.match(item.strip())
        assert found, f"{path}: bad expectation {item.strip()!r}"
        col = int(found.group(3)) if found.group(3) else None
        out.add((found.group(1), int(found.group(2)), col))
    return out


def test_there_are_examples() -> None:
    assert len(VALID) >= 4
    assert len(INVALID_DIRS) >= 10


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_example_is_clean(path: Path) -> None:
    report = validate_paths([path], EXAMPLES)
    assert report.problems == []
    assert report.files_checked == 1


@pytest.mark.parametrize("directory", INVALID_DIRS, ids=lambda p: p.name)
def test_invalid_examples_report_the_expected_rule_and_line(directory: Path) -> None:
    files = sorted(directory.glob("*.y*ml"))
    assert files, f"{directory} has no example"
    report = validate_paths([directory], EXAMPLES)
    assert report.files_checked == len(files)
    for path in files:
        display = path.relative_to(EXAMPLES).as_posix()
        reported = {(p.rule, p.line) for p in report.problems if p.file == display}
        missing = expectations(path) - reported
        assert not missing, f"{display}: expected {sorted(missing)}, got {sorted(reported)}"
        at = {(p.rule, p.line, p.col) for p in report.problems if p.file == display}
        missing_cols = expected_columns(path) - at
        assert not missing_cols, f"{display}: expected {sorted(missing_cols)}, got {sorted(at)}"


def test_every_expectation_names_its_directory_rule() -> None:
    for directory in INVALID_DIRS:
        for path in directory.glob("*.y*ml"):
            assert directory.name in {rule for rule, _ in expectations(path)}, path


def test_every_catalogued_rule_has_an_invalid_example() -> None:
    with_examples = {d.name for d in INVALID_DIRS if any(d.glob("*.y*ml"))}
    catalogue = {rule.id for rule in all_rules()}
    missing = catalogue - with_examples - set(NOT_A_FILE)
    assert not missing, f"rules without an example in tests/examples/invalid/: {sorted(missing)}"
    assert set(NOT_A_FILE) <= catalogue


def test_example_directories_are_catalogued_rules() -> None:
    catalogue = {rule.id for rule in all_rules()}
    assert {d.name for d in INVALID_DIRS} <= catalogue


def test_not_a_file_rules_have_their_tests() -> None:
    root = Path(__file__).resolve().parents[2]
    for target in NOT_A_FILE.values():
        file, name = target.split("::")
        assert f"def {name}(" in (root / file).read_text(encoding="utf-8"), target
