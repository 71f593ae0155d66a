from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from syncspec.jobfile.rules.placeholder_syntax import (
    Alternative,
    Malformed,
    Placeholder,
    Scan,
    iter_strings,
    parse_template,
    root,
    scan,
    unquoted_placeholder,
)


def test_plain_text_has_no_placeholders() -> None:
    assert scan("crm/contacts") == Scan()
    assert scan("") == Scan()


def _ph(
    text: str,
    *alternatives: tuple[str, str | None],
    default: str | None = None,
    default_cast: str | None = None,
) -> Placeholder:
    alts = tuple(Alternative(path, cast) for path, cast in alternatives)
    return Placeholder(text, alts, default, default_cast, True, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{args.x}}", _ph("{{args.x}}", ("args.x", None))),
        ("{{ args.x }}", _ph("{{ args.x }}", ("args.x", None))),
        ("{{args.n:int}}", _ph("{{args.n:int}}", ("args.n", "int"))),
        ("{{args.a|args.b}}", _ph("{{args.a|args.b}}", ("args.a", None), ("args.b", None))),
        # each alternative may carry its own cast (replace-placeholders README)
        (
            "{{args.q:ignore-empty-str|args.x}}",
            _ph(
                "{{args.q:ignore-empty-str|args.x}}",
                ("args.q", "ignore-empty-str"),
                ("args.x", None),
            ),
        ),
        (
            "{{foo:str|bar:int}}",
            _ph("{{foo:str|bar:int}}", ("foo", "str"), ("bar", "int")),
        ),
        ("{{a?:x}}", _ph("{{a?:x}}", ("a", None), default="x")),
        ("{{a?:1:int}}", _ph("{{a?:1:int}}", ("a", None), default="1", default_cast="int")),
        ("{{foo:str?:bar}}", _ph("{{foo:str?:bar}}", ("foo", "str"), default="bar")),
        ("{{a|b?:x}}", _ph("{{a|b?:x}}", ("a", None), ("b", None), default="x")),
        # a ":" before a word character starts the default's cast, as in replace.ts ...
        ("{{a?:10:30}}", _ph("{{a?:10:30}}", ("a", None), default="10", default_cast="30")),
        # ... but "://" does not
        (
            "{{foo?:https://quickbooks.api.intuit.com}}",
            _ph(
                "{{foo?:https://quickbooks.api.intuit.com}}",
                ("foo", None),
                default="https://quickbooks.api.intuit.com",
            ),
        ),
        # the default is kept as written; an empty one is no default (replace.ts: falsy)
        ("{{ a?: x }}", _ph("{{ a?: x }}", ("a", None), default=" x ")),
        ("{{a?:}}", _ph("{{a?:}}", ("a", None))),
        (
            "{{x:ignore-empty-str}}",
            _ph("{{x:ignore-empty-str}}", ("x", "ignore-empty-str")),
        ),
        (
            "{{resources.knowledge-base.pages.id}}",
            _ph(
                "{{resources.knowledge-base.pages.id}}", ("resources.knowledge-base.pages.id", None)
            ),
        ),
        ("{{foo.0.bar}}", _ph("{{foo.0.bar}}", ("foo.0.bar", None))),
    ],
)
def test_well_formed_placeholder(text: str, expected: Placeholder) -> None:
    assert scan(text) == Scan((expected,), ())


def test_placeholders_inside_text_are_not_whole() -> None:
    result = scan("greenhouse-{{args.a}}-{{args.b:int}}")
    assert [(p.paths, p.casts, p.whole, p.start) for p in result.placeholders] == [
        (("args.a",), (), False, 11),
        (("args.b",), ("int",), False, 22),
    ]
    assert result.malformed == ()


def test_tolerant_is_any_alternative() -> None:
    (ph,) = scan("{{foo|bar:undefined}}").placeholders
    assert ph.tolerant
    (ph,) = scan("{{foo|bar:int}}").placeholders
    assert not ph.tolerant


def test_parse_template_splits_text_and_placeholders() -> None:
    text = "foo {{foo:undefined}} {{bar}}!{{bad"
    parts = parse_template(text)
    assert [p if isinstance(p, str) else p.text for p in parts] == [
        "foo ",
        "{{foo:undefined}}",
        " ",
        "{{bar}}",
        "!{{bad",
    ]
    assert "".join(p if isinstance(p, str) else p.text for p in parts) == text
    assert parse_template("") == ()
    assert parse_template("plain") == ("plain",)


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
        (
            "{{a:}}",
            "placeholder {{a:}} has a ':' without a cast after it in 'a:'",
            "casts: any, bool, ignore-empty-str, int, json, null, num, str, undefined",
        ),
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
