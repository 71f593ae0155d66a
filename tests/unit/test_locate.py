"""Positions of findings from the C parser's node marks (``syncspec.jobfile.yaml.locate``)."""

from __future__ import annotations

import pytest

from syncspec.jobfile.problems import Finding, PathItem, Severity
from syncspec.jobfile.yaml import loader
from syncspec.jobfile.yaml.locate import TopPositions, to_problems, top_to_problems

DOC = """\
# comment
label: x
mutex_key:
args_schema:
  q: |
    multi
    line
resources:
  - resource: a
    method: list
    query: {page_size: 10, expand: [a, b]}
"""


def _at(text: str, path: tuple[PathItem, ...], on_key: bool = False) -> tuple[int, int]:
    parsed = loader.parse_text(text, "x.yaml")
    assert parsed.text is not None
    finding = Finding("SS000", Severity.ERROR, "m", path, on_key=on_key)
    (problem,) = to_problems("x.yaml", parsed.text, [finding], parsed.root)
    return problem.line, problem.col


@pytest.mark.parametrize(
    ("path", "on_key", "expected"),
    [
        ((), False, (2, 1)),  # the document: its first key
        (("label",), False, (2, 8)),
        (("label",), True, (2, 1)),
        (("mutex_key",), False, (3, 1)),  # a null value: its key
        (("args_schema", "q"), False, (5, 6)),  # a block scalar: its indicator
        (("resources", 0), False, (9, 5)),
        (("resources", 0, "query", "expand", 1), False, (11, 40)),
        (("resources", 0, "query", "nope"), False, (11, 12)),  # deepest existing ancestor
        (("resources", 5, "method"), False, (9, 3)),  # past the end: the list
        (("label", "deeper"), False, (2, 8)),  # into a scalar: the scalar
    ],
)
def test_paths(path: tuple[PathItem, ...], on_key: bool, expected: tuple[int, int]) -> None:
    assert _at(DOC, path, on_key) == expected


def test_yaml11_line_breaks_do_not_count_as_lines() -> None:
    # libyaml counts NEL/LS/PS as line breaks; editors (and YAML 1.2) do not
    text = 'label: "a\x85b\u2028c"\nresources:\n  - resource: a\n    method: list\n'
    assert _at(text, ("resources", 0, "method")) == (4, 13)


def test_merged_keys_are_located_at_the_mapping_that_merges_them() -> None:
    text = "base: &b\n  method: list\nlabel: x\nresources:\n  - <<: *b\n    resource: a\n"
    assert _at(text, ("resources", 0, "method")) == (5, 5)
    assert _at(text, ("resources", 0, "resource")) == (6, 15)


def test_top_level_summary_matches_and_defers_deeper_paths() -> None:
    parsed = loader.parse_text(DOC, "x.yaml")
    assert parsed.text is not None
    top = TopPositions.of(parsed.root, parsed.text)
    paths: list[tuple[PathItem, ...]] = [
        (),
        ("label",),
        ("mutex_key",),
        ("nope",),
        ("resources", 0, "method"),
        ("label", "x"),
    ]
    findings = [Finding("SS000", Severity.ERROR, "m", p) for p in paths]
    assert top.locate(("resources", 0), False) is None  # needs the whole document
    full = to_problems("x.yaml", parsed.text, findings, parsed.root)
    assert top_to_problems("x.yaml", parsed.text, findings, top) == full
