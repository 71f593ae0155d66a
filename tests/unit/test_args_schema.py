from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncspec.jobfile.problems import Finding, Severity
from syncspec.jobfile.rules.args_schema import (
    InvalidSchema,
    args_problems,
    check_args_schema,
    declared_args,
    properties,
    required_args,
    shape,
    to_json_schema,
)

JSON_STYLE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "user_ids": {"type": "array", "items": {"type": "string"}, "required": True},
        "since": {"type": "string", "format": "date", "required": False},
    },
}
FLAT: dict[str, Any] = {
    "integrated_account_id": {
        "type": "string",
        "format": "integrated_account_id",
        "required": True,
    },
    "limit": {"type": "integer", "default": 100},
}


def test_shape() -> None:
    assert shape(JSON_STYLE) == "json_schema"
    assert shape(FLAT) == "flat"
    assert shape({"type": "object"}) == "json_schema"
    assert shape(None) is None
    assert shape(["x"]) is None
    # an argument called "properties" in the flat shape is still the flat shape
    assert shape({"properties": {"type": "object"}}) == "flat"


def test_json_style_translation() -> None:
    assert to_json_schema(JSON_STYLE) == {
        "type": "object",
        "properties": {
            "user_ids": {"type": "array", "items": {"type": "string"}},
            "since": {"type": "string", "x-truto-format": "date"},
        },
        "required": ["user_ids"],
    }


def test_flat_translation() -> None:
    assert to_json_schema(FLAT) == {
        "type": "object",
        "properties": {
            "integrated_account_id": {
                "type": "string",
                "x-truto-format": "integrated_account_id",
            },
            "limit": {"type": "integer", "default": 100},
        },
        "required": ["integrated_account_id"],
    }


def test_translation_keeps_standard_formats_and_nested_required() -> None:
    schema = {
        "type": "object",
        "required": True,  # Truto's top-level boolean: no JSON Schema meaning, dropped
        "properties": {
            "email": {"type": "string", "format": "email"},
            "filter": {
                "type": "object",
                "properties": {"status": {"type": "string", "required": True}},
            },
        },
    }
    assert to_json_schema(schema) == {
        "type": "object",
        "properties": {
            "email": {"type": "string", "format": "email"},
            "filter": {
                "type": "object",
                "properties": {"status": {"type": "string"}},
                "required": ["status"],
            },
        },
    }


def test_top_level_required_array_is_merged() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string", "required": True}},
        "required": ["a"],
    }
    assert to_json_schema(schema)["required"] == ["a", "b"]
    flat = {"a": {"type": "string"}, "required": ["a"]}
    assert to_json_schema(flat) == {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
    }


@pytest.mark.parametrize("empty", [None, {}, "nonsense", 3])
def test_empty_or_unusable_schema_translates_to_anything_goes(empty: object) -> None:
    assert to_json_schema(empty) == {}
    assert declared_args(empty) == {}
    assert required_args(empty) == []
    assert args_problems(to_json_schema(empty), {"anything": 1}) == []


def test_declared_and_required_args() -> None:
    assert declared_args(JSON_STYLE) == {"user_ids": "array", "since": "string"}
    assert declared_args(FLAT) == {"integrated_account_id": "string", "limit": "integer"}
    assert declared_args({"a": {"type": ["null", "array"]}, "b": {}, "c": "x"}) == {
        "a": "array",
        "b": None,
        "c": None,
    }
    assert required_args(JSON_STYLE) == ["user_ids"]
    assert required_args(FLAT) == ["integrated_account_id"]
    # flat-shape schema keywords are not arguments
    assert list(properties({"description": "d", "required": ["a"], "a": {}})) == ["a"]


def test_args_problems() -> None:
    def check(schema: Any, args: dict[str, Any]) -> list[str]:
        return args_problems(to_json_schema(schema), args)

    assert check(JSON_STYLE, {"user_ids": ["1", "2"]}) == []
    assert check(JSON_STYLE, {}) == ["argument 'user_ids': is required (schema rule: required)"]
    assert check(JSON_STYLE, {"user_ids": 5}) == [
        "argument 'user_ids': 5 is not of type 'array' (schema rule: type)"
    ]
    assert check(JSON_STYLE, {"user_ids": ["a", 2]}) == [
        "argument 'user_ids[1]': 2 is not of type 'string' (schema rule: type)"
    ]
    # Truto formats are annotations, never assertions
    assert check(FLAT, {"integrated_account_id": "not-a-uuid"}) == []


def test_args_problems_with_an_invalid_schema() -> None:
    with pytest.raises(InvalidSchema, match=r"not a valid JSON Schema .'int' is not valid under"):
        args_problems(to_json_schema({"a": {"type": "int"}}), {"a": 1})


def test_args_problems_with_an_unresolvable_ref() -> None:
    with pytest.raises(InvalidSchema, match=r"^its args_schema has an unresolvable \$ref "):
        args_problems(to_json_schema({"type": "object", "$ref": "#/nowhere"}), {"a": 1})


# --- lint --------------------------------------------------------------------------------------


def _rules(findings: list[Finding]) -> list[tuple[str, tuple[object, ...]]]:
    return [(f.rule, f.path) for f in findings]


@pytest.mark.parametrize("schema", [JSON_STYLE, FLAT, None, {}, "not a mapping"])
def test_clean_schemas(schema: object) -> None:
    assert check_args_schema(schema) == []


def test_ss501_invalid_keyword_value_points_into_the_source_shape() -> None:
    flat = {"brand": {"type": "string", "minLength": "3"}}
    assert check_args_schema(flat) == [
        Finding(
            "SS501",
            Severity.ERROR,
            "args_schema is not a valid JSON Schema: '3' is not of type 'integer'",
            ("args_schema", "brand", "minLength"),
        )
    ]
    json_style = {"type": "object", "properties": flat}
    assert _rules(check_args_schema(json_style)) == [
        ("SS501", ("args_schema", "properties", "brand", "minLength"))
    ]


def test_ss502_unknown_type_with_alias_hint() -> None:
    assert check_args_schema({"n": {"type": "int"}}) == [
        Finding(
            "SS502",
            Severity.ERROR,
            'argument "n" has type "int", which is not a JSON Schema type',
            ("args_schema", "n", "type"),
            'did you mean "integer"?',
        )
    ]
    (typo,) = check_args_schema({"n": {"type": "strng"}})
    assert typo.hint == 'did you mean "string"?'
    # SS502 is not repeated as a metaschema error (SS501) on the same node
    assert _rules(check_args_schema({"n": {"type": ["string", "nope"]}})) == [
        ("SS502", ("args_schema", "n", "type"))
    ]


def test_ss503_required_array() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    assert check_args_schema(schema) == [
        Finding(
            "SS503",
            Severity.WARNING,
            "args_schema lists required arguments in a JSON Schema array; Truto reads a "
            "per-argument boolean",
            ("args_schema", "required"),
            "remove this list and add required: true to each of: a",
            on_key=True,
        )
    ]


def test_ss504_unknown_format() -> None:
    assert check_args_schema({"since": {"type": "string", "format": "dat"}}) == [
        Finding(
            "SS504",
            Severity.WARNING,
            'argument "since" has format "dat", which is neither a Truto format nor a JSON '
            "Schema format",
            ("args_schema", "since", "format"),
            'did you mean "date"?',
        )
    ]
    assert check_args_schema({"t": {"type": "string", "format": "updated_at"}}) == []
    assert check_args_schema({"t": {"type": "string", "format": "uuid"}}) == []


def test_ss505_definition_not_a_mapping() -> None:
    assert check_args_schema({"brand": "string"}) == [
        Finding(
            "SS505",
            Severity.ERROR,
            'argument "brand" must be a mapping such as {type: string}, not str',
            ("args_schema", "brand"),
            "brand: {type: string, required: true}",
        )
    ]


def test_ss506_no_type() -> None:
    assert check_args_schema({"brand": {"description": "x"}}) == [
        Finding(
            "SS506",
            Severity.WARNING,
            'argument "brand" has no type',
            ("args_schema", "brand"),
            "add type: string (or integer, number, boolean, array, object)",
            on_key=True,
        )
    ]


def test_ss507_top_level_type_not_object() -> None:
    schema = {"type": "array", "properties": {"a": {"type": "string"}}}
    assert check_args_schema(schema) == [
        Finding(
            "SS507",
            Severity.ERROR,
            'args_schema has type "array": run arguments are always an object',
            ("args_schema", "type"),
            "type: object",
        )
    ]


def test_rich_but_valid_schema_goes_through_the_metaschema_and_passes() -> None:
    schema = {
        "type": "object",
        "properties": {
            "mode": {"type": "string", "enum": ["full", "delta"], "required": True},
            "ids": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        },
        "additionalProperties": False,
    }
    assert check_args_schema(schema) == []


_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=6)
_keys = st.sampled_from(
    ["type", "properties", "required", "format", "items", "a", "minLength", "pattern", "$ref"]
)
_schemas = st.recursive(
    _scalars | st.sampled_from(["object", "string", "array", "date", "[", "#/x"]),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(_keys, c, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(_schemas, st.dictionaries(st.text(max_size=3), _scalars, max_size=3))
def test_public_functions_never_raise(schema: object, args: dict[str, Any]) -> None:
    for finding in check_args_schema(schema):
        assert finding.rule in {"SS501", "SS502", "SS503", "SS504", "SS505", "SS506", "SS507"}
    assert isinstance(to_json_schema(schema), dict)
    assert all(isinstance(v, str) for v in required_args(schema))
    assert isinstance(declared_args(schema), dict)
    try:  # the one documented exception: a schema that is not a valid JSON Schema
        problems = args_problems(to_json_schema(schema), args)
    except InvalidSchema as exc:
        assert str(exc).startswith("its args_schema ")
    else:
        assert all(isinstance(m, str) for m in problems)
