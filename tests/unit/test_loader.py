"""The loader: every hostile input becomes one located SS0xx problem, never an exception."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from syncspec.jobfile.problems import Problem, Severity
from syncspec.jobfile.validate import validate_paths
from syncspec.jobfile.yaml import loader


def only_problem(text: str | bytes) -> Problem:
    raw = text.encode() if isinstance(text, str) else text
    parsed = loader.read_and_parse(raw, "job.yaml")
    assert parsed.data is None
    assert len(parsed.problems) == 1, parsed.problems
    return parsed.problems[0]


def test_fast_path_is_the_c_parser() -> None:
    from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]

    assert issubclass(loader._loader_class(), CParser)


def test_plain_document_loads_as_json_like_data() -> None:
    parsed = loader.parse_text("label: a\nq: {since: 2024-01-01, op: =, n: 3, yes: yes}\n", "j")
    assert parsed.problems == []
    assert parsed.data == {
        "label": "a",
        "q": {"since": "2024-01-01", "op": "=", "n": 3, "yes": "yes"},
    }


def test_byte_order_mark_is_accepted() -> None:
    parsed = loader.read_and_parse("\ufefflabel: a\n".encode(), "j")
    assert parsed.data == {"label": "a"}


def test_syntax_error_has_the_parsers_position() -> None:
    p = only_problem("label: a\nresources:\n  - resource: a\n   method: list\n")
    assert (p.rule, p.line, p.col, p.severity) == ("SS001", 4, 4, Severity.ERROR)
    assert p.message == (
        "YAML syntax error: while parsing a block collection: did not find expected '-' indicator"
    )


def test_end_of_stream_error_points_inside_the_file() -> None:
    p = only_problem("label: a\nresources: [\n")
    assert (p.rule, p.line, p.col) == ("SS001", 2, 13)


def test_duplicate_key() -> None:
    p = only_problem("label: a\nresources: []\nlabel: b\n")
    assert (p.rule, p.line, p.col) == ("SS002", 3, 1)
    assert p.message == "duplicate key `label` (the mapping starts at line 1)"


def test_tab_indentation() -> None:
    p = only_problem("label: a\nresources:\n\t- resource: a\n")
    assert (p.rule, p.line, p.col) == ("SS003", 3, 1)
    assert p.hint == "YAML indents with spaces only; replace the tab(s) with spaces"


def test_tab_inside_a_value_is_fine() -> None:
    assert loader.parse_text("label: a\tb\n", "j").data == {"label": "a\tb"}


def test_not_utf8() -> None:
    p = only_problem(b"label: ok\nintegration_name: caf\xe9\n")
    assert (p.rule, p.line, p.col) == ("SS004", 2, 22)
    assert p.message == "file is not valid UTF-8 (byte 0xe9 at offset 31)"


def test_nul_byte() -> None:
    p = only_problem(b"label: a\x00\n")
    assert (p.rule, p.line, p.col) == ("SS004", 1, 9)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "~\n"])
def test_empty_file(text: str) -> None:
    p = only_problem(text)
    assert (p.rule, p.line, p.col) == ("SS005", 1, 1)


def test_several_documents() -> None:
    p = only_problem("label: a\n---\nlabel: b\n")
    assert (p.rule, p.line) == ("SS006", 2)


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- a\n", "a list"), ("hello\n", "a single value"), ("42\n", "a single value")],
)
def test_top_level_not_a_mapping(text: str, kind: str) -> None:
    p = only_problem(text)
    assert p.rule == "SS007"
    assert (
        p.message == f"top level is {kind}; a job file is a mapping of keys (label, resources, ...)"
    )


def test_billion_laughs_is_rejected_without_expanding() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefghi", "bcdefghij", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    p = only_problem("\n".join(lines) + "\n")  # 10**10 nodes if expanded
    assert p.rule == "SS008"
    assert p.message == "aliases expand this document beyond 100,000 nodes"


def test_recursive_alias() -> None:
    p = only_problem("label: a\nresources: &r [*r]\n")
    assert (p.rule, p.line) == ("SS008", 2)
    assert p.message == "recursive alias: a node contains an alias of itself"


def test_modest_aliases_are_fine() -> None:
    text = "label: a\nq: &q {a: 1}\nr: *q\ns: *q\n"
    assert loader.parse_text(text, "j").data == {
        "label": "a",
        "q": {"a": 1},
        "r": {"a": 1},
        "s": {"a": 1},
    }


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object/apply:os.system [echo hi]", "!!python/object/apply:os.system"),
        ("!!python/name:os.system ''", "!!python/name:os.system"),
        ("!secret zendesk", "!secret"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {a, b}", "!!set"),
    ],
)
def test_unsafe_or_unknown_tags(value: str, tag: str) -> None:
    p = only_problem(f"label: a\nx: {value}\n")
    assert (p.rule, p.line, p.col) == ("SS009", 2, 4)
    assert p.message == f"unsupported YAML tag {tag}: job files hold plain data only"


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 100_000 + "]" * 100_000 + "\n",  # crashes the C composer if not caught
        "a: " + "{b: " * 100_000 + "}" * 100_000 + "\n",
        "- " * 200_000 + "x\n",
        "? " * 200_000 + "x\n",
        "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 120)),
    ],
    ids=["flow-seq", "flow-map", "block-seq", "complex-keys", "indented-maps"],
)
def test_absurd_nesting(text: str) -> None:
    p = only_problem(text)
    assert p.rule == "SS010"
    assert p.message == "nesting is deeper than 64 levels"


def test_nesting_at_the_limit_is_fine() -> None:
    text = "a: " + "[" * 63 + "]" * 63 + "\n"
    assert loader.parse_text(text, "j").problems == []


def test_file_over_the_size_bound(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"label: a\n" + b"# padding\n" * 110_000)
    report = validate_paths([path], tmp_path)
    assert [(p.rule, p.line, p.message) for p in report.problems] == [
        ("SS011", 1, "file is 1,100,009 bytes; the limit is 1,048,576 bytes")
    ]


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root (or Windows) can read any file"
)
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("label: a\n")
    path.chmod(0)
    report = validate_paths([path], tmp_path)
    assert [(p.rule, p.message) for p in report.problems] == [
        ("SS012", "cannot read file: Permission denied")
    ]


def test_unreadable_file_via_a_dangling_symlink(tmp_path: Path) -> None:
    # Fails to open for root too, so the SS012 path is exercised everywhere.
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    report = validate_paths([tmp_path], tmp_path)
    assert [(p.rule, p.file, p.message) for p in report.problems] == [
        ("SS012", "gone.yaml", "cannot read file: No such file or directory")
    ]


@pytest.mark.parametrize(
    ("line", "expr"),
    [("id: {{ args.x }}", "{{ args.x }}"), ("id: {{args.ticket_id}}", "{{args.ticket_id}}")],
)
def test_unquoted_placeholder_trap_says_quote_it(line: str, expr: str) -> None:
    p = only_problem(f"label: a\n{line}\n")
    assert (p.rule, p.line, p.col) == ("SS401", 2, 5)
    assert p.message == f"unquoted placeholder {expr} is read by YAML as a nested mapping"
    assert p.hint == f'quote it: "{expr}"'


def test_other_unhashable_keys_are_syntax_errors() -> None:
    p = only_problem("label: a\nx: {[1, 2]: y}\n")
    assert p.rule == "SS001"
    assert p.message == "a mapping or list is used as a mapping key"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("label: a\n", 1),
        ("# c\n\nlabel: a\n", 3),
        ('"label": a\n', 1),
        ("x:\n  label: b\nlabel: a\n", 3),
    ],
)
def test_label_line(text: str, line: int) -> None:
    assert loader.label_line(text) == line


def test_rule_ids_are_unique_and_in_family() -> None:
    ids = [r.id for r in loader.RULES]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("SS0") for i in ids)


def test_scalar_types() -> None:
    text = "a: 0x1f\nb: 1_000\nc: 1.5\nd: true\ne: ~\nf: '3'\ng: !!str 5\nh: 2024-01-01T10:00:00Z\n"
    assert loader.parse_text(text, "j").data == {
        "a": 31, "b": 1000, "c": 1.5, "d": True, "e": None, "f": "3", "g": "5",
        "h": "2024-01-01T10:00:00Z",
    }  # fmt: skip


def test_mapping_keys_are_text_as_written() -> None:
    assert loader.parse_text("200: a\ntrue: b\n~: c\n", "j").data == {
        "200": "a", "true": "b", "~": "c"
    }  # fmt: skip
    p = only_problem('200: a\n"200": b\n')
    assert (p.rule, p.line, p.message) == (
        "SS002", 2, "duplicate key `200` (the mapping starts at line 1)"
    )  # fmt: skip


def test_merge_keys_use_ruamels_constructor() -> None:
    text = "base: &b {a: 1, c: 0}\nx:\n  <<: *b\n  c: 2\n"
    assert loader.parse_text(text, "j").data == {"base": {"a": 1, "c": 0}, "x": {"a": 1, "c": 2}}


def test_merge_keys_do_not_bypass_the_depth_limit() -> None:
    p = only_problem("b: &b {a: 1}\nx:\n  <<: *b\n  y: " + "[" * 100 + "]" * 100 + "\n")
    assert (p.rule, p.line) == ("SS010", 4)
