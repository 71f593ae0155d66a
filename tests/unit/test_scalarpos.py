"""position_in_scalar: every scalar style, checked against what a YAML library decodes."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from syncspec.jobfile.yaml.scalarpos import decoded_positions, position_in_scalar

# Each document has one key `e` whose value is the scalar under test.
DOCUMENTS = {
    "plain": "e: $map(x, function($c) { $c.a })\n",
    "plain-multiline": "e: $map(x,\n  function($c)\n\n    { $c.a })\nnext: 1\n",
    "plain-comment": "e: a.b  # comment\n",
    "plain-at-eof": "e: a.b  ",
    "single": "e: 'it''s a ''quote'''\n",
    "single-multiline": "e: 'first\n   second\n\n   third'\n",
    "double": 'e: "a\\"b\\\\c\\n\\t\\u00e9\\x41 end"\n',
    "double-multiline": 'e: "one  \n   two\\\n   three\n\n   four"\n',
    "literal": "e: |\n  $map(x, function($c) {\n    $c.a\n  })\nnext: 1\n",
    "literal-strip": "e: |-\n  line one\n\n  line three\n\n\nnext: 1\n",
    "literal-keep": "e: |+\n  kept\n\n\nnext: 1\n",
    "literal-indicator": "e: |2\n    two more\n  base\n",
    "literal-leading-empty": "e: |\n\n  after an empty line\n",
    "folded": "e: >\n  one\n  two\n\n  three\n    more indented\n  four\n",
    "folded-strip-indicator": "e: >-2\n   x\n  y\n",
    "nested": "r:\n  - name: t\n    config:\n      expression: |\n        a +\n        b\n",
    "sequence-item": "r:\n  - |2\n     spaced\n    plain\n",
    "compact-sequence-map": "- e: >1\n    deep\n   x\n",
}


PATHS: dict[str, tuple[str | int, ...]] = {
    "nested": ("r", 0, "config", "expression"),
    "sequence-item": ("r", 0),
    "compact-sequence-map": (0, "e"),
}


def _value(text: str) -> tuple[str, int]:
    """The decoded value of the scalar and the index of its token in ``text``."""
    name = next(k for k, v in DOCUMENTS.items() if v == text)
    *parents, last = PATHS.get(name, ("e",))
    node = YAML(typ="rt").load(text)
    for step in parents:
        node = node[step]
    line, col = node.lc.item(last) if isinstance(last, int) else node.lc.value(last)
    starts = [0]
    for part in text.split("\n"):
        starts.append(starts[-1] + len(part) + 1)
    return str(node[last]), starts[line] + col


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_decoding_matches_the_yaml_library(name: str) -> None:
    text = DOCUMENTS[name]
    value, start = _value(text)
    pairs = list(decoded_positions(text, start))
    assert pairs[-1][0] == ""  # the end marker
    assert "".join(ch for ch, _ in pairs[:-1]) == value
    for ch, index in pairs[:-1]:
        # a character is where it is written, unless it is an escape, a fold or a quote pair
        assert text[index] == ch or text[index] in "\\\n' " or ch in "\n "


def _pos(text: str, needle: str, start_needle: str = "e: ") -> tuple[int, int, int]:
    """(line, col) of the scalar token after ``start_needle`` and the 1-based pos of needle."""
    token = text.index(start_needle) + len(start_needle)
    line = text.count("\n", 0, token) + 1
    col = token - (text.rfind("\n", 0, token) + 1) + 1
    return line, col, text.index(needle)


def _at(text: str, index: int) -> tuple[int, int]:
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def test_plain_points_at_the_character() -> None:
    text = DOCUMENTS["plain"]
    line, col, _ = _pos(text, "x")
    value, _ = _value(text)
    assert position_in_scalar(text, line, col, value.index("{")) == (1, text.index("{") + 1)


def test_plain_multiline_follows_the_folding() -> None:
    text = DOCUMENTS["plain-multiline"]
    value, start = _value(text)
    line, col = _at(text, start)
    assert position_in_scalar(text, line, col, value.index("function")) == (2, 3)
    assert position_in_scalar(text, line, col, value.index("{")) == (4, 5)


def test_single_quotes_count_a_doubled_quote_once() -> None:
    text = DOCUMENTS["single"]
    value, start = _value(text)
    assert value == "it's a 'quote'"
    line, col = _at(text, start)
    assert position_in_scalar(text, line, col, value.index("a")) == _at(text, text.index(" a ") + 1)
    assert position_in_scalar(text, line, col, value.index("q")) == _at(text, text.index("quote"))


def test_double_quotes_count_each_escape_as_one_character() -> None:
    text = DOCUMENTS["double"]
    value, start = _value(text)
    line, col = _at(text, start)
    assert position_in_scalar(text, line, col, value.index("c")) == _at(text, text.index("c"))
    assert position_in_scalar(text, line, col, value.index("A")) == _at(text, text.index("\\x41"))
    assert position_in_scalar(text, line, col, value.index("end")) == _at(text, text.index("end"))


def test_double_quotes_across_lines_and_escaped_breaks() -> None:
    text = DOCUMENTS["double-multiline"]
    value, start = _value(text)
    assert value == "one twothree\nfour"  # an escaped break joins without a space
    line, col = _at(text, start)
    assert position_in_scalar(text, line, col, value.index("three")) == (3, 4)
    assert position_in_scalar(text, line, col, value.index("four")) == (5, 4)


def test_literal_block() -> None:
    text = DOCUMENTS["literal"]
    value, start = _value(text)
    line, col = _at(text, start)
    assert (line, col) == (1, 4)
    assert position_in_scalar(text, line, col, value.index("$c.a")) == (3, 5)
    # one past the expression's last character (as "end of expression" errors use)
    assert position_in_scalar(text, line, col, len(value.rstrip())) == (4, 5)


def test_literal_with_indentation_indicator() -> None:
    text = DOCUMENTS["literal-indicator"]
    value, start = _value(text)
    assert value == "  two more\nbase\n"
    line, col = _at(text, start)
    assert position_in_scalar(text, line, col, value.index("two")) == (2, 5)
    assert position_in_scalar(text, line, col, value.index("base")) == (3, 3)


def test_literal_chomping() -> None:
    for name, expected in (
        ("literal-strip", "line one\n\nline three"),
        ("literal-keep", "kept\n\n\n"),
    ):
        text = DOCUMENTS[name]
        value, start = _value(text)
        assert value == expected
        line, col = _at(text, start)
        assert position_in_scalar(text, line, col, value.rindex("e")) == _at(
            text, text.rindex("e", 0, text.index("next"))
        )


def test_folded_block() -> None:
    text = DOCUMENTS["folded"]
    value, start = _value(text)
    assert value == "one two\nthree\n  more indented\nfour\n"
    line, col = _at(text, start)
    assert position_in_scalar(text, line, col, value.index("two")) == (3, 3)
    assert position_in_scalar(text, line, col, value.index("more")) == (6, 5)
    assert position_in_scalar(text, line, col, value.index("four")) == (7, 3)


def test_nested_block_scalar() -> None:
    text = DOCUMENTS["nested"]
    value, start = _value(text)
    line, col = _at(text, start)
    assert position_in_scalar(text, line, col, value.index("b")) == (6, 9)


def test_out_of_range_answers_the_start() -> None:
    text = DOCUMENTS["plain"]
    assert position_in_scalar(text, 1, 4, 10_000) == (1, 4)
    assert position_in_scalar(text, 1, 4, -1) == (1, 4)
    assert position_in_scalar(text, 9, 1, 0) == (9, 1)
    assert position_in_scalar(text, 1, 500, 0) == (1, 500)
