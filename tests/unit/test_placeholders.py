from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from syncspec.jobfile.placeholders import (
    Malformed,
    Placeholder,
    Scan,
    iter_strings,
    root,
    scan,
    unquoted_placeholder,
)


def test_plain_text_has_no_placeholders() -> None:
    assert scan("crm/contacts") == Scan()
    assert scan("") == Scan()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{args.x}}", Placeholder("{{args.x}}", ("args.x",), None, None, True)),
        ("{{ args.x }}", Placeholder("{{ args.x }}", ("args.x",), None, None, True)),
        ("{{args.n:int}}", Placeholder("{{args.n:int}}", ("args.n",), None, "int", True)),
        (
            "{{args.a|args.b}}",
            Placeholder("{{args.a|args.b}}", ("args.a", "args.b"), None, None, True),
        ),
        ("{{a?:x}}", Placeholder("{{a?:x}}", ("a",), "x", None, True)),
        ("{{a?:1:int}}", Placeholder("{{a?:1:int}}", ("a",), "1", "int", True)),
        # a colon inside a default that is not a cast stays part of the default
        ("{{a?:10:30}}", Placeholder("{{a?:10:30}}", ("a",), "10:30", None, True)),
        # ... but something close to a cast is read as a (misspelt) cast
        ("{{a?:1:itn}}", Placeholder("{{a?:1:itn}}", ("a",), "1", "itn", True)),
        (
            "{{x:ignore-empty-str}}",
            Placeholder("{{x:ignore-empty-str}}", ("x",), None, "ignore-empty-str", True),
        ),
        (
            "{{resources.knowledge-base.pages.id}}",
            Placeholder(
                "{{resources.knowledge-base.pages.id}}",
                ("resources.knowledge-base.pages.id",),
                None,
                None,
                True,
            ),
        ),
        ("{{foo.0.bar}}", Placeholder("{{foo.0.bar}}", ("foo.0.bar",), None, None, True)),
    ],
)
def test_well_formed_placeholder(text: str, expected: Placeholder) -> None:
    assert scan(text) == Scan((expected,), ())


def test_placeholders_inside_text_are_not_whole() -> None:
    result = scan("greenhouse-{{args.a}}-{{args.b:int}}")
    assert [(p.paths, p.cast, p.whole) for p in result.placeholders] == [
        (("args.a",), None, False),
        (("args.b",), "int", False),
    ]
    assert result.malformed == ()


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        (
            "{{args.x",
            "unbalanced braces: '{{args.x' opens {{ but never closes it",
            'close it with "}}"',
        ),
        (
            "{args.x}}",
            "unbalanced braces: '{args.x}}' closes }} that was never opened",
            'write "{{args.x}}"',
        ),
        (
            "id-args.y}}",
            "unbalanced braces: 'args.y}}' closes }} that was never opened",
            'write "{{args.y}}"',
        ),
        (
            "{args.user_id}",
            "'{args.user_id}' uses single braces: Truto placeholders use double braces",
            'write "{{args.user_id}}"',
        ),
        ("{{}}", "empty placeholder {{}}", 'write a path, e.g. "{{args.name}}"'),
        (
            "{{args[0]}}",
            "placeholder {{args[0]}} contains '[]', which Truto's placeholder grammar does not "
            "allow: it would be sent as literal text",
            "a placeholder holds a dotted path, optional |fallbacks, ?:default and :cast",
        ),
        (
            "{{args. x}}",
            "placeholder {{args. x}} has whitespace inside the path 'args. x'",
            "paths are dotted names without spaces",
        ),
        ("{{a.}}", "placeholder {{a.}} has an empty segment in the path 'a.'", None),
        ("{{ a | }}", "placeholder {{ a | }} has an empty alternative", None),
    ],
)
def test_malformed(text: str, message: str, hint: str | None) -> None:
    assert scan(text) == Scan((), (Malformed(message, hint),))


def test_nested_open_reports_the_first_and_keeps_the_second() -> None:
    result = scan("{{a {{args.b}}")
    assert result.malformed == (
        Malformed(
            "unbalanced braces: '{{a ' opens {{ that is not closed before the next {{",
            'close it with "}}"',
        ),
    )
    assert [p.paths for p in result.placeholders] == [("args.b",)]


def test_json_text_with_closing_braces_is_not_a_placeholder_problem() -> None:
    assert scan('{"filter": {"status": {"eq": true}}}') == Scan()


def _safe(text: str) -> object:
    return YAML(typ="safe").load(text)


def _rt(text: str) -> object:
    return YAML(typ="rt").load(text)


def test_round_trip_loader_keeps_unquoted_double_braces_as_a_mapping_key() -> None:
    # What ruamel's round-trip loader makes of `id: {{ args.x }}` (the C safe loader refuses it).
    data = _rt("id: {{ args.x }}\n")
    assert isinstance(data, dict)
    assert unquoted_placeholder(data["id"]) == "{{args.x}}"


def test_single_braces_load_as_a_one_key_mapping() -> None:
    data = _safe("query: {ticket_id: {resources.ticketing.tickets.id}}\n")
    assert data == {"query": {"ticket_id": {"resources.ticketing.tickets.id": None}}}
    assert isinstance(data, dict)
    assert unquoted_placeholder(data["query"]["ticket_id"]) == "{{resources.ticketing.tickets.id}}"


@pytest.mark.parametrize(
    "value",
    [
        {"{args.x": None},
        (("args.x", None),),  # a loader that made the key mapping hashable as its items
    ],
)
def test_other_plain_data_spellings_of_the_trap(value: object) -> None:
    data = {value: None} if isinstance(value, tuple) else value
    assert unquoted_placeholder(data) == "{{args.x}}"


@pytest.mark.parametrize(
    "value",
    [
        {"status": None},  # an ordinary query value that is null
        {"args.x": "y"},  # not null
        {"a": None, "b": None},
        "{{args.x}}",
        None,
    ],
)
def test_not_the_trap(value: object) -> None:
    assert unquoted_placeholder(value) is None


def test_iter_strings_walks_values_and_stops_at_the_trap() -> None:
    node = {
        "a": "x",
        "b": [1, "y", {"c": "z"}],
        "run_if": "skipped",
        "d": {"args.x": None},
        5: "int key",
    }
    found = list(iter_strings(node, ("r",), frozenset({"run_if"})))
    assert found == [
        (("r", "a"), "x"),
        (("r", "b", 1), "y"),
        (("r", "b", 2, "c"), "z"),
        (("r", "d"), {"args.x": None}),
        (("r", 5), "int key"),
    ]


def test_root() -> None:
    assert root("args.user_ids") == "args"
    assert root("tenant_id") == "tenant_id"
