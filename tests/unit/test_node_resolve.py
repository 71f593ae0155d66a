"""The placeholder resolver of `syncspec test`, against the cases of Truto's own test suite.

Each row is a case of trutohq/replace-placeholders `__tests__/replace.test.ts` or
`replacePlaceholders.test.ts` (ported as written, surprises included), plus a few for what the
JavaScript conversions do that Python's would not.
"""

from __future__ import annotations

from typing import Any

import pytest

from syncspec.jobfile.rules.placeholder_syntax import CASTS
from syncspec.nodetest.js.values import UNDEFINED, js_string, number_to_string
from syncspec.nodetest.placeholders import (
    KNOWN_CASTS,
    PlaceholderError,
    parse,
    replace,
    replace_placeholders,
)

REPLACE_CASES: list[tuple[str, dict[str, Any], Any]] = [
    # zero placeholders
    ("foo", {"foo": "bar"}, "foo"),
    ("{foo}", {"foo": "bar"}, "{foo}"),
    ("{{foo}", {"foo": "bar"}, "{{foo}"),
    ("{{foo }}", {"foo": "bar"}, "bar"),
    # single
    ("{{foo}}", {"foo": "bar"}, "bar"),
    ("{{foo.0.id}}", {"foo": [{"id": "bar"}]}, "bar"),
    ("foo {{foo}} bar", {"foo": "bar"}, "foo bar bar"),
    ("{{foo-baz.bar}}", {"foo-baz": {"bar": "baz"}}, "baz"),
    ("{{foo.bar.0.baz}}", {"foo": {"bar": [{"baz": "qux"}]}}, "qux"),
    ("{{foo.bar[0].baz}}", {"foo": {"bar": [{"baz": "qux"}]}}, "{{foo.bar[0].baz}}"),
    ("{{foo}} bar", {}, "{{foo}} bar"),
    ("foo {{foo.bar}}", {}, "foo {{foo.bar}}"),
    # multiple
    ("{{foo}} {{bar}}", {"foo": "bar", "bar": "baz"}, "bar baz"),
    (
        "{{foo.bar.0.baz}} {{foo.bar.1.qux}}",
        {"foo": {"bar": [{"baz": "baz"}, {"qux": "qux"}]}},
        "baz qux",
    ),
    ("{{foo}} {{bar}}", {}, "{{foo}} {{bar}}"),
    # int
    ("{{foo:int}}", {"foo": "1"}, 1),
    ("{{foo:int}}", {"foo": "1.1"}, 1),
    ("{{foo:int}}", {"foo": 1.1}, 1),
    ("{{foo:int}}", {"foo": "blah"}, "blah"),
    ("foo {{foo:int}} bar", {"foo": "1"}, "foo 1 bar"),
    ("foo {{  foo   :int}} bar", {"foo": "1"}, "foo 1 bar"),
    # num
    ("{{foo:num}}", {"foo": "1.1"}, 1.1),
    ("{{foo:num}}", {"foo": 1.1}, 1.1),
    ("{{foo:num}}", {"foo": "blah"}, "blah"),
    ("foo {{foo:num}} bar", {"foo": "1.1"}, "foo 1.1 bar"),
    # bool
    ("{{foo:bool}}", {"foo": "true"}, True),
    ("{{foo:bool}}", {"foo": "false"}, False),
    ("{{foo:bool}}", {"foo": False}, False),
    ("{{foo:bool}}", {"foo": "blah"}, "blah"),
    ("foo {{foo:bool}} bar", {"foo": "true"}, "foo true bar"),
    # json
    ("{{foo:json}}", {"foo": '{"foo":"bar"}'}, {"foo": "bar"}),
    ("{{foo:json}}", {"foo": {"foo": "bar"}}, {"foo": "bar"}),
    ("{{foo:json}}", {"foo": ["a", "b"]}, ["a", "b"]),
    ("{{foo:json}}", {"foo": "blah"}, "blah"),
    ("foo {{foo:json}} bar", {"foo": '{"foo":"bar"}'}, 'foo {"foo":"bar"} bar'),
    # null
    ("{{foo:null}}", {"foo": "null"}, None),
    ("{{foo:null}}", {"foo": None}, None),
    ("{{foo:null}}", {"foo": "blah"}, "blah"),
    ("foo {{foo:null}} bar", {"foo": "null"}, "foo null bar"),
    ("{{foo:null}}", {}, None),
    ("{{foo:int:null}}", {}, None),
    ("{{foo.bar:json:null}}", {}, None),
    # str
    ("{{foo:str}}", {"foo": 1}, "1"),
    ("{{foo:str}}", {"foo": True}, "true"),
    ("{{foo:str}}", {"foo": {"foo": "bar"}}, "[object Object]"),
    ("{{foo:str}}", {"foo": None}, None),
    # ignore-empty-str
    ("{{foo:ignore-empty-str}}", {"foo": ""}, "{{foo:ignore-empty-str}}"),
    (
        "foo {{foo:ignore-empty-str}} {{bar}}",
        {"foo": "", "bar": "bar"},
        "foo {{foo:ignore-empty-str}} bar",
    ),
    ("{{foo:ignore-empty-str|bar}}", {"foo": ""}, "{{foo:ignore-empty-str|bar}}"),
    ("{{foo|bar:ignore-empty-str}}", {"foo": "", "bar": "bar"}, "bar"),
    ("{{foo|bar:ignore-empty-str}} {{baz}}", {"foo": "foo", "bar": "bar"}, "foo {{baz}}"),
    ("{{foo|bar:ignore-empty-str}} {{baz}}", {"foo": "foo", "bar": "bar", "baz": ""}, "foo "),
    # undefined
    ("{{foo:undefined}}", {"foo": "bar"}, "bar"),
    ("foo {{foo:undefined}} {{bar}}", {"bar": "bar"}, "foo  bar"),
    ("{{foo:undefined}}", {}, UNDEFINED),
    ("{{foo:undefined|bar}}", {}, UNDEFINED),
    ("{{foo|bar:undefined}}", {"foo": "", "bar": "bar"}, ""),
    # fallbacks, each alternative with its own cast
    ("{{foo|bar}}", {"bar": "bar"}, "bar"),
    ("{{foo|bar|baz}}", {"baz": "baz"}, "baz"),
    ("{{foo:str|bar:int}}", {"bar": 1}, 1),
    ("{{foo:int|bar:str}}", {"foo": 1, "bar": "bar"}, 1),
    ("{{foo:int|bar:str}}", {"baz": 1, "bar": "bar"}, "bar"),
    ("{{foo|bar:str}}", {"foo": 1}, "1"),
    ("{{foo:str:null|bar:str}}", {"foo": None}, None),
    ("{{foo:str:null|bar:str}}", {}, None),
    ("{{foo.a:int:null|foo:int:null}}", {"foo": 1}, 1),
    ("{{foo.a:int:null|foo:int:null}}", {"foo": {"a": 1}}, 1),
    ("{{ foo.bar : int | bar.str}}", {"foo": {"bar": 1}, "bar": "bar"}, 1),
    ("{{ foo.bar | bar:str }}", {"foo": {"bar": True}}, "true"),
    # defaults
    ("{{foo?:https://quickbooks.api.intuit.com}}", {}, "https://quickbooks.api.intuit.com"),
    ("{{foo:str?:bar}}", {}, "bar"),
    ("{{foo|baz:str?:bar}}", {}, "bar"),
    ("{{foo ?: bar:str}}", {}, " bar"),
    ("{{foo ?: bar}}", {}, " bar"),
    ("{{foo ?:bar}}", {}, "bar"),
    ("{{foo ?: 1:int}}", {}, 1),
    ("{{foo ?: false:bool}}", {}, False),
    ("{{foo ?: 1.232:num}}", {}, 1.232),
    # the README says 1, but replace.ts casts a found value with the alternative's cast (str):
    # the default's :int applies only to the default
    ("{{foo?:1:int}}", {"foo": "1"}, "1"),
    ("{{foo?:1:int}}", {}, 1),
    # JavaScript's String() where Python's str() would differ
    ("n={{n}}", {"n": 1e-7}, "n=1e-7"),
    ("n={{n}}", {"n": 0.000001}, "n=0.000001"),
    # inside a string the (default) :str cast is lodash toString: null items print as "null"
    ("flags={{f}}", {"f": [True, None, 2]}, "flags=true,null,2"),
    ("{{a}} costs $&{{b}}", {"a": "$&", "b": "1"}, "{{a}} costs $&1"),
]


@pytest.mark.parametrize(("template", "context", "expected"), REPLACE_CASES)
def test_replace_matches_truto(template: str, context: dict[str, Any], expected: Any) -> None:
    actual = replace(template, context)
    assert actual == expected
    assert type(actual) is type(expected)


def test_an_unsupported_cast_fails_only_when_applied() -> None:
    assert replace("{{foo:integer}}", {}) == "{{foo:integer}}"  # never applied: stays literal
    with pytest.raises(
        PlaceholderError, match=r"placeholder \{\{foo:integer\}\}: Unsupported type"
    ):
        replace("{{foo:integer}}", {"foo": "1"})


def test_objects_and_arrays() -> None:
    template = {"foo": "{{foo}}", "bar": "{{bar:int}}", "baz": "{{baz:int:undefined}}"}
    assert replace_placeholders(template, {"foo": "bar", "bar": 1}) == {
        "foo": "bar",
        "bar": 1,
        "baz": UNDEFINED,
    }
    assert replace_placeholders(["{{foo}}", "{{bar:num}}"], {"foo": "bar", "bar": "1.34"}) == [
        "bar",
        1.34,
    ]


def test_truto_merge_deep_merges_and_concatenates_arrays() -> None:
    template = {
        "settings": {
            "core": {"enabled": True},
            "$truto_merge": ["{{base:json}}", "{{user:json|fallback:json}}", "{{missing:json}}"],
        }
    }
    context = {
        "base": {"core": {"version": "1.0"}, "tags": ["a"]},
        "fallback": {"core": {"enabled": False}, "tags": ["b"]},
    }
    assert replace_placeholders(template, context) == {
        "settings": {"core": {"enabled": False, "version": "1.0"}, "tags": ["a", "b"]}
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (1.5, "1.5"),
        (1e21, "1e+21"),
        (123e-20, "1.23e-18"),
        (-0.5, "-0.5"),
        (2**60, str(2**60)),
    ],
)
def test_numbers_print_as_in_javascript(value: float, text: str) -> None:
    assert number_to_string(value) == text
    assert js_string(value) == text


def test_the_lint_rules_know_the_same_casts() -> None:
    assert KNOWN_CASTS == CASTS


def test_parse_reads_a_placeholder_as_replace_ts_does() -> None:
    ph = parse("{{ args.q:ignore-empty-str | args.n:int:null ?: 1:int}}")
    assert [(a.path, a.cast) for a in ph.alternatives] == [
        ("args.q", "ignore-empty-str"),
        ("args.n", "int"),
    ]
    assert (ph.default, ph.default_cast) == (" 1", "int")
    assert (ph.ignore_empty, ph.null_allowed, ph.undefined_allowed) == (True, True, False)
