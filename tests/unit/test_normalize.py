from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncspec.engine.normalize import (
    CLIENT_FIELDS,
    FIELD_RULES,
    canonical_job,
    comparable_live,
    fingerprint,
    stable_json,
)

FULL_EMPTY = {
    "label": "j",
    "integration_name": "",
    "args_schema": None,
    "args_validation": None,
    "mutex_key": None,
    "state_key": None,
    "resources": [],
}


def test_every_client_field_has_exactly_one_rule() -> None:
    assert tuple(FIELD_RULES) == CLIENT_FIELDS


def test_minimal_job_gets_explicit_defaults_and_no_runtime_version() -> None:
    assert canonical_job({"label": "j"}) == FULL_EMPTY
    assert list(canonical_job({"label": "j"})) == [
        n for n in CLIENT_FIELDS if n != "default_runtime_version"
    ]


@pytest.mark.parametrize(
    ("field", "values", "canonical"),
    [
        ("args_validation", [None], None),
        ("mutex_key", [None], None),
        ("state_key", [None], None),
        ("args_schema", [None, {}], None),
        ("resources", [None, []], []),
        ("integration_name", [None, ""], ""),
    ],
)
def test_absent_equivalents(field: str, values: list[Any], canonical: Any) -> None:
    absent = canonical_job({"label": "j"})
    for value in values:
        assert canonical_job({"label": "j", field: value}) == absent
    assert absent[field] == canonical


def test_empty_string_is_not_null_for_templates() -> None:
    assert canonical_job({"label": "j", "mutex_key": ""})["mutex_key"] == ""


def test_runtime_version_absent_or_null_is_not_managed() -> None:
    assert "default_runtime_version" not in canonical_job({"label": "j"})
    assert "default_runtime_version" not in canonical_job(
        {"label": "j", "default_runtime_version": None}
    )
    assert (
        canonical_job({"label": "j", "default_runtime_version": 4})["default_runtime_version"] == 4
    )


def test_server_and_unknown_fields_are_dropped() -> None:
    live = {
        "id": "1",
        "environment_id": "e",
        "created_at": "t",
        "updated_at": "u",
        "label": "j",
        "something_new": 1,
    }
    assert canonical_job(live) == FULL_EMPTY


def test_resource_items_drop_nulls_and_empty_query_body_only_at_item_level() -> None:
    job = {
        "label": "j",
        "resources": [
            {"resource": "crm/contacts", "method": "list", "query": {}, "body": {}, "id": None},
            {"name": "s", "type": "get_state", "config": {"key": "k", "default": None}},
            {"resource": "x", "method": "get", "query": {"a": None}},
        ],
    }
    assert canonical_job(job)["resources"] == [
        {"method": "list", "resource": "crm/contacts"},
        {"config": {"default": None, "key": "k"}, "name": "s", "type": "get_state"},
        {"method": "get", "query": {"a": None}, "resource": "x"},
    ]


def test_integer_valued_floats_become_ints_but_bools_stay() -> None:
    job = {
        "label": "j",
        "default_runtime_version": 2.0,
        "args_schema": {"p": {"default": 1.5, "x": True}},
    }
    canon = canonical_job(job)
    assert canon["default_runtime_version"] == 2
    assert type(canon["default_runtime_version"]) is int
    assert canon["args_schema"] == {"p": {"default": 1.5, "x": True}}
    assert canon["args_schema"]["p"]["x"] is True


def test_key_order_irrelevant_list_order_significant() -> None:
    a = canonical_job({"label": "j", "args_schema": {"b": 1, "a": 2}})
    b = canonical_job({"args_schema": {"a": 2, "b": 1}, "label": "j"})
    assert a == b
    assert list(a["args_schema"]) == ["a", "b"]
    r1 = canonical_job({"label": "j", "resources": [{"name": "a"}, {"name": "b"}]})
    r2 = canonical_job({"label": "j", "resources": [{"name": "b"}, {"name": "a"}]})
    assert r1 != r2


def test_canonical_does_not_share_or_mutate_input() -> None:
    job = {"label": "j", "resources": [{"name": "a", "query": {}}]}
    canon = canonical_job(job)
    canon["resources"].append({"name": "b"})
    assert job == {"label": "j", "resources": [{"name": "a", "query": {}}]}
    assert canonical_job({"label": "k"})["resources"] == []


def test_comparable_live_drops_fields_the_file_does_not_manage() -> None:
    live = canonical_job({"label": "j", "default_runtime_version": 3})
    local = canonical_job({"label": "j"})
    assert comparable_live(live, local) == local


def test_fingerprint_is_sha256_of_stable_body_and_updated_at() -> None:
    live = {"id": "1", "label": "j", "updated_at": "2024-01-01T00:00:00Z", "resources": None}
    expected = hashlib.sha256(
        (stable_json(canonical_job(live)) + "\n2024-01-01T00:00:00Z").encode()
    ).hexdigest()
    assert fingerprint(live) == expected
    assert fingerprint({**live, "resources": []}) == expected  # same canonical body
    assert fingerprint({**live, "updated_at": "2024-01-02T00:00:00Z"}) != expected
    assert fingerprint({**live, "mutex_key": "m"}) != expected
    assert fingerprint({**live, "environment_id": "other"}) == expected


def test_stable_json_is_compact_and_sorted() -> None:
    assert stable_json({"b": 1, "a": [1, "é"]}) == '{"a":[1,"\\u00e9"],"b":1}'


# --- property-based ---------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
_resource = st.dictionaries(
    st.sampled_from(
        ["resource", "method", "name", "type", "query", "body", "depends_on", "config", "x/y~"]
    ),
    st.one_of(_json, st.just({})),
    max_size=6,
)
_field_values: dict[str, st.SearchStrategy[Any]] = {
    "label": st.text(max_size=10),
    "integration_name": st.one_of(st.none(), st.text(max_size=6)),
    "default_runtime_version": st.one_of(
        st.none(), st.integers(1, 4), st.sampled_from([1.0, 2.0, 4.0])
    ),
    "args_schema": st.one_of(
        st.none(), st.just({}), st.dictionaries(st.text(max_size=5), _json, max_size=3)
    ),
    "args_validation": st.one_of(st.none(), st.text(max_size=8)),
    "mutex_key": st.one_of(st.none(), st.text(max_size=8)),
    "state_key": st.one_of(st.none(), st.text(max_size=8)),
    "resources": st.one_of(st.none(), st.lists(_resource, max_size=4)),
}
jobs = st.fixed_dictionaries(
    {},
    optional={
        **_field_values,
        "id": st.uuids().map(str),
        "updated_at": st.text(max_size=5),
        "environment_id": st.text(max_size=5),
    },
)


@settings(max_examples=300, deadline=None)
@given(jobs)
def test_canonical_is_idempotent(job: dict[str, Any]) -> None:
    once = canonical_job(job)
    assert canonical_job(once) == once
    assert stable_json(canonical_job(once)) == stable_json(once)


@settings(max_examples=300, deadline=None)
@given(jobs)
def test_canonical_survives_a_json_round_trip(job: dict[str, Any]) -> None:
    once = canonical_job(job)
    assert canonical_job(json.loads(json.dumps(once))) == once


def test_ruamel_round_trip_types_become_plain() -> None:
    from io import StringIO

    from ruamel.yaml import YAML

    text = 'label: j\nintegration_name: ""\ndefault_runtime_version: 2.0\nmutex_key: "m"\n'
    data = YAML(typ="rt").load(StringIO(text))
    canon = canonical_job(data)
    assert canon == {**FULL_EMPTY, "default_runtime_version": 2, "mutex_key": "m"}
    assert type(canon["mutex_key"]) is str
    assert type(canon["default_runtime_version"]) is int
